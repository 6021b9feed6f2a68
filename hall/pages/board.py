"""The display board (叫号屏) on a 1080p wall screen.

It shows the latest calls, waiting per domain and the mean wait, and announces the calls in Mandarin with the
browser's speech synthesiser.

The page follows the centre's event stream (``StreamCentreEvents``); after a reconnect or a ``resync`` it reads
the whole board again (``GetBoard``), so it recovers by itself from a network or server restart.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.people import Role
from hall.pages.common import centre_view
from hall.pages.i18n import DEFAULT_LANG, N_, gettext, lang_of
from hall.pages.templating import page
from hall.security import allow, current_principal
from queueing.services import QueueService

ANNOUNCE: Final = N_("Number %(number)s, please go to window %(window)s")
REPEAT: Final = N_("Repeat call: number %(number)s, please go to window %(window)s")


def announcements(lang: str) -> dict[str, str]:
    """The spoken sentences, with ``{number}`` and ``{window}`` for the page to fill in.

    Always in Mandarin; when the board is shown in another language, also in that language, after the Mandarin.
    """
    fields = {"number": "{number}", "window": "{window}"}
    local = lang != DEFAULT_LANG
    return {
        "announce_zh": gettext(DEFAULT_LANG, ANNOUNCE, **fields),
        "recall_zh": gettext(DEFAULT_LANG, REPEAT, **fields),
        "announce_local": gettext(lang, ANNOUNCE, **fields) if local else "",
        "recall_local": gettext(lang, REPEAT, **fields) if local else "",
    }


# Who may open the board: as ``GetBoard`` (display boards, and people or kiosks who want to look).
BOARD_VIEWERS = allow(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK, Role.DISPLAY)


class BoardPages(Controller):
    path = "/board/{centre_code:str}"
    guards = [BOARD_VIEWERS]
    opt = {"sign_in": "device"}
    include_in_schema = False

    @get("/")
    async def board(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The whole board; it then lives on the event stream."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        board = await queue.board(centre.code)
        return page(
            request,
            "board/page.html",
            centre=centre,
            zone=centre.zone,
            board=board,
            announce=announcements(lang_of(request)),
        )

    @get("/state")
    async def state(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
    ) -> Response[Any]:
        """The board's changing part, read again after events and reconnects."""
        centre = await centre_view(db_session, queue, current_principal(request), centre_code, check_scope=True)
        board = await queue.board(centre.code)
        return page(request, "board/state.html", centre=centre, zone=centre.zone, board=board)
