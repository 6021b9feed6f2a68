"""Centres: the hierarchy, opening sessions, the waiting-time promise, queueing rules, offered items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, select

from hall import schemas as s
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import (
    CentreLevel,
    HallRules,
    OpeningSession,
    WaitingPromise,
    check_parent_level,
    check_sessions,
)
from hall.domain.errors import ConflictError, DomainRuleViolation, PermissionDeniedError
from hall.domain.people import PriorityGroup, Role
from hall.models import (
    CalendarModel,
    CentreItemModel,
    CentreModel,
    OpeningSessionModel,
    ServiceItemModel,
)
from hall.services._base import BaseService, diff


def rules_from_json(data: Mapping[str, Any]) -> HallRules:
    """Build a centre's rules from their stored JSON; unknown keys are ignored, missing keys take defaults."""
    known = {f: data[f] for f in HallRules.__dataclass_fields__ if f in data}
    if "priority_groups" in known:
        try:
            known["priority_groups"] = tuple(PriorityGroup(g) for g in known["priority_groups"])
        except ValueError as exc:
            raise DomainRuleViolation("rules.priorityGroups", str(exc)) from None
    return HallRules(**known)


def promise_of(centre: CentreModel) -> WaitingPromise:
    return WaitingPromise(centre.promise_share_within, centre.promise_within_minutes, centre.promise_mean_minutes)


def sessions_of(centre: CentreModel) -> list[OpeningSession]:
    return [OpeningSession(r.weekday, r.opens_at, r.closes_at) for r in centre.sessions]


def _rules_wire(rules: HallRules) -> s.HallRulesWire:
    fields: dict[str, Any] = {f: getattr(rules, f) for f in HallRules.__dataclass_fields__}
    fields["priority_groups"] = list(rules.priority_groups)
    return s.HallRulesWire(**fields)


def _rules_json(wire: s.HallRulesWire) -> dict[str, Any]:
    """Validate a centre's rules and return their stored (JSON) form."""
    stored = {f: getattr(wire, f) for f in wire.__struct_fields__}
    rules = HallRules(**{**stored, "priority_groups": tuple(wire.priority_groups)})  # validates ranges
    from queueing.domain.routing import CALLING_POLICIES  # the registry of the shared routing core

    if rules.calling_policy not in CALLING_POLICIES:
        known = ", ".join(sorted(CALLING_POLICIES))
        raise DomainRuleViolation("rules.callingPolicy", f"unknown policy {rules.calling_policy!r}; known: {known}")
    stored["priority_groups"] = [g.value for g in wire.priority_groups]
    return stored


def _promise_fields(wire: s.WaitingPromiseWire) -> dict[str, Any]:
    WaitingPromise(wire.share_within, wire.within_minutes, wire.mean_minutes)
    return {
        "promise_share_within": wire.share_within,
        "promise_within_minutes": wire.within_minutes,
        "promise_mean_minutes": wire.mean_minutes,
    }


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainRuleViolation("timezone", f"{name!r} is not an IANA time zone") from None


