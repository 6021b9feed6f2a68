"""The composition root: ``create_app(settings)`` builds the whole Litestar application."""

from __future__ import annotations

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
from hall.lib.clock import Clock, SystemClock
from hall.logs import configure_logging
from hall.ops import MetricsController, OpsController
from hall.security import HallAuthenticationMiddleware
from hall.settings import Settings, get_settings
from hall.wiring import provide_queue_service
from queueing import controllers as queueing_controllers
from queueing.live import ChannelsPublisher, make_channels

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    """Build the application for one installation's settings (tests pass their own)."""
    settings = settings or get_settings()
    configure_logging(settings)
    engine = make_engine(settings.database_url)
    session_maker = make_session_maker(engine)
    prometheus = PrometheusConfig(app_name="hall", group_path=True, exclude=["/metrics", "/health"])

    channels = make_channels(settings.database_url)

    async def _on_shutdown(_: Litestar) -> None:
        await engine.dispose()

    route_handlers: list[Any] = [
        OpsController,
        MetricsController,
        *hall_controllers.ROUTES,
        *queueing_controllers.ROUTES,
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
        },
        state=State(
            {
                "session_maker": session_maker,
                "settings": settings,
                "clock": clock or SystemClock(),
                "publisher": ChannelsPublisher(channels),
            }
        ),
        exception_handlers=EXCEPTION_HANDLERS,
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
