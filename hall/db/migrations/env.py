"""Alembic environment: runs migrations over the async engine of either database."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

import hall.db.all_models  # noqa: F401 - registers every table on the metadata
from hall.db.base import GUID, DateTimeUTC, metadata
from hall.db.engine import make_engine
from hall.db.migrate import compare_type

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render advanced-alchemy's column types by their plain names (the script template imports them)."""
    if type_ == "type" and type(obj).__module__.startswith("advanced_alchemy."):
        if isinstance(obj, GUID):
            return f"GUID(length={obj.length})"
        if isinstance(obj, DateTimeUTC):
            return "DateTimeUTC(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run(existing)
    else:
        asyncio.run(_run_online())