class CentreService(BaseService):
    async def _codes(self) -> dict[UUID, str]:
        rows = (await self.session.execute(select(CentreModel.id, CentreModel.code))).tuples().all()
        return dict(rows)

    async def _calendar_codes(self) -> dict[UUID, str]:
        rows = (await self.session.execute(select(CalendarModel.id, CalendarModel.code))).tuples().all()
        return dict(rows)

    def _read(self, centre: CentreModel, codes: Mapping[UUID, str], calendars: Mapping[UUID, str]) -> s.CentreRead:
        rules = rules_from_json(centre.rules)
        return s.CentreRead(
            code=centre.code,
            name_zh=centre.name_zh,
            name_en=centre.name_en,
            level=CentreLevel(centre.level),
            parent_code=codes.get(centre.parent_id) if centre.parent_id else None,
            calendar_code=calendars[centre.calendar_id],
            timezone=centre.timezone,
            address=centre.address,
            promise=s.WaitingPromiseWire(
                share_within=centre.promise_share_within,
                within_minutes=centre.promise_within_minutes,
                mean_minutes=centre.promise_mean_minutes,
            ),
            rules=_rules_wire(rules),
            sessions=[
                s.OpeningSessionWire(weekday=r.weekday, opens_at=r.opens_at, closes_at=r.closes_at)
                for r in centre.sessions
            ],
            is_active=centre.is_active,
        )

    async def visible(self) -> list[s.CentreRead]:
        statement = select(CentreModel).order_by(CentreModel.code)
        if self.principal.centre_scope is not None:
            statement = statement.where(CentreModel.id.in_(self.principal.centre_scope))
        rows = (await self.session.scalars(statement)).all()
        codes, calendars = await self._codes(), await self._calendar_codes()
        return [self._read(r, codes, calendars) for r in rows]

    async def get(self, code: str) -> s.CentreRead:
        centre = await self.centre_by_code(code)
        return self._read(centre, await self._codes(), await self._calendar_codes())

    async def _calendar_id(self, code: str) -> UUID:
        calendar_id = await self.session.scalar(select(CalendarModel.id).where(CalendarModel.code == code))
        if calendar_id is None:
            raise DomainRuleViolation("calendarCode", f"no calendar with code {code!r}")
        return calendar_id

    async def _parent(self, code: str | None, level: CentreLevel) -> CentreModel | None:
        if code is None:
            return None
        parent = await self.session.scalar(select(CentreModel).where(CentreModel.code == code))
        if parent is None:
            raise DomainRuleViolation("parentCode", f"no centre with code {code!r}")
        check_parent_level(level, CentreLevel(parent.level))
        return parent

    async def create(self, data: s.CentreCreate) -> s.CentreRead:
        if await self.session.scalar(select(CentreModel.id).where(CentreModel.code == data.code)):
            raise ConflictError("code", f"a centre with code {data.code!r} already exists")
        parent = await self._parent(data.parent_code, data.level)
        if self.principal.role is not Role.ADMIN and (
            parent is None or not self.principal.may_access_centre(parent.id)
        ):
            raise PermissionDeniedError("parentCode", "managers may only add centres below their own")
        _check_timezone(data.timezone)
        sessions = [OpeningSession(x.weekday, x.opens_at, x.closes_at) for x in data.sessions]
        check_sessions(sessions)
        centre = CentreModel(
            code=data.code,
            name_zh=data.name_zh,
            name_en=data.name_en,
            level=data.level.value,
            parent_id=parent.id if parent else None,
            calendar_id=await self._calendar_id(data.calendar_code),
            timezone=data.timezone,
            address=data.address,
            rules=_rules_json(data.rules),
            is_active=True,
            sessions=[
                OpeningSessionModel(weekday=x.weekday, opens_at=x.opens_at, closes_at=x.closes_at) for x in sessions
            ],
            **_promise_fields(data.promise),
        )
        self.session.add(centre)
        await self.flush()
        self.log("centre", centre.code, "create", msgspec.to_builtins(data), centre_id=centre.id)
        await self.session.refresh(centre, ["sessions"])
        return self._read(centre, await self._codes(), await self._calendar_codes())

    async def update(self, code: str, data: s.CentreUpdate) -> s.CentreRead:
        centre = await self.centre_by_code(code)
        before = msgspec.to_builtins(await self.get(code))
        changes = data.to_dict()
        if "parent_code" in changes:
            if self.principal.role is not Role.ADMIN:
                raise PermissionDeniedError("parentCode", "only an administrator may move a centre")
            parent = await self._parent(changes["parent_code"], CentreLevel(centre.level))
            if parent is not None and parent.id == centre.id:
                raise DomainRuleViolation("parentCode", "a centre cannot be its own parent")
            centre.parent_id = parent.id if parent else None
        if "calendar_code" in changes:
            centre.calendar_id = await self._calendar_id(changes["calendar_code"])
        if "timezone" in changes:
            _check_timezone(changes["timezone"])
            centre.timezone = changes["timezone"]
        for name in ("name_zh", "name_en", "address", "is_active"):
            if name in changes:
                setattr(centre, name, changes[name])
        if "promise" in changes:
            for key, value in _promise_fields(changes["promise"]).items():
                setattr(centre, key, value)
        if "rules" in changes:
            centre.rules = _rules_json(changes["rules"])
        await self.flush()
        after = await self.get(code)
        self.log("centre", code, "update", diff(before, msgspec.to_builtins(after)), centre_id=centre.id)
        return after

    async def replace_sessions(self, code: str, data: s.SessionsReplace) -> s.CentreRead:
        centre = await self.centre_by_code(code)
        sessions = [OpeningSession(x.weekday, x.opens_at, x.closes_at) for x in data.sessions]
        check_sessions(sessions)
        before = [msgspec.to_builtins(x) for x in (await self.get(code)).sessions]
        centre.sessions.clear()
        await self.flush()
        centre.sessions.extend(
            OpeningSessionModel(weekday=x.weekday, opens_at=x.opens_at, closes_at=x.closes_at) for x in sessions
        )
        await self.flush()
        after = await self.get(code)
        self.log(
            "centre",
            code,
            "update",
            diff({"sessions": before}, {"sessions": [msgspec.to_builtins(x) for x in after.sessions]}),
            centre_id=centre.id,
        )
        return after

    async def offered_items(self, code: str) -> list[s.OfferedItemRead]:
        centre = await self.centre_by_code(code)
        rows = (
            await self.session.scalars(
                select(CentreItemModel)
                .join(ServiceItemModel, ServiceItemModel.id == CentreItemModel.item_id)
                .where(CentreItemModel.centre_id == centre.id)
                .order_by(ServiceItemModel.domain, ServiceItemModel.code)
            )
        ).all()
        return [
            s.OfferedItemRead(
                item_code=r.item.code,
                name_zh=r.item.name_zh,
                name_en=r.item.name_en,
                domain=ServiceDomain(r.item.domain),
                daily_cap=r.daily_cap,
            )
            for r in rows
        ]

    async def replace_offered_items(self, code: str, data: s.OfferedItemsReplace) -> list[s.OfferedItemRead]:
        centre = await self.centre_by_code(code)
        wanted = {x.item_code: x.daily_cap for x in data.items}
        if len(wanted) != len(data.items):
            raise DomainRuleViolation("items", "an item is listed twice")
        items = {
            r.code: r
            for r in (await self.session.scalars(select(ServiceItemModel).where(ServiceItemModel.code.in_(wanted))))
        }
        missing = sorted(set(wanted) - set(items))
        if missing:
            raise DomainRuleViolation("items", f"unknown item codes: {', '.join(missing)}")
        before = {x.item_code: x.daily_cap for x in await self.offered_items(code)}
        await self.session.execute(delete(CentreItemModel).where(CentreItemModel.centre_id == centre.id))
        self.session.add_all(
            CentreItemModel(centre_id=centre.id, item_id=items[c].id, daily_cap=cap) for c, cap in wanted.items()
        )
        await self.flush()
        self.log("centre_items", code, "update", diff(before, wanted), centre_id=centre.id)
        return await self.offered_items(code)
