"""Signing in with a password: tokens for the API, session cookies for the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hall import schemas as s
from hall.cache import hall_data_changed
from hall.db.session import after_commit
from hall.domain.errors import PermissionDeniedError
from hall.domain.people import Role
from hall.models import (
    AuthTokenModel,
    CentreModel,
    StaffModel,
    UserModel,
)
from hall.security import hash_password, hash_token, new_token, verify_password
from hall.services._base import BaseService


class AuthService(BaseService):
    async def sign_in(self, data: s.SignIn, *, kind: str, lifetime: timedelta) -> tuple[str, s.TokenRead]:
        row = await self.session.scalar(select(UserModel).where(UserModel.username == data.username))
        # Verify against a dummy hash when the user is unknown, so both paths take the same time.
        password_hash = row.password_hash if row is not None else _DUMMY_HASH
        ok = verify_password(password_hash, data.password)
        if row is None or not ok or not row.is_active:
            raise _SignInRefused
        token = new_token("ha_" if kind == "api" else "hs_")
        expires_at = self.now() + lifetime
        self.session.add(AuthTokenModel(token_hash=hash_token(token), kind=kind, user_id=row.id, expires_at=expires_at))
        row.last_login_at = self.now()
        await self.flush()
        return token, s.TokenRead(token=token, expires_at=expires_at, role=Role(row.role), username=row.username)

    async def sign_out(self, token: str) -> None:
        row = await self.session.scalar(select(AuthTokenModel).where(AuthTokenModel.token_hash == hash_token(token)))
        if row is not None and row.revoked_at is None:
            row.revoked_at = self.now()
            after_commit(self.session, hall_data_changed)  # cached sign-ins must not outlive the revocation
            await self.flush()

    async def me(self) -> s.MeRead:
        centre_code = (
            await self.session.scalar(select(CentreModel.code).where(CentreModel.id == self.principal.centre_id))
            if self.principal.centre_id
            else None
        )
        staff_no = (
            await self.session.scalar(select(StaffModel.employee_no).where(StaffModel.id == self.principal.staff_id))
            if self.principal.staff_id
            else None
        )
        assert self.principal.role is not None
        return s.MeRead(
            role=self.principal.role, name=self.principal.name, centre_code=centre_code, staff_employee_no=staff_no
        )


class SignInRefusedError(PermissionDeniedError):
    status_code = 401


_SignInRefused = SignInRefusedError("password", "unknown user, wrong password, or account disabled")


_DUMMY_HASH = hash_password("not-a-real-password-just-for-timing")
