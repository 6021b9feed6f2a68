"""The window console (窗口工作台) of a staff member: sign in to a window, call, serve and finish visits.

Every action is the queue service's own (the API's ``CallNext``, ``RecallTicket``, … with the same checks and
history); the page posts a form with htmx and gets back the re-rendered work area. The waiting list this window
may call (``GetWindowQueue``) refreshes from the window's event stream.

Which window the staff member sits at is remembered in the ``hall_window`` cookie (a hint only: every action is
checked against the open window session, and without the cookie the console finds the session itself).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from hall.domain.errors import DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.forms import convert, first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.templating import page
from hall.security import allow, current_principal
from queueing import schemas as s
from queueing.domain.snapshot import CallReason
from queueing.domain.tickets import CaseOutcome
from queueing.ports import CentreInfo, ItemInfo
from queueing.services import QueueService

WINDOW_COOKIE: Final = "hall_window"
STAFF_ONLY = allow(Role.STAFF)  # managers act on windows through the API; the console is the clerk's own


@dataclass(frozen=True, slots=True)
class Seat:
    """Where the signed-in staff member works now: their centre and their open window session (if any)."""

    centre: CentreInfo
    session: s.WindowSessionRead | None

    @property
    def number(self) -> int:
        if self.session is None:
            raise NotFoundError("number", "you are not signed in at a window")
        return self.session.window_number


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One item of the outcome form, with the deadlines the clerk must see before choosing."""

    item: s.TicketItemRead
    info: ItemInfo | None
    due_on: date | None  # the committed deadline if it is accepted today (承诺件 / 容缺受理)

    @property
    def allows_committed(self) -> bool:
        return self.due_on is not None

    @property
    def allows_conditional(self) -> bool:
        return self.info is not None and self.info.allows_conditional_acceptance


async def seat_of(request: Request[Any, Any, Any], queue: QueueService) -> Seat:
    """Find the caller's centre and open window session (the cookie's window first, else every window)."""
    principal = current_principal(request)
    if principal.staff_id is None or principal.centre_id is None:
        raise PermissionDeniedError("staffEmployeeNo", "your account is not linked to a staff record")
    staff = await queue.directory.staff(principal.staff_id)
    centre = await queue.directory.centre_by_id(staff.centre_id)
    hint = request.cookies.get(WINDOW_COOKIE, "")
    windows = list(await queue.directory.windows(centre.id))
    if hint.isdigit():
        windows.sort(key=lambda w: w.number != int(hint))  # the remembered window first
    for window in windows:
        with contextlib.suppress(NotFoundError):
            session = await queue.window_session(centre.code, window.number)
            if session.staff_employee_no == staff.employee_no:
                return Seat(centre, session)
    return Seat(centre, None)


def window_cookie(number: int | None) -> Cookie:
    return Cookie(
        key=WINDOW_COOKIE, value=str(number or ""), max_age=0 if number is None else 86400, samesite="strict", path="/"
    )


async def call_reason(queue: QueueService, centre: CentreInfo, number: str) -> tuple[CallReason | None, str]:
    """Why the current ticket was called: the reason the policy gave, kept in the ticket's history."""
    detail = await queue.detail(centre.code, number)
    for event in reversed(detail.history):
        if event.action == "call":
            reason = event.details.get("reason")
            known = {r.value for r in CallReason}
            return (CallReason(str(reason)) if reason in known else None), str(event.details.get("detail", ""))
    return None, ""


