"""The scheduled jobs of an installation; the leader-elected scheduler runs them in exactly one process.

Every job is idempotent: a run cut short by a crash or a lost leadership runs again under the next leader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.db.session import run_after_commit
from hall.directory import SqlHallDirectory
from hall.domain.access import Principal
from hall.domain.centres import sessions_on
from hall.domain.people import Role
from hall.lib.clock import Clock
from hall.models import CentreModel
from hall.settings import Settings
from queueing.appointment_service import AppointmentService
from queueing.notify import Notification
from queueing.services import Publisher, QueueService

logger = logging.getLogger("hall.jobs")
SCHEDULER = Principal(role=Role.ADMIN, name="scheduler", centre_scope=None)


async def close_finished_days(
    session_maker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    publisher: Publisher,
    notify: Callable[[Notification], Any] | None = None,
) -> None:
    """Close every centre's day once its last session has ended (earlier days too, if a run was missed)."""
    async with session_maker() as session:
        codes = list(await session.scalars(select(CentreModel.code).where(CentreModel.is_active.is_(True))))
    for code in codes:
        async with session_maker() as session:
            directory = SqlHallDirectory(session)
            queue = QueueService(
                session,
                SCHEDULER,
                directory,
                clock,
                secret=settings.secret_key,
                public_url=settings.public_url,
                publisher=publisher,
                notify=notify,
            )
            try:
                centre = await directory.centre(code)
                local = centre.local(clock.now())
                today = sessions_on(centre.sessions, centre.calendar, local.date())
                last_close = max((s.closes_at for s in today), default=None)
                finished = last_close is None or local.time() >= last_close
                day = local.date() if finished else local.date() - timedelta(days=1)
                summary = await queue.close_day(centre, day)
                appointments = AppointmentService(session, SCHEDULER, directory, clock, secret=settings.secret_key)
                summary["appointmentNoShows"] = await appointments.mark_no_shows(centre, clock.now())
                await session.commit()
                run_after_commit(session)
            except Exception:
                await session.rollback()
                logger.exception("closing the day of %s failed; the next run tries again", code)
                continue
            if summary.get("expiredNow"):
                logger.info("closed %s for %s: %s tickets expired", code, day, summary["expiredNow"])
