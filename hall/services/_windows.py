"""Windows and what they serve."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

import msgspec
from sqlalchemy import select

from hall import schemas as s
from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.domain.windows import WindowStatus, WindowType
from hall.models import (
    CentreModel,
    WindowModel,
)
from hall.services._base import BaseService, diff
from hall.services._catalogue import _check_item_codes


def window_read(centre_code: str, row: WindowModel) -> s.WindowRead:
    return s.WindowRead(
        centre_code=centre_code,
        number=row.number,
        type=WindowType(row.type),
        label=row.label,
        status=WindowStatus(row.status),
        domains=[ServiceDomain(d) for d in row.domains],
        item_codes=list(row.item_codes),
    )


def _check_window_shape(type_: WindowType, domains: Sequence[ServiceDomain], items: Sequence[str]) -> None:
    if type_ in {WindowType.COMPREHENSIVE_DOMAIN, WindowType.PRIORITY} and not domains and not items:
        raise DomainRuleViolation("domains", f"a {type_} window must serve at least one domain or item")
    if type_ in {WindowType.SPECIALIZED, WindowType.RESULT_PICKUP} and not items and not domains:
        raise DomainRuleViolation("itemCodes", f"a {type_} window must serve at least one item or domain")


class WindowService(BaseService):
    async def _window(self, centre: CentreModel, number: int) -> WindowModel:
        row = await self.session.scalar(
            select(WindowModel).where(WindowModel.centre_id == centre.id, WindowModel.number == number)
        )
        if row is None:
            raise NotFoundError("number", f"centre {centre.code} has no window {number}")
        return row

    async def of_centre(self, centre_code: str) -> list[s.WindowRead]:
        centre = await self.centre_by_code(centre_code)
        rows = (
            await self.session.scalars(
                select(WindowModel).where(WindowModel.centre_id == centre.id).order_by(WindowModel.number)
            )
        ).all()
        return [window_read(centre.code, r) for r in rows]

    async def get(self, centre_code: str, number: int) -> s.WindowRead:
        centre = await self.centre_by_code(centre_code)
        return window_read(centre.code, await self._window(centre, number))

    async def create(self, centre_code: str, data: s.WindowCreate) -> s.WindowRead:
        centre = await self.centre_by_code(centre_code)
        exists = await self.session.scalar(
            select(WindowModel.id).where(WindowModel.centre_id == centre.id, WindowModel.number == data.number)
        )
        if exists:
            raise ConflictError("number", f"centre {centre.code} already has a window {data.number}")
        await _check_item_codes(self.session, data.item_codes, "itemCodes")
        _check_window_shape(data.type, data.domains, data.item_codes)
        row = WindowModel(
            centre_id=centre.id,
            number=data.number,
            label=data.label,
            type=data.type.value,
            status=data.status.value,
            domains=[d.value for d in data.domains],
            item_codes=list(data.item_codes),
        )
        self.session.add(row)
        await self.flush()
        self.log("window", f"{centre.code}/{data.number}", "create", msgspec.to_builtins(data), centre_id=centre.id)
        return window_read(centre.code, row)

    async def update(self, centre_code: str, number: int, data: s.WindowUpdate) -> s.WindowRead:
        centre = await self.centre_by_code(centre_code)
        row = await self._window(centre, number)
        before = msgspec.to_builtins(window_read(centre.code, row))
        changes = data.to_dict()
        if "item_codes" in changes:
            await _check_item_codes(self.session, changes["item_codes"], "itemCodes")
            row.item_codes = list(changes["item_codes"])
        if "domains" in changes:
            row.domains = [d.value for d in changes["domains"]]
        for key in ("type", "status", "label"):
            if key in changes:
                value = changes[key]
                setattr(row, key, value.value if isinstance(value, Enum) else value)
        _check_window_shape(WindowType(row.type), [ServiceDomain(d) for d in row.domains], row.item_codes)
        await self.flush()
        after = window_read(centre.code, row)
        self.log(
            "window", f"{centre.code}/{number}", "update", diff(before, msgspec.to_builtins(after)), centre_id=centre.id
        )
        return after
