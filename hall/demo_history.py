"""Ninety days of synthetic history for the demo centres, produced by the twin and marked synthetic.

The demand follows the default profile of ``shared/domain.md`` §5.3 (hour weights, weekday factors, ×1.15 on the
last three working days of a month, ×1.4 on the first working day after a long holiday) on top of plausible daily
volumes per domain; each day is staffed by its Erlang C plan (what a centre without a twin would open) and run
once through the twin with its own seed. The tickets, their items and the service records of the served are
written with bulk inserts: service records carry ``is_synthetic = true`` and synthetic tickets are recognisable
by their idempotency key ``synthetic:<centre>:<day>:<n>``; the days written are listed in
``planning_synthetic_day``, which makes a second run add nothing.

:func:`demo_setup` and :func:`demo_forecast` are the same centre and demand as plain values, without a database
(for tests and benchmarks).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time as wall
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from hall import demo
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.centres import OpeningSession, WaitingPromise
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from queueing.domain.numbering import format_ticket_number
from queueing.domain.snapshot import RoutingRules
from queueing.models import ServiceRecordModel, TicketItemModel, TicketModel
from simulation.centre import CentreSetup, DayGrid, day_grid, day_scenario, default_item_spec, open_days
from simulation.fitting import DayForecast
from simulation.planning import erlang_plan, seat_plan, skill_groups
from simulation.records import Outcome, ServiceRecord
from simulation.runner import run
from simulation.scenario import StaffSpec, WindowSpec

ZONE: Final = ZoneInfo("Asia/Shanghai")

HOUR_WEIGHTS: Final[Mapping[str, float]] = {
    "08:30": 0.9,
    "09:00": 1.4,
    "09:30": 1.4,
    "10:00": 1.5,
    "10:30": 1.5,
    "11:00": 1.1,
    "11:30": 0.6,
    "13:30": 0.9,
    "14:00": 1.0,
    "14:30": 1.0,
    "15:00": 1.2,
    "15:30": 1.2,
    "16:00": 0.9,
    "16:30": 0.9,
    "17:00": 0.4,
}
"""``shared/domain.md`` §5.3 hour weights by half-hour slot (08:30–12:00 / 13:30–17:30)."""

WEEKDAY_FACTORS: Final[Mapping[int, float]] = {0: 1.20, 1: 1.05, 2: 1.00, 3: 0.95, 4: 0.95, 5: 0.5, 6: 0.5}
MONTH_END_FACTOR: Final = 1.15
AFTER_BREAK_FACTOR: Final = 1.4

# Visitors on an ordinary Wednesday, per domain.
DAILY_VISITORS: Final[Mapping[str, Mapping[str, float]]] = {
    demo.COUNTY: {
        "social_security": 70,
        "medical_insurance": 45,
        "housing_fund": 22,
        "real_estate": 18,
        "household_registration": 35,
        "exit_entry": 26,
        "tax": 28,
        "business_startup": 12,
        "civil_affairs": 14,
        "construction": 4,
        "consultation": 40,
    },
    **{
        code: {
            "social_security": 18,
            "medical_insurance": 12,
            "household_registration": 8,
            "civil_affairs": 5,
            "tax": 3,
            "consultation": 8,
        }
        for code in demo.TOWNSHIPS
    },
}

OUTCOME_STATUS: Final[Mapping[Outcome, str]] = {
    Outcome.SERVED: "completed",
    Outcome.NO_SHOW: "no_show",
    Outcome.ABANDONED: "cancelled",
    Outcome.UNSERVED: "expired",
}


def demo_calendar() -> WorkingCalendar:
    """Return the demo's national calendar (2026 holidays and make-up days)."""
    return WorkingCalendar.of(CalendarDay(on, DayKind(kind), name) for on, kind, name in demo.HOLIDAYS_2026)


