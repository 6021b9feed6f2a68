"""The records behind one component of a monthly assessment, for the drill-down tables of "My grades".

``GetStaffAssessment`` names, per component, the ids of the service records, ratings and manager entries it was
computed from; no API lists those rows for a staff member, so the page reads them here, by those ids only, *after*
the assessment service has checked that the caller may see that staff member's month (staff: their own; managers:
their centres). The ids come from the service's answer, never from the request, so nothing else can be read
through this page. Service records and visits are read through the staffing context's own read port
(``StaffingSources``); ratings are turned into ``RatingRead`` by ``RatingService.rating_reads`` (the API's own
conversion, validity included); entries are shown as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.reports import ItemLabel, item_labels
from staffing import schemas as s
from staffing.domain.worktime import month_bounds
from staffing.models import AssessmentEntryModel, RatingModel
from staffing.ports import StaffingSources
from staffing.services import RatingService, parse_month


@dataclass(frozen=True, slots=True)
class ServedRow:
    """One served item as the drill-down shows it."""

    id: UUID
    started_at: datetime
    ended_at: datetime
    ticket_number: str
    window_number: int | None
    item: ItemLabel | None
    item_code: str
    skill_level: int
    outcome: str
    due_on: date | None
    standard_minutes: Decimal | None
    is_service: bool = True  # cited as a service of the month (not only as a committed case due in it)
    is_late_case: bool = False
    is_open_case: bool = False

    @property
    def exact_minutes(self) -> Decimal:
        return Decimal((self.ended_at - self.started_at) // timedelta(microseconds=1)) / Decimal(60_000_000)

    @property
    def minutes(self) -> Decimal:
        return self.exact_minutes.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One manager entry (a quality or attendance event, a veto or a paid leave) with its evidence."""

    id: UUID
    category: str
    kind: str
    on: date
    half_days: int
    days: int
    points: Decimal | None
    evidence: str
    status: str
    entered_by: str


@dataclass(slots=True)
class CitedRecords:
    """Every record one component cites, by kind."""

    served: list[ServedRow] = field(default_factory=list)
    ratings: list[s.RatingRead] = field(default_factory=list)
    pending_ratings: list[s.RatingRead] = field(default_factory=list)
    excluded_ratings: list[s.RatingRead] = field(default_factory=list)
    entries: list[EntryRow] = field(default_factory=list)
    items: dict[str, ItemLabel] = field(default_factory=dict)
    """The catalogue items' names, by code (a rating lists the codes of its visit's items)."""

    @property
    def late_cases(self) -> list[ServedRow]:
        return [r for r in self.served if r.is_late_case]

    @property
    def open_cases(self) -> list[ServedRow]:
        return [r for r in self.served if r.is_open_case]

    @property
    def total_standard_minutes(self) -> Decimal:
        return sum((r.standard_minutes or Decimal(0) for r in self.services), Decimal(0))

    @property
    def total_minutes(self) -> Decimal:
        return sum((r.exact_minutes for r in self.services), Decimal(0)).quantize(Decimal("0.01"))

    @property
    def services(self) -> list[ServedRow]:
        return [r for r in self.served if r.is_service]


async def _served(
    db_session: AsyncSession,
    sources: StaffingSources,
    read: s.StaffAssessmentRead,
    cited: s.ComponentSources,
) -> list[ServedRow]:
    wanted = set(cited.service_record_ids)
    late = set(cited.late_case_record_ids)
    still_open = set(cited.open_case_record_ids)
    every = wanted | late | still_open
    if not every:
        return []
    centre = await sources.centre(read.centre_code)
    staff = await sources.staff(read.staff_employee_no)
    start, end = month_bounds(parse_month(read.month), centre.zone)
    found = {r.id: r for r in await sources.service_records([staff.id], start, end) if r.id in every}
    for missing in every - set(found):  # a committed case served in an earlier month, due in this one
        record = await sources.record(missing)
        if record is not None:
            found[missing] = record
    contacts = await sources.contacts({r.ticket_id for r in found.values()})
    items = await item_labels(db_session)
    standards = await sources.items({r.item_code for r in found.values()})
    rows = []
    for record in sorted(found.values(), key=lambda r: (r.ended_at, r.id)):
        contact = contacts.get(record.ticket_id)
        standard = standards.get(record.item_code)
        rows.append(
            ServedRow(
                id=record.id,
                started_at=record.started_at,
                ended_at=record.ended_at,
                ticket_number=contact.number if contact else "",
                window_number=contact.window_number if contact else None,
                item=items.get(record.item_code),
                item_code=record.item_code,
                skill_level=record.skill_level,
                outcome=record.outcome,
                due_on=record.due_on,
                standard_minutes=Decimal(repr(standard.standard_minutes)).quantize(Decimal("0.01"))
                if standard
                else None,
                is_service=record.id in wanted,
                is_late_case=record.id in late,
                is_open_case=record.id in still_open,
            )
        )
    return rows


async def _ratings(db_session: AsyncSession, ratings: RatingService, ids: Sequence[UUID]) -> list[s.RatingRead]:
    if not ids:
        return []
    rows = list(await db_session.scalars(select(RatingModel).where(RatingModel.id.in_(list(ids)))))
    reads = await ratings.rating_reads(rows)
    return sorted(reads, key=lambda r: (r.served_at, r.id))


async def _entries(db_session: AsyncSession, ids: Sequence[UUID]) -> list[EntryRow]:
    if not ids:
        return []
    rows = await db_session.scalars(
        select(AssessmentEntryModel)
        .where(AssessmentEntryModel.id.in_(list(ids)))
        .order_by(AssessmentEntryModel.on, AssessmentEntryModel.id)
    )
    return [
        EntryRow(
            id=r.id,
            category=r.category,
            kind=r.kind,
            on=r.on,
            half_days=r.half_days,
            days=r.days,
            points=r.points,
            evidence=r.evidence,
            status=r.status,
            entered_by=r.entered_by,
        )
        for r in rows
    ]


async def cited_records(
    db_session: AsyncSession,
    sources: StaffingSources,
    ratings: RatingService,
    read: s.StaffAssessmentRead,
    component: s.ComponentRead,
) -> CitedRecords:
    """Read every record ``component`` of the month ``read`` cites (``read`` already access-checked)."""
    cited = component.sources
    return CitedRecords(
        served=await _served(db_session, sources, read, cited),
        ratings=await _ratings(db_session, ratings, cited.rating_ids),
        pending_ratings=await _ratings(db_session, ratings, cited.pending_rating_ids),
        excluded_ratings=await _ratings(db_session, ratings, cited.excluded_rating_ids),
        entries=await _entries(db_session, cited.entry_ids),
        items=await item_labels(db_session)
        if cited.rating_ids or cited.pending_rating_ids or cited.excluded_rating_ids
        else {},
    )
