"""HTTP API of the queueing context (version 1): tickets, window sessions and window actions.

operationIds are part of the contract for kiosk and display vendors. Handlers are thin: each calls the queue
service, which checks who may act on which centre and window.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.response import ServerSentEvent
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from hall.domain.errors import NotFoundError
from hall.domain.people import Role
from hall.security import allow, anonymous_or, public
from queueing import schemas as s
from queueing.live import centre_channel, event_stream, history_after, ticket_channel, window_channel
from queueing.services import QueueService

PEOPLE = allow(Role.ADMIN, Role.MANAGER, Role.STAFF)
MANAGERS = allow(Role.ADMIN, Role.MANAGER)
EVERYONE_SIGNED_IN = allow(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK, Role.DISPLAY)
ISSUERS = anonymous_or(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK)  # anonymous: a phone, checked further
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]{8,64}$",
        description="a kiosk's own key for this press; a retry with the same key returns the same ticket",
    ),
]


class TicketController(Controller):
    path = "/api/v1"
    tags = ["tickets"]

    @post(
        "/centres/{centre_code:str}/tickets",
        guards=[ISSUERS],
        operation_id="IssueTicket",
        status_code=HTTP_201_CREATED,
        responses={},
    )
    async def issue_ticket(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.IssueTicket],
        queue: NamedDependency[QueueService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[s.TicketRead]:
        """Take a ticket for one or more items: kiosks, guide-desk staff, or a phone with today's entrance code.

        With an ``Idempotency-Key`` header a retry returns the first ticket (200) instead of a second one (201).
        Refusals: 409 when the centre is closed or a daily cap is reached, 422 when an item is not offered here or
        an appointment is not valid now.
        """
        ticket, created = await queue.issue(centre_code, data, idempotency_key)
        return Response(ticket, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/tickets/{public_code:str}", guards=[public], operation_id="GetTicketStatus")
    async def ticket_status(self, public_code: FromPath[str], queue: NamedDependency[QueueService]) -> s.TicketRead:
        """A visitor's ticket by its unguessable public code: status, people ahead, predicted call, window."""
        return await queue.status(public_code)

    @post("/tickets/{public_code:str}/cancel", guards=[public], operation_id="CancelMyTicket", status_code=HTTP_200_OK)
    async def cancel_my_ticket(self, public_code: FromPath[str], queue: NamedDependency[QueueService]) -> s.TicketRead:
        """The visitor gives up their place from their phone."""
        return await queue.cancel_by_visitor(public_code)

    @get("/centres/{centre_code:str}/tickets/{number:str}", guards=[PEOPLE], operation_id="GetTicket")
    async def ticket_detail(
        self, centre_code: FromPath[str], number: FromPath[str], queue: NamedDependency[QueueService]
    ) -> s.TicketDetail:
        """Today's ticket by number, with its whole history and service records."""
        return await queue.detail(centre_code, number)

    @post(
        "/centres/{centre_code:str}/tickets/{number:str}/resume",
        guards=[PEOPLE],
        operation_id="ResumeTicket",
        status_code=HTTP_200_OK,
    )
    async def resume_ticket(
        self, centre_code: FromPath[str], number: FromPath[str], queue: NamedDependency[QueueService]
    ) -> s.TicketRead:
        """A parked visitor is back: the ticket waits again, reserved for the window that parked it."""
        return await queue.resume(centre_code, number)

    @post(
        "/centres/{centre_code:str}/tickets/{number:str}/reinstate",
        guards=[PEOPLE],
        operation_id="ReinstateTicket",
        status_code=HTTP_200_OK,
    )
    async def reinstate_ticket(
        self, centre_code: FromPath[str], number: FromPath[str], queue: NamedDependency[QueueService]
    ) -> s.TicketRead:
        """A missed (no-show) visitor turned up within the centre's reinstatement period."""
        return await queue.reinstate(centre_code, number)

    @post(
        "/centres/{centre_code:str}/tickets/{number:str}/cancel",
        guards=[PEOPLE],
        operation_id="CancelTicket",
        status_code=HTTP_200_OK,
    )
    async def cancel_ticket(
        self,
        centre_code: FromPath[str],
        number: FromPath[str],
        data: JSONBody[s.CancelTicket],
        queue: NamedDependency[QueueService],
    ) -> s.TicketRead:
        """Void a ticket that is waiting, called or parked (the visitor left), with the reason."""
        return await queue.cancel(centre_code, number, data)

    @get("/centres/{centre_code:str}/entrance-code", guards=[EVERYONE_SIGNED_IN], operation_id="GetEntranceCode")
    async def entrance_code(self, centre_code: FromPath[str], queue: NamedDependency[QueueService]) -> s.EntranceCode:
        """Today's entrance code (shown on the board and the entrance QR); phones send it to take a ticket."""
        return await queue.todays_entrance_code(centre_code)


