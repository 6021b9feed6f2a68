"""The manager's pay pages (``/manage/{centre}/pay``): prepare, review with adjustments, approve, lock, documents.

* The month (``ListPayRecords``): every record with its status and amounts, the totals; prepare or recompute the
  drafts (``PreparePayDrafts``), put every draft in review, approve every record in review (the grades must be
  approved first), lock every approved record (``StartCentrePayReview``, ``ApproveCentrePayRecords``,
  ``LockCentrePayRecords``); the batch PDF of slips and the CSV and XLSX exports.
* One record (``GetPayRecord``): every line with its basis, the adjustments with their reasons and the history;
  add an adjustment or a deduction (a reason is required), withdraw one (with a reason), review, approve, lock;
  correct an approved or locked month in a later month (``RecordPayCorrection``); the slip as PDF.

Each change runs in a savepoint through the pay service the API uses; a refusal names the field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.errors import HallError
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.admin_forms import FormInvalid, FormState, refusal, wire
from hall.pages.common import CentreView, centre_view
from hall.pages.exports import XLSX, download
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, in_savepoint, nav
from hall.pages.staffing_common import STAFFING_EXCEPTION_HANDLERS, Refusal, month_or_default, path_uuid, refused
from hall.pages.staffing_words import Words
from hall.pages.templating import page
from hall.security import current_principal
from queueing.services import QueueService
from staffing import schemas as s
from staffing.domain.periods import Month
from staffing.services import PayDocuments, parse_month

MonthQuery = Annotated[str | None, QueryParameter(max_length=7, description="the month, YYYY-MM")]
Done = Annotated[str | None, QueryParameter(max_length=20, description="what was just done")]
DONE: Final = {
    "prepared": N_("The pay drafts are computed from the grades and the pay rule in force."),
    "prepared_none": N_("No draft was computed: every record of this month is already approved or locked."),
    "review": N_("The drafts are in review."),
    "approve": N_("The records in review are approved."),
    "lock": N_("The approved records are locked: they can never change again."),
    "adjusted": N_("The adjustment is added and the record recomputed."),
    "withdrawn": N_("The adjustment is withdrawn (kept, marked withdrawn) and the record recomputed."),
    "corrected": N_("The correction is recorded in the later month's record."),
}
ADJUSTMENT_LABELS: Final = {
    "kind": N_("Kind"),
    "amount": N_("Amount (yuan)"),
    "reason": N_("Reason"),
    "month": N_("Month that carries the correction"),
    "note": N_("Note"),
}
# (field or "" for any, words of the reason, message id): the pay forms' refusals in the reader's words.
PAY_REASONS: Final[tuple[tuple[str, str, str], ...]] = (
    ("amount", "Invalid decimal", N_("must be an amount in yuan, for example 150.00")),
    ("amount", "whole fen", N_("must be an amount in whole fen (at most two decimals)")),
    ("amount", "is too large", N_("is too large")),
    ("amount", "must not be zero", N_("must not be zero")),
    ("amount", "negative", N_("must be more than 0 for a deduction")),
    ("amount", "positive", N_("must be more than 0 for a deduction")),
    ("month", "later month", N_("must be a month after the corrected one")),
    ("month", "two months after", N_("must be at most two months after the current month")),
    ("month", "month from", N_("must be a month from 2000-01 to 2100-12")),
    ("month", "", N_("must be a month written YYYY-MM")),
    ("reason", "", N_("is required: give the reason")),
    ("kind", "", N_("is not one of the choices")),
)


def _labels(lang: str) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in ADJUSTMENT_LABELS.items()}


def in_words(lang: str, exc: HallError | FormInvalid) -> HallError | FormInvalid:
    """The refusal with its reason in the reader's words when a pay form's field is named; else unchanged."""
    for field, words, message in PAY_REASONS:
        if exc.field == field and words in exc.reason:
            return FormInvalid(exc.field, gettext(lang, message))
    return exc


class PayPages(Controller):
    exception_handlers = STAFFING_EXCEPTION_HANDLERS  # type: ignore[assignment]
    path = "/manage/{centre_code:str}"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    async def _centre(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, queue: QueueService, code: str
    ) -> CentreView:
        return await centre_view(db_session, queue, current_principal(request), code, check_scope=True)

    # --- the month --------------------------------------------------------------------------------------------
    async def _month_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        pay: PayDocuments,
        centre: CentreView,
        month: Month,
        *,
        done: str | None = None,
        problem: Refusal | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        summary = await pay.centre_month(centre.code, str(month))
        return page(
            request,
            "pay/month.html",
            status_code=problem.status if problem else 200,
            centre=centre,
            zone=centre.zone,
            month=month,
            previous=month.shifted(-1),
            following=month.shifted(1),
            summary=summary,
            done=gettext(lang, DONE[done]) if done in DONE else "",
            problem=problem,
            **await nav(db_session, current_principal(request), centre.code, "pay"),
        )

    @get("/pay")
    async def month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
        month: MonthQuery = None,
        done: Done = None,
    ) -> Response[Any]:
        """The month's pay records with their statuses and totals, the actions and the documents."""
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = month_or_default(month, centre.info.local(queue.clock.now()).date())
        return await self._month_page(request, db_session, pay, centre, chosen, done=done)

    async def _month_action(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        pay: PayDocuments,
        centre_code: str,
        month: str,
        action: str,
    ) -> Response[Any]:
        centre = await self._centre(request, db_session, queue, centre_code)
        chosen = parse_month(month)
        note = first(await form_of(request), "note")
        try:
            data = wire({"note": note}, s.PayActionNote)
            if action == "prepared":
                prepared = await in_savepoint(db_session, pay.prepare(centre.code, str(chosen)))
                if prepared.records and not any(r.status in {"draft", "in_review"} for r in prepared.records):
                    action = "prepared_none"  # nothing was open to compute
            else:
                await in_savepoint(db_session, pay.act_on_month(centre.code, str(chosen), action, data.note))
        except HallError as exc:
            return await self._month_page(request, db_session, pay, centre, chosen, problem=refused(request, exc))
        except FormInvalid as exc:
            problem = Refusal(gettext(lang_of(request), N_("The note is too long.")), exc.field, exc.reason, 400)
            return await self._month_page(request, db_session, pay, centre, chosen, problem=problem)
        return see_other(f"/manage/{centre.code}/pay?month={chosen}&done={action}")

    @post("/pay/{month:str}/prepare")
    async def prepare(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Compute (or recompute) the month's pay drafts (``PreparePayDrafts``)."""
        return await self._month_action(request, db_session, queue, pay, centre_code, month, "prepared")

    @post("/pay/{month:str}/review")
    async def review_month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Put every draft of the month in review (``StartCentrePayReview``)."""
        return await self._month_action(request, db_session, queue, pay, centre_code, month, "review")

    @post("/pay/{month:str}/approve")
    async def approve_month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Approve every record in review (``ApproveCentrePayRecords``; the grades must be approved)."""
        return await self._month_action(request, db_session, queue, pay, centre_code, month, "approve")

    @post("/pay/{month:str}/lock")
    async def lock_month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Lock every approved record of the month for ever (``LockCentrePayRecords``)."""
        return await self._month_action(request, db_session, queue, pay, centre_code, month, "lock")

    @get("/pay/{month:str}/slips.pdf", media_type="application/pdf")
    async def slips_pdf(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[bytes]:
        """Every slip of the month in one PDF, after the summary table (``DownloadCentrePaySlips``)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        name, pdf = await pay.centre_slips_pdf(centre.code, month)
        return download(name, pdf, "application/pdf")

    @get("/pay/{month:str}/export.csv", media_type="text/csv")
    async def export_csv(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[bytes]:
        """The month's records as CSV (``ExportPayRecordsCsv``)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        name, content = await pay.export(centre.code, month, "csv")
        return download(name, content, "text/csv")  # Litestar adds "; charset=utf-8"

    @get("/pay/{month:str}/export.xlsx", media_type=XLSX)
    async def export_xlsx(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[bytes]:
        """The month's records as XLSX (``ExportPayRecordsXlsx``)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        name, content = await pay.export(centre.code, month, "xlsx")
        return download(name, content, XLSX)

    # --- one record -------------------------------------------------------------------------------------------
    async def _record(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        pay: PayDocuments,
        centre_code: str,
        record_id: UUID,
    ) -> tuple[CentreView, s.PayRecordRead]:
        centre = await self._centre(request, db_session, queue, centre_code)
        record = await pay.get(record_id)
        if record.centre_code != centre.code:
            raise NotFoundException(detail=f"pay record {record_id} belongs to {record.centre_code}")
        return centre, record

    async def _record_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        centre: CentreView,
        record: s.PayRecordRead,
        *,
        pay: PayDocuments,
        done: str | None = None,
        adjustment: FormState | None = None,
        correction: FormState | None = None,
        problem: Refusal | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        failed = bool((adjustment and adjustment.summary) or (correction and correction.summary))
        kinds = [
            (kind.value, gettext(lang, labels.PAY_ADJUSTMENT_KINDS[kind.value]))
            for kind in (s.PayAdjustmentKind.ADJUSTMENT, s.PayAdjustmentKind.DEDUCTION)
        ]
        base = f"/manage/{centre.code}/pay/records/{record.id}"
        return page(
            request,
            "pay/record.html",
            words=Words(lang_of(request)),
            status_code=problem.status if problem else (422 if failed else 200),
            centre=centre,
            zone=centre.zone,
            record=record,
            corrections=await pay.corrections_of(record.id),
            base=base,
            withdraw_base=f"{base}/adjustments" if record.status in {"draft", "in_review"} else "",
            adjustment=adjustment or FormState(values={"kind": s.PayAdjustmentKind.ADJUSTMENT.value}),
            correction=correction or FormState(values={"month": str(parse_month(record.month).shifted(1))}),
            kinds=kinds,
            field_labels=_labels(lang),
            done=gettext(lang, DONE[done]) if done in DONE else "",
            problem=problem,
            **await nav(db_session, current_principal(request), centre.code, "pay"),
        )

    @get("/pay/records/{record_id:str}")
    async def record(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
        done: Done = None,
    ) -> Response[Any]:
        """One pay record line by line, with the forms to adjust, review, approve, lock or correct it."""
        record_uuid = path_uuid(record_id)
        centre, found = await self._record(request, db_session, queue, pay, centre_code, record_uuid)
        return await self._record_page(request, db_session, centre, found, pay=pay, done=done)

    @post("/pay/records/{record_id:str}/adjustments")
    async def add_adjustment(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Add an adjustment or a deduction with its reason (``AddPayAdjustment``)."""
        record_uuid = path_uuid(record_id)
        centre, found = await self._record(request, db_session, queue, pay, centre_code, record_uuid)
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("kind", "amount", "reason")}
        try:
            data = wire(values, s.AddPayAdjustment)
            await in_savepoint(db_session, pay.add_adjustment(record_uuid, data))
        except (HallError, FormInvalid) as exc:
            if isinstance(exc, HallError) and exc.field == "status":  # not open any more: no form to show it in
                return await self._record_page(
                    request, db_session, centre, found, pay=pay, problem=refused(request, exc)
                )
            form = refusal(lang_of(request), in_words(lang_of(request), exc), _labels(lang_of(request)))
            form.values = values
            return await self._record_page(request, db_session, centre, found, pay=pay, adjustment=form)
        return see_other(f"/manage/{centre.code}/pay/records/{record_uuid}?done=adjusted")

    @post("/pay/records/{record_id:str}/adjustments/{adjustment_id:str}/withdraw")
    async def withdraw_adjustment(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        adjustment_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Withdraw an adjustment with a reason (``WithdrawPayAdjustment``)."""
        record_uuid = path_uuid(record_id)
        adjustment_uuid = path_uuid(adjustment_id)
        centre, found = await self._record(request, db_session, queue, pay, centre_code, record_uuid)
        if adjustment_uuid not in {a.id for a in found.adjustments}:
            raise NotFoundException(detail=f"no adjustment {adjustment_uuid} on this record")
        reason = first(await form_of(request), "reason")
        try:
            data = wire({"reason": reason}, s.WithdrawPayAdjustment)
            await in_savepoint(db_session, pay.withdraw_adjustment(adjustment_uuid, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            if isinstance(exc, HallError) and exc.field != "reason":  # the adjustment's or record's state refuses it
                return await self._record_page(
                    request, db_session, centre, found, pay=pay, problem=refused(request, exc)
                )
            state = refusal(lang, in_words(lang, exc), _labels(lang))
            problem = Refusal(state.summary, exc.field, exc.reason, getattr(exc, "status_code", 422))
            return await self._record_page(request, db_session, centre, found, pay=pay, problem=problem)
        return see_other(f"/manage/{centre.code}/pay/records/{record_uuid}?done=withdrawn")

    async def _record_action(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        pay: PayDocuments,
        centre_code: str,
        record_id: UUID,
        action: Callable[[UUID, s.PayActionNote], Awaitable[s.PayRecordRead]],
        done: str,
    ) -> Response[Any]:
        centre, found = await self._record(request, db_session, queue, pay, centre_code, record_id)
        note = first(await form_of(request), "note")
        try:
            data = wire({"note": note}, s.PayActionNote)
            await in_savepoint(db_session, action(record_id, data))
        except (HallError, FormInvalid) as exc:
            problem = (
                refused(request, exc)
                if isinstance(exc, HallError)
                else Refusal(gettext(lang_of(request), N_("The note is too long.")), exc.field, exc.reason, 400)
            )
            return await self._record_page(request, db_session, centre, found, pay=pay, problem=problem)
        return see_other(f"/manage/{centre.code}/pay/records/{record_id}?done={done}")

    @post("/pay/records/{record_id:str}/review")
    async def review(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Put this draft in review (``StartPayReview``)."""
        record_uuid = path_uuid(record_id)
        return await self._record_action(
            request, db_session, queue, pay, centre_code, record_uuid, pay.review, "review"
        )

    @post("/pay/records/{record_id:str}/approve")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Approve this record (``ApprovePayRecord``)."""
        record_uuid = path_uuid(record_id)
        return await self._record_action(
            request, db_session, queue, pay, centre_code, record_uuid, pay.approve, "approve"
        )

    @post("/pay/records/{record_id:str}/lock")
    async def lock(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Lock this record for ever (``LockPayRecord``)."""
        record_uuid = path_uuid(record_id)
        return await self._record_action(request, db_session, queue, pay, centre_code, record_uuid, pay.lock, "lock")

    @post("/pay/records/{record_id:str}/corrections")
    async def correct(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """Correct this approved or locked month in a later month's record (``RecordPayCorrection``)."""
        record_uuid = path_uuid(record_id)
        centre, found = await self._record(request, db_session, queue, pay, centre_code, record_uuid)
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("month", "amount", "reason")}
        try:
            data = wire(values, s.RecordPayCorrection)
            await in_savepoint(db_session, pay.correct(record_uuid, data))
        except (HallError, FormInvalid) as exc:
            if isinstance(exc, HallError) and exc.field == "status":
                return await self._record_page(
                    request, db_session, centre, found, pay=pay, problem=refused(request, exc)
                )
            form = refusal(lang_of(request), in_words(lang_of(request), exc), _labels(lang_of(request)))
            form.values = values
            return await self._record_page(request, db_session, centre, found, pay=pay, correction=form)
        return see_other(f"/manage/{centre.code}/pay/records/{record_uuid}?done=corrected")

    @get("/pay/records/{record_id:str}/slip.pdf", media_type="application/pdf")
    async def slip_pdf(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[bytes]:
        """The slip as PDF (``DownloadPaySlip``)."""
        record_uuid = path_uuid(record_id)
        await self._record(request, db_session, queue, pay, centre_code, record_uuid)
        name, pdf = await pay.slip_pdf(record_uuid)
        return download(name, pdf, "application/pdf")
