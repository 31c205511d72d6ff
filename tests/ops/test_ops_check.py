"""`mes-bot check`: token via getMe, homeserver via /versions, database writable — against a
tiny fake server on 127.0.0.1, plus failing cases."""

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.ops.cli import main as cli

TOKEN = "4242:GOOD-token_x"


class Fake(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *a):
        pass

    def _json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Fake.seen.append(self.path)
        if self.path == f"/bot{TOKEN}/getMe":
            return self._json(
                200,
                {"ok": True, "result": {"id": 4242, "is_bot": True, "first_name": "Mes", "username": "mes_test_bot"}},
            )
        if self.path.startswith("/bot") and self.path.endswith("/getMe"):
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if self.path == "/_matrix/client/versions":
            return self._json(200, {"versions": ["v1.1", "v1.11"]})
        if self.path == "/_matrix/client/v3/account/whoami":
            if self.headers.get("Authorization") == "Bearer syt_good":
                return self._json(200, {"user_id": "@mesbot:localhost", "device_id": "DEV1"})
            return self._json(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "bad"})
        self._json(404, {"errcode": "M_UNRECOGNIZED"})


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    Fake.seen = []
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for k in list(os.environ):
        if k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_")):
            monkeypatch.delenv(k)
    return monkeypatch


def write_cfg(tmp_path, server, backends='["telegram", "matrix"]', extra=""):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\nbackends = {backends}\n{extra}\n'
        f'[telegram]\napi_url = "{server}/bot"\n'
        f'[matrix]\nhomeserver = "{server}"\nuser = "@mesbot:localhost"\n'
    )
    return cfg


def test_check_all_good(tmp_path, server, clean_env, capsys):
    clean_env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    clean_env.setenv("MATRIX_ACCESS_TOKEN", "syt_good")
    rc = cli(["check", "--config", str(write_cfg(tmp_path, server)), "--timeout", "5"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "token valid: bot @mes_test_bot" in out
    assert "homeserver" in out and "reachable (spec v1.11)" in out
    assert "access token valid for @mesbot:localhost (device DEV1)" in out
    assert "will be created" in out
    assert "all good" in out
    assert TOKEN not in out and "syt_good" not in out
    assert f"/bot{TOKEN}/getMe" in Fake.seen and "/_matrix/client/versions" in Fake.seen


def test_check_reports_refused_token_and_bad_access_token(tmp_path, server, clean_env, capsys):
    clean_env.setenv("TELEGRAM_BOT_TOKEN", "4242:WRONG")
    clean_env.setenv("MATRIX_ACCESS_TOKEN", "syt_bad")
    rc = cli(["check", "--config", str(write_cfg(tmp_path, server)), "--timeout", "5"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL  telegram: token refused" in out
    assert "FAIL  matrix: access token refused (401 M_UNKNOWN_TOKEN)" in out
    assert "2 problem(s)" in out
    assert "4242:WRONG" not in out


def test_check_unreachable_homeserver_and_api(tmp_path, clean_env, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    clean_env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    clean_env.setenv("MATRIX_PASSWORD", "pw")
    rc = cli(["check", "--config", str(write_cfg(tmp_path, dead)), "--timeout", "3"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL  telegram: Bot API at" in out and "unreachable" in out
    assert "FAIL  matrix: homeserver" in out and "unreachable" in out


def test_check_database_states(tmp_path, server, clean_env, capsys):
    from bot.store import Store
    from bot.store.base import code_schema_version

    clean_env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    cfg = write_cfg(tmp_path, server, backends='["telegram"]')
    Store(tmp_path / "data" / "mes-bot.db").close()
    assert cli(["check", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert f"writable, schema v{code_schema_version()}, 0 users" in out
    # a database from a newer mes-bot is a problem
    conn = sqlite3.connect(tmp_path / "data" / "mes-bot.db")
    conn.execute(f"PRAGMA user_version = {code_schema_version() + 1}")
    conn.close()
    assert cli(["check", "--config", str(cfg)]) == 1
    assert "newer than this mes-bot" in capsys.readouterr().out
    # an older one: migrations announced, with the copy made first
    conn = sqlite3.connect(tmp_path / "data" / "mes-bot.db")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    assert cli(["check", "--config", str(cfg)]) == 0
    assert "mes-bot.db.bak-v1" in capsys.readouterr().out


def test_check_unwritable_data_dir(tmp_path, server, clean_env, capsys):
    clean_env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")  # fails even for root
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'data_dir = "{blocker / "data"}"\nbackends = ["telegram"]\n[telegram]\napi_url = "{server}/bot"\n')
    assert cli(["check", "--config", str(cfg)]) == 1
    assert "is not writable" in capsys.readouterr().out


def test_check_config_error_exits_2(tmp_path, clean_env, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('backends = ["matrix"]\n')
    assert cli(["check", "--config", str(cfg)]) == 2
    assert "FAIL  config: setting 'matrix_homeserver'" in capsys.readouterr().out
