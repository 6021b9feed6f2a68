"""``StaffingSources`` from the database: the hall's and the queue's tables, read in the caller's session.

This module is the only place in the staffing context that reads another context's rows, and it only reads.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.calendar import WorkingCalendar
from hall.domain.errors import NotFoundError
from hall.domain.people import Role
from hall.domain.skills import SkillLevel
from hall.models import (
    CentreModel,
    ServiceItemModel,
    StaffLevelHistoryModel,
    StaffModel,
    UserModel,
    WindowModel,
)
from hall.services import load_centre_calendar
from queueing.models import ServiceRecordModel, TicketItemModel, TicketModel, WindowSessionModel
from staffing.ports import (
    CentreFacts,
    ItemFacts,
    LevelChangeFact,
    ManagerMessage,
    ServiceContact,
    ServiceRecordFact,
    SessionFact,
    StaffFacts,
)

logger = logging.getLogger("hall.staffing")
COMMITTED_OUTCOMES = ("committed", "conditional")


def _record(row: ServiceRecordModel) -> ServiceRecordFact:
    return ServiceRecordFact(
        id=row.id,
        ticket_id=row.ticket_id,
        centre_id=row.centre_id,
        staff_id=row.staff_id,
        window_id=row.window_id,
        item_code=row.item_code,
        skill_level=row.skill_level,
        started_at=row.started_at,
        ended_at=row.ended_at,
        outcome=row.outcome,
        due_on=row.due_on,
    )


def _staff(row: StaffModel) -> StaffFacts:
    return StaffFacts(
        id=row.id,
        employee_no=row.employee_no,
        name=row.name,
        centre_id=row.centre_id,
        skill_level=SkillLevel(row.skill_level),
        is_active=row.is_active,
    )


class SqlStaffingSources:
    """Reads centres, staff, catalogue, tickets, service records and sessions; remembers centres per request."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._centres: dict[object, CentreFacts] = {}
        self._calendars: dict[UUID, WorkingCalendar] = {}

    async def _calendar(self, centre: CentreModel) -> WorkingCalendar:
        """The centre's effective calendar: national days with the local days of the centre and those above it."""
        if centre.id not in self._calendars:
            self._calendars[centre.id] = await load_centre_calendar(self.session, centre)
        return self._calendars[centre.id]

    async def _centre_facts(self, row: CentreModel | None, field: str, value: object) -> CentreFacts:
        if row is None:
            raise NotFoundError(field, f"no centre {value!r}")
        facts = CentreFacts(
            id=row.id,
            code=row.code,
            name_zh=row.name_zh,
            parent_id=row.parent_id,
            zone=ZoneInfo(row.timezone),
            calendar=await self._calendar(row),
            is_active=row.is_active,
        )
        self._centres[facts.id] = self._centres[facts.code] = facts
        return facts

    async def centre(self, code: str) -> CentreFacts:
        if code in self._centres:
            return self._centres[code]
        row = await self.session.scalar(select(CentreModel).where(CentreModel.code == code))
        return await self._centre_facts(row, "centreCode", code)

    async def centre_by_id(self, centre_id: UUID) -> CentreFacts:
        if centre_id in self._centres:
            return self._centres[centre_id]
        return await self._centre_facts(await self.session.get(CentreModel, centre_id), "centreId", centre_id)

    async def centre_chain(self, centre_id: UUID) -> Sequence[CentreFacts]:
        chain = [await self.centre_by_id(centre_id)]
        while chain[-1].parent_id is not None and len(chain) < 16:
            chain.append(await self.centre_by_id(chain[-1].parent_id))
        return chain

    async def active_centres(self) -> Sequence[CentreFacts]:
        rows = (await self.session.scalars(select(CentreModel).where(CentreModel.is_active.is_(True)))).all()
        return [await self._centre_facts(row, "centreId", row.id) for row in sorted(rows, key=lambda r: r.code)]

    async def staff(self, employee_no: str) -> StaffFacts:
        row = await self.session.scalar(select(StaffModel).where(StaffModel.employee_no == employee_no))
        if row is None:
            raise NotFoundError("employeeNo", f"no staff member {employee_no!r}")
        return _staff(row)

    async def staff_by_ids(self, staff_ids: Collection[UUID]) -> Mapping[UUID, StaffFacts]:
        if not staff_ids:
            return {}
        rows = await self.session.scalars(select(StaffModel).where(StaffModel.id.in_(list(staff_ids))))
        return {row.id: _staff(row) for row in rows}

    async def staff_of_centre(self, centre_id: UUID) -> Sequence[StaffFacts]:
        rows = await self.session.scalars(
            select(StaffModel).where(StaffModel.centre_id == centre_id).order_by(StaffModel.employee_no)
        )
        return [_staff(row) for row in rows]

    async def level_history(self, staff_ids: Collection[UUID]) -> Mapping[UUID, Sequence[LevelChangeFact]]:
        history: defaultdict[UUID, list[LevelChangeFact]] = defaultdict(list)
        if not staff_ids:
            return history
        rows = await self.session.scalars(
            select(StaffLevelHistoryModel)
            .where(StaffLevelHistoryModel.staff_id.in_(list(staff_ids)))
            .order_by(StaffLevelHistoryModel.created_at)
        )
        for row in rows:
            effective = row.certified_on or row.created_at.date()
            history[row.staff_id].append(
                LevelChangeFact(staff_id=row.staff_id, level=SkillLevel(row.skill_level), effective_on=effective)
            )
        return history

    async def items(self, codes: Collection[str]) -> Mapping[str, ItemFacts]:
        if not codes:
            return {}
        rows = await self.session.scalars(select(ServiceItemModel).where(ServiceItemModel.code.in_(list(codes))))
        return {r.code: ItemFacts(code=r.code, name_zh=r.name_zh, standard_minutes=r.standard_minutes) for r in rows}

    _TICKET_COLUMNS = (
        TicketModel.id,
        TicketModel.public_code,
        TicketModel.number,
        TicketModel.centre_id,
        TicketModel.status,
        TicketModel.ended_at,
        TicketModel.staff_id,
        TicketModel.window_id,
    )

    async def _contacts(self, *conditions: Any) -> list[ServiceContact]:
        """The visits of the tickets matching ``conditions``, read as plain values (a month has thousands)."""
        tickets = (await self.session.execute(select(*self._TICKET_COLUMNS).where(*conditions))).tuples().all()
        if not tickets:
            return []
        ids = [t[0] for t in tickets]
        served: defaultdict[UUID, list[tuple[UUID, UUID, str]]] = defaultdict(list)
        item_codes: defaultdict[UUID, list[str]] = defaultdict(list)
        numbers: dict[UUID, int] = {}
        for chunk in range(0, len(ids), 5000):
            part = ids[chunk : chunk + 5000]
            for ticket_id, record_id, record_staff, code in (
                await self.session.execute(
                    select(
                        ServiceRecordModel.ticket_id,
                        ServiceRecordModel.id,
                        ServiceRecordModel.staff_id,
                        ServiceRecordModel.item_code,
                    )
                    .where(ServiceRecordModel.ticket_id.in_(part))
                    .order_by(ServiceRecordModel.ended_at, ServiceRecordModel.id)
                )
            ).tuples():
                served[ticket_id].append((record_id, record_staff, code))
            for ticket_id, code in (
                await self.session.execute(
                    select(TicketItemModel.ticket_id, TicketItemModel.item_code)
                    .where(TicketItemModel.ticket_id.in_(part))
                    .order_by(TicketItemModel.position)
                )
            ).tuples():
                item_codes[ticket_id].append(code)
        window_ids = {t[7] for t in tickets if t[7] is not None}
        if window_ids:
            rows = await self.session.execute(
                select(WindowModel.id, WindowModel.number).where(WindowModel.id.in_(window_ids))
            )
            numbers = dict(rows.tuples().all())
        contacts = []
        for ticket_id, public_code, number, centre_id, status, ended_at, staff_id, window_id in tickets:
            mine = [r for r in served[ticket_id] if r[1] == staff_id]
            contacts.append(
                ServiceContact(
                    ticket_id=ticket_id,
                    public_code=public_code,
                    number=number,
                    centre_id=centre_id,
                    status=status,
                    ended_at=ended_at,
                    staff_id=staff_id,
                    window_id=window_id,
                    window_number=numbers.get(window_id) if window_id else None,
                    item_codes=tuple(r[2] for r in mine) or tuple(item_codes[ticket_id]),
                    record_ids=tuple(r[0] for r in mine),
                )
            )
        return contacts

    async def contact(self, public_code: str) -> ServiceContact | None:
        found = await self._contacts(TicketModel.public_code == public_code)
        return found[0] if found else None

    async def contacts(self, ticket_ids: Collection[UUID]) -> Mapping[UUID, ServiceContact]:
        if not ticket_ids:
            return {}
        return {c.ticket_id: c for c in await self._contacts(TicketModel.id.in_(list(ticket_ids)))}

    def _ended(self, centre_id: UUID, start: datetime, end: datetime) -> tuple[Any, ...]:
        return (
            TicketModel.centre_id == centre_id,
            TicketModel.status == "completed",
            TicketModel.ended_at >= start,
            TicketModel.ended_at < end,
        )

    async def contacts_ended(self, centre_id: UUID, start: datetime, end: datetime) -> Sequence[ServiceContact]:
        return await self._contacts(*self._ended(centre_id, start, end))

    async def contact_counts(self, centre_id: UUID, start: datetime, end: datetime) -> Mapping[UUID, int]:
        rows = await self.session.execute(
            select(TicketModel.staff_id, func.count())
            .where(*self._ended(centre_id, start, end), TicketModel.staff_id.is_not(None))
            .group_by(TicketModel.staff_id)
        )
        return {staff_id: int(count) for staff_id, count in rows.tuples() if staff_id is not None}

    _RECORD_COLUMNS = (
        ServiceRecordModel.id,
        ServiceRecordModel.ticket_id,
        ServiceRecordModel.centre_id,
        ServiceRecordModel.staff_id,
        ServiceRecordModel.window_id,
        ServiceRecordModel.item_code,
        ServiceRecordModel.skill_level,
        ServiceRecordModel.started_at,
        ServiceRecordModel.ended_at,
        ServiceRecordModel.outcome,
        ServiceRecordModel.due_on,
    )

    async def _records(self, staff_ids: Collection[UUID], *conditions: Any) -> list[ServiceRecordFact]:
        """Rows as plain values (no ORM objects: a centre-month has thousands); corrected rows left out."""
        ids = list(staff_ids)
        corrected = set(
            await self.session.scalars(
                select(ServiceRecordModel.corrects_id).where(
                    ServiceRecordModel.staff_id.in_(ids), ServiceRecordModel.corrects_id.is_not(None)
                )
            )
        )
        rows = await self.session.execute(
            select(*self._RECORD_COLUMNS)
            .where(ServiceRecordModel.staff_id.in_(ids), *conditions)
            .order_by(ServiceRecordModel.ended_at, ServiceRecordModel.id)
        )
        return [ServiceRecordFact(*row) for row in rows.tuples() if row[0] not in corrected]

    async def service_records(
        self, staff_ids: Collection[UUID], start: datetime, end: datetime
    ) -> Sequence[ServiceRecordFact]:
        if not staff_ids:
            return []
        return await self._records(staff_ids, ServiceRecordModel.ended_at >= start, ServiceRecordModel.ended_at < end)

    async def committed_records(
        self, staff_ids: Collection[UUID], due_from: date, due_to: date
    ) -> Sequence[ServiceRecordFact]:
        if not staff_ids:
            return []
        return await self._records(
            staff_ids,
            ServiceRecordModel.outcome.in_(COMMITTED_OUTCOMES),
            ServiceRecordModel.due_on >= due_from,
            ServiceRecordModel.due_on <= due_to,
        )

    async def record(self, record_id: UUID) -> ServiceRecordFact | None:
        row = await self.session.get(ServiceRecordModel, record_id)
        return _record(row) if row is not None else None

    async def sessions(self, staff_ids: Collection[UUID], start: datetime, end: datetime) -> Sequence[SessionFact]:
        if not staff_ids:
            return []
        rows = await self.session.execute(
            select(WindowSessionModel.staff_id, WindowSessionModel.opened_at, WindowSessionModel.closed_at).where(
                WindowSessionModel.staff_id.in_(list(staff_ids)),
                WindowSessionModel.opened_at < end,
                or_(WindowSessionModel.closed_at.is_(None), WindowSessionModel.closed_at > start),
            )
        )
        return [SessionFact(staff_id=s, opened_at=o, closed_at=c) for s, o, c in rows.tuples()]

    async def manager_usernames(self, centre_id: UUID) -> Sequence[str]:
        chain = [c.id for c in await self.centre_chain(centre_id)]
        rows = await self.session.scalars(
            select(UserModel.username).where(
                and_(
                    UserModel.role == Role.MANAGER.value, UserModel.centre_id.in_(chain), UserModel.is_active.is_(True)
                )
            )
        )
        return sorted(rows)


class LogManagerNotifier:
    """Writes each message to managers as one log line on logger ``hall.staffing`` (no message leaves Hall)."""

    def __init__(self) -> None:
        self.sent: list[ManagerMessage] = []

    async def notify(self, message: ManagerMessage) -> None:
        try:
            self.sent.append(message)
            del self.sent[:-100]
            logger.info(
                "manager notice centre=%s to=%s subject=%s link=%s",
                message.centre_code,
                ",".join(message.recipients),
                message.subject,
                message.link,
            )
        except Exception:  # pragma: no cover - a notice must never break its caller
            logger.exception("could not log a manager notice")
