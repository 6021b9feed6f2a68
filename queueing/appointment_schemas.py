"""Request and response bodies of the appointment API (version 1): slots, bookings and cancellations.

Personal data leaves the system masked only: the visitor's name as ``张**`` and the phone as ``138****5678``;
the identity number is never returned (it is stored only as a keyed hash).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from hall.lib.schema import WireStruct
from queueing.domain.appointments import MAX_SLOT_CAPACITY, MAX_SLOT_MINUTES, MIN_SLOT_MINUTES, AppointmentStatus

ItemCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True)]
# Shape only; the 居民身份证 rules (birth date, GB 11643 check character) are checked by the domain.
IdentityNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class OpenAppointmentSlots(WireStruct):
    """Open bookable slots for one item on one day, cut from the centre's opening sessions.

    Idempotent: slots that exist are kept, and their capacity set to ``capacity`` (never below their bookings).
    """

    item_code: ItemCode
    day: date
    capacity: Annotated[int, msgspec.Meta(ge=1, le=MAX_SLOT_CAPACITY)]
    slot_minutes: Annotated[int, msgspec.Meta(ge=MIN_SLOT_MINUTES, le=MAX_SLOT_MINUTES)] = 60


class AppointmentSlotRead(WireStruct):
    """A slot as visitors browse it: how many places are left and whether it can be booked now."""

    item_code: str
    item_name_zh: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    remaining: int
    is_bookable: bool


class BookAppointment(WireStruct):
    """Book a slot under one's real name (one booking per person per day)."""

    item_code: ItemCode
    starts_at: AwareDateTime
    visitor_name: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    identity_number: IdentityNumber
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None


class CancelAppointment(WireStruct):
    """Cancel one's booking; the identity number it was booked with proves it is one's own."""

    identity_number: IdentityNumber


class AppointmentRead(WireStruct):
    """A booking as the visitor sees it, with masked personal data and the times that matter to them."""

    code: str
    centre_code: str
    item_code: str
    item_name_zh: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    visitor_name: str
    phone: str | None
    check_in_from: datetime
    check_in_until: datetime
    cancel_until: datetime


__all__ = [
    "AppointmentRead",
    "AppointmentSlotRead",
    "BookAppointment",
    "CancelAppointment",
    "OpenAppointmentSlots",
]
