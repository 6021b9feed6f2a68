"""The queueing service: a visitor's ticket from the kiosk to the window, safe under concurrency.

Every state change of a ticket goes through :func:`queueing.domain.tickets.transition` and is written to the
ticket history in the same transaction. Which ticket a window calls is decided by the centre's calling policy
from ``queueing.domain.routing`` — the same code the SimPy twin runs.

Concurrency: two windows must never call the same ticket. On PostgreSQL the chosen ticket is locked with
``FOR UPDATE SKIP LOCKED`` and re-checked; if another window got it first, the policy chooses again among the
rest. On SQLite every transaction takes the write lock up front (``BEGIN IMMEDIATE``), so calls are serialised.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from hall.db.session import after_commit
from hall.domain.access import Principal
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import PriorityGroup, Role
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus
from hall.lib.clock import Clock
from queueing import schemas as s
from queueing.domain.estimates import expected_wait, people_ahead
from queueing.domain.numbering import format_ticket_number
from queueing.domain.routing import can_serve, default_order, get_policy, next_priority_streak
from queueing.domain.snapshot import (
    AppointmentSlot,
    CallDecision,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
)
from queueing.domain.tickets import (
    CaseOutcome,
    ItemOutcome,
    TicketAction,
    TicketStatus,
    after_recall,
    may_reinstate,
    transition,
)
from queueing.models import (
    AppointmentModel,
    AppointmentSlotModel,
    DailyCounterModel,
    DaySummaryModel,
    ServiceRecordModel,
    TicketEventModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
    WindowStateEventModel,
)
from queueing.notify import Notification, NotificationKind
from queueing.ports import CentreInfo, HallDirectory, ItemInfo, StaffInfo, WindowInfo

logger = logging.getLogger("hall.queueing")

OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED)
AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)
PEOPLE = (Role.ADMIN, Role.MANAGER, Role.STAFF)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A change the live streams announce after the transaction commits."""

    centre_code: str
    kind: str  # issued, called, recalled, ticket, window
    event_id: int | None
    data: Mapping[str, Any]
    ticket_code: str | None = None
    window_number: int | None = None


def live_event_data(
    action: str, status: str, number: str, window_number: int | None, details: Mapping[str, Any]
) -> dict[str, Any]:
    """The public payload of a ticket event, the same whether sent live or replayed from the history.

    Only what a display board may show: the number, its status and window, and the policy's reason.
    """
    data: dict[str, Any] = {"number": number, "status": status, "action": action, "window": window_number}
    for key in ("reason", "detail", "recalls"):
        if key in details:
            data[key] = details[key]
    return data


class Publisher:
    """Where live events go once committed; the app replaces this with its channels publisher."""

    def publish(self, event: LiveEvent) -> None:
        """Deliver ``event`` (never blocks, never raises into the request)."""


