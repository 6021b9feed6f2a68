"""Gathering a centre-month's facts from the records: everything a score or a pay slip is computed from.

Nothing here decides anything: the rules are in ``staffing.domain``. Every fact keeps the id of the row it came
from (service records, ratings, manager entries), so each component of a score can cite its records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.errors import DomainRuleViolation
from hall.domain.skills import SkillLevel
from queueing.models import ServiceRecordModel
from staffing.domain.assessment import (
    AttendanceEvent,
    AttendanceEventKind,
    BonusAward,
    Component,
    QualityEvent,
    QualityEventKind,
    ServedItem,
    StaffMonthFacts,
    VetoEvent,
    VetoKind,
)
from staffing.domain.cases import CommittedCase, committed_case_counts
from staffing.domain.negative_cases import NegativeCase, RatingValidity, rating_validity
from staffing.domain.periods import Month
from staffing.domain.rating_counts import RatingMetrics, rating_metrics, tally_staff_ratings
from staffing.domain.ratings import Rating, RatingOrigin, RatingRules
from staffing.domain.worktime import (
    SignedInSpan,
    days_signed_in,
    leave_dates,
    month_bounds,
    signed_in_duration,
)
from staffing.models import AssessmentEntryModel, CaseCompletionModel, NegativeCaseModel, RatingModel
from staffing.ports import CentreFacts, LevelChangeFact, StaffFacts, StaffingSources
from staffing.services._convert import case_to_domain, rating_to_domain

ACTIVE = "active"
LEAVE_KIND = "paid_leave"
_MICROSECONDS_PER_MINUTE = Decimal(60_000_000)


@dataclass
class StaffMonthInput:
    """One staff member's facts for a month, the ids they came from, and the days worked for pay."""

    staff: StaffFacts
    facts: StaffMonthFacts
    sources: dict[str, dict[str, list[str]]]
    ratings: list[Rating]
    metrics: RatingMetrics
    signed_in_days: list[date]
    paid_leave_days: list[date]
    bonus_entry_ids: list[str] = field(default_factory=list)
    veto_entry_ids: list[str] = field(default_factory=list)


def standard_duration(minutes: float) -> timedelta:
    """Return a catalogue standard time exactly (the float's shortest decimal text, in whole microseconds)."""
    return timedelta(microseconds=int(Decimal(repr(minutes)) * _MICROSECONDS_PER_MINUTE))


def level_in_force(staff: StaffFacts, history: Sequence[LevelChangeFact], last_day: date) -> SkillLevel:
    """Return the skill level certified last on or before ``last_day`` (the staff's current level otherwise)."""
    known = [h for h in history if h.effective_on <= last_day]
    return max(known, key=lambda h: h.effective_on).level if known else staff.skill_level


def entry_event(row: AssessmentEntryModel) -> QualityEvent | AttendanceEvent | BonusAward | VetoEvent | None:
    """Turn a manager's entry into the event the scheme scores (``None`` for a paid leave)."""
    try:
        if row.category == "quality":
            return QualityEvent(kind=QualityEventKind(row.kind), on=row.on, note=row.evidence[:200])
        if row.category == "attendance":
            kind = AttendanceEventKind(row.kind)
            half_days = row.half_days if kind is AttendanceEventKind.ABSENCE else 1
            return AttendanceEvent(kind=kind, on=row.on, half_days=half_days, note=row.evidence[:200])
        if row.category == "veto":
            return VetoEvent(kind=VetoKind(row.kind), on=row.on, note=row.evidence[:200])
        if row.category == "bonus":
            if row.points is None:
                raise DomainRuleViolation("points", "a bonus needs its points")
            return BonusAward(points=row.points, reason=f"{row.kind}: {row.evidence}"[:200])
    except ValueError as exc:
        raise DomainRuleViolation("kind", f"{row.kind!r} is not a {row.category} kind ({exc})") from None
    return None


