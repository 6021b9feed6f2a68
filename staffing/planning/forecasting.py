"""The adapter from the database to the simulation: a centre's setup, and its recorded history as observations.

This is the only place where planning reads other contexts' tables (read-only, in the caller's session). It turns
rows into the plain values of :mod:`simulation.centre` and :mod:`simulation.fitting`; the simulation never sees a
row, and never imports this module back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.directory import SqlHallDirectory
from hall.domain.catalogue import ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus
from hall.models import StaffModel
from queueing.domain.snapshot import AppointmentSlot, RoutingRules, WaitingTicket
from queueing.models import (
    AppointmentModel,
    AppointmentSlotModel,
    ServiceRecordModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
)
from queueing.ports import CentreInfo
from simulation.centre import CentreSetup, default_item_spec
from simulation.fitting import ArrivalObservation, FittedParameters, ServiceObservation, VisitOutcome
from simulation.live import HallState, LiveTicket, LiveWindow
from simulation.scenario import ItemSpec, StaffSpec, WindowSpec


@dataclass(frozen=True, slots=True)
class CentreIds:
    """The database ids behind a setup's plain names (window numbers, employee numbers)."""

    centre_id: UUID
    window_ids: Mapping[int, UUID]
    staff_ids: Mapping[str, UUID]


async def load_centre_setup(
    session: AsyncSession,
    centre_code: str,
    *,
    fitted: FittedParameters | None = None,
    directory: SqlHallDirectory | None = None,
) -> tuple[CentreSetup, CentreIds]:
    """Return a centre's planning setup and the ids behind it.

    Service times come from ``fitted`` when given (with the fitted no-show probability and visitor mix), else from
    the catalogue's standard minutes (lognormal, CV 0.7, scaled by skill level).

    Raises:
        NotFoundError: on ``centreCode`` when there is no such centre.
    """
    directory = directory or SqlHallDirectory(session)
    centre = await directory.centre(centre_code)
    offered = await directory.offered_items(centre.id)
    requirements = {code: info.requirement for code, info in sorted(offered.items())}
    items: dict[str, ItemSpec] = {code: default_item_spec(req) for code, req in requirements.items()}
    if fitted is not None:
        items.update(fitted.item_specs(requirements))
    windows = [w for w in await directory.windows(centre.id) if w.status is WindowStatus.IN_SERVICE]
    staff_rows = (
        await session.scalars(
            select(StaffModel)
            .where(StaffModel.centre_id == centre.id, StaffModel.is_active.is_(True))
            .order_by(StaffModel.employee_no)
        )
    ).all()
    known_items = set(items)
    staff = tuple(
        StaffSpec(
            staff_id=row.employee_no,
            skill_level=SkillLevel(row.skill_level),
            qualified_domains=frozenset(ServiceDomain(d) for d in row.qualified_domains),
            qualified_items=frozenset(c for c in row.qualified_items if c in known_items),
        )
        for row in staff_rows
        if row.qualified_domains or any(c in known_items for c in row.qualified_items)
    )
    setup = CentreSetup(
        code=centre.code,
        name=centre.name_zh,
        zone=centre.zone,
        sessions=centre.sessions,
        calendar=centre.calendar,
        items=items,
        windows=tuple(
            WindowSpec(
                number=w.number,
                type=w.type,
                domains=w.domains,
                item_codes=frozenset(c for c in w.item_codes if c in known_items),
            )
            for w in windows
        ),
        staff=staff,
        promise=centre.promise,
        routing_rules=RoutingRules.from_centre(centre.rules, centre.promise),
        calling_policy=centre.rules.calling_policy,
        priority_shares=dict(fitted.priority_shares) if fitted else {},
        no_show_probability=fitted.no_show_probability if fitted else 0.0,
        staff_names={row.employee_no: row.name for row in staff_rows},
    )
    ids = CentreIds(
        centre_id=centre.id,
        window_ids={w.number: w.id for w in windows},
        staff_ids={row.employee_no: row.id for row in staff_rows},
    )
    return setup, ids


def local_day_bounds(centre: CentreInfo | CentreSetup, first: date, last: date) -> tuple[datetime, datetime]:
    """Return the aware instants bounding the local days ``first`` … ``last`` (end exclusive)."""
    zone = centre.zone
    return (
        datetime.combine(first, time(0, 0), tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=zone),
    )


