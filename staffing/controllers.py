"""HTTP API of the staffing context (version 1): 好差评 ratings and 差评 cases, rules, assessment, pay.

Handlers are thin: each calls one service method, which checks who may act on which centre and staff member.
operationIds are part of the contract for the pages and for rating-pad vendors.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from hall.domain.people import Role
from hall.security import allow, anonymous_or, public
from staffing import schemas as s
from staffing.domain.negative_cases import NegativeCaseStatus
from staffing.services import (
    AssessmentService,
    EntryService,
    NegativeCaseService,
    PayDocuments,
    RatingService,
    RuleKind,
    RuleService,
)

PEOPLE = allow(Role.ADMIN, Role.MANAGER, Role.STAFF)
MANAGERS = allow(Role.ADMIN, Role.MANAGER)
RATERS = anonymous_or(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK)  # anonymous: the visitor's phone
MonthQuery = Annotated[str, QueryParameter(pattern=r"^[0-9]{4}-[0-9]{2}$", description="the month, YYYY-MM")]
OptionalMonth = Annotated[str | None, QueryParameter(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")]
StaffQuery = Annotated[str | None, QueryParameter(max_length=32, description="a staff member's employee number")]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0)]
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(name: str, content: bytes, media_type: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


class RatingController(Controller):
    path = "/api/v1"
    tags = ["ratings"]

    @post("/ratings", guards=[RATERS], operation_id="SubmitRating", status_code=HTTP_201_CREATED)
    async def submit_rating(
        self, data: JSONBody[s.SubmitRating], ratings: NamedDependency[RatingService]
    ) -> s.RatingReceipt:
        """Rate a completed visit (一次一评) by its ticket's public code; a 差评 opens a work order.

        Channels: ``qr`` from the visitor's phone (anonymous), ``pad`` from a rating pad (kiosk-role device),
        ``paper`` for a paper form entered by staff (never for their own service). A second rating of the same
        visit is refused (409 ``publicCode``), so is a rating after the rating period (409 ``publicCode``); a
        visit not yet completed gives 409, an unknown code 404, a 差评 without reasons 422 ``reasons``.
        """
        return await ratings.submit(data)

    @get("/tickets/{public_code:str}/rating", guards=[public], operation_id="GetTicketRating")
    async def ticket_rating(
        self, public_code: FromPath[str], ratings: NamedDependency[RatingService]
    ) -> s.TicketRatingRead:
        """Whether the visit was rated, whether it may still be rated (until when), and the form's options."""
        return await ratings.ticket_rating(public_code)

    @get("/centres/{centre_code:str}/ratings", guards=[MANAGERS], operation_id="ListRatings")
    async def list_ratings(
        self,
        centre_code: FromPath[str],
        month: MonthQuery,
        ratings: NamedDependency[RatingService],
        staff: StaffQuery = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> s.RatingPage:
        """The ratings of visits served in the month, with whether each counts (valid / pending / excluded)."""
        items, total = await ratings.ratings_of_month(centre_code, month, employee_no=staff, limit=limit, offset=offset)
        return s.RatingPage(items=items, total=total, limit=limit, offset=offset)

    @get("/centres/{centre_code:str}/rating-metrics", guards=[MANAGERS], operation_id="GetRatingMetrics")
    async def rating_metrics(
        self, centre_code: FromPath[str], month: MonthQuery, ratings: NamedDependency[RatingService]
    ) -> s.CentreRatingMetricsRead:
        """好评率, 主动评价好评率, 差评率, 主动评价率 and 未评价率 of the centre and of each staff member."""
        return await ratings.metrics_of_month(centre_code, month)


class NegativeCaseController(Controller):
    path = "/api/v1"
    tags = ["差评 cases"]

    @get("/centres/{centre_code:str}/negative-cases", guards=[MANAGERS], operation_id="ListNegativeCases")
    async def list_cases(
        self,
        centre_code: FromPath[str],
        negative_cases: NamedDependency[NegativeCaseService],
        status: FromQuery[NegativeCaseStatus | None] = None,
        overdue: FromQuery[bool] = False,
        month: OptionalMonth = None,
    ) -> list[s.NegativeCaseRead]:
        """The centre's 差评 cases with their deadlines: open ones by default; ``overdue=true`` for late ones."""
        return await negative_cases.of_centre(centre_code, status=status, overdue_only=overdue, month_text=month)

    @get("/negative-cases/{case_id:uuid}", guards=[PEOPLE], operation_id="GetNegativeCase")
    async def get_case(
        self, case_id: FromPath[UUID], negative_cases: NamedDependency[NegativeCaseService]
    ) -> s.NegativeCaseRead:
        """One 差评 case: the rating, classification, deadlines (overdue ones marked), next moves and history."""
        return await negative_cases.get(case_id)

    @post(
        "/negative-cases/{case_id:uuid}/moves",
        guards=[PEOPLE],
        operation_id="MoveNegativeCase",
        status_code=HTTP_200_OK,
    )
    async def move_case(
        self,
        case_id: FromPath[UUID],
        data: JSONBody[s.MoveNegativeCase],
        negative_cases: NamedDependency[NegativeCaseService],
    ) -> s.NegativeCaseRead:
        """Move a case one step: verify (classify), rectify, reply, close, appeal (staff), review, uphold, overturn.

        Illegal moves and unmet rules (a real-name 差评 closes only after a callback; an appeal only within its
        period) are refused with 422 naming the field.
        """
        return await negative_cases.move(case_id, data)


class RulesController(Controller):
    path = "/api/v1/centres/{centre_code:str}"
    tags = ["staffing rules"]

    @get("/assessment-scheme", guards=[PEOPLE], operation_id="GetAssessmentScheme")
    async def get_scheme(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService], month: OptionalMonth = None
    ) -> s.RuleVersionRead:
        """The assessment scheme in force (own or inherited from the centre above), for the month or this month."""
        return await staffing_rules.current(centre_code, RuleKind.ASSESSMENT_SCHEME, month)

    @post("/assessment-scheme", guards=[MANAGERS], operation_id="PublishAssessmentScheme")
    async def publish_scheme(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.PublishAssessmentScheme],
        staffing_rules: NamedDependency[RuleService],
    ) -> s.RuleVersionRead:
        """Publish a new version of the centre's assessment scheme, effective from a month not yet approved."""
        return await staffing_rules.publish(
            centre_code, RuleKind.ASSESSMENT_SCHEME, data.scheme, data.effective_from, data.note
        )

    @get("/assessment-scheme/versions", guards=[MANAGERS], operation_id="ListAssessmentSchemeVersions")
    async def scheme_versions(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService]
    ) -> list[s.RuleVersionRead]:
        """Every assessment-scheme version the centre owns or inherits, newest first."""
        return await staffing_rules.versions(centre_code, RuleKind.ASSESSMENT_SCHEME)

    @get("/pay-rule", guards=[PEOPLE], operation_id="GetPayRule")
    async def get_pay_rule(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService], month: OptionalMonth = None
    ) -> s.RuleVersionRead:
        """The pay rule in force (own or inherited); 404 while none is published."""
        return await staffing_rules.current(centre_code, RuleKind.PAY_RULE, month)

    @post("/pay-rule", guards=[MANAGERS], operation_id="PublishPayRule")
    async def publish_pay_rule(
        self, centre_code: FromPath[str], data: JSONBody[s.PublishPayRule], staffing_rules: NamedDependency[RuleService]
    ) -> s.RuleVersionRead:
        """Publish a new version of the pay rule (amounts in whole fen), effective from a month not yet paid."""
        return await staffing_rules.publish(centre_code, RuleKind.PAY_RULE, data.rule, data.effective_from, data.note)

    @get("/pay-rule/versions", guards=[MANAGERS], operation_id="ListPayRuleVersions")
    async def pay_rule_versions(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService]
    ) -> list[s.RuleVersionRead]:
        """Every pay-rule version the centre owns or inherits, newest first."""
        return await staffing_rules.versions(centre_code, RuleKind.PAY_RULE)

    @get("/rating-rules", guards=[PEOPLE], operation_id="GetRatingRules")
    async def get_rating_rules(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService], month: OptionalMonth = None
    ) -> s.RuleVersionRead:
        """The 好差评 rules in force: deadlines in working days, the rating period, the default rating."""
        return await staffing_rules.current(centre_code, RuleKind.RATING_RULES, month)

    @post("/rating-rules", guards=[MANAGERS], operation_id="PublishRatingRules")
    async def publish_rating_rules(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.PublishRatingRules],
        staffing_rules: NamedDependency[RuleService],
    ) -> s.RuleVersionRead:
        """Publish new 好差评 rules (e.g. reply within 15 working days), effective from a month."""
        return await staffing_rules.publish(
            centre_code, RuleKind.RATING_RULES, data.rules, data.effective_from, data.note
        )

    @get("/rating-rules/versions", guards=[MANAGERS], operation_id="ListRatingRulesVersions")
    async def rating_rules_versions(
        self, centre_code: FromPath[str], staffing_rules: NamedDependency[RuleService]
    ) -> list[s.RuleVersionRead]:
        """Every rating-rules version the centre owns or inherits, newest first."""
        return await staffing_rules.versions(centre_code, RuleKind.RATING_RULES)


