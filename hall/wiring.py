"""Providers that assemble one context's service from another's parts (the composition root's helpers)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from hall.directory import SqlHallDirectory
from hall.security import current_principal
from queueing.appointment_service import AppointmentService
from queueing.services import QueueService


async def provide_queue_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
) -> QueueService:
    settings = state["settings"]
    return QueueService(
        db_session,
        current_principal(request),
        SqlHallDirectory(db_session),
        state["clock"],
        secret=settings.secret_key,
        public_url=settings.public_url,
        publisher=state["publisher"],
        notify=state["notifications"].dispatch,
    )


async def provide_appointment_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
) -> AppointmentService:
    return AppointmentService(
        db_session,
        current_principal(request),
        SqlHallDirectory(db_session),
        state["clock"],
        secret=state["settings"].secret_key,
    )
