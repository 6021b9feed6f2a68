"""What the queueing context needs from the rest of the hall, as plain data and one Protocol.

``hall.directory.SqlHallDirectory`` provides it from the hall's tables; tests may provide a fake. Queueing never
imports the hall's models or services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from hall.domain.calendar import WorkingCalendar
from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.centres import HallRules, OpeningSession, WaitingPromise, is_open
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType


@dataclass(frozen=True, slots=True)
class CentreInfo:
    id: UUID
    code: str
    name_zh: str
    zone: ZoneInfo
    rules: HallRules
    promise: WaitingPromise
    sessions: tuple[OpeningSession, ...]
    calendar: WorkingCalendar

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def is_open(self, at: datetime) -> bool:
        return is_open(self.sessions, self.calendar, self.local(at))


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """A catalogue item as offered at one centre."""

    id: UUID
    code: str
    name_zh: str
    name_en: str
    requirement: ItemRequirement
    ticket_prefix: str
    is_instant: bool
    committed_limit_days: int | None
    allows_appointment: bool
    allows_conditional_acceptance: bool
    daily_cap: int | None

    @property
    def domain(self) -> ServiceDomain:
        return self.requirement.domain


@dataclass(frozen=True, slots=True)
class WindowInfo:
    id: UUID
    centre_id: UUID
    number: int
    type: WindowType
    label: str
    status: WindowStatus
    domains: frozenset[ServiceDomain]
    item_codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class StaffInfo:
    id: UUID
    employee_no: str
    name: str
    centre_id: UUID
    skill_level: SkillLevel
    qualified_domains: frozenset[ServiceDomain]
    qualified_items: frozenset[str]
    is_active: bool


class HallDirectory(Protocol):
    """Read access to centres, their offered items, windows and staff."""

    async def centre(self, code: str) -> CentreInfo:
        """Return the centre with this code; raise ``NotFoundError`` (field ``centreCode``) if none."""
        ...

    async def centre_by_id(self, centre_id: UUID) -> CentreInfo: ...

    async def offered_items(self, centre_id: UUID) -> Mapping[str, ItemInfo]:
        """Return the active items the centre offers, by code."""
        ...

    async def window(self, centre_id: UUID, number: int) -> WindowInfo:
        """Return the centre's window with this number; raise ``NotFoundError`` (field ``number``) if none."""
        ...

    async def windows(self, centre_id: UUID) -> Sequence[WindowInfo]: ...

    async def staff(self, staff_id: UUID) -> StaffInfo: ...

    async def staff_many(self, staff_ids: Sequence[UUID]) -> Mapping[UUID, StaffInfo]:
        """Return the staff members with these ids (one read for all of them)."""
        ...

    async def staff_by_number(self, employee_no: str) -> StaffInfo:
        """Return the staff member; raise ``NotFoundError`` (field ``staffEmployeeNo``) if none."""
        ...
