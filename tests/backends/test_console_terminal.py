"""The console and the command line as a shell user meets them, through real pipes and a real
pseudo-terminal: Ctrl-C and Ctrl-D quit at once and leave the shell's prompt on its own line,
and ``| head`` ends without a BrokenPipeError traceback."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

PY = sys.executable
CMD = [PY, "-m", "bot"]
WAIT = 60.0  # seconds: an upper bound for the child to answer, never a sleep


def _read_until(fd: int, predicate, deadline: float) -> bytes:
    out = b""
    while not predicate(out):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; got {out[-400:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    return out


def _spawn_console(tmp_path):
    """The console in a pseudo-terminal that is its controlling terminal (so ^C is a real SIGINT)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        os.chdir(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        os.execv(PY, CMD + ["console", "--data-dir", str(tmp_path / "data"), "--today", "2026-11-22"])
    return pid, fd


def _wait_exit(pid: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        select.select([], [], [], 0.05)  # poll the child's exit, bounded by the deadline
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the console did not quit")


@pytest.mark.parametrize("key,name", [(b"\x03", "ctrl-c"), (b"\x04", "ctrl-d")])
def test_ctrl_c_and_ctrl_d_quit_the_interactive_console_at_once(tmp_path, key, name):
    pid, fd = _spawn_console(tmp_path)
    try:
        deadline = time.monotonic() + WAIT
        out = _read_until(fd, lambda b: b.rstrip().endswith(b">"), deadline)
        assert b"Bonjour" in out
        os.write(fd, key)  # no Enter after it
        rest = _read_until(fd, lambda b: False, time.monotonic() + WAIT)
        code = _wait_exit(pid, time.monotonic() + WAIT)
    finally:
        os.close(fd)
    assert code == 0, (name, rest)
    assert b"Traceback" not in rest and b"Error" not in rest, rest
    # the shell's next prompt starts on a line of its own
    assert rest.replace(b"^C", b"").replace(b"^D", b"") in (b"\r\n", b"\n"), rest


def test_the_console_still_answers_in_a_terminal_then_quits(tmp_path):
    pid, fd = _spawn_console(tmp_path)
    try:
        deadline = time.monotonic() + WAIT
        _read_until(fd, lambda b: b.rstrip().endswith(b">"), deadline)
        os.write(fd, "reçu le 3 novembre\r".encode())
        out = _read_until(fd, lambda b: b"15 d\xc3\xa9cembre" in b and b.rstrip().endswith(b">"), deadline)
        assert "mardi 15 décembre 2026".encode() in out
        os.write(fd, b"\x03")
        assert _wait_exit(pid, time.monotonic() + WAIT) == 0
    finally:
        os.close(fd)


def _pipe_to_head(args: list[str], stdin_bytes: bytes, lines: int):
    """``mes-bot ARGS < input | head -LINES`` with real pipes; returns (exit code, head's lines, stderr)."""
    proc = subprocess.Popen(
        CMD + args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    head = subprocess.Popen(["head", f"-{lines}"], stdin=proc.stdout, stdout=subprocess.PIPE)
    proc.stdout.close()  # only head reads it now: when head ends, our writes hit a broken pipe
    try:
        proc.stdin.write(stdin_bytes)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    got = head.communicate(timeout=WAIT)[0]
    err = proc.stderr.read()
    return proc.wait(timeout=WAIT), got.decode().splitlines(), err.decode()


def test_deadline_from_stdin_into_head_ends_quietly():
    code, got, err = _pipe_to_head(["deadline", "-"], "reçu le 3 novembre\n".encode() * 5000, 1)
    assert len(got) == 1 and json.loads(got[0])["deadline"] == "2026-12-15"
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141


def test_console_into_head_ends_quietly(tmp_path):
    code, got, err = _pipe_to_head(
        ["console", "--data-dir", str(tmp_path / "d"), "--today", "2026-11-22"], "aide\n".encode() * 300, 3
    )
    assert len(got) == 3 and got[0].startswith("Bonjour")
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141
