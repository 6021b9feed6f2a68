"""The composition root: ``create_app(settings)`` builds the whole Litestar application."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig

from hall import controllers as hall_controllers
from hall.db.engine import make_engine, make_session_maker
from hall.db.session import provide_db_session
from hall.errors import EXCEPTION_HANDLERS
from hall.jobs import close_finished_days
from hall.lib.clock import Clock, SystemClock
from hall.logs import configure_logging
from hall.ops import MetricsController, OpsController
from hall.scheduler import LeaderElectedScheduler, every, make_leader_lock
from hall.security import HallAuthenticationMiddleware
from hall.settings import Settings, get_settings
from hall.wiring import provide_appointment_service, provide_queue_service
from queueing import appointment_controllers
from queueing import controllers as queueing_controllers
from queueing.live import ChannelsPublisher, make_channels
from queueing.notify import LogNotifier, NotificationDispatcher, WebhookNotifier

API_VERSION = "1.0.0"


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
        )
    ]
    scheduler = (
        LeaderElectedScheduler(make_leader_lock(settings), jobs, timezone=settings.zone)
        if settings.run_scheduler
        else None
    )

    async def _on_startup(_: Litestar) -> None:
        if scheduler is not None:
            await scheduler.start()

    async def _on_shutdown(_: Litestar) -> None:
        if scheduler is not None:
            await scheduler.stop()  # before the engine goes: jobs use it
        await notifications.aclose()
        await notifier.aclose()
        await engine.dispose()

    route_handlers: list[Any] = [
        OpsController,
        MetricsController,
        *hall_controllers.ROUTES,
        *queueing_controllers.ROUTES,
        *appointment_controllers.ROUTES,
    ]
    return Litestar(
        route_handlers=route_handlers,
        plugins=[channels],
        middleware=[
            prometheus.middleware,
            DefineMiddleware(HallAuthenticationMiddleware, exclude=["^/schema", "^/metrics$", "^/health$"]),
        ],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "db_session": Provide(provide_db_session),
            "queue": Provide(provide_queue_service),
            "appointments": Provide(provide_appointment_service),
        },
        state=State(
            {
                "session_maker": session_maker,
                "settings": settings,
                "clock": clock,
                "publisher": publisher,
                "notifications": notifications,
            }
        ),
        exception_handlers=EXCEPTION_HANDLERS,
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
