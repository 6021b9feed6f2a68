"""The visitor's own page (``/t/{public code}``, no sign-in).

It shows where they are in the queue, live, and the ticket as printed (80 mm thermal paper) or as a PDF.

The public code is unguessable and is the visitor's only key: anyone holding it may follow and cancel the
ticket, exactly as the API's ``GetTicketStatus`` and ``CancelMyTicket`` allow.
"""

from __future__ import annotations

from typing import Any, Final

import anyio
import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.access import ANONYMOUS
from hall.pages.common import CentreView, centre_view
from hall.pages.templating import page, render_string
from hall.security import public
from queueing import schemas as s
from queueing.services import QueueService

PDF_FONTS: Final = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


async def ticket_and_centre(
    db_session: AsyncSession, queue: QueueService, public_code: str
) -> tuple[s.TicketRead, CentreView]:
    ticket = await queue.status(public_code)
    centre = await centre_view(db_session, queue, ANONYMOUS, ticket.centre_code, check_scope=False)
    return ticket, centre


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a while and only the PDF needs it

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


class VisitorPages(Controller):
    path = "/t/{public_code:str}"
    guards = [public]
    include_in_schema = False

    @get("/")
    async def ticket_page(
        self,
        request: Request[Any, Any, Any],
        public_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The visitor's page: status, place in the queue and predicted call time, updated live."""
        ticket, centre = await ticket_and_centre(db_session, queue, public_code)
        return page(request, "visitor/page.html", ticket=ticket, centre=centre, zone=centre.zone)

    @get("/status")
    async def status(
        self,
        request: Request[Any, Any, Any],
        public_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The status part of the page, fetched again whenever the live stream says something changed."""
        ticket, centre = await ticket_and_centre(db_session, queue, public_code)
        return page(request, "visitor/status.html", ticket=ticket, centre=centre, zone=centre.zone)

    @post("/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        public_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The visitor gives up their place."""
        ticket = await queue.cancel_by_visitor(public_code)
        centre = await centre_view(db_session, queue, ANONYMOUS, ticket.centre_code, check_scope=False)
        return page(request, "visitor/status.html", ticket=ticket, centre=centre, zone=centre.zone)

    @get("/print")
    async def print_ticket(
        self,
        request: Request[Any, Any, Any],
        public_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The ticket laid out for 80 mm thermal paper (the kiosk prints this page)."""
        ticket, centre = await ticket_and_centre(db_session, queue, public_code)
        return page(
            request,
            "visitor/print.html",
            ticket=ticket,
            centre=centre,
            zone=centre.zone,
            qr_uri=segno.make(ticket.status_url, error="m").svg_data_uri(scale=4, border=2),
            for_pdf=False,
            fonts=PDF_FONTS,
        )

    @get("/ticket.pdf", media_type="application/pdf")
    async def ticket_pdf(
        self,
        request: Request[Any, Any, Any],
        public_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[bytes]:
        """The same ticket as a PDF (WeasyPrint, with a CJK font), for printers driven from a print server."""
        ticket, centre = await ticket_and_centre(db_session, queue, public_code)
        html = render_string(
            request,
            "visitor/print.html",
            ticket=ticket,
            centre=centre,
            zone=centre.zone,
            qr_uri=segno.make(ticket.status_url, error="m").svg_data_uri(scale=4, border=2),
            for_pdf=True,
            fonts=PDF_FONTS,
        )
        pdf = await anyio.to_thread.run_sync(_pdf, html)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="ticket-{ticket.number}.pdf"'},
        )
