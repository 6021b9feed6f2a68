"""The manager's monthly assessment of a centre (``/manage/{centre}/assessment``) and its 差评 cases.

* The month's table (``GetCentreAssessment``): every staff member's component scores, score, grade and why; the
  grade distribution against the 优秀 quota (chart); integrity flags; the month's 差评 cases with their deadlines
  (overdue ones highlighted); promotion suggestions (``ListPromotionSuggestions``).
* Compute or recompute the drafts (``ComputeCentreAssessment``) and approve the month
  (``ApproveCentreAssessment``, optionally "with pending" 差评, which then never count for the month).
* One staff member's month explained as they see it, with the drill-down and the integrity flags.
* The 差评 cases (``ListNegativeCases``, ``GetNegativeCase``) and their moves (``MoveNegativeCase``): verify and
  classify, rectify, reply, close, and the appeal review, each with its reason.

Every change goes through the staffing services the API uses, in a savepoint: a refusal changes nothing and the
page says why, naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.errors import HallError, NotFoundError
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.admin_forms import FormInvalid, FormState, checked, refusal, wire
from hall.pages.assessment_view import COMPONENT_KEYS, component_of, entry_labeller, month_context
from hall.pages.charts import Series, bar_chart
from hall.pages.common import CentreView, centre_view
from hall.pages.exports import download
from hall.pages.forms import first, form_of
from hall.pages.grade_records import cited_records
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, in_savepoint, nav
from hall.pages.staffing_common import (
    STAFFING_EXCEPTION_HANDLERS,
    Refusal,
    month_or_default,
    path_uuid,
    refusal_message,
    refused,
)
from hall.pages.staffing_words import Words
from hall.pages.templating import page
from hall.security import current_principal
from queueing.services import QueueService
from staffing import schemas as s
from staffing.domain.assessment import Grade
from staffing.domain.negative_cases import Classification, NegativeCaseStatus
from staffing.domain.periods import Month
from staffing.services import AssessmentService, NegativeCaseService, PayDocuments, RatingService, parse_month

MonthQuery = Annotated[str | None, QueryParameter(max_length=7, description="the month, YYYY-MM")]
Done = Annotated[str | None, QueryParameter(max_length=20, description="what was just done")]
DONE: Final = {
    "computed": N_("The month's drafts are computed from the records as they stand now."),
    "approved": N_("The month is approved: the grades are final, and the pay drafts follow them."),
    "moved": N_("The case moved on. The step is in its history."),
}
CASE_LABELS: Final = {
    "to": N_("Next step"),
    "classification": N_("Classification"),
    "isComplex": N_("Complex case (longer reply deadline)"),
    "hasCallback": N_("The rater was called back"),
    "note": N_("Reason and what was done"),
}
PENDING_STATUSES: Final = frozenset(
    {NegativeCaseStatus.OPEN, NegativeCaseStatus.APPEALED, NegativeCaseStatus.UNDER_REVIEW}
)


def distribution_chart(table: s.CentreAssessmentRead, lang: str) -> Markup:
    """How many staff got each grade, with the 优秀 places the quota allows next to the 优秀 bar."""
    grades = [d.grade for d in table.distribution]
    return bar_chart(
        "chart-distribution",
        gettext(lang, N_("Grades of the month against the quota for Excellent")),
        [gettext(lang, labels.GRADES[g]) for g in grades],
        [
            Series(gettext(lang, N_("Staff with this grade")), [d.count for d in table.distribution]),
            Series(
                gettext(lang, N_("Excellent places under the quota")),
                [table.excellent_places if g is Grade.EXCELLENT else None for g in grades],
            ),
        ],
        unit=gettext(lang, N_("staff")),
    )


def done_text(lang: str, done: str | None) -> str:
    return gettext(lang, DONE[done]) if done in DONE else ""


class AssessmentPages(Controller):
    exception_handlers = STAFFING_EXCEPTION_HANDLERS  # type: ignore[assignment]
    path = "/manage/{centre_code:str}"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    async def _centre(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, queue: QueueService, code: str
    ) -> CentreView:
        return await centre_view(db_session, queue, current_principal(request), code, check_scope=True)

    # --- the month ----------------------------------------------------------------------------------------------
    async def _month_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        assessments: AssessmentService,
        centre: CentreView,
        month: Month,
        *,
        done: str | None = None,
        problem: Refusal | None = None,
        approve_form: FormState | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        try:
            table: s.CentreAssessmentRead | None = await assessments.centre_month(centre.code, str(month))
        except NotFoundError:
            table = None
        suggestions = await assessments.promotion_suggestions(centre.code, str(month))
        pending = [c for c in table.negative_cases if c.status in PENDING_STATUSES] if table else []
        today = centre.info.local(queue.clock.now()).date()
        wanted = [r.assessment_id for r in table.rows] if table and lang == "en" else []
        notes_en = await assessments.notes_en(wanted)
        return page(
            request,
            "assessment/month.html",
            words=Words(lang_of(request)),
            status_code=problem.status if problem else 200,
            centre=centre,
            zone=centre.zone,
            month=month,
            previous=month.shifted(-1),
            following=month.shifted(1),
            is_future=month > Month.of(today),
            has_ended=today > month.last_day,
            table=table,
            notes_en=notes_en,
            chart=distribution_chart(table, lang) if table else None,
            pending=pending,
            suggestions=suggestions,
            component_keys=COMPONENT_KEYS,
            done=done_text(lang, done),
            problem=problem,
            approve_form=approve_form or FormState(),
            **await nav(db_session, current_principal(request), centre.code, "assessment"),
        )

    @get("/assessment")
    async def month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
        month: MonthQuery = None,
        done: Done = None,
    ) -> Response[Any]:
        """The month's table, distribution against the quota, flags, 差评 deadlines and promotion suggestions."""
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = month_or_default(month, centre.info.local(queue.clock.now()).date())
        return await self._month_page(request, db_session, queue, assessments, centre, chosen, done=done)

    @post("/assessment/{month:str}/compute")
    async def compute(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
    ) -> Response[Any]:
        """Compute or recompute the month's drafts (``ComputeCentreAssessment``)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = parse_month(month)
        try:
            await in_savepoint(db_session, assessments.compute(centre.code, str(chosen)))
        except HallError as exc:
            return await self._month_page(
                request, db_session, queue, assessments, centre, chosen, problem=refused(request, exc)
            )
        return see_other(f"/manage/{centre.code}/assessment?month={chosen}&done=computed")

    @post("/assessment/{month:str}/approve")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
    ) -> Response[Any]:
        """Approve the month's grades (``ApproveCentreAssessment``), "with pending" 差评 when chosen."""
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = parse_month(month)
        raw = await form_of(request)
        values = {"note": first(raw, "note"), "approveWithPending": checked(raw, "approveWithPending")}
        try:
            data = wire(values, s.ApproveAssessment)
            await in_savepoint(db_session, assessments.approve(centre.code, str(chosen), data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, {"note": gettext(lang, N_("Note")), "approveWithPending": ""})
            form.values = values
            problem = (
                refused(request, exc)
                if isinstance(exc, HallError)
                else Refusal(form.summary, exc.field, exc.reason, 400)
            )
            return await self._month_page(
                request, db_session, queue, assessments, centre, chosen, problem=problem, approve_form=form
            )
        return see_other(f"/manage/{centre.code}/assessment?month={chosen}&done=approved")

    # --- one staff member's month -----------------------------------------------------------------------------
    async def _staff_month(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        assessments: AssessmentService,
        centre_code: str,
        employee_no: str,
        month: str,
    ) -> tuple[CentreView, s.StaffAssessmentRead]:
        centre = await self._centre(request, db_session, queue, centre_code)
        read = await assessments.staff_month(employee_no, month)
        if read.centre_code != centre.code:
            raise NotFoundException(detail=f"{employee_no} was assessed at {read.centre_code}")
        return centre, read

    @get("/assessment/{month:str}/staff/{employee_no:str}")
    async def staff_month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        employee_no: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """One staff member's month explained as they see it, with the integrity flags."""
        centre, read = await self._staff_month(request, db_session, queue, assessments, centre_code, employee_no, month)
        record = await pay.get(read.pay_record_id) if read.pay_record_id else None
        base = f"/manage/{centre.code}/assessment/{read.month}/staff/{read.staff_employee_no}"
        return page(
            request,
            "assessment/staff.html",
            words=Words(lang_of(request)),
            centre=centre,
            record=record,
            report_url=f"{base}/report.pdf",
            pay_url=f"/manage/{centre.code}/pay/records/{record.id}" if record else "",
            **month_context(read, lang_of(request), base=base, zone=centre.zone),
            **await nav(db_session, current_principal(request), centre.code, "assessment"),
        )

    @get("/assessment/{month:str}/staff/{employee_no:str}/records/{code:str}")
    async def staff_records(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        employee_no: FromPath[str],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
        ratings: NamedDependency[RatingService],
    ) -> Response[Any]:
        """The records one component of a staff member's month was computed from."""
        centre, read = await self._staff_month(request, db_session, queue, assessments, centre_code, employee_no, month)
        chosen = component_of(read, code)
        return page(
            request,
            "grades/records.html",
            words=Words(lang_of(request)),
            read=read,
            component=chosen,
            cited=await cited_records(db_session, assessments.sources, ratings, read, chosen),
            components=COMPONENT_KEYS,
            base=f"/manage/{centre.code}/assessment/{read.month}/staff/{read.staff_employee_no}",
            case_base=f"/manage/{centre.code}/negative-cases",
            layout="manage/layout.html",
            entry_label=entry_labeller(lang_of(request)),
            zone=centre.zone,
            **await nav(db_session, current_principal(request), centre.code, "assessment"),
        )

    @get("/assessment/{month:str}/staff/{employee_no:str}/report.pdf", media_type="application/pdf")
    async def staff_report_pdf(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        employee_no: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        assessments: NamedDependency[AssessmentService],
    ) -> Response[bytes]:
        """The staff member's assessment report as PDF (``DownloadAssessmentReport``)."""
        _, read = await self._staff_month(request, db_session, queue, assessments, centre_code, employee_no, month)
        name, pdf = await assessments.report_pdf(read.staff_employee_no, read.month)
        return download(name, pdf, "application/pdf")

    # --- 差评 cases ---------------------------------------------------------------------------------------------
    @get("/negative-cases")
    async def cases(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        negative_cases: NamedDependency[NegativeCaseService],
        status: Annotated[NegativeCaseStatus | None, QueryParameter()] = None,
        overdue: Annotated[bool, QueryParameter()] = False,
        month: MonthQuery = None,
    ) -> Response[Any]:
        """The centre's 差评 cases: open ones by default, by status, overdue ones, or those of a month."""
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = str(parse_month(month)) if month else None
        found = await negative_cases.of_centre(centre.code, status=status, overdue_only=overdue, month_text=chosen)
        return page(
            request,
            "assessment/cases.html",
            centre=centre,
            zone=centre.zone,
            cases=found,
            status=status,
            overdue=overdue,
            month=chosen or "",
            statuses=list(NegativeCaseStatus),
            **await nav(db_session, current_principal(request), centre.code, "cases"),
        )

    async def _case_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        centre: CentreView,
        case: s.NegativeCaseRead,
        *,
        form: FormState | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        return page(
            request,
            "assessment/case.html",
            status_code=422 if form and form.summary else 200,
            centre=centre,
            zone=centre.zone,
            case=case,
            form=form or FormState(values={"to": case.next_moves[0].value if case.next_moves else ""}),
            field_labels={k: gettext(lang, v) for k, v in CASE_LABELS.items()},
            classifications=[(c.value, gettext(lang, labels.CLASSIFICATIONS[c])) for c in Classification],
            done=done_text(lang, done),
            **await nav(db_session, current_principal(request), centre.code, "cases"),
        )

    async def _case(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        negative_cases: NegativeCaseService,
        centre_code: str,
        case_id: UUID,
    ) -> tuple[CentreView, s.NegativeCaseRead]:
        centre = await self._centre(request, db_session, queue, centre_code)
        case = await negative_cases.get(case_id)
        if case.centre_code != centre.code:
            raise NotFoundException(detail=f"case {case_id} belongs to {case.centre_code}")
        return centre, case

    @get("/negative-cases/{case_id:str}")
    async def case(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        case_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        negative_cases: NamedDependency[NegativeCaseService],
        done: Done = None,
    ) -> Response[Any]:
        """One 差评 case: the rating, classification, deadlines, history, and the form for its next step."""
        case_uuid = path_uuid(case_id)
        centre, found = await self._case(request, db_session, queue, negative_cases, centre_code, case_uuid)
        return await self._case_page(request, db_session, centre, found, done=done)

    @post("/negative-cases/{case_id:str}/move")
    async def move_case(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        case_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        negative_cases: NamedDependency[NegativeCaseService],
    ) -> Response[Any]:
        """Move the case one step (``MoveNegativeCase``) with the reason; a refusal names the field."""
        case_uuid = path_uuid(case_id)
        centre, found = await self._case(request, db_session, queue, negative_cases, centre_code, case_uuid)
        raw = await form_of(request)
        values: dict[str, Any] = {
            "to": first(raw, "to"),
            "classification": first(raw, "classification"),
            "isComplex": checked(raw, "isComplex"),
            "hasCallback": checked(raw, "hasCallback"),
            "note": first(raw, "note"),
        }
        lang = lang_of(request)
        field_labels = {k: gettext(lang, v) for k, v in CASE_LABELS.items()}
        try:
            if not values["note"]:
                raise FormInvalid("note", "is required")  # the page asks the reason of every step
            wanted = {
                "to": values["to"],
                "note": values["note"],
                "classification": values["classification"] or None,
                "hasCallback": values["hasCallback"],
            }
            if values["to"] == NegativeCaseStatus.VERIFIED.value:
                wanted["isComplex"] = values["isComplex"]
            data = wire(wanted, s.MoveNegativeCase)
            await in_savepoint(db_session, negative_cases.move(case_uuid, data))
        except (HallError, FormInvalid) as exc:
            if isinstance(exc, HallError) and exc.field.split(".")[0] not in CASE_LABELS:
                # The case's state refuses the chosen step ("status", "on"): mark the step, in the reader's words.
                message = refusal_message(lang, exc)
                form = FormState(errors={"to": message}, summary=f"{field_labels['to']}: {message}")
            else:
                form = refusal(lang, exc, field_labels)
            form.values = values
            return await self._case_page(request, db_session, centre, found, form=form)
        return see_other(f"/manage/{centre.code}/negative-cases/{case_uuid}?done=moved")
