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
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any


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
    margin_days: int = 5  # recommended day = last day - margin (never before today)
    letter_shift_days: int = 4  # when only the arrival day of a letter is known
    # --- reminders
    reminder_offsets: tuple[int, ...] = (14, 7, 3, 1, 0)  # days before the last day
    reminder_hour: int = 10  # local time
    quiet_start: int = 21  # no message from 21:00 ...
    quiet_end: int = 9  # ... to 09:00 local time
    purge_after_days: int = 14  # erase a user this many days after their last deadline
    scheduler_interval: float = 30.0  # seconds between ticks
    # --- delivery under faults
    reply_stale_after: float = 600.0  # seconds: a reply not delivered by then (5xx, 429) is dropped
    chat_backlog_max: int = 20  # updates queued per chat; more are dropped (one kind notice)
    connect_timeout: float = 120.0  # seconds to keep trying to reach the Bot API at start, then exit 5
    # --- telegram
    telegram_token: str | None = None
    telegram_api_url: str | None = None  # PTB base_url, e.g. http://127.0.0.1:8081/bot
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    telegram_webhook_secret: str | None = None
    telegram_rate_global: float = 30.0  # messages per second overall
    telegram_rate_chat: float = 1.0  # messages per second into one private chat
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
    matrix_allowed_servers: tuple[str, ...] = ()  # empty: join every invite
    matrix_allowed_users: tuple[str, ...] = ()
    matrix_verified_only: bool = False
    matrix_admin_power_level: int = 50
    matrix_reactions: bool = True  # keycap reactions on choice messages
    # --- public links offered where the bot cannot write later (the web page)
    telegram_public_link: str | None = None  # e.g. https://t.me/mesbot
    matrix_public_link: str | None = None  # e.g. https://matrix.to/#/@mesbot:example.org
    # --- web (bot/backends/web)
    web_listen: str = "127.0.0.1:8080"
    web_public_url: str | None = None  # the page as people reach it; flyers' QR codes point here
    web_idle_minutes: float = 30.0  # a conversation idle this long is erased
    web_max_conversations: int = 1000  # beyond: a kind "busy" page
    web_max_body_bytes: int = 8192  # largest request body
    web_rate_conversation_per_min: int = 30  # messages per minute in one conversation
    web_rate_address_per_min: int = 120  # requests per minute from one client address
    web_trusted_proxies: tuple[str, ...] = ()  # reverse proxies whose X-Forwarded-For is believed
    web_allowed_origins: tuple[str, ...] = ()  # extra origins allowed to post (the page's own always is)
    web_frame_ancestors: tuple[str, ...] = ("*",)  # sites allowed to embed the page in an iframe
    # --- collectives
    operators: tuple[str, ...] = ()  # "telegram:123", "matrix:@alice:server"
    broadcast_approval_threshold: int = 1000
    broadcast_spread_minutes: int = 0
    campaign_text_max: int = 2000
    public_link: str | None = None  # link printed in flyers' QR codes, e.g. https://t.me/YourBot
    # --- operations
    backends: tuple[str, ...] = ()  # for `mes-bot run`: ("telegram", "matrix")
    health_listen: str | None = None  # "127.0.0.1:9108"
    log_level: str = "INFO"
    log_hash_key: str | None = None
    shutdown_timeout: float = 8.0  # seconds granted to in-flight work on SIGTERM
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
SECRETS = (
    "telegram_token",
    "telegram_webhook_secret",
    "matrix_password",
    "matrix_access_token",
    "matrix_pickle_key",
    "log_hash_key",
)

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


def _coerce_tuple(t: str, value: Any) -> tuple[Any, ...]:
    items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value)
    if "int" in t:
        return tuple(int(v) for v in items)
    return tuple(str(v) for v in items)


def _coerce_path(t: str, value: Any) -> Path | None:
    if not isinstance(value, (str, os.PathLike)):
        raise ValueError(value)  # data_dir = 5: a number is not a folder
    if str(value).strip() == "":
        if "None" in t:
            return None
        raise ValueError(value)  # an empty folder path
    return Path(os.path.expanduser(str(value)))


_TRUE = ("1", "true", "yes", "on", "oui")
_FALSE = ("0", "false", "no", "off", "non", "")


