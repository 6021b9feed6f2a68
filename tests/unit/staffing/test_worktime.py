"""Signed-in time stands for rostered time; days worked count working days signed in or on paid leave."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.domain import CalendarDay, DayKind, DomainRuleViolation, WorkingCalendar
from staffing.domain import (
    Month,
    SignedInSpan,
    days_signed_in,
    days_worked,
    leave_dates,
    month_bounds,
    signed_in_duration,
)

pytestmark = pytest.mark.unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = Month(2026, 10)
NATIONAL_DAY = WorkingCalendar.of(
    [CalendarDay(date(2026, 10, d), DayKind.HOLIDAY, "国庆节") for d in range(1, 8)]
    + [CalendarDay(date(2026, 10, 10), DayKind.WORKDAY, "国庆节调休上班")]
)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def test_the_month_runs_from_local_midnight_to_local_midnight() -> None:
    start, end = month_bounds(OCTOBER, SHANGHAI)
    assert start == at(1, 0)
    assert end == datetime(2026, 11, 1, tzinfo=SHANGHAI)


def test_overlapping_sessions_count_once_and_are_clipped_to_the_month() -> None:
    start, end = month_bounds(OCTOBER, SHANGHAI)
    spans = [
        SignedInSpan(at(8, 9), at(8, 12)),
        SignedInSpan(at(8, 11), at(8, 12, 30)),  # overlaps the first by an hour
        SignedInSpan(at(31, 23), at(1, 1, 0, month=11)),  # ends at 01:00 on 1 November
    ]
    assert signed_in_duration(spans, start, end) == timedelta(hours=3, minutes=30) + timedelta(hours=1)


def test_days_worked_are_working_days_signed_in_or_on_paid_leave_counted_once() -> None:
    spans = [
        SignedInSpan(at(8, 9), at(8, 12)),
        SignedInSpan(at(8, 13, 30), at(8, 17)),
        SignedInSpan(at(10, 9), at(10, 12)),  # the 调休 Saturday is a working day
        SignedInSpan(at(11, 9), at(11, 12)),  # Sunday 延时服务: extra service, not an extra paid day
        SignedInSpan(at(3, 9), at(3, 12)),  # during the holiday
    ]
    signed = days_signed_in(spans, OCTOBER, SHANGHAI)
    assert signed == {date(2026, 10, d) for d in (3, 8, 10, 11)}
    leave = leave_dates(date(2026, 10, 9), 3, NATIONAL_DAY)  # Friday, the 调休 Saturday, Monday
    assert leave == {date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)}
    assert days_worked(signed, leave, OCTOBER, NATIONAL_DAY) == 4  # 8, 9, 10, 12


def test_a_leave_entered_on_a_holiday_starts_on_the_next_working_day() -> None:
    assert leave_dates(date(2026, 10, 4), 1, NATIONAL_DAY) == {date(2026, 10, 8)}
    with pytest.raises(DomainRuleViolation):
        leave_dates(date(2026, 10, 8), 0, NATIONAL_DAY)


def test_a_session_must_be_aware_and_must_not_end_before_it_starts() -> None:
    with pytest.raises(DomainRuleViolation):
        SignedInSpan(at(8, 12), at(8, 9))
    with pytest.raises(DomainRuleViolation):
        SignedInSpan(datetime(2026, 10, 8, 9), datetime(2026, 10, 8, 10))  # noqa: DTZ001


@given(st.lists(st.tuples(st.integers(0, 30 * 24 * 60), st.integers(0, 600)), max_size=12))
def test_signed_in_time_never_exceeds_the_month_nor_the_sum_of_the_sessions(pairs: list[tuple[int, int]]) -> None:
    start, end = month_bounds(OCTOBER, SHANGHAI)
    spans = [SignedInSpan(start + timedelta(minutes=a), start + timedelta(minutes=a + b)) for a, b in pairs]
    total = signed_in_duration(spans, start, end)
    assert timedelta(0) <= total <= end - start
    assert total <= sum((s.end - s.start for s in spans), timedelta())
    assert days_worked(days_signed_in(spans, OCTOBER, SHANGHAI), (), OCTOBER, NATIONAL_DAY) <= 18