def demo_setup(centre_code: str = demo.COUNTY) -> CentreSetup:
    """Return a demo centre's planning setup from the demo data, without a database (catalogue service times)."""
    county = centre_code == demo.COUNTY
    offered = {i[0] for i in demo.ITEMS} if county else set(demo.TOWNSHIP_ITEMS)
    items = {
        code: default_item_spec(
            ItemRequirement(
                code=code, domain=ServiceDomain(domain), min_skill_level=SkillLevel(min_level), standard_minutes=minutes
            )
        )
        for code, _, _, _, domain, minutes, _, _, _, min_level, _, _ in demo.ITEMS
        if code in offered
    }
    layout = demo.COUNTY_WINDOWS if county else demo.TOWNSHIP_WINDOWS
    windows = tuple(
        WindowSpec(
            number=number,
            type=WindowType(type_),
            domains=frozenset(ServiceDomain(d) for d in domains),
            item_codes=frozenset(codes),
        )
        for number, type_, _, domains, codes in layout
    )
    staff_rows = [s for s in demo.STAFF if s[0] == centre_code]
    staff = tuple(
        StaffSpec(
            staff_id=no, skill_level=SkillLevel(level), qualified_domains=frozenset(ServiceDomain(d) for d in domains)
        )
        for _, no, _, level, _, domains, _ in staff_rows
    )
    sessions = demo.COUNTY_SESSIONS if county else demo.TOWNSHIP_SESSIONS
    promise = WaitingPromise()
    return CentreSetup(
        code=centre_code,
        name=next(c[1] for c in demo.CENTRES if c[0] == centre_code),
        zone=ZONE,
        sessions=tuple(OpeningSession(d, a, b) for d, a, b in sessions),
        calendar=demo_calendar(),
        items=items,
        windows=windows,
        staff=staff,
        promise=promise,
        routing_rules=RoutingRules(promise_wait=promise.within),
        staff_names={no: name for _, no, name, _, _, _, _ in staff_rows},
    )


def _item_weights(setup: CentreSetup) -> dict[str, dict[str, float]]:
    """Each item's share of its domain: simpler (shorter) items are asked for more often."""
    by_domain: dict[str, dict[str, float]] = {}
    for code, item in sorted(setup.items.items()):
        by_domain.setdefault(item.requirement.domain.value, {})[code] = 1.0 / math.sqrt(
            max(item.requirement.standard_minutes, 1.0)
        )
    return {d: {c: w / math.fsum(ws.values()) for c, w in ws.items()} for d, ws in by_domain.items()}


def demo_day_factor(setup: CentreSetup, on: date) -> float:
    """Return the demo demand's day factor: weekday × month-end × first day after a long holiday."""
    override = setup.calendar.overrides.get(on)
    weekday = 0 if override is not None and override.kind is DayKind.WORKDAY and on.weekday() >= 5 else on.weekday()
    factor = WEEKDAY_FACTORS[weekday]
    if setup.calendar.is_month_end(on):
        factor *= MONTH_END_FACTOR
    if setup.calendar.is_after_long_break(on):
        factor *= AFTER_BREAK_FACTOR
    return factor


def demo_forecast(setup: CentreSetup, on: date, *, scale: float = 1.0) -> DayForecast | None:
    """Return the demo demand of a day as a forecast (``None`` when closed); ``scale`` multiplies every rate."""
    grid = day_grid(setup, on)
    if grid is None:
        return None
    volumes = DAILY_VISITORS.get(setup.code, DAILY_VISITORS[demo.TOWNSHIPS[0]])
    factor = demo_day_factor(setup, on) * scale
    weights = [HOUR_WEIGHTS.get(grid.label(i), 0.5) * grid.open_minutes(i) for i in range(grid.n_slots)]
    # Volumes are per ordinary weekday: a half-day Saturday sees its share of a full day's profile.
    full_day = math.fsum(HOUR_WEIGHTS.values()) * 30.0 - HOUR_WEIGHTS["08:30"] * 30.0 - HOUR_WEIGHTS["17:00"] * 30.0
    domain_rates: dict[str, tuple[float, ...]] = {}
    for domain in sorted({i.requirement.domain.value for i in setup.items.values()}):
        daily = volumes.get(domain, 0.0) * factor
        domain_rates[domain] = tuple(
            daily * (w / full_day) * 60.0 / grid.open_minutes(i) if grid.is_open(i) else 0.0
            for i, w in enumerate(weights)
        )
    shares = _item_weights(setup)
    item_rates = {
        code: tuple(
            r * shares[item.requirement.domain.value][code] for r in domain_rates[item.requirement.domain.value]
        )
        for code, item in sorted(setup.items.items())
    }
    return DayForecast(
        grid=grid,
        weekday=on.weekday(),
        factor=factor,
        is_month_end=setup.calendar.is_month_end(on),
        is_after_long_break=setup.calendar.is_after_long_break(on),
        domain_rates=domain_rates,
        item_rates=item_rates,
    )


