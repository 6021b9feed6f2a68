"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hall.db import migrate
from hall.db.base import metadata
from hall.db.engine import make_engine
from hall.db.migrate import compare_type

pytestmark = pytest.mark.integration


def _differences(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": compare_type}), metadata
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_migrated_database_matches_the_models_exactly(database) -> None:
    assert _differences(database.url) == []


def test_migrations_go_down_to_nothing_and_up_again() -> None:
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'roundtrip.db'}"
    migrate.upgrade(url)
    assert set(metadata.tables) <= _tables(url)
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert _differences(url) == []