class EntryController(Controller):
    path = "/api/v1"
    tags = ["assessment entries"]

    @post("/centres/{centre_code:str}/assessment-entries", guards=[MANAGERS], operation_id="RecordAssessmentEntry")
    async def record_entry(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.RecordAssessmentEntry],
        assessment_entries: NamedDependency[EntryService],
    ) -> s.AssessmentEntryRead:
        """Record a quality or attendance event, a bonus, a veto or a paid leave, with its evidence."""
        return await assessment_entries.record(centre_code, data)

    @get("/centres/{centre_code:str}/assessment-entries", guards=[MANAGERS], operation_id="ListAssessmentEntries")
    async def list_entries(
        self,
        centre_code: FromPath[str],
        month: MonthQuery,
        assessment_entries: NamedDependency[EntryService],
        staff: StaffQuery = None,
    ) -> list[s.AssessmentEntryRead]:
        """The month's entries (withdrawn ones included, marked)."""
        return await assessment_entries.of_month(centre_code, month, staff)

    @post(
        "/assessment-entries/{entry_id:uuid}/withdraw",
        guards=[MANAGERS],
        operation_id="WithdrawAssessmentEntry",
        status_code=HTTP_200_OK,
    )
    async def withdraw_entry(
        self,
        entry_id: FromPath[UUID],
        data: JSONBody[s.WithdrawEntry],
        assessment_entries: NamedDependency[EntryService],
    ) -> s.AssessmentEntryRead:
        """Withdraw an entry with a reason (kept, marked withdrawn); refused once its month is approved."""
        return await assessment_entries.withdraw(entry_id, data)

    @post("/centres/{centre_code:str}/case-completions", guards=[MANAGERS], operation_id="RecordCaseCompletion")
    async def record_completion(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.RecordCaseCompletion],
        assessment_entries: NamedDependency[EntryService],
    ) -> s.CaseCompletionRead:
        """Record the day a committed case (承诺件 / 容缺受理) was finished; on time if by its due date."""
        return await assessment_entries.record_completion(centre_code, data)


