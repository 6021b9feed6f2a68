"""Facts a manager enters with evidence (quality, attendance, bonuses, vetoes, paid leave) and finished cases.

Entries are never deleted: a mistaken one is withdrawn with a reason. A month that is approved takes no new entry
and loses none (its assessment is final; the fact belongs to a later correction).
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from staffing import schemas as s
from staffing.domain.assessment import AttendanceEventKind, QualityEventKind, VetoKind
from staffing.domain.periods import Month
from staffing.models import AssessmentEntryModel, AssessmentModel, CaseCompletionModel, RatingModel
from staffing.ports import CentreFacts, StaffFacts
from staffing.services._base import MANAGERS, StaffingService, parse_month
from staffing.services._facts import ACTIVE, LEAVE_KIND

WITHDRAWN = "withdrawn"
BONUS_KIND_LABEL = "加分"
_KIND_LABELS: dict[str, dict[str, str]] = {
    "quality": {k.value: k.label_zh for k in QualityEventKind},
    "attendance": {k.value: k.label_zh for k in AttendanceEventKind},
    "veto": {k.value: k.label_zh for k in VetoKind},
    "leave": {LEAVE_KIND: "带薪假"},
}


def kind_label(category: str, kind: str) -> str:
    return _KIND_LABELS.get(category, {}).get(kind, BONUS_KIND_LABEL if category == "bonus" else kind)


def _check_kind(data: s.RecordAssessmentEntry) -> None:
    category = data.category.value
    if category == "bonus":
        if data.points is None:
            raise DomainRuleViolation("points", "a bonus needs its points")
        if data.points <= 0 or data.points != data.points.quantize(Decimal("0.01")) or data.points > 100:
            raise DomainRuleViolation("points", "must be positive, at most 100, with at most two decimals")
        return
    if data.points is not None:
        raise DomainRuleViolation("points", "points are given only with a bonus")
    known = _KIND_LABELS[category]
    if data.kind not in known:
        raise DomainRuleViolation("kind", f"{data.kind!r} is not a {category} kind; known: {', '.join(sorted(known))}")
    if data.half_days != 1 and data.kind != AttendanceEventKind.ABSENCE.value:
        raise DomainRuleViolation("halfDays", "only an absence (旷工) spans several half-days")
    if data.days != 1 and category != "leave":
        raise DomainRuleViolation("days", "only a paid leave spans several days")


class EntryService(StaffingService):
    """Manager entries for the assessment and the completion of committed cases."""

    async def _staff_of(self, centre: CentreFacts, employee_no: str, field: str) -> StaffFacts:
        staff = await self.sources.staff(employee_no)
        if staff.centre_id != centre.id:
            raise DomainRuleViolation(field, f"{employee_no} does not work at {centre.code}")
        return staff

    async def _require_month_open(self, staff_id: UUID, month: Month, field: str) -> None:
        status = await self.session.scalar(
            select(AssessmentModel.status).where(
                AssessmentModel.staff_id == staff_id, AssessmentModel.month == str(month)
            )
        )
        if status == "approved":
            raise ConflictError(field, f"{month} is approved for this staff member; it can no longer change")

    async def record(self, centre_code: str, data: s.RecordAssessmentEntry) -> s.AssessmentEntryRead:
        """Record a quality or attendance event, a bonus, a veto or a paid leave, with its evidence."""
        centre = await self.managed_centre(centre_code)
        staff = await self._staff_of(centre, data.staff_employee_no, "staffEmployeeNo")
        _check_kind(data)
        if data.on > self.today(centre):
            raise DomainRuleViolation("on", "must not be in the future")
        await self._require_month_open(staff.id, Month.of(data.on), "on")
        if data.service_record_id is not None:
            record = await self.sources.record(data.service_record_id)
            if record is None or record.staff_id != staff.id:
                raise DomainRuleViolation("serviceRecordId", "no service record of this staff member with this id")
        if data.rating_id is not None:
            rating = await self.session.get(RatingModel, data.rating_id)
            if rating is None or rating.staff_id != staff.id:
                raise DomainRuleViolation("ratingId", "no rating of this staff member with this id")
        row = AssessmentEntryModel(
            centre_id=centre.id,
            staff_id=staff.id,
            category=data.category.value,
            kind=data.kind,
            on=data.on,
            half_days=data.half_days,
            days=data.days,
            points=data.points,
            evidence=data.evidence,
            service_record_id=data.service_record_id,
            rating_id=data.rating_id,
            status=ACTIVE,
            entered_by=self.principal.name,
        )
        self.session.add(row)
        await self.session.flush()
        self.record_event(
            "assessment_entry",
            row.id,
            centre_id=centre.id,
            staff_id=staff.id,
            month=Month.of(data.on),
            action="record",
            to_status=ACTIVE,
            details={"category": row.category, "kind": row.kind, "on": row.on.isoformat(), "evidence": row.evidence},
        )
        return self._read(row, staff)

    @staticmethod
    def _read(row: AssessmentEntryModel, staff: StaffFacts) -> s.AssessmentEntryRead:
        return s.AssessmentEntryRead(
            id=row.id,
            staff_employee_no=staff.employee_no,
            staff_name=staff.name,
            category=s.EntryCategory(row.category),
            kind=row.kind,
            kind_label_zh=kind_label(row.category, row.kind),
            on=row.on,
            half_days=row.half_days,
            days=row.days,
            points=row.points,
            evidence=row.evidence,
            service_record_id=row.service_record_id,
            rating_id=row.rating_id,
            status=row.status,
            entered_by=row.entered_by,
            entered_at=row.created_at,
        )

    async def of_month(self, centre_code: str, month_text: str, employee_no: str | None) -> list[s.AssessmentEntryRead]:
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        statement = select(AssessmentEntryModel).where(
            AssessmentEntryModel.centre_id == centre.id,
            AssessmentEntryModel.on >= month.first_day,
            AssessmentEntryModel.on <= month.last_day,
        )
        if employee_no is not None:
            staff = await self._staff_of(centre, employee_no, "staff")
            statement = statement.where(AssessmentEntryModel.staff_id == staff.id)
        rows = list(await self.session.scalars(statement.order_by(AssessmentEntryModel.on, AssessmentEntryModel.id)))
        staff_map = await self.sources.staff_by_ids({r.staff_id for r in rows})
        return [self._read(r, staff_map[r.staff_id]) for r in rows]

    async def withdraw(self, entry_id: UUID, data: s.WithdrawEntry) -> s.AssessmentEntryRead:
        row = await self.session.get(AssessmentEntryModel, entry_id)
        if row is None:
            raise NotFoundError("entryId", f"no assessment entry {entry_id}")
        centre = await self.sources.centre_by_id(row.centre_id)
        self.require_centre(centre, *MANAGERS)
        if row.status != ACTIVE:
            raise ConflictError("entryId", "this entry was already withdrawn")
        await self._require_month_open(row.staff_id, Month.of(row.on), "entryId")
        row.status = WITHDRAWN
        self.record_event(
            "assessment_entry",
            row.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=Month.of(row.on),
            action="withdraw",
            from_status=ACTIVE,
            to_status=WITHDRAWN,
            details={"reason": data.reason},
        )
        await self.session.flush()
        staff = (await self.sources.staff_by_ids([row.staff_id]))[row.staff_id]
        return self._read(row, staff)

    async def record_completion(self, centre_code: str, data: s.RecordCaseCompletion) -> s.CaseCompletionRead:
        """Record that a committed case (承诺件 or 容缺受理) was finished; on time if by its due date."""
        centre = await self.managed_centre(centre_code)
        record = await self.sources.record(data.service_record_id)
        if record is None or record.centre_id != centre.id:
            raise NotFoundError("serviceRecordId", f"no service record {data.service_record_id} at {centre.code}")
        if record.outcome not in {"committed", "conditional"} or record.due_on is None:
            raise DomainRuleViolation("serviceRecordId", "only a committed case with a due date is finished later")
        accepted_on = centre.local(record.ended_at).date()
        if not accepted_on <= data.finished_on <= self.today(centre):
            raise DomainRuleViolation("finishedOn", f"must be between {accepted_on} (accepted) and today")
        existing = await self.session.scalar(
            select(CaseCompletionModel.id).where(CaseCompletionModel.service_record_id == record.id)
        )
        if existing is not None:
            raise ConflictError("serviceRecordId", "this case was already recorded as finished")
        row = CaseCompletionModel(
            centre_id=centre.id,
            service_record_id=record.id,
            staff_id=record.staff_id,
            finished_on=data.finished_on,
            note=data.note,
            entered_by=self.principal.name,
        )
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            raise ConflictError("serviceRecordId", "this case was recorded as finished at the same moment") from None
        self.record_event(
            "case_completion",
            row.id,
            centre_id=centre.id,
            staff_id=record.staff_id,
            month=Month.of(record.due_on),
            action="record",
            details={"record": str(record.id), "dueOn": record.due_on.isoformat(), "finishedOn": str(data.finished_on)},
        )
        staff = (await self.sources.staff_by_ids([record.staff_id]))[record.staff_id]
        return s.CaseCompletionRead(
            id=row.id,
            service_record_id=record.id,
            staff_employee_no=staff.employee_no,
            item_code=record.item_code,
            due_on=record.due_on,
            finished_on=row.finished_on,
            is_on_time=row.finished_on <= record.due_on,
            entered_by=row.entered_by,
        )