async def arrival_observations(
    session: AsyncSession, centre_id: UUID, setup: CentreSetup, first: date, last: date
) -> list[ArrivalObservation]:
    """Return one observation per ticket issued at the centre on the local days ``first`` … ``last``.

    A ticket counts under its first item (the one it was issued for); cancelled and expired tickets count too,
    since the visitor came.
    """
    rows = await session.execute(
        select(
            TicketModel.id,
            TicketModel.arrived_at,
            TicketModel.status,
            TicketModel.priority_group,
            TicketModel.appointment_id,
            TicketItemModel.item_code,
        )
        .join(TicketItemModel, TicketItemModel.ticket_id == TicketModel.id)
        .where(
            TicketModel.centre_id == centre_id,
            TicketModel.service_day >= first,
            TicketModel.service_day <= last,
            TicketItemModel.position == 0,
        )
    )
    observations: list[ArrivalObservation] = []
    for _id, arrived_at, status, group, appointment_id, item_code in rows:
        observations.append(
            ArrivalObservation(
                arrived_at=arrived_at,
                item_code=item_code,
                outcome=_visit_outcome(status),
                priority_group=_group(group),
                has_appointment=appointment_id is not None,
            )
        )
    return observations


async def service_observations(
    session: AsyncSession, centre_id: UUID, setup: CentreSetup, first: date, last: date
) -> list[ServiceObservation]:
    """Return the recorded service time of every item served at the centre on the local days ``first`` … ``last``.

    Corrections replace the records they correct; records without a positive duration are left out.
    """
    lo, hi = local_day_bounds(setup, first, last)
    rows = (
        await session.execute(
            select(
                ServiceRecordModel.id,
                ServiceRecordModel.item_code,
                ServiceRecordModel.skill_level,
                ServiceRecordModel.started_at,
                ServiceRecordModel.ended_at,
                ServiceRecordModel.corrects_id,
            ).where(
                ServiceRecordModel.centre_id == centre_id,
                ServiceRecordModel.ended_at >= lo,
                ServiceRecordModel.ended_at < hi,
            )
        )
    ).all()
    corrected = {row[5] for row in rows if row[5] is not None}
    out: list[ServiceObservation] = []
    for record_id, item_code, level, started_at, ended_at, _ in rows:
        if record_id in corrected:
            continue
        minutes = (ended_at - started_at) / timedelta(minutes=1)
        if minutes > 0:
            out.append(ServiceObservation(item_code=item_code, skill_level=SkillLevel(level), minutes=minutes))
    return out


def _visit_outcome(status: str) -> VisitOutcome:
    if status == "no_show":
        return VisitOutcome.NO_SHOW
    if status in {"cancelled", "expired"}:
        return VisitOutcome.LEFT
    if status == "completed":
        return VisitOutcome.SERVED
    return VisitOutcome.OPEN


def _group(value: str | None) -> PriorityGroup | None:
    if value is None:
        return None
    try:
        return PriorityGroup(value)
    except ValueError:
        return None


def requirement_map(setup: CentreSetup) -> Mapping[str, Sequence[str]]:
    """Return the item codes of each domain the centre offers (for reports)."""
    by_domain: dict[str, list[str]] = {}
    for code, item in sorted(setup.items.items()):
        by_domain.setdefault(item.requirement.domain.value, []).append(code)
    return by_domain


