"""The manager's live hall (``/manage/{centre}``): queues, windows, alerts and the manager's own actions.

The page follows the centre's event stream (``StreamCentreEvents``) and reads its changing part again after each
ticket or window event, after a reconnect and every 30 seconds (time in state keeps moving). The figures come
from :func:`hall.reports.live_hall` (waiting tickets and window sessions, read directly) and ``GetBoard`` (the
latest calls).

The manager acts with the queue service's own operations — ``OpenWindow`` naming the staff member,
``CloseWindow``, ``PauseWindow``, ``ResumeWindow``, ``ReinstateTicket`` — so the same checks and history apply;
moving a staff member is ``CloseWindow`` here and ``OpenWindow`` there, in one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.errors import ConflictError, DomainRuleViolation, HallError, NotFoundError, PermissionDeniedError
from hall.pages import labels
from hall.pages.common import CentreView, centre_view
from hall.pages.errors import message_for
from hall.pages.forms import convert, first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, flash, in_savepoint, nav
from hall.pages.templating import page
from hall.reports import Traffic, available_staff, live_hall
from hall.security import current_principal
from queueing import schemas as s
from queueing.services import QueueService

# (error class, field prefix, words of the reason, message id): refusals as a manager reads them.
MESSAGES: Final[tuple[tuple[type[HallError], str, str, str], ...]] = (
    (ConflictError, "number", "already signed in", N_("Someone is already signed in at this window.")),
    (ConflictError, "number", "same moment", N_("Someone is already signed in at this window.")),
    (ConflictError, "number", "out of service", N_("This window is out of service.")),
    (ConflictError, "number", "nobody signed in", N_("Nobody is signed in at this window.")),
    (NotFoundError, "number", "nobody signed in", N_("Nobody is signed in at this window.")),
    (ConflictError, "number", "reinstated only within", N_("The reinstatement period of this missed ticket is over.")),
    (NotFoundError, "number", "no ticket", N_("No such ticket today.")),
    (NotFoundError, "number", "no window", N_("No such window.")),
    (ConflictError, "staffEmployeeNo", "another window", N_("This staff member is signed in at another window.")),
    (ConflictError, "staffEmployeeNo", "not active", N_("This staff member is not active.")),
    (DomainRuleViolation, "staffEmployeeNo", "another centre", N_("This staff member works at another centre.")),
    (DomainRuleViolation, "staffEmployeeNo", "", N_("Choose a staff member.")),
    (NotFoundError, "staffEmployeeNo", "", N_("Choose a staff member.")),
    (ConflictError, "window", "first", N_("A ticket is at this window: it must be finished or transferred first.")),
    (ConflictError, "window", "not paused", N_("The window is not paused.")),
    (DomainRuleViolation, "reason", "", N_("Give the reason for the pause.")),
    (DomainRuleViolation, "toWindow", "", N_("Choose the window to move to.")),
    (DomainRuleViolation, "action", "", N_("This is not possible for the ticket now.")),
    (PermissionDeniedError, "centreCode", "", N_("This centre is not one of yours.")),
)


def manager_message(lang: str, exc: HallError) -> str:
    where = f"{exc.field} {exc.reason}"
    for kind, field, words, message in MESSAGES:
        if isinstance(exc, kind) and exc.field.startswith(field) and words in where:
            return gettext(lang, message)
    return message_for(lang, exc)


class ManagePages(Controller):
    path = "/manage"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Response[Any]:
        """The centres the manager runs (a county manager: theirs and those below), each with its pages."""
        return page(request, "manage/index.html", **await nav(db_session, current_principal(request), None, "home"))

    async def _live_context(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, queue: QueueService, centre: CentreView
    ) -> dict[str, Any]:
        now = queue.clock.now()
        hall = await live_hall(db_session, queue.directory, centre.info, now)
        board = await queue.board(centre.code)
        return {
            "centre": centre,
            "zone": centre.zone,
            "hall": hall,
            "board": board,
            "now": now,
            "promise": centre.info.promise,
            "rules": centre.info.rules,
            "staff_available": await available_staff(db_session, centre.info),
            "pause_reasons": labels.PAUSE_REASONS,
            "traffic": Traffic,
            "offered": await queue.directory.offered_items(centre.info.id),
        }

    @get("/{centre_code:str}")
    async def live(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The live hall; it then follows the centre's event stream."""
        principal = current_principal(request)
        centre = await centre_view(db_session, queue, principal, centre_code, check_scope=True)
        context = await self._live_context(request, db_session, queue, centre)
        return page(request, "manage/live.html", **context, **await nav(db_session, principal, centre.code, "live"))

    @get("/{centre_code:str}/live")
    async def live_state(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The changing part of the live hall, read again after events, reconnects and every 30 seconds."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        context = await self._live_context(request, db_session, queue, centre)
        return page(request, "manage/live_state.html", **context, notice="")

    async def _act(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        centre_code: str,
        action: Callable[[CentreView], Awaitable[None]],
        notice: str,
        **variables: object,
    ) -> Response[Any]:
        """Run one action in a savepoint; answer the refreshed live part with a notice, or the refusal."""
        lang = lang_of(request)
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        try:
            await in_savepoint(db_session, action(centre))
        except HallError as exc:
            return flash(request, exc.status_code, manager_message(lang, exc), f"{exc.field}: {exc.reason}")
        context = await self._live_context(request, db_session, queue, centre)
        return page(request, "manage/live_state.html", **context, notice=gettext(lang, notice, **variables))

    @post("/{centre_code:str}/windows/{number:int}/open")
    async def open_window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Open a window with a staff member (``OpenWindow`` naming them)."""
        staff_no = first(await form_of(request), "staff")
        data = convert({"staffEmployeeNo": staff_no or None}, s.OpenWindow)

        async def action(centre: CentreView) -> None:
            await queue.open_window(centre.code, number, data)

        return await self._act(
            request, db_session, queue, centre_code, action, N_("Window %(window)s is open."), window=number
        )

    @post("/{centre_code:str}/windows/{number:int}/close")
    async def close_window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Close a window (``CloseWindow``): its staff member is signed out; refused while a ticket is there."""

        async def action(centre: CentreView) -> None:
            await queue.close_window(centre.code, number)

        return await self._act(
            request, db_session, queue, centre_code, action, N_("Window %(window)s is closed."), window=number
        )

    @post("/{centre_code:str}/windows/{number:int}/pause")
    async def pause_window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Pause a window with a reason (``PauseWindow``)."""
        form = await form_of(request)
        reason = first(form, "other") if first(form, "reason") == "other" else first(form, "reason")
        if reason in labels.PAUSE_REASONS:
            reason = gettext(lang_of(request), reason)
        if not reason:
            lang = lang_of(request)
            return flash(request, 422, gettext(lang, N_("Give the reason for the pause.")))
        data = convert({"reason": reason}, s.PauseWindow)

        async def action(centre: CentreView) -> None:
            await queue.pause_window(centre.code, number, data)

        return await self._act(
            request, db_session, queue, centre_code, action, N_("Window %(window)s is paused."), window=number
        )

    @post("/{centre_code:str}/windows/{number:int}/resume")
    async def resume_window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Reopen a paused window (``ResumeWindow``)."""

        async def action(centre: CentreView) -> None:
            await queue.resume_window(centre.code, number)

        return await self._act(
            request, db_session, queue, centre_code, action, N_("Window %(window)s is serving again."), window=number
        )

    @post("/{centre_code:str}/windows/{number:int}/move")
    async def move_staff(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Move the staff member of this window to another one: ``CloseWindow`` here, ``OpenWindow`` there."""
        target = first(await form_of(request), "to_window")
        if not target.isdigit() or int(target) == number:
            lang = lang_of(request)
            return flash(request, 422, gettext(lang, N_("Choose the window to move to.")))
        to_window = int(target)

        async def action(centre: CentreView) -> None:
            seated = await queue.window_session(centre.code, number)
            await queue.close_window(centre.code, number)
            await queue.open_window(centre.code, to_window, s.OpenWindow(staff_employee_no=seated.staff_employee_no))

        return await self._act(
            request,
            db_session,
            queue,
            centre_code,
            action,
            N_("The staff member of window %(window)s now serves at window %(target)s."),
            window=number,
            target=to_window,
        )

    @post("/{centre_code:str}/tickets/{number:str}/reinstate")
    async def reinstate(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """Put a missed ticket back in the queue (``ReinstateTicket``), within the reinstatement period."""

        async def action(centre: CentreView) -> None:
            await queue.reinstate(centre.code, number)

        return await self._act(
            request, db_session, queue, centre_code, action, N_("%(number)s is back in the queue."), number=number
        )