def _seed_of(centre_code: str, on: date, salt: int) -> int:
    digest = hashlib.sha256(f"{salt}:{centre_code}:{on.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def simulate_demo_day(setup: CentreSetup, on: date, *, salt: int = 0) -> tuple[DayGrid, list[ServiceRecord]] | None:
    """Simulate one demo day with its Erlang C plan; ``None`` when the centre is closed."""
    forecast = demo_forecast(setup, on)
    if forecast is None:
        return None
    groups = skill_groups(setup)
    plan = erlang_plan(setup, groups, forecast)
    roster, _ = seat_plan(setup, groups, forecast.grid, plan.counts)
    no_show = setup.no_show_probability or 0.05
    scenario = replace(day_scenario(setup, forecast.grid, forecast.item_rates, roster), no_show_probability=no_show)
    result = run(scenario, _seed_of(setup.code, on, salt), check=False)
    return forecast.grid, list(result.records)


# ---- writing the history ----------------------------------------------------------------------------------------


@dataclass
class HistoryReport:
    """What :func:`seed_demo_history` wrote."""

    days: dict[str, int] = field(default_factory=dict)
    tickets: int = 0
    service_records: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.tickets + self.service_records


async def seed_demo_history(
    session: AsyncSession,
    days: int = 90,
    *,
    today: date | None = None,
    centres: tuple[str, ...] = (demo.COUNTY, *demo.TOWNSHIPS),
    salt: int = 0,
    progress: Callable[[str, date], None] | None = None,
) -> HistoryReport:
    """Give the demo centres ``days`` days of synthetic history before ``today`` (idempotent, bulk inserts).

    Days already written (listed in ``planning_synthetic_day``) are skipped, so a second run adds nothing. The
    caller commits. ``today`` defaults to the current date in the centres' zone; today itself is never written.
    """
    from hall.models import CentreModel, ServiceItemModel
    from staffing.planning.forecasting import load_centre_setup
    from staffing.planning.models import SyntheticDayModel

    started = wall.perf_counter()
    report = HistoryReport()
    today = today or datetime.now(ZONE).date()
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    item_ids = dict((await session.execute(select(ServiceItemModel.code, ServiceItemModel.id))).tuples().all())
    limits = {
        code: (is_instant, committed)
        for code, is_instant, committed in (
            await session.execute(
                select(ServiceItemModel.code, ServiceItemModel.is_instant, ServiceItemModel.committed_limit_days)
            )
        ).tuples()
    }
    for code in centres:
        centre_id = await session.scalar(select(CentreModel.id).where(CentreModel.code == code))
        if centre_id is None:
            continue
        setup, ids = await load_centre_setup(session, code)
        done = set(
            (
                await session.scalars(
                    select(SyntheticDayModel.service_day).where(
                        SyntheticDayModel.centre_id == centre_id,
                        SyntheticDayModel.service_day >= first,
                        SyntheticDayModel.service_day <= last,
                    )
                )
            ).all()
        )
        tickets: list[dict[str, Any]] = []
        ticket_items: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        marks: list[dict[str, Any]] = []
        for on in open_days(setup, first, last):
            if on in done:
                continue
            simulated = simulate_demo_day(setup, on, salt=salt)
            if simulated is None:  # pragma: no cover - open_days only returns open days
                continue
            grid, day_records = simulated
            before = len(tickets)
            _rows_of_day(
                code, on, grid, day_records, centre_id, ids.window_ids, ids.staff_ids, item_ids, limits, setup,
                tickets, ticket_items, records,
            )  # fmt: skip
            marks.append(
                {
                    "id": uuid7(),
                    "centre_id": centre_id,
                    "service_day": on,
                    "tickets": len(tickets) - before,
                    "seed": _seed_of(code, on, salt),
                }
            )
            if progress is not None:
                progress(code, on)
        await _bulk(session, TicketModel, tickets)
        await _bulk(session, TicketItemModel, ticket_items)
        await _bulk(session, ServiceRecordModel, records)
        await _bulk(session, SyntheticDayModel, marks)
        report.days[code] = len(marks)
        report.tickets += len(tickets)
        report.service_records += len(records)
    report.seconds = wall.perf_counter() - started
    return report


async def _bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]], batch: int = 5000) -> None:
    now = datetime.now(UTC)
    for row in rows:
        row.setdefault("created_at", now)
        row.setdefault("updated_at", now)
    for start in range(0, len(rows), batch):
        await session.execute(insert(model), rows[start : start + batch])


