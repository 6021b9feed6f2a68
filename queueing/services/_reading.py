"""Reading tickets, a window's queue, the board and stream contexts."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import func, select

from hall.domain.errors import NotFoundError
from hall.domain.people import Role
from queueing import schemas as s
from queueing.domain.routing import default_order
from queueing.domain.snapshot import (
    RoutingRules,
)
from queueing.domain.tickets import (
    CaseOutcome,
    TicketAction,
    TicketStatus,
)
from queueing.models import (
    ServiceRecordModel,
    TicketEventModel,
    TicketModel,
)
from queueing.ports import CentreInfo
from queueing.services._base import QueueBase
from queueing.services._common import (
    PEOPLE,
    entrance_code,
)


class ReadingMixin(QueueBase):
    """Reading tickets, a window's queue, the board and stream contexts."""

    # --- reading ----------------------------------------------------------------------------------------------------
    async def status(self, public_code: str) -> s.TicketRead:
        ticket = await self.session.scalar(select(TicketModel).where(TicketModel.public_code == public_code))
        if ticket is None:
            raise NotFoundError("publicCode", "no such ticket")
        centre = await self.directory.centre_by_id(ticket.centre_id)
        return await self._read(ticket, centre, with_twin=True)

    async def detail(self, centre_code: str, number: str, on: date | None = None) -> s.TicketDetail:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        day = on or centre.local(self.clock.now()).date()
        ticket = await self.session.scalar(
            select(TicketModel).where(
                TicketModel.centre_id == centre.id, TicketModel.service_day == day, TicketModel.number == number
            )
        )
        if ticket is None:
            raise NotFoundError("number", f"no ticket {number} on {day.isoformat()} at {centre.code}")
        base = await self._read(ticket, centre)
        numbers = {w.id: w.number for w in await self.directory.windows(centre.id)}
        events = await self.session.scalars(
            select(TicketEventModel).where(TicketEventModel.ticket_id == ticket.id).order_by(TicketEventModel.id)
        )
        records = await self.session.scalars(
            select(ServiceRecordModel)
            .where(ServiceRecordModel.ticket_id == ticket.id)
            .order_by(ServiceRecordModel.started_at)
        )
        staff_numbers: dict[UUID, str] = {}
        record_reads = []
        for r in records:
            if r.staff_id not in staff_numbers:
                staff_numbers[r.staff_id] = (await self.directory.staff(r.staff_id)).employee_no
            record_reads.append(
                s.ServiceRecordRead(
                    item_code=r.item_code,
                    staff_employee_no=staff_numbers[r.staff_id],
                    skill_level=r.skill_level,
                    window_number=numbers.get(r.window_id, 0),
                    called_at=r.called_at,
                    started_at=r.started_at,
                    ended_at=r.ended_at,
                    outcome=CaseOutcome(r.outcome),
                    due_on=r.due_on,
                    supplement_due_on=r.supplement_due_on,
                )
            )
        return s.TicketDetail(
            **{f: getattr(base, f) for f in base.__struct_fields__},
            history=[
                s.TicketEventRead(
                    id=e.id,
                    at=e.at,
                    action=e.action,
                    from_status=TicketStatus(e.from_status) if e.from_status else None,
                    to_status=TicketStatus(e.to_status),
                    actor=e.actor,
                    window_number=numbers.get(e.window_id) if e.window_id else None,
                    details=e.details,
                )
                for e in events
            ],
            service_records=record_reads,
        )

    async def window_queue(self, centre_code: str, number: int) -> list[s.QueueEntry]:
        """The tickets this window may call, in the order the default policy would call them."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        window = await self.directory.window(centre.id, number)
        session_row = await self._session_of(window, lock=False)
        if session_row is None:
            return []
        staff = await self.directory.staff(session_row.staff_id)
        offered = await self.directory.offered_items(centre.id)
        sessions = await self._open_sessions(centre.id)
        waiting = await self._queue(centre, offered, sessions)
        now = self.clock.now()
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        ordered = default_order(self._window_snapshot(window, session_row, staff), waiting, now, rules)
        numbers = {str(w.id): w.number for w in await self.directory.windows(centre.id)}
        return [
            s.QueueEntry(
                number=t.number,
                status=TicketStatus.WAITING,
                items=[r.code for r in t.items],
                priority_group=t.priority_group,
                arrived_at=t.arrived_at,
                waited_minutes=round((now - t.arrived_at).total_seconds() / 60, 1),
                reserved_for_window=numbers.get(t.reserved_window_id) if t.reserved_window_id else None,
            )
            for t in ordered
        ]

    async def board(self, centre_code: str) -> s.BoardRead:
        """What the display board shows: the latest calls, waiting counts per domain, the current mean wait."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, Role.ADMIN, Role.MANAGER, Role.STAFF, Role.DISPLAY, Role.KIOSK)
        now = self.clock.now()
        day = centre.local(now).date()
        offered = await self.directory.offered_items(centre.id)
        numbers = {w.id: w.number for w in await self.directory.windows(centre.id)}
        calls = (
            await self.session.execute(
                select(TicketEventModel.id, TicketEventModel.at, TicketEventModel.action, TicketEventModel.window_id,
                       TicketModel.number)
                .join(TicketModel, TicketModel.id == TicketEventModel.ticket_id)
                .where(
                    TicketEventModel.centre_id == centre.id,
                    TicketModel.service_day == day,
                    TicketEventModel.action.in_([TicketAction.CALL.value, TicketAction.RECALL.value]),
                )
                .order_by(TicketEventModel.id.desc())
                .limit(12)
            )
        ).all()  # fmt: skip
        sessions = await self._open_sessions(centre.id)
        waiting = await self._queue(centre, offered, sessions)
        by_domain: dict[str, int] = {}
        for ticket in waiting:
            domain = ticket.items[0].domain.value
            by_domain[domain] = by_domain.get(domain, 0) + 1
        hour_ago = now - timedelta(hours=1)
        recent = (
            await self.session.execute(
                select(TicketModel.arrived_at, TicketModel.called_at).where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.called_at.is_not(None),
                    TicketModel.called_at >= hour_ago,
                )
            )
        ).all()
        waits = [(called - arrived).total_seconds() / 60 for arrived, called in recent if called >= arrived]
        last_id = await self.session.scalar(
            select(func.max(TicketEventModel.id)).where(TicketEventModel.centre_id == centre.id)
        )
        return s.BoardRead(
            centre_code=centre.code,
            centre_name=centre.name_zh,
            calls=[
                s.BoardCall(number=n, window_number=numbers.get(w, 0), at=at, is_recall=a == TicketAction.RECALL.value)
                for _, at, a, w, n in calls
            ],
            waiting_total=len(waiting),
            waiting_by_domain=by_domain,
            open_windows=len(sessions),
            mean_wait_minutes=round(sum(waits) / len(waits), 1) if waits else None,
            is_open=centre.is_open(now),
            last_event_id=last_id,
        )

    async def stream_context(self, centre_code: str, *roles: Role) -> tuple[CentreInfo, dict[UUID, int]]:
        """Check the caller may follow this centre's stream; return the centre and its window numbers."""
        centre = await self.directory.centre(centre_code)
        if roles:
            self._require_centre(centre, *roles)
        return centre, {w.id: w.number for w in await self.directory.windows(centre.id)}

    async def ticket_stream_context(self, public_code: str) -> tuple[CentreInfo, dict[UUID, int], str]:
        ticket = await self.session.scalar(select(TicketModel).where(TicketModel.public_code == public_code))
        if ticket is None:
            raise NotFoundError("publicCode", "no such ticket")
        centre = await self.directory.centre_by_id(ticket.centre_id)
        return centre, {w.id: w.number for w in await self.directory.windows(centre.id)}, ticket.public_code

    def entrance_code(self, centre: CentreInfo) -> s.EntranceCode:
        day = centre.local(self.clock.now()).date()
        return s.EntranceCode(code=entrance_code(self.secret, centre.code, day), valid_on=day)

    async def todays_entrance_code(self, centre_code: str) -> s.EntranceCode:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, Role.ADMIN, Role.MANAGER, Role.STAFF, Role.DISPLAY, Role.KIOSK)
        return self.entrance_code(centre)
