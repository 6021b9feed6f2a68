"""What the staffing context reads from the rest of the hall, as plain data and one Protocol.

Staffing scores and pays from facts other contexts own: centres, the calendar, staff and their level history
(hall), and tickets, service records and window sessions (queueing). ``staffing.adapters.SqlStaffingSources``
reads them from the database in the caller's session; the services see only these values, never another
context's rows. A second Protocol, :class:`ManagerNotifier`, tells managers about prepared drafts and overdue
差评 cases.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from hall.domain.calendar import WorkingCalendar
from hall.domain.skills import SkillLevel


@dataclass(frozen=True, slots=True)
class CentreFacts:
    id: UUID
    code: str
    name_zh: str
    parent_id: UUID | None
    zone: ZoneInfo
    calendar: WorkingCalendar
    is_active: bool = True

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()


@dataclass(frozen=True, slots=True)
class StaffFacts:
    id: UUID
    employee_no: str
    name: str
    centre_id: UUID
    skill_level: SkillLevel
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class LevelChangeFact:
    """A certification of a skill level, effective from ``effective_on``."""

    staff_id: UUID
    level: SkillLevel
    effective_on: date


@dataclass(frozen=True, slots=True)
class ItemFacts:
    code: str
    name_zh: str
    standard_minutes: float


@dataclass(frozen=True, slots=True)
class ServiceRecordFact:
    """One served item (a row of ``service_record``), as staffing needs it."""

    id: UUID
    ticket_id: UUID
    centre_id: UUID
    staff_id: UUID
    window_id: UUID
    item_code: str
    skill_level: int
    started_at: datetime
    ended_at: datetime
    outcome: str
    due_on: date | None


@dataclass(frozen=True, slots=True)
class SessionFact:
    """One window session of a staff member; ``closed_at`` is ``None`` while signed in."""

    staff_id: UUID
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ServiceContact:
    """A completed ticket visit: one service contact (一次一评), with who served it last, where and what."""

    ticket_id: UUID
    public_code: str
    number: str
    centre_id: UUID
    status: str
    ended_at: datetime | None
    staff_id: UUID | None
    window_id: UUID | None
    window_number: int | None
    item_codes: tuple[str, ...]
    record_ids: tuple[UUID, ...]


class StaffingSources(Protocol):
    """Read-only access to the hall's and the queue's facts, in the caller's transaction."""

    async def centre(self, code: str) -> CentreFacts:
        """Return the centre with this code (``NotFoundError`` naming ``centreCode`` if there is none)."""
        ...

    async def centre_by_id(self, centre_id: UUID) -> CentreFacts: ...

    async def centre_chain(self, centre_id: UUID) -> Sequence[CentreFacts]:
        """Return the centre and the centres above it, nearest first."""
        ...

    async def active_centres(self) -> Sequence[CentreFacts]: ...

    async def staff(self, employee_no: str) -> StaffFacts:
        """Return the staff member with this number (``NotFoundError`` naming ``employeeNo``)."""
        ...

    async def staff_by_ids(self, staff_ids: Collection[UUID]) -> Mapping[UUID, StaffFacts]: ...

    async def staff_of_centre(self, centre_id: UUID) -> Sequence[StaffFacts]: ...

    async def level_history(self, staff_ids: Collection[UUID]) -> Mapping[UUID, Sequence[LevelChangeFact]]: ...

    async def items(self, codes: Collection[str]) -> Mapping[str, ItemFacts]: ...

    async def contact(self, public_code: str) -> ServiceContact | None:
        """Return the visit of the ticket with this public code, or ``None`` if there is no such ticket."""
        ...

    async def contacts(self, ticket_ids: Collection[UUID]) -> Mapping[UUID, ServiceContact]:
        """Return the visits of these tickets, by ticket id."""
        ...

    async def contacts_ended(self, centre_id: UUID, start: datetime, end: datetime) -> Sequence[ServiceContact]:
        """Return the centre's completed visits that ended in ``[start, end)``."""
        ...

    async def contact_counts(self, centre_id: UUID, start: datetime, end: datetime) -> Mapping[UUID, int]:
        """Return how many completed visits each staff member ended in ``[start, end)`` (the 未评价率 base)."""
        ...

    async def service_records(
        self, staff_ids: Collection[UUID], start: datetime, end: datetime
    ) -> Sequence[ServiceRecordFact]:
        """Return the staff's served items that ended in ``[start, end)``, corrected rows replaced."""
        ...

    async def committed_records(
        self, staff_ids: Collection[UUID], due_from: date, due_to: date
    ) -> Sequence[ServiceRecordFact]:
        """Return the staff's committed cases (承诺件, 容缺受理) due in ``[due_from, due_to]``."""
        ...

    async def record(self, record_id: UUID) -> ServiceRecordFact | None: ...

    async def sessions(self, staff_ids: Collection[UUID], start: datetime, end: datetime) -> Sequence[SessionFact]:
        """Return the staff's window sessions overlapping ``[start, end)``."""
        ...

    async def manager_usernames(self, centre_id: UUID) -> Sequence[str]:
        """Return the active managers of the centre and of the centres above it."""
        ...


@dataclass(frozen=True, slots=True)
class ManagerMessage:
    """One message to the managers of a centre (drafts prepared, cases overdue)."""

    centre_code: str
    subject: str
    body: str
    recipients: tuple[str, ...]
    link: str = ""


class ManagerNotifier(Protocol):
    async def notify(self, message: ManagerMessage) -> None:
        """Deliver the message; never raise (log failures instead)."""
        ...