def _rows_of_day(
    centre_code: str,
    on: date,
    grid: DayGrid,
    day_records: list[ServiceRecord],
    centre_id: Any,
    window_ids: Mapping[int, Any],
    staff_ids: Mapping[str, Any],
    item_ids: Mapping[str, Any],
    limits: Mapping[str, tuple[bool, int | None]],
    setup: CentreSetup,
    tickets: list[dict[str, Any]],
    ticket_items: list[dict[str, Any]],
    records: list[dict[str, Any]],
) -> None:
    def at(minutes: float | None) -> datetime | None:
        return None if minutes is None else (grid.start + timedelta(minutes=minutes)).astimezone(UTC)

    for n, record in enumerate(day_records, start=1):
        ticket_id = uuid7()
        arrived = at(record.arrived_minutes)
        called = at(record.called_minutes)
        ended = at(record.ended_minutes)
        prefix = record.ticket_number.rstrip("0123456789")
        sequence = int(record.ticket_number[len(prefix) :])
        window_id = window_ids.get(record.window_number) if record.window_number is not None else None
        staff_id = staff_ids.get(record.staff_id) if record.staff_id is not None else None
        served = record.outcome is Outcome.SERVED
        tickets.append(
            {
                "id": ticket_id,
                "centre_id": centre_id,
                "service_day": on,
                "prefix": prefix,
                "sequence": sequence,
                "number": format_ticket_number(prefix, sequence),
                "public_code": "syn" + secrets.token_urlsafe(12),
                "status": OUTCOME_STATUS[record.outcome],
                "channel": "kiosk",
                "priority_group": record.priority_group.value if record.priority_group else None,
                "priority_verified": True if record.priority_group else None,
                "appointment_id": None,
                "arrived_at": arrived,
                "called_at": called,
                "started_at": called if served else None,
                "ended_at": ended if served else None,
                "no_show_at": ended if record.outcome is Outcome.NO_SHOW else None,
                "window_id": window_id,
                "reserved_window_id": None,
                "staff_id": staff_id,
                "recalls": 0,
                "idempotency_key": f"synthetic:{centre_code}:{on.isoformat()}:{n}",
                "notify_to": None,
            }
        )
        start = called
        span = (ended - called) if served and ended is not None and called is not None else timedelta(0)
        weights = [setup.items[c].requirement.standard_minutes for c in record.item_codes]
        for position, code in enumerate(record.item_codes):
            item_row_id = uuid7()
            ticket_items.append(
                {
                    "id": item_row_id,
                    "ticket_id": ticket_id,
                    "item_id": item_ids[code],
                    "item_code": code,
                    "position": position,
                    "is_active": not served,
                }
            )
            if not served or start is None or window_id is None or staff_id is None:
                continue
            end = start + span * (weights[position] / math.fsum(weights))
            item = setup.items[code].requirement
            is_instant, committed_days = limits.get(code, (True, None))
            outcome, due_on = "instant", None
            if item.domain is ServiceDomain.CONSULTATION:
                outcome = "consultation"
            elif not is_instant and committed_days is not None:
                outcome, due_on = "committed", setup.calendar.add_working_days(on, committed_days)
            records.append(
                {
                    "id": uuid7(),
                    "centre_id": centre_id,
                    "ticket_id": ticket_id,
                    "ticket_item_id": item_row_id,
                    "item_code": code,
                    "domain": item.domain.value,
                    "window_id": window_id,
                    "staff_id": staff_id,
                    "skill_level": int(record.skill_level or SkillLevel.L4),
                    "arrived_at": arrived,
                    "called_at": called,
                    "started_at": start,
                    "ended_at": end,
                    "items_in_visit": len(record.item_codes),
                    "outcome": outcome,
                    "outcome_details": {"synthetic": True},
                    "due_on": due_on,
                    "supplement_due_on": None,
                    "is_synthetic": True,
                    "corrects_id": None,
                    "note": "synthetic demo history",
                }
            )
            start = end
