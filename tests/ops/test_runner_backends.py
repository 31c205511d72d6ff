"""One start-up path: every backend's command is ``mes-bot run`` with that backend (bot/ops/run.py),
and a backend package declares, in one place (its ``SPEC``), only what the runner needs."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from pathlib import Path

import pytest

from bot.infra.config import BACKENDS, ConfigError, load_settings
from bot.ops import cli
from bot.ops.backend_spec import BackendSpec, require_backends, spec_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_backend_declares_its_spec_and_no_start_up_of_its_own():
    for name in BACKENDS:
        module = importlib.import_module(f"bot.backends.{name}")
        spec = vars(module).get("SPEC")
        assert isinstance(spec, BackendSpec) and spec.name == name, name
        # the runner starts it: no main() or run() of its own, in the package or its modules
        for mod_name in [f"bot.backends.{name}"] + [
            f"bot.backends.{name}.{p.stem}" for p in (ROOT / "bot" / "backends" / name).glob("*.py")
        ]:
            mod = importlib.import_module(mod_name)
            assert not {"main", "run"} & set(vars(mod)), f"{mod_name} has a start-up of its own"


@pytest.mark.parametrize(
    "argv",
    [
        ["telegram", "--token", "1:x"],
        ["matrix", "--homeserver", "http://127.0.0.1:9"],
        ["web", "--port", "8099"],
        ["console", "--today", "2026-11-22"],
        ["jsonl"],
    ],
)
def test_each_backend_command_is_the_runner_with_that_backend(argv):
    args = cli.build_parser().parse_args(argv)
    assert args._module == "bot.ops.run" and args._backend == argv[0]
    assert args.config is None and args.data_dir is None  # the runner's own options, for every backend


def test_options_become_settings_before_the_requirements_are_checked(tmp_path):
    args = cli.build_parser().parse_args(["web", "--host", "127.0.0.2", "--port", "8099"])
    spec = spec_of("web")
    settings = load_settings(None, env={}, data_dir=tmp_path, backends="web", **spec.overrides(args))
    spec.adjust(settings, args)
    assert settings.web_listen == "127.0.0.2:8099"
    args = cli.build_parser().parse_args(["telegram", "--token", "12:abc", "--webhook-url", "https://x.org/h"])
    settings = load_settings(
        None, env={}, data_dir=tmp_path, backends="telegram", **spec_of("telegram").overrides(args)
    )
    assert settings.telegram_token == "12:abc" and settings.telegram_webhook_url == "https://x.org/h"
    require_backends(settings)
    with pytest.raises(ConfigError, match="unknown backend"):
        spec_of("irc")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_"))}
    return dict(env, PYTHONPATH=str(ROOT), **extra)


async def _run(args: list[str], env: dict) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(ROOT),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, err.decode()


async def test_a_backend_that_cannot_start_reads_the_same_under_run_and_its_own_command(tmp_path):
    """Unreachable at start: exit 5 and one line, whether started by `mes-bot telegram` or `mes-bot run`."""
    env = _env(MESBOT_CONNECT_TIMEOUT="1", TELEGRAM_BOT_TOKEN="1:x", MESBOT_TELEGRAM_API_URL="http://127.0.0.1:9/bot")
    for args in (["telegram"], ["run", "--backends", "telegram"]):
        code, err = await _run([*args, "--data-dir", str(tmp_path / args[0])], env)
        assert code == 5, (args, err[-800:])
        assert "Traceback" not in err and "1:x" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("mes-bot: cannot reach the Bot API"), err[-800:]


async def test_a_wrong_option_value_is_a_configuration_error(tmp_path):
    code, err = await _run(["console", "--today", "22/11/2026", "--data-dir", str(tmp_path)], _env())
    assert code == 2 and err.strip().splitlines() == ["mes-bot: configuration error: --today expects YYYY-MM-DD"]
