"""Configuration errors name the setting (and where to set it), before anything connects."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.infra.config import ConfigError, Settings, load_settings
from bot.ops.backend_spec import require_backends

TOKEN = "123456:ABCdef_ghi-JKL"


def write(tmp_path, text, name="config.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_toml_sections_env_and_overrides_layer(tmp_path):
    cfg = write(
        tmp_path,
        'backends = ["telegram"]\ntimezone = "America/Cayenne"\n'
        '[telegram]\napi_url = "http://127.0.0.1:9/bot"\n[matrix]\nhomeserver = "http://127.0.0.1:8"\n',
    )
    s = load_settings(cfg, env={"TELEGRAM_BOT_TOKEN": TOKEN, "MESBOT_REMINDER_HOUR": "11"}, data_dir=tmp_path)
    assert s.backends == ("telegram",)
    assert s.timezone == "America/Cayenne"
    assert s.telegram_api_url == "http://127.0.0.1:9/bot"
    assert s.matrix_homeserver == "http://127.0.0.1:8"
    assert s.telegram_token == TOKEN
    assert s.reminder_hour == 11
    assert s.db_path == tmp_path / "mes-bot.db"
    # MESBOT_* wins over the platform alias; an override wins over both
    s = load_settings(cfg, env={"TELEGRAM_BOT_TOKEN": TOKEN, "MESBOT_BACKENDS": "telegram,matrix"}, backends="telegram")
    assert s.backends == ("telegram",)


@pytest.mark.parametrize(
    "toml, env, setting",
    [
        ('timezone = "Europe/Nowhere"', {}, "timezone"),
        ("reminder_hour = 25", {}, "reminder_hour"),
        ('reminder_hour = "ten"', {}, "reminder_hour"),
        ('backends = ["telegram", "irc"]', {}, "backends"),
        ('log_level = "LOUD"', {}, "log_level"),
        ('health_listen = "localhost"', {}, "health_listen"),
        ("shutdown_timeout = 30", {}, "shutdown_timeout"),
        ('operators = ["alice"]', {}, "operators"),
        ('[matrix]\nhomeserver = "matrix.org"', {}, "matrix_homeserver"),
        ('[telegram]\nwebhook_url = "http://example.org/hook"', {}, "telegram_webhook_url"),
        ('default_locale = "de"', {}, "default_locale"),
        ('colour = "blue"', {}, "colour"),
        ("", {"MESBOT_SCHEDULER_INTERVAL": "soon"}, "scheduler_interval"),
        ("", {"MESBOT_TELEGRAM_PAID_BROADCAST": "maybe"}, "telegram_paid_broadcast"),
    ],
)
def test_invalid_value_names_the_setting(tmp_path, toml, env, setting):
    cfg = write(tmp_path, toml)
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env=env)
    assert f"'{setting}'" in str(e.value)


def test_secrets_are_refused_in_the_config_file_and_never_echoed(tmp_path):
    cfg = write(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\n')
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={})
    msg = str(e.value)
    assert "'telegram_token'" in msg and "TELEGRAM_BOT_TOKEN" in msg and "telegram_token_file" in msg
    assert TOKEN not in msg


@pytest.mark.parametrize(
    "backends, env, setting, hint",
    [
        ("telegram", {}, "telegram_token", "TELEGRAM_BOT_TOKEN"),
        ("telegram", {"TELEGRAM_BOT_TOKEN": "not-a-token"}, "telegram_token", "BotFather"),
        ("matrix", {}, "matrix_homeserver", "MATRIX_HOMESERVER"),
        ("matrix", {"MATRIX_HOMESERVER": "http://127.0.0.1:1"}, "matrix_user", "MATRIX_USER"),
        ("matrix", {"MATRIX_HOMESERVER": "http://127.0.0.1:1", "MATRIX_USER": "bot"}, "matrix_user", "@bot"),
        (
            "matrix",
            {"MATRIX_HOMESERVER": "http://127.0.0.1:1", "MATRIX_USER": "@bot:localhost"},
            "matrix_password",
            "MATRIX_ACCESS_TOKEN",
        ),
        ("telegram,matrix", {"TELEGRAM_BOT_TOKEN": TOKEN}, "matrix_homeserver", "MATRIX_HOMESERVER"),
        ("", {}, "backends", "MESBOT_BACKENDS"),
    ],
)
def test_backend_requirements_name_setting_and_variable(tmp_path, backends, env, setting, hint):
    s = load_settings(None, env={**env, "MESBOT_BACKENDS": backends}, data_dir=tmp_path)
    with pytest.raises(ConfigError) as e:
        require_backends(s)
    assert f"'{setting}'" in str(e.value)
    assert hint in str(e.value)


def test_complete_configuration_passes(tmp_path):
    env = {
        "MESBOT_BACKENDS": "telegram,matrix",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "MATRIX_HOMESERVER": "https://matrix.example.org",
        "MATRIX_USER": "@mesbot:example.org",
        "MATRIX_ACCESS_TOKEN": "syt_abc",
    }
    s = load_settings(None, env=env, data_dir=tmp_path)
    require_backends(s)
    assert s.backends == ("telegram", "matrix")


def test_secret_from_file_and_from_systemd_credentials(tmp_path):
    f = tmp_path / "token"
    f.write_text(TOKEN + "\n")
    s = load_settings(None, env={"TELEGRAM_BOT_TOKEN_FILE": str(f)})
    assert s.telegram_token == TOKEN
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "matrix_password").write_text("pw-from-credential")
    s = load_settings(None, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert s.matrix_password == "pw-from-credential"
    # the environment wins over the credential file
    s = load_settings(None, env={"CREDENTIALS_DIRECTORY": str(creds), "MATRIX_PASSWORD": "env"})
    assert s.matrix_password == "env"


def test_secret_file_errors_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="'telegram_token_file'.*cannot read"):
        load_settings(None, env={"MESBOT_TELEGRAM_TOKEN_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="'matrix_access_token_file'.*empty"):
        load_settings(None, env={"MATRIX_ACCESS_TOKEN_FILE": str(tmp_path / "empty")})
    repo = Path(__file__).resolve().parents[2]
    inside = repo / "pyproject.toml"  # any file inside the git working tree
    with pytest.raises(ConfigError, match="'log_hash_key_file'.*git"):
        load_settings(None, env={"MESBOT_LOG_HASH_KEY_FILE": str(inside)})


def test_missing_or_broken_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="config file"):
        load_settings(write(tmp_path, "backends = [telegram"), env={})


def test_cli_reports_the_error_before_connecting(tmp_path):
    """`mes-bot run` with telegram and no token: exit 2, the message names the setting; it never
    reached the network (the API URL points at a closed port and no timeout was waited)."""
    cfg = write(
        tmp_path,
        f'backends = ["telegram"]\ndata_dir = "{tmp_path / "data"}"\n[telegram]\napi_url = "http://127.0.0.1:9/bot"\n',
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESBOT_", "TELEGRAM_", "MATRIX_"))}
    r = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(cfg)], env=env, capture_output=True, text=True, timeout=30
    )
    assert r.returncode == 2
    assert "setting 'telegram_token'" in r.stderr and "TELEGRAM_BOT_TOKEN" in r.stderr
    assert not (tmp_path / "data" / "mes-bot.db").exists()  # nothing opened either


def test_every_setting_is_documented_in_both_examples():
    from dataclasses import fields

    root = Path(__file__).resolve().parents[2] / "deploy"
    env_text = (root / "env.example").read_text(encoding="utf-8")
    toml_text = (root / "config.example.toml").read_text(encoding="utf-8")
    missing_env = [f.name for f in fields(Settings) if f"MESBOT_{f.name.upper()}" not in env_text]
    assert not missing_env, f"not in deploy/env.example: {missing_env}"
    # In the TOML example a setting appears as `name =` at top level or `key =` in its [section]
    import re

    section = None
    seen = set()
    for line in toml_text.splitlines():
        m = re.match(r"^\s*\[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^\s*#?\s*(\w+)\s*=", line)
        if m:
            key = m.group(1)
            seen.add(
                key
                if section in (None, "general", "bot", "operations", "reminders", "collectives")
                else f"{section}_{key}"
            )
    missing_toml = [f.name for f in fields(Settings) if f.name not in seen]
    assert not missing_toml, f"not in deploy/config.example.toml: {missing_toml}"


def test_config_example_loads(tmp_path):
    root = Path(__file__).resolve().parents[2] / "deploy"
    s = load_settings(root / "config.example.toml", env={})
    assert s.health_listen and s.health_listen.startswith("127.0.0.1:")


def test_matrix_password_not_needed_after_first_login(tmp_path):
    import json

    env = {"MESBOT_BACKENDS": "matrix", "MATRIX_HOMESERVER": "http://127.0.0.1:1", "MATRIX_USER": "@bot:localhost"}
    s = load_settings(None, env=env, data_dir=tmp_path)
    with pytest.raises(ConfigError, match="'matrix_password'"):
        require_backends(s)
    (tmp_path / "matrix").mkdir()
    (tmp_path / "matrix" / "credentials.json").write_text(
        json.dumps(
            {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:localhost", "device_id": "D", "access_token": "t"}
        )
    )
    require_backends(s)  # the stored login is enough
    other = load_settings(None, env={**env, "MATRIX_USER": "@other:localhost"}, data_dir=tmp_path)
    with pytest.raises(ConfigError, match="'matrix_password'"):
        require_backends(other)  # stored for another account: not used
