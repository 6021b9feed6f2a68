"""What the manager's and administrator's pages share: guards, the centres in view, savepoints and messages.

Changes go through the same services as the API (``hall.services``, ``queueing.services.QueueService``), so the
same checks apply and every change is in the history. A refused change must leave nothing behind while the page
still answers (a form shown again with the field named, or a message), so each change runs in a savepoint: a
``HallError`` rolls the savepoint back and is turned into a message; the request's transaction stays usable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as hall_schemas
from hall import services
from hall.domain.access import Principal
from hall.domain.people import Role
from hall.pages.templating import page
from hall.security import allow

T = TypeVar("T")

MANAGERS: Final = allow(Role.ADMIN, Role.MANAGER)
ADMINS: Final = allow(Role.ADMIN)


async def in_savepoint(session: AsyncSession, work: Awaitable[T]) -> T:
    """Run one change in a savepoint: if it raises, nothing it wrote remains (the request goes on)."""
    async with session.begin_nested():
        return await work


@dataclass(frozen=True, slots=True)
class CentreNode:
    """A centre in the hierarchy the caller sees, with its depth (0 for a top centre in view)."""

    centre: hall_schemas.CentreRead
    depth: int


def centre_tree(centres: Sequence[hall_schemas.CentreRead]) -> list[CentreNode]:
    """The visible centres in hierarchy order: each centre followed by the centres below it."""
    codes = {c.code for c in centres}
    children: dict[str | None, list[hall_schemas.CentreRead]] = {}
    for centre in centres:
        parent = centre.parent_code if centre.parent_code in codes else None
        children.setdefault(parent, []).append(centre)
    ordered: list[CentreNode] = []

    def walk(parent: str | None, depth: int) -> None:
        for centre in sorted(children.get(parent, []), key=lambda c: c.code):
            ordered.append(CentreNode(centre, depth))
            walk(centre.code, depth + 1)

    walk(None, 0)
    return ordered


def below(centres: Sequence[hall_schemas.CentreRead], code: str) -> list[hall_schemas.CentreRead]:
    """The centre ``code`` and every visible centre below it, in hierarchy order."""
    tree = centre_tree(centres)
    start = next((i for i, node in enumerate(tree) if node.centre.code == code), None)
    if start is None:
        return []
    depth = tree[start].depth
    found = [tree[start].centre]
    for node in tree[start + 1 :]:
        if node.depth <= depth:
            break
        found.append(node.centre)
    return found


async def visible_centres(db_session: AsyncSession, principal: Principal) -> list[hall_schemas.CentreRead]:
    return await services.CentreService(db_session, principal).visible()


async def nav(db_session: AsyncSession, principal: Principal, centre_code: str | None, section: str) -> dict[str, Any]:
    """What the header of every manager page needs: who is signed in, the centre in view and its neighbours."""
    centres = await visible_centres(db_session, principal)
    current = next((c for c in centres if c.code == centre_code), None)
    return {
        "principal": principal,
        "is_admin": principal.role is Role.ADMIN,
        "centres": centre_tree(centres),
        "current": current,
        "has_below": current is not None and len(below(centres, current.code)) > 1,
        "section": section,
    }


def flash(request: Request[Any, Any, Any], status: int, message: str, detail: str = "") -> Response[Any]:
    """A refusal as a message in the page's ``#flash`` region (htmx), or as an error page."""
    if request.headers.get("hx-request") == "true":
        return page(
            request,
            "partials/flash.html",
            status_code=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            message=message,
            detail=detail,
            show_detail=bool(detail),
        )
    return page(request, "error.html", status_code=status, message=message, detail=detail)