class AssessmentController(Controller):
    path = "/api/v1"
    tags = ["assessment"]

    @post(
        "/centres/{centre_code:str}/assessments/{month:str}/compute",
        guards=[MANAGERS],
        operation_id="ComputeCentreAssessment",
        status_code=HTTP_200_OK,
    )
    async def compute(
        self, centre_code: FromPath[str], month: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> s.CentreAssessmentRead:
        """Compute (or recompute) the month's draft assessment of every staff member signed in that month."""
        return await assessments.compute(centre_code, month)

    @get("/centres/{centre_code:str}/assessments/{month:str}", guards=[MANAGERS], operation_id="GetCentreAssessment")
    async def centre_month(
        self, centre_code: FromPath[str], month: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> s.CentreAssessmentRead:
        """The month's table: scores, grades, the distribution against the 优秀 quota, flags, 差评 deadlines."""
        return await assessments.centre_month(centre_code, month)

    @post(
        "/centres/{centre_code:str}/assessments/{month:str}/approve",
        guards=[MANAGERS],
        operation_id="ApproveCentreAssessment",
        status_code=HTTP_200_OK,
    )
    async def approve(
        self,
        centre_code: FromPath[str],
        month: FromPath[str],
        data: JSONBody[s.ApproveAssessment],
        assessments: NamedDependency[AssessmentService],
    ) -> s.CentreAssessmentRead:
        """Approve the month's grades (final); refused while the records differ from the drafts or 差评 are open."""
        return await assessments.approve(centre_code, month, data)

    @get(
        "/centres/{centre_code:str}/assessments/{month:str}/recomputation",
        guards=[MANAGERS],
        operation_id="VerifyCentreMonth",
    )
    async def verify(
        self, centre_code: FromPath[str], month: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> s.RecomputationRead:
        """Recompute the stored month from its stored inputs and rule versions; ``matches`` when equal to the fen."""
        return await assessments.verify(centre_code, month)

    @get("/centres/{centre_code:str}/promotion-suggestions", guards=[MANAGERS], operation_id="ListPromotionSuggestions")
    async def promotion_suggestions(
        self, centre_code: FromPath[str], month: MonthQuery, assessments: NamedDependency[AssessmentService]
    ) -> list[s.PromotionSuggestionRead]:
        """Staff with a promotion (subject to certification) or demotion suggestion, from the approved grades."""
        return await assessments.promotion_suggestions(centre_code, month)

    @get("/staff/{employee_no:str}/assessments", guards=[PEOPLE], operation_id="ListStaffAssessments")
    async def staff_history(
        self, employee_no: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> list[s.StaffAssessmentSummary]:
        """A staff member's months, newest first (staff see only their own)."""
        return await assessments.staff_history(employee_no)

    @get("/staff/{employee_no:str}/assessments/{month:str}", guards=[PEOPLE], operation_id="GetStaffAssessment")
    async def staff_month(
        self, employee_no: FromPath[str], month: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> s.StaffAssessmentRead:
        """One month explained: each component's weight, score, lines, source records and the centre comparison."""
        return await assessments.staff_month(employee_no, month)

    @get(
        "/staff/{employee_no:str}/assessments/{month:str}/report.pdf",
        guards=[PEOPLE],
        operation_id="DownloadAssessmentReport",
        media_type=PDF,
    )
    async def report_pdf(
        self, employee_no: FromPath[str], month: FromPath[str], assessments: NamedDependency[AssessmentService]
    ) -> Response[bytes]:
        """The month's assessment report as PDF (Chinese, with the shipped CJK font)."""
        return download(*await assessments.report_pdf(employee_no, month), PDF)

    @get("/staff/{employee_no:str}/promotion", guards=[PEOPLE], operation_id="GetPromotionStatus")
    async def promotion(
        self, employee_no: FromPath[str], assessments: NamedDependency[AssessmentService], month: OptionalMonth = None
    ) -> s.PromotionRead:
        """The staff member's skill level and what promotion needs (优秀 months and certification)."""
        return await assessments.promotion(employee_no, month)


class PayController(Controller):
    path = "/api/v1"
    tags = ["pay"]

    @post(
        "/centres/{centre_code:str}/pay-records/{month:str}/drafts",
        guards=[MANAGERS],
        operation_id="PreparePayDrafts",
        status_code=HTTP_200_OK,
    )
    async def prepare(
        self, centre_code: FromPath[str], month: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> s.CentrePayRead:
        """Compute (or recompute) the month's pay drafts from the assessment and the pay rule in force."""
        return await pay.prepare(centre_code, month)

    @get("/centres/{centre_code:str}/pay-records/{month:str}", guards=[MANAGERS], operation_id="ListPayRecords")
    async def centre_month(
        self, centre_code: FromPath[str], month: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> s.CentrePayRead:
        """The month's pay records with statuses and totals."""
        return await pay.centre_month(centre_code, month)

    @post(
        "/centres/{centre_code:str}/pay-records/{month:str}/review",
        guards=[MANAGERS],
        operation_id="StartCentrePayReview",
        status_code=HTTP_200_OK,
    )
    async def review_month(
        self,
        centre_code: FromPath[str],
        month: FromPath[str],
        data: JSONBody[s.PayActionNote],
        pay: NamedDependency[PayDocuments],
    ) -> s.CentrePayRead:
        """Put every draft of the month in review."""
        return await pay.act_on_month(centre_code, month, "review", data.note)

    @post(
        "/centres/{centre_code:str}/pay-records/{month:str}/approve",
        guards=[MANAGERS],
        operation_id="ApproveCentrePayRecords",
        status_code=HTTP_200_OK,
    )
    async def approve_month(
        self,
        centre_code: FromPath[str],
        month: FromPath[str],
        data: JSONBody[s.PayActionNote],
        pay: NamedDependency[PayDocuments],
    ) -> s.CentrePayRead:
        """Approve every record of the month in review (the grades must be approved first)."""
        return await pay.act_on_month(centre_code, month, "approve", data.note)

    @post(
        "/centres/{centre_code:str}/pay-records/{month:str}/lock",
        guards=[MANAGERS],
        operation_id="LockCentrePayRecords",
        status_code=HTTP_200_OK,
    )
    async def lock_month(
        self,
        centre_code: FromPath[str],
        month: FromPath[str],
        data: JSONBody[s.PayActionNote],
        pay: NamedDependency[PayDocuments],
    ) -> s.CentrePayRead:
        """Lock every approved record of the month: they can never change again (the database refuses it too)."""
        return await pay.act_on_month(centre_code, month, "lock", data.note)

    @get(
        "/centres/{centre_code:str}/pay-records/{month:str}/slips.pdf",
        guards=[MANAGERS],
        operation_id="DownloadCentrePaySlips",
        media_type=PDF,
    )
    async def slips_pdf(
        self, centre_code: FromPath[str], month: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> Response[bytes]:
        """One PDF for the centre-month: the summary table, then every staff member's slip on its own page."""
        return download(*await pay.centre_slips_pdf(centre_code, month), PDF)

    @get(
        "/centres/{centre_code:str}/pay-records/{month:str}/export.csv",
        guards=[MANAGERS],
        operation_id="ExportPayRecordsCsv",
        media_type="text/csv",
    )
    async def export_csv(
        self, centre_code: FromPath[str], month: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> Response[bytes]:
        """The month's records as CSV (UTF-8 with BOM), one row per staff member, amounts as exact decimals."""
        return download(*await pay.export(centre_code, month, "csv"), "text/csv")

    @get(
        "/centres/{centre_code:str}/pay-records/{month:str}/export.xlsx",
        guards=[MANAGERS],
        operation_id="ExportPayRecordsXlsx",
        media_type=XLSX,
    )
    async def export_xlsx(
        self, centre_code: FromPath[str], month: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> Response[bytes]:
        """The month's records as an Excel workbook."""
        return download(*await pay.export(centre_code, month, "xlsx"), XLSX)

    @get("/pay-records/{record_id:uuid}", guards=[PEOPLE], operation_id="GetPayRecord")
    async def get_record(self, record_id: FromPath[UUID], pay: NamedDependency[PayDocuments]) -> s.PayRecordRead:
        """One pay record line by line with its history (staff see their own once approved)."""
        return await pay.get(record_id)

    @get("/pay-records/{record_id:uuid}/slip.pdf", guards=[PEOPLE], operation_id="DownloadPaySlip", media_type=PDF)
    async def slip_pdf(self, record_id: FromPath[UUID], pay: NamedDependency[PayDocuments]) -> Response[bytes]:
        """The pay slip as PDF."""
        return download(*await pay.slip_pdf(record_id), PDF)

    @post("/pay-records/{record_id:uuid}/adjustments", guards=[MANAGERS], operation_id="AddPayAdjustment")
    async def add_adjustment(
        self, record_id: FromPath[UUID], data: JSONBody[s.AddPayAdjustment], pay: NamedDependency[PayDocuments]
    ) -> s.PayRecordRead:
        """Add an adjustment (signed) or a deduction (positive), always with a reason, to an open record."""
        return await pay.add_adjustment(record_id, data)

    @post(
        "/pay-records/{record_id:uuid}/review",
        guards=[MANAGERS],
        operation_id="StartPayReview",
        status_code=HTTP_200_OK,
    )
    async def review(
        self, record_id: FromPath[UUID], data: JSONBody[s.PayActionNote], pay: NamedDependency[PayDocuments]
    ) -> s.PayRecordRead:
        """Put a draft in review."""
        return await pay.review(record_id, data)

    @post(
        "/pay-records/{record_id:uuid}/approve",
        guards=[MANAGERS],
        operation_id="ApprovePayRecord",
        status_code=HTTP_200_OK,
    )
    async def approve(
        self, record_id: FromPath[UUID], data: JSONBody[s.PayActionNote], pay: NamedDependency[PayDocuments]
    ) -> s.PayRecordRead:
        """Approve a record in review; it can then only be locked."""
        return await pay.approve(record_id, data)

    @post(
        "/pay-records/{record_id:uuid}/lock", guards=[MANAGERS], operation_id="LockPayRecord", status_code=HTTP_200_OK
    )
    async def lock(
        self, record_id: FromPath[UUID], data: JSONBody[s.PayActionNote], pay: NamedDependency[PayDocuments]
    ) -> s.PayRecordRead:
        """Lock an approved record for ever."""
        return await pay.lock(record_id, data)

    @post("/pay-records/{record_id:uuid}/corrections", guards=[MANAGERS], operation_id="RecordPayCorrection")
    async def correct(
        self, record_id: FromPath[UUID], data: JSONBody[s.RecordPayCorrection], pay: NamedDependency[PayDocuments]
    ) -> s.PayAdjustmentRead:
        """Correct an approved or locked month by an adjustment in a later month's record, with the reason."""
        return await pay.correct(record_id, data)

    @post(
        "/pay-adjustments/{adjustment_id:uuid}/withdraw",
        guards=[MANAGERS],
        operation_id="WithdrawPayAdjustment",
        status_code=HTTP_200_OK,
    )
    async def withdraw_adjustment(
        self,
        adjustment_id: FromPath[UUID],
        data: JSONBody[s.WithdrawPayAdjustment],
        pay: NamedDependency[PayDocuments],
    ) -> s.PayRecordRead:
        """Withdraw an adjustment while its record is open (kept, marked withdrawn, with the reason)."""
        return await pay.withdraw_adjustment(adjustment_id, data)

    @get("/staff/{employee_no:str}/pay-records", guards=[PEOPLE], operation_id="ListStaffPayRecords")
    async def staff_records(
        self, employee_no: FromPath[str], pay: NamedDependency[PayDocuments]
    ) -> list[s.PayRecordRow]:
        """A staff member's pay records, newest first (staff see approved and locked ones)."""
        return await pay.of_staff(employee_no)


ROUTES = [
    RatingController,
    NegativeCaseController,
    RulesController,
    EntryController,
    AssessmentController,
    PayController,
]
