"""What a centre's hall did in a day, week or month, and what it is doing now, read from the facts.

Every figure is computed from the tickets, their history (``ticket_event``) and the service records, with
SQLAlchemy Core reads; no counter is kept or read, so a report can always be recomputed and agrees with the rows
it came from. Definitions (the page shows them in its notes):

* a ticket belongs to the period of its service day; its domain and item are those of its first item;
* **wait** = first call − arrival. The first call comes from the ticket's history; synthetic demo tickets have
  no history and use their ``called_at``. Tickets never called have no wait;
* **P90** is the nearest-rank 90th percentile (the smallest wait that at least 90 % of waits do not exceed);
  **within the promise** means a wait of at most the centre's promised minutes;
* **service time** = a service record's end − start (a visit with several items is split by standard minutes);
  a corrected record is replaced by the record correcting it;
* **no-show** = a ticket marked missed at least once (``no_show_at`` set); reinstated ones are counted too;
* **committed cases** are the 承诺件 and 容缺受理 records whose due date falls in the period, judged as of today
  with ``staffing.domain.cases.case_timeliness`` (finished = a ``case_completion`` row);
* **ratings**: visits served in the period, with ``staffing.domain.rating_counts.rating_metrics`` (contacts are
  the completed tickets that ended in the period, as in the monthly rating metrics).

Synthetic demo history (service records with ``is_synthetic``, tickets with an idempotency key ``synthetic:…``)
is included — it is the demo's data — and the report says how much of it the period holds.

The live part (:func:`live_hall`) reads the waiting tickets and the open window sessions and projects a
newcomer's wait per domain with the queue's own pure estimate (``queueing.domain.estimates.expected_wait``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.catalogue import ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus
from hall.models import ServiceItemModel, StaffModel
from queueing.domain.estimates import expected_wait, serving_windows
from queueing.domain.snapshot import AppointmentSlot, RoutingRules, StaffOnDuty, WaitingTicket, WindowSnapshot
from queueing.domain.tickets import CaseOutcome, TicketStatus
from queueing.models import (
    AppointmentModel,
    AppointmentSlotModel,
    ServiceRecordModel,
    TicketEventModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
)
from queueing.ports import CentreInfo, HallDirectory, ItemInfo, StaffInfo, WindowInfo
from staffing.domain.cases import CaseTimeliness, CommittedCase, case_timeliness
from staffing.domain.rating_counts import RatingMetrics, rating_metrics
from staffing.domain.ratings import Rating, RatingChannel, RatingLevel, RatingOrigin
from staffing.models import CaseCompletionModel, NegativeCaseModel, RatingModel
from staffing.services._convert import case_to_domain

SYNTHETIC_KEY_PREFIX: Final = "synthetic:"
WAIT_BUCKETS: Final = (0, 5, 10, 15, 20, 30, 45, 60)
"""Lower edges (minutes) of the wait distribution's bars; the last bar is "60 minutes and more"."""
P90: Final = 0.9
COMMITTED_OUTCOMES: Final = (CaseOutcome.COMMITTED.value, CaseOutcome.CONDITIONAL.value)
GREEN_SHARE: Final = 0.8
"""A projected wait up to 80 % of the promised minutes is green; up to 100 % amber; beyond it red."""


