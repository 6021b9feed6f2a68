"""One database session and transaction per request, committed before the response is built.

advanced-alchemy's Litestar "autocommit" handler commits while the response is already being sent and logs a
failed commit only at debug level, so a client could be told 200 for a change that was never saved. Here the
commit happens in the dependency's cleanup, before the response leaves: a failed commit becomes an error answer,
and an exception in the handler rolls everything back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from typing import Any

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

logger = logging.getLogger("hall.db")
_AFTER_COMMIT = "hall_after_commit"


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, Any]:
    session_maker: async_sessionmaker[AsyncSession] = state["session_maker"]
    async with session_maker() as session:
        try:
            yield session
        except BaseException:
            discard_after_commit(session)
            await session.rollback()
            raise
        else:
            await session.commit()
            run_after_commit(session)


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the request's transaction has committed (and never if it rolls back).

    Live events are published this way, so no client hears of a change that was not saved.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def run_after_commit(session: AsyncSession) -> None:
    """Run and forget the callbacks queued by :func:`after_commit` (call it right after a commit)."""
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            callback()
        except Exception:
            logger.exception("an after-commit callback failed")


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop(_AFTER_COMMIT, None)
