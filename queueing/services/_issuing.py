"""Issuing tickets at kiosks, guide desks and phones: idempotent, numbered per day, capped, checked in."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from uuid_utils.compat import uuid7

from hall.db.session import discard_after_commit
from hall.domain.errors import ConflictError, DomainRuleViolation, PermissionDeniedError
from hall.domain.people import Role
from queueing import schemas as s
from queueing.domain.numbering import format_ticket_number
from queueing.domain.snapshot import (
    AppointmentSlot,
    WaitingTicket,
)
from queueing.domain.tickets import (
    TicketAction,
    TicketStatus,
)
from queueing.models import (
    AppointmentModel,
    AppointmentSlotModel,
    TicketItemModel,
    TicketModel,
)
from queueing.ports import CentreInfo, ItemInfo
from queueing.services._base import QueueBase
from queueing.services._common import (
    entrance_code,
)

_TICKET: Table = TicketModel.__table__  # type: ignore[assignment]
_TICKET_ITEM: Table = TicketItemModel.__table__  # type: ignore[assignment]


class IssuingMixin(QueueBase):
    """Issuing tickets at kiosks, guide desks and phones: idempotent, numbered per day, capped, checked in."""

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
            ticket = await self._create(centre, items, data, channel, appointment, idempotency_key, local_day, now)
        except IntegrityError:
            if idempotency_key is None:
                raise
            # A concurrent retry with the same key committed first. Nothing of this attempt may stay (its counters,
            # a check-in, its live event): the whole transaction is rolled back (no savepoint, two round trips
            # fewer on every issue) and the ticket the other request created is read in a fresh one.
            discard_after_commit(self.session)
            await self.session.rollback()
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
        counters: dict[str, Select[Any] | None] = {}
        cap = centre.rules.daily_ticket_cap
        if cap is not None:
            counters["all"] = (
                select(func.count())
                .select_from(TicketModel)
                .where(TicketModel.centre_id == centre.id, TicketModel.service_day == day)
            )
        for item in items:
            if item.daily_cap is not None:
                counters[f"item:{item.code}"] = (
                    select(func.count())
                    .select_from(TicketItemModel)
                    .join(TicketModel, TicketModel.id == TicketItemModel.ticket_id)
                    .where(
                        TicketModel.centre_id == centre.id,
                        TicketModel.service_day == day,
                        TicketItemModel.item_code == item.code,
                    )
                )
        prefix = items[0].ticket_prefix
        counters[f"prefix:{prefix}"] = None
        values = await self._bump(centre.id, day, counters)
        if cap is not None and values["all"] > cap:
            raise ConflictError("centreCode", f"today's {cap} tickets have all been issued")
        for index, item in enumerate(items):
            if item.daily_cap is not None and values[f"item:{item.code}"] > item.daily_cap:
                raise ConflictError(f"itemCodes[{index}]", f"today's {item.daily_cap} tickets for {item.code} are gone")
        sequence = values[f"prefix:{prefix}"]
        row: dict[str, Any] = {
            "id": uuid7(),
            "centre_id": centre.id,
            "service_day": day,
            "prefix": prefix,
            "sequence": sequence,
            "number": format_ticket_number(prefix, sequence),
            "public_code": secrets.token_urlsafe(12),
            "status": TicketStatus.WAITING.value,
            "channel": channel.value,
            "priority_group": data.priority_group.value if data.priority_group else None,
            "priority_verified": None,
            "appointment_id": appointment.id if appointment else None,
            "arrived_at": now,
            "recalls": 0,
            "idempotency_key": idempotency_key,
            "notify_to": data.notify_to,
        }
        item_rows: list[dict[str, Any]] = [
            {"id": uuid7(), "ticket_id": row["id"], "item_id": item.id, "item_code": item.code, "position": i}
            for i, item in enumerate(items)
        ]
        # Two Core INSERTs instead of the ORM's unit of work (same rows, same defaults, same round trips); the
        # ticket object below is only the answer's and the live event's view of them, never added to the session.
        await self.session.execute(insert(_TICKET).values(row))
        await self.session.execute(insert(_TICKET_ITEM).values([{**r, "is_active": True} for r in item_rows]))
        ticket = TicketModel(**row, items=[TicketItemModel(**r, is_active=True) for r in item_rows])
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
