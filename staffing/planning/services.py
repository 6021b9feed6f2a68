"""Planning use cases: fit a centre's history, forecast a week, plan a day, roster a week, predict waits.

Each public method checks that the caller may plan for the centre, reads what it needs through the adapter in
:mod:`staffing.planning.forecasting`, hands the CPU-bound part to :class:`~staffing.planning.compute.PlanningCompute`
(never the event loop) and stores the result. Services never commit: the request (or the job, or the command)
does.

The exception is a *detached* service (:meth:`PlanningService.detached`, used by the pages and the API): a plan, a
roster, a shift edit or a what-if runs the twin for seconds, and no transaction may stay open meanwhile (on SQLite
every transaction holds the database's write lock). A detached service reads its inputs in one short transaction
of its own, computes with none open, and stores the result in another short transaction, checking again what may
have changed in between.
"""

from __future__ import annotations

import math
import time as wall
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.directory import SqlHallDirectory
from hall.domain.access import Principal
from hall.domain.centres import sessions_on
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.lib.clock import Clock
from queueing.domain.estimates import expected_wait
from queueing.domain.snapshot import WindowSnapshot
from queueing.models import ServiceRecordModel
from queueing.ports import CentreInfo
from simulation.centre import CentreSetup, day_grid, slot_label_of
from simulation.fitting import (
    DayForecast,
    FittedParameters,
    fit_history,
    forecast_day,
    parameters_from_dict,
)
from simulation.live import CallPrediction, HallState, predict_calls
from simulation.planning import DayPlan, plan_day, skill_groups
from simulation.rostering import (
    SHIFT_LABELS,
    Absence,
    DayDemand,
    FixedShift,
    RosterOutcome,
    RosterRules,
    ShiftTemplate,
    default_templates,
    roster_week,
)
from simulation.scenario import window_snapshot
from staffing.planning import schemas as s
from staffing.planning.compute import PlanningCompute, default_compute
from staffing.planning.forecasting import (
    CentreIds,
    arrival_observations,
    live_state,
    load_centre_setup,
    local_day_bounds,
    service_observations,
)
from staffing.planning.models import (
    PlanningFitModel,
    PlanningForecastModel,
    RosterModel,
    RosterShiftModel,
    StaffingPlanModel,
)

PLANNERS = (Role.ADMIN, Role.MANAGER)
WAIT_READERS = (Role.ADMIN, Role.MANAGER, Role.STAFF, Role.DISPLAY, Role.KIOSK)
PREDICTION_REPLICATIONS = 30
PREDICTION_TTL_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class _Centre:
    info: CentreInfo
    setup: CentreSetup
    ids: CentreIds
    fit: PlanningFitModel | None
    params: FittedParameters | None


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _check_calendar_year(info: CentreInfo, on: date, field: str) -> None:
    """Refuse a day of a year whose working-day calendar is not loaded (its holidays would be planned as work)."""
    if not any(day.year == on.year for day in info.calendar.overrides):
        raise DomainRuleViolation(field, f"no working-day calendar for {on.year} yet; an administrator loads it")


def _monday(on: date) -> date:
    return on - timedelta(days=on.weekday())


