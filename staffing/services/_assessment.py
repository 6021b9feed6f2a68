"""The monthly assessment of a centre: compute drafts from the records, explain them, approve, recompute.

A month is computed from the records as they stand (service records, window sessions, ratings and their 差评
cases, manager entries) under the scheme version in force, and stored with every input. Drafts may be recomputed
as often as needed; approval first checks that a fresh computation still gives the stored result (otherwise the
records changed since the manager looked: recompute and look again), then freezes the month. An approved month is
never changed; the database refuses it too.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from anyio import to_thread
from sqlalchemy import select

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.domain.people import Role
from hall.domain.skills import SkillLevel
from staffing import documents
from staffing import schemas as s
from staffing.codec import decode, encode
from staffing.domain.assessment import AssessmentScheme, Grade, StaffMonthFacts
from staffing.domain.grading import GradedAssessment, excellent_places, grade_centre_month
from staffing.domain.integrity import IntegrityFlag, integrity_flags
from staffing.domain.pay import PayFacts, compute_pay
from staffing.domain.periods import Month
from staffing.domain.promotion import LevelChange, PromotionRules, PromotionSuggestion, promotion_suggestion
from staffing.domain.rating_counts import RatingMetrics
from staffing.domain.scoring import CentreBaseline, StaffAssessment, assess_staff_month, centre_baseline
from staffing.models import AssessmentModel, AssessmentMonthModel, PayRecordModel, RuleSetModel
from staffing.ports import CentreFacts, StaffFacts
from staffing.services._base import SchemeVersion, StaffingService, parse_month
from staffing.services._convert import metrics_read
from staffing.services._facts import StaffMonthInput, gather_month
from staffing.services._ratings import NegativeCaseService, RatingService

DRAFT = "draft"
APPROVED = "approved"
TIE_BREAK = (
    "优秀名额 = floor(quota × staff assessed). Candidates whose score reaches the 优秀 band are ranked by score, "
    "then satisfaction score, then workload score (all descending), then employee id ascending; the first places "
    "keep 优秀, the rest drop to the next band."
)


@dataclass(frozen=True, slots=True)
class ComputedMonth:
    """A centre-month computed in memory: the baseline, every staff member's graded assessment and flags."""

    scheme: SchemeVersion
    inputs: list[StaffMonthInput]
    baseline: CentreBaseline
    graded: dict[str, GradedAssessment]
    flags: dict[str, list[IntegrityFlag]]


def assess(inputs: Sequence[StaffMonthInput], scheme: SchemeVersion) -> ComputedMonth:
    """Run the pure core over the month's facts: baseline, scores, grades with the quota, integrity flags."""
    facts = [i.facts for i in inputs]
    baseline = centre_baseline(facts)
    scored: list[StaffAssessment] = []
    for item in inputs:
        try:
            scored.append(assess_staff_month(item.facts, baseline, scheme.scheme))
        except DomainRuleViolation as exc:
            raise DomainRuleViolation(exc.field, f"{item.staff.employee_no}: {exc.reason}") from None
    graded = {g.staff_id: g for g in grade_centre_month(scored, scheme.scheme)}
    flags = {i.facts.staff_id: list(integrity_flags(i.facts, baseline, scheme.integrity, i.ratings)) for i in inputs}
    return ComputedMonth(scheme, list(inputs), baseline, graded, flags)


def regrade(facts: Sequence[StaffMonthFacts], scheme: AssessmentScheme) -> dict[str, GradedAssessment]:
    """Recompute a stored month from its stored facts and scheme only (no database)."""
    baseline = centre_baseline(facts)
    scored = [assess_staff_month(f, baseline, scheme) for f in facts]
    return {g.staff_id: g for g in grade_centre_month(scored, scheme)}


def _flag_json(flag: IntegrityFlag) -> dict[str, Any]:
    return {"kind": flag.kind.value, "labelZh": flag.kind.label_zh, "evidence": flag.evidence}


