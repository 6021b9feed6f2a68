"""A staff member's own grades and pay ("My grades", ``/me/grades``): every point and every fen explained.

* ``/me/grades``: my months (``ListStaffAssessments``), my skill level and what a promotion needs
  (``GetPromotionStatus``), my pay records (``ListStaffPayRecords``, approved and locked ones).
* ``/me/grades/{month}``: the month explained (``GetStaffAssessment``): each component's weight, score and
  explanation lines, how it compares with the centre, the grade and why; the month's pay slip line by line; the
  PDF report.
* ``/me/grades/{month}/records/{code}``: the records the component ``code`` (``workload`` …) was computed from.
* ``/me/pay/{record}``: one pay record line by line with its basis, adjustments and history; the slip as PDF.

Staff only: the services check that a staff member reads nothing but their own records.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall import services
from hall.domain.people import Role
from hall.pages.assessment_view import COMPONENT_KEYS, component_of, entry_labeller, month_context
from hall.pages.exports import download
from hall.pages.grade_records import cited_records
from hall.pages.i18n import lang_of
from hall.pages.staffing_common import STAFFING_EXCEPTION_HANDLERS, path_uuid
from hall.pages.staffing_words import Words
from hall.pages.templating import page
from hall.security import allow, current_principal
from staffing.services import AssessmentService, PayDocuments, RatingService

STAFF_ONLY = allow(Role.STAFF)


class MyGradesPages(Controller):
    exception_handlers = STAFFING_EXCEPTION_HANDLERS  # type: ignore[assignment]
    path = "/me"
    guards = [STAFF_ONLY]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    async def _me(self, db_session: AsyncSession, request: Request[Any, Any, Any]) -> Any:
        return await services.StaffService(db_session, current_principal(request)).me()

    @get("/grades")
    async def index(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        assessments: NamedDependency[AssessmentService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """My months, my skill level and what promotion needs, my pay records."""
        me = await self._me(db_session, request)
        months = await assessments.staff_history(me.employee_no)
        promotion = await assessments.promotion(me.employee_no, None)
        records = [await pay.get(row.id) for row in await pay.of_staff(me.employee_no)]
        centre = await assessments.sources.centre(me.centre_code)
        return page(
            request,
            "grades/index.html",
            me=me,
            months=months,
            promotion=promotion,
            records=records,
            zone=centre.zone,
            section="grades",
        )

    @get("/grades/{month:str}")
    async def month(
        self,
        request: Request[Any, Any, Any],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        assessments: NamedDependency[AssessmentService],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """One month explained line by line, compared with the centre, with its pay slip."""
        me = await self._me(db_session, request)
        read = await assessments.staff_month(me.employee_no, month)
        record = await pay.get(read.pay_record_id) if read.pay_record_id else None
        base = f"/me/grades/{read.month}"
        centre = await assessments.sources.centre(read.centre_code)
        return page(
            request,
            "grades/month.html",
            words=Words(lang_of(request)),
            me=me,
            record=record,
            report_url=f"{base}/report.pdf",
            slip_url=f"/me/pay/{record.id}/slip.pdf" if record else "",
            section="grades",
            **month_context(read, lang_of(request), base=base, zone=centre.zone),
        )

    @get("/grades/{month:str}/records/{code:str}")
    async def records(
        self,
        request: Request[Any, Any, Any],
        month: FromPath[str],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        assessments: NamedDependency[AssessmentService],
        ratings: NamedDependency[RatingService],
    ) -> Response[Any]:
        """The records one component of the month was computed from (service records, ratings, entries)."""
        me = await self._me(db_session, request)
        read = await assessments.staff_month(me.employee_no, month)
        chosen = component_of(read, code)
        cited = await cited_records(db_session, assessments.sources, ratings, read, chosen)
        centre = await assessments.sources.centre(read.centre_code)
        return page(
            request,
            "grades/records.html",
            words=Words(lang_of(request)),
            me=me,
            read=read,
            component=chosen,
            cited=cited,
            components=COMPONENT_KEYS,
            base=f"/me/grades/{read.month}",
            layout="grades/layout.html",
            entry_label=entry_labeller(lang_of(request)),
            zone=centre.zone,
            section="grades",
        )

    @get("/grades/{month:str}/report.pdf", media_type="application/pdf")
    async def report_pdf(
        self,
        request: Request[Any, Any, Any],
        month: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        assessments: NamedDependency[AssessmentService],
    ) -> Response[bytes]:
        """The month's assessment report as PDF (``DownloadAssessmentReport``)."""
        me = await self._me(db_session, request)
        name, pdf = await assessments.report_pdf(me.employee_no, month)
        return download(name, pdf, "application/pdf")

    @get("/pay/{record_id:str}")
    async def pay_record(
        self,
        request: Request[Any, Any, Any],
        record_id: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        pay: NamedDependency[PayDocuments],
    ) -> Response[Any]:
        """One pay record: every line with its basis, the adjustments with their reasons, the history."""
        record_uuid = path_uuid(record_id)
        me = await self._me(db_session, request)
        record = await pay.get(record_uuid)
        centre = await pay.sources.centre(record.centre_code)
        return page(
            request,
            "grades/pay.html",
            words=Words(lang_of(request)),
            me=me,
            record=record,
            corrections=await pay.corrections_of(record.id),
            slip_url=f"/me/pay/{record.id}/slip.pdf",
            back=f"/me/grades/{record.month}",
            zone=centre.zone,
            section="grades",
        )

    @get("/pay/{record_id:str}/slip.pdf", media_type="application/pdf")
    async def slip_pdf(self, record_id: FromPath[str], pay: NamedDependency[PayDocuments]) -> Response[bytes]:
        """The pay slip as PDF (``DownloadPaySlip``)."""
        name, pdf = await pay.slip_pdf(path_uuid(record_id))
        return download(name, pdf, "application/pdf")