def entrance_code(secret: str, centre_code: str, day: date) -> str:
    """Return the six-digit entrance code of a centre's day (shown on the board; phones must send it)."""
    digest = hmac.new(secret.encode(), f"entrance:{centre_code}:{day.isoformat()}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:4], 'big') % 1_000_000:06d}"


Predictor = Callable[[str, UUID], Awaitable[tuple[datetime | None, datetime | None]]]
"""``(centre code, ticket id) -> (P50, P90)`` call times from the twin (planning provides it)."""
PREDICTION_BUDGET_SECONDS = 2.0


class QueueService:
    """Tickets, window sessions and window actions for one request."""

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
    ) -> TicketEventModel:
        event = TicketEventModel(
            ticket_id=ticket.id,
            centre_id=ticket.centre_id,
            at=now,
            action=action.value,
            from_status=before.value if before else None,
            to_status=ticket.status,
            actor=self.principal.name,
            window_id=window.id if window else ticket.window_id,
            details=dict(details or {}),
        )
        self.session.add(event)
        await self.session.flush()
        self._publish(
            LiveEvent(
                centre_code=centre.code,
                kind=action.value,
                event_id=event.id,
                data=live_event_data(
                    action.value, ticket.status, ticket.number, window.number if window else None, details or {}
                ),
                ticket_code=ticket.public_code,
                window_number=window.number if window else None,
            )
        )
        return event

    def _move(self, ticket: TicketModel, action: TicketAction) -> TicketStatus:
        before = TicketStatus(ticket.status)
        ticket.status = transition(before, action).value
        return before

    async def _bump(self, centre_id: UUID, day: date, key: str, already: Select[Any] | None = None) -> int:
        """Increment a daily counter and return its new value (one statement, safe under concurrency).

        Counters for daily caps are kept only while a cap is set; ``already`` counts what the day holds, so a
        counter created after tickets were issued (a cap set at noon) starts from the true number.
        """
        dialect_insert = postgresql.insert if self._is_postgresql else sqlite.insert
        now = self.clock.now()
        counter = DailyCounterModel
        statement = (
            dialect_insert(counter)
            .values(
                id=uuid7(),
                centre_id=centre_id,
                service_day=day,
                key=key,
                value=1,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["centre_id", "service_day", "key"],
                set_={"value": counter.value + 1, "updated_at": now},
            )
            .returning(counter.value)
        )
        value = int((await self.session.execute(statement)).scalar_one())
        if value == 1 and already is not None:
            value = int(await self.session.scalar(already) or 0) + 1
            await self.session.execute(
                update(DailyCounterModel)
                .where(
                    DailyCounterModel.centre_id == centre_id,
                    DailyCounterModel.service_day == day,
                    DailyCounterModel.key == key,
                )
                .values(value=value)
            )
        return value

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

    async def _lock(self, ticket_id: UUID) -> TicketModel:
        ticket = await self.session.scalar(
            select(TicketModel)
            .where(TicketModel.id == ticket_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if ticket is None:  # pragma: no cover - foreign keys keep it
            raise NotFoundError("ticket", "the ticket disappeared")
        return ticket

    async def _open_sessions(self, centre_id: UUID) -> list[WindowSessionModel]:
        return list(
            await self.session.scalars(
                select(WindowSessionModel).where(
                    WindowSessionModel.centre_id == centre_id, WindowSessionModel.closed_at.is_(None)
                )
            )
        )

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
        self, centre: CentreInfo, offered: Mapping[str, ItemInfo], sessions: Sequence[WindowSessionModel]
    ) -> list[WaitingTicket]:
        """The centre's waiting tickets as policy snapshots, read in one query (no ORM objects)."""
        rows = await self.session.execute(
            select(
                TicketModel.id,
                TicketModel.number,
                TicketModel.arrived_at,
                TicketModel.sequence,
                TicketModel.priority_group,
                TicketModel.priority_verified,
                TicketModel.reserved_window_id,
                TicketItemModel.item_code,
                AppointmentSlotModel.starts_at,
                AppointmentSlotModel.ends_at,
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
            else:
                entry[1].append(row[7])
        open_windows = {x.window_id for x in sessions}
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
        self, window: WindowInfo, session_row: WindowSessionModel | None, staff: StaffInfo | None
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

    async def _open_snapshots(self, centre: CentreInfo, sessions: Sequence[WindowSessionModel]) -> list[WindowSnapshot]:
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
        sessions: Sequence[WindowSessionModel],
    ) -> tuple[int | None, datetime | None]:
        windows = await self._open_snapshots(centre, sessions)
        now = self.clock.now()
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        ahead = people_ahead(mine, waiting, windows, now, rules)
        minutes = [r.standard_minutes for w in waiting for r in w.items] or [10.0]
        mean_service = timedelta(minutes=sum(minutes) / len(minutes))
        wait = expected_wait(mine, waiting, windows, now, rules, mean_service=mean_service)
        return ahead, (now + wait) if wait is not None else None

    # --- issuing ----------------------------------------------------------------------------------------------------
    def _check_issuer(self, centre: CentreInfo, data: s.IssueTicket, local_day: date) -> None:
        role = self.principal.role
        if data.channel is s.Channel.PHONE:
            expected = entrance_code(self.secret, centre.code, local_day)
            if data.entrance_code is None or not hmac.compare_digest(data.entrance_code, expected):
                raise DomainRuleViolation("entranceCode", "scan the code shown at the centre's entrance today")
            return
        if role is None:
            raise PermissionDeniedError(
                "authorization", "kiosks and staff issue tickets; phones send the entrance code"
            )
        if role is Role.DISPLAY:
            raise PermissionDeniedError("role", "a display board does not issue tickets")
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")
        if role is Role.KIOSK and data.channel is s.Channel.GUIDE_DESK:
            raise DomainRuleViolation("channel", "a kiosk issues kiosk or appointment tickets")

    async def issue(
        self, centre_code: str, data: s.IssueTicket, idempotency_key: str | None
    ) -> tuple[s.TicketRead, bool]:
        """Issue a ticket; with an idempotency key a retry returns the first ticket. Returns (ticket, created)."""
        centre = await self.directory.centre(centre_code)
        now = self.clock.now()
        local_day = centre.local(now).date()
        self._check_issuer(centre, data, local_day)
        if idempotency_key is not None:
            existing = await self._by_idempotency_key(centre, idempotency_key)
            if existing is not None:
                return await self._read(existing, centre), False
        if not centre.is_open(now):
            raise ConflictError("centreCode", f"{centre.name_zh} is closed now")
        offered = await self.directory.offered_items(centre.id)
        items = self._chosen_items(centre, offered, data.item_codes, "itemCodes")
        if data.priority_group is not None and data.priority_group not in centre.rules.priority_groups:
            raise DomainRuleViolation("priorityGroup", f"{data.priority_group} is not a priority group at this centre")
        appointment = None
        channel = data.channel
        if data.appointment_code is not None:
            appointment = await self._check_in(centre, data.appointment_code, items, now)
            channel = s.Channel.APPOINTMENT
        # The wait estimate is worked out before anything is written: the day's counters are locked from their
        # update until the commit, so the writes come last and the commit follows at once.
        sessions = await self._open_sessions(centre.id)
        waiting = await self._queue(centre, offered, sessions)
        newcomer = WaitingTicket(
            ticket_id="new",
            number="",
            items=tuple(i.requirement for i in items),
            arrived_at=now,
            sequence=2**31,
            priority_group=data.priority_group if data.priority_group in centre.rules.priority_groups else None,
            appointment=await self._appointment_slot(appointment),
        )
        estimate = await self._estimate_for(newcomer, [*waiting, newcomer], centre, sessions)
        try:
            async with self.session.begin_nested():
                ticket = await self._create(centre, items, data, channel, appointment, idempotency_key, local_day, now)
        except IntegrityError:
            if idempotency_key is None:
                raise
            existing = await self._by_idempotency_key(centre, idempotency_key)
            if existing is None:
                raise
            return await self._read(existing, centre), False
        return await self._read(ticket, centre, offered, estimate=estimate), True

    async def _appointment_slot(self, appointment: AppointmentModel | None) -> AppointmentSlot | None:
        if appointment is None:
            return None
        slot = await self.session.get(AppointmentSlotModel, appointment.slot_id)
        return AppointmentSlot(slot.starts_at, slot.ends_at) if slot is not None else None

    async def _by_idempotency_key(self, centre: CentreInfo, key: str) -> TicketModel | None:
        found: TicketModel | None = await self.session.scalar(
            select(TicketModel).where(TicketModel.centre_id == centre.id, TicketModel.idempotency_key == key)
        )
        return found

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

    async def _create(
        self,
        centre: CentreInfo,
        items: Sequence[ItemInfo],
        data: s.IssueTicket,
        channel: s.Channel,
        appointment: AppointmentModel | None,
        idempotency_key: str | None,
        day: date,
        now: datetime,
    ) -> TicketModel:
        cap = centre.rules.daily_ticket_cap
        if cap is not None:
            already = (
                select(func.count())
                .select_from(TicketModel)
                .where(TicketModel.centre_id == centre.id, TicketModel.service_day == day)
            )
            if await self._bump(centre.id, day, "all", already) > cap:
                raise ConflictError("centreCode", f"today's {cap} tickets have all been issued")
        for index, item in enumerate(items):
            if item.daily_cap is None:
                continue
            already = (
                select(func.count())
                .select_from(TicketItemModel)
                .join(TicketModel, TicketModel.id == TicketItemModel.ticket_id)
                .where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.service_day == day,
                    TicketItemModel.item_code == item.code,
                )
            )
            if await self._bump(centre.id, day, f"item:{item.code}", already) > item.daily_cap:
                raise ConflictError(f"itemCodes[{index}]", f"today's {item.daily_cap} tickets for {item.code} are gone")
        prefix = items[0].ticket_prefix
        sequence = await self._bump(centre.id, day, f"prefix:{prefix}")
        ticket = TicketModel(
            centre_id=centre.id,
            service_day=day,
            prefix=prefix,
            sequence=sequence,
            number=format_ticket_number(prefix, sequence),
            public_code=secrets.token_urlsafe(12),
            status=TicketStatus.WAITING.value,
            channel=channel.value,
            priority_group=data.priority_group.value if data.priority_group else None,
            priority_verified=None,
            appointment_id=appointment.id if appointment else None,
            arrived_at=now,
            recalls=0,
            idempotency_key=idempotency_key,
            notify_to=data.notify_to,
            items=[
                TicketItemModel(item_id=item.id, item_code=item.code, position=i, is_active=True)
                for i, item in enumerate(items)
            ],
        )
        self.session.add(ticket)
        await self.session.flush()
        details: dict[str, Any] = {"items": [i.code for i in items], "channel": channel.value}
        if data.priority_group:
            details["priorityGroup"] = data.priority_group.value
        if appointment is not None:
            details["appointment"] = appointment.code
        await self._event(ticket, centre, TicketAction.ISSUE, None, details=details, now=now)
        return ticket

    async def _check_in(
        self, centre: CentreInfo, code: str, items: Sequence[ItemInfo], now: datetime
    ) -> AppointmentModel:
        appointment = await self.session.scalar(
            select(AppointmentModel)
            .where(AppointmentModel.code == code, AppointmentModel.centre_id == centre.id)
            .with_for_update()
        )
        if appointment is None:
            raise DomainRuleViolation("appointmentCode", "no appointment with this code at this centre")
        if appointment.status != "booked":
            raise ConflictError("appointmentCode", f"this appointment is {appointment.status}")
        slot = await self.session.get(AppointmentSlotModel, appointment.slot_id)
        assert slot is not None
        early = timedelta(minutes=centre.rules.appointment_checkin_early_minutes)
        late = timedelta(minutes=centre.rules.appointment_checkin_late_minutes)
        if not slot.starts_at - early <= now <= slot.ends_at + late:
            local = centre.local(slot.starts_at).strftime("%H:%M")
            raise ConflictError("appointmentCode", f"check in between {early} before and {late} after the {local} slot")
        if appointment.item_id not in {i.id for i in items}:
            raise DomainRuleViolation("itemCodes", "the ticket must include the booked item")
        appointment.status = "checked_in"
        appointment.checked_in_at = now
        return appointment

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

    # --- window sessions --------------------------------------------------------------------------------------------
    async def _session_of(self, window: WindowInfo, *, lock: bool) -> WindowSessionModel | None:
        statement = select(WindowSessionModel).where(
            WindowSessionModel.window_id == window.id, WindowSessionModel.closed_at.is_(None)
        )
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row: WindowSessionModel | None = await self.session.scalar(statement)
        return row

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

    async def close_window(self, centre_code: str, number: int) -> s.WindowSessionRead:
        centre, window, row = await self._operated_window(centre_code, number)
        await self._require_no_current(row)
        now = self.clock.now()
        self._set_state(row, s.WindowState.SIGNED_OUT, now, "signed out")
        row.closed_at = now
        row.current_ticket_id = None
        self._announce_window(centre, window, row)
        return await self._session_read(centre, window, row)

    async def _require_no_current(self, row: WindowSessionModel) -> None:
        if row.current_ticket_id is None:
            return
        ticket = await self.session.get(TicketModel, row.current_ticket_id)
        if ticket is not None and ticket.status in {x.value for x in AT_WINDOW}:
            raise ConflictError("window", f"ticket {ticket.number} is {ticket.status} here; finish or send it on first")

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

    # --- calling ----------------------------------------------------------------------------------------------------
    async def call_next(self, centre_code: str, number: int) -> s.CallResult | None:
        """Call the ticket the centre's policy chooses for this window; ``None`` when nothing is eligible."""
        centre, window, row = await self._operated_window(centre_code, number)
        if row.state == s.WindowState.PAUSED.value:
            raise ConflictError("window", f"window {number} is paused ({row.pause_reason}); resume first")
        await self._require_no_current(row)
        staff = await self.directory.staff(row.staff_id)
        snapshot = self._window_snapshot(window, row, staff)
        offered = await self.directory.offered_items(centre.id)
        sessions = await self._open_sessions(centre.id)
        candidates = await self._queue(centre, offered, sessions)
        policy = get_policy(centre.rules.calling_policy)
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        now = self.clock.now()
        while True:
            decision = policy(snapshot, candidates, now, rules)
            if decision is None:
                return None
            ticket = await self._claim(UUID(decision.ticket_id))
            if ticket is not None:
                break
            candidates = [c for c in candidates if c.ticket_id != decision.ticket_id]  # another window won it
        result = await self._called(centre, window, row, ticket, decision, offered, now)
        remaining = [c for c in candidates if c.ticket_id != decision.ticket_id]
        await self._notify_almost_your_turn(centre, remaining, sessions, now)
        return result

    async def _notify_almost_your_turn(
        self,
        centre: CentreInfo,
        waiting: Sequence[WaitingTicket],
        sessions: Sequence[WindowSessionModel],
        now: datetime,
    ) -> None:
        """Tell visitors who left a number that few people are ahead of them now (once per ticket)."""
        threshold = centre.rules.notify_people_ahead
        if self.notify is None or threshold <= 0 or not waiting:
            return
        listeners = (
            await self.session.execute(
                select(TicketModel.id, TicketModel.number, TicketModel.public_code, TicketModel.notify_to).where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.status == TicketStatus.WAITING.value,
                    TicketModel.notify_to.is_not(None),
                    TicketModel.almost_turn_notified_at.is_(None),
                )
            )
        ).all()
        if not listeners:
            return
        windows = await self._open_snapshots(centre, sessions)
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        by_id = {w.ticket_id: w for w in waiting}
        due = []
        for ticket_id, number, public_code, notify_to in listeners:
            mine = by_id.get(str(ticket_id))
            if mine is None:
                continue
            ahead = people_ahead(mine, waiting, windows, now, rules)
            if ahead <= threshold:
                due.append((ticket_id, number, public_code, notify_to, ahead))
        if not due:
            return
        await self.session.execute(
            update(TicketModel).where(TicketModel.id.in_([d[0] for d in due])).values(almost_turn_notified_at=now)
        )
        notify = self.notify
        notifications = [
            Notification(
                kind=NotificationKind.ALMOST_YOUR_TURN,
                centre_code=centre.code,
                ticket_number=number,
                public_code=public_code,
                notify_to=notify_to,
                at=now,
                people_ahead=ahead,
            )
            for _, number, public_code, notify_to, ahead in due
        ]

        def send() -> None:
            for notification in notifications:
                notify(notification)

        after_commit(self.session, send)

    async def _claim(self, ticket_id: UUID) -> TicketModel | None:
        """Lock the ticket if it is still waiting and no other window holds it; else ``None``."""
        claimed: TicketModel | None = await self.session.scalar(
            select(TicketModel)
            .where(TicketModel.id == ticket_id, TicketModel.status == TicketStatus.WAITING.value)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return claimed

    async def _called(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        decision: CallDecision,
        offered: Mapping[str, ItemInfo],
        now: datetime,
    ) -> s.CallResult:
        before = self._move(ticket, TicketAction.CALL)
        ticket.called_at = now
        ticket.window_id = window.id
        ticket.staff_id = row.staff_id
        ticket.reserved_window_id = None
        ticket.recalls = 0
        row.priority_calls_in_row = next_priority_streak(row.priority_calls_in_row, decision)
        row.current_ticket_id = ticket.id
        self._set_state(row, s.WindowState.SERVING, now)
        await self._event(
            ticket,
            centre,
            TicketAction.CALL,
            before,
            window=window,
            details={"reason": decision.reason.value, "detail": decision.detail},
            now=now,
        )
        self._notify_visitor(ticket, centre, NotificationKind.CALLED, window, now)
        read = await self._read(ticket, centre, offered, with_estimate=False)
        return s.CallResult(ticket=read, reason=decision.reason, detail=decision.detail)

    async def _current(self, row: WindowSessionModel, number: int, *allowed: TicketStatus) -> TicketModel:
        if row.current_ticket_id is None:
            raise ConflictError("window", f"window {number} has no current ticket")
        ticket = await self._lock(row.current_ticket_id)
        if TicketStatus(ticket.status) not in allowed:
            raise ConflictError("window", f"ticket {ticket.number} is {ticket.status}")
        return ticket

    async def _release(self, row: WindowSessionModel, now: datetime) -> None:
        row.current_ticket_id = None
        self._set_state(row, s.WindowState.IDLE, now)

    async def recall(self, centre_code: str, number: int) -> s.TicketRead:
        """Announce the called ticket again; after the centre's recall limit the ticket becomes a no-show."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        now = self.clock.now()
        if after_recall(ticket.recalls, centre.rules.max_recalls) is TicketAction.MARK_NO_SHOW:
            return await self._no_show(centre, window, row, ticket, now, reason="recall limit reached")
        before = self._move(ticket, TicketAction.RECALL)
        ticket.recalls += 1
        await self._event(
            ticket, centre, TicketAction.RECALL, before, window=window, details={"recalls": ticket.recalls}, now=now
        )
        self._notify_visitor(ticket, centre, NotificationKind.RECALLED, window, now)
        return await self._read(ticket, centre, with_estimate=False)

    async def mark_no_show(self, centre_code: str, number: int) -> s.TicketRead:
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        return await self._no_show(centre, window, row, ticket, self.clock.now(), reason="not present")

    async def _no_show(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        now: datetime,
        *,
        reason: str,
    ) -> s.TicketRead:
        before = self._move(ticket, TicketAction.MARK_NO_SHOW)
        ticket.no_show_at = now
        await self._release(row, now)
        await self._event(
            ticket,
            centre,
            TicketAction.MARK_NO_SHOW,
            before,
            window=window,
            details={"reason": reason, "recalls": ticket.recalls},
            now=now,
        )
        return await self._read(ticket, centre, with_estimate=False)

    async def start(self, centre_code: str, number: int, priority_verified: bool | None) -> s.TicketRead:
        """The visitor has arrived at the window: service starts (and a claimed priority is verified)."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.START)
        ticket.started_at = now
        details: dict[str, Any] = {}
        if ticket.priority_group is not None and priority_verified is not None:
            ticket.priority_verified = priority_verified
            details["priorityVerified"] = priority_verified
        await self._event(ticket, centre, TicketAction.START, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, with_estimate=False)

    async def park(self, centre_code: str, number: int) -> s.TicketRead:
        """The visitor steps away (e.g. to copy a document); the ticket returns to this window when resumed."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.SERVING)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.PARK)
        ticket.reserved_window_id = window.id
        await self._release(row, now)
        await self._event(ticket, centre, TicketAction.PARK, before, window=window, now=now)
        return await self._read(ticket, centre, with_estimate=False)

    async def transfer(self, centre_code: str, number: int, data: s.TransferTicket) -> s.TicketRead:
        """Send the current ticket on (another window and/or other items), keeping its arrival time."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED, TicketStatus.SERVING)
        now = self.clock.now()
        offered = await self.directory.offered_items(centre.id)
        handled: list[ItemOutcome] = []
        if data.outcomes:
            if ticket.status != TicketStatus.SERVING.value:
                raise DomainRuleViolation("outcomes", "outcomes are recorded only for a ticket in service")
            handled = await self._record_outcomes(
                centre, window, row, ticket, data.outcomes, offered, now, partial=True
            )
        if data.item_codes is not None:
            new_items = self._chosen_items(centre, offered, data.item_codes, "itemCodes")
            for item in ticket.items:
                item.is_active = False
            start = max((i.position for i in ticket.items), default=-1) + 1
            ticket.items.extend(
                TicketItemModel(item_id=item.id, item_code=item.code, position=start + k, is_active=True)
                for k, item in enumerate(new_items)
            )
        if not any(i.is_active for i in ticket.items):
            raise DomainRuleViolation("itemCodes", "nothing is left to send on; complete the ticket instead")
        target: WindowInfo | None = None
        if data.to_window is not None:
            if data.to_window == number:
                raise DomainRuleViolation("toWindow", "that is this window")
            target = await self.directory.window(centre.id, data.to_window)
            await self._check_target(centre, target, ticket, offered)
        before = self._move(ticket, TicketAction.TRANSFER)
        ticket.window_id = None
        ticket.staff_id = None
        ticket.reserved_window_id = target.id if target else None
        await self._release(row, now)
        await self.session.flush()
        details: dict[str, Any] = {
            "fromWindow": number,
            "toWindow": target.number if target else None,
            "items": [i.item_code for i in ticket.items if i.is_active],
        }
        if handled:
            details["outcomes"] = {o.item_code: o.outcome.value for o in handled}
        if data.note:
            details["note"] = data.note
        await self._event(ticket, centre, TicketAction.TRANSFER, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, offered)

    async def _check_target(
        self, centre: CentreInfo, target: WindowInfo, ticket: TicketModel, offered: Mapping[str, ItemInfo]
    ) -> None:
        if target.status is not WindowStatus.IN_SERVICE:
            raise ConflictError("toWindow", f"window {target.number} is out of service")
        target_row = await self._session_of(target, lock=False)
        if target_row is None:
            return  # nobody there now; the reservation lapses and any eligible window may call it
        staff = await self.directory.staff(target_row.staff_id)
        probe = self._to_waiting(ticket, offered)
        if probe is not None and not can_serve(self._window_snapshot(target, target_row, staff), probe):
            raise DomainRuleViolation("toWindow", f"window {target.number} cannot serve these items")

    async def complete(self, centre_code: str, number: int, data: s.CompleteTicket) -> s.TicketRead:
        """Finish the visit with one outcome per item; each served item becomes a service record."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.SERVING)
        now = self.clock.now()
        offered = await self.directory.offered_items(centre.id)
        outcomes = await self._record_outcomes(centre, window, row, ticket, data.outcomes, offered, now, partial=False)
        before = self._move(ticket, TicketAction.COMPLETE)
        ticket.ended_at = now
        await self._release(row, now)
        details: dict[str, Any] = {"outcomes": {o.item_code: o.outcome.value for o in outcomes}}
        if data.note:
            details["note"] = data.note
        await self._event(ticket, centre, TicketAction.COMPLETE, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, offered, with_estimate=False)

    async def _record_outcomes(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        wires: Sequence[s.ItemOutcomeWire],
        offered: Mapping[str, ItemInfo],
        now: datetime,
        *,
        partial: bool,
    ) -> list[ItemOutcome]:
        active = {i.item_code: i for i in ticket.items if i.is_active}
        seen: set[str] = set()
        outcomes: list[ItemOutcome] = []
        today = centre.local(now).date()
        for index, wire in enumerate(wires):
            field = f"outcomes[{index}]"
            if wire.item_code not in active:
                raise DomainRuleViolation(f"{field}.itemCode", f"{wire.item_code} is not an open item of this ticket")
            if wire.item_code in seen:
                raise DomainRuleViolation(f"{field}.itemCode", f"{wire.item_code} has two outcomes")
            seen.add(wire.item_code)
            outcomes.append(self._outcome(centre, offered.get(wire.item_code), wire, today, field))
        missing = sorted(set(active) - seen)
        if missing and not partial:
            raise DomainRuleViolation("outcomes", f"every item needs an outcome; missing: {', '.join(missing)}")
        if not ticket.started_at or not ticket.called_at:  # pragma: no cover - serving implies both
            raise ConflictError("window", "the ticket was never started")
        self._write_records(centre, window, row, ticket, outcomes, offered, now, len(active))
        for outcome in outcomes:
            active[outcome.item_code].is_active = False
        if partial:
            ticket.started_at = now  # what remains is timed from here if it comes back to a window
        return outcomes

    @staticmethod
    def _outcome(
        centre: CentreInfo, item: ItemInfo | None, wire: s.ItemOutcomeWire, today: date, field: str
    ) -> ItemOutcome:
        due_on: date | None = None
        if wire.outcome in {CaseOutcome.COMMITTED, CaseOutcome.CONDITIONAL}:
            if item is None or item.committed_limit_days is None:
                if wire.outcome is CaseOutcome.COMMITTED:
                    raise DomainRuleViolation(f"{field}.outcome", f"{wire.item_code} has no committed time limit")
            else:
                due_on = centre.calendar.add_working_days(today, item.committed_limit_days)
        if wire.outcome is CaseOutcome.CONDITIONAL and (item is None or not item.allows_conditional_acceptance):
            raise DomainRuleViolation(f"{field}.outcome", f"{wire.item_code} does not allow 容缺受理")
        if wire.supplement_due_on is not None and wire.supplement_due_on < today:
            raise DomainRuleViolation(f"{field}.supplementDueOn", "must not be in the past")
        try:
            return ItemOutcome(
                item_code=wire.item_code,
                outcome=wire.outcome,
                due_on=due_on,
                pending_documents=tuple(wire.pending_documents),
                supplement_due_on=wire.supplement_due_on,
                missing_materials=tuple(wire.missing_materials),
                reason=wire.reason,
            )
        except DomainRuleViolation as exc:
            raise DomainRuleViolation(f"{field}.{exc.field}", exc.reason) from None

    def _write_records(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        outcomes: Sequence[ItemOutcome],
        offered: Mapping[str, ItemInfo],
        now: datetime,
        items_in_visit: int,
    ) -> None:
        """One service record per served item; the service time is split by the items' standard minutes."""
        assert ticket.started_at is not None
        assert ticket.called_at is not None
        item_rows = {i.item_code: i for i in ticket.items if i.is_active}
        weights = [
            offered[o.item_code].requirement.standard_minutes if o.item_code in offered else 1.0 for o in outcomes
        ]
        total_weight = sum(weights) or 1.0
        span = now - ticket.started_at
        start = ticket.started_at
        for outcome, weight in zip(outcomes, weights, strict=True):
            end = start + span * (weight / total_weight)
            item = offered.get(outcome.item_code)
            self.session.add(
                ServiceRecordModel(
                    centre_id=centre.id,
                    ticket_id=ticket.id,
                    ticket_item_id=item_rows[outcome.item_code].id,
                    item_code=outcome.item_code,
                    domain=item.domain.value if item else "",
                    window_id=window.id,
                    staff_id=row.staff_id,
                    skill_level=row.skill_level,
                    arrived_at=ticket.arrived_at,
                    called_at=ticket.called_at,
                    started_at=start,
                    ended_at=end,
                    items_in_visit=items_in_visit,
                    outcome=outcome.outcome.value,
                    outcome_details=_outcome_details(outcome),
                    due_on=outcome.due_on,
                    supplement_due_on=outcome.supplement_due_on,
                    is_synthetic=False,
                )
            )
            start = end

    # --- actions on a ticket by number (guide desk, manager) --------------------------------------------------------
    async def resume(self, centre_code: str, number: str) -> s.TicketRead:
        """The parked visitor is back: the ticket waits again, reserved for the window that parked it."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.RESUME)
        await self._event(ticket, centre, TicketAction.RESUME, before, now=now)
        return await self._read(ticket, centre)

    async def reinstate(self, centre_code: str, number: str) -> s.TicketRead:
        """A no-show visitor turned up within the centre's reinstatement period: back to the queue."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        now = self.clock.now()
        if ticket.status == TicketStatus.NO_SHOW.value:
            within = timedelta(minutes=centre.rules.no_show_reinstate_minutes)
            if ticket.no_show_at is None or not may_reinstate(ticket.no_show_at, now, within):
                raise ConflictError("number", f"a no-show can be reinstated only within {within} of being missed")
        before = self._move(ticket, TicketAction.REINSTATE)
        ticket.window_id = None
        ticket.staff_id = None
        await self._event(ticket, centre, TicketAction.REINSTATE, before, now=now)
        return await self._read(ticket, centre)

    async def cancel(self, centre_code: str, number: str, data: s.CancelTicket) -> s.TicketRead:
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, *PEOPLE)
        ticket = await self._ticket_by_number(centre, number, lock=True)
        return await self._cancel(centre, ticket, data.reason)

    async def cancel_by_visitor(self, public_code: str) -> s.TicketRead:
        """The visitor gives up their place from their phone."""
        ticket = await self.session.scalar(
            select(TicketModel).where(TicketModel.public_code == public_code).with_for_update()
        )
        if ticket is None:
            raise NotFoundError("publicCode", "no such ticket")
        centre = await self.directory.centre_by_id(ticket.centre_id)
        return await self._cancel(centre, ticket, "cancelled by the visitor")

    async def _cancel(self, centre: CentreInfo, ticket: TicketModel, reason: str) -> s.TicketRead:
        now = self.clock.now()
        window_row = None
        if ticket.status == TicketStatus.CALLED.value and ticket.window_id is not None:
            window_row = await self.session.scalar(
                select(WindowSessionModel)
                .where(WindowSessionModel.current_ticket_id == ticket.id, WindowSessionModel.closed_at.is_(None))
                .with_for_update()
            )
        before = self._move(ticket, TicketAction.CANCEL)
        if window_row is not None:
            await self._release(window_row, now)
        await self._event(ticket, centre, TicketAction.CANCEL, before, details={"reason": reason}, now=now)
        return await self._read(ticket, centre, with_estimate=False)

    # --- the day ----------------------------------------------------------------------------------------------------
    async def close_day_of(self, centre_code: str, day: date) -> dict[str, Any]:
        """Close a centre's day by hand (managers); the scheduler does it by itself after closing time."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, Role.ADMIN, Role.MANAGER)
        today = centre.local(self.clock.now()).date()
        if day > today:
            raise DomainRuleViolation("day", "a day in the future cannot be closed")
        if day == today and centre.is_open(self.clock.now()):
            raise ConflictError("day", "the centre is still open; close the day after its last session")
        return await self.close_day(centre, day)

    async def close_day(self, centre: CentreInfo, day: date) -> dict[str, Any]:
        """Expire the day's unserved tickets (history kept) and store the day's summary; idempotent.

        Tickets still being served are left to their window; a later run finishes the day.
        """
        now = self.clock.now()
        open_tickets = list(
            await self.session.scalars(
                select(TicketModel)
                .where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.service_day <= day,
                    TicketModel.status.in_(
                        [TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.PARKED.value]
                    ),
                )
                .with_for_update(skip_locked=True)
            )
        )
        for ticket in open_tickets:
            window_row = None
            if ticket.status == TicketStatus.CALLED.value:
                window_row = await self.session.scalar(
                    select(WindowSessionModel).where(
                        WindowSessionModel.current_ticket_id == ticket.id, WindowSessionModel.closed_at.is_(None)
                    )
                )
            before = self._move(ticket, TicketAction.EXPIRE)
            if window_row is not None:
                await self._release(window_row, now)
            await self._event(
                ticket, centre, TicketAction.EXPIRE, before, details={"reason": "unserved at day close"}, now=now
            )
        summary = await self._day_counts(centre, day)
        summary["expiredNow"] = len(open_tickets)
        row = await self.session.scalar(
            select(DaySummaryModel).where(DaySummaryModel.centre_id == centre.id, DaySummaryModel.service_day == day)
        )
        if row is None:
            self.session.add(DaySummaryModel(centre_id=centre.id, service_day=day, closed_at=now, counts=summary))
        else:  # a later run (a ticket was still in service) recomputes the derived summary
            row.closed_at, row.counts = now, summary
        return summary

    async def _day_counts(self, centre: CentreInfo, day: date) -> dict[str, Any]:
        """The day's figures, computed from the tickets and service records (never from counters)."""
        by_status = dict(
            (
                await self.session.execute(
                    select(TicketModel.status, func.count())
                    .where(TicketModel.centre_id == centre.id, TicketModel.service_day == day)
                    .group_by(TicketModel.status)
                )
            )
            .tuples()
            .all()
        )
        waits = (
            await self.session.execute(
                select(TicketModel.arrived_at, TicketModel.called_at).where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.service_day == day,
                    TicketModel.called_at.is_not(None),
                )
            )
        ).all()
        minutes = sorted((called - arrived).total_seconds() / 60 for arrived, called in waits if called >= arrived)
        within = centre.promise.within_minutes
        outcomes = dict(
            (
                await self.session.execute(
                    select(ServiceRecordModel.outcome, func.count())
                    .where(
                        ServiceRecordModel.centre_id == centre.id,
                        ServiceRecordModel.started_at >= _day_start(centre, day),
                        ServiceRecordModel.started_at < _day_start(centre, day + timedelta(days=1)),
                    )
                    .group_by(ServiceRecordModel.outcome)
                )
            )
            .tuples()
            .all()
        )
        return {
            "tickets": sum(by_status.values()),
            "byStatus": by_status,
            "servedItems": sum(outcomes.values()),
            "outcomes": outcomes,
            "meanWaitMinutes": round(sum(minutes) / len(minutes), 2) if minutes else None,
            "p90WaitMinutes": round(minutes[int(0.9 * (len(minutes) - 1))], 2) if minutes else None,
            "shareWithinPromise": round(sum(m <= within for m in minutes) / len(minutes), 4) if minutes else None,
        }


def _day_start(centre: CentreInfo, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=centre.zone)


def _outcome_details(outcome: ItemOutcome) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if outcome.pending_documents:
        details["pendingDocuments"] = list(outcome.pending_documents)
    if outcome.missing_materials:
        details["missingMaterials"] = list(outcome.missing_materials)
    if outcome.reason:
        details["reason"] = outcome.reason
    return details


__all__ = ["LiveEvent", "Publisher", "QueueService", "entrance_code", "live_event_data"]
