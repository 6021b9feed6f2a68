"""Administration: the start page, the change history, and what every administration page shares.

Each change is made by the hall services (``hall.services``) the API uses, with the same checks and the same
change log; the pages add a confirmation before the change (``js/manage.js`` lists old → new), the field named on
a refusal (:mod:`hall.pages.admin_forms`), and the entity's history under its form.

After a change the browser is sent back to the page (303, post/redirect/get) with ``?done=<what>``, and the page
says what was saved.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as hall_schemas
from hall import services
from hall.domain.access import Principal
from hall.models import ChangeLogModel
from hall.pages.account import see_other
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, nav
from hall.pages.templating import page
from hall.security import current_principal
from hall.settings import Settings

DONE: Final[dict[str, str]] = {
    "created": N_("Created. The change is recorded in the history."),
    "saved": N_("Saved. The change is recorded in the history."),
    "removed": N_("Removed. The change is recorded in the history."),
    "imported": N_("Imported. The change is recorded in the history."),
    "certified": N_("The certification is recorded in the skill-level history and the change history."),
    "revoked": N_("Revoked: the device is refused from its next request on. The change is in the history."),
}
ENTITY_NAMES: Final[dict[str, str]] = {
    "centre": N_("Centre"),
    "centre_items": N_("Items offered"),
    "calendar_day": N_("Calendar day"),
    "centre_calendar_day": N_("Local calendar day"),
    "calendar": N_("Calendar year"),
    "department": N_("Department"),
    "service_item": N_("Catalogue item"),
    "window": N_("Window"),
    "staff": N_("Staff member"),
    "user": N_("User"),
    "device": N_("Device"),
}
ACTION_NAMES: Final[dict[str, str]] = {
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("removed"),
    "import": N_("imported"),
    "certify": N_("skill level certified"),
    "revoke": N_("revoked"),
}
HISTORY_PAGE: Final = 50

Done = Annotated[str | None, QueryParameter(max_length=20, description="what was just saved")]


def done_message(lang: str, done: str | None) -> str:
    return gettext(lang, DONE[done]) if done in DONE else ""


def saved(path: str, what: str = "saved") -> Response[Any]:
    """Back to the page after a change (post/redirect/get), saying what was done."""
    return see_other(f"{path}?done={what}")


async def history_context(
    db_session: AsyncSession,
    principal: Principal,
    settings: Settings,
    lang: str,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int = 20,
    offset: int = 0,
    centre_id: UUID | None = None,
) -> dict[str, Any]:
    """The changes of one entity (or all the caller may see), newest first, ready for ``history_list.html``.

    With ``centre_id`` only that centre's changes are listed (a centre's own page, e.g. its local calendar; the
    page has checked that the caller may see the centre).
    """
    if centre_id is not None:
        changes, total = await _centre_changes(db_session, centre_id, entity, limit, offset)
    else:
        changes, total = await services.HistoryService(db_session, principal).search(
            entity=entity, key=key, limit=limit, offset=offset
        )
    return {
        "changes": changes,
        "changes_total": total,
        "entity_names": {k: gettext(lang, v) for k, v in ENTITY_NAMES.items()},
        "action_names": {k: gettext(lang, v) for k, v in ACTION_NAMES.items()},
        "zone_of_history": settings.zone,
    }


async def _centre_changes(
    db_session: AsyncSession, centre_id: UUID, entity: str | None, limit: int, offset: int
) -> tuple[list[hall_schemas.ChangeRead], int]:
    statement = select(ChangeLogModel).where(ChangeLogModel.centre_id == centre_id)
    if entity:
        statement = statement.where(ChangeLogModel.entity == entity)
    total = await db_session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await db_session.scalars(
        statement.order_by(ChangeLogModel.created_at.desc(), ChangeLogModel.id.desc()).limit(limit).offset(offset)
    )
    return [
        hall_schemas.ChangeRead(
            entity=r.entity,
            entity_key=r.entity_key,
            action=r.action,
            actor=r.actor,
            at=r.created_at,
            changes=r.changes,
            note=r.note,
        )
        for r in rows
    ], int(total or 0)


async def admin_context(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    centre_code: str | None,
    admin_page: str,
    done: str | None = None,
) -> dict[str, Any]:
    """The frame of an administration page: the header, the menu, and the notice of what was just saved."""
    principal = current_principal(request)
    context = await nav(db_session, principal, centre_code, "admin" if centre_code else "admin-home")
    context["admin_page"] = admin_page
    context["done"] = done_message(lang_of(request), done)
    return context


def centre_options(centres: list[hall_schemas.CentreRead], lang: str) -> list[tuple[str, str]]:
    return [(c.code, f"{c.name_en if lang == 'en' and c.name_en else c.name_zh} ({c.code})") for c in centres]


class AdminPages(Controller):
    path = "/admin"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], done: Done = None
    ) -> Response[Any]:
        """What can be kept right here, and the centres it applies to."""
        return page(request, "admin/index.html", **await admin_context(request, db_session, None, "home", done))

    @get("/history")
    async def history(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        entity: Annotated[str | None, QueryParameter(max_length=32)] = None,
        key: Annotated[str | None, QueryParameter(max_length=100)] = None,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> Response[Any]:
        """Every change the caller may see (who, when, old → new), newest first, filtered by kind or key."""
        lang = lang_of(request)
        context = await admin_context(request, db_session, None, "history")
        context["section"] = "history"
        history = await history_context(
            db_session,
            current_principal(request),
            settings,
            lang,
            entity=entity or None,
            key=key or None,
            limit=HISTORY_PAGE,
            offset=offset,
        )
        return page(
            request,
            "admin/history.html",
            **context,
            **history,
            entity=entity or "",
            key=key or "",
            offset=offset,
            page_size=HISTORY_PAGE,
        )