class PlanningService:
    """Planning for the centres a manager (or an administrator) is responsible for."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        clock: Clock,
        compute: PlanningCompute | None = None,
        *,
        session_maker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.clock = clock
        self.compute = compute or default_compute()
        self.directory = SqlHallDirectory(session)
        self.session_maker = session_maker

    async def detached(self, session_maker: async_sessionmaker[AsyncSession]) -> PlanningService:
        """This service, but running each long computation between short transactions of its own sessions.

        The caller's transaction is ended first (committing what it wrote): nothing may hold a transaction while
        the twin runs.
        """
        if self.session.in_transaction():
            await self.session.commit()
        return PlanningService(self.session, self.principal, self.clock, self.compute, session_maker=session_maker)

    @asynccontextmanager
    async def _step(self) -> AsyncIterator[PlanningService]:
        """One short transaction: a service on a new session, committed at the end (rolled back on an error).

        Without a session maker the step is this service itself, in the caller's transaction (jobs, commands).
        """
        if self.session_maker is None:
            yield self
            return
        async with self.session_maker() as session:
            try:
                yield PlanningService(session, self.principal, self.clock, self.compute)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    # --- access and loading ---------------------------------------------------------------------------------------
    async def _centre_info(self, centre_code: str, roles: Sequence[Role] = PLANNERS) -> CentreInfo:
        if self.principal.role is None:
            raise PermissionDeniedError("authorization", "sign in first")
        if self.principal.role not in roles:
            raise PermissionDeniedError("role", f"the {self.principal.role} role may not do this")
        centre = await self.directory.centre(centre_code)
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")
        return centre

    async def _latest_fit(self, centre_id: UUID) -> PlanningFitModel | None:
        fit: PlanningFitModel | None = await self.session.scalar(
            select(PlanningFitModel)
            .where(PlanningFitModel.centre_id == centre_id)
            .order_by(PlanningFitModel.fitted_at.desc(), PlanningFitModel.id.desc())
            .limit(1)
        )
        return fit

    async def _load(
        self, centre_code: str, *, fit_if_missing: bool = True, roles: Sequence[Role] = PLANNERS
    ) -> _Centre:
        info = await self._centre_info(centre_code, roles)
        fit = await self._latest_fit(info.id)
        if fit is None and fit_if_missing:
            fit = await self._fit(info, days=90, until=None)
        params = parameters_from_dict(fit.parameters) if fit is not None else None
        setup, ids = await load_centre_setup(self.session, info.code, fitted=params, directory=self.directory)
        return _Centre(info, setup, ids, fit, params)

    async def is_open_on(self, centre_code: str, on: date) -> bool:
        """Return whether the centre opens on a day (by its sessions and working-day calendar)."""
        info = await self._centre_info(centre_code)
        return bool(sessions_on(info.sessions, info.calendar, on))

    def _today(self, centre: CentreInfo) -> date:
        return centre.local(self.clock.now()).date()

    # --- fitting --------------------------------------------------------------------------------------------------
    async def refit(self, centre_code: str, data: s.RefitParameters) -> s.FitRead:
        """Fit the centre's arrival and service parameters from its history and store them."""
        async with self._step() as step:
            info = await step._centre_info(centre_code)
        fit = await self._fit(info, days=data.days, until=data.until)
        return self.fit_read(info.code, fit)

    async def _ensure_fit(self, centre_code: str) -> None:
        """Fit the centre first if it never was (a detached service: the fit computes with no transaction open)."""
        if self.session_maker is None:
            return  # ``_load`` fits in the caller's transaction
        async with self._step() as step:
            info = await step._centre_info(centre_code)
            fit = await step._latest_fit(info.id)
        if fit is None:
            await self._fit(info, days=90, until=None)

    async def _fit(self, info: CentreInfo, *, days: int, until: date | None) -> PlanningFitModel:
        today = self._today(info)
        last = until or today - timedelta(days=1)
        if last >= today:
            raise DomainRuleViolation("until", "must be before today (today's history is not complete)")
        first = last - timedelta(days=days - 1)
        async with self._step() as step:
            setup, ids = await load_centre_setup(step.session, info.code, directory=step.directory)
            arrivals = await arrival_observations(step.session, ids.centre_id, setup, first, last)
            services = await service_observations(step.session, ids.centre_id, setup, first, last)
            lo, hi = local_day_bounds(setup, first, last)
            synthetic = await step.session.scalar(
                select(func.count()).where(
                    ServiceRecordModel.centre_id == ids.centre_id,
                    ServiceRecordModel.ended_at >= lo,
                    ServiceRecordModel.ended_at < hi,
                    ServiceRecordModel.is_synthetic.is_(True),
                )
            )
        now = self.clock.now()
        params = await self.compute.run_plain(
            fit_history, setup, arrivals, services, first=first, last=last, fitted_at=now
        )
        async with self._step() as step:
            await step._centre_info(info.code)  # still allowed
            return await step._store_fit(info, params, first, last, now, synthetic or 0, len(services))

    async def _store_fit(
        self,
        info: CentreInfo,
        params: FittedParameters,
        first: date,
        last: date,
        now: datetime,
        synthetic: int,
        services: int,
    ) -> PlanningFitModel:
        today = self._today(info)
        fit = PlanningFitModel(
            centre_id=info.id,
            fitted_at=now,
            fitted_on=today,
            data_from=first,
            data_to=last,
            open_days=params.open_days,
            tickets=params.tickets,
            service_records=params.service_records,
            synthetic_share=synthetic / services if services else 0.0,
            fitted_by=self.principal.name,
            parameters=params.to_dict(),
        )
        self.session.add(fit)
        await self.session.flush()
        return fit

    @staticmethod
    def fit_read(centre_code: str, fit: PlanningFitModel) -> s.FitRead:
        """Return the wire form of a stored fit."""
        p = fit.parameters
        return s.FitRead(
            id=fit.id,
            centre_code=centre_code,
            fitted_at=fit.fitted_at,
            fitted_on=fit.fitted_on,
            data_from=fit.data_from,
            data_to=fit.data_to,
            open_days=fit.open_days,
            tickets=fit.tickets,
            service_records=fit.service_records,
            synthetic_share=fit.synthetic_share,
            fitted_by=fit.fitted_by,
            month_end_factor=p.get("monthEndFactor", 1.0),
            after_break_factor=p.get("afterBreakFactor", 1.0),
            no_show_probability=p.get("noShowProbability", 0.0),
            level_factors=p.get("levelFactors", {}),
            arrival_rates=p.get("arrivalRates", {}),
            item_shares=p.get("itemShares", {}),
            service=msgspec.convert(p.get("service", {}), dict[str, dict[str, s.ServiceFitRead]]),
            priority_shares=p.get("priorityShares", {}),
            factor_days=p.get("factorDays", {}),
        )

    async def refit_and_forecast(self, centre_code: str, *, days: int = 90) -> tuple[s.FitRead, s.ForecastRead]:
        """Refit unless already fitted today, then forecast next week (both idempotent: the nightly job)."""
        info = await self._centre_info(centre_code)
        fit = await self._latest_fit(info.id)
        if fit is None or fit.fitted_on < self._today(info):
            fit = await self._fit(info, days=days, until=None)
        forecast = await self.forecast_week(info.code, s.ForecastWeek())
        return self.fit_read(info.code, fit), forecast

    async def latest_fit(self, centre_code: str) -> s.FitRead:
        """Return the centre's latest fitted parameters."""
        info = await self._centre_info(centre_code)
        fit = await self._latest_fit(info.id)
        if fit is None:
            raise NotFoundError("centreCode", f"{info.code} has no fitted parameters yet; refit first")
        return self.fit_read(info.code, fit)

    async def list_fits(self, centre_code: str, limit: int = 50) -> list[s.FitSummary]:
        """Return the centre's fits, newest first."""
        info = await self._centre_info(centre_code)
        rows = await self.session.scalars(
            select(PlanningFitModel)
            .where(PlanningFitModel.centre_id == info.id)
            .order_by(PlanningFitModel.fitted_at.desc())
            .limit(limit)
        )
        return [
            s.FitSummary(
                id=r.id,
                fitted_at=r.fitted_at,
                data_from=r.data_from,
                data_to=r.data_to,
                open_days=r.open_days,
                tickets=r.tickets,
                service_records=r.service_records,
                synthetic_share=r.synthetic_share,
            )
            for r in rows
        ]

    # --- forecasting ----------------------------------------------------------------------------------------------
    async def forecast_week(self, centre_code: str, data: s.ForecastWeek) -> s.ForecastRead:
        """Forecast a week (Monday–Sunday) from the latest fit; the same week and fit are forecast only once."""
        centre = await self._load(centre_code)
        week = data.week_start or _monday(self._today(centre.info)) + timedelta(days=7)
        if week.weekday() != 0:
            raise DomainRuleViolation("weekStart", "must be a Monday")
        row = await self._forecast_row(centre, week)
        return self._forecast_read(centre, row)

    async def _forecast_row(self, centre: _Centre, week: date) -> PlanningForecastModel:
        assert centre.fit is not None
        assert centre.params is not None
        row: PlanningForecastModel | None = await self.session.scalar(
            select(PlanningForecastModel).where(
                PlanningForecastModel.centre_id == centre.info.id,
                PlanningForecastModel.week_start == week,
                PlanningForecastModel.fit_id == centre.fit.id,
            )
        )
        if row is not None:
            return row
        days = []
        for offset in range(7):
            forecast = forecast_day(centre.params, centre.setup, week + timedelta(days=offset))
            if forecast is not None:
                days.append(forecast.to_dict())
        row = PlanningForecastModel(centre_id=centre.info.id, fit_id=centre.fit.id, week_start=week, days=days)
        self.session.add(row)
        await self.session.flush()
        return row

    def _forecast_read(self, centre: _Centre, row: PlanningForecastModel) -> s.ForecastRead:
        assert centre.fit is not None
        return s.ForecastRead(
            id=row.id,
            centre_code=centre.info.code,
            week_start=row.week_start,
            fit_id=row.fit_id,
            fitted_at=centre.fit.fitted_at,
            data_from=centre.fit.data_from,
            data_to=centre.fit.data_to,
            created_at=row.created_at,
            days=msgspec.convert(row.days, list[s.DayForecastRead]),
        )

    async def get_forecast(self, centre_code: str, week_start: date) -> s.ForecastRead:
        """Return the week's forecast from the latest fit (made now if missing)."""
        if week_start.weekday() != 0:
            raise DomainRuleViolation("weekStart", "must be a Monday")
        centre = await self._load(centre_code)
        return self._forecast_read(centre, await self._forecast_row(centre, week_start))

    async def list_forecasts(self, centre_code: str, limit: int = 50) -> list[s.ForecastSummary]:
        """Return the stored forecasts, newest week first."""
        info = await self._centre_info(centre_code)
        rows = await self.session.scalars(
            select(PlanningForecastModel)
            .where(PlanningForecastModel.centre_id == info.id)
            .order_by(PlanningForecastModel.week_start.desc(), PlanningForecastModel.created_at.desc())
            .limit(limit)
        )
        return [
            s.ForecastSummary(
                id=r.id,
                week_start=r.week_start,
                fit_id=r.fit_id,
                created_at=r.created_at,
                expected_total=round(math.fsum(float(d.get("expectedTotal", 0.0)) for d in r.days), 2),
            )
            for r in rows
        ]

    async def forecast_vs_actual(
        self, centre_code: str, first: date | None, last: date | None
    ) -> s.ForecastVsActualRead:
        """Compare the latest fit's expected arrivals with the recorded ones, per day and slot (at most 62 days)."""
        centre = await self._load(centre_code)
        today = self._today(centre.info)
        last = last or today
        first = first or last - timedelta(days=13)
        if first > last:
            raise DomainRuleViolation("from", "must not be after 'to'")
        if (last - first).days > 61:
            raise DomainRuleViolation("to", "compare at most 62 days at a time")
        assert centre.params is not None
        observations = await arrival_observations(self.session, centre.ids.centre_id, centre.setup, first, last)
        counts: dict[tuple[date, str], dict[str, int]] = {}
        for obs in observations:
            local = obs.arrived_at.astimezone(centre.setup.zone)
            domain = (
                centre.setup.items[obs.item_code].requirement.domain.value
                if obs.item_code in centre.setup.items
                else ""
            )
            bucket = counts.setdefault((local.date(), slot_label_of(local, centre.setup.slot_minutes)), {})
            bucket[domain] = bucket.get(domain, 0) + 1
        days: list[s.ForecastVsActualDay] = []
        errors: list[float] = []
        on = first
        while on <= last:
            forecast = forecast_day(centre.params, centre.setup, on)
            if forecast is not None:
                days.append(self._versus(forecast, counts, errors, include_errors=on < today))
            on += timedelta(days=1)
        return s.ForecastVsActualRead(
            centre_code=centre.info.code,
            first=first,
            last=last,
            fit_id=centre.fit.id if centre.fit else None,
            days=days,
            forecast_total=round(math.fsum(d.forecast_total for d in days), 2),
            actual_total=sum(d.actual_total for d in days),
            mean_absolute_error_per_slot=round(math.fsum(errors) / len(errors), 3) if errors else None,
        )

    @staticmethod
    def _versus(
        forecast: DayForecast,
        counts: Mapping[tuple[date, str], Mapping[str, int]],
        errors: list[float],
        *,
        include_errors: bool,
    ) -> s.ForecastVsActualDay:
        grid = forecast.grid
        expected = [round(forecast.expected_visitors(i), 3) for i in range(grid.n_slots)]
        actual = [sum(counts.get((grid.on, label), {}).values()) for label in grid.labels]
        by_domain = {
            domain: s.DomainSeries(
                forecast=[round(rates[i] * grid.open_minutes(i) / 60.0, 3) for i in range(grid.n_slots)],
                actual=[counts.get((grid.on, label), {}).get(domain, 0) for label in grid.labels],
            )
            for domain, rates in sorted(forecast.domain_rates.items())
        }
        if include_errors:
            errors.extend(abs(e - a) for i, (e, a) in enumerate(zip(expected, actual, strict=True)) if grid.is_open(i))
        return s.ForecastVsActualDay(
            on=grid.on,
            slots=list(grid.labels),
            forecast=expected,
            actual=actual,
            forecast_total=round(math.fsum(expected), 2),
            actual_total=sum(actual),
            by_domain=by_domain,
        )

    # --- staffing plans -------------------------------------------------------------------------------------------
    def _day_forecast(self, centre: _Centre, on: date, arrivals_factor: float = 1.0, field: str = "on") -> DayForecast:
        assert centre.params is not None
        forecast = forecast_day(centre.params, centre.setup, on, arrivals_factor=arrivals_factor)
        if forecast is None:
            raise DomainRuleViolation(field, f"{centre.info.code} is closed on {on.isoformat()}")
        return forecast

    async def plan(self, centre_code: str, data: s.PlanStaffing) -> s.StaffingPlanRead:
        """Plan a day: the Erlang C plan and the simulated plan with their figures per slot (seconds of CPU)."""
        await self._ensure_fit(centre_code)
        async with self._step() as step:
            centre = await step._load(centre_code)
            if not centre.setup.staff:
                raise ConflictError("centreCode", f"{centre.info.code} has no active staff to plan with")
            _check_calendar_year(centre.info, data.on, "on")
            forecast = step._day_forecast(centre, data.on, data.arrivals_factor)
        started = wall.perf_counter()
        plan: DayPlan = await self.compute.run(
            plan_day, centre.setup, forecast, replications=data.replications, seed=data.seed
        )
        async with self._step() as step:
            info = await step._centre_info(centre_code)  # still allowed (a centre's scope may have changed)
            return await step._store_plan(info, centre, data, plan, wall.perf_counter() - started)

    async def _store_plan(
        self, info: CentreInfo, centre: _Centre, data: s.PlanStaffing, plan: DayPlan, seconds: float
    ) -> s.StaffingPlanRead:
        fit_id = centre.fit.id if centre.fit else None
        if fit_id is not None and await self.session.get(PlanningFitModel, fit_id) is None:
            fit_id = None  # the fit was removed meanwhile; the plan stands on its own
        row = StaffingPlanModel(
            centre_id=info.id,
            fit_id=fit_id,
            on=data.on,
            replications=data.replications,
            seed=data.seed,
            arrivals_factor=data.arrivals_factor,
            erlang_staff_hours=round(plan.erlang_staff_hours, 3),
            simulated_staff_hours=round(plan.simulated_staff_hours, 3),
            erlang_failing_slots=len(plan.erlang_evaluation.failing_slots),
            simulated_failing_slots=len(plan.evaluation.failing_slots),
            seconds=round(seconds, 3),
            created_by=self.principal.name,
            result={**plan.to_dict(), "promise": _promise(centre.setup)},
        )
        self.session.add(row)
        await self.session.flush()
        return self.plan_read(info.code, row)

    @staticmethod
    def plan_read(centre_code: str, row: StaffingPlanModel) -> s.StaffingPlanRead:
        """Return the wire form of a stored plan."""
        result = row.result
        erlang, simulated = result["erlang"], result["simulated"]

        def side(part: Mapping[str, Any], hours: float) -> s.PlanSideRead:
            evaluation = part["evaluation"]
            return s.PlanSideRead(
                staff_hours=hours,
                failing_slots=list(evaluation["failingSlots"]),
                share_within=evaluation["shareWithin"],
                mean_wait_minutes=evaluation["meanWaitMinutes"],
                counts=part["counts"],
            )

        return s.StaffingPlanRead(
            id=row.id,
            centre_code=centre_code,
            on=row.on,
            created_at=row.created_at,
            created_by=row.created_by,
            fit_id=row.fit_id,
            replications=row.replications,
            seed=row.seed,
            arrivals_factor=row.arrivals_factor,
            seconds=row.seconds,
            promise=result.get("promise", {}),
            slots=result["slots"],
            open_slots=result["openSlots"],
            expected_visitors=result["expectedVisitors"],
            groups=[
                s.SkillGroupRead(
                    key=g["key"],
                    label=g["label"],
                    window_type=g["windowType"],
                    windows=g["windows"],
                    domains=g["domains"],
                    item_codes=g["itemCodes"],
                    demand_keys=g["demandKeys"],
                    eligible_staff=g["eligibleStaff"],
                )
                for g in result["groups"]
            ],
            erlang=side(erlang, row.erlang_staff_hours),
            simulated=side(simulated, row.simulated_staff_hours),
            is_staff_limited=bool(simulated.get("isStaffLimited", False)),
            comparison=msgspec.convert(result["comparison"], list[s.PlanSlotRow]),
            seats=simulated["roster"],
            detail={"erlang": erlang, "steps": result.get("steps", [])},
        )

    async def get_plan(self, centre_code: str, on: date) -> s.StaffingPlanRead:
        """Return the day's most recent plan."""
        info = await self._centre_info(centre_code)
        row = await self._latest_plan(info.id, on)
        if row is None:
            raise NotFoundError("on", f"no staffing plan for {on.isoformat()} yet")
        return self.plan_read(info.code, row)

    async def _latest_plan(self, centre_id: UUID, on: date, fit_id: UUID | None = None) -> StaffingPlanModel | None:
        statement = select(StaffingPlanModel).where(
            StaffingPlanModel.centre_id == centre_id, StaffingPlanModel.on == on
        )
        if fit_id is not None:
            statement = statement.where(StaffingPlanModel.fit_id == fit_id, StaffingPlanModel.arrivals_factor == 1.0)
        plan: StaffingPlanModel | None = await self.session.scalar(
            statement.order_by(StaffingPlanModel.created_at.desc(), StaffingPlanModel.id.desc()).limit(1)
        )
        return plan

    async def list_plans(self, centre_code: str, first: date | None, last: date | None) -> list[s.StaffingPlanSummary]:
        """Return the plans of a date range (default: the last 100), newest first."""
        info = await self._centre_info(centre_code)
        statement = select(StaffingPlanModel).where(StaffingPlanModel.centre_id == info.id)
        if first is not None:
            statement = statement.where(StaffingPlanModel.on >= first)
        if last is not None:
            statement = statement.where(StaffingPlanModel.on <= last)
        rows = await self.session.scalars(statement.order_by(StaffingPlanModel.created_at.desc()).limit(100))
        return [
            s.StaffingPlanSummary(
                id=r.id,
                on=r.on,
                created_at=r.created_at,
                replications=r.replications,
                arrivals_factor=r.arrivals_factor,
                erlang_staff_hours=r.erlang_staff_hours,
                simulated_staff_hours=r.simulated_staff_hours,
                erlang_failing_slots=r.erlang_failing_slots,
                simulated_failing_slots=r.simulated_failing_slots,
            )
            for r in rows
        ]

    # --- rosters --------------------------------------------------------------------------------------------------
    def _rules(
        self,
        centre: _Centre,
        templates: Sequence[s.ShiftTemplateWire] | None,
        absences: Sequence[s.AbsenceWire],
        default_weekly_hours: float,
        weekly_hours: Mapping[str, float],
        max_days: int,
        week: date,
    ) -> RosterRules:
        known = {m.staff_id for m in centre.setup.staff}
        chosen = default_templates(centre.setup)
        if templates:
            names: set[str] = set()
            parsed: list[ShiftTemplate] = []
            for i, t in enumerate(templates):
                if t.name in names:
                    raise DomainRuleViolation(f"templates[{i}].name", f"{t.name!r} is used twice")
                names.add(t.name)
                ranges = tuple((_clock_time(a), _clock_time(b)) for a, b in t.ranges)
                if any(b <= a for a, b in ranges):
                    raise DomainRuleViolation(f"templates[{i}].ranges", "every range must end after it starts")
                parsed.append(ShiftTemplate(t.name, t.label, ranges))
            chosen = tuple(parsed)
        for no in weekly_hours:
            if no not in known:
                raise DomainRuleViolation(f"weeklyHours.{no}", f"no active staff member {no} at {centre.info.code}")
        return RosterRules(
            templates=chosen,
            default_weekly_hours=default_weekly_hours,
            weekly_hours=dict(weekly_hours),
            max_days=max_days,
            absences=self._absences(centre, absences, {week + timedelta(days=n) for n in range(7)}),
        )

    @staticmethod
    def _absences(centre: _Centre, absences: Sequence[s.AbsenceWire], days: Collection[date]) -> tuple[Absence, ...]:
        """The absences, each of an active staff member on one of ``days`` (the roster's days or its week)."""
        known = {m.staff_id for m in centre.setup.staff}
        out: list[Absence] = []
        for i, a in enumerate(absences):
            if a.staff_employee_no not in known:
                raise DomainRuleViolation(
                    f"absences[{i}].staffEmployeeNo",
                    f"no active staff member {a.staff_employee_no} at {centre.info.code}",
                )
            if a.on not in days:
                raise DomainRuleViolation(
                    f"absences[{i}].on",
                    f"{a.on.isoformat()} is not a day of this roster ({min(days)} – {max(days)})",
                )
            if (a.starts is None) != (a.ends is None):
                raise DomainRuleViolation(f"absences[{i}].ends", "give both starts and ends, or neither (whole day)")
            starts = _clock_time(a.starts) if a.starts else None
            ends = _clock_time(a.ends) if a.ends else None
            if starts is not None and ends is not None and ends <= starts:
                raise DomainRuleViolation(f"absences[{i}].ends", "must be after starts")
            out.append(Absence(a.staff_employee_no, a.on, starts, ends))
        return tuple(out)

    async def _stored_week(self, centre: _Centre, week: date) -> tuple[list[DayDemand], list[date]]:
        """Each open day's forecast and plan counts from the latest stored plan of the fit, and the days without."""
        demands: list[DayDemand] = []
        missing: list[date] = []
        for offset in range(7):
            on = week + timedelta(days=offset)
            assert centre.params is not None
            forecast = forecast_day(centre.params, centre.setup, on)
            if forecast is None:
                continue
            stored = await self._latest_plan(centre.info.id, on, centre.fit.id if centre.fit else None)
            if stored is None or len(stored.result["simulated"]["counts"]) != forecast.grid.n_slots:
                missing.append(on)
                continue
            counts = tuple({k: int(v) for k, v in c.items()} for c in stored.result["simulated"]["counts"])
            demands.append(DayDemand(forecast, counts))
        return demands, missing

    async def _week_inputs(self, centre_code: str, data: s.BuildRoster) -> tuple[_Centre, RosterRules, list[DayDemand]]:
        """The centre, the rules and each open day's demand; the days not planned yet (for the fit) are planned."""
        for _ in range(3):
            async with self._step() as step:
                centre = await step._load(centre_code)
                rules = step._rules(
                    centre,
                    data.templates,
                    data.absences,
                    data.default_weekly_hours,
                    data.weekly_hours,
                    data.max_days,
                    data.week_start,
                )
                demands, missing = await step._stored_week(centre, data.week_start)
            if not missing:
                return centre, rules, demands
            for on in missing:  # each plan computes with no transaction open (when detached)
                await self.plan(
                    centre_code, s.PlanStaffing(on=on, replications=max(data.replications, 2), seed=data.seed)
                )
        raise ConflictError("weekStart", "the centre's parameters keep changing; build the roster again")

    async def build_roster(self, centre_code: str, data: s.BuildRoster) -> s.RosterRead:
        """Roster a week from its days' plans; solve the integer program, simulate each day, repair, store."""
        if data.week_start.weekday() != 0:
            raise DomainRuleViolation("weekStart", "must be a Monday")
        async with self._step() as step:
            info = await step._centre_info(centre_code)
        for on in (data.week_start, data.week_start + timedelta(days=6)):
            _check_calendar_year(info, on, "weekStart")
        await self._ensure_fit(centre_code)
        centre, rules, demands = await self._week_inputs(centre_code, data)
        if not demands:
            raise DomainRuleViolation("weekStart", f"{centre.info.code} is closed all that week")
        groups = skill_groups(centre.setup)
        outcome: RosterOutcome = await self.compute.run(
            roster_week,
            centre.setup,
            groups,
            demands,
            rules,
            replications=data.replications,
            seed=data.seed,
            repair_rounds=data.repair_rounds,
        )
        async with self._step() as step:
            return await step._store_checked(centre_code, data.week_start, rules, outcome, demands, None)

    async def _store_checked(
        self,
        centre_code: str,
        week: date,
        rules: RosterRules,
        outcome: RosterOutcome,
        demands: Sequence[DayDemand],
        updated_at: datetime | None,
    ) -> s.RosterRead:
        """Store a computed roster after checking again what may have changed while it was computed.

        The caller must still plan for the centre, every rostered staff member must still be active, and an edited
        roster must not have been changed by someone else meanwhile (``updated_at`` as read before computing).
        """
        centre = await self._load(centre_code, fit_if_missing=False)
        gone = sorted({sh.staff_id for sh in outcome.roster.shifts} - set(centre.ids.staff_ids))
        if gone:
            raise ConflictError(
                "weekStart", f"staff {', '.join(gone)} left the centre while the roster was computed; build it again"
            )
        if updated_at is not None:
            current = await self._roster_row(centre, week)
            if current.updated_at != updated_at:
                raise ConflictError("weekStart", "the roster was changed by someone else meanwhile; look at it again")
        row = await self._store_roster(centre, week, rules, outcome, demands)
        return self.roster_read(centre, row)

    async def _store_roster(
        self, centre: _Centre, week: date, rules: RosterRules, outcome: RosterOutcome, demands: Sequence[DayDemand]
    ) -> RosterModel:
        row: RosterModel | None = await self.session.scalar(
            select(RosterModel).where(RosterModel.centre_id == centre.info.id, RosterModel.week_start == week)
        )
        if row is None:
            row = RosterModel(centre_id=centre.info.id, week_start=week, status="draft")
            self.session.add(row)
            await self.session.flush()
        else:
            await self.session.execute(delete(RosterShiftModel).where(RosterShiftModel.roster_id == row.id))
        roster = outcome.roster
        row.rules = rules.to_dict()
        row.requirements = {
            r.on.isoformat(): {"slots": list(r.grid.labels), "counts": [dict(c) for c in r.counts]}
            for r in outcome.requirements
        }
        row.solver = {
            "status": roster.status,
            "objective": None if math.isnan(roster.objective) else round(roster.objective, 4),
            "seconds": round(roster.seconds, 3),
            "variables": roster.variables,
            "repairs": [list(r) for r in outcome.repairs],
            "shortage": [
                {"on": on.isoformat(), "slot": label, "group": g, "windows": n}
                for on, slots in sorted(roster.shortage.items())
                for label, groups in sorted(slots.items())
                for g, n in sorted(groups.items())
            ],
            "staffHours": round(roster.staff_hours, 3),
            "lateShifts": roster.late_shifts(),
        }
        row.evaluation = {
            d.forecast.on.isoformat(): {
                "evaluation": outcome.evaluations[d.forecast.on].to_dict(d.forecast.grid.labels),
                "seats": [
                    {str(n): st for n, st in sorted(seats.items()) if st}
                    for seats in roster.day_roster(d.forecast.grid)
                ],
            }
            for d in demands
        }
        row.edited_by = self.principal.name
        row.updated_at = self.clock.now()
        self.session.add_all(
            [
                RosterShiftModel(
                    roster_id=row.id,
                    staff_id=centre.ids.staff_ids[shift.staff_id],
                    staff_employee_no=shift.staff_id,
                    on=shift.on,
                    template=shift.template,
                    segments=[[a.isoformat(), b.isoformat()] for a, b in shift.segments],
                    hours=shift.hours,
                    is_late=shift.is_late,
                    windows=dict(shift.windows),
                )
                for shift in roster.shifts
            ]
        )
        await self.session.flush()
        await self.session.refresh(row, attribute_names=["shifts"])
        return row

    def roster_read(self, centre: _Centre, row: RosterModel) -> s.RosterRead:
        """Return the wire form of a stored roster."""
        names = centre.setup.staff_names
        solver = row.solver
        days: list[s.RosterDayRead] = []
        for on_text, requirement in sorted(row.requirements.items()):
            stored = row.evaluation.get(on_text, {})
            days.append(
                s.RosterDayRead(
                    on=date.fromisoformat(on_text),
                    slots=requirement["slots"],
                    requirements=requirement["counts"],
                    seats=stored.get("seats", []),
                    evaluation=_day_evaluation(on_text, stored.get("evaluation", {})),
                )
            )
        return s.RosterRead(
            id=row.id,
            centre_code=centre.info.code,
            week_start=row.week_start,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            edited_by=row.edited_by,
            templates=msgspec.convert(row.rules.get("templates", []), list[s.ShiftTemplateWire]),
            rules={k: v for k, v in row.rules.items() if k != "templates"},
            solver={k: v for k, v in solver.items() if k not in {"shortage", "lateShifts"}},
            staff_hours=float(solver.get("staffHours", 0.0)),
            late_shifts=dict(solver.get("lateShifts", {})),
            meets_promise=all(d.evaluation.meets_promise for d in days),
            shortage=msgspec.convert(solver.get("shortage", []), list[s.ShortageRead]),
            shifts=[_shift_read(r, names) for r in row.shifts],
            days=days,
            repairs=solver.get("repairs", []),
        )

    async def _roster_row(self, centre: _Centre, week: date) -> RosterModel:
        row: RosterModel | None = await self.session.scalar(
            select(RosterModel).where(RosterModel.centre_id == centre.info.id, RosterModel.week_start == week)
        )
        if row is None:
            raise NotFoundError("weekStart", f"no roster for the week of {week.isoformat()}")
        return row

    async def get_roster(self, centre_code: str, week: date) -> s.RosterRead:
        """Return the week's roster."""
        centre = await self._load(centre_code, fit_if_missing=False)
        return self.roster_read(centre, await self._roster_row(centre, week))

    async def list_rosters(self, centre_code: str) -> list[s.RosterSummary]:
        """Return the centre's rosters, newest week first."""
        info = await self._centre_info(centre_code)
        rows = await self.session.scalars(
            select(RosterModel)
            .where(RosterModel.centre_id == info.id)
            .order_by(RosterModel.week_start.desc())
            .limit(100)
        )
        return [
            s.RosterSummary(
                id=r.id,
                week_start=r.week_start,
                status=r.status,
                updated_at=r.updated_at,
                staff_hours=float(r.solver.get("staffHours", 0.0)),
                meets_promise=all(
                    bool(d.get("evaluation", {}).get("meetsPromise", False)) for d in r.evaluation.values()
                ),
            )
            for r in rows
        ]

    def _stored_rules(self, centre: _Centre, row: RosterModel, extra: Sequence[Absence] = ()) -> RosterRules:
        templates = tuple(
            ShiftTemplate(t["name"], t["label"], tuple((_clock_time(a), _clock_time(b)) for a, b in t["ranges"]))
            for t in row.rules.get("templates", [])
        ) or default_templates(centre.setup)
        absences = tuple(
            Absence(
                a["staff"],
                date.fromisoformat(a["on"]),
                _clock_time(a["starts"]) if a.get("starts") else None,
                _clock_time(a["ends"]) if a.get("ends") else None,
            )
            for a in row.rules.get("absences", [])
        )
        return RosterRules(
            templates=templates,
            default_weekly_hours=float(row.rules.get("defaultWeeklyHours", 40.0)),
            weekly_hours=dict(row.rules.get("weeklyHours", {})),
            max_days=int(row.rules.get("maxDays", 5)),
            absences=absences + tuple(extra),
        )

    def _stored_demands(self, centre: _Centre, row: RosterModel, arrivals_factor: float = 1.0) -> list[DayDemand]:
        demands: list[DayDemand] = []
        for on_text, requirement in sorted(row.requirements.items()):
            forecast = self._day_forecast(centre, date.fromisoformat(on_text), arrivals_factor, "weekStart")
            counts = tuple({k: int(v) for k, v in c.items()} for c in requirement["counts"])
            if len(counts) != forecast.grid.n_slots:
                raise ConflictError("weekStart", "the centre's hours changed since this roster; build it again")
            demands.append(DayDemand(forecast, counts))
        return demands

    async def edit_shifts(self, centre_code: str, week: date, data: s.EditRosterShifts) -> s.RosterRead:
        """Replace the roster's shifts with the manager's, seat the clerks, simulate the week and store it."""
        await self._ensure_fit(centre_code)
        async with self._step() as step:
            centre = await step._load(centre_code)
            row = await step._roster_row(centre, week)
            updated_at = row.updated_at
            rules = step._stored_rules(centre, row)
            demands = step._stored_demands(centre, row)
        days = {d.forecast.on for d in demands}
        known = {m.staff_id for m in centre.setup.staff}
        names = {t.name for t in rules.templates}
        seen: set[tuple[str, date]] = set()
        fixed: list[FixedShift] = []
        for i, shift in enumerate(data.shifts):
            if shift.staff_employee_no not in known:
                raise DomainRuleViolation(
                    f"shifts[{i}].staffEmployeeNo", f"no active staff member {shift.staff_employee_no}"
                )
            if shift.on not in days:
                raise DomainRuleViolation(
                    f"shifts[{i}].on", f"{shift.on.isoformat()} is not an open day of this roster"
                )
            if shift.template not in names:
                raise DomainRuleViolation(f"shifts[{i}].template", f"unknown shift template {shift.template!r}")
            if (shift.staff_employee_no, shift.on) in seen:
                raise DomainRuleViolation(f"shifts[{i}]", "one shift per staff member and day")
            seen.add((shift.staff_employee_no, shift.on))
            fixed.append(FixedShift(shift.staff_employee_no, shift.on, shift.template))
        edited = RosterRules(
            templates=rules.templates,
            default_weekly_hours=10_000.0,  # the manager's shifts are kept even past the usual limits
            max_days=7,
        )
        groups = skill_groups(centre.setup)
        outcome: RosterOutcome = await self.compute.run(
            roster_week,
            centre.setup,
            groups,
            demands,
            edited,
            replications=data.replications,
            seed=data.seed,
            fixed=fixed,
        )
        async with self._step() as step:
            return await step._store_checked(centre_code, week, rules, outcome, demands, updated_at)

    async def what_if(self, centre_code: str, week: date, data: s.RosterWhatIf) -> s.RosterWhatIfRead:
        """Simulate the roster with staff on leave and/or more visitors, as it is or re-solved; nothing is stored."""
        await self._ensure_fit(centre_code)
        async with self._step() as step:
            centre = await step._load(centre_code)
            row = await step._roster_row(centre, week)
            absences = step._absences(centre, data.absences, {date.fromisoformat(d) for d in row.requirements})
            demands = step._stored_demands(centre, row, data.arrivals_factor)
            stored_rules = step._stored_rules(centre, row)
            rebuild_rules = step._stored_rules(centre, row, absences)
            shifts = [(r.staff_employee_no, r.on, r.template) for r in row.shifts]
        groups = skill_groups(centre.setup)
        if data.rebuild:
            rules = rebuild_rules
            outcome: RosterOutcome = await self.compute.run(
                roster_week, centre.setup, groups, demands, rules, replications=data.replications, seed=data.seed
            )
        else:
            away = list(absences)
            fixed = [
                FixedShift(no, on, template)
                for no, on, template in shifts
                if not any(a.staff_id == no and a.on == on for a in away)
            ]
            rules = RosterRules(templates=stored_rules.templates, default_weekly_hours=10_000.0, max_days=7)
            outcome = await self.compute.run(
                roster_week,
                centre.setup,
                groups,
                demands,
                rules,
                replications=data.replications,
                seed=data.seed,
                fixed=fixed,
            )
        roster = outcome.roster
        names = centre.setup.staff_names
        return s.RosterWhatIfRead(
            centre_code=centre.info.code,
            week_start=week,
            arrivals_factor=data.arrivals_factor,
            absences=list(data.absences),
            rebuilt=data.rebuild,
            staff_hours=round(roster.staff_hours, 3),
            meets_promise=outcome.meets_promise,
            shortage=[
                s.ShortageRead(on=on, slot=label, group=g, windows=n)
                for on, slots in sorted(roster.shortage.items())
                for label, groups_ in sorted(slots.items())
                for g, n in sorted(groups_.items())
            ],
            days=[
                _day_evaluation(
                    d.forecast.on.isoformat(), outcome.evaluations[d.forecast.on].to_dict(d.forecast.grid.labels)
                )
                for d in demands
            ],
            shifts=[
                s.ShiftRead(
                    staff_employee_no=sh.staff_id,
                    staff_name=names.get(sh.staff_id, sh.staff_id),
                    on=sh.on,
                    template=sh.template,
                    segments=list(sh.segments),
                    hours=sh.hours,
                    is_late=sh.is_late,
                    windows=dict(sh.windows),
                )
                for sh in roster.shifts
            ],
        )

    async def roster_rows(self, centre_code: str, week: date) -> tuple[CentreSetup, RosterModel]:
        """Return the centre and the stored roster (for exports)."""
        centre = await self._load(centre_code, fit_if_missing=False)
        return centre.setup, await self._roster_row(centre, week)

    # --- live predictions -----------------------------------------------------------------------------------------
    async def hall_state(self, centre_code: str, *, roles: Sequence[Role] = WAIT_READERS) -> tuple[_Centre, HallState]:
        """Return the hall's state now, with the forecast's rates for the rest of the current session."""
        centre = await self._load(centre_code, fit_if_missing=False, roles=roles)
        now = self.clock.now()
        local = centre.info.local(now)
        today = sessions_on(centre.info.sessions, centre.info.calendar, local.date())
        moment = local.timetz().replace(tzinfo=None)
        current = next((x for x in today if x.opens_at <= moment < x.closes_at), None)
        minutes_to_close = 0.0
        rates: dict[str, float] = {}
        if current is not None:
            closes = datetime.combine(local.date(), current.closes_at, tzinfo=local.tzinfo)
            minutes_to_close = (closes - local) / timedelta(minutes=1)
            if centre.params is not None:
                forecast = forecast_day(centre.params, centre.setup, local.date())
                grid = day_grid(centre.setup, local.date())
                if forecast is not None and grid is not None:
                    label = slot_label_of(local, centre.setup.slot_minutes)
                    if label in grid.labels:
                        i = grid.labels.index(label)
                        rates = {code: r[i] for code, r in forecast.item_rates.items()}
        state = await live_state(
            self.session, centre.setup, centre.ids, now, arrival_rates=rates, minutes_to_close=minutes_to_close
        )
        return centre, state

    async def predicted_waits(self, centre_code: str) -> s.PredictedWaitsRead:
        """Predict when each waiting ticket will be called (P50 and P90 of short twin runs) and the naive estimate."""
        centre, state = await self.hall_state(centre_code)
        predictions = await predictions_for(centre.info.code, state, self.compute)
        naive = naive_calls(state)
        return s.PredictedWaitsRead(
            centre_code=centre.info.code,
            at=state.now,
            replications=PREDICTION_REPLICATIONS,
            open_windows=len(state.windows),
            tickets=[
                s.PredictedCallRead(
                    number=t.ticket.number,
                    arrived_at=t.ticket.arrived_at,
                    p50_at=predictions[t.ticket.ticket_id].p50_at(state.now),
                    p90_at=predictions[t.ticket.ticket_id].p90_at(state.now),
                    p50_minutes=_finite(predictions[t.ticket.ticket_id].p50_minutes),
                    p90_minutes=_finite(predictions[t.ticket.ticket_id].p90_minutes),
                    naive_at=naive.get(t.ticket.ticket_id),
                )
                for t in sorted(state.waiting, key=lambda t: (t.ticket.arrived_at, t.ticket.sequence))
            ],
        )

    async def predicted_call(self, centre_code: str, ticket_id: UUID) -> tuple[datetime | None, datetime | None]:
        """Return ``(P50, P90)`` call times of one waiting ticket (for the queue service's estimate)."""
        centre, state = await self.hall_state(centre_code, roles=(*WAIT_READERS, *PLANNERS))
        predictions = await predictions_for(centre.info.code, state, self.compute)
        prediction = predictions.get(str(ticket_id))
        if prediction is None:
            return None, None
        return prediction.p50_at(state.now), prediction.p90_at(state.now)


