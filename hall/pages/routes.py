"""The pages' routes for the composition root: the page controllers, their error pages and the static files."""

from __future__ import annotations

from typing import Any, Final

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from hall.pages.account import AccountPages
from hall.pages.admin import AdminPages
from hall.pages.admin_catalogue import AdminCataloguePages
from hall.pages.admin_centres import AdminCentrePages
from hall.pages.admin_people import AdminPeoplePages
from hall.pages.assessment import AssessmentPages
from hall.pages.board import BoardPages
from hall.pages.calendar_local import CentreCalendarPages
from hall.pages.console import ConsolePages
from hall.pages.errors import PAGE_EXCEPTION_HANDLERS
from hall.pages.kiosk import KioskPages
from hall.pages.manage import ManagePages
from hall.pages.my_grades import MyGradesPages
from hall.pages.pay import PayPages
from hall.pages.planning import PlanningPages
from hall.pages.rating_pad import RatingPadPages
from hall.pages.reporting import ReportPages
from hall.pages.templating import STATIC_DIR, STATIC_PATH, make_engine
from hall.pages.visitor import VisitorPages
from hall.security import public

STATIC_ROUTE: Final = f"^{STATIC_PATH}/"  # the authentication middleware skips these (no sign-in to read)


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(instance=make_engine())


ROUTES: Final[list[Router]] = [
    Router(
        path="/",
        route_handlers=[
            AccountPages,
            KioskPages,
            BoardPages,
            ConsolePages,
            VisitorPages,
            RatingPadPages,
            ManagePages,
            ReportPages,
            PlanningPages,
            CentreCalendarPages,
            AdminPages,
            AdminCentrePages,
            AdminPeoplePages,
            AdminCataloguePages,
            MyGradesPages,
            AssessmentPages,
            PayPages,
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    ),
    create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        guards=[public],
        # URLs carry the file's content hash (templating.static_url), so a browser may keep a file for a year.
        cache_control=CacheControlHeader(max_age=365 * 86400, public=True),
        include_in_schema=False,
    ),
]
