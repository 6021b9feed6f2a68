"""Shared fixtures: both database engines, the demo data restored before each test, the app and its clients.

Every database test takes the ``engine`` parameter and so runs twice, on SQLite and on PostgreSQL. PostgreSQL
tests run in a throwaway database created for the session on the local server (``HALL_TEST_PG_URL``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``). Under ``CI=true`` a missing server fails the run;
elsewhere those tests are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

_VAR = Path(tempfile.mkdtemp(prefix="hall-test-var-"))
os.environ.setdefault("HALL_VAR_DIR", str(_VAR))
os.environ.setdefault("HALL_SECRET_KEY", "test-secret-key-not-for-production")

from litestar import Litestar  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402
from sqlalchemy import delete, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

import hall.db.all_models  # noqa: E402, F401
from hall import compiled  # noqa: E402
from hall.app import create_app  # noqa: E402
from hall.db import migrate  # noqa: E402
from hall.db.base import metadata  # noqa: E402
from hall.db.engine import make_engine, make_session_maker  # noqa: E402
from hall.lib.clock import FixedClock  # noqa: E402
from hall.models import AuthTokenModel, UserModel  # noqa: E402
from hall.security import hash_token  # noqa: E402
from hall.seed import seed_demo  # noqa: E402
from hall.settings import Settings, load_settings  # noqa: E402

PG_ADMIN_URL = os.environ.get("HALL_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Bearer tokens of the demo users, inserted once into the snapshot (no password hashing per test).
TOKENS = {
    "admin": "ha_test-admin",
    "manager": "ha_test-county-manager",
    "qs-manager": "ha_test-township-manager",
    "wanglihua": "ha_test-staff-wanglihua",
    "zhangmin": "ha_test-staff-zhangmin",
}


def _pg_problem() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it answers."""
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql+asyncpg", "postgresql"), timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__}: {exc})"
    return None


def _pg_admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql+asyncpg", "postgresql"), timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@dataclass
class Database:
    """One migrated, seeded test database and the snapshot its tests are reset to."""

    kind: str
    url: str
    snapshot: dict[str, list[dict[str, Any]]]

    def settings(self, **overrides: Any) -> Settings:
        base = load_settings({"HALL_DATABASE_URL": self.url, "HALL_VAR_DIR": str(_VAR), "HALL_SECRET_KEY": "t" * 32})
        return base.with_overrides(run_scheduler=False, **overrides)


async def _take_snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await seed_demo(session)
            users = {u.username: u for u in (await session.scalars(select(UserModel))).all()}
            for username, token in TOKENS.items():
                session.add(
                    AuthTokenModel(
                        token_hash=hash_token(token),
                        kind="api",
                        user_id=users[username].id,
                        expires_at=datetime.now(UTC) + timedelta(days=3650),
                    )
                )
        snapshot: dict[str, list[dict[str, Any]]] = {}
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                # UUIDv7 keys sort in creation order: parents (e.g. the county centre) come before children.
                rows = (await conn.execute(select(table).order_by(table.c.id))).mappings().all()
                snapshot[table.name] = [dict(r) for r in rows]
        return snapshot
    finally:
        await engine.dispose()


async def restore(engine: AsyncEngine, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    """Empty every table and put the snapshot's rows back, in foreign-key order."""
    tables = metadata.sorted_tables
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The centre hierarchy refers to itself; let SQLite check foreign keys at commit.
            await conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for table in reversed(tables):
                await conn.execute(delete(table))
        for table in tables:
            rows = snapshot.get(table.name)
            if rows:
                await conn.execute(insert(table), rows)


def _make_database(kind: str) -> Iterator[Database]:
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="hall-test-db-"))
        url = f"sqlite+aiosqlite:///{directory / 'test.db'}"
        migrate.upgrade(url)
        yield Database(kind, url, asyncio.run(_take_snapshot(url)))
        return
    problem = _pg_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true and {problem}: PostgreSQL tests may not be skipped in CI", pytrace=False)
        pytest.skip(f"{problem}; start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start`")
    name = f"hall_test_{os.getpid()}_{secrets.token_hex(3)}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    try:
        migrate.upgrade(url)
        yield Database(kind, url, asyncio.run(_take_snapshot(url)))
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_database() -> Iterator[Database]:
    yield from _make_database("sqlite")


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[Database]:
    yield from _make_database("postgresql")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    """The test database of one engine (the test runs once per engine)."""
    return request.getfixturevalue(f"{request.param}_database")  # type: ignore[no-any-return]


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """The demo data, restored to its seeded state before the test."""
    engine = make_engine(database.url)
    try:
        await restore(engine, database.snapshot)
    finally:
        await engine.dispose()
    return database


OPEN_MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock() -> FixedClock:
    """The app's clock: Monday 23 November 2026, 10:00 in Shanghai — the demo county centre is open."""
    return FixedClock(OPEN_MONDAY)


@pytest.fixture
async def app(db: Database, clock: FixedClock) -> Litestar:
    return create_app(db.settings(), clock=clock)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def auth(username: str) -> dict[str, str]:
    """Authorization header of a demo user (admin, manager, qs-manager, wanglihua, zhangmin) or device."""
    from hall import demo

    token = {"kiosk": demo.DEMO_KIOSK_TOKEN, "display": demo.DEMO_DISPLAY_TOKEN}.get(username) or TOKENS[username]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers() -> Any:
    """``headers("manager")`` → the Authorization header of that demo user or device."""
    return auth


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests in a process of their own (``make pytest`` does: ``pytest tests/browser``).

    Playwright's synchronous API keeps its event loop current in the main thread, so every database test after a
    browser test in the same process would fail with "asyncio.run() cannot be called from a running event loop".

    Tests marked ``pure_python`` replace a module global to spy on the twin; compiled modules (``hall.compiled``)
    bind such names natively, so those tests are skipped while the compiled twin is in use and ``make pytest``
    runs them again in a process with ``HALL_COMPILED=0``.
    """
    if compiled.active():
        skip = pytest.mark.skip(reason="spies on a module global; runs with HALL_COMPILED=0 (make pytest does)")
        for item in items:
            if item.get_closest_marker("pure_python") is not None:
                item.add_marker(skip)
    browser = [item for item in items if "tests/browser/" in item.nodeid.replace("\\", "/")]
    if browser and len(browser) < len(items):
        items[:] = [item for item in items if item not in browser]
        config.hook.pytest_deselected(items=browser)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"{len(browser)} browser tests deselected: they run in their own process (pytest tests/browser)"
            )
