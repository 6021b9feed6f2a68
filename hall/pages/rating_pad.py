"""The rating pad (评价器): a tablet at a window on which the visitor rates the visit just finished there.

It is a kiosk-role device (the ratings API takes a kiosk's rating on the ``pad`` channel). The pad follows the
centre's event stream; when its window finishes a visit, it offers that visit for rating for a few minutes or
until the window finishes the next one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.people import Role
from hall.pages.common import centre_view
from hall.pages.templating import page
from hall.security import allow, current_principal
from queueing.services import QueueService
from staffing.services import RatingService

OFFERED_FOR: Final = timedelta(minutes=10)  # how long after a visit ends the pad still offers it


class RatingPadPages(Controller):
    path = "/rate/{centre_code:str}/{number:int}"
    guards = [allow(Role.KIOSK)]
    opt = {"sign_in": "device"}
    include_in_schema = False

    @get("/")
    async def pad(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The pad of window ``number``: waiting between visits, the rating form after one."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        window = await queue.directory.window(centre.info.id, number)
        return page(request, "rate/pad.html", centre=centre, zone=centre.zone, window=window)

    @get("/visit")
    async def visit(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        ratings: NamedDependency[RatingService],
    ) -> Response[Any]:
        """The visit this window finished last, if it is recent and not rated yet; else the waiting screen."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        now = queue.clock.now()
        finished = [
            c
            for c in await ratings.sources.contacts_ended(centre.info.id, now - OFFERED_FOR, now + timedelta(seconds=1))
            if c.window_number == number and c.ended_at is not None
        ]
        latest = max(finished, key=lambda c: c.ended_at or now, default=None)
        state = await ratings.ticket_rating(latest.public_code) if latest is not None else None
        if state is None or not state.is_rateable:
            return page(request, "rate/waiting.html", window_number=number)
        offered = await queue.directory.offered_items(centre.info.id)
        return page(request, "rate/visit.html", state=state, offered=offered, window_number=number)
