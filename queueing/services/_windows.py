"""Window sessions: a staff member signs in and out, pauses and resumes; every state change is timed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.domain.windows import WindowStatus
from queueing import schemas as s
from queueing.models import (
    TicketModel,
    WindowSessionModel,
    WindowStateEventModel,
)
from queueing.ports import CentreInfo, WindowInfo
from queueing.services._base import QueueBase
from queueing.services._common import (
    AT_WINDOW,
    PEOPLE,
)


class WindowsMixin(QueueBase):
    """Window sessions: a staff member signs in and out, pauses and resumes; every state change is timed."""

    async def _session_read(
        self, centre: CentreInfo, window: WindowInfo, row: WindowSessionModel
    ) -> s.WindowSessionRead:
        staff = await self.directory.staff(row.staff_id)
        current = None
        if row.current_ticket_id is not None and row.closed_at is None:
            ticket = await self.session.get(TicketModel, row.current_ticket_id)
            if ticket is not None and ticket.status in {x.value for x in AT_WINDOW}:
                current = await self._read(ticket, centre, with_estimate=False)
        return s.WindowSessionRead(
            centre_code=centre.code,
            window_number=window.number,
            staff_employee_no=staff.employee_no,
            staff_name=staff.name,
            skill_level=row.skill_level,
            state=s.WindowState(row.state),
            state_since=row.state_since,
            pause_reason=row.pause_reason,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            current_ticket=current,
        )

    async def window_session(self, centre_code: str, number: int) -> s.WindowSessionRead:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        window = await self.directory.window(centre.id, number)
        row = await self._session_of(window, lock=False)
        if row is None:
            raise NotFoundError("number", f"window {number} has nobody signed in")
        return await self._session_read(centre, window, row)

    async def open_window(self, centre_code: str, number: int, data: s.OpenWindow) -> s.WindowSessionRead:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        window = await self.directory.window(centre.id, number)
        if window.status is not WindowStatus.IN_SERVICE:
            raise ConflictError("number", f"window {number} is out of service")
        if self.principal.role is Role.STAFF:
            if self.principal.staff_id is None:
                raise PermissionDeniedError("staffEmployeeNo", "your account is not linked to a staff record")
            staff = await self.directory.staff(self.principal.staff_id)
            if data.staff_employee_no not in (None, staff.employee_no):
                raise PermissionDeniedError("staffEmployeeNo", "staff sign in only themselves")
        else:
            if data.staff_employee_no is None:
                raise DomainRuleViolation("staffEmployeeNo", "name the staff member to sign in")
            staff = await self.directory.staff_by_number(data.staff_employee_no)
        if not staff.is_active:
            raise ConflictError("staffEmployeeNo", f"{staff.name} is not active")
        if staff.centre_id != centre.id:
            raise DomainRuleViolation("staffEmployeeNo", f"{staff.name} works at another centre")
        existing = await self._session_of(window, lock=True)
        if existing is not None:
            other = await self.directory.staff(existing.staff_id)
            raise ConflictError("number", f"window {number} is already signed in by {other.name}")
        elsewhere = await self.session.scalar(
            select(WindowSessionModel).where(
                WindowSessionModel.staff_id == staff.id, WindowSessionModel.closed_at.is_(None)
            )
        )
        if elsewhere is not None:
            raise ConflictError("staffEmployeeNo", f"{staff.name} is signed in at another window; sign out there first")
        now = self.clock.now()
        row = WindowSessionModel(
            centre_id=centre.id,
            window_id=window.id,
            staff_id=staff.id,
            skill_level=int(staff.skill_level),
            opened_at=now,
            state=s.WindowState.IDLE.value,
            state_since=now,
            priority_calls_in_row=0,
        )
        self.session.add(row)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise ConflictError("number", f"window {number} was signed in at the same moment") from None
        self.session.add(
            WindowStateEventModel(
                session_id=row.id,
                centre_id=centre.id,
                window_id=window.id,
                staff_id=staff.id,
                at=now,
                from_state=None,
                to_state=s.WindowState.IDLE.value,
                reason="signed in",
            )
        )
        self._announce_window(centre, window, row)
        return await self._session_read(centre, window, row)

    async def close_window(self, centre_code: str, number: int) -> s.WindowSessionRead:
        centre, window, row = await self._operated_window(centre_code, number)
        await self._require_no_current(row)
        now = self.clock.now()
        self._set_state(row, s.WindowState.SIGNED_OUT, now, "signed out")
        row.closed_at = now
        row.current_ticket_id = None
        self._announce_window(centre, window, row)
        return await self._session_read(centre, window, row)

    async def pause_window(self, centre_code: str, number: int, data: s.PauseWindow) -> s.WindowSessionRead:
        centre, window, row = await self._operated_window(centre_code, number)
        await self._require_no_current(row)
        self._set_state(row, s.WindowState.PAUSED, self.clock.now(), data.reason)
        self._announce_window(centre, window, row)
        return await self._session_read(centre, window, row)

    async def resume_window(self, centre_code: str, number: int) -> s.WindowSessionRead:
        centre, window, row = await self._operated_window(centre_code, number)
        if row.state != s.WindowState.PAUSED.value:
            raise ConflictError("window", f"window {number} is not paused")
        self._set_state(row, s.WindowState.IDLE, self.clock.now())
        self._announce_window(centre, window, row)
        return await self._session_read(centre, window, row)