class WindowActionController(Controller):
    path = "/api/v1/centres/{centre_code:str}/windows/{number:int}"
    tags = ["window actions"]
    guards = [PEOPLE]

    @get("/session", operation_id="GetWindowSession")
    async def get_session(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.WindowSessionRead:
        """Who is signed in at the window, their state and the current ticket."""
        return await queue.window_session(centre_code, number)

    @post("/session", operation_id="OpenWindow", status_code=HTTP_201_CREATED)
    async def open_window(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.OpenWindow],
        queue: NamedDependency[QueueService],
    ) -> s.WindowSessionRead:
        """Sign a staff member in at the window; their skills define what it may call."""
        return await queue.open_window(centre_code, number, data)

    @delete("/session", operation_id="CloseWindow", status_code=HTTP_200_OK)
    async def close_window(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.WindowSessionRead:
        """Sign out (refused while a ticket is called or in service here)."""
        return await queue.close_window(centre_code, number)

    @post("/session/pause", operation_id="PauseWindow", status_code=HTTP_200_OK)
    async def pause_window(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.PauseWindow],
        queue: NamedDependency[QueueService],
    ) -> s.WindowSessionRead:
        """Pause the window with a reason (break, meeting, system fault …)."""
        return await queue.pause_window(centre_code, number, data)

    @post("/session/resume", operation_id="ResumeWindow", status_code=HTTP_200_OK)
    async def resume_window(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.WindowSessionRead:
        """End a pause."""
        return await queue.resume_window(centre_code, number)

    @post("/call-next", operation_id="CallNext", status_code=HTTP_200_OK)
    async def call_next(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> Response[s.CallResult | None]:
        """Call the ticket the centre's policy chooses, with its reason; 204 when nothing is eligible."""
        result = await queue.call_next(centre_code, number)
        if result is None:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return Response(result)

    @get("/queue", operation_id="GetWindowQueue")
    async def window_queue(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> list[s.QueueEntry]:
        """The waiting tickets this window may call, in the order it would call them."""
        return await queue.window_queue(centre_code, number)

    @post("/current/recall", operation_id="RecallTicket", status_code=HTTP_200_OK)
    async def recall(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.TicketRead:
        """Announce the called ticket again; past the centre's recall limit it becomes a no-show."""
        return await queue.recall(centre_code, number)

    @post("/current/start", operation_id="StartService", status_code=HTTP_200_OK)
    async def start(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.StartService],
        queue: NamedDependency[QueueService],
    ) -> s.TicketRead:
        """The visitor is at the window: service starts."""
        return await queue.start(centre_code, number, data.priority_verified)

    @post("/current/no-show", operation_id="MarkNoShow", status_code=HTTP_200_OK)
    async def no_show(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.TicketRead:
        """The called visitor did not come (过号); the guide desk may reinstate them for a while."""
        return await queue.mark_no_show(centre_code, number)

    @post("/current/park", operation_id="ParkTicket", status_code=HTTP_200_OK)
    async def park(
        self, centre_code: FromPath[str], number: FromPath[int], queue: NamedDependency[QueueService]
    ) -> s.TicketRead:
        """The visitor steps away to fetch a document; the ticket returns to this window."""
        return await queue.park(centre_code, number)

    @post("/current/transfer", operation_id="TransferTicket", status_code=HTTP_200_OK)
    async def transfer(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.TransferTicket],
        queue: NamedDependency[QueueService],
    ) -> s.TicketRead:
        """Send the ticket on to another window and/or other items; it keeps its arrival time."""
        return await queue.transfer(centre_code, number, data)

    @post("/current/complete", operation_id="CompleteTicket", status_code=HTTP_200_OK)
    async def complete(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.CompleteTicket],
        queue: NamedDependency[QueueService],
    ) -> s.TicketRead:
        """Finish the visit with an outcome per item (即办, 承诺件, 容缺受理, 一次性告知, rejected, consultation)."""
        return await queue.complete(centre_code, number, data)


class DayController(Controller):
    path = "/api/v1/centres/{centre_code:str}/days"
    tags = ["day"]

    @post("/{day:date}/close", guards=[MANAGERS], operation_id="CloseDay", status_code=HTTP_200_OK)
    async def close_day(
        self, centre_code: FromPath[str], day: FromPath[date], queue: NamedDependency[QueueService]
    ) -> dict[str, Any]:
        """Expire the day's unserved tickets (each with a history entry) and store the day's summary.

        The scheduler does this by itself after closing time; managers may run it again (it is idempotent).
        """
        return await queue.close_day_of(centre_code, day)


ROUTES = [TicketController, WindowActionController, DayController]


LastEventId = Annotated[
    int | None,
    HeaderParameter(name="Last-Event-ID", ge=0, description="resume after this event (browsers send it on reconnect)"),
]


class LiveController(Controller):
    """Server-Sent Event streams and the board's state."""

    path = "/api/v1"
    tags = ["live"]

    @get("/centres/{centre_code:str}/board", guards=[EVERYONE_SIGNED_IN], operation_id="GetBoard")
    async def board(self, centre_code: FromPath[str], queue: NamedDependency[QueueService]) -> s.BoardRead:
        """The display board's state: latest calls, waiting per domain, current mean wait, last event id."""
        return await queue.board(centre_code)

    @get("/centres/{centre_code:str}/events", guards=[EVERYONE_SIGNED_IN], operation_id="StreamCentreEvents")
    async def centre_events(
        self,
        centre_code: FromPath[str],
        queue: NamedDependency[QueueService],
        channels: NamedDependency[ChannelsPlugin],
        state: State,
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        """Every call, recall and ticket change of the centre, live; resumes after ``Last-Event-ID``."""
        centre, numbers = await queue.stream_context(
            centre_code, Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK, Role.DISPLAY
        )
        replay = partial(history_after, state["session_maker"], centre_id=centre.id, window_numbers=numbers)
        return ServerSentEvent(
            event_stream(channels, [centre_channel(centre.code)], lambda after: replay(after=after), last_event_id)
        )

    @get("/centres/{centre_code:str}/windows/{number:int}/events", guards=[PEOPLE], operation_id="StreamWindowEvents")
    async def window_events(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        queue: NamedDependency[QueueService],
        channels: NamedDependency[ChannelsPlugin],
        state: State,
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        """A window console's stream: the centre's ticket events plus this window's state changes."""
        centre, numbers = await queue.stream_context(centre_code, Role.ADMIN, Role.MANAGER, Role.STAFF)
        if number not in numbers.values():
            raise NotFoundError("number", f"no window {number} at {centre.code}")
        replay = partial(history_after, state["session_maker"], centre_id=centre.id, window_numbers=numbers)
        names = [centre_channel(centre.code), window_channel(centre.code, number)]
        return ServerSentEvent(event_stream(channels, names, lambda after: replay(after=after), last_event_id))

    @get("/tickets/{public_code:str}/events", guards=[public], operation_id="StreamTicketEvents")
    async def ticket_events(
        self,
        public_code: FromPath[str],
        queue: NamedDependency[QueueService],
        channels: NamedDependency[ChannelsPlugin],
        state: State,
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        """A visitor's phone: the centre's calls (to follow their place) and their own ticket's changes."""
        centre, numbers, code = await queue.ticket_stream_context(public_code)
        replay = partial(history_after, state["session_maker"], centre_id=centre.id, window_numbers=numbers)
        names = [centre_channel(centre.code), ticket_channel(code)]
        return ServerSentEvent(event_stream(channels, names, lambda after: replay(after=after), last_event_id))


ROUTES.append(LiveController)
