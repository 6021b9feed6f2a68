"""Services of the hall context.

Every read and change of centres, calendar, catalogue, windows, staff, users and devices goes through here, with the
caller's scope checked and every change written to the change log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall.cache import hall_data_changed
from hall.db.session import after_commit
from hall.domain.access import Principal
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import (
    CentreLevel,
    HallRules,
    OpeningSession,
    WaitingPromise,
    check_parent_level,
    check_sessions,
)
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import EmploymentType, PriorityGroup, Role
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType
from hall.models import (
    AuthTokenModel,
    CalendarDayModel,
    CalendarModel,
    CentreItemModel,
    CentreModel,
    ChangeLogModel,
    DepartmentModel,
    DeviceModel,
    OpeningSessionModel,
    ServiceItemModel,
    StaffLevelHistoryModel,
    StaffModel,
    UserModel,
    WindowModel,
)
from hall.security import hash_password, hash_token, new_token, verify_password

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


# --- centres ------------------------------------------------------------------------------------------------------
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


# --- calendar -----------------------------------------------------------------------------------------------------
async def load_calendar(session: AsyncSession, calendar_id: UUID) -> WorkingCalendar:
    rows = (await session.scalars(select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar_id))).all()
    return WorkingCalendar.of(CalendarDay(r.on, DayKind(r.kind), r.name) for r in rows)


class CalendarService(BaseService):
    async def _calendar(self, code: str) -> CalendarModel:
        calendar = await self.session.scalar(select(CalendarModel).where(CalendarModel.code == code))
        if calendar is None:
            raise NotFoundError("calendarCode", f"no calendar with code {code!r}")
        return calendar

    async def get(self, code: str, year: int | None) -> s.CalendarRead:
        calendar = await self._calendar(code)
        statement = select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id)
        if year is not None:
            statement = statement.where(
                CalendarDayModel.on >= date(year, 1, 1), CalendarDayModel.on <= date(year, 12, 31)
            )
        rows = (await self.session.scalars(statement.order_by(CalendarDayModel.on))).all()
        return s.CalendarRead(
            code=calendar.code,
            name=calendar.name,
            days=[s.CalendarDayWire(on=r.on, kind=DayKind(r.kind), name=r.name) for r in rows],
        )

    async def put_day(self, code: str, day: s.CalendarDayWire) -> s.CalendarDayWire:
        calendar = await self._calendar(code)
        _check_day(day)
        row = await self.session.scalar(
            select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id, CalendarDayModel.on == day.on)
        )
        before = {"kind": row.kind, "name": row.name} if row else {}
        if row is None:
            row = CalendarDayModel(calendar_id=calendar.id, on=day.on, kind=day.kind.value, name=day.name)
            self.session.add(row)
        else:
            row.kind, row.name = day.kind.value, day.name
        await self.flush()
        after = {"kind": day.kind.value, "name": day.name}
        self.log("calendar_day", f"{code}:{day.on.isoformat()}", "update" if before else "create", diff(before, after))
        return day

    async def delete_day(self, code: str, on: date) -> None:
        calendar = await self._calendar(code)
        row = await self.session.scalar(
            select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id, CalendarDayModel.on == on)
        )
        if row is None:
            raise NotFoundError("on", f"{on.isoformat()} is not an entry of calendar {code}")
        self.log("calendar_day", f"{code}:{on.isoformat()}", "delete", diff({"kind": row.kind, "name": row.name}, {}))
        await self.session.delete(row)
        await self.flush()

    async def import_year(self, code: str, data: s.CalendarYearImport) -> s.CalendarRead:
        calendar = await self._calendar(code)
        seen: set[date] = set()
        for index, day in enumerate(data.days):
            if day.on.year != data.year:
                raise DomainRuleViolation(f"days[{index}].on", f"{day.on.isoformat()} is not in {data.year}")
            if day.on in seen:
                raise DomainRuleViolation(f"days[{index}].on", f"{day.on.isoformat()} is listed twice")
            seen.add(day.on)
            _check_day(day, f"days[{index}]")
        before = {d.on.isoformat(): [d.kind.value, d.name] for d in (await self.get(code, data.year)).days}
        await self.session.execute(
            delete(CalendarDayModel).where(
                CalendarDayModel.calendar_id == calendar.id,
                CalendarDayModel.on >= date(data.year, 1, 1),
                CalendarDayModel.on <= date(data.year, 12, 31),
            )
        )
        self.session.add_all(
            CalendarDayModel(calendar_id=calendar.id, on=d.on, kind=d.kind.value, name=d.name) for d in data.days
        )
        await self.flush()
        after = {d.on.isoformat(): [d.kind.value, d.name] for d in data.days}
        self.log("calendar", f"{code}:{data.year}", "import", diff(before, after))
        return await self.get(code, data.year)


def _check_day(day: s.CalendarDayWire, field: str = "") -> None:
    prefix = f"{field}." if field else ""
    weekend = day.on.weekday() >= 5
    if day.kind is DayKind.WORKDAY and not weekend:
        raise DomainRuleViolation(
            f"{prefix}kind", f"{day.on.isoformat()} is a weekday; only a weekend day can be a make-up workday"
        )
    if day.kind is DayKind.HOLIDAY and weekend and not day.name:
        raise DomainRuleViolation(f"{prefix}name", "a weekend holiday entry needs the holiday's name")


# --- departments and catalogue ------------------------------------------------------------------------------------
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


# --- windows ------------------------------------------------------------------------------------------------------
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


async def _check_item_codes(session: AsyncSession, codes: Sequence[str], field: str) -> None:
    if not codes:
        return
    if len(set(codes)) != len(codes):
        raise DomainRuleViolation(field, "an item is listed twice")
    known = set((await session.scalars(select(ServiceItemModel.code).where(ServiceItemModel.code.in_(codes)))).all())
    missing = sorted(set(codes) - known)
    if missing:
        raise DomainRuleViolation(field, f"unknown item codes: {', '.join(missing)}")


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


# --- staff --------------------------------------------------------------------------------------------------------
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


# --- users --------------------------------------------------------------------------------------------------------
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


# --- devices ------------------------------------------------------------------------------------------------------
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


# --- authentication -----------------------------------------------------------------------------------------------
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


# --- history ------------------------------------------------------------------------------------------------------
class HistoryService(BaseService):
    async def search(
        self, *, entity: str | None, key: str | None, limit: int, offset: int
    ) -> tuple[list[s.ChangeRead], int]:
        limit, offset = _page_bounds(limit, offset)
        statement = select(ChangeLogModel)
        if entity:
            statement = statement.where(ChangeLogModel.entity == entity)
        if key:
            statement = statement.where(ChangeLogModel.entity_key == key)
        if self.principal.centre_scope is not None:
            statement = statement.where(ChangeLogModel.centre_id.in_(self.principal.centre_scope))
        total = await _count(self.session, statement)
        rows = (
            await self.session.scalars(
                statement.order_by(ChangeLogModel.created_at.desc(), ChangeLogModel.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        return [
            s.ChangeRead(
                entity=r.entity,
                entity_key=r.entity_key,
                action=r.action,
                actor=r.actor,
                at=r.created_at,
                changes=r.changes,
                note=r.note,
            )
            for r in rows
        ], total
