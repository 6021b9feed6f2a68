"""Sign-in: password hashing, opaque tokens, the principal of a request, and route guards.

Users sign in with a password (argon2) and get either a page session cookie or an API bearer token; kiosks and
display boards hold a device token. Every token is random, shown once, and stored only as its SHA-256 hash.
Every route declares a guard: ``public`` or ``allow(<roles>)``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.cache import ReferenceCache
from hall.domain.access import ANONYMOUS, Principal
from hall.domain.people import Role
from hall.models import AuthTokenModel, CentreModel, DeviceModel, UserModel

SESSION_COOKIE = "hall_session"
DEVICE_PREFIXES = {"hk_": Role.KIOSK, "hd_": Role.DISPLAY}

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(prefix: str) -> str:
    """Return a new random token; the prefix tells what kind of holder presents it."""
    return prefix + secrets.token_urlsafe(32)


def descendants(centres: Iterable[tuple[UUID, UUID | None]], root: UUID) -> frozenset[UUID]:
    """Return ``root`` and every centre below it, from (id, parent id) pairs."""
    children: dict[UUID | None, list[UUID]] = {}
    for centre_id, parent_id in centres:
        children.setdefault(parent_id, []).append(centre_id)
    found: set[UUID] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return frozenset(found)


async def principal_for_user(session: AsyncSession, user: UserModel) -> Principal:
    role = Role(user.role)
    scope: frozenset[UUID] | None
    if role is Role.ADMIN:
        scope = None
    elif user.centre_id is None:
        scope = frozenset()
    elif role is Role.MANAGER:
        pairs = (await session.execute(select(CentreModel.id, CentreModel.parent_id))).tuples().all()
        scope = descendants(pairs, user.centre_id)
    else:
        scope = frozenset({user.centre_id})
    return Principal(
        role=role,
        name=user.username,
        user_id=user.id,
        staff_id=user.staff_id,
        centre_id=user.centre_id,
        centre_scope=scope,
    )


async def resolve_token(session: AsyncSession, token: str, now: datetime) -> Principal:
    """Return the principal a token stands for, or the anonymous principal if it is unknown or expired."""
    digest = hash_token(token)
    if token[:3] in DEVICE_PREFIXES:
        device = await session.scalar(
            select(DeviceModel).where(DeviceModel.token_hash == digest, DeviceModel.revoked_at.is_(None))
        )
        if device is None:
            return ANONYMOUS
        return Principal(
            role=Role(device.kind),
            name=f"device:{device.name}",
            device_id=device.id,
            centre_id=device.centre_id,
            centre_scope=frozenset({device.centre_id}),
        )
    row = (
        await session.execute(
            select(UserModel)
            .join(AuthTokenModel, AuthTokenModel.user_id == UserModel.id)
            .where(
                AuthTokenModel.token_hash == digest,
                AuthTokenModel.revoked_at.is_(None),
                AuthTokenModel.expires_at > now,
                UserModel.is_active.is_(True),
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return ANONYMOUS
    return await principal_for_user(session, row)


def presented_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """Return the bearer token of the Authorization header, else the session cookie, else None."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return connection.cookies.get(SESSION_COOKIE) or None


class HallAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Attach the request's principal; never refuses by itself (each route's guard decides)."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        token = presented_token(connection)
        if not token:
            return AuthenticationResult(user=ANONYMOUS, auth=None)
        cache: ReferenceCache | None = connection.app.state.get("reference_cache")
        key = ("principal", hash_token(token))
        principal = cache.get(key) if cache is not None else None
        if principal is None:
            session_maker: async_sessionmaker[AsyncSession] = connection.app.state["session_maker"]
            async with session_maker() as session:
                principal = await resolve_token(session, token, datetime.now(UTC))
            if cache is not None:
                cache.put(key, principal)  # a revocation in this process clears it at once; elsewhere within the TTL
        return AuthenticationResult(user=principal, auth=token if principal.is_authenticated else None)


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else ANONYMOUS


def allow(*roles: Role) -> Guard:
    """Build a guard that admits only the given roles: 401 for anonymous callers, 403 for other roles."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if principal.role is None:
            raise NotAuthorizedException(detail="sign in first")
        if principal.role not in allowed:
            raise PermissionDeniedException(detail=f"the {principal.role} role may not do this")

    guard.roles = allowed  # type: ignore[attr-defined]
    guard.__name__ = "allow_" + "_".join(sorted(r.value for r in allowed))
    return guard


def anonymous_or(*roles: Role) -> Guard:
    """Build a guard that admits anonymous callers and the given roles, and refuses other roles (403).

    Used where an anonymous visitor may act under a further check in the service (a phone taking a ticket must
    send the entrance code shown in the hall).
    """
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if principal.role is not None and principal.role not in allowed:
            raise PermissionDeniedException(detail=f"the {principal.role} role may not do this")

    guard.roles = allowed  # type: ignore[attr-defined]
    return guard


def public(_connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Guard of routes that anyone may call (health checks, a visitor's ticket status)."""


public.roles = None  # type: ignore[attr-defined]

ADMIN_ONLY = allow(Role.ADMIN)
MANAGERS = allow(Role.ADMIN, Role.MANAGER)
SIGNED_IN_PEOPLE = allow(Role.ADMIN, Role.MANAGER, Role.STAFF)
