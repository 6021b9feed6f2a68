"""The appointment service (预约): managers open slots, visitors book, cancel and look up their booking.

Check-in is not here: a booked visitor exchanges the code for a ticket at the kiosk (``QueueService.issue`` with
``appointmentCode``), which marks the booking ``checked_in``. Bookings whose check-in window passed are marked
``no_show`` by :meth:`AppointmentService.mark_no_shows`, which the day-close job calls.

Personal data: the identity number is stored only as HMAC-SHA256 under the installation's secret, so the same
person is recognised across bookings without the number ever being written down; names and phones leave the
service masked.

Concurrency: a slot's ``booked`` count only grows through one conditional ``UPDATE … WHERE booked < capacity``,
so no slot is ever overbooked. Two bookings of one person at the same moment are serialised by a transaction-level
advisory lock on PostgreSQL (SQLite serialises every transaction anyway), so "one booking per person per day"
holds under concurrency too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.access import Principal
from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.lib.clock import Clock
from queueing import appointment_schemas as s
from queueing.domain.appointments import (
    ACTIVE_STATUSES,
    CODE_ALPHABET,
    CODE_LENGTH,
    AppointmentStatus,
    cancel_deadline,
    check_bookable,
    check_cancellation,
    check_capacity_change,
    check_identity_number,
    check_not_banned,
    check_one_booking_per_day,
    check_opening_day,
    check_phone,
    check_visitor_name,
    checkin_window,
    has_room,
    is_no_show,
    last_bookable_day,
    mask_name,
    mask_phone,
    plan_slots,
)
from queueing.models import AppointmentModel, AppointmentSlotModel
from queueing.ports import CentreInfo, HallDirectory, ItemInfo

_CODE_ATTEMPTS = 5


def identity_hash(secret: str, identity_number: str) -> str:
    """Return the keyed hash (HMAC-SHA256, hex) under which a canonical identity number is stored."""
    return hmac.new(secret.encode(), f"identity:{identity_number}".encode(), hashlib.sha256).hexdigest()


def new_appointment_code() -> str:
    """Return a random 8-character code from an alphabet without look-alike characters (31^8 ≈ 8.5·10^11)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class AppointmentService:
    """Slots, bookings, cancellations and no-shows for one request (or one job run)."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        directory: HallDirectory,
        clock: Clock,
        *,
        secret: str,
    ) -> None:
        self.session = session
        self.principal = principal
        self.directory = directory
        self.clock = clock
        self.secret = secret

    # --- helpers --------------------------------------------------------------------------------------------------
    @property
    def _is_postgresql(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    def _require_manager(self, centre: CentreInfo) -> None:
        role = self.principal.role
        if role is None:
            raise PermissionDeniedError("authorization", "sign in first")
        if role not in {Role.ADMIN, Role.MANAGER}:
            raise PermissionDeniedError("role", f"the {role} role may not do this")
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")

    @staticmethod
    def _bookable_item(centre: CentreInfo, offered: Mapping[str, ItemInfo], code: str) -> ItemInfo:
        item = offered.get(code)
        if item is None:
            raise DomainRuleViolation("itemCode", f"{code} is not offered at {centre.code}")
        if not item.allows_appointment:
            raise DomainRuleViolation("itemCode", f"{code} cannot be booked in advance")
        return item

    @staticmethod
    def _day_bounds(centre: CentreInfo, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, datetime.min.time(), tzinfo=centre.zone)
        return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=centre.zone)

    async def _slots_of_day(
        self, centre: CentreInfo, day: date, item_id: UUID | None = None, *, lock: bool = False
    ) -> list[AppointmentSlotModel]:
        start, end = self._day_bounds(centre, day)
        statement = select(AppointmentSlotModel).where(
            AppointmentSlotModel.centre_id == centre.id,
            AppointmentSlotModel.starts_at >= start,
            AppointmentSlotModel.starts_at < end,
        )
        if item_id is not None:
            statement = statement.where(AppointmentSlotModel.item_id == item_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return list(await self.session.scalars(statement.order_by(AppointmentSlotModel.starts_at)))

    def _slot_read(
        self, slot: AppointmentSlotModel, item: ItemInfo, centre: CentreInfo, now: datetime
    ) -> s.AppointmentSlotRead:
        last_day = last_bookable_day(centre.local(now).date(), centre.calendar, centre.rules)
        return s.AppointmentSlotRead(
            item_code=item.code,
            item_name_zh=item.name_zh,
            starts_at=centre.local(slot.starts_at),
            ends_at=centre.local(slot.ends_at),
            capacity=slot.capacity,
            booked=slot.booked,
            remaining=max(slot.capacity - slot.booked, 0),
            is_bookable=(
                item.allows_appointment
                and has_room(slot.capacity, slot.booked)
                and slot.starts_at > now
                and centre.local(slot.starts_at).date() <= last_day
            ),
        )

    @staticmethod
    def _read(
        appointment: AppointmentModel, slot: AppointmentSlotModel, centre: CentreInfo, item: ItemInfo | None
    ) -> s.AppointmentRead:
        check_in_from, check_in_until = checkin_window(slot.starts_at, slot.ends_at, centre.rules)
        return s.AppointmentRead(
            code=appointment.code,
            centre_code=centre.code,
            item_code=item.code if item else "",
            item_name_zh=item.name_zh if item else "",
            starts_at=centre.local(slot.starts_at),
            ends_at=centre.local(slot.ends_at),
            status=AppointmentStatus(appointment.status),
            visitor_name=mask_name(appointment.visitor_name),
            phone=mask_phone(appointment.phone) if appointment.phone else None,
            check_in_from=centre.local(check_in_from),
            check_in_until=centre.local(check_in_until),
            cancel_until=centre.local(cancel_deadline(slot.starts_at, centre.rules)),
        )

    async def _item_by_id(self, centre: CentreInfo, item_id: UUID) -> ItemInfo | None:
        offered = await self.directory.offered_items(centre.id)
        return next((i for i in offered.values() if i.id == item_id), None)

    async def _by_code(self, code: str, *, lock: bool = False) -> tuple[AppointmentModel, AppointmentSlotModel]:
        statement = (
            select(AppointmentModel, AppointmentSlotModel)
            .join(AppointmentSlotModel, AppointmentSlotModel.id == AppointmentModel.slot_id)
            .where(AppointmentModel.code == code.strip().upper())
        )
        if lock:
            statement = statement.with_for_update(of=AppointmentModel).execution_options(populate_existing=True)
        row = (await self.session.execute(statement)).tuples().one_or_none()
        if row is None:
            raise NotFoundError("code", "no appointment with this code")
        return row

    # --- slots ------------------------------------------------------------------------------------------------------
    async def open_slots(self, centre_code: str, data: s.OpenAppointmentSlots) -> list[s.AppointmentSlotRead]:
        """Open an item's slots for a day from the centre's sessions; existing slots are kept (idempotent).

        An existing slot's capacity is set to the requested one, which may not fall below its bookings. The slot
        length cannot change once a day has slots (overlapping slots of one item would double the capacity).
        """
        centre = await self.directory.centre(centre_code)
        self._require_manager(centre)
        item = self._bookable_item(centre, await self.directory.offered_items(centre.id), data.item_code)
        now = self.clock.now()
        check_opening_day(data.day, centre.local(now).date())
        planned = plan_slots(
            centre.sessions, centre.calendar, data.day, data.slot_minutes, data.capacity, zone=centre.zone
        )
        if not planned:
            raise DomainRuleViolation("day", f"{centre.code} has no opening session on {data.day.isoformat()}")
        existing = await self._slots_of_day(centre, data.day, item.id, lock=True)
        length = timedelta(minutes=data.slot_minutes)
        for slot in existing:
            if slot.ends_at - slot.starts_at != length:
                minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
                raise ConflictError("slotMinutes", f"this day's slots for {item.code} are {minutes} minutes long")
        by_start = {slot.starts_at: slot for slot in existing}
        for slot in existing:
            check_capacity_change(data.capacity, slot.booked, centre.local(slot.starts_at))
            slot.capacity = data.capacity
        for plan in planned:
            if plan.starts_at not in by_start:
                self.session.add(
                    AppointmentSlotModel(
                        centre_id=centre.id,
                        item_id=item.id,
                        starts_at=plan.starts_at,
                        ends_at=plan.ends_at,
                        capacity=plan.capacity,
                        booked=0,
                    )
                )
        await self.session.flush()
        return [
            self._slot_read(slot, item, centre, now) for slot in await self._slots_of_day(centre, data.day, item.id)
        ]

    async def list_slots(
        self, centre_code: str, day: date, item_code: str | None = None
    ) -> list[s.AppointmentSlotRead]:
        """A day's slots at a centre (one item or all), with the places left; anyone may browse them."""
        centre = await self.directory.centre(centre_code)
        offered = await self.directory.offered_items(centre.id)
        item_id = None
        if item_code is not None:
            item_id = self._bookable_item(centre, offered, item_code).id
        by_id = {item.id: item for item in offered.values()}
        now = self.clock.now()
        slots = await self._slots_of_day(centre, day, item_id)
        reads = [self._slot_read(slot, by_id[slot.item_id], centre, now) for slot in slots if slot.item_id in by_id]
        return sorted(reads, key=lambda r: (r.starts_at, r.item_code))

    # --- bookings ---------------------------------------------------------------------------------------------------
    async def book(self, centre_code: str, data: s.BookAppointment) -> s.AppointmentRead:
        """Book a slot: real name, a valid identity number, not banned, one booking per day, capacity left."""
        centre = await self.directory.centre(centre_code)
        item = self._bookable_item(centre, await self.directory.offered_items(centre.id), data.item_code)
        name = check_visitor_name(data.visitor_name)
        number = check_identity_number(data.identity_number)
        phone = check_phone(data.phone) if data.phone is not None else None
        now = self.clock.now()
        check_bookable(data.starts_at, now=now, zone=centre.zone, calendar=centre.calendar, rules=centre.rules)
        slot = await self.session.scalar(
            select(AppointmentSlotModel).where(
                AppointmentSlotModel.centre_id == centre.id,
                AppointmentSlotModel.item_id == item.id,
                AppointmentSlotModel.starts_at == data.starts_at,
            )
        )
        if slot is None:
            local = centre.local(data.starts_at).strftime("%Y-%m-%d %H:%M")
            raise NotFoundError("startsAt", f"no {item.code} slot opens at {local}")
        digest = identity_hash(self.secret, number)
        await self._lock_person(digest)
        await self._check_person(centre, digest, centre.local(slot.starts_at).date(), now)
        taken = await self.session.execute(
            update(AppointmentSlotModel)
            .where(AppointmentSlotModel.id == slot.id, AppointmentSlotModel.booked < AppointmentSlotModel.capacity)
            .values(booked=AppointmentSlotModel.booked + 1, updated_at=now)
            .returning(AppointmentSlotModel.booked)
            .execution_options(synchronize_session=False)
        )
        if taken.scalar_one_or_none() is None:
            raise ConflictError("startsAt", "this slot is fully booked")
        appointment = AppointmentModel(
            code=await self._unused_code(),
            slot_id=slot.id,
            centre_id=centre.id,
            item_id=item.id,
            visitor_name=name,
            identity_hash=digest,
            phone=phone,
            status=AppointmentStatus.BOOKED.value,
        )
        self.session.add(appointment)
        await self.session.flush()
        return self._read(appointment, slot, centre, item)

    async def _lock_person(self, digest: str) -> None:
        """Serialise concurrent bookings of one person until the transaction ends (PostgreSQL)."""
        if self._is_postgresql:
            key = int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
            await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def _check_person(self, centre: CentreInfo, digest: str, day: date, now: datetime) -> None:
        rows = (
            await self.session.execute(
                select(AppointmentModel.status, AppointmentSlotModel.starts_at)
                .join(AppointmentSlotModel, AppointmentSlotModel.id == AppointmentModel.slot_id)
                .where(
                    AppointmentModel.identity_hash == digest,
                    AppointmentModel.status.in_(
                        [AppointmentStatus.NO_SHOW.value, *(status.value for status in ACTIVE_STATUSES)]
                    ),
                )
            )
        ).tuples()
        no_shows: list[date] = []
        active_days: set[date] = set()
        for status, starts_at in rows:
            local_day = centre.local(starts_at).date()
            if status == AppointmentStatus.NO_SHOW.value:
                no_shows.append(local_day)
            else:
                active_days.add(local_day)
        check_not_banned(no_shows, centre.local(now).date(), centre.rules)
        check_one_booking_per_day(active_days, day)

    async def _unused_code(self) -> str:
        for _ in range(_CODE_ATTEMPTS):
            code = new_appointment_code()
            if await self.session.scalar(select(AppointmentModel.id).where(AppointmentModel.code == code)) is None:
                return code
        raise ConflictError("code", "no free appointment code; try again")  # pragma: no cover - 31^8 codes

    async def get(self, code: str) -> s.AppointmentRead:
        """A booking by its code, with masked personal data; anyone holding the code may look."""
        appointment, slot = await self._by_code(code)
        centre = await self.directory.centre_by_id(appointment.centre_id)
        return self._read(appointment, slot, centre, await self._item_by_id(centre, appointment.item_id))

    async def cancel(self, code: str, data: s.CancelAppointment) -> s.AppointmentRead:
        """Cancel a booking until the centre's deadline; the identity number must be the one it was booked with."""
        number = check_identity_number(data.identity_number)
        appointment, slot = await self._by_code(code, lock=True)
        if not hmac.compare_digest(appointment.identity_hash, identity_hash(self.secret, number)):
            raise PermissionDeniedError("identityNumber", "does not match this appointment")
        centre = await self.directory.centre_by_id(appointment.centre_id)
        now = self.clock.now()
        check_cancellation(AppointmentStatus(appointment.status), slot.starts_at, now, centre.rules)
        appointment.status = AppointmentStatus.CANCELLED.value
        appointment.cancelled_at = now
        await self.session.execute(
            update(AppointmentSlotModel)
            .where(AppointmentSlotModel.id == slot.id, AppointmentSlotModel.booked > 0)
            .values(booked=AppointmentSlotModel.booked - 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        await self.session.flush()
        return self._read(appointment, slot, centre, await self._item_by_id(centre, appointment.item_id))

    # --- jobs -------------------------------------------------------------------------------------------------------
    async def mark_no_shows(self, centre: CentreInfo, now: datetime) -> int:
        """Mark the centre's bookings whose check-in window closed before ``now`` as no-shows; return how many.

        Idempotent (only ``booked`` rows change); the day-close job calls it. Rows another transaction holds
        (a check-in at this moment) are skipped and picked up by the next run.
        """
        late = timedelta(minutes=centre.rules.appointment_checkin_late_minutes)
        rows: Sequence[tuple[AppointmentModel, datetime]] = (
            (
                await self.session.execute(
                    select(AppointmentModel, AppointmentSlotModel.ends_at)
                    .join(AppointmentSlotModel, AppointmentSlotModel.id == AppointmentModel.slot_id)
                    .where(
                        AppointmentModel.centre_id == centre.id,
                        AppointmentModel.status == AppointmentStatus.BOOKED.value,
                        AppointmentSlotModel.ends_at < now - late,
                    )
                    .with_for_update(of=AppointmentModel, skip_locked=True)
                    .execution_options(populate_existing=True)
                )
            )
            .tuples()
            .all()
        )
        marked = 0
        for appointment, ends_at in rows:
            if is_no_show(ends_at, now, centre.rules):
                appointment.status = AppointmentStatus.NO_SHOW.value
                appointment.no_show_at = now
                marked += 1
        await self.session.flush()
        return marked


__all__ = ["AppointmentService", "identity_hash", "new_appointment_code"]
