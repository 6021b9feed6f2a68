"""Settings from ``HALL_*`` variables, read from an explicit mapping (never the process environment)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hall.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def load(var_dir: Path, **variables: str) -> Settings:
    return load_settings({"HALL_VAR_DIR": str(var_dir), **variables})


# --- defaults -----------------------------------------------------------------------------------------------------
def test_the_defaults_serve_shanghai_time_on_localhost_8000_from_sqlite_under_the_var_dir(var_dir: Path) -> None:
    settings = load(var_dir)

    assert settings.timezone == "Asia/Shanghai"
    assert settings.zone.key == "Asia/Shanghai"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.database_url == f"sqlite+aiosqlite:///{var_dir / 'hall.db'}"
    assert settings.is_sqlite
    assert settings.var_dir == var_dir
    assert (settings.log_format, settings.log_level) == ("text", "INFO")
    assert (settings.session_hours, settings.api_token_days) == (12, 30)
    assert settings.shutdown_grace_seconds == 5
    assert settings.debug is False
    assert settings.run_scheduler is True
    assert settings.dask_scheduler is None


def test_the_process_environment_is_not_read_when_a_mapping_is_given(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALL_PORT", "9999")

    assert load(var_dir).port == 8000


def test_explicit_values_are_taken_as_given(var_dir: Path) -> None:
    settings = load(
        var_dir,
        HALL_DATABASE_URL="postgresql+asyncpg://hall@db:5432/hall",
        HALL_TIMEZONE="Asia/Urumqi",
        HALL_HOST="0.0.0.0",
        HALL_PORT="8443",
        HALL_LOG_FORMAT="json",
        HALL_LOG_LEVEL="debug",
        HALL_PUBLIC_URL="https://hall.example.gov.cn/",
        HALL_SESSION_HOURS="8",
        HALL_API_TOKEN_DAYS="90",
        HALL_SHUTDOWN_GRACE_SECONDS="30",
        HALL_DEBUG="yes",
        HALL_RUN_SCHEDULER="off",
        HALL_DASK_SCHEDULER="tcp://10.0.0.5:8786",
    )

    assert settings.database_url == "postgresql+asyncpg://hall@db:5432/hall"
    assert not settings.is_sqlite
    assert settings.timezone == "Asia/Urumqi"
    assert (settings.host, settings.port) == ("0.0.0.0", 8443)
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert settings.public_url == "https://hall.example.gov.cn"  # trailing slash dropped
    assert (settings.session_hours, settings.api_token_days) == (8, 90)
    assert settings.shutdown_grace_seconds == 30
    assert (settings.debug, settings.run_scheduler) == (True, False)
    assert settings.dask_scheduler == "tcp://10.0.0.5:8786"


def test_the_default_public_url_follows_host_and_port(var_dir: Path) -> None:
    assert load(var_dir, HALL_HOST="hall.local", HALL_PORT="8080").public_url == "http://hall.local:8080"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_a_boolean_accepts_the_usual_spellings_in_any_case(var_dir: Path, raw: str, value: bool) -> None:
    assert load(var_dir, HALL_DEBUG=raw).debug is value


@pytest.mark.parametrize("port", ["1", "65535"])
def test_a_port_at_the_edge_of_its_range_is_accepted(var_dir: Path, port: str) -> None:
    assert load(var_dir, HALL_PORT=port).port == int(port)


# --- refusals -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("HALL_PORT", "http"),
        ("HALL_PORT", "80.5"),
        ("HALL_PORT", "0"),
        ("HALL_PORT", "65536"),
        ("HALL_PORT", "-1"),
        ("HALL_PORT", ""),
        ("HALL_TIMEZONE", "Mars/Olympus"),
        ("HALL_TIMEZONE", "Beijing"),
        ("HALL_TIMEZONE", "Asia"),
        ("HALL_TIMEZONE", ""),
        ("HALL_TIMEZONE", "../../etc/passwd"),
        ("HALL_DATABASE_URL", "mysql://hall@db/hall"),
        ("HALL_DATABASE_URL", "sqlite:///var/hall.db"),
        ("HALL_DATABASE_URL", "postgresql://hall@db/hall"),
        ("HALL_DATABASE_URL", ""),
        ("HALL_LOG_FORMAT", "xml"),
        ("HALL_LOG_FORMAT", "JSON"),
        ("HALL_DEBUG", "maybe"),
        ("HALL_DEBUG", "2"),
        ("HALL_RUN_SCHEDULER", "enabled"),
        ("HALL_SESSION_HOURS", "0"),
        ("HALL_SESSION_HOURS", "721"),
        ("HALL_API_TOKEN_DAYS", "3651"),
        ("HALL_API_TOKEN_DAYS", "a month"),
    ],
)
def test_a_value_hall_cannot_use_is_refused_naming_the_variable(var_dir: Path, variable: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load(var_dir, **{variable: raw})


def test_a_settings_error_is_a_value_error() -> None:
    assert issubclass(SettingsError, ValueError)


def test_a_refused_value_creates_no_secret_key_file(var_dir: Path) -> None:
    with pytest.raises(SettingsError):
        load(var_dir, HALL_PORT="nope")

    assert not (var_dir / "secret_key").exists()


# --- the secret key -----------------------------------------------------------------------------------------------
def test_a_secret_key_is_created_on_first_load_readable_only_by_the_owner(var_dir: Path) -> None:
    settings = load(var_dir)

    key_file = var_dir / "secret_key"
    assert key_file.read_text(encoding="utf-8") == settings.secret_key
    assert len(settings.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_secret_key_is_reused_on_the_next_load(var_dir: Path) -> None:
    first = load(var_dir).secret_key
    second = load(var_dir).secret_key

    assert first == second


def test_each_installation_gets_its_own_secret_key(tmp_path: Path) -> None:
    assert load(tmp_path / "a").secret_key != load(tmp_path / "b").secret_key


def test_a_secret_key_file_is_read_without_surrounding_whitespace(var_dir: Path) -> None:
    var_dir.mkdir()
    (var_dir / "secret_key").write_text("kept-key\n", encoding="utf-8")

    assert load(var_dir).secret_key == "kept-key"


def test_hall_secret_key_wins_and_no_key_file_is_written(var_dir: Path) -> None:
    settings = load(var_dir, HALL_SECRET_KEY="from-the-environment")

    assert settings.secret_key == "from-the-environment"
    assert not (var_dir / "secret_key").exists()


def test_hall_secret_key_wins_over_an_existing_key_file(var_dir: Path) -> None:
    stored = load(var_dir).secret_key

    settings = load(var_dir, HALL_SECRET_KEY="from-the-environment")

    assert settings.secret_key == "from-the-environment" != stored


def test_an_empty_hall_secret_key_falls_back_to_the_key_file(var_dir: Path) -> None:
    stored = load(var_dir).secret_key

    assert load(var_dir, HALL_SECRET_KEY="").secret_key == stored


def test_an_empty_secret_key_file_never_yields_an_empty_secret_key(var_dir: Path) -> None:
    var_dir.mkdir()
    (var_dir / "secret_key").write_text("\n", encoding="utf-8")

    assert load(var_dir).secret_key != ""


def test_the_secret_key_file_is_created_private_and_exclusive_from_the_start(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[int, int]] = []
    real_open = os.open

    def spy(path: object, flags: int, mode: int = 0o777, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret_key"):
            opened.append((flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    previous = os.umask(0o022)
    try:
        load(var_dir)
    finally:
        os.umask(previous)

    assert opened, "the key file must be created with os.open"
    flags, mode = opened[0]
    assert mode == 0o600
    assert flags & os.O_EXCL
    assert flags & os.O_CREAT
    assert stat.S_IMODE((var_dir / "secret_key").stat().st_mode) == 0o600


def test_the_secret_key_is_not_shown_in_the_settings_repr(var_dir: Path) -> None:
    settings = load(var_dir, HALL_SECRET_KEY="do-not-print-me")

    assert "do-not-print-me" not in repr(settings)


def test_overrides_return_a_changed_copy(var_dir: Path) -> None:
    settings = load(var_dir)

    changed = settings.with_overrides(port=9000)

    assert (changed.port, settings.port) == (9000, 8000)
