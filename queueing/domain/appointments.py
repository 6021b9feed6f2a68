"""Appointments (预约): bookable slots, booking and cancellation rules, no-show bans, and personal-data masking.

The rules follow the practice collected in ``shared/domain.md`` §3.5; every number comes from the centre's
``HallRules`` (``appointment_*``):

* Slots are cut from the centre's opening sessions of one local day (no sessions, e.g. a public holiday, no
  slots). A session is split into whole slots; a remainder shorter than one slot is not offered.
* A visitor books a slot that has not started yet, at most ``appointment_horizon_days`` working days ahead
  (today counts as day 0, so same-day booking is allowed while the slot is still ahead).
* Real-name: one booking per person per local day; the person is identified by their 居民身份证 number.
* Cancellation is allowed until ``appointment_cancel_before_minutes`` before the slot starts.
* Check-in runs from ``appointment_checkin_early_minutes`` before the slot starts until
  ``appointment_checkin_late_minutes`` after it ends; a booking still open after that is a no-show (爽约).
* ``appointment_no_show_limit`` no-shows within ``appointment_no_show_window_days`` days suspend booking for
  ``appointment_ban_days`` days from the day of the last of them (e.g. 2 no-shows → a 3-month blacklist).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from hall.domain.calendar import WorkingCalendar
from hall.domain.centres import HallRules, OpeningSession, sessions_on
from hall.domain.errors import ConflictError, DomainRuleViolation

MIN_SLOT_MINUTES: Final = 10
MAX_SLOT_MINUTES: Final = 240
MAX_SLOT_CAPACITY: Final = 200
MAX_NAME_LENGTH: Final = 50

# Appointment codes: no 0/O, 1/I/L, so a code read aloud or copied from paper is not misread.
CODE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 8

# GB 11643-1999 居民身份证号码: 17 digits weighted by 2^(17-i) mod 11, then the check character.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_ID_PATTERN: Final = re.compile(r"[1-9]\d{16}[\dX]")
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_LANDLINE: Final = re.compile(r"0\d{9,11}")  # area code (3–4 digits incl. the 0) + 7–8 digit number


class AppointmentStatus(StrEnum):
    """Where a booking stands. Only ``booked`` may be checked in, cancelled or become a no-show."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"  # exchanged for a ticket at the kiosk
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # 爽约: the check-in window passed


ACTIVE_STATUSES: Final = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN})


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """A bookable slot to open: aware datetimes in the centre's zone, and how many visitors it takes."""

    starts_at: datetime
    ends_at: datetime
    capacity: int


def check_slot_shape(slot_minutes: int, capacity: int) -> None:
    """Refuse slot lengths outside 10–240 minutes and capacities outside 1–200 visitors."""
    if not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES:
        raise DomainRuleViolation("slotMinutes", f"must be {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes")
    if not 1 <= capacity <= MAX_SLOT_CAPACITY:
        raise DomainRuleViolation("capacity", f"must be 1 to {MAX_SLOT_CAPACITY} visitors per slot")


def plan_slots(
    sessions: Sequence[OpeningSession],
    calendar: WorkingCalendar,
    day: date,
    slot_minutes: int,
    capacity: int,
    *,
    zone: tzinfo,
) -> list[PlannedSlot]:
    """Cut a local day's opening sessions into slots of ``slot_minutes``, each taking ``capacity`` visitors.

    The day's sessions come from :func:`hall.domain.centres.sessions_on`: none on a public holiday, Monday's on
    a make-up working day (调休上班). A remainder shorter than a slot at the end of a session is not offered (a
    09:00–12:00 session in 40-minute slots gives 09:00, 09:40 … 11:00, and 11:40–12:00 stays free). Slots are
    returned in time order as aware datetimes in ``zone``.
    """
    check_slot_shape(slot_minutes, capacity)
    length = timedelta(minutes=slot_minutes)
    planned: list[PlannedSlot] = []
    for session in sessions_on(sessions, calendar, day):
        starts_at = datetime.combine(day, session.opens_at, tzinfo=zone)
        closes_at = datetime.combine(day, session.closes_at, tzinfo=zone)
        while starts_at + length <= closes_at:
            planned.append(PlannedSlot(starts_at=starts_at, ends_at=starts_at + length, capacity=capacity))
            starts_at += length
    return planned


