"""Configuration: defaults < TOML file < environment variables < command-line options.

Every setting is documented in ``deploy/env.example`` and ``deploy/config.example.toml``.
Secrets (tokens, passwords, pickle keys) come only from the environment or from files
outside the repository.
"""
from __future__ import annotations

import math
import os
import re
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
    # --- deadline rule (the rule itself lives in bot/domain/deadline.py; these are advice knobs)
    margin_days: int = 5            # recommended day = last day - margin (never before today)
    letter_shift_days: int = 4      # when only the arrival day of a letter is known
    # --- reminders
    reminder_offsets: tuple[int, ...] = (14, 7, 3, 1, 0)   # days before the last day
    reminder_hour: int = 10         # local time
    quiet_start: int = 21           # no message from 21:00 ...
    quiet_end: int = 9              # ... to 09:00 local time
    purge_after_days: int = 14      # erase a user this many days after their last deadline
    scheduler_interval: float = 30.0  # seconds between ticks
    # --- delivery under faults
    reply_stale_after: float = 600.0  # seconds: a reply not delivered by then (5xx, 429) is dropped
    chat_backlog_max: int = 20        # updates queued per chat; more are dropped (one kind notice)
    connect_timeout: float = 120.0    # seconds to keep trying to reach the Bot API at start, then exit 5
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
    matrix_reactions: bool = True                  # keycap reactions on choice messages
    # --- public links offered where the bot cannot write later (the web page)
    telegram_public_link: str | None = None    # e.g. https://t.me/mesbot
    matrix_public_link: str | None = None      # e.g. https://matrix.to/#/@mesbot:example.org
    # --- web (bot/backends/web)
    web_listen: str = "127.0.0.1:8080"
    web_public_url: str | None = None           # the page as people reach it; flyers' QR codes point here
    web_idle_minutes: float = 30.0              # a conversation idle this long is erased
    web_max_conversations: int = 1000           # beyond: a kind "busy" page
    web_max_body_bytes: int = 8192              # largest request body
    web_rate_conversation_per_min: int = 30     # messages per minute in one conversation
    web_rate_address_per_min: int = 120         # requests per minute from one client address
    web_trusted_proxies: tuple[str, ...] = ()   # reverse proxies whose X-Forwarded-For is believed
    web_allowed_origins: tuple[str, ...] = ()   # extra origins allowed to post (the page's own always is)
    web_frame_ancestors: tuple[str, ...] = ("*",)  # sites allowed to embed the page in an iframe
    # --- collectives
    operators: tuple[str, ...] = ()            # "telegram:123", "matrix:@alice:server"
    broadcast_approval_threshold: int = 1000
    broadcast_spread_minutes: int = 0
    campaign_text_max: int = 2000
    public_link: str | None = None              # link printed in flyers' QR codes, e.g. https://t.me/YourBot
    # --- operations
    backends: tuple[str, ...] = ()              # for `mes-bot run`: ("telegram", "matrix")
    health_listen: str | None = None            # "127.0.0.1:9108"
    log_level: str = "INFO"
    log_hash_key: str | None = None
    shutdown_timeout: float = 8.0               # seconds granted to in-flight work on SIGTERM
    # --- secrets read from files (systemd credentials, Docker secrets, /etc/mes-bot/...)
    telegram_token_file: Path | None = None
    telegram_webhook_secret_file: Path | None = None
    matrix_password_file: Path | None = None
    matrix_access_token_file: Path | None = None
    matrix_pickle_key_file: Path | None = None
    log_hash_key_file: Path | None = None

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "mes-bot.db"


ENV_PREFIX = "MESBOT_"
# Platform variables documented by the issues, mapped to settings.
ENV_ALIASES = {
    "TELEGRAM_BOT_TOKEN": "telegram_token",
    "TELEGRAM_BOT_TOKEN_FILE": "telegram_token_file",
    "MATRIX_HOMESERVER": "matrix_homeserver",
    "MATRIX_USER": "matrix_user",
    "MATRIX_PASSWORD": "matrix_password",
    "MATRIX_PASSWORD_FILE": "matrix_password_file",
    "MATRIX_ACCESS_TOKEN": "matrix_access_token",
    "MATRIX_ACCESS_TOKEN_FILE": "matrix_access_token_file",
    "MATRIX_DEVICE_ID": "matrix_device_id",
    "MATRIX_PICKLE_KEY": "matrix_pickle_key",
    "MATRIX_PICKLE_KEY_FILE": "matrix_pickle_key_file",
}

#: Settings that are secrets: never accepted from the TOML file (which may sit in a repository
#: or be world-readable); they come from the environment, the command line, ``<name>_file``,
#: or a systemd credential named after the setting (``$CREDENTIALS_DIRECTORY/<name>``).
SECRETS = ("telegram_token", "telegram_webhook_secret", "matrix_password", "matrix_access_token",
           "matrix_pickle_key", "log_hash_key")