async def gather_month(
    session: AsyncSession,
    sources: StaffingSources,
    centre: CentreFacts,
    month: Month,
    *,
    as_of: date,
    now: datetime,
    rating_rules: RatingRules,
) -> list[StaffMonthInput]:
    """Collect the facts of every staff member of the centre who was signed in at a window during the month."""
    start, end = month_bounds(month, centre.zone)
    members = [m for m in await sources.staff_of_centre(centre.id) if m.is_active]
    ids = [m.id for m in members]
    spans: defaultdict[UUID, list[SignedInSpan]] = defaultdict(list)
    for session_fact in await sources.sessions(ids, start, end):
        closed = session_fact.closed_at or min(now, end)
        if closed > session_fact.opened_at:
            spans[session_fact.staff_id].append(SignedInSpan(session_fact.opened_at, closed))
    rostered = {m.id: signed_in_duration(spans[m.id], start, end) for m in members}
    assessed = [m for m in members if rostered[m.id] > timedelta(0)]
    assessed_ids = [m.id for m in assessed]
    history = await sources.level_history(assessed_ids)

    records = await sources.service_records(assessed_ids, start, end)
    items = await sources.items({r.item_code for r in records})
    served: defaultdict[UUID, list[tuple[str, ServedItem]]] = defaultdict(list)
    for record in records:
        item = items.get(record.item_code)
        if item is None:
            raise DomainRuleViolation("itemCode", f"service record {record.id} names unknown item {record.item_code}")
        served[record.staff_id].append(
            (
                str(record.id),
                ServedItem(
                    item_code=record.item_code,
                    standard_duration=standard_duration(item.standard_minutes),
                    actual_duration=max(record.ended_at - record.started_at, timedelta(0)),
                ),
            )
        )

    committed = await sources.committed_records(assessed_ids, month.first_day, month.last_day)
    finished: dict[UUID, date] = {}
    if committed:
        finished = dict(
            (
                await session.execute(
                    select(CaseCompletionModel.service_record_id, CaseCompletionModel.finished_on)
                    .join(ServiceRecordModel, ServiceRecordModel.id == CaseCompletionModel.service_record_id)
                    .where(
                        CaseCompletionModel.staff_id.in_(assessed_ids),
                        ServiceRecordModel.due_on >= month.first_day,
                        ServiceRecordModel.due_on <= month.last_day,
                    )
                )
            )
            .tuples()
            .all()
        )
    cases_by_staff: defaultdict[UUID, list[CommittedCase]] = defaultdict(list)
    for record in committed:
        if record.due_on is not None:
            cases_by_staff[record.staff_id].append(
                CommittedCase(record_id=str(record.id), due_on=record.due_on, finished_on=finished.get(record.id))
            )

    rating_rows = list(
        await session.scalars(
            select(RatingModel)
            .where(RatingModel.staff_id.in_(assessed_ids), RatingModel.served_at >= start, RatingModel.served_at < end)
            .order_by(RatingModel.served_at, RatingModel.id)
        )
    )
    case_rows = {
        str(c.rating_id): case_to_domain(c)
        for c in await session.scalars(
            select(NegativeCaseModel)
            .join(RatingModel, RatingModel.id == NegativeCaseModel.rating_id)
            .where(RatingModel.staff_id.in_(assessed_ids), RatingModel.served_at >= start, RatingModel.served_at < end)
        )
    }
    ratings_by_staff: defaultdict[UUID, list[Rating]] = defaultdict(list)
    for row in rating_rows:
        ratings_by_staff[row.staff_id].append(rating_to_domain(row))
    contacts_by_staff = await sources.contact_counts(centre.id, start, end)

    entries: defaultdict[UUID, list[AssessmentEntryModel]] = defaultdict(list)
    for entry in await session.scalars(
        select(AssessmentEntryModel)
        .where(
            AssessmentEntryModel.staff_id.in_(assessed_ids),
            AssessmentEntryModel.status == ACTIVE,
            AssessmentEntryModel.on >= month.first_day - timedelta(days=62),
            AssessmentEntryModel.on <= month.last_day,
        )
        .order_by(AssessmentEntryModel.on, AssessmentEntryModel.id)
    ):
        entries[entry.staff_id].append(entry)

    return [
        _staff_input(
            member,
            month,
            as_of=as_of,
            rostered=rostered[member.id],
            level=level_in_force(member, history.get(member.id, ()), month.last_day),
            served=served[member.id],
            cases=cases_by_staff[member.id],
            ratings=ratings_by_staff[member.id],
            cases_by_rating=case_rows,
            contacts_count=contacts_by_staff[member.id],
            entries=entries[member.id],
            spans=spans[member.id],
            centre=centre,
            rating_rules=rating_rules,
        )
        for member in assessed
    ]


