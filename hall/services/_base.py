"""Shared plumbing of the hall's services: the caller, scope checks, the change log, paging."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cache import hall_data_changed
from hall.db.session import after_commit
from hall.domain.access import Principal
from hall.domain.errors import DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.models import (
    CentreModel,
    ChangeLogModel,
)

MAX_PAGE = 500


def _plain(value: Any) -> Any:
    """Return a JSON-friendly copy of a value for the change log."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every field whose value changed."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


class BaseService:
    """Shared plumbing: the session, the caller, scope checks and the change log."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def now(self) -> datetime:
        return datetime.now(UTC)

    def require_roles(self, *roles: Role) -> None:
        if self.principal.role not in roles:
            raise PermissionDeniedError("role", f"the {self.principal.role} role may not do this")

    def require_centre(self, centre: CentreModel) -> None:
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")

    async def centre_by_code(self, code: str, *, field: str = "centreCode", check_scope: bool = True) -> CentreModel:
        centre = await self.session.scalar(select(CentreModel).where(CentreModel.code == code))
        if centre is None:
            raise NotFoundError(field, f"no centre with code {code!r}")
        if check_scope:
            self.require_centre(centre)
        return centre

    def log(
        self,
        entity: str,
        key: str,
        action: str,
        changes: Mapping[str, Any],
        *,
        centre_id: UUID | None = None,
        note: str = "",
    ) -> None:
        if action == "update" and not changes:
            return
        after_commit(self.session, hall_data_changed)
        self.session.add(
            ChangeLogModel(
                entity=entity,
                entity_key=key,
                action=action,
                actor=self.principal.name,
                centre_id=centre_id,
                changes=_plain(dict(changes)),
                note=note,
            )
        )

    async def flush(self) -> None:
        await self.session.flush()


def _page_bounds(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise DomainRuleViolation("limit", f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise DomainRuleViolation("offset", "must not be negative")
    return limit, offset


async def _count(session: AsyncSession, statement: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0)
