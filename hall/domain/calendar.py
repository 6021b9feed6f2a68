"""The working-day calendar: Chinese public holidays and make-up working days (调休) as data.

Deadlines in working days (行政许可法 Art.82), committed-case due dates, 差评 deadlines and the demand profile
(month-end, first day after a long holiday) are all computed here, from days an administrator maintains.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from hall.domain.errors import DomainRuleViolation


class DayKind(StrEnum):
    """How a calendar entry overrides the Monday–Friday week."""

    HOLIDAY = "holiday"  # 法定节假日 / 休息日 falling on a weekday
    WORKDAY = "workday"  # 调休上班: a weekend day worked


@dataclass(frozen=True, slots=True)
class CalendarDay:
    on: date
    kind: DayKind
    name: str = ""


_MAX_SCAN_DAYS = 3660  # ten years: no real deadline is further away; stops a runaway loop on bad data


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """A set of overriding days on top of the Monday–Friday working week."""

    overrides: Mapping[date, CalendarDay] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, days: Iterable[CalendarDay]) -> WorkingCalendar:
        return cls(MappingProxyType({d.on: d for d in days}))

    def is_working_day(self, on: date) -> bool:
        day = self.overrides.get(on)
        if day is not None:
            return day.kind is DayKind.WORKDAY
        return on.weekday() < 5

    def next_working_day(self, after: date) -> date:
        """Return the first working day strictly after ``after``."""
        on = after
        for _ in range(_MAX_SCAN_DAYS):
            on += timedelta(days=1)
            if self.is_working_day(on):
                return on
        raise DomainRuleViolation("calendar", "no working day within ten years")

    def add_working_days(self, start: date, days: int) -> date:
        """Return the date ``days`` working days after ``start`` (the start day itself is not counted).

        A case accepted on Friday with a 1-working-day limit is due on Monday; over 国庆 it is due on the first
        working day after the holiday.
        """
        if days < 0:
            raise DomainRuleViolation("days", "must not be negative")
        on = start
        for _ in range(days):
            on = self.next_working_day(on)
        return on

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        on = start
        while on < end:
            on += timedelta(days=1)
            if self.is_working_day(on):
                count += 1
        return count

    def is_month_end(self, on: date, last_days: int = 3) -> bool:
        """Return whether ``on`` is one of the last ``last_days`` working days of its month (月末结算 peak)."""
        if not self.is_working_day(on):
            return False
        remaining = 0
        probe = on
        while True:
            probe += timedelta(days=1)
            if probe.month != on.month:
                break
            if self.is_working_day(probe):
                remaining += 1
        return remaining < last_days

    def is_after_long_break(self, on: date, min_days_off: int = 3) -> bool:
        """Return whether ``on`` is a working day right after ``min_days_off`` or more days off in a row."""
        if not self.is_working_day(on):
            return False
        off = 0
        probe = on - timedelta(days=1)
        while not self.is_working_day(probe) and off <= _MAX_SCAN_DAYS:
            off += 1
            probe -= timedelta(days=1)
        return off >= min_days_off


#: From this day of a year on, the next year's national arrangement is due: the General Office of the State Council
#: publishes the coming year's public holidays and make-up working days each autumn (in November in recent years).
NEXT_YEAR_DUE: Final = (11, 1)


def national_years_missing(today: date, years_entered: Collection[int]) -> tuple[int, ...]:
    """Return the years a national calendar should hold by ``today`` but holds no day of.

    This year always; next year from :data:`NEXT_YEAR_DUE`. Until a year is entered, every Monday to Friday of it
    counts as a working day — the Spring Festival and National Day weeks included — for opening hours, deadlines,
    rosters and forecasts, so the pages say so to the people who plan with it.
    """
    wanted = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_DUE:
        wanted.append(today.year + 1)
    return tuple(year for year in wanted if year not in years_entered)
