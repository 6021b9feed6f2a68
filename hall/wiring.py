"""Providers that assemble one context's service from another's parts (the composition root's helpers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from hall.directory import SqlHallDirectory
from hall.domain.access import Principal
from hall.domain.people import Role
from hall.security import current_principal
from queueing.appointment_service import AppointmentService
from queueing.services import QueueService
from staffing.adapters import SqlStaffingSources
from staffing.planning.services import PlanningService
from staffing.services import StaffingService

StaffingServiceT = TypeVar("StaffingServiceT", bound=StaffingService)


SYSTEM = Principal(role=Role.ADMIN, name="system", centre_scope=None)


async def provide_queue_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
) -> QueueService:
    settings = state["settings"]

    async def predict(centre_code: str, ticket_id: UUID) -> tuple[datetime | None, datetime | None]:
        # The prediction is public information about the visitor's own ticket, so it is read as the system.
        planning = PlanningService(db_session, SYSTEM, state["clock"], state.get("planning_compute"))
        return await planning.predicted_call(centre_code, ticket_id)

    return QueueService(
        db_session,
        current_principal(request),
        SqlHallDirectory(db_session, state["reference_cache"]),
        state["clock"],
        secret=settings.secret_key,
        public_url=settings.public_url,
        publisher=state["publisher"],
        notify=state["notifications"].dispatch,
        predict=predict,
    )


async def provide_appointment_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
) -> AppointmentService:
    return AppointmentService(
        db_session,
        current_principal(request),
        SqlHallDirectory(db_session, state["reference_cache"]),
        state["clock"],
        secret=state["settings"].secret_key,
    )


def staffing_provider(cls: type[StaffingServiceT]) -> Provide:
    """Provide a staffing service reading the hall's and the queue's facts through ``SqlStaffingSources``."""

    async def provide(
        db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
    ) -> StaffingServiceT:
        return cls(db_session, current_principal(request), SqlStaffingSources(db_session), state["clock"])

    provide.__annotations__["return"] = cls
    return Provide(provide)


async def provide_planning_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any], state: State
) -> PlanningService:
    return PlanningService(db_session, current_principal(request), state["clock"], state.get("planning_compute"))
