"""One database session and transaction per request, committed before the response is built.

advanced-alchemy's Litestar "autocommit" handler commits while the response is already being sent and logs a
failed commit only at debug level, so a client could be told 200 for a change that was never saved. Here the
commit happens in the dependency's cleanup, before the response leaves: a failed commit becomes an error answer,
and an exception in the handler rolls everything back.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, Any]:
    session_maker: async_sessionmaker[AsyncSession] = state["session_maker"]
    async with session_maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