#: The backends, each a package or module ``bot.backends.<name>`` declaring its ``SPEC``
#: (bot/ops/backend_spec.py), and the help line of its ``mes-bot <name>`` command.
#: Adding a backend is its package plus one line here.
BACKENDS = {
    "console": "chat with the bot in this terminal (embedded default)",
    "telegram": "run the Telegram backend",
    "matrix": "run the Matrix backend",
    "web": "run the web page backend (no app, no account)",
    "jsonl": "one JSON event per line in, one JSON reply per line out (scripts, tests)",
}


def env_names(name: str) -> list[str]:
    """Environment variables that set ``name`` (for error messages and documentation)."""
    out = [var for var, n in ENV_ALIASES.items() if n == name]
    return out + [ENV_PREFIX + name.upper()]


def hint(name: str) -> str:
    """Where to set ``name``: its environment variables (and, for a secret, its ``_file`` forms)."""
    return _hint(name)


def _hint(name: str) -> str:
    h = " or ".join(env_names(name))
    if name in SECRETS:
        h += f", or {name}_file / " + " / ".join(env_names(name + "_file"))
    return h


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
            if not isinstance(value, (str, os.PathLike)):
                raise ValueError(value)   # data_dir = 5: a number is not a folder
            if str(value).strip() == "":
                if "None" in t:
                    return None
                raise ConfigError(f"setting '{name}': empty (expected a folder path)")
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
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if "float" in t:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if "None" in t and isinstance(value, str) and value == "":
            return None
        if not isinstance(value, (str, int, float)):
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError):
        shown = "<secret>" if name in SECRETS else repr(value)
        raise ConfigError(f"setting '{name}': invalid value {shown} (expected {t})") from None


def _in_git_tree(path: Path) -> bool:
    for parent in path.resolve().parents:
        if (parent / ".git").exists():
            return True
    return False


def _read_secret(name: str, path: Path, source: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ConfigError(f"setting '{source}': cannot read {path}: {e.strerror or e}") from None
    if not value:
        raise ConfigError(f"setting '{source}': file {path} is empty (expected the {name})")
    return value


def _resolve_secrets(s: Settings, env) -> None:
    creds = env.get("CREDENTIALS_DIRECTORY")  # systemd LoadCredential=
    for name in SECRETS:
        if getattr(s, name):
            continue
        f = getattr(s, name + "_file")
        if f:
            if _in_git_tree(Path(f)):
                raise ConfigError(f"setting '{name}_file': {f} is inside a git working tree; "
                                  f"keep secrets outside the repository")
            setattr(s, name, _read_secret(name, Path(f), name + "_file"))
        elif creds and (Path(creds) / name).is_file():
            setattr(s, name, _read_secret(name, Path(creds) / name, name))


def load_settings(config_file: str | Path | None = None, env: dict | None = None, **overrides) -> Settings:
    """Defaults < TOML file < environment < keyword overrides (command-line options);
    then secrets from ``*_file`` settings; then :func:`validate`.  Connects to nothing."""
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
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {path}: cannot read: {e}") from None
        flat: dict = {}
        for k, v in data.items():
            if isinstance(v, dict):  # [telegram] token = ... -> telegram_token
                for k2, v2 in v.items():
                    flat[k2 if k in ("general", "bot", "operations", "reminders", "collectives")
                         else f"{k}_{k2}"] = v2
            else:
                flat[k] = v
        for k, v in flat.items():
            if k not in known:
                raise ConfigError(f"config file {path}: unknown setting '{k}'")
            if k in SECRETS:
                raise ConfigError(f"config file {path}: setting '{k}' is a secret and is not read from "
                                  f"the config file: use {_hint(k)}")
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
    _resolve_secrets(s, env)
    validate(s)
    return s


def parse_hostport(name: str, value: str) -> tuple[str, int]:
    host, sep, port = str(value).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"setting '{name}': expected host:port such as 127.0.0.1:9108, got {value!r}")
    return host, int(port)