_PREDICTIONS: dict[str, tuple[float, datetime, frozenset[str], dict[str, CallPrediction]]] = {}


async def predictions_for(centre_code: str, state: HallState, compute: PlanningCompute) -> dict[str, CallPrediction]:
    """Predict the state's calls, reusing a prediction of the same queue made in the last few seconds."""
    key = frozenset(t.ticket.ticket_id for t in state.waiting) | frozenset(
        f"{w.window.number}:{w.staff.staff_id}:{w.current_items}" for w in state.windows
    )
    cached = _PREDICTIONS.get(centre_code)
    if cached is not None and cached[2] == key and wall.monotonic() - cached[0] < PREDICTION_TTL_SECONDS:
        elapsed = (state.now - cached[1]) / timedelta(minutes=1)
        return {
            tid: CallPrediction(
                p.ticket_id,
                p.number,
                max(0.0, p.p50_minutes - elapsed),
                max(0.0, p.p90_minutes - elapsed),
                p.called_share,
            )
            for tid, p in cached[3].items()
        }
    predictions = await compute.run_plain(predict_calls, state, replications=PREDICTION_REPLICATIONS, seed=0)
    _PREDICTIONS[centre_code] = (wall.monotonic(), state.now, key, predictions)
    return predictions


def naive_calls(state: HallState) -> dict[str, datetime]:
    """The naive estimate for each waiting ticket: people ahead × mean service / open windows that may serve it."""
    windows: list[WindowSnapshot] = [window_snapshot(w.window, w.staff, w.priority_calls_in_row) for w in state.windows]
    waiting = [t.ticket for t in state.waiting]
    minutes = [r.standard_minutes for t in waiting for r in t.items] or [10.0]
    mean = timedelta(minutes=math.fsum(minutes) / len(minutes))
    out: dict[str, datetime] = {}
    for ticket in waiting:
        wait = expected_wait(ticket, waiting, windows, state.now, state.routing_rules, mean_service=mean)
        if wait is not None:
            out[ticket.ticket_id] = state.now + wait
    return out


