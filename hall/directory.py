"""The hall's implementation of ``queueing.ports.HallDirectory``.

Centres, offered items, windows and staff as plain data for the queueing context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.errors import NotFoundError
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType
from hall.models import CentreItemModel, CentreModel, ServiceItemModel, StaffModel, WindowModel
from hall.services import load_calendar, promise_of, rules_from_json, sessions_of
from queueing.ports import CentreInfo, ItemInfo, StaffInfo, WindowInfo


class SqlHallDirectory:
    """Reads the hall's tables in the caller's session (so reads and writes share one transaction).

    It lives for one request and remembers what it has read, so a request asks the database for a centre, its
    items, windows or a staff member at most once.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
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
            calendar=await load_calendar(self.session, row.calendar_id),
        )

    async def centre(self, code: str) -> CentreInfo:
        if code not in self._centres:
            row = await self.session.scalar(select(CentreModel).where(CentreModel.code == code))
            info = await self._centre(row, "centreCode", code)
            self._centres[code] = self._centres[info.id] = info
        return self._centres[code]

    async def centre_by_id(self, centre_id: UUID) -> CentreInfo:
        if centre_id not in self._centres:
            info = await self._centre(await self.session.get(CentreModel, centre_id), "centreId", centre_id)
            self._centres[centre_id] = self._centres[info.code] = info
        return self._centres[centre_id]

    async def offered_items(self, centre_id: UUID) -> Mapping[str, ItemInfo]:
        if centre_id not in self._offered:
            self._offered[centre_id] = await self._load_offered(centre_id)
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
            rows = await self.session.scalars(
                select(WindowModel).where(WindowModel.centre_id == centre_id).order_by(WindowModel.number)
            )
            self._windows[centre_id] = [self._window(r) for r in rows]
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
        if staff_id not in self._staff:
            row = await self.session.get(StaffModel, staff_id)
            if row is None:
                raise NotFoundError("staffId", f"no staff member {staff_id}")
            self._staff[staff_id] = self._staff_info(row)
        return self._staff[staff_id]

    async def staff_by_number(self, employee_no: str) -> StaffInfo:
        row = await self.session.scalar(select(StaffModel).where(StaffModel.employee_no == employee_no))
        if row is None:
            raise NotFoundError("staffEmployeeNo", f"no staff member {employee_no!r}")
        return self._staff_info(row)