def validate(s: Settings) -> None:
    """Checks every setting on its own (what each backend requires to run is declared in its
    package: :func:`bot.ops.backend_spec.require_backends`)."""
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
    if not str(s.data_dir).strip() or str(s.data_dir) == ".":
        raise ConfigError("setting 'data_dir': empty (expected a folder path)")
    # absurd values are refused here, not discovered later as an overflow in the middle of a reply
    for name, top in (("margin_days", 60), ("letter_shift_days", 60), ("purge_after_days", 3650),
                      ("broadcast_spread_minutes", 7 * 24 * 60), ("campaign_text_max", 100_000),
                      ("broadcast_approval_threshold", 10**9), ("matrix_admin_power_level", 10**6)):
        if not 0 <= getattr(s, name) <= top:
            raise ConfigError(f"setting '{name}' must be between 0 and {top}, got {getattr(s, name)}")
    if s.margin_days < 0 or s.letter_shift_days < 0:
        raise ConfigError("settings 'margin_days' and 'letter_shift_days' must be >= 0")
    if any(not 0 <= o <= 365 for o in s.reminder_offsets):
        raise ConfigError("setting 'reminder_offsets': days before the last day must be between 0 and 365")
    for name, top in (("scheduler_interval", 3600.0), ("telegram_rate_global", 100_000.0),
                      ("telegram_rate_chat", 1000.0), ("telegram_rate_group_per_min", 100_000.0),
                      ("telegram_paid_rate", 100_000.0)):
        v = getattr(s, name)
        if not (math.isfinite(v) and 0 < v <= top):
            raise ConfigError(f"setting '{name}' must be > 0 and at most {top:g}, got {v}")
    if not (math.isfinite(s.reply_stale_after) and math.isfinite(s.connect_timeout)):
        raise ConfigError("settings 'reply_stale_after' and 'connect_timeout' must be finite numbers")
    if not 0 < s.shutdown_timeout <= 9.5:
        raise ConfigError("setting 'shutdown_timeout' must be > 0 and <= 9.5 seconds "
                          "(the process must exit within 10 s of SIGTERM)")
    for name in ("purge_after_days", "broadcast_approval_threshold", "broadcast_spread_minutes"):
        if getattr(s, name) < 0:
            raise ConfigError(f"setting '{name}' must be >= 0")
    if not 0 < s.reply_stale_after <= 7 * 86400:
        raise ConfigError("setting 'reply_stale_after' must be > 0 and at most a week (seconds)")
    if not 1 <= s.connect_timeout <= 86400:
        raise ConfigError("setting 'connect_timeout' must be between 1 and 86400 seconds")
    if not 1 <= s.chat_backlog_max <= 10_000:
        raise ConfigError("setting 'chat_backlog_max' must be between 1 and 10000")
    if s.campaign_text_max <= 0:
        raise ConfigError("setting 'campaign_text_max' must be > 0")
    for b in s.backends:
        if b not in BACKENDS:
            raise ConfigError(f"setting 'backends': unknown backend {b!r} (known: {', '.join(BACKENDS)})")
    if len(set(s.backends)) != len(s.backends):
        raise ConfigError("setting 'backends': a backend is listed twice")
    if str(s.log_level).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"setting 'log_level': expected DEBUG, INFO, WARNING or ERROR, got {s.log_level!r}")
    if s.health_listen:
        parse_hostport("health_listen", s.health_listen)
    for op in s.operators:
        b, sep, uid = op.partition(":")
        if not sep or not uid or b not in BACKENDS:
            raise ConfigError(f"setting 'operators': {op!r} should look like 'telegram:123' "
                              f"or 'matrix:@alice:example.org'")
    for name in ("telegram_api_url", "matrix_homeserver"):
        v = getattr(s, name)
        if v and not re.match(r"^https?://[^/\s]+", v):
            raise ConfigError(f"setting '{name}': expected an http(s):// URL, got {v!r}")
    if s.telegram_webhook_url and not s.telegram_webhook_url.startswith("https://"):
        raise ConfigError("setting 'telegram_webhook_url': Telegram only calls https:// webhooks")
    if s.telegram_webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", s.telegram_webhook_secret):
        raise ConfigError("setting 'telegram_webhook_secret': 1-256 characters among A-Z a-z 0-9 _ -")
    if s.matrix_admin_power_level < 0:
        raise ConfigError("setting 'matrix_admin_power_level' must be >= 0")
    _validate_web(s)


def _validate_web(s: Settings) -> None:
    import ipaddress

    parse_hostport("web_listen", s.web_listen)
    for name in ("web_public_url", "telegram_public_link", "matrix_public_link"):
        v = getattr(s, name)
        if v and not re.match(r"^https?://[^/\s]+\S*$", v):
            raise ConfigError(f"setting '{name}': expected an http(s):// URL, got {v!r}")
    for o in s.web_allowed_origins:
        if not re.fullmatch(r"https?://[^/\s]+", o):
            raise ConfigError(f"setting 'web_allowed_origins': expected origins like https://example.org, got {o!r}")
    if not s.web_idle_minutes > 0:
        raise ConfigError("setting 'web_idle_minutes' must be > 0")
    for name in ("web_max_conversations", "web_max_body_bytes", "web_rate_conversation_per_min",
                 "web_rate_address_per_min"):
        if getattr(s, name) <= 0:
            raise ConfigError(f"setting '{name}' must be > 0")
    for p in s.web_trusted_proxies:
        try:
            ipaddress.ip_network(p, strict=False)
        except ValueError:
            raise ConfigError(f"setting 'web_trusted_proxies': {p!r} is not an IP address or network") from None
    for a in s.web_frame_ancestors:
        if not re.fullmatch(r"\*|'self'|'none'|https?://[^/\s;,]+", a):
            raise ConfigError(f"setting 'web_frame_ancestors': {a!r} should be *, 'self', 'none' or an origin")


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