def _finite(value: float) -> float | None:
    return None if math.isinf(value) or math.isnan(value) else round(value, 2)


def _promise(setup: CentreSetup) -> dict[str, Any]:
    return {
        "shareWithin": setup.promise.share_within,
        "withinMinutes": setup.promise.within_minutes,
        "meanMinutes": setup.promise.mean_minutes,
    }


def _day_evaluation(on_text: str, data: Mapping[str, Any]) -> s.DayEvaluationRead:
    return s.DayEvaluationRead(
        on=date.fromisoformat(on_text),
        share_within=data.get("shareWithin"),
        mean_wait_minutes=data.get("meanWaitMinutes"),
        meets_promise=bool(data.get("meetsPromise", False)),
        failing_slots=list(data.get("failingSlots", [])),
        slots=msgspec.convert(data.get("slots", {}), dict[str, s.SlotKpisRead]),
    )


def _shift_read(row: RosterShiftModel, names: Mapping[str, str]) -> s.ShiftRead:
    return s.ShiftRead(
        staff_employee_no=row.staff_employee_no,
        staff_name=names.get(row.staff_employee_no, row.staff_employee_no),
        on=row.on,
        template=row.template,
        segments=[(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in row.segments],
        hours=row.hours,
        is_late=row.is_late,
        windows={k: int(v) for k, v in row.windows.items()},
    )


def roster_csv(setup: CentreSetup, row: RosterModel) -> str:
    """Return the roster as CSV: one row per shift (date, staff, template, times, hours, late, windows by slot)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "employee_no", "name", "shift", "start", "end", "hours", "late", "windows"])
    for shift in row.shifts:
        starts = [datetime.fromisoformat(a) for a, _ in shift.segments]
        ends = [datetime.fromisoformat(b) for _, b in shift.segments]
        windows = "; ".join(f"{label} W{number}" for label, number in sorted(shift.windows.items()))
        writer.writerow(
            [
                shift.on.isoformat(),
                shift.staff_employee_no,
                setup.staff_names.get(shift.staff_employee_no, ""),
                shift.template,
                min(starts).strftime("%H:%M") if starts else "",
                max(ends).strftime("%H:%M") if ends else "",
                f"{shift.hours:g}",
                "yes" if shift.is_late else "no",
                windows,
            ]
        )
    return out.getvalue()


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> list[str]:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def roster_ical(setup: CentreSetup, row: RosterModel, centre_code: str, now: datetime) -> str:
    """Return the roster as an iCalendar file: one event per shift segment, times in UTC."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hall//Roster//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_escape(f'{setup.name} 排班 {row.week_start.isoformat()}')}",
    ]
    labels = {t["name"]: t.get("label", t["name"]) for t in row.rules.get("templates", [])}
    for shift in row.shifts:
        name = setup.staff_names.get(shift.staff_employee_no, shift.staff_employee_no)
        windows = sorted(set(shift.windows.values()))
        where = "、".join(f"{n}号窗口" for n in windows) or "—"
        label = SHIFT_LABELS.get(shift.template) or labels.get(shift.template, shift.template)
        for index, (a, b) in enumerate(shift.segments):
            start = datetime.fromisoformat(a).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            end = datetime.fromisoformat(b).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            lines += [
                "BEGIN:VEVENT",
                f"UID:{shift.id}-{index}@hall.{centre_code.lower()}",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{start}",
                f"DTEND:{end}",
                f"SUMMARY:{_ics_escape(f'{name} · {label} · {where}')}",
                f"DESCRIPTION:{_ics_escape(f'{shift.staff_employee_no} {name}，{label}：{where}')}",
                f"LOCATION:{_ics_escape(setup.name)}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _ics_fold(line)]
    return "\r\n".join(folded) + "\r\n"
