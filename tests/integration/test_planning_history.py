"""Synthetic demo history (idempotent, marked synthetic) and the nightly refit-and-forecast job (idempotent)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hall.db.engine import make_engine, make_session_maker
from hall.demo_history import seed_demo_history
from hall.lib.clock import FixedClock
from queueing.models import ServiceRecordModel, TicketItemModel, TicketModel
from staffing.planning.compute import PlanningCompute
from staffing.planning.jobs import refit_and_forecast
from staffing.planning.models import PlanningFitModel, PlanningForecastModel, SyntheticDayModel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TODAY = date(2026, 11, 23)


async def test_demo_history_is_synthetic_consistent_and_written_once(db) -> None:
    engine = make_engine(db.url)
    maker = make_session_maker(engine)
    try:
        async with maker() as session, session.begin():
            first = await seed_demo_history(session, 10, today=TODAY, centres=("SFX", "SFX-QS"))
        async with maker() as session, session.begin():
            second = await seed_demo_history(session, 10, today=TODAY, centres=("SFX", "SFX-QS"))
        async with maker() as session:
            tickets = await session.scalar(select(func.count()).select_from(TicketModel))
            marked = await session.scalar(select(func.count()).where(TicketModel.idempotency_key.like("synthetic:%")))
            records = await session.scalar(select(func.count()).select_from(ServiceRecordModel))
            synthetic = await session.scalar(select(func.count()).where(ServiceRecordModel.is_synthetic.is_(True)))
            items = await session.scalar(select(func.count()).select_from(TicketItemModel))
            days = (await session.scalars(select(SyntheticDayModel.service_day))).all()
            statuses = set((await session.scalars(select(TicketModel.status).distinct())).all())
            late = await session.scalar(select(func.max(TicketModel.service_day)))
    finally:
        await engine.dispose()
    assert first.days == {"SFX": 8, "SFX-QS": 6}  # 11-13 … 11-22; the county centre also opens Saturday mornings
    assert first.tickets > 2000
    assert second.total == 0
    assert tickets == marked == first.tickets
    assert records == synthetic == first.service_records
    assert items >= tickets
    assert len(days) == 14
    assert statuses <= {"completed", "no_show", "cancelled", "expired"}
    assert "completed" in statuses
    assert late == date(2026, 11, 21)  # the last open day before today


async def test_the_nightly_job_refits_and_forecasts_each_centre_once_a_day(db) -> None:
    engine = make_engine(db.url)
    maker = make_session_maker(engine)
    clock = FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    compute = PlanningCompute(workers=0)
    try:
        async with maker() as session, session.begin():
            await seed_demo_history(session, 14, today=TODAY, centres=("SFX-QS",))
        first = await refit_and_forecast(maker, clock, days=14, compute=compute)
        again = await refit_and_forecast(maker, clock, days=14, compute=compute)
        async with maker() as session:
            fits = (await session.scalars(select(PlanningFitModel))).all()
            forecasts = (await session.scalars(select(PlanningForecastModel))).all()
    finally:
        await engine.dispose()
    assert set(first) == {"SFX", "SFX-QS", "SFX-LH"}
    assert first == again
    assert len(fits) == 3
    assert {f.fitted_on for f in fits} == {TODAY}
    assert {f.week_start for f in forecasts} == {date(2026, 11, 30)}
    assert len(forecasts) == 3
    township = next(f for f in fits if f.tickets > 0)
    assert township.synthetic_share == 1.0
    assert township.data_to == date(2026, 11, 22)
