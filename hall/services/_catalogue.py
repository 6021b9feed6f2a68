"""Departments and the service catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.models import (
    DepartmentModel,
    ServiceItemModel,
)
from hall.services._base import BaseService, _count, _page_bounds, diff


def item_read(item: ServiceItemModel) -> s.ServiceItemRead:
    domain = ServiceDomain(item.domain)
    return s.ServiceItemRead(
        code=item.code,
        name_zh=item.name_zh,
        name_en=item.name_en,
        department_code=item.department.code,
        domain=domain,
        standard_minutes=item.standard_minutes,
        statutory_limit_days=item.statutory_limit_days,
        committed_limit_days=item.committed_limit_days,
        is_instant=item.is_instant,
        min_skill_level=item.min_skill_level,
        allows_appointment=item.allows_appointment,
        allows_conditional_acceptance=item.allows_conditional_acceptance,
        ticket_prefix=item.ticket_prefix or domain.default_ticket_prefix,
        is_active=item.is_active,
    )


def _check_limits(statutory: int | None, committed: int | None, is_instant: bool) -> None:
    if statutory is not None and committed is not None and committed > statutory:
        raise DomainRuleViolation("committedLimitDays", "must not exceed statutoryLimitDays (承诺时限 ≤ 法定时限)")
    if not is_instant and committed is None:
        raise DomainRuleViolation("committedLimitDays", "is required for an item that is not done on the spot (即办)")


class CatalogueService(BaseService):
    async def departments(self) -> list[s.DepartmentRead]:
        rows = (await self.session.scalars(select(DepartmentModel).order_by(DepartmentModel.code))).all()
        return [s.DepartmentRead(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]

    async def _department(self, code: str, field: str = "departmentCode") -> DepartmentModel:
        row = await self.session.scalar(select(DepartmentModel).where(DepartmentModel.code == code))
        if row is None:
            raise (NotFoundError if field == "code" else DomainRuleViolation)(
                field, f"no department with code {code!r}"
            )
        return row

    async def department(self, code: str) -> s.DepartmentRead:
        row = await self._department(code, "code")
        return s.DepartmentRead(code=row.code, name_zh=row.name_zh, name_en=row.name_en)

    async def create_department(self, data: s.DepartmentCreate) -> s.DepartmentRead:
        if await self.session.scalar(select(DepartmentModel.id).where(DepartmentModel.code == data.code)):
            raise ConflictError("code", f"a department with code {data.code!r} already exists")
        self.session.add(DepartmentModel(code=data.code, name_zh=data.name_zh, name_en=data.name_en))
        await self.flush()
        self.log("department", data.code, "create", msgspec.to_builtins(data))
        return await self.department(data.code)

    async def update_department(self, code: str, data: s.DepartmentUpdate) -> s.DepartmentRead:
        row = await self._department(code, "code")
        before = {"name_zh": row.name_zh, "name_en": row.name_en}
        for key, value in data.to_dict().items():
            setattr(row, key, value)
        await self.flush()
        self.log("department", code, "update", diff(before, {"name_zh": row.name_zh, "name_en": row.name_en}))
        return await self.department(code)

    async def items(
        self, *, domain: ServiceDomain | None, q: str | None, active_only: bool, limit: int, offset: int
    ) -> tuple[list[s.ServiceItemRead], int]:
        limit, offset = _page_bounds(limit, offset)
        statement = select(ServiceItemModel)
        if domain is not None:
            statement = statement.where(ServiceItemModel.domain == domain.value)
        if q:
            pattern = f"%{q.strip()}%"
            statement = statement.where(
                or_(
                    ServiceItemModel.code.ilike(pattern),
                    ServiceItemModel.name_zh.ilike(pattern),
                    ServiceItemModel.name_en.ilike(pattern),
                )
            )
        if active_only:
            statement = statement.where(ServiceItemModel.is_active.is_(True))
        total = await _count(self.session, statement)
        rows = (await self.session.scalars(statement.order_by(ServiceItemModel.code).limit(limit).offset(offset))).all()
        return [item_read(r) for r in rows], total

    async def _item(self, code: str) -> ServiceItemModel:
        row = await self.session.scalar(select(ServiceItemModel).where(ServiceItemModel.code == code))
        if row is None:
            raise NotFoundError("code", f"no catalogue item with code {code!r}")
        return row

    async def item(self, code: str) -> s.ServiceItemRead:
        return item_read(await self._item(code))

    async def create_item(self, data: s.ServiceItemCreate) -> s.ServiceItemRead:
        if await self.session.scalar(select(ServiceItemModel.id).where(ServiceItemModel.code == data.code)):
            raise ConflictError("code", f"a catalogue item with code {data.code!r} already exists")
        department = await self._department(data.department_code)
        _check_limits(data.statutory_limit_days, data.committed_limit_days, data.is_instant)
        fields = data.to_dict()
        fields.pop("department_code")
        fields["domain"] = data.domain.value
        self.session.add(ServiceItemModel(department_id=department.id, is_active=True, **fields))
        await self.flush()
        self.log("service_item", data.code, "create", msgspec.to_builtins(data))
        return await self.item(data.code)

    async def update_item(self, code: str, data: s.ServiceItemUpdate) -> s.ServiceItemRead:
        row = await self._item(code)
        before = msgspec.to_builtins(item_read(row))
        changes = data.to_dict()
        if "department_code" in changes:
            row.department_id = (await self._department(changes.pop("department_code"))).id
        for key, value in changes.items():
            setattr(row, key, value.value if isinstance(value, Enum) else value)
        _check_limits(row.statutory_limit_days, row.committed_limit_days, row.is_instant)
        await self.flush()
        await self.session.refresh(row)
        after = item_read(row)
        self.log("service_item", code, "update", diff(before, msgspec.to_builtins(after)))
        return after


async def _check_item_codes(session: AsyncSession, codes: Sequence[str], field: str) -> None:
    if not codes:
        return
    if len(set(codes)) != len(codes):
        raise DomainRuleViolation(field, "an item is listed twice")
    known = set((await session.scalars(select(ServiceItemModel.code).where(ServiceItemModel.code.in_(codes)))).all())
    missing = sorted(set(codes) - known)
    if missing:
        raise DomainRuleViolation(field, f"unknown item codes: {', '.join(missing)}")