# --- periods ------------------------------------------------------------------------------------------------------
class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Period:
    """A run of local days, first to last inclusive: one day, a Monday-to-Sunday week or a calendar month."""

    kind: PeriodKind
    first: date
    last: date

    @classmethod
    def containing(cls, kind: PeriodKind, on: date) -> Period:
        """Return the day, week or month that contains ``on``."""
        if kind is PeriodKind.DAY:
            return cls(kind, on, on)
        if kind is PeriodKind.WEEK:
            monday = on - timedelta(days=on.weekday())
            return cls(kind, monday, monday + timedelta(days=6))
        first = on.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(kind, first, following - timedelta(days=1))

    def shifted(self, steps: int) -> Period:
        """Return the period ``steps`` periods later (earlier when negative)."""
        if self.kind is PeriodKind.MONTH:
            index = self.first.year * 12 + self.first.month - 1 + steps
            return Period.containing(self.kind, date(index // 12, index % 12 + 1, 1))
        length = (self.last - self.first).days + 1
        return Period.containing(self.kind, self.first + timedelta(days=length * steps))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """Return the period as ``[start, end)`` in UTC: local midnight of the first day to after the last."""
        start = datetime.combine(self.first, time.min, tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


# --- statistics ---------------------------------------------------------------------------------------------------
def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """Return the nearest-rank percentile: the smallest value that at least ``share`` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


@dataclass(frozen=True, slots=True)
class WaitStats:
    """Waits of a set of tickets, in minutes; ``None`` when there is none."""

    count: int
    mean_minutes: float | None
    p90_minutes: float | None
    within_count: int

    @property
    def within_share(self) -> float | None:
        return self.within_count / self.count if self.count else None


def wait_stats(minutes: Sequence[float], within_minutes: float) -> WaitStats:
    return WaitStats(
        count=len(minutes),
        mean_minutes=math.fsum(minutes) / len(minutes) if minutes else None,
        p90_minutes=nearest_rank(minutes, P90),
        within_count=sum(1 for m in minutes if m <= within_minutes),
    )


@dataclass(frozen=True, slots=True)
class DurationStats:
    count: int
    mean_minutes: float | None
    p90_minutes: float | None


def duration_stats(minutes: Sequence[float]) -> DurationStats:
    return DurationStats(
        count=len(minutes),
        mean_minutes=math.fsum(minutes) / len(minutes) if minutes else None,
        p90_minutes=nearest_rank(minutes, P90),
    )


def bucket_of(minutes: float) -> int:
    """Return the index of the wait bar ``minutes`` falls in (``WAIT_BUCKETS``)."""
    index = 0
    for position, edge in enumerate(WAIT_BUCKETS):
        if minutes >= edge:
            index = position
    return index


def half_hour_of(moment: datetime, zone: tzinfo) -> time:
    """Return the local half hour ``moment`` falls in (08:00, 08:30, …)."""
    local = moment.astimezone(zone)
    return time(local.hour, 30 if local.minute >= 30 else 0)


def continuous_slots(slots: set[time]) -> list[time]:
    """Every half hour from the first to the last with activity, so a chart's time axis has no holes."""
    if not slots:
        return []
    first, last = min(slots), max(slots)
    found = []
    minutes = first.hour * 60 + first.minute
    while minutes <= last.hour * 60 + last.minute:
        found.append(time(minutes // 60, minutes % 60))
        minutes += 30
    return found


# --- the report ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ItemLabel:
    code: str
    name_zh: str
    name_en: str
    domain: str


@dataclass(frozen=True, slots=True)
class HalfHourRow:
    slot: time
    arrivals: int
    calls: int
    served_items: int


@dataclass(frozen=True, slots=True)
class DayRow:
    on: date
    tickets: int
    called: int
    served_items: int
    waits: WaitStats
    no_shows: int


@dataclass(frozen=True, slots=True)
class FlowRow:
    """The tickets of one domain (or the whole centre) and what became of them."""

    key: str
    tickets: int
    called: int
    completed: int
    no_shows: int
    reinstated: int
    still_missed: int
    transfers: int
    cancelled: int
    expired: int


@dataclass(frozen=True, slots=True)
class CommittedDayRow:
    """The committed cases due on one working day, as judged today."""

    due_on: date
    due: int
    on_time: int
    late: int
    overdue_open: int
    open: int


@dataclass(frozen=True, slots=True)
class CentreReport:
    """A centre's figures for one period; see the module docstring for every definition."""

    centre_code: str
    centre_name_zh: str
    period: Period
    as_of: date
    promise_within_minutes: int
    promise_share: float
    items: Mapping[str, ItemLabel]
    tickets: int
    synthetic_tickets: int
    synthetic_records: int
    flows: FlowRow
    flows_by_domain: list[FlowRow]
    waits: WaitStats
    waits_by_domain: dict[str, WaitStats]
    waits_by_item: dict[str, WaitStats]
    wait_histogram: list[int]
    half_hours: list[HalfHourRow]
    days: list[DayRow]
    served_items: int
    service_by_level: dict[int, DurationStats]
    service_by_item: dict[str, DurationStats]
    service_by_item_level: dict[tuple[str, int], DurationStats]
    outcomes: dict[str, int]
    outcomes_by_domain: dict[str, dict[str, int]]
    committed: list[CommittedDayRow]
    ratings: RatingMetrics

    @property
    def has_synthetic(self) -> bool:
        return self.synthetic_tickets > 0 or self.synthetic_records > 0


@dataclass(slots=True)
class _Ticket:
    id: UUID
    day: date
    arrived_at: datetime
    called_at: datetime | None
    status: str
    no_show_at: datetime | None
    is_synthetic: bool
    item_code: str
    domain: str
    first_call: datetime | None = None
    actions: Counter[str] = field(default_factory=Counter)

    @property
    def wait_minutes(self) -> float | None:
        called = self.first_call or self.called_at
        if called is None or called < self.arrived_at:
            return None
        return (called - self.arrived_at).total_seconds() / 60

    @property
    def was_missed(self) -> bool:
        return self.no_show_at is not None or self.actions["mark_no_show"] > 0


async def item_labels(session: AsyncSession) -> dict[str, ItemLabel]:
    """Every catalogue item's names and domain, by code (a few dozen rows)."""
    rows = await session.execute(
        select(ServiceItemModel.code, ServiceItemModel.name_zh, ServiceItemModel.name_en, ServiceItemModel.domain)
    )
    return {code: ItemLabel(code, zh, en, domain) for code, zh, en, domain in rows.tuples()}


async def _tickets(
    session: AsyncSession, centre_id: UUID, period: Period, items: Mapping[str, ItemLabel]
) -> list[_Ticket]:
    in_period = and_(
        TicketModel.centre_id == centre_id,
        TicketModel.service_day >= period.first,
        TicketModel.service_day <= period.last,
    )
    rows = await session.execute(
        select(
            TicketModel.id,
            TicketModel.service_day,
            TicketModel.arrived_at,
            TicketModel.called_at,
            TicketModel.status,
            TicketModel.no_show_at,
            TicketModel.idempotency_key,
            TicketItemModel.item_code,
        )
        .join(TicketItemModel, and_(TicketItemModel.ticket_id == TicketModel.id, TicketItemModel.position == 0))
        .where(in_period)
    )
    tickets: dict[UUID, _Ticket] = {}
    for row in rows.tuples():
        tickets[row[0]] = _Ticket(
            id=row[0],
            day=row[1],
            arrived_at=row[2],
            called_at=row[3],
            status=row[4],
            no_show_at=row[5],
            is_synthetic=(row[6] or "").startswith(SYNTHETIC_KEY_PREFIX),
            item_code=row[7],
            domain=items[row[7]].domain if row[7] in items else "",
        )
    first_calls = await session.execute(
        select(TicketEventModel.ticket_id, func.min(TicketEventModel.at))
        .join(TicketModel, TicketModel.id == TicketEventModel.ticket_id)
        .where(in_period, TicketEventModel.action == "call")
        .group_by(TicketEventModel.ticket_id)
    )
    for ticket_id, at in first_calls.tuples():
        if ticket_id in tickets:
            tickets[ticket_id].first_call = at
    actions = await session.execute(
        select(TicketEventModel.ticket_id, TicketEventModel.action, func.count())
        .join(TicketModel, TicketModel.id == TicketEventModel.ticket_id)
        .where(in_period, TicketEventModel.action.in_(["transfer", "reinstate", "mark_no_show"]))
        .group_by(TicketEventModel.ticket_id, TicketEventModel.action)
    )
    for ticket_id, action, count in actions.tuples():
        if ticket_id in tickets:
            tickets[ticket_id].actions[action] += int(count)
    return list(tickets.values())


@dataclass(frozen=True, slots=True)
class _Record:
    item_code: str
    domain: str
    skill_level: int
    started_at: datetime
    ended_at: datetime
    outcome: str
    is_synthetic: bool

    @property
    def service_minutes(self) -> float:
        return max(0.0, (self.ended_at - self.started_at).total_seconds() / 60)


async def _corrected_ids(session: AsyncSession, centre_id: UUID) -> set[UUID]:
    """The service records replaced by a later correction (``corrects_id``)."""
    rows = await session.scalars(
        select(ServiceRecordModel.corrects_id).where(
            ServiceRecordModel.centre_id == centre_id, ServiceRecordModel.corrects_id.is_not(None)
        )
    )
    return {r for r in rows if r is not None}


async def _records(
    session: AsyncSession, centre_id: UUID, period: Period, items: Mapping[str, ItemLabel], corrected: set[UUID]
) -> list[_Record]:
    rows = await session.execute(
        select(
            ServiceRecordModel.id,
            ServiceRecordModel.item_code,
            ServiceRecordModel.domain,
            ServiceRecordModel.skill_level,
            ServiceRecordModel.started_at,
            ServiceRecordModel.ended_at,
            ServiceRecordModel.outcome,
            ServiceRecordModel.is_synthetic,
        )
        .join(TicketModel, TicketModel.id == ServiceRecordModel.ticket_id)
        .where(
            ServiceRecordModel.centre_id == centre_id,
            TicketModel.service_day >= period.first,
            TicketModel.service_day <= period.last,
        )
    )
    return [
        _Record(
            item_code=code,
            domain=domain or (items[code].domain if code in items else ""),
            skill_level=level,
            started_at=started,
            ended_at=ended,
            outcome=outcome,
            is_synthetic=bool(synthetic),
        )
        for record_id, code, domain, level, started, ended, outcome, synthetic in rows.tuples()
        if record_id not in corrected
    ]


async def _committed(
    session: AsyncSession, centre: CentreInfo, period: Period, as_of: date, corrected: set[UUID]
) -> list[CommittedDayRow]:
    rows = await session.execute(
        select(ServiceRecordModel.id, ServiceRecordModel.due_on, CaseCompletionModel.finished_on)
        .outerjoin(CaseCompletionModel, CaseCompletionModel.service_record_id == ServiceRecordModel.id)
        .where(
            ServiceRecordModel.centre_id == centre.id,
            ServiceRecordModel.outcome.in_(COMMITTED_OUTCOMES),
            ServiceRecordModel.due_on >= period.first,
            ServiceRecordModel.due_on <= period.last,
        )
    )
    judged: dict[date, Counter[str]] = defaultdict(Counter)
    for record_id, due_on, finished in rows.tuples():
        finished_on: date | None = finished  # None: no case_completion row (outer join)
        if record_id in corrected or due_on is None:
            continue
        timeliness = case_timeliness(
            CommittedCase(record_id=str(record_id), due_on=due_on, finished_on=finished_on), as_of
        )
        tally = judged[due_on]
        tally["due"] += 1
        if timeliness is CaseTimeliness.ON_TIME:
            tally["on_time"] += 1
        elif timeliness is CaseTimeliness.OPEN:
            tally["open"] += 1
        elif finished_on is None:
            tally["overdue_open"] += 1
        else:
            tally["late"] += 1
    days = [d for d in period.days if centre.calendar.is_working_day(d) or d in judged]
    return [
        CommittedDayRow(
            due_on=d,
            due=judged[d]["due"],
            on_time=judged[d]["on_time"],
            late=judged[d]["late"],
            overdue_open=judged[d]["overdue_open"],
            open=judged[d]["open"],
        )
        for d in days
    ]


async def _ratings(session: AsyncSession, centre: CentreInfo, period: Period) -> RatingMetrics:
    start, end = period.bounds(centre.zone)
    rows = (
        await session.execute(
            select(
                RatingModel.id,
                RatingModel.staff_id,
                RatingModel.level,
                RatingModel.origin,
                RatingModel.channel,
                RatingModel.served_at,
                RatingModel.rated_at,
            ).where(RatingModel.centre_id == centre.id, RatingModel.served_at >= start, RatingModel.served_at < end)
        )
    ).tuples()
    ratings = [
        Rating(
            rating_id=str(rating_id),
            staff_id=str(staff_id),
            level=RatingLevel(level),
            origin=RatingOrigin(origin),
            channel=RatingChannel(channel),
            served_at=served_at,
            rated_at=rated_at,
        )
        for rating_id, staff_id, level, origin, channel, served_at, rated_at in rows
    ]
    cases = {
        str(row.rating_id): case_to_domain(row)
        for row in await session.scalars(
            select(NegativeCaseModel).where(NegativeCaseModel.rating_id.in_([UUID(r.rating_id) for r in ratings]))
        )
    }
    contacts = int(
        await session.scalar(
            select(func.count()).where(
                TicketModel.centre_id == centre.id,
                TicketModel.status == TicketStatus.COMPLETED.value,
                TicketModel.ended_at >= start,
                TicketModel.ended_at < end,
            )
        )
        or 0
    )
    active = sum(1 for r in ratings if r.origin is RatingOrigin.ACTIVE)
    return rating_metrics(ratings, cases, contacts_count=max(contacts, active))


def _flow(key: str, tickets: Iterable[_Ticket]) -> FlowRow:
    rows = list(tickets)
    return FlowRow(
        key=key,
        tickets=len(rows),
        called=sum(1 for t in rows if t.first_call or t.called_at),
        completed=sum(1 for t in rows if t.status == TicketStatus.COMPLETED.value),
        no_shows=sum(1 for t in rows if t.was_missed),
        reinstated=sum(t.actions["reinstate"] for t in rows),
        still_missed=sum(1 for t in rows if t.status == TicketStatus.NO_SHOW.value),
        transfers=sum(t.actions["transfer"] for t in rows),
        cancelled=sum(1 for t in rows if t.status == TicketStatus.CANCELLED.value),
        expired=sum(1 for t in rows if t.status == TicketStatus.EXPIRED.value),
    )


def _domain_order(keys: Iterable[str]) -> list[str]:
    """Domains in the catalogue's order, unknown ones (an item since deleted) last."""
    known = [d.value for d in ServiceDomain]
    present = set(keys)
    return [d for d in known if d in present] + sorted(present - set(known))


async def centre_report(
    session: AsyncSession,
    centre: CentreInfo,
    period: Period,
    *,
    as_of: date,
    items: Mapping[str, ItemLabel] | None = None,
) -> CentreReport:
    """Compute a centre's report for ``period``, judging committed deadlines as of the local day ``as_of``."""
    items = items if items is not None else await item_labels(session)
    within = float(centre.promise.within_minutes)
    tickets = await _tickets(session, centre.id, period, items)
    corrected = await _corrected_ids(session, centre.id)
    records = await _records(session, centre.id, period, items, corrected)

    waits_by_domain: dict[str, list[float]] = defaultdict(list)
    waits_by_item: dict[str, list[float]] = defaultdict(list)
    all_waits: list[float] = []
    histogram = [0] * len(WAIT_BUCKETS)
    by_day: dict[date, list[_Ticket]] = defaultdict(list)
    arrivals: Counter[time] = Counter()
    calls: Counter[time] = Counter()
    for ticket in tickets:
        by_day[ticket.day].append(ticket)
        arrivals[half_hour_of(ticket.arrived_at, centre.zone)] += 1
        called = ticket.first_call or ticket.called_at
        if called is not None:
            calls[half_hour_of(called, centre.zone)] += 1
        wait = ticket.wait_minutes
        if wait is not None:
            all_waits.append(wait)
            waits_by_domain[ticket.domain].append(wait)
            waits_by_item[ticket.item_code].append(wait)
            histogram[bucket_of(wait)] += 1

    served: Counter[time] = Counter()
    by_level: dict[int, list[float]] = defaultdict(list)
    by_item: dict[str, list[float]] = defaultdict(list)
    by_item_level: dict[tuple[str, int], list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    outcomes_by_domain: dict[str, Counter[str]] = defaultdict(Counter)
    records_by_day: Counter[date] = Counter()
    for record in records:
        served[half_hour_of(record.ended_at, centre.zone)] += 1
        records_by_day[record.ended_at.astimezone(centre.zone).date()] += 1
        minutes = record.service_minutes
        by_level[record.skill_level].append(minutes)
        by_item[record.item_code].append(minutes)
        by_item_level[(record.item_code, record.skill_level)].append(minutes)
        outcomes[record.outcome] += 1
        outcomes_by_domain[record.domain][record.outcome] += 1

    slots = continuous_slots(set(arrivals) | set(calls) | set(served))
    days = (
        [
            DayRow(
                on=d,
                tickets=len(by_day[d]),
                called=sum(1 for t in by_day[d] if t.first_call or t.called_at),
                served_items=records_by_day[d],
                waits=wait_stats([w for t in by_day[d] if (w := t.wait_minutes) is not None], within),
                no_shows=sum(1 for t in by_day[d] if t.was_missed),
            )
            for d in period.days
        ]
        if period.kind is not PeriodKind.DAY
        else []
    )
    tickets_by_domain: dict[str, list[_Ticket]] = defaultdict(list)
    for ticket in tickets:
        tickets_by_domain[ticket.domain].append(ticket)
    return CentreReport(
        centre_code=centre.code,
        centre_name_zh=centre.name_zh,
        period=period,
        as_of=as_of,
        promise_within_minutes=centre.promise.within_minutes,
        promise_share=centre.promise.share_within,
        items=items,
        tickets=len(tickets),
        synthetic_tickets=sum(1 for t in tickets if t.is_synthetic),
        synthetic_records=sum(1 for r in records if r.is_synthetic),
        flows=_flow("", tickets),
        flows_by_domain=[_flow(d, tickets_by_domain[d]) for d in _domain_order(tickets_by_domain)],
        waits=wait_stats(all_waits, within),
        waits_by_domain={d: wait_stats(waits_by_domain[d], within) for d in _domain_order(waits_by_domain)},
        waits_by_item={code: wait_stats(waits_by_item[code], within) for code in sorted(waits_by_item)},
        wait_histogram=histogram,
        half_hours=[HalfHourRow(s, arrivals[s], calls[s], served[s]) for s in slots],
        days=days,
        served_items=len(records),
        service_by_level={level: duration_stats(by_level[level]) for level in sorted(by_level)},
        service_by_item={code: duration_stats(by_item[code]) for code in sorted(by_item)},
        service_by_item_level={key: duration_stats(by_item_level[key]) for key in sorted(by_item_level)},
        outcomes={o.value: outcomes[o.value] for o in CaseOutcome},
        outcomes_by_domain={
            d: {o.value: outcomes_by_domain[d][o.value] for o in CaseOutcome} for d in _domain_order(outcomes_by_domain)
        },
        committed=await _committed(session, centre, period, as_of, corrected),
        ratings=await _ratings(session, centre, period),
    )


# --- the hall now -------------------------------------------------------------------------------------------------
class Traffic(StrEnum):
    """How a projected wait stands against the centre's promise."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # nobody waiting and no window open: nothing to judge


def traffic_of(projected_minutes: float | None, promise_minutes: float, waiting: int) -> Traffic:
    """Green up to 80 % of the promised minutes, amber up to 100 %, red beyond (or nobody able to serve)."""
    if projected_minutes is None:
        return Traffic.RED if waiting else Traffic.NONE
    if projected_minutes <= GREEN_SHARE * promise_minutes:
        return Traffic.GREEN
    if projected_minutes <= promise_minutes:
        return Traffic.AMBER
    return Traffic.RED


@dataclass(frozen=True, slots=True)
class WaitingNow:
    number: str
    item_code: str
    domain: str
    arrived_at: datetime
    priority_group: PriorityGroup | None
    snapshot: WaitingTicket


@dataclass(frozen=True, slots=True)
class DomainNow:
    """One domain of the hall now: its queue, the windows able to serve it, and a newcomer's projected wait."""

    domain: str
    waiting: int
    longest_wait_minutes: float | None
    serving_windows: int
    projected_wait_minutes: float | None
    traffic: Traffic
    per_window: float | None

    def over_threshold(self, threshold: int) -> bool:
        """Return whether the queue passes the alert threshold (more than ``threshold`` per open window)."""
        if self.waiting == 0:
            return False
        if self.serving_windows == 0:
            return True
        return self.waiting / self.serving_windows > threshold


@dataclass(frozen=True, slots=True)
class WindowNow:
    """One window: its session (if someone is signed in), state, time in state and current ticket."""

    window: WindowInfo
    staff: StaffInfo | None
    skill_level: int | None
    state: str  # idle / serving / paused / closed
    state_since: datetime | None
    pause_reason: str | None
    current_number: str | None

    @property
    def is_open(self) -> bool:
        return self.staff is not None

    @property
    def in_service(self) -> bool:
        return self.window.status is WindowStatus.IN_SERVICE

    def minutes_in_state(self, now: datetime) -> float | None:
        return (now - self.state_since).total_seconds() / 60 if self.state_since else None


@dataclass(frozen=True, slots=True)
class MissedNow:
    number: str
    item_code: str
    no_show_at: datetime
    reinstate_until: datetime


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # "queue" or "pause"
    domain: str = ""
    window_number: int | None = None
    waiting: int = 0
    windows: int = 0
    minutes: float = 0.0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HallNow:
    """The hall at one moment, for the manager's live page."""

    at: datetime
    waiting: list[WaitingNow]
    domains: list[DomainNow]
    items_waiting: dict[str, int]
    windows: list[WindowNow]
    missed: list[MissedNow]
    alerts: list[Alert]

    @property
    def longest_wait_minutes(self) -> float | None:
        if not self.waiting:
            return None
        return max((self.at - w.arrived_at).total_seconds() / 60 for w in self.waiting)


async def _waiting_now(session: AsyncSession, centre: CentreInfo, offered: Mapping[str, ItemInfo]) -> list[WaitingNow]:
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
            TicketModel.centre_id == centre.id,
            TicketModel.status == TicketStatus.WAITING.value,
            TicketItemModel.is_active.is_(True),
        )
        .order_by(TicketModel.arrived_at, TicketModel.sequence, TicketItemModel.position)
    )
    grouped: dict[UUID, tuple[Any, list[str]]] = {}
    for row in rows.tuples():
        entry = grouped.setdefault(row[0], (row, []))
        entry[1].append(row[7])
    waiting = []
    for row, codes in grouped.values():
        ticket_id, number, arrived_at, sequence, group, verified, reserved, _, starts, ends = row
        requirements = tuple(offered[c].requirement for c in codes if c in offered)
        if not requirements:
            continue
        claimed = PriorityGroup(group) if group else None
        honoured = claimed is not None and verified is not False and claimed in centre.rules.priority_groups
        snapshot = WaitingTicket(
            ticket_id=str(ticket_id),
            number=number,
            items=requirements,
            arrived_at=arrived_at,
            sequence=sequence,
            priority_group=claimed if honoured else None,
            appointment=AppointmentSlot(starts, ends) if starts is not None and ends is not None else None,
            reserved_window_id=str(reserved) if reserved else None,
        )
        first = codes[0]
        waiting.append(
            WaitingNow(
                number=number,
                item_code=first,
                domain=offered[first].domain.value if first in offered else requirements[0].domain.value,
                arrived_at=arrived_at,
                priority_group=claimed,
                snapshot=snapshot,
            )
        )
    return waiting


async def _windows_now(
    session: AsyncSession, centre: CentreInfo, directory: HallDirectory
) -> tuple[list[WindowNow], list[WindowSnapshot]]:
    windows = list(await directory.windows(centre.id))
    rows = (
        (
            await session.execute(
                select(
                    WindowSessionModel.window_id,
                    WindowSessionModel.staff_id,
                    WindowSessionModel.skill_level,
                    WindowSessionModel.state,
                    WindowSessionModel.state_since,
                    WindowSessionModel.pause_reason,
                    WindowSessionModel.priority_calls_in_row,
                    TicketModel.number,
                    TicketModel.status,
                )
                .outerjoin(TicketModel, TicketModel.id == WindowSessionModel.current_ticket_id)
                .where(WindowSessionModel.centre_id == centre.id, WindowSessionModel.closed_at.is_(None))
            )
        )
        .tuples()
        .all()
    )
    staff = await directory.staff_many([r[1] for r in rows])
    sessions = {r[0]: r for r in rows}
    result: list[WindowNow] = []
    snapshots: list[WindowSnapshot] = []
    for window in sorted(windows, key=lambda w: w.number):
        row = sessions.get(window.id)
        if row is None:
            result.append(WindowNow(window, None, None, "closed", None, None, None))
            continue
        _, staff_id, level, state, since, reason, streak, number, status = row
        member = staff[staff_id]
        at_window = status in {TicketStatus.CALLED.value, TicketStatus.SERVING.value}
        result.append(WindowNow(window, member, level, state, since, reason, number if at_window else None))
        if state != "paused":
            snapshots.append(
                WindowSnapshot(
                    window_id=str(window.id),
                    number=window.number,
                    type=window.type,
                    staff=StaffOnDuty(
                        staff_id=str(member.id),
                        skill_level=SkillLevel(level),
                        qualified_domains=member.qualified_domains,
                        qualified_items=member.qualified_items,
                    ),
                    domains=window.domains,
                    item_codes=window.item_codes,
                    priority_calls_in_row=streak,
                )
            )
    return result, snapshots


async def live_hall(session: AsyncSession, directory: HallDirectory, centre: CentreInfo, now: datetime) -> HallNow:
    """Read the hall as it is at ``now``: queues per domain and item, windows, missed tickets and alerts."""
    offered = await directory.offered_items(centre.id)
    windows, snapshots = await _windows_now(session, centre, directory)
    open_ids = {str(w.window.id) for w in windows if w.is_open}
    waiting = [
        # a ticket reserved for a window nobody sits at may be called by any eligible window (as the queue does)
        w
        if w.snapshot.reserved_window_id is None or w.snapshot.reserved_window_id in open_ids
        else replace(w, snapshot=replace(w.snapshot, reserved_window_id=None))
        for w in await _waiting_now(session, centre, offered)
    ]
    rules = RoutingRules.from_centre(centre.rules, centre.promise)
    standard = [r.standard_minutes for w in waiting for r in w.snapshot.items]
    by_domain: dict[str, list[WaitingNow]] = defaultdict(list)
    for ticket in waiting:
        by_domain[ticket.domain].append(ticket)
    offered_domains = {i.domain.value for i in offered.values()}
    domains: list[DomainNow] = []
    for domain in _domain_order(offered_domains | set(by_domain)):
        queue = by_domain.get(domain, [])
        codes = Counter(t.item_code for t in queue)
        candidates = sorted(code for code, item in offered.items() if item.domain.value == domain)
        representative = codes.most_common(1)[0][0] if codes else (candidates[0] if candidates else None)
        if representative is None or representative not in offered:
            continue
        item = offered[representative]
        newcomer = WaitingTicket(
            ticket_id="newcomer",
            number="",
            items=(item.requirement,),
            arrived_at=now,
            sequence=2**31,
        )
        mean_service = timedelta(
            minutes=math.fsum(standard) / len(standard) if standard else item.requirement.standard_minutes
        )
        projected = expected_wait(
            newcomer, [w.snapshot for w in waiting], snapshots, now, rules, mean_service=mean_service
        )
        able = len(serving_windows(newcomer, snapshots))
        projected_minutes = projected.total_seconds() / 60 if projected is not None else None
        domains.append(
            DomainNow(
                domain=domain,
                waiting=len(queue),
                longest_wait_minutes=max(((now - t.arrived_at).total_seconds() / 60 for t in queue), default=None),
                serving_windows=able,
                projected_wait_minutes=projected_minutes,
                traffic=traffic_of(projected_minutes, centre.promise.within_minutes, len(queue)),
                per_window=len(queue) / able if able else None,
            )
        )
    alerts = [
        Alert(kind="queue", domain=d.domain, waiting=d.waiting, windows=d.serving_windows)
        for d in domains
        if d.over_threshold(centre.rules.alert_waiting_per_window)
    ]
    pause_limit = centre.rules.alert_pause_minutes
    alerts += [
        Alert(kind="pause", window_number=w.window.number, minutes=minutes, reason=w.pause_reason or "")
        for w in windows
        if w.state == "paused" and (minutes := w.minutes_in_state(now) or 0.0) > pause_limit
    ]
    return HallNow(
        at=now,
        waiting=waiting,
        domains=domains,
        items_waiting=dict(Counter(t.item_code for t in waiting).most_common()),
        windows=windows,
        missed=await missed_now(session, centre, now),
        alerts=alerts,
    )


async def missed_now(session: AsyncSession, centre: CentreInfo, now: datetime) -> list[MissedNow]:
    """Today's missed tickets that may still be reinstated (within the centre's reinstatement period)."""
    within = timedelta(minutes=centre.rules.no_show_reinstate_minutes)
    rows = await session.execute(
        select(TicketModel.number, TicketModel.no_show_at, TicketItemModel.item_code)
        .join(TicketItemModel, and_(TicketItemModel.ticket_id == TicketModel.id, TicketItemModel.position == 0))
        .where(
            TicketModel.centre_id == centre.id,
            TicketModel.service_day == centre.local(now).date(),
            TicketModel.status == TicketStatus.NO_SHOW.value,
            TicketModel.no_show_at >= now - within,
        )
        .order_by(TicketModel.no_show_at.desc())
    )
    return [
        MissedNow(number=number, item_code=code, no_show_at=at, reinstate_until=at + within)
        for number, at, code in rows.tuples()
        if at is not None
    ]


async def available_staff(session: AsyncSession, centre: CentreInfo) -> list[tuple[str, str, int]]:
    """Active staff of the centre not signed in at any window now: ``(employee no, name, skill level)``."""
    busy = select(WindowSessionModel.staff_id).where(WindowSessionModel.closed_at.is_(None))
    rows = await session.execute(
        select(StaffModel.employee_no, StaffModel.name, StaffModel.skill_level)
        .where(StaffModel.centre_id == centre.id, StaffModel.is_active.is_(True), StaffModel.id.not_in(busy))
        .order_by(StaffModel.employee_no)
    )
    return [(no, name, level) for no, name, level in rows.tuples()]


__all__ = [
    "WAIT_BUCKETS",
    "CentreReport",
    "HallNow",
    "Period",
    "PeriodKind",
    "Traffic",
    "available_staff",
    "centre_report",
    "item_labels",
    "live_hall",
    "nearest_rank",
    "wait_stats",
]
