"""Hall's settings, read once from ``HALL_*`` environment variables; the only module that reads the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"


class SettingsError(ValueError):
    """A ``HALL_*`` variable holds a value Hall cannot use; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable about one Hall installation (see the README's configuration table)."""

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_VAR_DIR / 'hall.db'}"
    secret_key: str = field(default="", repr=False)
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    public_url: str = "http://127.0.0.1:8000"
    session_hours: int = 12
    api_token_days: int = 30
    shutdown_grace_seconds: int = 5
    var_dir: Path = DEFAULT_VAR_DIR
    debug: bool = False
    run_scheduler: bool = True
    dask_scheduler: str | None = None
    notify_webhook_url: str | None = None
    notify_webhook_secret: str = field(default="", repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off", ""}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _BOOL_TRUE:
        return True
    if value in _BOOL_FALSE:
        return False
    msg = f"{name} must be true or false, not {raw!r}"
    raise SettingsError(msg)


def _parse_int(name: str, raw: str, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        msg = f"{name} must be a whole number, not {raw!r}"
        raise SettingsError(msg) from None
    if not minimum <= value <= maximum:
        msg = f"{name} must be between {minimum} and {maximum}, not {value}"
        raise SettingsError(msg)
    return value


def _secret_key(var_dir: Path) -> str:
    """Return a persistent per-installation secret, created on first use in ``var/secret_key`` (mode 600).

    The file is created with its final mode and ``O_EXCL``, so it is never readable by others and two processes
    starting together cannot write different keys. A blank file (cut short by a crash) is replaced.
    """
    path = var_dir / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        path.unlink()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _secret_key(var_dir)  # another process won the race: use its key
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``HALL_*`` variables (``environ`` defaults to the process environment)."""
    env = dict(os.environ if environ is None else environ)
    base = Settings()
    var_dir = Path(env.get("HALL_VAR_DIR", str(base.var_dir)))
    database_url = env.get("HALL_DATABASE_URL", f"sqlite+aiosqlite:///{var_dir / 'hall.db'}")
    if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        msg = "HALL_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
        raise SettingsError(msg)
    timezone = env.get("HALL_TIMEZONE", base.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"HALL_TIMEZONE {timezone!r} is not an IANA time zone (e.g. Asia/Shanghai)"
        raise SettingsError(msg) from None
    log_format = env.get("HALL_LOG_FORMAT", base.log_format)
    if log_format not in {"text", "json"}:
        msg = f"HALL_LOG_FORMAT must be text or json, not {log_format!r}"
        raise SettingsError(msg)
    host = env.get("HALL_HOST", base.host)
    port = _parse_int("HALL_PORT", env.get("HALL_PORT", str(base.port)), 1, 65535)
    return Settings(
        database_url=database_url,
        secret_key=env.get("HALL_SECRET_KEY") or _secret_key(var_dir),
        timezone=timezone,
        host=host,
        port=port,
        log_format="json" if log_format == "json" else "text",
        log_level=env.get("HALL_LOG_LEVEL", base.log_level).upper(),
        public_url=env.get("HALL_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
        session_hours=_parse_int("HALL_SESSION_HOURS", env.get("HALL_SESSION_HOURS", "12"), 1, 24 * 30),
        api_token_days=_parse_int("HALL_API_TOKEN_DAYS", env.get("HALL_API_TOKEN_DAYS", "30"), 1, 3650),
        shutdown_grace_seconds=_parse_int(
            "HALL_SHUTDOWN_GRACE_SECONDS", env.get("HALL_SHUTDOWN_GRACE_SECONDS", "5"), 0, 600
        ),
        var_dir=var_dir,
        debug=_parse_bool("HALL_DEBUG", env.get("HALL_DEBUG", "false")),
        run_scheduler=_parse_bool("HALL_RUN_SCHEDULER", env.get("HALL_RUN_SCHEDULER", "true")),
        dask_scheduler=env.get("HALL_DASK_SCHEDULER") or None,
        notify_webhook_url=_webhook_url(env.get("HALL_NOTIFY_WEBHOOK_URL") or None),
        notify_webhook_secret=_webhook_secret(env),
    )


def _webhook_url(url: str | None) -> str | None:
    if url is not None and not url.startswith(("http://", "https://")):
        msg = f"HALL_NOTIFY_WEBHOOK_URL must be an http(s) URL, not {url!r}"
        raise SettingsError(msg)
    return url


def _webhook_secret(env: dict[str, str]) -> str:
    secret = env.get("HALL_NOTIFY_WEBHOOK_SECRET", "")
    if env.get("HALL_NOTIFY_WEBHOOK_URL") and len(secret) < 16:
        msg = "HALL_NOTIFY_WEBHOOK_SECRET must be set (16 characters or more) when HALL_NOTIFY_WEBHOOK_URL is"
        raise SettingsError(msg)
    return secret


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return load_settings()
