"""The queue service's shared state and helpers: snapshots for the policy, history, live events, reads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from sqlalchemy import Select, Table, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from uuid_utils.compat import uuid7

from hall.db.session import after_commit
from hall.domain.access import Principal
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import PriorityGroup, Role
from hall.domain.skills import SkillLevel
from hall.lib.clock import Clock
from queueing import schemas as s
from queueing.domain.estimates import expected_wait, people_ahead
from queueing.domain.snapshot import (
    AppointmentSlot,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
)
from queueing.domain.tickets import (
    TicketAction,
    TicketStatus,
    transition,
)
from queueing.models import (
    AppointmentModel,
    AppointmentSlotModel,
    DailyCounterModel,
    TicketEventModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
    WindowStateEventModel,
)
from queueing.notify import Notification, NotificationKind
from queueing.ports import CentreInfo, HallDirectory, ItemInfo, StaffInfo, WindowInfo
from queueing.services._common import (
    AT_WINDOW,
    PEOPLE,
    PREDICTION_BUDGET_SECONDS,
    LiveEvent,
    Predictor,
    Publisher,
    live_event_data,
    logger,
)


class SessionView(Protocol):
    """What the policy snapshots read of a window session: an open-session row or the locked ORM row."""

    @property
    def window_id(self) -> UUID: ...
    @property
    def staff_id(self) -> UUID: ...
    @property
    def state(self) -> str: ...
    @property
    def skill_level(self) -> int: ...
    @property
    def priority_calls_in_row(self) -> int: ...


class OpenSession(NamedTuple):
    """An open window session as the policy sees it (a plain row: no ORM object, no identity map)."""

    window_id: UUID
    staff_id: UUID
    state: str
    skill_level: int
    priority_calls_in_row: int


_TICKET_EVENT: Table = TicketEventModel.__table__  # type: ignore[assignment]


class QueueBase:
    """State and helpers every part of the queue service uses (one instance serves one request)."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        directory: HallDirectory,
        clock: Clock,
        *,
        secret: str,
        public_url: str,
        publisher: Publisher | None = None,
        notify: Callable[[Notification], object] | None = None,
        predict: Predictor | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.directory = directory
        self.clock = clock
        self.secret = secret
        self.public_url = public_url
        self.publisher = publisher or Publisher()
        self.notify = notify
        self.predict = predict

    # --- helpers --------------------------------------------------------------------------------------------------
    @property
    def _is_postgresql(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    def _require_centre(self, centre: CentreInfo, *roles: Role) -> None:
        if self.principal.role is None:
            raise PermissionDeniedError("authorization", "sign in first")
        if roles and self.principal.role not in roles:
            raise PermissionDeniedError("role", f"the {self.principal.role} role may not do this")
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")

    def _notify_visitor(
        self, ticket: TicketModel, centre: CentreInfo, kind: NotificationKind, window: WindowInfo, now: datetime
    ) -> None:
        """Tell the visitor (SMS / WeChat gateway behind the notifier) once the change is committed."""
        if self.notify is None or not ticket.notify_to:
            return
        notification = Notification(
            kind=kind,
            centre_code=centre.code,
            ticket_number=ticket.number,
            public_code=ticket.public_code,
            notify_to=ticket.notify_to,
            at=now,
            window_number=window.number,
        )
        notify = self.notify

        def send() -> None:
            notify(notification)

        after_commit(self.session, send)

    def _publish(self, event: LiveEvent) -> None:
        publisher = self.publisher
        after_commit(self.session, lambda: publisher.publish(event))

    async def _event(
        self,
        ticket: TicketModel,
        centre: CentreInfo,
        action: TicketAction,
        before: TicketStatus | None,
        *,
        window: WindowInfo | None = None,
        details: Mapping[str, Any] | None = None,
        now: datetime,
    ) -> int:
        """Append the ticket's history row (one Core INSERT, no ORM object) and queue its live event.

        Pending ORM changes are flushed at the commit (or by the next ORM query); the ticket row itself always
        exists by now, created and flushed when it was issued.
        """
        details = dict(details or {})
        event_id = int(
            (
                await self.session.execute(
                    insert(_TICKET_EVENT)
                    .values(
                        ticket_id=ticket.id,
                        centre_id=ticket.centre_id,
                        at=now,
                        action=action.value,
                        from_status=before.value if before else None,
                        to_status=ticket.status,
                        actor=self.principal.name,
                        window_id=window.id if window else ticket.window_id,
                        details=details,
                    )
                    .returning(_TICKET_EVENT.c.id)
                )
            ).scalar_one()
        )
        self._publish(
            LiveEvent(
                centre_code=centre.code,
                kind=action.value,
                event_id=event_id,
                data=live_event_data(
                    action.value, ticket.status, ticket.number, window.number if window else None, details
                ),
                ticket_code=ticket.public_code,
                window_number=window.number if window else None,
            )
        )
        return event_id

    def _move(self, ticket: TicketModel, action: TicketAction) -> TicketStatus:
        before = TicketStatus(ticket.status)
        ticket.status = transition(before, action).value
        return before

    async def _bump(self, centre_id: UUID, day: date, counters: Mapping[str, Select[Any] | None]) -> dict[str, int]:
        """Increment several daily counters in one statement and return their new values by key.

        One multi-row upsert is one round trip however many counters a ticket moves (the day's total, each capped
        item, the number's prefix); the rows are taken in key order so two requests never lock them crosswise.
        Counters for daily caps are kept only while a cap is set; ``counters[key]`` (when not ``None``) counts what
        the day holds, so a counter created after tickets were issued (a cap set at noon) starts from the true
        number.
        """
        dialect_insert = postgresql.insert if self._is_postgresql else sqlite.insert
        now = self.clock.now()
        counter = DailyCounterModel
        insert = dialect_insert(counter).values(
            [
                {
                    "id": uuid7(),
                    "centre_id": centre_id,
                    "service_day": day,
                    "key": key,
                    "value": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for key in sorted(counters)
            ]
        )
        statement = insert.on_conflict_do_update(
            index_elements=["centre_id", "service_day", "key"],
            set_={"value": counter.value + 1, "updated_at": now},
        ).returning(counter.key, counter.value)
        values = {key: int(value) for key, value in (await self.session.execute(statement)).tuples()}
        for key, already in counters.items():
            if values[key] != 1 or already is None:
                continue
            values[key] = int(await self.session.scalar(already) or 0) + 1
            await self.session.execute(
                update(DailyCounterModel)
                .where(
                    DailyCounterModel.centre_id == centre_id,
                    DailyCounterModel.service_day == day,
                    DailyCounterModel.key == key,
                )
                .values(value=values[key])
            )
        return values

    async def _ticket_by_number(self, centre: CentreInfo, number: str, *, lock: bool) -> TicketModel:
        day = centre.local(self.clock.now()).date()
        statement = select(TicketModel).where(
            TicketModel.centre_id == centre.id, TicketModel.service_day == day, TicketModel.number == number
        )
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        ticket = await self.session.scalar(statement)
        if ticket is None:
            raise NotFoundError("number", f"no ticket {number} today at {centre.code}")
        return ticket

    @staticmethod
    def _with_items(statement: Select[tuple[TicketModel]], *, skip_locked: bool = False) -> Select[tuple[TicketModel]]:
        """Lock the ticket row and read its items in the same query (one round trip instead of two)."""
        return (
            statement.options(joinedload(TicketModel.items))
            .with_for_update(of=TicketModel, skip_locked=skip_locked)
            .execution_options(populate_existing=True)
        )

    async def _lock(self, ticket_id: UUID) -> TicketModel:
        result = await self.session.execute(self._with_items(select(TicketModel).where(TicketModel.id == ticket_id)))
        ticket = result.unique().scalar_one_or_none()
        if ticket is None:  # pragma: no cover - foreign keys keep it
            raise NotFoundError("ticket", "the ticket disappeared")
        return ticket

    async def _open_sessions(self, centre_id: UUID) -> list[OpenSession]:
        """The centre's open window sessions, read as plain rows (the policy only reads them)."""
        rows = await self.session.execute(
            select(
                WindowSessionModel.window_id,
                WindowSessionModel.staff_id,
                WindowSessionModel.state,
                WindowSessionModel.skill_level,
                WindowSessionModel.priority_calls_in_row,
            ).where(WindowSessionModel.centre_id == centre_id, WindowSessionModel.closed_at.is_(None))
        )
        return [OpenSession(*row) for row in rows]

    @staticmethod
    def _snapshot_of(
        *,
        ticket_id: UUID,
        number: str,
        arrived_at: datetime,
        sequence: int,
        priority_group: str | None,
        priority_verified: bool | None,
        reserved_window_id: UUID | None,
        item_codes: Sequence[str],
        slot: AppointmentSlot | None,
        offered: Mapping[str, ItemInfo],
        open_windows: set[UUID] | None,
    ) -> WaitingTicket | None:
        """The policy's view of one waiting ticket (``None`` if none of its items is offered any more)."""
        items = tuple(offered[code].requirement for code in item_codes if code in offered)
        if not items:
            return None
        reserved = reserved_window_id
        if reserved is not None and open_windows is not None and reserved not in open_windows:
            reserved = None  # its window has closed: any eligible window may call it
        honoured = priority_group is not None and priority_verified is not False
        return WaitingTicket(
            ticket_id=str(ticket_id),
            number=number,
            items=items,
            arrived_at=arrived_at,
            sequence=sequence,
            priority_group=PriorityGroup(priority_group) if honoured and priority_group else None,
            appointment=slot,
            reserved_window_id=str(reserved) if reserved else None,
        )

    def _to_waiting(self, ticket: TicketModel, offered: Mapping[str, ItemInfo]) -> WaitingTicket | None:
        return self._snapshot_of(
            ticket_id=ticket.id,
            number=ticket.number,
            arrived_at=ticket.arrived_at,
            sequence=ticket.sequence,
            priority_group=ticket.priority_group,
            priority_verified=ticket.priority_verified,
            reserved_window_id=ticket.reserved_window_id,
            item_codes=[i.item_code for i in ticket.items if i.is_active],
            slot=None,
            offered=offered,
            open_windows=None,
        )

    async def _queue(
        self,
        centre: CentreInfo,
        offered: Mapping[str, ItemInfo],
        sessions: Sequence[SessionView] | None,
        listeners: dict[UUID, tuple[str, str, str]] | None = None,
    ) -> list[WaitingTicket]:
        """The centre's waiting tickets as policy snapshots, read in one query (no ORM objects).

        Without ``sessions`` (a caller that has not read the open window sessions), the same query tells whether a
        ticket's reserved window is still open, so no separate read of the sessions is needed. ``listeners``, when
        given, receives the waiting tickets whose visitor left a number and has not yet been told that their turn
        is near: ``{ticket id: (number, public code, notify_to)}``.
        """
        reserved: Any = TicketModel.reserved_window_id
        if sessions is None:
            open_now = select(WindowSessionModel.window_id).where(
                WindowSessionModel.centre_id == centre.id, WindowSessionModel.closed_at.is_(None)
            )
            reserved = case((TicketModel.reserved_window_id.in_(open_now), TicketModel.reserved_window_id), else_=None)
        rows = await self.session.execute(
            select(
                TicketModel.id,
                TicketModel.number,
                TicketModel.arrived_at,
                TicketModel.sequence,
                TicketModel.priority_group,
                TicketModel.priority_verified,
                reserved,
                TicketItemModel.item_code,
                AppointmentSlotModel.starts_at,
                AppointmentSlotModel.ends_at,
                TicketModel.public_code,
                TicketModel.notify_to,
                TicketModel.almost_turn_notified_at,
            )
            .join(TicketItemModel, TicketItemModel.ticket_id == TicketModel.id)
            .outerjoin(AppointmentModel, AppointmentModel.id == TicketModel.appointment_id)
            .outerjoin(AppointmentSlotModel, AppointmentSlotModel.id == AppointmentModel.slot_id)
            .where(
                TicketModel.centre_id == centre.id,
                TicketModel.status == TicketStatus.WAITING.value,
                TicketItemModel.is_active.is_(True),
            )
            .order_by(TicketModel.id, TicketItemModel.position)
        )
        grouped: dict[UUID, tuple[Any, list[str]]] = {}
        for row in rows:
            entry = grouped.get(row[0])
            if entry is None:
                grouped[row[0]] = (row, [row[7]])
                if listeners is not None and row[11] is not None and row[12] is None:
                    listeners[row[0]] = (row[1], row[10], row[11])
            else:
                entry[1].append(row[7])
        open_windows = {x.window_id for x in sessions} if sessions is not None else None
        waiting = []
        for row, codes in grouped.values():
            snapshot = self._snapshot_of(
                ticket_id=row[0],
                number=row[1],
                arrived_at=row[2],
                sequence=row[3],
                priority_group=row[4],
                priority_verified=row[5],
                reserved_window_id=row[6],
                item_codes=codes,
                slot=AppointmentSlot(row[8], row[9]) if row[8] is not None else None,
                offered=offered,
                open_windows=open_windows,
            )
            if snapshot is not None:
                waiting.append(snapshot)
        return waiting

    def _window_snapshot(
        self, window: WindowInfo, session_row: SessionView | None, staff: StaffInfo | None
    ) -> WindowSnapshot:
        on_duty = None
        if session_row is not None and staff is not None:
            on_duty = StaffOnDuty(
                staff_id=str(staff.id),
                skill_level=SkillLevel(session_row.skill_level),
                qualified_domains=staff.qualified_domains,
                qualified_items=staff.qualified_items,
            )
        return WindowSnapshot(
            window_id=str(window.id),
            number=window.number,
            type=window.type,
            staff=on_duty,
            domains=window.domains,
            item_codes=window.item_codes,
            priority_calls_in_row=session_row.priority_calls_in_row if session_row else 0,
        )

    async def _open_snapshots(self, centre: CentreInfo, sessions: Sequence[SessionView]) -> list[WindowSnapshot]:
        windows = {w.id: w for w in await self.directory.windows(centre.id)}
        working = [r for r in sessions if r.state != s.WindowState.PAUSED.value and r.window_id in windows]
        staff = await self.directory.staff_many([r.staff_id for r in working])
        return [self._window_snapshot(windows[r.window_id], r, staff[r.staff_id]) for r in working]

    async def _read(
        self,
        ticket: TicketModel,
        centre: CentreInfo,
        offered: Mapping[str, ItemInfo] | None = None,
        *,
        with_estimate: bool = True,
        with_twin: bool = False,
        estimate: tuple[int | None, datetime | None] | None = None,
    ) -> s.TicketRead:
        offered = offered if offered is not None else await self.directory.offered_items(centre.id)
        ahead: int | None = None
        predicted: datetime | None = None
        p90: datetime | None = None
        method: s.PredictionMethod | None = None
        if estimate is not None:
            ahead, predicted = estimate
        elif with_estimate and ticket.status == TicketStatus.WAITING.value:
            ahead, predicted = await self._estimate(ticket, centre, offered)
        if predicted is not None:
            method = s.PredictionMethod.NAIVE
        if with_twin and ticket.status == TicketStatus.WAITING.value:
            twin = await self._twin_prediction(centre, ticket)
            if twin is not None:
                predicted, p90 = twin
                method = s.PredictionMethod.TWIN
        window_number = None
        if ticket.window_id and ticket.status in {TicketStatus.CALLED.value, TicketStatus.SERVING.value}:
            window_number = next(
                (w.number for w in await self.directory.windows(centre.id) if w.id == ticket.window_id), None
            )
        return s.TicketRead(
            number=ticket.number,
            public_code=ticket.public_code,
            status=TicketStatus(ticket.status),
            centre_code=centre.code,
            items=[
                s.TicketItemRead(
                    code=i.item_code,
                    name_zh=offered[i.item_code].name_zh if i.item_code in offered else i.item_code,
                    name_en=offered[i.item_code].name_en if i.item_code in offered else i.item_code,
                    domain=offered[i.item_code].domain.value if i.item_code in offered else "",
                )
                for i in ticket.items
                if i.is_active
            ],
            channel=s.Channel(ticket.channel),
            priority_group=PriorityGroup(ticket.priority_group) if ticket.priority_group else None,
            arrived_at=ticket.arrived_at,
            people_ahead=ahead,
            predicted_call_at=predicted,
            window_number=window_number,
            status_url=f"{self.public_url}/t/{ticket.public_code}",
            predicted_call_p90_at=p90,
            prediction=method,
        )

    async def _twin_prediction(
        self, centre: CentreInfo, ticket: TicketModel
    ) -> tuple[datetime, datetime | None] | None:
        """The twin's P50/P90 call times, within a time budget; ``None`` falls back to the naive estimate."""
        if self.predict is None:
            return None
        try:
            p50, p90 = await asyncio.wait_for(self.predict(centre.code, ticket.id), PREDICTION_BUDGET_SECONDS)
        except Exception:
            logger.warning("twin prediction for %s failed; using the naive estimate", ticket.number, exc_info=True)
            return None
        return (p50, p90) if p50 is not None else None

    async def _estimate(
        self, ticket: TicketModel, centre: CentreInfo, offered: Mapping[str, ItemInfo]
    ) -> tuple[int | None, datetime | None]:
        """People ahead and a naive predicted call time (the twin-based prediction replaces it later)."""
        sessions = await self._open_sessions(centre.id)
        waiting = await self._queue(centre, offered, sessions)
        mine = next((w for w in waiting if w.ticket_id == str(ticket.id)), None)
        if mine is None:
            return None, None
        return await self._estimate_for(mine, waiting, centre, sessions)

    async def _estimate_for(
        self,
        mine: WaitingTicket,
        waiting: Sequence[WaitingTicket],
        centre: CentreInfo,
        sessions: Sequence[SessionView],
    ) -> tuple[int | None, datetime | None]:
        windows = await self._open_snapshots(centre, sessions)
        now = self.clock.now()
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        ahead = people_ahead(mine, waiting, windows, now, rules)
        minutes = [r.standard_minutes for w in waiting for r in w.items] or [10.0]
        mean_service = timedelta(minutes=sum(minutes) / len(minutes))
        wait = expected_wait(mine, waiting, windows, now, rules, mean_service=mean_service)
        return ahead, (now + wait) if wait is not None else None

    @staticmethod
    def _chosen_items(
        centre: CentreInfo, offered: Mapping[str, ItemInfo], codes: Sequence[str], field: str
    ) -> list[ItemInfo]:
        items: list[ItemInfo] = []
        for index, code in enumerate(codes):
            if code in (i.code for i in items):
                raise DomainRuleViolation(f"{field}[{index}]", f"{code} is listed twice")
            info = offered.get(code)
            if info is None:
                raise DomainRuleViolation(f"{field}[{index}]", f"{code} is not offered at {centre.code}")
            items.append(info)
        return items

    # --- window sessions --------------------------------------------------------------------------------------------
    async def _session_of(self, window: WindowInfo, *, lock: bool) -> WindowSessionModel | None:
        statement = select(WindowSessionModel).where(
            WindowSessionModel.window_id == window.id, WindowSessionModel.closed_at.is_(None)
        )
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row: WindowSessionModel | None = await self.session.scalar(statement)
        return row

    def _set_state(
        self, row: WindowSessionModel, state: s.WindowState, now: datetime, reason: str | None = None
    ) -> None:
        if row.state == state.value and row.pause_reason == reason:
            return
        self.session.add(
            WindowStateEventModel(
                session_id=row.id,
                centre_id=row.centre_id,
                window_id=row.window_id,
                staff_id=row.staff_id,
                at=now,
                from_state=row.state,
                to_state=state.value,
                reason=reason or "",
            )
        )
        row.state, row.state_since, row.pause_reason = state.value, now, reason

    async def _release(self, row: WindowSessionModel, now: datetime) -> None:
        row.current_ticket_id = None
        self._set_state(row, s.WindowState.IDLE, now)

    async def _operated_window(
        self, centre_code: str, number: int
    ) -> tuple[CentreInfo, WindowInfo, WindowSessionModel]:
        """The centre, window and open session a window action applies to, locked; the caller must run it."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        window = await self.directory.window(centre.id, number)
        session_row = await self._session_of(window, lock=True)
        if session_row is None:
            raise ConflictError("number", f"window {number} has nobody signed in")
        if self.principal.role is Role.STAFF and session_row.staff_id != self.principal.staff_id:
            raise PermissionDeniedError("number", f"window {number} is signed in by someone else")
        return centre, window, session_row

    def _announce_window(self, centre: CentreInfo, window: WindowInfo, row: WindowSessionModel) -> None:
        self._publish(
            LiveEvent(
                centre_code=centre.code,
                kind="window",
                event_id=None,
                data={"window": window.number, "state": row.state, "reason": row.pause_reason},
                window_number=window.number,
            )
        )

    async def _require_no_current(self, row: WindowSessionModel) -> None:
        if row.current_ticket_id is None:
            return
        ticket = await self.session.get(TicketModel, row.current_ticket_id)
        if ticket is not None and ticket.status in {x.value for x in AT_WINDOW}:
            raise ConflictError("window", f"ticket {ticket.number} is {ticket.status} here; finish or send it on first")
