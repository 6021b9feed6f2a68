"""Calendar months, the period of every assessment and pay slip."""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, timedelta

from hall.domain import DomainRuleViolation, WorkingCalendar

_MONTHS_PER_YEAR = 12
_LAST_YEAR = 9999  # the range of datetime.date


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, e.g. ``Month(2025, 3)``; ordered by time and shown as ``2025-03``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= _MONTHS_PER_YEAR:
            raise DomainRuleViolation("month", "must be 1 to 12")
        if not 1 <= self.year <= _LAST_YEAR:
            raise DomainRuleViolation("year", "must be 1 to 9999")

    @classmethod
    def of(cls, on: date) -> Month:
        """Return the month a date falls in."""
        return cls(on.year, on.month)

    @classmethod
    def last_complete_before(cls, on: date) -> Month:
        """Return the last month that ended before ``on``: the month assessed and paid by default."""
        return cls.of(on).shifted(-1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, _gregorian.monthrange(self.year, self.month)[1])

    def shifted(self, months: int) -> Month:
        """Return the month ``months`` later (earlier when negative)."""
        index = self.year * _MONTHS_PER_YEAR + (self.month - 1) + months
        return Month(index // _MONTHS_PER_YEAR, index % _MONTHS_PER_YEAR + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def working_days_in(month: Month, calendar: WorkingCalendar) -> int:
    """Count the working days of a month on the working-day calendar (holidays and 调休 make-up days applied)."""
    day = month.first_day
    count = 0
    while day.month == month.month:
        if calendar.is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count
