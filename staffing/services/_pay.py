"""Pay records: drafts computed from the approved grades, review with reasoned adjustments, approval, lock.

draft (computed) → in_review (adjustments and deductions only with a reason) → approved → locked. Drafts and
records in review are recomputed whenever their inputs change; approval checks that a fresh computation still
gives the stored record; an approved record changes only to be locked, and a locked record never changes (the
database refuses it as well). Corrections of an approved or locked month are adjustments in a later month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from anyio import to_thread
from sqlalchemy import select

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.domain.people import Role
from staffing import documents
from staffing import schemas as s
from staffing.codec import decode, encode
from staffing.domain.assessment import Grade, StaffMonthFacts
from staffing.domain.pay import PayAdjustment, PayComputation, PayDeduction, PayFacts, PayLine, PayRule, compute_pay
from staffing.domain.periods import Month, working_days_in
from staffing.domain.worktime import days_worked
from staffing.models import AssessmentModel, AssessmentMonthModel, PayAdjustmentModel, PayRecordModel, RuleSetModel
from staffing.ports import CentreFacts, StaffFacts
from staffing.services._base import StaffingService, parse_month

DRAFT, IN_REVIEW, APPROVED, LOCKED = "draft", "in_review", "approved", "locked"
OPEN = (DRAFT, IN_REVIEW)
FINAL = (APPROVED, LOCKED)
ACTIVE, WITHDRAWN = "active", "withdrawn"
CORRECTION_MONTHS_AHEAD = 2
"""A correction is carried by a month at most this many months after the current one (so it is soon paid and seen)."""


MAX_AMOUNT = Decimal(10) ** 10
"""Amounts of adjustments and corrections stay below ten billion yuan (and so within ``Decimal``'s precision)."""


def _money(field: str, amount: Decimal) -> None:
    """Refuse an amount that is not finite, is too large, or is not in whole fen, naming the field.

    The size is checked first: quantizing a number of 26 digits or more overflows the decimal context.
    """
    if not amount.is_finite():
        raise DomainRuleViolation(field, f"must be an amount in whole fen (two decimals), got {amount}")
    if abs(amount) >= MAX_AMOUNT:
        raise DomainRuleViolation(field, "is too large")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainRuleViolation(field, f"must be an amount in whole fen (two decimals), got {amount}")


class PayService(StaffingService):
    """Compute, review, adjust, approve, lock and correct the monthly pay records of a centre."""

    # --- computing ------------------------------------------------------------------------------------------------
    async def _pay_facts(
        self, centre: CentreFacts, month: Month, assessment: AssessmentModel
    ) -> tuple[PayFacts, dict[str, Any]]:
        stored = assessment.facts
        facts = decode(StaffMonthFacts, stored["facts"])
        signed_in = [date.fromisoformat(d) for d in stored.get("signedInDays", [])]
        leave = [date.fromisoformat(d) for d in stored.get("paidLeaveDays", [])]
        adjustments: list[PayAdjustment] = []
        deductions: list[PayDeduction] = []
        used: list[str] = []
        for row in await self.session.scalars(
            select(PayAdjustmentModel)
            .where(
                PayAdjustmentModel.staff_id == assessment.staff_id,
                PayAdjustmentModel.month == str(month),
                PayAdjustmentModel.status == ACTIVE,
            )
            .order_by(PayAdjustmentModel.created_at, PayAdjustmentModel.id)
        ):
            used.append(str(row.id))
            if row.kind == "deduction":
                deductions.append(PayDeduction(reason=row.reason, amount=row.amount))
            else:
                reason = row.reason
                if row.kind == "correction" and row.corrects_pay_record_id is not None:
                    corrected = await self.session.get(PayRecordModel, row.corrects_pay_record_id)
                    reason = f"更正 {corrected.month if corrected else ''}: {row.reason}"
                adjustments.append(PayAdjustment(reason=reason, amount=row.amount))
        previous = await self.session.scalar(
            select(PayRecordModel).where(
                PayRecordModel.staff_id == assessment.staff_id,
                PayRecordModel.month == str(month.shifted(-1)),
                PayRecordModel.status.in_(FINAL),
            )
        )
        pay_facts = PayFacts(
            staff_id=str(assessment.staff_id),
            month=month,
            skill_level=facts.skill_level,
            days_worked=days_worked(signed_in, leave, month, centre.calendar),
            working_days=working_days_in(month, centre.calendar),
            adjustments=tuple(adjustments),
            deductions=tuple(deductions),
            attendance_events=tuple(facts.attendance_events),
            carried_in_amount=previous.carried_over_amount if previous is not None else Decimal("0.00"),
        )
        extra = {"adjustmentIds": used, "carriedInFrom": str(previous.id) if previous is not None else None}
        return pay_facts, extra

    async def _compute(
        self, centre: CentreFacts, month: Month, assessment: AssessmentModel, rule: PayRule
    ) -> tuple[PayComputation, dict[str, Any]]:
        facts, extra = await self._pay_facts(centre, month, assessment)
        grade = Grade(assessment.grade)
        try:
            computed = compute_pay(facts, grade, rule)
        except DomainRuleViolation as exc:
            staff = (await self.sources.staff_by_ids([assessment.staff_id]))[assessment.staff_id]
            raise DomainRuleViolation(exc.field, f"{staff.employee_no}: {exc.reason}") from None
        inputs = {"facts": encode(facts), "grade": grade.value, "assessmentStatus": assessment.status, **extra}
        return computed, inputs

    @staticmethod
    def _store(row: PayRecordModel, computed: PayComputation, inputs: dict[str, Any], facts: PayFacts) -> None:
        row.grade = computed.grade.value
        row.skill_level = int(facts.skill_level)
        row.days_worked = facts.days_worked
        row.working_days = facts.working_days
        row.inputs = inputs
        row.lines = encode(list(computed.lines))
        row.gross_amount = computed.gross_amount
        row.deductions_amount = computed.deductions_amount
        row.carried_over_amount = computed.carried_over_amount
        row.net_amount = computed.net_amount

    async def _assessments(
        self, centre: CentreFacts, month: Month
    ) -> tuple[AssessmentMonthModel, list[AssessmentModel]]:
        month_row = await self.session.scalar(
            select(AssessmentMonthModel).where(
                AssessmentMonthModel.centre_id == centre.id, AssessmentMonthModel.month == str(month)
            )
        )
        if month_row is None:
            raise ConflictError("month", f"{centre.code} {month} is not assessed yet: compute the assessment first")
        rows = list(
            await self.session.scalars(
                select(AssessmentModel).where(AssessmentModel.assessment_month_id == month_row.id)
            )
        )
        return month_row, rows

    async def prepare_month(self, centre: CentreFacts, month: Month) -> tuple[int, list[str]]:
        """Compute a draft for every assessed staff member; approved and locked records are left alone."""
        _, assessments = await self._assessments(centre, month)
        rule_row, rule = await self.pay_rule_for(centre, month)
        existing = {
            r.staff_id: r
            for r in await self.session.scalars(
                select(PayRecordModel).where(PayRecordModel.centre_id == centre.id, PayRecordModel.month == str(month))
            )
        }
        staff = await self.sources.staff_by_ids([a.staff_id for a in assessments])
        prepared, skipped = 0, []
        for assessment in assessments:
            row = existing.get(assessment.staff_id)
            if row is not None and row.status in FINAL:
                skipped.append(f"{staff[assessment.staff_id].employee_no}: {row.status}")
                continue
            await self._recompute(centre, month, assessment, rule_row, rule, row)
            prepared += 1
        await self.session.flush()
        return prepared, skipped

    async def _recompute(
        self,
        centre: CentreFacts,
        month: Month,
        assessment: AssessmentModel,
        rule_row: RuleSetModel,
        rule: PayRule,
        row: PayRecordModel | None,
    ) -> PayRecordModel:
        computed, inputs = await self._compute(centre, month, assessment, rule)
        facts = decode(PayFacts, inputs["facts"])
        before = str(row.net_amount) if row is not None else None
        if row is None:
            row = PayRecordModel(
                centre_id=centre.id,
                staff_id=assessment.staff_id,
                month=str(month),
                status=DRAFT,
                assessment_id=assessment.id,
                rule_id=rule_row.id,
            )
            self.session.add(row)
        row.assessment_id = assessment.id
        row.rule_id = rule_row.id
        row.computed_at = self.now()
        self._store(row, computed, inputs, facts)
        await self.session.flush()
        if before != str(row.net_amount):
            self.record_event(
                "pay_record",
                row.id,
                centre_id=centre.id,
                staff_id=row.staff_id,
                month=month,
                action="compute" if before is None else "recompute",
                to_status=row.status,
                details={
                    "net": str(row.net_amount),
                    "grade": row.grade,
                    "rule": f"{rule.code} v{rule.version}",
                    **({"previousNet": before} if before is not None else {}),
                },
            )
        return row

    async def refresh_drafts(self, centre: CentreFacts, month: Month) -> int:
        """Recompute the month's open records (after the grades were approved, or inputs changed)."""
        rows = list(
            await self.session.scalars(
                select(PayRecordModel).where(
                    PayRecordModel.centre_id == centre.id,
                    PayRecordModel.month == str(month),
                    PayRecordModel.status.in_(OPEN),
                )
            )
        )
        if not rows:
            return 0
        rule_row, rule = await self.pay_rule_for(centre, month)
        for row in rows:
            assessment = await self.session.get(AssessmentModel, row.assessment_id)
            assert assessment is not None
            await self._recompute(centre, month, assessment, rule_row, rule, row)
        return len(rows)

    async def prepare(self, centre_code: str, month_text: str) -> s.CentrePayRead:
        """Compute (or recompute) the month's pay drafts from the assessment and the pay rule in force."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        await self.prepare_month(centre, month)
        return await self.centre_month_read(centre, month)

    # --- reading ---------------------------------------------------------------------------------------------------
    async def _row(self, record_id: UUID) -> tuple[PayRecordModel, CentreFacts, StaffFacts]:
        row = await self.session.get(PayRecordModel, record_id)
        if row is None:
            raise NotFoundError("recordId", f"no pay record {record_id}")
        staff = (await self.sources.staff_by_ids([row.staff_id]))[row.staff_id]
        self.require_staff_access(staff)
        if self.principal.role is Role.STAFF and row.status not in FINAL:
            raise NotFoundError("recordId", f"no pay record {record_id}")  # staff see their slip once approved
        return row, await self.sources.centre_by_id(row.centre_id), staff

    async def _managed_row(self, record_id: UUID) -> tuple[PayRecordModel, CentreFacts, StaffFacts]:
        row = await self.session.get(PayRecordModel, record_id)
        if row is None:
            raise NotFoundError("recordId", f"no pay record {record_id}")
        centre = await self.sources.centre_by_id(row.centre_id)
        self.require_centre(centre, Role.ADMIN, Role.MANAGER)
        staff = (await self.sources.staff_by_ids([row.staff_id]))[row.staff_id]
        return row, centre, staff

    async def get(self, record_id: UUID) -> s.PayRecordRead:
        row, centre, staff = await self._row(record_id)
        return await self.read(row, centre, staff)

    async def read(self, row: PayRecordModel, centre: CentreFacts, staff: StaffFacts) -> s.PayRecordRead:
        rule_row = await self.session.get(RuleSetModel, row.rule_id)
        assert rule_row is not None
        adjustments = list(
            await self.session.scalars(
                select(PayAdjustmentModel)
                .where(PayAdjustmentModel.staff_id == row.staff_id, PayAdjustmentModel.month == row.month)
                .order_by(PayAdjustmentModel.created_at, PayAdjustmentModel.id)
            )
        )
        return s.PayRecordRead(
            id=row.id,
            centre_code=centre.code,
            month=row.month,
            status=row.status,
            staff_employee_no=staff.employee_no,
            staff_name=staff.name,
            skill_level=row.skill_level,
            grade=Grade(row.grade),
            grade_label_zh=Grade(row.grade).label_zh,
            rule_code=rule_row.code,
            rule_version=rule_row.version,
            days_worked=row.days_worked,
            working_days=row.working_days,
            lines=[
                s.PayLineRead(code=x.code, label_zh=x.label_zh, label_en=x.label_en, amount=x.amount, basis=x.basis)
                for x in self.lines_of(row)
            ],
            gross_amount=row.gross_amount,
            deductions_amount=row.deductions_amount,
            carried_over_amount=row.carried_over_amount,
            net_amount=row.net_amount,
            adjustments=[await self._adjustment_read(a) for a in adjustments],
            assessment_id=row.assessment_id,
            computed_at=row.computed_at,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            locked_at=row.locked_at,
            locked_by=row.locked_by,
            history=[
                s.PayEventRead(
                    id=e.id,
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    details=dict(e.details),
                )
                for e in await self.history("pay_record", row.id)
            ],
        )

    @staticmethod
    def lines_of(row: PayRecordModel) -> list[PayLine]:
        return [decode(PayLine, line) for line in row.lines]

    async def _adjustment_read(self, row: PayAdjustmentModel) -> s.PayAdjustmentRead:
        corrected = (
            await self.session.get(PayRecordModel, row.corrects_pay_record_id) if row.corrects_pay_record_id else None
        )
        return s.PayAdjustmentRead(
            id=row.id,
            month=row.month,
            kind=s.PayAdjustmentKind(row.kind),
            amount=row.amount,
            reason=row.reason,
            status=row.status,
            corrects_pay_record_id=row.corrects_pay_record_id,
            corrects_month=corrected.month if corrected else None,
            entered_by=row.entered_by,
            entered_at=row.created_at,
        )

    async def corrections_of(self, record_id: UUID) -> list[s.PayAdjustmentRead]:
        """The corrections of this (approved or locked) record, each carried by a later month's record."""
        await self._row(record_id)  # the same access check as reading the record
        rows = await self.session.scalars(
            select(PayAdjustmentModel)
            .where(PayAdjustmentModel.corrects_pay_record_id == record_id)
            .order_by(PayAdjustmentModel.created_at, PayAdjustmentModel.id)
        )
        return [await self._adjustment_read(a) for a in rows]

    async def month_rows(self, centre: CentreFacts, month: Month) -> list[PayRecordModel]:
        return list(
            await self.session.scalars(
                select(PayRecordModel).where(PayRecordModel.centre_id == centre.id, PayRecordModel.month == str(month))
            )
        )

    async def centre_month(self, centre_code: str, month_text: str) -> s.CentrePayRead:
        centre = await self.managed_centre(centre_code)
        return await self.centre_month_read(centre, parse_month(month_text))

    async def centre_month_read(self, centre: CentreFacts, month: Month) -> s.CentrePayRead:
        rows = await self.month_rows(centre, month)
        staff = await self.sources.staff_by_ids({r.staff_id for r in rows})
        rows.sort(key=lambda r: staff[r.staff_id].employee_no)
        rule_row = await self.session.get(RuleSetModel, rows[0].rule_id) if rows else None
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return s.CentrePayRead(
            centre_code=centre.code,
            month=str(month),
            rule_code=rule_row.code if rule_row else None,
            rule_version=rule_row.version if rule_row else None,
            records=[_row_read(r, staff[r.staff_id]) for r in rows],
            status_counts=counts,
            gross_total=sum((r.gross_amount for r in rows), Decimal("0.00")),
            deductions_total=sum((r.deductions_amount for r in rows), Decimal("0.00")),
            net_total=sum((r.net_amount for r in rows), Decimal("0.00")),
        )

    async def of_staff(self, employee_no: str) -> list[s.PayRecordRow]:
        staff = await self.sources.staff(employee_no)
        self.require_staff_access(staff)
        statement = select(PayRecordModel).where(PayRecordModel.staff_id == staff.id)
        if self.principal.role is Role.STAFF:
            statement = statement.where(PayRecordModel.status.in_(FINAL))
        rows = await self.session.scalars(statement.order_by(PayRecordModel.month.desc()))
        return [_row_read(r, staff) for r in rows]

    # --- review --------------------------------------------------------------------------------------------------
    @staticmethod
    def _require_open(row: PayRecordModel) -> None:
        if row.status not in OPEN:
            raise ConflictError(
                "status",
                f"the {row.month} pay record is {row.status} and can never change; correct it with an adjustment "
                "in a later month (RecordPayCorrection)",
            )

    async def _refresh_one(self, row: PayRecordModel, centre: CentreFacts) -> None:
        month = parse_month(row.month)
        assessment = await self.session.get(AssessmentModel, row.assessment_id)
        assert assessment is not None
        rule_row, rule = await self.pay_rule_for(centre, month)
        await self._recompute(centre, month, assessment, rule_row, rule, row)

    async def add_adjustment(self, record_id: UUID, data: s.AddPayAdjustment) -> s.PayRecordRead:
        """Add an adjustment (signed) or a deduction (positive) with its reason; the record is recomputed."""
        row, centre, staff = await self._managed_row(record_id)
        self._require_open(row)
        _money("amount", data.amount)
        if data.kind is s.PayAdjustmentKind.CORRECTION:
            raise DomainRuleViolation("kind", "a correction of an earlier month is recorded on that month's record")
        try:
            if data.kind is s.PayAdjustmentKind.DEDUCTION:
                PayDeduction(reason=data.reason, amount=data.amount)
            else:
                PayAdjustment(reason=data.reason, amount=data.amount)
        except DomainRuleViolation as exc:
            raise DomainRuleViolation(exc.field.split(".")[-1], exc.reason) from None
        adjustment = PayAdjustmentModel(
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=row.month,
            kind=data.kind.value,
            amount=data.amount,
            reason=data.reason,
            status=ACTIVE,
            entered_by=self.principal.name,
        )
        self.session.add(adjustment)
        await self.session.flush()
        self.record_event(
            "pay_adjustment",
            adjustment.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=row.month,
            action="add",
            to_status=ACTIVE,
            details={"kind": data.kind.value, "amount": str(data.amount), "reason": data.reason, "record": str(row.id)},
        )
        await self._refresh_one(row, centre)
        return await self.read(row, centre, staff)

    async def withdraw_adjustment(self, adjustment_id: UUID, data: s.WithdrawPayAdjustment) -> s.PayRecordRead:
        """Withdraw an adjustment while its month's record is still open (kept, marked withdrawn, with the reason)."""
        adjustment = await self.session.get(PayAdjustmentModel, adjustment_id)
        if adjustment is None:
            raise NotFoundError("adjustmentId", f"no pay adjustment {adjustment_id}")
        centre = await self.sources.centre_by_id(adjustment.centre_id)
        self.require_centre(centre, Role.ADMIN, Role.MANAGER)
        if adjustment.status != ACTIVE:
            raise ConflictError("adjustmentId", "this adjustment was already withdrawn")
        row = await self.session.scalar(
            select(PayRecordModel).where(
                PayRecordModel.staff_id == adjustment.staff_id, PayRecordModel.month == adjustment.month
            )
        )
        if row is not None:
            self._require_open(row)
        adjustment.status = WITHDRAWN
        self.record_event(
            "pay_adjustment",
            adjustment.id,
            centre_id=centre.id,
            staff_id=adjustment.staff_id,
            month=adjustment.month,
            action="withdraw",
            from_status=ACTIVE,
            to_status=WITHDRAWN,
            details={"reason": data.reason},
        )
        await self.session.flush()
        if row is None:
            raise NotFoundError("month", f"no pay record for {adjustment.month} yet; the adjustment is withdrawn")
        await self._refresh_one(row, centre)
        staff = (await self.sources.staff_by_ids([row.staff_id]))[row.staff_id]
        return await self.read(row, centre, staff)

    def _move(self, row: PayRecordModel, to: str, *, note: str = "", **details: Any) -> None:
        before = row.status
        row.status = to
        now = self.now()
        if to == APPROVED:
            row.approved_at, row.approved_by = now, self.principal.name
        if to == LOCKED:
            row.locked_at, row.locked_by = now, self.principal.name
        self.record_event(
            "pay_record",
            row.id,
            centre_id=row.centre_id,
            staff_id=row.staff_id,
            month=row.month,
            action={IN_REVIEW: "review", APPROVED: "approve", LOCKED: "lock"}[to],
            from_status=before,
            to_status=to,
            details={"net": str(row.net_amount), **({"note": note} if note else {}), **details},
        )

    async def _review(self, row: PayRecordModel, note: str) -> None:
        if row.status != DRAFT:
            raise ConflictError("status", f"the record is {row.status}; only a draft goes to review")
        self._move(row, IN_REVIEW, note=note)

    async def _approve(self, row: PayRecordModel, centre: CentreFacts, note: str) -> None:
        if row.status != IN_REVIEW:
            raise ConflictError("status", f"the record is {row.status}; a record is approved after review (in_review)")
        assessment = await self.session.get(AssessmentModel, row.assessment_id)
        assert assessment is not None
        if assessment.status != APPROVED:
            raise ConflictError("month", f"the {row.month} grades are not approved yet; approve the assessment first")
        month = parse_month(row.month)
        rule_row, rule = await self.pay_rule_for(centre, month)
        computed, inputs = await self._compute(centre, month, assessment, rule)
        if rule_row.id != row.rule_id or inputs != row.inputs or encode(list(computed.lines)) != row.lines:
            raise ConflictError("status", "the inputs changed since the record was computed: recompute and review")
        self._move(row, APPROVED, note=note)

    async def _lock(self, row: PayRecordModel, note: str) -> None:
        if row.status != APPROVED:
            raise ConflictError("status", f"the record is {row.status}; only an approved record is locked")
        self._move(row, LOCKED, note=note)

    async def review(self, record_id: UUID, data: s.PayActionNote) -> s.PayRecordRead:
        row, centre, staff = await self._managed_row(record_id)
        await self._review(row, data.note)
        await self.session.flush()
        return await self.read(row, centre, staff)

    async def approve(self, record_id: UUID, data: s.PayActionNote) -> s.PayRecordRead:
        row, centre, staff = await self._managed_row(record_id)
        await self._approve(row, centre, data.note)
        await self.session.flush()
        return await self.read(row, centre, staff)

    async def lock(self, record_id: UUID, data: s.PayActionNote) -> s.PayRecordRead:
        row, centre, staff = await self._managed_row(record_id)
        await self._lock(row, data.note)
        await self.session.flush()
        return await self.read(row, centre, staff)

    async def act_on_month(self, centre_code: str, month_text: str, action: str, note: str) -> s.CentrePayRead:
        """Review every draft, approve every record in review, or lock every approved record of the month."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        rows = await self.month_rows(centre, month)
        if not rows:
            raise NotFoundError("month", f"{centre.code} has no pay records for {month}")
        wanted = {"review": DRAFT, "approve": IN_REVIEW, "lock": APPROVED}[action]
        targets = [r for r in rows if r.status == wanted]
        if not targets:
            raise ConflictError("status", f"no {wanted} pay record of {month} to {action}")
        for row in targets:
            if action == "review":
                await self._review(row, note)
            elif action == "approve":
                await self._approve(row, centre, note)
            else:
                await self._lock(row, note)
        await self.session.flush()
        return await self.centre_month_read(centre, month)

    # --- corrections ---------------------------------------------------------------------------------------------
    async def correct(self, record_id: UUID, data: s.RecordPayCorrection) -> s.PayAdjustmentRead:
        """Correct an approved or locked month: an adjustment on the same staff member's record of a later month."""
        row, centre, staff = await self._managed_row(record_id)
        if row.status not in FINAL:
            raise ConflictError("status", f"the record is {row.status}: adjust it directly (AddPayAdjustment)")
        _money("amount", data.amount)
        if data.amount == 0:
            raise DomainRuleViolation("amount", "must not be zero")
        target = parse_month(data.month)
        if target <= parse_month(row.month):
            raise DomainRuleViolation("month", f"a correction of {row.month} goes to a later month")
        limit = Month.of(self.today(centre)).shifted(CORRECTION_MONTHS_AHEAD)
        if target > limit:
            raise DomainRuleViolation(
                "month", f"a correction goes to a month up to {limit} (two months after the current one), not {target}"
            )
        later = await self.session.scalar(
            select(PayRecordModel).where(PayRecordModel.staff_id == row.staff_id, PayRecordModel.month == str(target))
        )
        if later is not None:
            self._require_open(later)
        adjustment = PayAdjustmentModel(
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=str(target),
            kind=s.PayAdjustmentKind.CORRECTION.value,
            amount=data.amount,
            reason=data.reason,
            corrects_pay_record_id=row.id,
            status=ACTIVE,
            entered_by=self.principal.name,
        )
        self.session.add(adjustment)
        await self.session.flush()
        self.record_event(
            "pay_adjustment",
            adjustment.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=target,
            action="correct",
            to_status=ACTIVE,
            details={"amount": str(data.amount), "reason": data.reason, "corrects": str(row.id), "of": row.month},
        )
        self.record_event(
            "pay_record",
            row.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=row.month,
            action="corrected",
            details={"adjustment": str(adjustment.id), "in": str(target), "amount": str(data.amount)},
        )
        if later is not None:
            await self._refresh_one(later, centre)
        del staff
        return await self._adjustment_read(adjustment)


def _row_read(row: PayRecordModel, staff: StaffFacts) -> s.PayRecordRow:
    return s.PayRecordRow(
        id=row.id,
        staff_employee_no=staff.employee_no,
        staff_name=staff.name,
        status=row.status,
        grade=Grade(row.grade),
        grade_label_zh=Grade(row.grade).label_zh,
        days_worked=row.days_worked,
        working_days=row.working_days,
        gross_amount=row.gross_amount,
        deductions_amount=row.deductions_amount,
        net_amount=row.net_amount,
    )


class PayDocuments(PayService):
    """Pay slips as PDF (one, or a centre-month batch in one document) and CSV/XLSX exports."""

    async def slip_pdf(self, record_id: UUID) -> tuple[str, bytes]:
        row, centre, staff = await self._row(record_id)
        read = await self.read(row, centre, staff)
        html = documents.pay_slips_html([read], centre_name=centre.name_zh, zone=centre.zone)
        return f"pay-slip-{staff.employee_no}-{row.month}.pdf", await to_thread.run_sync(documents.pdf, html)

    async def _month_reads(
        self, centre_code: str, month_text: str
    ) -> tuple[CentreFacts, s.CentrePayRead, list[s.PayRecordRead]]:
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        summary = await self.centre_month_read(centre, month)
        if not summary.records:
            raise NotFoundError("month", f"{centre.code} has no pay records for {month}")
        rows = {r.id: r for r in await self.month_rows(centre, month)}
        staff = await self.sources.staff_by_ids({r.staff_id for r in rows.values()})
        reads = [await self.read(rows[r.id], centre, staff[rows[r.id].staff_id]) for r in summary.records]
        return centre, summary, reads

    async def centre_slips_pdf(self, centre_code: str, month_text: str) -> tuple[str, bytes]:
        centre, summary, reads = await self._month_reads(centre_code, month_text)
        html = documents.centre_slips_html(summary, reads, centre_name=centre.name_zh, zone=centre.zone)
        return f"pay-slips-{centre.code}-{summary.month}.pdf", await to_thread.run_sync(documents.pdf, html)

    async def export(self, centre_code: str, month_text: str, kind: str) -> tuple[str, bytes]:
        centre, summary, reads = await self._month_reads(centre_code, month_text)
        name = f"pay-records-{centre.code}-{summary.month}.{kind}"
        if kind == "csv":
            return name, documents.export_csv(reads)
        return name, await to_thread.run_sync(
            lambda: documents.export_xlsx(reads, title=f"{centre.code} {summary.month}")
        )