def check_opening_day(day: date, today: date) -> None:
    """Refuse opening slots on a day that has already passed (today is allowed: its later slots can be booked)."""
    if day < today:
        raise DomainRuleViolation("day", f"{day.isoformat()} has passed")


def check_capacity_change(capacity: int, booked: int, starts_at: datetime) -> None:
    """Refuse lowering a slot's capacity below the bookings it already holds."""
    if capacity < booked:
        when = starts_at.strftime("%H:%M")
        raise ConflictError("capacity", f"the {when} slot already holds {booked} bookings")


def last_bookable_day(today: date, calendar: WorkingCalendar, rules: HallRules) -> date:
    """Return the last local day a visitor may book today: ``appointment_horizon_days`` working days ahead."""
    return calendar.add_working_days(today, rules.appointment_horizon_days)


def check_bookable(
    starts_at: datetime, *, now: datetime, zone: tzinfo, calendar: WorkingCalendar, rules: HallRules
) -> None:
    """Refuse booking a slot that has started, or that lies beyond the booking horizon (field ``startsAt``)."""
    if starts_at <= now:
        raise DomainRuleViolation("startsAt", "this slot has already started")
    today = now.astimezone(zone).date()
    last = last_bookable_day(today, calendar, rules)
    if starts_at.astimezone(zone).date() > last:
        raise DomainRuleViolation(
            "startsAt",
            f"book at most {rules.appointment_horizon_days} working days ahead (until {last.isoformat()})",
        )


def has_room(capacity: int, booked: int) -> bool:
    """Return whether a slot takes one more booking."""
    return booked < capacity


def check_one_booking_per_day(active_days: Collection[date], day: date) -> None:
    """Refuse a second active booking of the same person on the same local day (real-name booking rule)."""
    if day in active_days:
        raise ConflictError("identityNumber", f"this person already has an appointment on {day.isoformat()}")


def ban_ends_on(no_show_dates: Iterable[date], rules: HallRules) -> date | None:
    """Return the first day a person may book again after their latest ban, or ``None`` if never banned.

    A ban starts on the day of the ``appointment_no_show_limit``-th no-show counted within
    ``appointment_no_show_window_days`` days and lasts ``appointment_ban_days`` days. No-shows that led to a ban
    are spent: after the ban, counting starts afresh.
    """
    window = timedelta(days=rules.appointment_no_show_window_days)
    counting: list[date] = []
    ends_on: date | None = None
    for on in sorted(no_show_dates):
        counting = [d for d in counting if on - d < window]
        counting.append(on)
        if len(counting) >= rules.appointment_no_show_limit:
            ends_on = on + timedelta(days=rules.appointment_ban_days)
            counting = []
    return ends_on


def is_banned(no_show_dates: Iterable[date], today: date, rules: HallRules) -> bool:
    """Return whether a person's no-shows suspend their booking on ``today``."""
    ends_on = ban_ends_on([d for d in no_show_dates if d <= today], rules)
    return ends_on is not None and today < ends_on


def check_not_banned(no_show_dates: Iterable[date], today: date, rules: HallRules) -> None:
    """Refuse booking while a no-show ban runs (field ``identityNumber``, answered 409)."""
    dates = [d for d in no_show_dates if d <= today]
    if is_banned(dates, today, rules):
        ends_on = ban_ends_on(dates, rules)
        assert ends_on is not None
        raise ConflictError(
            "identityNumber",
            f"booking is suspended until {ends_on.isoformat()}: {rules.appointment_no_show_limit} no-shows "
            f"within {rules.appointment_no_show_window_days} days",
        )


def cancel_deadline(starts_at: datetime, rules: HallRules) -> datetime:
    """Return the last moment a booking may be cancelled."""
    return starts_at - timedelta(minutes=rules.appointment_cancel_before_minutes)


