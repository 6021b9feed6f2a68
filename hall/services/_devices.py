"""Kiosk and display-board devices and their tokens (shown once, stored hashed, revocable)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from hall import schemas as s
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.domain.people import Role
from hall.models import (
    CentreModel,
    DeviceModel,
)
from hall.security import hash_token, new_token
from hall.services._base import BaseService

DEVICE_KINDS = {Role.KIOSK: "hk_", Role.DISPLAY: "hd_"}


class DeviceService(BaseService):
    @staticmethod
    def _read(row: DeviceModel, centre_code: str) -> s.DeviceRead:
        return s.DeviceRead(
            id=row.id,
            centre_code=centre_code,
            kind=Role(row.kind),
            name=row.name,
            token_hint=row.token_hint,
            created_by=row.created_by,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )

    async def of_centre(self, centre_code: str) -> list[s.DeviceRead]:
        centre = await self.centre_by_code(centre_code)
        rows = (
            await self.session.scalars(
                select(DeviceModel).where(DeviceModel.centre_id == centre.id).order_by(DeviceModel.created_at)
            )
        ).all()
        return [self._read(r, centre.code) for r in rows]

    async def issue(self, centre_code: str, data: s.DeviceCreate) -> s.DeviceIssued:
        centre = await self.centre_by_code(centre_code)
        prefix = DEVICE_KINDS.get(data.kind)
        if prefix is None:
            raise DomainRuleViolation("kind", "must be kiosk or display")
        token = new_token(prefix)
        row = DeviceModel(
            centre_id=centre.id,
            kind=data.kind.value,
            name=data.name,
            token_hash=hash_token(token),
            token_hint=token[-4:],
            created_by=self.principal.name,
        )
        self.session.add(row)
        await self.flush()
        self.log("device", str(row.id), "create", {"kind": data.kind.value, "name": data.name}, centre_id=centre.id)
        read = self._read(row, centre.code)
        return s.DeviceIssued(**{f: getattr(read, f) for f in read.__struct_fields__}, token=token)

    async def revoke(self, device_id: UUID) -> s.DeviceRead:
        row = await self.session.get(DeviceModel, device_id)
        if row is None:
            raise NotFoundError("deviceId", f"no device {device_id}")
        centre = await self.session.get(CentreModel, row.centre_id)
        assert centre is not None
        self.require_centre(centre)
        if row.revoked_at is not None:
            raise ConflictError("deviceId", "this device token is already revoked")
        row.revoked_at = self.now()
        await self.flush()
        self.log("device", str(row.id), "revoke", {"revoked_at": [None, row.revoked_at]}, centre_id=centre.id)
        return self._read(row, centre.code)
