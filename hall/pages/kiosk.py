"""The ticket kiosk (取号机) on a touch screen: choose items, check in an appointment, take and print the ticket.

A press of "take the ticket" carries an ``Idempotency-Key`` the page made for that press; the page retries the
same key while the network or the server is away, so one press gives one ticket, and it prints once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.catalogue import ServiceDomain
from hall.domain.people import Role
from hall.pages.common import centre_view
from hall.pages.forms import convert, first, form_of
from hall.pages.templating import page
from hall.security import allow, current_principal
from queueing import schemas as s
from queueing.appointment_service import AppointmentService
from queueing.domain.appointments import CODE_ALPHABET
from queueing.ports import ItemInfo
from queueing.services import QueueService

IDLE_SECONDS: Final = 90  # back to the start screen after this long without a touch
TICKET_SECONDS: Final = 30  # how long the ticket stays on screen
KEY_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def items_by_domain(offered: dict[str, ItemInfo]) -> dict[ServiceDomain, list[ItemInfo]]:
    """The offered items grouped by domain, in the catalogue's domain order, each group by item code."""
    groups: dict[ServiceDomain, list[ItemInfo]] = defaultdict(list)
    for item in sorted(offered.values(), key=lambda i: i.code):
        groups[item.domain].append(item)
    return {domain: groups[domain] for domain in ServiceDomain if domain in groups}


class KioskPages(Controller):
    path = "/kiosk/{centre_code:str}"
    guards = [allow(Role.KIOSK)]
    opt = {"sign_in": "device"}
    include_in_schema = False

    @get("/")
    async def kiosk(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The kiosk's start screen, with every offered item (chosen and searched on the device itself)."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        offered = dict(await queue.directory.offered_items(centre.info.id))
        board = await queue.board(centre.code)
        return page(
            request,
            "kiosk/page.html",
            centre=centre,
            zone=centre.zone,
            domains=items_by_domain(offered),
            priority_groups=centre.info.rules.priority_groups,
            is_open=board.is_open,
            board=board,
            idle_seconds=IDLE_SECONDS,
            ticket_seconds=TICKET_SECONDS,
            code_alphabet=CODE_ALPHABET,
        )

    @post("/tickets")
    async def take_ticket(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        appointments: NamedDependency[AppointmentService],
    ) -> Response[Any]:
        """Issue the ticket of one press (items, or an appointment code) and show it; a retry shows the same one."""
        key = request.headers.get("idempotency-key")
        if key is not None and not KEY_PATTERN.match(key):
            raise ValidationException(detail="Idempotency-Key: 8-64 letters, digits or _.:-")
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        form = await form_of(request)
        appointment_code = first(form, "appointment_code").upper() or None
        item_codes = form.get("item", [])
        if appointment_code is not None and not item_codes:
            item_codes = [(await appointments.get(appointment_code)).item_code]
        data = convert(
            {
                "itemCodes": item_codes,
                "channel": s.Channel.KIOSK.value,
                "priorityGroup": first(form, "priority_group") or None,
                "appointmentCode": appointment_code,
            },
            s.IssueTicket,
        )
        ticket, created = await queue.issue(centre.code, data, key)
        return page(
            request,
            "kiosk/ticket.html",
            status_code=201 if created else 200,
            centre=centre,
            zone=centre.zone,
            ticket=ticket,
        )
