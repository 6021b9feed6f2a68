"""Time at work from window sessions: signed-in time per month (rostered time) and days worked for pay.

Until rosters exist, the time a staff member was signed in at a window (sign-in to sign-out) stands for their
rostered time: the workload rate is standard minutes served per signed-in hour. Days worked (pay pro-rating)
are the month's working days on which the staff member signed in at any window, plus paid leave days entered by
a manager; a day counts once, and only working days of the centre's calendar count (a Saturday 延时服务 session
is extra service, not an extra paid day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hall.domain import DomainRuleViolation, WorkingCalendar
from staffing.domain.periods import Month


@dataclass(frozen=True, slots=True)
class SignedInSpan:
    """One window session: signed in at ``start``, out at ``end`` (aware datetimes)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise DomainRuleViolation("session", "sign-in and sign-out times must be timezone-aware")
        if self.end < self.start:
            raise DomainRuleViolation("session", "must not end before it starts")


def month_bounds(month: Month, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the first instant of ``month`` and of the next month, in the centre's time zone."""
    start = datetime.combine(month.first_day, time.min, tzinfo=zone)
    end = datetime.combine(month.shifted(1).first_day, time.min, tzinfo=zone)
    return start, end


def signed_in_duration(spans: Iterable[SignedInSpan], start: datetime, end: datetime) -> timedelta:
    """Return the time covered by the spans within ``[start, end)``; overlapping spans count once."""
    clipped = sorted((max(s.start, start), min(s.end, end)) for s in spans if s.end > start and s.start < end)
    total = timedelta()
    current_start: datetime | None = None
    current_end: datetime | None = None
    for span_start, span_end in clipped:
        if current_end is None or current_start is None or span_start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = span_start, span_end
        else:
            current_end = max(current_end, span_end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total


def days_signed_in(spans: Iterable[SignedInSpan], month: Month, zone: ZoneInfo) -> frozenset[date]:
    """Return the local dates of ``month`` on which any span has signed-in time."""
    start, end = month_bounds(month, zone)
    days: set[date] = set()
    for span in spans:
        if span.end <= start or span.start >= end or span.end == span.start:
            continue
        first = max(span.start, start).astimezone(zone).date()
        last = (min(span.end, end) - timedelta(microseconds=1)).astimezone(zone).date()
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(d for d in days if Month.of(d) == month)


def leave_dates(on: date, days: int, calendar: WorkingCalendar) -> frozenset[date]:
    """Return the working days covered by a paid leave of ``days`` working days starting on ``on``.

    A leave entered on a non-working day starts on the next working day.

    Raises:
        DomainRuleViolation: If ``days`` is below 1.
    """
    if days < 1:
        raise DomainRuleViolation("days", "a leave covers at least one working day")
    first = on if calendar.is_working_day(on) else calendar.next_working_day(on)
    covered = [first]
    while len(covered) < days:
        covered.append(calendar.next_working_day(covered[-1]))
    return frozenset(covered)


def days_worked(
    signed_in_days: Iterable[date], paid_leave_days: Iterable[date], month: Month, calendar: WorkingCalendar
) -> int:
    """Return the days paid as worked: working days of ``month`` signed in or on paid leave, each counted once."""
    days = {d for d in (*signed_in_days, *paid_leave_days) if Month.of(d) == month and calendar.is_working_day(d)}
    return len(days)