class ConsolePages(Controller):
    path = "/console"
    guards = [STAFF_ONLY]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    # --- pages ------------------------------------------------------------------------------------------------------
    @get("/")
    async def console(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The console: choose a window first, then the work area and the waiting list."""
        principal = current_principal(request)
        if principal.staff_id is None:
            return page(request, "console/no_staff.html", principal=principal)
        seat = await seat_of(request, queue)
        if seat.session is None:
            return await self._choose_window(request, queue, seat.centre)
        work = await self._work(request, queue, seat)
        waiting = await queue.window_queue(seat.centre.code, seat.number)
        offered = await queue.directory.offered_items(seat.centre.id)
        return page(
            request,
            "console/page.html",
            **work,
            waiting=waiting,
            offered=offered,
            pause_reasons=labels.PAUSE_REASONS,
        )

    async def _choose_window(
        self, request: Request[Any, Any, Any], queue: QueueService, centre: CentreInfo
    ) -> Response[Any]:
        occupied: dict[int, str] = {}
        windows = list(await queue.directory.windows(centre.id))
        for window in windows:
            with contextlib.suppress(NotFoundError):
                occupied[window.number] = (await queue.window_session(centre.code, window.number)).staff_name
        return page(
            request, "console/choose_window.html", centre=centre, windows=windows, occupied=occupied, zone=centre.zone
        )

    async def _work(
        self,
        request: Request[Any, Any, Any],
        queue: QueueService,
        seat: Seat,
        *,
        reason: CallReason | None = None,
        reason_detail: str = "",
        notice: str = "",
        last: s.TicketDetail | None = None,
    ) -> dict[str, Any]:
        """What the work area shows: the window, its current ticket and why it was called, the last visit."""
        assert seat.session is not None
        current = seat.session.current_ticket
        if current is not None and reason is None:
            reason, reason_detail = await call_reason(queue, seat.centre, current.number)
        window = await queue.directory.window(seat.centre.id, seat.number)
        return {
            "centre": seat.centre,
            "zone": seat.centre.zone,
            "session": seat.session,
            "window": window,
            "current": current,
            "reason": reason,
            "reason_detail": reason_detail,
            "notice": notice,
            "last": last,
            "now": queue.clock.now(),
            "principal": current_principal(request),
        }

    async def _workspace(
        self, request: Request[Any, Any, Any], queue: QueueService, *, clear_task: bool = True, **extra: Any
    ) -> Response[Any]:
        seat = await seat_of(request, queue)
        if seat.session is None:
            return Response(None, status_code=200, headers={"HX-Refresh": "true"})
        work = await self._work(request, queue, seat, **extra)
        return page(
            request, "console/workspace.html", **work, clear_task=clear_task, pause_reasons=labels.PAUSE_REASONS
        )

    @get("/workspace")
    async def workspace(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The work area, read again when the window's state changes elsewhere (a visitor cancelled, say)."""
        return await self._workspace(request, queue, clear_task=False)

    @get("/queue")
    async def waiting(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The tickets this window may call, in the order it would call them (``GetWindowQueue``)."""
        seat = await seat_of(request, queue)
        waiting = await queue.window_queue(seat.centre.code, seat.number) if seat.session else []
        offered = await queue.directory.offered_items(seat.centre.id)
        return page(request, "console/queue.html", waiting=waiting, offered=offered, zone=seat.centre.zone)

    # --- the window session -----------------------------------------------------------------------------------------
    @post("/window")
    async def open_window(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Sign in at a window (``OpenWindow``)."""
        seat = await seat_of(request, queue)
        number = first(await form_of(request), "number")
        if not number.isdigit():
            raise DomainRuleViolation("number", "choose a window")
        session = await queue.open_window(seat.centre.code, int(number), s.OpenWindow())
        return see_other("/console", [window_cookie(session.window_number)])

    @post("/window/close")
    async def close_window(
        self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]
    ) -> Response[Any]:
        """Sign out of the window (``CloseWindow``); refused while a ticket is at the window."""
        seat = await seat_of(request, queue)
        await queue.close_window(seat.centre.code, seat.number)
        return see_other("/console", [window_cookie(None)])

    @post("/pause")
    async def pause(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Pause with a reason (``PauseWindow``)."""
        seat = await seat_of(request, queue)
        form = await form_of(request)
        reason = first(form, "other") if first(form, "reason") == "other" else first(form, "reason")
        if reason in labels.PAUSE_REASONS:
            reason = gettext(lang_of(request), reason)
        data = convert({"reason": reason}, s.PauseWindow)
        await queue.pause_window(seat.centre.code, seat.number, data)
        return await self._workspace(request, queue)

    @post("/resume")
    async def resume(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """End the pause (``ResumeWindow``)."""
        seat = await seat_of(request, queue)
        await queue.resume_window(seat.centre.code, seat.number)
        return await self._workspace(request, queue)

    # --- the ticket at the window -------------------------------------------------------------------------------------
    @post("/call-next")
    async def call_next(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Call the ticket the centre's policy chooses (``CallNext``), and say why it was chosen."""
        seat = await seat_of(request, queue)
        result = await queue.call_next(seat.centre.code, seat.number)
        if result is None:
            notice = gettext(lang_of(request), N_("Nobody is waiting for what this window serves."))
            return await self._workspace(request, queue, notice=notice)
        return await self._workspace(request, queue, reason=result.reason, reason_detail=result.detail)

    @post("/recall")
    async def recall(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Call the same ticket again (``RecallTicket``); past the recall limit it becomes a no-show."""
        seat = await seat_of(request, queue)
        ticket = await queue.recall(seat.centre.code, seat.number)
        notice = gettext(lang_of(request), N_("%(number)s has been called again."), number=ticket.number)
        if ticket.status.value == "no_show":
            message = N_("Recall limit reached: %(number)s is marked missed.")
            notice = gettext(lang_of(request), message, number=ticket.number)
        return await self._workspace(request, queue, notice=notice)

    @post("/start")
    async def start(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The visitor is here (``StartService``); a claimed priority is recorded as verified or not."""
        seat = await seat_of(request, queue)
        verified = first(await form_of(request), "verified")
        flag = {"yes": True, "no": False}.get(verified)
        await queue.start(seat.centre.code, seat.number, flag)
        return await self._workspace(request, queue)

    @post("/no-show")
    async def no_show(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The visitor did not come (``MarkNoShow``)."""
        seat = await seat_of(request, queue)
        ticket = await queue.mark_no_show(seat.centre.code, seat.number)
        notice = gettext(lang_of(request), N_("%(number)s is marked missed."), number=ticket.number)
        return await self._workspace(request, queue, notice=notice)

    @post("/park")
    async def park(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """The visitor steps away (``ParkTicket``); the ticket comes back to this window."""
        seat = await seat_of(request, queue)
        ticket = await queue.park(seat.centre.code, seat.number)
        notice = gettext(
            lang_of(request),
            N_("%(number)s is on hold. When the visitor is back, the information desk puts it back for this window."),
            number=ticket.number,
        )
        return await self._workspace(request, queue, notice=notice)

    @get("/ratings")
    async def paper_rating(
        self,
        request: Request[Any, Any, Any],
        queue: NamedDependency[QueueService],
        number: Annotated[str, QueryParameter(max_length=16)] = "",
        day: Annotated[date | None, QueryParameter()] = None,
    ) -> Response[Any]:
        """Enter a paper rating form (书面评价表): find the visit by its ticket number and day, then rate it."""
        principal = current_principal(request)
        if principal.staff_id is None:
            return page(request, "console/no_staff.html", principal=principal)
        seat = await seat_of(request, queue)
        today = seat.centre.local(queue.clock.now()).date()
        visit = None
        if number:
            visit = await queue.detail(seat.centre.code, number.strip().upper(), day or today)
        return page(
            request,
            "console/paper_rating.html",
            centre=seat.centre,
            zone=seat.centre.zone,
            visit=visit,
            number=number,
            day=day or today,
            today=today,
        )

    @get("/transfer")
    async def transfer_form(
        self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]
    ) -> Response[Any]:
        """The transfer form: another window and/or other items."""
        seat = await seat_of(request, queue)
        if seat.session is None or seat.session.current_ticket is None:
            raise DomainRuleViolation("window", "no current ticket")
        windows = [
            w
            for w in await queue.directory.windows(seat.centre.id)
            if w.number != seat.number and w.status.value == "in_service"
        ]
        offered = sorted((await queue.directory.offered_items(seat.centre.id)).values(), key=lambda i: i.code)
        return page(
            request,
            "console/transfer_form.html",
            ticket=seat.session.current_ticket,
            windows=windows,
            offered=offered,
        )

    @post("/transfer")
    async def transfer(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Send the ticket on (``TransferTicket``), keeping its arrival time."""
        seat = await seat_of(request, queue)
        form = await form_of(request)
        to_window = first(form, "to_window")
        items = [code for code in form.get("item", []) if code]
        data = convert(
            {
                "toWindow": int(to_window) if to_window.isdigit() else None,
                "itemCodes": items or None,
                "note": first(form, "note"),
            },
            s.TransferTicket,
        )
        ticket = await queue.transfer(seat.centre.code, seat.number, data)
        notice = gettext(lang_of(request), N_("%(number)s has been transferred."), number=ticket.number)
        return await self._workspace(request, queue, notice=notice)

    @get("/complete")
    async def complete_form(
        self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]
    ) -> Response[Any]:
        """The outcome form: one outcome per item, with the committed deadline each would get today."""
        seat = await seat_of(request, queue)
        if seat.session is None or seat.session.current_ticket is None:
            raise DomainRuleViolation("window", "no current ticket")
        return page(
            request,
            "console/complete_form.html",
            ticket=seat.session.current_ticket,
            rows=await self._outcome_rows(queue, seat.centre, seat.session.current_ticket),
            today=seat.centre.local(queue.clock.now()).date(),
            outcomes=list(CaseOutcome),
        )

    @staticmethod
    async def _outcome_rows(queue: QueueService, centre: CentreInfo, ticket: s.TicketRead) -> list[OutcomeRow]:
        offered = await queue.directory.offered_items(centre.id)
        today = centre.local(queue.clock.now()).date()
        rows = []
        for item in ticket.items:
            info = offered.get(item.code)
            due = (
                centre.calendar.add_working_days(today, info.committed_limit_days)
                if info is not None and info.committed_limit_days is not None
                else None
            )
            rows.append(OutcomeRow(item=item, info=info, due_on=due))
        return rows

    @post("/complete")
    async def complete(self, request: Request[Any, Any, Any], queue: NamedDependency[QueueService]) -> Response[Any]:
        """Finish the visit (``CompleteTicket``) and show what was recorded, with its deadlines."""
        seat = await seat_of(request, queue)
        form = await form_of(request)
        outcomes = [outcome_of(form, index) for index in range(len(form.get("item_code", [])))]
        if not outcomes or not all(o["outcome"] for o in outcomes):
            raise DomainRuleViolation("outcomes", "every item needs an outcome")
        data = convert({"outcomes": outcomes, "note": first(form, "note")}, s.CompleteTicket)
        ticket = await queue.complete(seat.centre.code, seat.number, data)
        last = await queue.detail(seat.centre.code, ticket.number)
        return await self._workspace(request, queue, last=last)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def outcome_of(form: dict[str, list[str]], index: int) -> dict[str, Any]:
    """The outcome of item ``index`` from the form, with only the facts that belong to the chosen outcome."""
    code = form["item_code"][index]
    outcome = first(form, f"outcome-{index}")
    wire: dict[str, Any] = {"itemCode": code, "outcome": outcome}
    if outcome == CaseOutcome.CONDITIONAL.value:
        wire["pendingDocuments"] = _lines(first(form, f"pending-{index}"))
        wire["supplementDueOn"] = first(form, f"supplement-due-{index}") or None
    elif outcome == CaseOutcome.RETURNED_WITH_NOTICE.value:
        wire["missingMaterials"] = _lines(first(form, f"missing-{index}"))
    elif outcome == CaseOutcome.REJECTED.value:
        wire["reason"] = first(form, f"reason-{index}")
    return wire
