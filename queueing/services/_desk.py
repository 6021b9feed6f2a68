"""Guide-desk and visitor actions on a ticket by number or public code: resume, reinstate, cancel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hall.domain.errors import ConflictError, NotFoundError
from queueing import schemas as s
from queueing.domain.tickets import (
    TicketAction,
    TicketStatus,
    may_reinstate,
)
from queueing.models import (
    TicketModel,
    WindowSessionModel,
)
from queueing.ports import CentreInfo
from queueing.services._base import QueueBase
from queueing.services._common import (
    PEOPLE,
)


class DeskMixin(QueueBase):
    """Guide-desk and visitor actions on a ticket by number or public code: resume, reinstate, cancel."""

    # --- actions on a ticket by number (guide desk, manager) --------------------------------------------------------
    async def resume(self, centre_code: str, number: str) -> s.TicketRead:
        """The parked visitor is back: the ticket waits again, reserved for the window that parked it."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.RESUME)
        await self._event(ticket, centre, TicketAction.RESUME, before, now=now)
        return await self._read(ticket, centre)

    async def reinstate(self, centre_code: str, number: str) -> s.TicketRead:
        """A no-show visitor turned up within the centre's reinstatement period: back to the queue."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        now = self.clock.now()
        if ticket.status == TicketStatus.NO_SHOW.value:
            within = timedelta(minutes=centre.rules.no_show_reinstate_minutes)
            if ticket.no_show_at is None or not may_reinstate(ticket.no_show_at, now, within):
                raise ConflictError("number", f"a no-show can be reinstated only within {within} of being missed")
        before = self._move(ticket, TicketAction.REINSTATE)
        ticket.window_id = None
        ticket.staff_id = None
        await self._event(ticket, centre, TicketAction.REINSTATE, before, now=now)
        return await self._read(ticket, centre)

    async def cancel(self, centre_code: str, number: str, data: s.CancelTicket) -> s.TicketRead:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        return await self._cancel(centre, ticket, data.reason)

    async def cancel_by_visitor(self, public_code: str) -> s.TicketRead:
        """The visitor gives up their place from their phone."""
        ticket = await self.session.scalar(
            select(TicketModel).where(TicketModel.public_code == public_code).with_for_update()
        )
        if ticket is None:
            raise NotFoundError("publicCode", "no such ticket")
        centre = await self.directory.centre_by_id(ticket.centre_id)
        return await self._cancel(centre, ticket, "cancelled by the visitor")

    async def _cancel(self, centre: CentreInfo, ticket: TicketModel, reason: str) -> s.TicketRead:
        now = self.clock.now()
        window_row = None
        if ticket.status == TicketStatus.CALLED.value and ticket.window_id is not None:
            window_row = await self.session.scalar(
                select(WindowSessionModel)
                .where(WindowSessionModel.current_ticket_id == ticket.id, WindowSessionModel.closed_at.is_(None))
                .with_for_update()
            )
        before = self._move(ticket, TicketAction.CANCEL)
        if window_row is not None:
            await self._release(window_row, now)
        await self._event(ticket, centre, TicketAction.CANCEL, before, details={"reason": reason}, now=now)
        return await self._read(ticket, centre, with_estimate=False)