def _staff_input(
    member: StaffFacts,
    month: Month,
    *,
    as_of: date,
    rostered: timedelta,
    level: SkillLevel,
    served: Sequence[tuple[str, ServedItem]],
    cases: Sequence[CommittedCase],
    ratings: Sequence[Rating],
    cases_by_rating: Mapping[str, NegativeCase],
    contacts_count: int,
    entries: Sequence[AssessmentEntryModel],
    spans: Sequence[SignedInSpan],
    centre: CentreFacts,
    rating_rules: RatingRules,
) -> StaffMonthInput:
    counts = committed_case_counts(cases, month, as_of)
    tally = tally_staff_ratings(ratings, cases_by_rating, rating_rules)
    validity: dict[str, list[str]] = {"rating_ids": [], "pending_rating_ids": [], "excluded_rating_ids": []}
    for rating in ratings:
        if rating.origin is RatingOrigin.DEFAULTED and not rating_rules.are_defaulted_ratings_assessed:
            validity["excluded_rating_ids"].append(rating.rating_id)
            continue
        state = rating_validity(rating, cases_by_rating.get(rating.rating_id))
        key = {
            RatingValidity.VALID: "rating_ids",
            RatingValidity.PENDING: "pending_rating_ids",
            RatingValidity.EXCLUDED: "excluded_rating_ids",
        }[state]
        validity[key].append(rating.rating_id)
    quality: list[QualityEvent] = []
    attendance: list[AttendanceEvent] = []
    bonuses: list[BonusAward] = []
    vetoes: list[VetoEvent] = []
    by_category: defaultdict[str, list[str]] = defaultdict(list)
    leave: set[date] = set()
    for entry in entries:
        if entry.category == "leave":
            if entry.kind != LEAVE_KIND:
                raise DomainRuleViolation("kind", f"{entry.kind!r} is not a leave kind (paid_leave)")
            covered = {d for d in leave_dates(entry.on, entry.days, centre.calendar) if Month.of(d) == month}
            if covered:
                leave |= covered
                by_category["leave"].append(str(entry.id))
            continue
        if Month.of(entry.on) != month:
            continue
        event = entry_event(entry)
        by_category[entry.category].append(str(entry.id))
        if isinstance(event, QualityEvent):
            quality.append(event)
        elif isinstance(event, AttendanceEvent):
            attendance.append(event)
        elif isinstance(event, BonusAward):
            bonuses.append(event)
        elif isinstance(event, VetoEvent):
            vetoes.append(event)
    record_ids = [record_id for record_id, _ in served]
    facts = StaffMonthFacts(
        staff_id=str(member.id),
        month=month,
        skill_level=level,
        rostered_duration=rostered,
        served_items=tuple(item for _, item in served),
        committed_on_time_count=counts.on_time_count,
        committed_late_count=counts.late_count,
        ratings=tally,
        quality_events=tuple(quality),
        attendance_events=tuple(attendance),
        bonuses=tuple(bonuses),
        vetoes=tuple(vetoes),
    )
    sources: dict[str, dict[str, list[str]]] = {
        Component.WORKLOAD.value: {"service_record_ids": record_ids},
        Component.EFFICIENCY.value: {
            "service_record_ids": record_ids,
            "case_record_ids": list(counts.on_time_ids),
            "late_case_record_ids": list(counts.late_ids),
            "open_case_record_ids": list(counts.open_ids),
        },
        Component.SATISFACTION.value: validity,
        Component.QUALITY.value: {"entry_ids": by_category["quality"]},
        Component.DISCIPLINE.value: {"entry_ids": by_category["attendance"]},
    }
    return StaffMonthInput(
        staff=member,
        facts=facts,
        sources=sources,
        ratings=list(ratings),
        metrics=rating_metrics(
            ratings,
            cases_by_rating,
            contacts_count=max(contacts_count, sum(1 for r in ratings if r.origin is RatingOrigin.ACTIVE)),
        ),
        signed_in_days=sorted(days_signed_in(spans, month, centre.zone)),
        paid_leave_days=sorted(leave),
        bonus_entry_ids=by_category["bonus"],
        veto_entry_ids=by_category["veto"],
    )


def sources_of(stored: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    return {k: {kk: list(vv) for kk, vv in v.items()} for k, v in stored.get("sources", {}).items()}