def check_cancellation(status: AppointmentStatus, starts_at: datetime, now: datetime, rules: HallRules) -> None:
    """Refuse cancelling anything but an open booking, or after the deadline (field ``code``, answered 409)."""
    if status is not AppointmentStatus.BOOKED:
        raise ConflictError("code", f"this appointment is {status.value}")
    deadline = cancel_deadline(starts_at, rules)
    if now > deadline:
        raise ConflictError(
            "code", f"appointments may be cancelled until {rules.appointment_cancel_before_minutes} minutes before"
        )


def checkin_window(starts_at: datetime, ends_at: datetime, rules: HallRules) -> tuple[datetime, datetime]:
    """Return when check-in at the kiosk opens and closes for a slot (both inclusive)."""
    return (
        starts_at - timedelta(minutes=rules.appointment_checkin_early_minutes),
        ends_at + timedelta(minutes=rules.appointment_checkin_late_minutes),
    )


def is_no_show(ends_at: datetime, now: datetime, rules: HallRules) -> bool:
    """Return whether an open booking's check-in window has passed, making it a no-show."""
    return now > ends_at + timedelta(minutes=rules.appointment_checkin_late_minutes)


def identity_check_character(first17: str) -> str:
    """Return the GB 11643 check character (``0``–``9`` or ``X``) of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise DomainRuleViolation("identityNumber", "the first 17 characters must be digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_identity_number(raw: str) -> str:
    """Return a 18-character 居民身份证 number in canonical form (upper-case ``X``), or refuse it.

    Checks the shape, the birth date (``YYYYMMDD`` at positions 7–14, a real date from 1800: the standard's own
    example was born in 1880) and the GB 11643 check character. The field named is ``identityNumber``.
    """
    number = raw.strip().upper()
    if not _ID_PATTERN.fullmatch(number) or not number.isascii():
        raise DomainRuleViolation("identityNumber", "must be 18 characters: 17 digits and a digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainRuleViolation("identityNumber", "the birth date in the number is not a real date") from None
    if born.year < 1800:
        raise DomainRuleViolation("identityNumber", "the birth date in the number is not a real date")
    if identity_check_character(number[:17]) != number[17]:
        raise DomainRuleViolation("identityNumber", "the check character does not match (mistyped?)")
    return number


def check_visitor_name(raw: str) -> str:
    """Return the visitor's name without surrounding spaces, or refuse an empty, overlong or unprintable one."""
    name = raw.strip()
    if not name:
        raise DomainRuleViolation("visitorName", "must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainRuleViolation("visitorName", f"must be at most {MAX_NAME_LENGTH} characters")
    if not name.isprintable():
        raise DomainRuleViolation("visitorName", "must not contain control characters")
    return name


def check_phone(raw: str) -> str:
    """Return a mainland mobile (11 digits) or landline number (area code + number) as digits only, or refuse it."""
    phone = raw.strip().replace(" ", "").replace("-", "")
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return phone
    raise DomainRuleViolation("phone", "must be a mobile number (11 digits) or a landline with its area code")


def mask_name(name: str) -> str:
    """Show only the first character of a name: ``张三丰`` → ``张**``; a one-character name is ``*``."""
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number: ``13812345678`` → ``138****5678``; short numbers keep 2 digits."""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def is_appointment_code(text: str) -> bool:
    """Return whether ``text`` has the shape of an appointment code."""
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)


__all__ = [
    "ACTIVE_STATUSES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_SLOT_CAPACITY",
    "MAX_SLOT_MINUTES",
    "MIN_SLOT_MINUTES",
    "AppointmentStatus",
    "PlannedSlot",
    "ban_ends_on",
    "cancel_deadline",
    "check_bookable",
    "check_cancellation",
    "check_capacity_change",
    "check_identity_number",
    "check_not_banned",
    "check_one_booking_per_day",
    "check_opening_day",
    "check_phone",
    "check_slot_shape",
    "check_visitor_name",
    "checkin_window",
    "has_room",
    "identity_check_character",
    "is_appointment_code",
    "is_banned",
    "is_no_show",
    "last_bookable_day",
    "mask_name",
    "mask_phone",
    "plan_slots",
]