async def live_state(
    session: AsyncSession,
    setup: CentreSetup,
    ids: CentreIds,
    now: datetime,
    *,
    arrival_rates: Mapping[str, float] | None = None,
    minutes_to_close: float = 0.0,
) -> HallState:
    """Return the hall as it is at ``now``: open (not paused) windows with their clerks, and the waiting tickets.

    A ticket reserved for one window (transferred there, or back from being parked) is predicted as if any
    eligible window could call it: the twin keeps no reservations, and such tickets are few.
    """
    number_of = {window_id: number for number, window_id in ids.window_ids.items()}
    employee_of = {staff_id: no for no, staff_id in ids.staff_ids.items()}
    staff_by_no = {s.staff_id: s for s in setup.staff}
    windows_by_no = {w.number: w for w in setup.windows}
    sessions = (
        await session.scalars(
            select(WindowSessionModel).where(
                WindowSessionModel.centre_id == ids.centre_id, WindowSessionModel.closed_at.is_(None)
            )
        )
    ).all()
    current_ids = [s.current_ticket_id for s in sessions if s.current_ticket_id is not None]
    current: dict[UUID, tuple[tuple[str, ...], datetime | None]] = {}
    if current_ids:
        rows = await session.execute(
            select(TicketModel.id, TicketModel.called_at, TicketModel.status, TicketItemModel.item_code)
            .join(TicketItemModel, TicketItemModel.ticket_id == TicketModel.id)
            .where(TicketModel.id.in_(current_ids), TicketItemModel.is_active.is_(True))
            .order_by(TicketModel.id, TicketItemModel.position)
        )
        for ticket_id, called_at, status, code in rows:
            if status not in {"called", "serving"}:
                continue
            codes, _ = current.get(ticket_id, ((), called_at))
            current[ticket_id] = ((*codes, code), called_at)
    windows: list[LiveWindow] = []
    for row in sessions:
        number = number_of.get(row.window_id)
        employee_no = employee_of.get(row.staff_id)
        if row.state == "paused" or number is None or employee_no is None or number not in windows_by_no:
            continue
        base = staff_by_no.get(employee_no)
        if base is None:
            continue
        staff = StaffSpec(
            staff_id=employee_no,
            skill_level=SkillLevel(row.skill_level),
            qualified_domains=base.qualified_domains,
            qualified_items=base.qualified_items,
        )
        items, called_at = current.get(row.current_ticket_id, ((), None)) if row.current_ticket_id else ((), None)
        elapsed = (now - called_at) / timedelta(minutes=1) if called_at is not None else 0.0
        windows.append(
            LiveWindow(
                window=windows_by_no[number],
                staff=staff,
                current_items=tuple(c for c in items if c in setup.items),
                elapsed_minutes=max(0.0, elapsed),
                priority_calls_in_row=row.priority_calls_in_row,
            )
        )
    rows = await session.execute(
        select(
            TicketModel.id,
            TicketModel.number,
            TicketModel.arrived_at,
            TicketModel.sequence,
            TicketModel.priority_group,
            TicketModel.priority_verified,
            TicketModel.reserved_window_id,
            TicketItemModel.item_code,
            AppointmentSlotModel.starts_at,
            AppointmentSlotModel.ends_at,
        )
        .join(TicketItemModel, TicketItemModel.ticket_id == TicketModel.id)
        .outerjoin(AppointmentModel, AppointmentModel.id == TicketModel.appointment_id)
        .outerjoin(AppointmentSlotModel, AppointmentSlotModel.id == AppointmentModel.slot_id)
        .where(
            TicketModel.centre_id == ids.centre_id,
            TicketModel.status == "waiting",
            TicketItemModel.is_active.is_(True),
        )
        .order_by(TicketModel.id, TicketItemModel.position)
    )
    grouped: dict[UUID, tuple[Any, list[str]]] = {}
    for line in rows:
        entry = grouped.get(line[0])
        if entry is None:
            grouped[line[0]] = (line, [line[7]])
        else:
            entry[1].append(line[7])
    waiting: list[LiveTicket] = []
    for found, codes in grouped.values():
        row = found
        known = tuple(c for c in codes if c in setup.items)
        if not known:
            continue
        honoured = row[4] is not None and row[5] is not False
        waiting.append(
            LiveTicket(
                ticket=WaitingTicket(
                    ticket_id=str(row[0]),
                    number=row[1],
                    items=tuple(setup.items[c].requirement for c in known),
                    arrived_at=row[2],
                    sequence=row[3],
                    priority_group=_group(row[4]) if honoured else None,
                    appointment=AppointmentSlot(row[8], row[9]) if row[8] is not None else None,
                ),
                item_codes=known,
            )
        )
    return HallState(
        now=now,
        items=setup.items,
        windows=tuple(sorted(windows, key=lambda w: w.window.number)),
        waiting=tuple(waiting),
        arrival_rates=dict(arrival_rates or {}),
        minutes_to_close=minutes_to_close,
        routing_rules=setup.routing_rules,
        calling_policy=setup.calling_policy,
        no_show_probability=setup.no_show_probability,
        priority_shares=setup.priority_shares,
    )