def _coerce_bool(t: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(value)


def _coerce_int(t: str, value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def _coerce_float(t: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    return float(value)


def _coerce_str(t: str, value: Any) -> str | None:
    if "None" in t and isinstance(value, str) and value == "":
        return None
    if not isinstance(value, (str, int, float)):
        raise ValueError(value)
    return str(value)


def _coercer(t: str) -> Callable[[str, Any], Any]:
    """The converter for a field whose annotation reads ``t`` (annotations are strings here)."""
    if "tuple" in t:
        return _coerce_tuple
    if "Path" in t:
        return _coerce_path
    if "bool" in t:
        return _coerce_bool
    if "int" in t and "float" not in t:
        return _coerce_int
    if "float" in t:
        return _coerce_float
    return _coerce_str


def _coerce(name: str, typ: object, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type, or raise ConfigError."""
    t = str(typ)
    if value is None:
        return None
    try:
        return _coercer(t)(t, value)
    except (TypeError, ValueError):
        shown = "<secret>" if name in SECRETS else repr(value)
        raise ConfigError(f"setting '{name}': invalid value {shown} (expected {t})") from None


def _in_git_tree(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in path.resolve().parents)


def _read_secret(name: str, path: Path, source: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ConfigError(f"setting '{source}': cannot read {path}: {e.strerror or e}") from None
    if not value:
        raise ConfigError(f"setting '{source}': file {path} is empty (expected the {name})")
    return value


def _resolve_secrets(s: Settings, env: Mapping[str, str]) -> None:
    creds = env.get("CREDENTIALS_DIRECTORY")  # systemd LoadCredential=
    for name in SECRETS:
        if getattr(s, name):
            continue
        f = getattr(s, name + "_file")
        if f:
            if _in_git_tree(Path(f)):
                raise ConfigError(
                    f"setting '{name}_file': {f} is inside a git working tree; keep secrets outside the repository"
                )
            setattr(s, name, _read_secret(name, Path(f), name + "_file"))
        elif creds and (Path(creds) / name).is_file():
            setattr(s, name, _read_secret(name, Path(creds) / name, name))


#: TOML tables whose keys are setting names as they are; other tables prefix their name
#: (``[telegram] token = ...`` sets ``telegram_token``).
_PLAIN_TABLES = ("general", "bot", "operations", "reminders", "collectives")


def _read_config_file(path: Path) -> dict[str, Any]:
    """The TOML file's settings, flattened to setting names."""
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config file {path}: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {path}: cannot read: {e}") from None
    flat: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                flat[k2 if k in _PLAIN_TABLES else f"{k}_{k2}"] = v2
        else:
            flat[k] = v
    return flat


def _apply_config_file(s: Settings, path: Path, known: dict[str, Field[Any]]) -> None:
    for k, v in _read_config_file(path).items():
        if k not in known:
            raise ConfigError(f"config file {path}: unknown setting '{k}'")
        if k in SECRETS:
            raise ConfigError(
                f"config file {path}: setting '{k}' is a secret and is not read from the config file: use {_hint(k)}"
            )
        setattr(s, k, _coerce(k, known[k].type, v))


def _apply_env(s: Settings, env: Mapping[str, str], known: dict[str, Field[Any]]) -> None:
    """Platform aliases first, then ``MESBOT_<NAME>`` (which wins)."""
    for var, name in ENV_ALIASES.items():
        if env.get(var):
            setattr(s, name, _coerce(name, known[name].type, env[var]))
    for name, f in known.items():
        var = ENV_PREFIX + name.upper()
        if var in env:
            setattr(s, name, _coerce(name, f.type, env[var]))


def _apply_overrides(s: Settings, overrides: dict[str, Any], known: dict[str, Field[Any]]) -> None:
    for k, v in overrides.items():
        if v is None:
            continue
        if k not in known:
            raise ConfigError(f"unknown setting '{k}'")
        setattr(s, k, _coerce(k, known[k].type, v))


def load_settings(
    config_file: str | Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Defaults < TOML file < environment < keyword overrides (command-line options);
    then secrets from ``*_file`` settings; then :func:`validate`.  Connects to nothing."""
    environ: Mapping[str, str] = os.environ if env is None else env
    s = Settings()
    known = {f.name: f for f in fields(Settings)}
    if config_file:
        _apply_config_file(s, Path(config_file), known)
    _apply_env(s, environ, known)
    _apply_overrides(s, overrides, known)
    _resolve_secrets(s, environ)
    validate(s)
    return s


def parse_hostport(name: str, value: str) -> tuple[str, int]:
    host, sep, port = str(value).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"setting '{name}': expected host:port such as 127.0.0.1:9108, got {value!r}")
    return host, int(port)


@dataclass(frozen=True)
class _Rule:
    """One setting's check: ``ok(value)`` holds, or ConfigError(``message``) where ``{v}`` is the value."""

    name: str
    ok: Callable[[Any], bool]
    message: str

    def __call__(self, s: Settings) -> None:
        v = getattr(s, self.name)
        if not self.ok(v):
            raise ConfigError(self.message.format(v=v))


def _between(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: low <= v <= high


def _positive_finite_at_most(top: float) -> Callable[[Any], bool]:
    return lambda v: math.isfinite(v) and 0 < v <= top


def _is_time_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError for "../x", TypeError for a non-string...
        return False
    return True


def _is_url_or_unset(v: str | None) -> bool:
    return not v or re.match(r"^https?://[^/\s]+", v) is not None


#: Whole numbers and their largest sane value: absurd values are refused here, not discovered
#: later as an overflow in the middle of a reply.
_COUNT_LIMITS = (
    ("margin_days", 60),
    ("letter_shift_days", 60),
    ("purge_after_days", 3650),
    ("broadcast_spread_minutes", 7 * 24 * 60),
    ("campaign_text_max", 100_000),
    ("broadcast_approval_threshold", 10**9),
    ("matrix_admin_power_level", 10**6),
)
#: Rates and intervals: finite, > 0 and at most this.
_RATE_LIMITS = (
    ("scheduler_interval", 3600.0),
    ("telegram_rate_global", 100_000.0),
    ("telegram_rate_chat", 1000.0),
    ("telegram_rate_group_per_min", 100_000.0),
    ("telegram_paid_rate", 100_000.0),
)
_NOT_FINITE = "settings 'reply_stale_after' and 'connect_timeout' must be finite numbers"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

#: The single-setting rules, in the order they are checked (the first broken one is reported).
_GENERAL_RULES = (
    _Rule("default_locale", lambda v: v in ("fr", "en"), "setting 'default_locale' must be 'fr' or 'en'"),
    _Rule("timezone", _is_time_zone, "setting 'timezone': unknown time zone {v!r}"),
    *(
        _Rule(name, _between(0, 23), f"setting '{name}' must be an hour 0-23")
        for name in ("reminder_hour", "quiet_start", "quiet_end")
    ),
    _Rule(
        "data_dir",
        lambda v: str(v).strip() != "" and str(v) != ".",
        "setting 'data_dir': empty (expected a folder path)",
    ),
    *(
        _Rule(name, _between(0, top), f"setting '{name}' must be between 0 and {top}, got {{v}}")
        for name, top in _COUNT_LIMITS
    ),
    _Rule(
        "reminder_offsets",
        lambda v: all(0 <= o <= 365 for o in v),
        "setting 'reminder_offsets': days before the last day must be between 0 and 365",
    ),
    *(
        _Rule(name, _positive_finite_at_most(top), f"setting '{name}' must be > 0 and at most {top:g}, got {{v}}")
        for name, top in _RATE_LIMITS
    ),
    _Rule("reply_stale_after", math.isfinite, _NOT_FINITE),
    _Rule("connect_timeout", math.isfinite, _NOT_FINITE),
    _Rule(
        "shutdown_timeout",
        lambda v: 0 < v <= 9.5,
        "setting 'shutdown_timeout' must be > 0 and <= 9.5 seconds (the process must exit within 10 s of SIGTERM)",
    ),
    _Rule(
        "reply_stale_after",
        lambda v: 0 < v <= 7 * 86400,
        "setting 'reply_stale_after' must be > 0 and at most a week (seconds)",
    ),
    _Rule("connect_timeout", _between(1, 86400), "setting 'connect_timeout' must be between 1 and 86400 seconds"),
    _Rule("chat_backlog_max", _between(1, 10_000), "setting 'chat_backlog_max' must be between 1 and 10000"),
    _Rule("campaign_text_max", lambda v: v > 0, "setting 'campaign_text_max' must be > 0"),
)

_OPERATIONS_RULES = (
    _Rule("backends", lambda v: len(set(v)) == len(v), "setting 'backends': a backend is listed twice"),
    _Rule(
        "log_level",
        lambda v: str(v).upper() in _LOG_LEVELS,
        "setting 'log_level': expected DEBUG, INFO, WARNING or ERROR, got {v!r}",
    ),
)

_BACKEND_RULES = (
    *(
        _Rule(name, _is_url_or_unset, f"setting '{name}': expected an http(s):// URL, got {{v!r}}")
        for name in ("telegram_api_url", "matrix_homeserver")
    ),
    _Rule(
        "telegram_webhook_url",
        lambda v: not v or v.startswith("https://"),
        "setting 'telegram_webhook_url': Telegram only calls https:// webhooks",
    ),
    _Rule(
        "telegram_webhook_secret",
        lambda v: not v or re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v) is not None,
        "setting 'telegram_webhook_secret': 1-256 characters among A-Z a-z 0-9 _ -",
    ),
)


def _check_backend_names(s: Settings) -> None:
    for b in s.backends:
        if b not in BACKENDS:
            raise ConfigError(f"setting 'backends': unknown backend {b!r} (known: {', '.join(BACKENDS)})")


def _check_health_listen(s: Settings) -> None:
    if s.health_listen:
        parse_hostport("health_listen", s.health_listen)


def _check_operators(s: Settings) -> None:
    for op in s.operators:
        b, sep, uid = op.partition(":")
        if not sep or not uid or b not in BACKENDS:
            raise ConfigError(
                f"setting 'operators': {op!r} should look like 'telegram:123' or 'matrix:@alice:example.org'"
            )


def validate(s: Settings) -> None:
    """Checks every setting on its own (what each backend requires to run is declared in its
    package: :func:`bot.ops.backend_spec.require_backends`)."""
    checks: tuple[Callable[[Settings], None], ...] = (
        *_GENERAL_RULES,
        _check_backend_names,
        *_OPERATIONS_RULES,
        _check_health_listen,
        _check_operators,
        *_BACKEND_RULES,
        _validate_web,
    )
    for check in checks:
        check(s)


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
    for name in (
        "web_max_conversations",
        "web_max_body_bytes",
        "web_rate_conversation_per_min",
        "web_rate_address_per_min",
    ):
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
