"""The hall's implementation of ``queueing.ports.HallDirectory``.

Centres, offered items, windows and staff as plain data for the queueing context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cache import ReferenceCache
from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.errors import NotFoundError
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType
from hall.models import CentreItemModel, CentreModel, ServiceItemModel, StaffModel, WindowModel
from hall.services import load_centre_calendar, promise_of, rules_from_json, sessions_of
from queueing.ports import CentreInfo, ItemInfo, StaffInfo, WindowInfo


class SqlHallDirectory:
    """Reads the hall's tables in the caller's session (so reads and writes share one transaction).

    It lives for one request and remembers what it has read, so a request asks the database for a centre, its
    items, windows or a staff member at most once.
    """

    def __init__(self, session: AsyncSession, cache: ReferenceCache | None = None) -> None:
        self.session = session
        self.cache = cache or ReferenceCache(ttl_seconds=0)
        self._centres: dict[object, CentreInfo] = {}
        self._offered: dict[UUID, Mapping[str, ItemInfo]] = {}
        self._windows: dict[UUID, Sequence[WindowInfo]] = {}
        self._staff: dict[UUID, StaffInfo] = {}

    async def _centre(self, row: CentreModel | None, field: str, value: object) -> CentreInfo:
        if row is None:
            raise NotFoundError(field, f"no centre {value!r}")
        return CentreInfo(
            id=row.id,
            code=row.code,
            name_zh=row.name_zh,
            zone=ZoneInfo(row.timezone),
            rules=rules_from_json(row.rules),
            promise=promise_of(row),
            sessions=tuple(sessions_of(row)),
            calendar=await load_centre_calendar(self.session, row),
        )

    def _remember_centre(self, info: CentreInfo) -> CentreInfo:
        self._centres[info.code] = self._centres[info.id] = info
        self.cache.put(("centre", info.code), info)
        self.cache.put(("centre", info.id), info)
        return info

    async def centre(self, code: str) -> CentreInfo:
        if code not in self._centres:
            cached = self.cache.get(("centre", code))
            if cached is not None:
                self._centres[code] = cached
            else:
                row = await self.session.scalar(select(CentreModel).where(CentreModel.code == code))
                self._remember_centre(await self._centre(row, "centreCode", code))
        return self._centres[code]

    async def centre_by_id(self, centre_id: UUID) -> CentreInfo:
        if centre_id not in self._centres:
            cached = self.cache.get(("centre", centre_id))
            if cached is not None:
                self._centres[centre_id] = cached
            else:
                row = await self.session.get(CentreModel, centre_id)
                self._remember_centre(await self._centre(row, "centreId", centre_id))
        return self._centres[centre_id]

    async def offered_items(self, centre_id: UUID) -> Mapping[str, ItemInfo]:
        if centre_id not in self._offered:
            cached = self.cache.get(("offered", centre_id))
            if cached is None:
                cached = await self._load_offered(centre_id)
                self.cache.put(("offered", centre_id), cached)
            self._offered[centre_id] = cached
        return self._offered[centre_id]

    async def _load_offered(self, centre_id: UUID) -> Mapping[str, ItemInfo]:
        rows = (
            await self.session.execute(
                select(ServiceItemModel, CentreItemModel.daily_cap)
                .join(CentreItemModel, CentreItemModel.item_id == ServiceItemModel.id)
                .where(CentreItemModel.centre_id == centre_id, ServiceItemModel.is_active.is_(True))
            )
        ).all()
        items: dict[str, ItemInfo] = {}
        for item, cap in rows:
            domain = ServiceDomain(item.domain)
            items[item.code] = ItemInfo(
                id=item.id,
                code=item.code,
                name_zh=item.name_zh,
                name_en=item.name_en,
                requirement=ItemRequirement(
                    code=item.code,
                    domain=domain,
                    min_skill_level=SkillLevel(item.min_skill_level),
                    standard_minutes=item.standard_minutes,
                ),
                ticket_prefix=item.ticket_prefix or domain.default_ticket_prefix,
                is_instant=item.is_instant,
                committed_limit_days=item.committed_limit_days,
                allows_appointment=item.allows_appointment,
                allows_conditional_acceptance=item.allows_conditional_acceptance,
                daily_cap=cap,
            )
        return items

    @staticmethod
    def _window(row: WindowModel) -> WindowInfo:
        return WindowInfo(
            id=row.id,
            centre_id=row.centre_id,
            number=row.number,
            type=WindowType(row.type),
            label=row.label,
            status=WindowStatus(row.status),
            domains=frozenset(ServiceDomain(d) for d in row.domains),
            item_codes=frozenset(row.item_codes),
        )

    async def window(self, centre_id: UUID, number: int) -> WindowInfo:
        for window in await self.windows(centre_id):
            if window.number == number:
                return window
        raise NotFoundError("number", f"no window {number} at this centre")

    async def windows(self, centre_id: UUID) -> Sequence[WindowInfo]:
        if centre_id not in self._windows:
            cached = self.cache.get(("windows", centre_id))
            if cached is None:
                rows = await self.session.scalars(
                    select(WindowModel).where(WindowModel.centre_id == centre_id).order_by(WindowModel.number)
                )
                cached = tuple(self._window(r) for r in rows)
                self.cache.put(("windows", centre_id), cached)
            self._windows[centre_id] = cached
        return self._windows[centre_id]

    @staticmethod
    def _staff_info(row: StaffModel) -> StaffInfo:
        return StaffInfo(
            id=row.id,
            employee_no=row.employee_no,
            name=row.name,
            centre_id=row.centre_id,
            skill_level=SkillLevel(row.skill_level),
            qualified_domains=frozenset(ServiceDomain(d) for d in row.qualified_domains),
            qualified_items=frozenset(row.qualified_items),
            is_active=row.is_active,
        )

    async def staff(self, staff_id: UUID) -> StaffInfo:
        found = await self.staff_many([staff_id])
        if staff_id not in found:
            raise NotFoundError("staffId", f"no staff member {staff_id}")
        return found[staff_id]

    async def staff_many(self, staff_ids: Sequence[UUID]) -> Mapping[UUID, StaffInfo]:
        missing = []
        for staff_id in set(staff_ids):
            if staff_id in self._staff:
                continue
            cached = self.cache.get(("staff", staff_id))
            if cached is not None:
                self._staff[staff_id] = cached
            else:
                missing.append(staff_id)
        if missing:
            for row in await self.session.scalars(select(StaffModel).where(StaffModel.id.in_(missing))):
                info = self._staff[row.id] = self._staff_info(row)
                self.cache.put(("staff", row.id), info)
        return {i: self._staff[i] for i in staff_ids if i in self._staff}

    async def staff_by_number(self, employee_no: str) -> StaffInfo:
        row = await self.session.scalar(select(StaffModel).where(StaffModel.employee_no == employee_no))
        if row is None:
            raise NotFoundError("staffEmployeeNo", f"no staff member {employee_no!r}")
        return self._staff_info(row)
