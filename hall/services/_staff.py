"""Staff, their qualifications and their skill-level certifications (kept as history)."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

import msgspec
from sqlalchemy import or_, select

from hall import schemas as s
from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import EmploymentType, Role
from hall.domain.skills import SkillLevel
from hall.models import (
    CentreModel,
    StaffLevelHistoryModel,
    StaffModel,
)
from hall.services._base import BaseService, _count, _page_bounds, diff
from hall.services._catalogue import _check_item_codes


class StaffService(BaseService):
    async def _read(self, row: StaffModel) -> s.StaffRead:
        centre_code = await self.session.scalar(select(CentreModel.code).where(CentreModel.id == row.centre_id))
        return _staff_read(row, centre_code or "")

    async def _row(self, employee_no: str) -> StaffModel:
        row = await self.session.scalar(select(StaffModel).where(StaffModel.employee_no == employee_no))
        if row is None:
            raise NotFoundError("employeeNo", f"no staff member {employee_no!r}")
        if self.principal.role is Role.STAFF:
            if row.id != self.principal.staff_id:
                raise PermissionDeniedError("employeeNo", "staff may see only their own record")
        elif not self.principal.may_access_centre(row.centre_id):
            raise PermissionDeniedError("employeeNo", "this staff member works at a centre outside your centres")
        return row

    async def search(
        self, centre_code: str, *, q: str | None, active_only: bool, limit: int, offset: int
    ) -> tuple[list[s.StaffRead], int]:
        limit, offset = _page_bounds(limit, offset)
        centre = await self.centre_by_code(centre_code)
        statement = select(StaffModel).where(StaffModel.centre_id == centre.id)
        if q:
            pattern = f"%{q.strip()}%"
            statement = statement.where(or_(StaffModel.name.ilike(pattern), StaffModel.employee_no.ilike(pattern)))
        if active_only:
            statement = statement.where(StaffModel.is_active.is_(True))
        total = await _count(self.session, statement)
        rows = (
            await self.session.scalars(statement.order_by(StaffModel.employee_no).limit(limit).offset(offset))
        ).all()
        return [_staff_read(r, centre.code) for r in rows], total

    async def detail(self, employee_no: str) -> s.StaffDetail:
        row = await self._row(employee_no)
        base = await self._read(row)
        history = (
            await self.session.scalars(
                select(StaffLevelHistoryModel)
                .where(StaffLevelHistoryModel.staff_id == row.id)
                .order_by(StaffLevelHistoryModel.created_at)
            )
        ).all()
        return s.StaffDetail(
            **{f: getattr(base, f) for f in base.__struct_fields__},
            level_history=[
                s.SkillLevelRecord(
                    skill_level=h.skill_level,
                    certified_on=h.certified_on,
                    cert_body=h.cert_body,
                    note=h.note,
                    recorded_by=h.recorded_by,
                    recorded_at=h.created_at,
                )
                for h in history
            ],
        )

    async def me(self) -> s.StaffDetail:
        if self.principal.staff_id is None:
            raise NotFoundError("staff", "your account is not linked to a staff record")
        employee_no = await self.session.scalar(
            select(StaffModel.employee_no).where(StaffModel.id == self.principal.staff_id)
        )
        if employee_no is None:
            raise NotFoundError("staff", "your staff record no longer exists")
        return await self.detail(employee_no)

    async def create(self, data: s.StaffCreate) -> s.StaffDetail:
        centre = await self.centre_by_code(data.centre_code)
        if await self.session.scalar(select(StaffModel.id).where(StaffModel.employee_no == data.employee_no)):
            raise ConflictError("employeeNo", f"staff member {data.employee_no!r} already exists")
        await _check_item_codes(self.session, data.qualified_items, "qualifiedItems")
        if not data.qualified_domains and not data.qualified_items:
            raise DomainRuleViolation(
                "qualifiedDomains", "a staff member needs at least one domain or item they may handle"
            )
        row = StaffModel(
            employee_no=data.employee_no,
            name=data.name,
            centre_id=centre.id,
            skill_level=data.skill_level,
            certified_on=data.certified_on,
            cert_body=data.cert_body,
            employment_type=data.employment_type.value,
            qualified_domains=[d.value for d in data.qualified_domains],
            qualified_items=list(data.qualified_items),
            hired_on=data.hired_on,
            is_active=True,
        )
        self.session.add(row)
        await self.flush()
        self.session.add(
            StaffLevelHistoryModel(
                staff_id=row.id,
                skill_level=data.skill_level,
                certified_on=data.certified_on,
                cert_body=data.cert_body,
                note="level on joining Hall",
                recorded_by=self.principal.name,
            )
        )
        self.log("staff", data.employee_no, "create", msgspec.to_builtins(data), centre_id=centre.id)
        await self.flush()
        return await self.detail(data.employee_no)

    async def update(self, employee_no: str, data: s.StaffUpdate) -> s.StaffDetail:
        self.require_roles(Role.ADMIN, Role.MANAGER)
        row = await self._row(employee_no)
        before = msgspec.to_builtins(await self._read(row))
        changes = data.to_dict()
        if "centre_code" in changes:
            row.centre_id = (await self.centre_by_code(changes.pop("centre_code"))).id
        if "qualified_items" in changes:
            await _check_item_codes(self.session, changes["qualified_items"], "qualifiedItems")
        for key, value in changes.items():
            if isinstance(value, list):
                value = [v.value if isinstance(v, Enum) else v for v in value]
            setattr(row, key, value.value if isinstance(value, Enum) else value)
        if not row.qualified_domains and not row.qualified_items:
            raise DomainRuleViolation(
                "qualifiedDomains", "a staff member needs at least one domain or item they may handle"
            )
        await self.flush()
        after = await self._read(row)
        self.log("staff", employee_no, "update", diff(before, msgspec.to_builtins(after)), centre_id=row.centre_id)
        return await self.detail(employee_no)

    async def certify(self, employee_no: str, data: s.CertifySkillLevel) -> s.StaffDetail:
        self.require_roles(Role.ADMIN, Role.MANAGER)
        row = await self._row(employee_no)
        if data.certified_on > self.now().date() + timedelta(days=1):
            raise DomainRuleViolation("certifiedOn", "must not be in the future")
        before = {"skill_level": row.skill_level, "certified_on": row.certified_on, "cert_body": row.cert_body}
        row.skill_level, row.certified_on, row.cert_body = data.skill_level, data.certified_on, data.cert_body
        self.session.add(
            StaffLevelHistoryModel(
                staff_id=row.id,
                skill_level=data.skill_level,
                certified_on=data.certified_on,
                cert_body=data.cert_body,
                note=data.note,
                recorded_by=self.principal.name,
            )
        )
        after = {"skill_level": row.skill_level, "certified_on": row.certified_on, "cert_body": row.cert_body}
        self.log("staff", employee_no, "certify", diff(before, after), centre_id=row.centre_id, note=data.note)
        await self.flush()
        return await self.detail(employee_no)


def _staff_read(row: StaffModel, centre_code: str) -> s.StaffRead:
    level = SkillLevel(row.skill_level)
    return s.StaffRead(
        employee_no=row.employee_no,
        name=row.name,
        centre_code=centre_code,
        skill_level=row.skill_level,
        skill_level_label=level.label_zh,
        certified_on=row.certified_on,
        cert_body=row.cert_body,
        employment_type=EmploymentType(row.employment_type),
        qualified_domains=[ServiceDomain(d) for d in row.qualified_domains],
        qualified_items=list(row.qualified_items),
        hired_on=row.hired_on,
        is_active=row.is_active,
    )
