"""Engines and sessions for both supported databases (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine; on SQLite turn on foreign keys, WAL and a busy timeout on every connection.

    SQLite serialises writers: every transaction begins ``IMMEDIATE`` and ``busy_timeout`` makes the next one wait
    its turn, so two windows calling at once are served one after the other (the embedded database is for small
    centres; PostgreSQL locks rows instead).
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # pragma: no cover - driver hook
            # aiosqlite starts its own transactions otherwise; letting SQLAlchemy emit BEGIN keeps them explicit.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:  # pragma: no cover - driver hook
            # Every transaction takes the write lock up front: a deferred transaction that reads and then writes
            # fails at once with SQLITE_BUSY when another writer got there first, instead of waiting.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pre-ping: it costs three round trips per request (BEGIN; ";"; ROLLBACK); a connection broken by a
    # database restart fails one request and is replaced, and /ready reports the outage meanwhile.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def make_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