def _line_read(line: Any) -> s.ExplanationLineRead:
    return s.ExplanationLineRead(label_zh=line.label_zh, label_en=line.label_en, value=line.value, points=line.points)


class AssessmentService(StaffingService):
    """Compute, read, approve and verify a centre's monthly assessment; a staff member's grades and level."""

    # --- computing ------------------------------------------------------------------------------------------------
    async def month_row(self, centre: CentreFacts, month: Month) -> AssessmentMonthModel | None:
        row: AssessmentMonthModel | None = await self.session.scalar(
            select(AssessmentMonthModel).where(
                AssessmentMonthModel.centre_id == centre.id, AssessmentMonthModel.month == str(month)
            )
        )
        return row

    def _check_month(self, centre: CentreFacts, month: Month) -> None:
        if month > Month.of(self.today(centre)):
            raise DomainRuleViolation("month", f"{month} has not begun")

    async def compute_fresh(self, centre: CentreFacts, month: Month, scheme: SchemeVersion) -> ComputedMonth:
        rules = await self.rating_rules_for(centre, month)
        inputs = await gather_month(
            self.session, self.sources, centre, month, as_of=self.today(centre), now=self.now(), rating_rules=rules
        )
        if not inputs:
            raise DomainRuleViolation("month", f"nobody of {centre.code} was signed in at a window in {month}")
        return assess(inputs, scheme)

    async def compute(self, centre_code: str, month_text: str) -> s.CentreAssessmentRead:
        """Compute (or recompute) the month's drafts from the records, under the scheme version in force."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        await self.compute_month(centre, month)
        return await self.centre_month_read(centre, month)

    async def compute_month(self, centre: CentreFacts, month: Month) -> AssessmentMonthModel:
        self._check_month(centre, month)
        row = await self.month_row(centre, month)
        if row is not None and row.status == APPROVED:
            raise ConflictError(
                "month", f"{centre.code} {month} was approved on {row.approved_at:%Y-%m-%d}; it is final"
            )
        scheme = await self.scheme_for(centre, month, store_default=True)
        assert scheme.row is not None
        computed = await self.compute_fresh(centre, month, scheme)
        now = self.now()
        if row is None:
            row = AssessmentMonthModel(centre_id=centre.id, month=str(month), status=DRAFT, scheme_id=scheme.row.id)
            self.session.add(row)
            action = "compute"
        else:
            action = "recompute"
        row.scheme_id = scheme.row.id
        row.baseline = encode(computed.baseline)
        row.staff_count = len(computed.inputs)
        row.excellent_places = excellent_places(len(computed.inputs), scheme.scheme)
        row.as_of = self.today(centre)
        row.computed_at = now
        await self.session.flush()
        self.record_event(
            "assessment_month",
            row.id,
            centre_id=centre.id,
            month=month,
            action=action,
            to_status=DRAFT,
            details={"scheme": f"{scheme.scheme.code} v{scheme.scheme.version}", "staff": row.staff_count},
        )
        await self._store_rows(centre, month, row, computed)
        from staffing.services._pay import PayService  # open pay drafts follow the recomputed grades

        await PayService(self.session, self.principal, self.sources, self.clock).refresh_drafts(centre, month)
        return row

    async def _store_rows(
        self, centre: CentreFacts, month: Month, month_row: AssessmentMonthModel, computed: ComputedMonth
    ) -> None:
        existing = {
            r.staff_id: r
            for r in await self.session.scalars(
                select(AssessmentModel).where(AssessmentModel.assessment_month_id == month_row.id)
            )
        }
        now = self.now()
        for item in computed.inputs:
            graded = computed.graded[item.facts.staff_id]
            result = graded.assessment
            row = existing.pop(item.staff.id, None)
            before = (str(row.score), row.grade) if row is not None else None
            if row is None:
                row = AssessmentModel(
                    assessment_month_id=month_row.id,
                    centre_id=centre.id,
                    staff_id=item.staff.id,
                    month=str(month),
                    status=DRAFT,
                )
                self.session.add(row)
            row.skill_level = int(item.facts.skill_level)
            row.score = result.score
            row.band_grade = result.band_grade.value
            row.grade = graded.grade.value
            row.excellent_rank = graded.excellent_rank
            row.note_zh = graded.note_zh
            row.note_en = graded.note_en
            row.facts = {
                "facts": encode(item.facts),
                "sources": item.sources,
                "bonusEntryIds": item.bonus_entry_ids,
                "vetoEntryIds": item.veto_entry_ids,
                "signedInDays": [d.isoformat() for d in item.signed_in_days],
                "paidLeaveDays": [d.isoformat() for d in item.paid_leave_days],
                "ratingMetrics": encode(item.metrics),
            }
            row.result = encode(result)
            row.flags = [_flag_json(f) for f in computed.flags[item.facts.staff_id]]
            row.computed_at = now
            await self.session.flush()
            if before != (str(row.score), row.grade):
                self.record_event(
                    "assessment",
                    row.id,
                    centre_id=centre.id,
                    staff_id=item.staff.id,
                    month=month,
                    action="compute" if before is None else "recompute",
                    to_status=DRAFT,
                    details={
                        "score": str(row.score),
                        "grade": row.grade,
                        **({"previousScore": before[0], "previousGrade": before[1]} if before else {}),
                    },
                )
        for stale in existing.values():  # signed-in time vanished (a session corrected): the draft goes
            pay = await self.session.scalar(select(PayRecordModel).where(PayRecordModel.assessment_id == stale.id))
            if pay is not None:
                self.record_event(
                    "pay_record",
                    pay.id,
                    centre_id=centre.id,
                    staff_id=pay.staff_id,
                    month=month,
                    action="discard",
                    from_status=pay.status,
                    details={"net": str(pay.net_amount)},
                )
                await self.session.delete(pay)
            self.record_event(
                "assessment",
                stale.id,
                centre_id=centre.id,
                staff_id=stale.staff_id,
                month=month,
                action="discard",
                from_status=stale.status,
                details={"score": str(stale.score)},
            )
            await self.session.delete(stale)
        await self.session.flush()

    # --- approving ------------------------------------------------------------------------------------------------
    async def approve(self, centre_code: str, month_text: str, data: s.ApproveAssessment) -> s.CentreAssessmentRead:
        """Approve the month's grades after checking that the drafts still match the records; final afterwards."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        if self.today(centre) <= month.last_day:
            raise ConflictError("month", f"{month} has not ended; a month is approved after its last day")
        row = await self.month_row(centre, month)
        if row is None:
            raise NotFoundError("month", f"{centre.code} {month} has not been computed yet")
        if row.status == APPROVED:
            raise ConflictError("month", f"{centre.code} {month} is already approved")
        pending = await NegativeCaseService(self.session, self.principal, self.sources, self.clock).pending_of_month(
            centre, month
        )
        if pending and not data.approve_with_pending:
            raise ConflictError(
                "negativeCases",
                f"{len(pending)} 差评 of {month} are not settled (unverified or under appeal); settle them or "
                "approve with approveWithPending (they then never count for this month)",
            )
        in_force = await self.scheme_for(centre, month, store_default=True)
        if in_force.row is not None and in_force.row.id != row.scheme_id:
            raise ConflictError(
                "month",
                f"scheme {in_force.scheme.code} v{in_force.scheme.version} is now in force for {month}: recompute and "
                "review again before approving",
            )
        scheme = await self.scheme_of_row(row.scheme_id)
        fresh = await self.compute_fresh(centre, month, scheme)
        stored = {
            str(r.staff_id): r
            for r in await self.session.scalars(
                select(AssessmentModel).where(AssessmentModel.assessment_month_id == row.id)
            )
        }
        changed = sorted(
            staff_id
            for staff_id in set(stored) | set(fresh.graded)
            if staff_id not in stored
            or staff_id not in fresh.graded
            or (stored[staff_id].score, stored[staff_id].grade)
            != (fresh.graded[staff_id].assessment.score, fresh.graded[staff_id].grade.value)
        )
        if changed:
            raise ConflictError(
                "month",
                f"the records changed since the drafts were computed ({len(changed)} staff differ): recompute and "
                "review again before approving",
            )
        now = self.now()
        row.status = APPROVED
        row.approved_at = now
        row.approved_by = self.principal.name
        for assessment in stored.values():
            assessment.status = APPROVED
            self.record_event(
                "assessment",
                assessment.id,
                centre_id=centre.id,
                staff_id=assessment.staff_id,
                month=month,
                action="approve",
                from_status=DRAFT,
                to_status=APPROVED,
                details={"score": str(assessment.score), "grade": assessment.grade},
            )
        self.record_event(
            "assessment_month",
            row.id,
            centre_id=centre.id,
            month=month,
            action="approve",
            from_status=DRAFT,
            to_status=APPROVED,
            details={"note": data.note, "pendingCaseIds": [str(p.id) for p in pending]},
        )
        await self.session.flush()
        from staffing.services._pay import PayService  # the pay drafts follow the final grades

        await PayService(self.session, self.principal, self.sources, self.clock).refresh_drafts(centre, month)
        return await self.centre_month_read(centre, month)

    # --- reading ---------------------------------------------------------------------------------------------------
    async def centre_month(self, centre_code: str, month_text: str) -> s.CentreAssessmentRead:
        centre = await self.managed_centre(centre_code)
        return await self.centre_month_read(centre, parse_month(month_text))

    async def notes_en(self, assessment_ids: list[UUID]) -> dict[UUID, str]:
        """The English "why" of each staff-month (the month's table carries only the Chinese one)."""
        if not assessment_ids:
            return {}
        rows = await self.session.execute(
            select(AssessmentModel.id, AssessmentModel.note_en, AssessmentModel.centre_id).where(
                AssessmentModel.id.in_(assessment_ids)
            )
        )
        notes = {}
        for assessment_id, note_en, centre_id in rows:
            self.require_centre(await self.sources.centre_by_id(centre_id), Role.ADMIN, Role.MANAGER)
            notes[assessment_id] = note_en
        return notes

    async def centre_month_read(self, centre: CentreFacts, month: Month) -> s.CentreAssessmentRead:
        row = await self.month_row(centre, month)
        if row is None:
            raise NotFoundError("month", f"{centre.code} {month} has not been computed yet")
        scheme = await self.scheme_of_row(row.scheme_id)
        rows = list(
            await self.session.scalars(select(AssessmentModel).where(AssessmentModel.assessment_month_id == row.id))
        )
        staff = await self.sources.staff_by_ids({r.staff_id for r in rows})
        pay = {
            p.staff_id: p
            for p in await self.session.scalars(
                select(PayRecordModel).where(PayRecordModel.centre_id == centre.id, PayRecordModel.month == str(month))
            )
        }
        table = []
        flags: list[s.IntegrityFlagRead] = []
        for record in sorted(rows, key=lambda r: staff[r.staff_id].employee_no):
            member = staff[record.staff_id]
            result = decode(StaffAssessment, record.result)
            facts = record.facts.get("facts", {})
            pay_row = pay.get(record.staff_id)
            table.append(
                s.StaffMonthRow(
                    assessment_id=record.id,
                    staff_employee_no=member.employee_no,
                    staff_name=member.name,
                    skill_level=record.skill_level,
                    score=record.score,
                    component_scores={c.component: c.score for c in result.components},
                    band_grade=Grade(record.band_grade),
                    grade=Grade(record.grade),
                    grade_label_zh=Grade(record.grade).label_zh,
                    excellent_rank=record.excellent_rank,
                    note_zh=record.note_zh,
                    flag_count=len(record.flags),
                    pending_negative_count=int(facts.get("ratings", {}).get("pending_negative_count", 0)),
                    pay_record_id=pay_row.id if pay_row else None,
                    pay_status=pay_row.status if pay_row else None,
                    net_amount=pay_row.net_amount if pay_row else None,
                )
            )
            flags += [
                s.IntegrityFlagRead(
                    kind=f["kind"], label_zh=f["labelZh"], staff_employee_no=member.employee_no, evidence=f["evidence"]
                )
                for f in record.flags
            ]
        counts = Counter(Grade(r.grade) for r in rows)
        total = len(rows) or 1
        distribution = [
            s.GradeCount(
                grade=g,
                label_zh=g.label_zh,
                count=counts[g],
                share=(Decimal(counts[g]) / total).quantize(Decimal("0.0001")),
            )
            for g in sorted(Grade, key=lambda g: -g.rank)
        ]
        baseline = decode(CentreBaseline, row.baseline)
        cases = await NegativeCaseService(self.session, self.principal, self.sources, self.clock).of_centre(
            centre.code, status=None, overdue_only=False, month_text=str(month)
        )
        metrics = await RatingService(self.session, self.principal, self.sources, self.clock).metrics_of_month(
            centre.code, str(month)
        )
        return s.CentreAssessmentRead(
            centre_code=centre.code,
            month=str(month),
            status=row.status,
            scheme_code=scheme.scheme.code,
            scheme_version=scheme.scheme.version,
            as_of=row.as_of,
            computed_at=row.computed_at,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            excellent_quota=scheme.scheme.excellent_quota,
            excellent_places=row.excellent_places,
            tie_break=TIE_BREAK,
            baseline=s.BaselineRead(
                staff_count=baseline.staff_count,
                median_workload_rate=baseline.median_workload_rate.quantize(Decimal("0.01")),
                positive_rate=_q4(baseline.positive_rate),
                very_satisfied_share=_q4(baseline.very_satisfied_share),
                mean_standard_minutes=baseline.mean_standard_minutes.quantize(Decimal("0.01"))
                if baseline.mean_standard_minutes is not None
                else None,
            ),
            distribution=distribution,
            rows=table,
            flags=flags,
            negative_cases=cases,
            rating_metrics=metrics.centre,
        )

    async def _staff_row(self, staff: StaffFacts, month: Month) -> AssessmentModel:
        row = await self.session.scalar(
            select(AssessmentModel).where(AssessmentModel.staff_id == staff.id, AssessmentModel.month == str(month))
        )
        if row is None:
            raise NotFoundError("month", f"{staff.employee_no} has no assessment for {month}")
        return row

    async def staff_month(self, employee_no: str, month_text: str) -> s.StaffAssessmentRead:
        """A staff member's month explained: each component with its weight, lines, records and the centre."""
        staff = await self.sources.staff(employee_no)
        self.require_staff_access(staff)
        month = parse_month(month_text)
        row = await self._staff_row(staff, month)
        return await self.staff_month_read(staff, row)

    async def staff_month_read(self, staff: StaffFacts, row: AssessmentModel) -> s.StaffAssessmentRead:
        month = parse_month(row.month)
        centre = await self.sources.centre_by_id(row.centre_id)
        result = decode(StaffAssessment, row.result)
        peers = [
            decode(StaffAssessment, r.result)
            for r in await self.session.scalars(
                select(AssessmentModel).where(AssessmentModel.assessment_month_id == row.assessment_month_id)
            )
        ]
        sources = row.facts.get("sources", {})
        components = []
        for component in result.components:
            scores = sorted((p.component(component.component).score for p in peers), reverse=True)
            comparison = s.CentreComparison(
                centre_mean=(sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01")),
                centre_median=Decimal(statistics.median(scores)).quantize(Decimal("0.01")),
                rank=scores.index(component.score) + 1,
                of=len(scores),
            )
            cited = sources.get(component.component.value, {})
            components.append(
                s.ComponentRead(
                    component=component.component,
                    label_zh=component.component.label_zh,
                    label_en=component.component.label_en,
                    weight=component.weight,
                    score=component.score,
                    weighted_points=component.weighted_points,
                    lines=[_line_read(line) for line in component.lines],
                    sources=s.ComponentSources(
                        service_record_ids=[UUID(x) for x in cited.get("service_record_ids", [])],
                        rating_ids=[UUID(x) for x in cited.get("rating_ids", [])],
                        pending_rating_ids=[UUID(x) for x in cited.get("pending_rating_ids", [])],
                        excluded_rating_ids=[UUID(x) for x in cited.get("excluded_rating_ids", [])],
                        entry_ids=[UUID(x) for x in cited.get("entry_ids", [])],
                        late_case_record_ids=[UUID(x) for x in cited.get("late_case_record_ids", [])],
                        open_case_record_ids=[UUID(x) for x in cited.get("open_case_record_ids", [])],
                    ),
                    centre=comparison,
                )
            )
        pay = await self.session.scalar(select(PayRecordModel).where(PayRecordModel.assessment_id == row.id))
        visible_pay = pay is not None and (self.is_manager or pay.status in {"approved", "locked"})
        metrics = decode(RatingMetrics, row.facts["ratingMetrics"]) if "ratingMetrics" in row.facts else None
        month_row = await self.session.get(AssessmentMonthModel, row.assessment_month_id)
        scheme_row = await self.session.get(RuleSetModel, month_row.scheme_id) if month_row else None
        return s.StaffAssessmentRead(
            id=row.id,
            centre_code=centre.code,
            month=str(month),
            status=row.status,
            staff_employee_no=staff.employee_no,
            staff_name=staff.name,
            skill_level=row.skill_level,
            scheme_code=result.scheme_code,
            scheme_version=result.scheme_version,
            score=row.score,
            band_grade=Grade(row.band_grade),
            grade=Grade(row.grade),
            grade_label_zh=Grade(row.grade).label_zh,
            excellent_rank=row.excellent_rank,
            note_zh=row.note_zh,
            note_en=row.note_en,
            components=components,
            score_lines=[_line_read(line) for line in result.score_lines],
            bonus_points=result.bonus_points,
            vetoes=[f"{v.kind.label_zh} ({v.on})" for v in result.vetoes],
            rating_metrics=metrics_read(metrics) if metrics else _empty_metrics(),
            flags=[
                s.IntegrityFlagRead(
                    kind=f["kind"], label_zh=f["labelZh"], staff_employee_no=staff.employee_no, evidence=f["evidence"]
                )
                for f in row.flags
            ]
            if self.is_manager
            else [],
            computed_at=row.computed_at,
            pay_record_id=pay.id if pay is not None and visible_pay else None,
            promotion=await self._promotion(staff, month, scheme_row),
        )

    async def report_pdf(self, employee_no: str, month_text: str) -> tuple[str, bytes]:
        """The staff member's month as a PDF report (the same content as :meth:`staff_month`)."""
        read = await self.staff_month(employee_no, month_text)
        centre = await self.sources.centre(read.centre_code)
        html = documents.assessment_report_html(read, centre_name=centre.name_zh, zone=centre.zone)
        return f"assessment-{employee_no}-{read.month}.pdf", await to_thread.run_sync(documents.pdf, html)

    async def staff_history(self, employee_no: str) -> list[s.StaffAssessmentSummary]:
        staff = await self.sources.staff(employee_no)
        self.require_staff_access(staff)
        rows = await self.session.scalars(
            select(AssessmentModel).where(AssessmentModel.staff_id == staff.id).order_by(AssessmentModel.month.desc())
        )
        return [
            s.StaffAssessmentSummary(
                month=r.month,
                status=r.status,
                score=r.score,
                grade=Grade(r.grade),
                grade_label_zh=Grade(r.grade).label_zh,
                assessment_id=r.id,
            )
            for r in rows
        ]

    # --- levels ----------------------------------------------------------------------------------------------------
    async def _grades(self, staff_ids: Sequence[UUID]) -> dict[UUID, dict[Month, Grade]]:
        grades: dict[UUID, dict[Month, Grade]] = {i: {} for i in staff_ids}
        for row in await self.session.scalars(
            select(AssessmentModel).where(AssessmentModel.staff_id.in_(staff_ids), AssessmentModel.status == APPROVED)
        ):
            grades[row.staff_id][parse_month(row.month)] = Grade(row.grade)
        return grades

    async def _promotion(
        self, staff: StaffFacts, as_of: Month, scheme_row: RuleSetModel | None = None
    ) -> s.PromotionRead:
        rules = PromotionRules()
        if scheme_row is not None:
            rules = decode(PromotionRules, scheme_row.body.get("promotion", {}))
        else:
            centre = await self.sources.centre_by_id(staff.centre_id)
            rules = (await self.scheme_for(centre, as_of, store_default=False)).promotion
        history = (await self.sources.level_history([staff.id])).get(staff.id, ())
        grades = (await self._grades([staff.id]))[staff.id]
        return _promotion_read(_suggest(staff, history, grades, as_of, rules), rules)

    async def promotion(self, employee_no: str, month_text: str | None) -> s.PromotionRead:
        """The staff member's level and what a promotion needs, from the approved months up to ``month``."""
        staff = await self.sources.staff(employee_no)
        self.require_staff_access(staff)
        centre = await self.sources.centre_by_id(staff.centre_id)
        as_of = parse_month(month_text) if month_text else Month.last_complete_before(self.today(centre))
        return await self._promotion(staff, as_of)

    async def promotion_suggestions(self, centre_code: str, month_text: str) -> list[s.PromotionSuggestionRead]:
        """Every staff member of the centre with a promotion or demotion suggestion as of ``month``."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        rules = (await self.scheme_for(centre, month, store_default=False)).promotion
        members = [m for m in await self.sources.staff_of_centre(centre.id) if m.is_active]
        history = await self.sources.level_history([m.id for m in members])
        grades = await self._grades([m.id for m in members])
        suggestions = []
        for member in members:
            suggestion = _suggest(member, history.get(member.id, ()), grades[member.id], month, rules)
            if suggestion.kind.value != "none":
                suggestions.append(
                    s.PromotionSuggestionRead(
                        staff_employee_no=member.employee_no,
                        staff_name=member.name,
                        promotion=_promotion_read(suggestion, rules),
                    )
                )
        return suggestions

    # --- recomputation ---------------------------------------------------------------------------------------------
    async def verify(self, centre_code: str, month_text: str) -> s.RecomputationRead:
        """Recompute the stored month from its stored facts and stored rule versions only, and compare to the fen."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        row = await self.month_row(centre, month)
        if row is None:
            raise NotFoundError("month", f"{centre.code} {month} has not been computed yet")
        return await self.verify_month(centre, month, row)

    async def verify_month(self, centre: CentreFacts, month: Month, row: AssessmentMonthModel) -> s.RecomputationRead:
        scheme = await self.scheme_of_row(row.scheme_id)
        rows = list(
            await self.session.scalars(select(AssessmentModel).where(AssessmentModel.assessment_month_id == row.id))
        )
        differences: list[s.RecomputationLine] = []
        facts = [decode(StaffMonthFacts, r.facts["facts"]) for r in rows]
        regraded = regrade(facts, scheme.scheme) if facts else {}
        for record in rows:
            again = regraded[str(record.staff_id)]
            checks = [
                ("score", record.score, again.assessment.score, record.score == again.assessment.score),
                ("grade", record.grade, again.grade.value, record.grade == again.grade.value),
                (
                    "bandGrade",
                    record.band_grade,
                    again.assessment.band_grade.value,
                    record.band_grade == again.assessment.band_grade.value,
                ),
                (
                    "excellentRank",
                    record.excellent_rank,
                    again.excellent_rank,
                    record.excellent_rank == again.excellent_rank,
                ),
                ("lines", "stored", "recomputed", encode(again.assessment) == record.result),
            ]
            differences += [
                s.RecomputationLine(what=f"{record.staff_id} {what}", stored=str(a), recomputed=str(b))
                for what, a, b, same in checks
                if not same
            ]
        pay_rows = list(
            await self.session.scalars(
                select(PayRecordModel).where(PayRecordModel.centre_id == centre.id, PayRecordModel.month == str(month))
            )
        )
        for pay in pay_rows:
            differences += await self.verify_pay(pay)
        return s.RecomputationRead(
            centre_code=centre.code,
            month=str(month),
            assessments_checked=len(rows),
            pay_records_checked=len(pay_rows),
            matches=not differences,
            differences=differences,
        )

    async def verify_pay(self, pay: PayRecordModel) -> list[s.RecomputationLine]:
        from staffing.domain.pay import PayRule

        rule_row = await self.session.get(RuleSetModel, pay.rule_id)
        assert rule_row is not None
        rule = decode(PayRule, rule_row.body, path="payRule")
        facts = decode(PayFacts, pay.inputs["facts"])
        again = compute_pay(facts, Grade(pay.inputs["grade"]), rule)
        pairs = [
            ("gross", pay.gross_amount, again.gross_amount),
            ("deductions", pay.deductions_amount, again.deductions_amount),
            ("carriedOver", pay.carried_over_amount, again.carried_over_amount),
            ("net", pay.net_amount, again.net_amount),
        ]
        lines = [
            s.RecomputationLine(what=f"pay {pay.id} {what}", stored=str(a), recomputed=str(b))
            for what, a, b in pairs
            if a != b
        ]
        if encode(list(again.lines)) != pay.lines:
            lines.append(s.RecomputationLine(what=f"pay {pay.id} lines", stored="stored", recomputed="different"))
        return lines


def _q4(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.0001")) if value is not None else None


def _empty_metrics() -> s.RatingMetricsRead:
    return s.RatingMetricsRead(
        contacts_count=0,
        ratings_count=0,
        active_count=0,
        excluded_count=0,
        positive_rate=None,
        active_positive_rate=None,
        negative_rate=None,
        active_rate=None,
        unrated_rate=None,
    )


def _suggest(
    staff: StaffFacts,
    history: Sequence[Any],
    grades: Mapping[Month, Grade],
    as_of: Month,
    rules: PromotionRules,
) -> PromotionSuggestion:
    changes: dict[Month, LevelChange] = {}
    for fact in sorted(history, key=lambda h: h.effective_on):
        month = Month.of(fact.effective_on)
        changes[month] = LevelChange(effective_month=month, level=fact.level)  # the last change of a month wins
    if not changes or min(changes) > as_of:
        changes[Month(2000, 1)] = LevelChange(effective_month=Month(2000, 1), level=staff.skill_level)
    return promotion_suggestion(list(changes.values()), grades, as_of=as_of, rules=rules)


def _promotion_read(suggestion: PromotionSuggestion, rules: PromotionRules) -> s.PromotionRead:
    return s.PromotionRead(
        current_level=int(suggestion.current_level),
        current_level_label_zh=SkillLevel(suggestion.current_level).label_zh,
        kind=suggestion.kind,
        suggested_level=int(suggestion.suggested_level) if suggestion.suggested_level else None,
        counted_months=[str(m) for m in suggestion.counted_months],
        excellent_months=suggestion.excellent_months,
        excellent_months_needed=rules.promotion_excellent_months,
        basic_pass_or_worse_months=suggestion.basic_pass_or_worse_months,
        fail_months=suggestion.fail_months,
        needs_certification=suggestion.kind.value == "promotion_eligible",
        reason_zh=suggestion.reason_zh,
        reason_en=suggestion.reason_en,
    )
