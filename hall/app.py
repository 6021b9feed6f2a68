"""The composition root: ``create_app(settings)`` builds the whole Litestar application."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig

from hall import controllers as hall_controllers
from hall import errors as api_errors
from hall.cache import ReferenceCache
from hall.db.engine import make_engine, make_session_maker
from hall.db.session import provide_db_session
from hall.errors import EXCEPTION_HANDLERS
from hall.jobs import close_finished_days
from hall.lib.clock import Clock, SystemClock
from hall.logs import configure_logging
from hall.ops import MetricsController, OpsController
from hall.pages import errors as page_errors
from hall.pages import routes as pages
from hall.scheduler import LeaderElectedScheduler, cron, every, make_leader_lock
from hall.security import HallAuthenticationMiddleware
from hall.settings import Settings, get_settings
from hall.wiring import (
    provide_appointment_service,
    provide_planning_service,
    provide_queue_service,
    staffing_provider,
)
from queueing import appointment_controllers
from queueing import controllers as queueing_controllers
from queueing.live import ChannelsPublisher, make_channels
from queueing.notify import LogNotifier, NotificationDispatcher, WebhookNotifier
from staffing import controllers as staffing_controllers
from staffing import services as staffing_services
from staffing.jobs import apply_default_ratings, prepare_month_drafts
from staffing.planning import controllers as planning_controllers
from staffing.planning.compute import PlanningCompute, shutdown_default
from staffing.planning.jobs import refit_and_forecast

API_VERSION = "1.0.0"


#: Paths that are never pages: the API, its schema and the operations endpoints answer problem documents.
_MACHINE_PATHS = ("/api", "/schema", "/metrics", "/health", "/ready")


def _handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """An HTTP error that no router's own handler took (a path nothing matches, a method a path does not allow).

    A browser asking for a page gets the error page in its language, with a way back; the API, its clients and
    anything that does not ask for HTML get an RFC 9457 problem document.
    """
    if not request.url.path.startswith(_MACHINE_PATHS) and "text/html" in request.headers.get("accept", ""):
        return page_errors.handle_http(request, exc)
    return api_errors.handle_http(request, exc)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    """Build the application for one installation's settings (tests pass their own)."""
    settings = settings or get_settings()
    configure_logging(settings)
    engine = make_engine(settings.database_url)
    session_maker = make_session_maker(engine)
    prometheus = PrometheusConfig(app_name="hall", group_path=True, exclude=["/metrics", "/health"])

    channels = make_channels(settings.database_url)
    clock = clock or SystemClock()
    publisher = ChannelsPublisher(channels)
    notifier: LogNotifier | WebhookNotifier = (
        WebhookNotifier(settings.notify_webhook_url, settings.notify_webhook_secret)
        if settings.notify_webhook_url
        else LogNotifier()
    )
    notifications = NotificationDispatcher(notifier)
    jobs = [
        every(
            "close-finished-days",
            partial(close_finished_days, session_maker, clock, settings, publisher, notifications.dispatch),
            seconds=600,
            run_at_start=True,
        ),
        cron(
            "staffing-month-drafts",
            partial(prepare_month_drafts, session_maker, clock, settings),
            timezone=settings.zone,
            day=1,
            hour=6,
            run_at_start=True,
        ),
        every("staffing-default-ratings", partial(apply_default_ratings, session_maker, clock, settings), seconds=3600),
        cron(
            "planning-refit-forecast",
            partial(refit_and_forecast, session_maker, clock),
            timezone=settings.zone,
            hour=2,
            minute=30,
            run_at_start=True,
        ),
    ]
    scheduler = (
        LeaderElectedScheduler(make_leader_lock(settings), jobs, timezone=settings.zone)
        if settings.run_scheduler
        else None
    )

    async def _on_startup(_: Litestar) -> None:
        if scheduler is not None:
            await scheduler.start()

    async def _on_shutdown(app: Litestar) -> None:
        if scheduler is not None:
            await scheduler.stop()  # before the engine goes: jobs use it
        # the planning pool's worker processes stop with the server (SIGTERM must leave none behind)
        compute = app.state.get("planning_compute")
        if isinstance(compute, PlanningCompute):
            await asyncio.to_thread(compute.shutdown)
        await asyncio.to_thread(shutdown_default)
        await notifications.aclose()
        await notifier.aclose()
        await engine.dispose()

    route_handlers: list[Any] = [
        OpsController,
        MetricsController,
        *hall_controllers.ROUTES,
        *queueing_controllers.ROUTES,
        *appointment_controllers.ROUTES,
        *staffing_controllers.ROUTES,
        *planning_controllers.ROUTES,
        *pages.ROUTES,
    ]
    return Litestar(
        route_handlers=route_handlers,
        plugins=[channels],
        middleware=[
            prometheus.middleware,
            DefineMiddleware(
                HallAuthenticationMiddleware, exclude=["^/schema", "^/metrics$", "^/health$", pages.STATIC_ROUTE]
            ),
        ],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "db_session": Provide(provide_db_session),
            "queue": Provide(provide_queue_service),
            "appointments": Provide(provide_appointment_service),
            "planning": Provide(provide_planning_service),
            "ratings": staffing_provider(staffing_services.RatingService),
            "negative_cases": staffing_provider(staffing_services.NegativeCaseService),
            "staffing_rules": staffing_provider(staffing_services.RuleService),
            "assessment_entries": staffing_provider(staffing_services.EntryService),
            "assessments": staffing_provider(staffing_services.AssessmentService),
            "pay": staffing_provider(staffing_services.PayDocuments),
        },
        state=State(
            {
                "session_maker": session_maker,
                "settings": settings,
                "clock": clock,
                "publisher": publisher,
                "notifications": notifications,
                "reference_cache": ReferenceCache(ttl_seconds=5.0),
            }
        ),
        exception_handlers={**EXCEPTION_HANDLERS, HTTPException: _handle_http},
        template_config=pages.template_config(),
        on_startup=[_on_startup],
        on_shutdown=[_on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Hall API",
            version=API_VERSION,
            description="Window-hall queueing and staff management for government service centres.",
            use_handler_docstrings=True,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        debug=settings.debug,
    )
