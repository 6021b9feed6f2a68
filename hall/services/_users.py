"""Users and their roles; a new password or disabling signs the user out everywhere."""

from __future__ import annotations

from uuid import UUID

import msgspec
from sqlalchemy import select

from hall import schemas as s
from hall.cache import hall_data_changed
from hall.db.session import after_commit
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.models import (
    AuthTokenModel,
    CentreModel,
    StaffModel,
    UserModel,
)
from hall.security import hash_password
from hall.services._base import BaseService, _count, _page_bounds, diff

PERSON_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.STAFF})


class UserService(BaseService):
    async def _read(self, row: UserModel) -> s.UserRead:
        centre_code = (
            await self.session.scalar(select(CentreModel.code).where(CentreModel.id == row.centre_id))
            if row.centre_id
            else None
        )
        staff_no = (
            await self.session.scalar(select(StaffModel.employee_no).where(StaffModel.id == row.staff_id))
            if row.staff_id
            else None
        )
        return s.UserRead(
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            centre_code=centre_code,
            staff_employee_no=staff_no,
            is_active=row.is_active,
            last_login_at=row.last_login_at,
        )

    async def _row(self, username: str) -> UserModel:
        row = await self.session.scalar(select(UserModel).where(UserModel.username == username))
        if row is None:
            raise NotFoundError("username", f"no user {username!r}")
        if self.principal.role is not Role.ADMIN and (
            row.centre_id is None or not self.principal.may_access_centre(row.centre_id) or row.role == Role.ADMIN
        ):
            raise PermissionDeniedError("username", "this user belongs to a centre outside your centres")
        return row

    async def search(self, *, limit: int, offset: int) -> tuple[list[s.UserRead], int]:
        limit, offset = _page_bounds(limit, offset)
        statement = select(UserModel)
        if self.principal.centre_scope is not None:
            statement = statement.where(UserModel.centre_id.in_(self.principal.centre_scope))
        total = await _count(self.session, statement)
        rows = (await self.session.scalars(statement.order_by(UserModel.username).limit(limit).offset(offset))).all()
        return [await self._read(r) for r in rows], total

    async def get(self, username: str) -> s.UserRead:
        return await self._read(await self._row(username))

    async def create(self, data: s.UserCreate) -> s.UserRead:
        if data.role not in PERSON_ROLES:
            raise DomainRuleViolation("role", "people are admin, manager or staff; devices get device tokens")
        if data.role is Role.ADMIN and self.principal.role is not Role.ADMIN:
            raise PermissionDeniedError("role", "only an administrator may create an administrator")
        if await self.session.scalar(select(UserModel.id).where(UserModel.username == data.username)):
            raise ConflictError("username", f"user {data.username!r} already exists")
        centre_id: UUID | None = None
        if data.role is Role.ADMIN:
            if data.centre_code is not None:
                raise DomainRuleViolation("centreCode", "an administrator is not tied to one centre")
        else:
            if data.centre_code is None:
                raise DomainRuleViolation("centreCode", f"a {data.role} user needs a centre")
            centre_id = (await self.centre_by_code(data.centre_code)).id
        staff_id: UUID | None = None
        if data.role is Role.STAFF:
            if data.staff_employee_no is None:
                raise DomainRuleViolation("staffEmployeeNo", "a staff user must be linked to a staff record")
            staff = await self.session.scalar(
                select(StaffModel).where(StaffModel.employee_no == data.staff_employee_no)
            )
            if staff is None:
                raise DomainRuleViolation("staffEmployeeNo", f"no staff member {data.staff_employee_no!r}")
            if staff.centre_id != centre_id:
                raise DomainRuleViolation("staffEmployeeNo", "the staff member works at another centre")
            if await self.session.scalar(select(UserModel.id).where(UserModel.staff_id == staff.id)):
                raise ConflictError("staffEmployeeNo", "this staff member already has a user")
            staff_id = staff.id
        elif data.staff_employee_no is not None:
            raise DomainRuleViolation("staffEmployeeNo", "only staff users are linked to a staff record")
        row = UserModel(
            username=data.username,
            display_name=data.display_name,
            password_hash=hash_password(data.password),
            role=data.role.value,
            centre_id=centre_id,
            staff_id=staff_id,
            is_active=True,
        )
        self.session.add(row)
        await self.flush()
        logged = msgspec.to_builtins(data)
        logged.pop("password")
        self.log("user", data.username, "create", logged, centre_id=centre_id)
        return await self._read(row)

    async def update(self, username: str, data: s.UserUpdate) -> s.UserRead:
        row = await self._row(username)
        before = msgspec.to_builtins(await self._read(row))
        changes = data.to_dict()
        note = ""
        if "password" in changes:
            row.password_hash = hash_password(changes.pop("password"))
            note = "password changed; every sign-in of this user revoked"
            await self._revoke_all(row.id)
        for key, value in changes.items():
            setattr(row, key, value)
        if changes.get("is_active") is False:
            await self._revoke_all(row.id)
        await self.flush()
        after = await self._read(row)
        changed = diff(before, msgspec.to_builtins(after))
        if note:
            changed["password"] = ["***", "***"]
        self.log("user", username, "update", changed, centre_id=row.centre_id, note=note)
        return after

    async def _revoke_all(self, user_id: UUID) -> None:
        tokens = (
            await self.session.scalars(
                select(AuthTokenModel).where(AuthTokenModel.user_id == user_id, AuthTokenModel.revoked_at.is_(None))
            )
        ).all()
        for token in tokens:
            token.revoked_at = self.now()
        after_commit(self.session, hall_data_changed)
