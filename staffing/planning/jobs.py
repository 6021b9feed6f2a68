"""Planning's scheduled job: refit every centre's parameters and forecast its next week, once a night.

Run it by the leader-elected scheduler only (one process). It is idempotent: a centre already fitted today is not
fitted again, and a week already forecast from the same fit is not forecast again, so a run cut short by a crash
or a change of leader simply runs again. Each centre has its own transaction: one failing centre does not stop
the others.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.domain.access import Principal
from hall.domain.people import Role
from hall.lib.clock import Clock
from hall.models import CentreModel
from staffing.planning.compute import PlanningCompute
from staffing.planning.services import PlanningService

logger = logging.getLogger("hall.planning")
PLANNER = Principal(role=Role.ADMIN, name="scheduler:planning", centre_scope=None)


async def refit_and_forecast(
    session_maker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    days: int = 90,
    compute: PlanningCompute | None = None,
) -> dict[str, str]:
    """Refit each active centre (unless done today) and forecast its next week; return what happened per centre."""
    async with session_maker() as session:
        codes = list(
            await session.scalars(
                select(CentreModel.code).where(CentreModel.is_active.is_(True)).order_by(CentreModel.code)
            )
        )
    outcome: dict[str, str] = {}
    for code in codes:
        async with session_maker() as session:
            service = PlanningService(session, PLANNER, clock, compute)
            try:
                fit, forecast = await service.refit_and_forecast(code, days=days)
                await session.commit()
            except Exception:
                await session.rollback()
                logger.exception("refitting %s failed; the next run tries again", code)
                outcome[code] = "failed"
                continue
        outcome[code] = f"fit {fit.fitted_on} ({fit.tickets} tickets), forecast week {forecast.week_start}"
        logger.info("planning %s: %s", code, outcome[code])
    return outcome
