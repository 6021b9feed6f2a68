"""Dependency providers: build each service from the request's database session and principal."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from hall import services
from hall.domain.access import Principal
from hall.security import current_principal

ServiceT = TypeVar("ServiceT", bound=services.BaseService)


def service_provider(cls: type[ServiceT]) -> Provide:
    """Return a provider that builds ``cls(db_session, principal)`` for one request."""

    async def provide(db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any]) -> ServiceT:
        return cls(db_session, current_principal(request))

    provide.__annotations__["return"] = cls
    return Provide(provide)


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


PROVIDE_PRINCIPAL = Provide(provide_principal, sync_to_thread=False)

__all__ = ["PROVIDE_PRINCIPAL", "service_provider"]
