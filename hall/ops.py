"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.plugins.prometheus import PrometheusController
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.security import public


class OpsController(Controller):
    path = "/"
    tags = ["operations"]

    @get("/health", guards=[public], operation_id="Health", media_type=MediaType.JSON)
    async def health(self) -> dict[str, str]:
        """The process is up (liveness)."""
        return {"status": "ok"}

    @get("/ready", guards=[public], operation_id="Ready", media_type=MediaType.JSON)
    async def ready(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        """The database answers (readiness); 503 when it does not."""
        session_maker: async_sessionmaker[AsyncSession] = request.app.state["session_maker"]
        try:
            async with session_maker() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return Response({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
        return Response({"status": "ok", "database": "ok"})


class MetricsController(PrometheusController):
    path = "/metrics"
    guards = [public]
    include_in_schema = False
