"""Configuration: defaults < TOML file < environment variables < command-line options.

Every setting is documented in ``deploy/env.example`` and ``deploy/config.example.toml``.
Secrets (tokens, passwords, pickle keys) come only from the environment or from files
outside the repository.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the setting."""


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mes-bot"


@dataclass
class Settings:
    # --- general
    data_dir: Path = field(default_factory=default_data_dir)
    default_locale: str = "fr"
    timezone: str = "Europe/Paris"
    # --- deadline rule (the rule itself lives in bot/deadline.py; these are advice knobs)
    margin_days: int = 5            # recommended day = last day - margin (never before today)
    letter_shift_days: int = 4      # when only the arrival day of a letter is known
    # --- reminders
    reminder_offsets: tuple[int, ...] = (14, 7, 3, 1, 0)   # days before the last day
    reminder_hour: int = 10         # local time
    quiet_start: int = 21           # no message from 21:00 ...
    quiet_end: int = 9              # ... to 09:00 local time
    purge_after_days: int = 14      # erase a user this many days after their last deadline
    scheduler_interval: float = 30.0  # seconds between ticks
    # --- telegram
    telegram_token: str | None = None
    telegram_api_url: str | None = None        # PTB base_url, e.g. http://127.0.0.1:8081/bot
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    telegram_webhook_secret: str | None = None
    telegram_rate_global: float = 30.0         # messages per second overall
    telegram_rate_chat: float = 1.0            # messages per second into one private chat
    telegram_rate_group_per_min: float = 20.0  # messages per minute into one group/channel
    telegram_paid_broadcast: bool = False
    telegram_paid_rate: float = 1000.0
    # --- matrix
    matrix_homeserver: str | None = None
    matrix_user: str | None = None
    matrix_password: str | None = None
    matrix_access_token: str | None = None
    matrix_device_id: str | None = None
    matrix_pickle_key: str | None = None
    matrix_allowed_servers: tuple[str, ...] = ()   # empty: join every invite
    matrix_allowed_users: tuple[str, ...] = ()
    matrix_verified_only: bool = False
    matrix_admin_power_level: int = 50
    # --- collectives
    operators: tuple[str, ...] = ()            # "telegram:123", "matrix:@alice:server"
    broadcast_approval_threshold: int = 1000
    broadcast_spread_minutes: int = 0
    campaign_text_max: int = 2000
    # --- operations
    backends: tuple[str, ...] = ()              # for `mes-bot run`: ("telegram", "matrix")
    health_listen: str | None = None            # "127.0.0.1:9108"
    log_level: str = "INFO"
    log_hash_key: str | None = None

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "mes-bot.db"


ENV_PREFIX = "MESBOT_"
# Platform variables documented by the issues, mapped to settings.
ENV_ALIASES = {
    "TELEGRAM_BOT_TOKEN": "telegram_token",
    "MATRIX_HOMESERVER": "matrix_homeserver",
    "MATRIX_USER": "matrix_user",
    "MATRIX_PASSWORD": "matrix_password",
    "MATRIX_ACCESS_TOKEN": "matrix_access_token",
    "MATRIX_DEVICE_ID": "matrix_device_id",
    "MATRIX_PICKLE_KEY": "matrix_pickle_key",
}


def _coerce(name: str, typ, value):
    """Turn a TOML or environment value into the field's type, or raise ConfigError."""
    t = str(typ)
    try:
        if value is None:
            return None
        if "tuple" in t:
            if isinstance(value, str):
                items = [v.strip() for v in value.split(",") if v.strip()]
            else:
                items = list(value)
            if "int" in t:
                return tuple(int(v) for v in items)
            return tuple(str(v) for v in items)
        if "Path" in t:
            return Path(os.path.expanduser(str(value)))
        if "bool" in t:
            if isinstance(value, bool):
                return value
            v = str(value).strip().lower()
            if v in ("1", "true", "yes", "on", "oui"):
                return True
            if v in ("0", "false", "no", "off", "non", ""):
                return False
            raise ValueError(value)
        if "int" in t and "float" not in t:
            return int(value)
        if "float" in t:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting '{name}': invalid value {value!r} (expected {t})") from None


def load_settings(config_file: str | Path | None = None, env: dict | None = None, **overrides) -> Settings:
    env = os.environ if env is None else env
    s = Settings()
    known = {f.name: f for f in fields(Settings)}
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"config file {path}: {e}") from None
        flat: dict = {}
        for k, v in data.items():
            if isinstance(v, dict):  # [telegram] token = ... -> telegram_token
                for k2, v2 in v.items():
                    flat[k2 if k in ("general", "bot") else f"{k}_{k2}"] = v2
            else:
                flat[k] = v
        for k, v in flat.items():
            if k not in known:
                raise ConfigError(f"config file {path}: unknown setting '{k}'")
            setattr(s, k, _coerce(k, known[k].type, v))
    for var, name in ENV_ALIASES.items():
        if env.get(var):
            setattr(s, name, _coerce(name, known[name].type, env[var]))
    for name, f in known.items():
        var = ENV_PREFIX + name.upper()
        if var in env:
            setattr(s, name, _coerce(name, f.type, env[var]))
    for k, v in overrides.items():
        if v is None:
            continue
        if k not in known:
            raise ConfigError(f"unknown setting '{k}'")
        setattr(s, k, _coerce(k, known[k].type, v))
    validate(s)
    return s


def validate(s: Settings) -> None:
    if s.default_locale not in ("fr", "en"):
        raise ConfigError("setting 'default_locale' must be 'fr' or 'en'")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(s.timezone)
    except Exception:
        raise ConfigError(f"setting 'timezone': unknown time zone {s.timezone!r}") from None
    for name in ("reminder_hour", "quiet_start", "quiet_end"):
        v = getattr(s, name)
        if not 0 <= v <= 23:
            raise ConfigError(f"setting '{name}' must be an hour 0-23")
    if s.margin_days < 0 or s.letter_shift_days < 0:
        raise ConfigError("settings 'margin_days' and 'letter_shift_days' must be >= 0")
    for b in s.backends:
        if b not in ("telegram", "matrix", "console"):
            raise ConfigError(f"setting 'backends': unknown backend {b!r}")


def secure_write(path: Path, data: bytes | str) -> None:
    """Create or replace a file readable by its owner only (keys, tokens)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
