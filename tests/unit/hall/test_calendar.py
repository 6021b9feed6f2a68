"""The working-day calendar over the real 2026 national schedule (国务院办公厅 holiday notice, as in ``hall.demo``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.demo import HOLIDAYS_2026
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar, national_years_missing
from hall.domain.errors import DomainRuleViolation

pytestmark = pytest.mark.unit

CAL_2026 = WorkingCalendar.of(CalendarDay(on, DayKind(kind), name) for on, kind, name in HOLIDAYS_2026)
PLAIN = WorkingCalendar()

DETERMINISTIC = settings(derandomize=True, max_examples=300, deadline=None)
DAYS_AROUND_2026 = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31))


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- is_working_day -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("on", "is_working", "why"),
    [
        ("2026-03-04", True, "an ordinary Wednesday"),
        ("2026-03-06", True, "an ordinary Friday"),
        ("2026-03-07", False, "an ordinary Saturday"),
        ("2026-03-08", False, "an ordinary Sunday"),
        ("2026-01-01", False, "元旦 on a Thursday"),
        ("2026-01-04", True, "元旦 make-up Sunday"),
        ("2026-02-14", True, "春节 make-up Saturday before the holiday"),
        ("2026-02-16", False, "春节 Monday"),
        ("2026-02-23", False, "last day of 春节, a Monday"),
        ("2026-02-28", True, "春节 make-up Saturday after the holiday"),
        ("2026-04-06", False, "清明 Monday"),
        ("2026-05-01", False, "劳动节 Friday"),
        ("2026-05-05", False, "劳动节 Tuesday"),
        ("2026-05-09", True, "劳动节 make-up Saturday"),
        ("2026-06-19", False, "端午 Friday"),
        ("2026-09-20", True, "国庆 make-up Sunday"),
        ("2026-09-25", False, "中秋 Friday"),
        ("2026-10-01", False, "国庆 Thursday"),
        ("2026-10-05", False, "国庆 Monday"),
        ("2026-10-07", False, "last day of 国庆, a Wednesday"),
        ("2026-10-08", True, "first working day after 国庆"),
        ("2026-10-10", True, "国庆 make-up Saturday"),
        ("2026-10-11", False, "the Sunday after the make-up Saturday"),
    ],
)
def test_a_day_is_working_by_the_week_unless_the_2026_schedule_overrides_it(
    on: str, is_working: bool, why: str
) -> None:
    assert CAL_2026.is_working_day(d(on)) is is_working, why


@DETERMINISTIC
@given(on=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_an_empty_calendar_works_monday_to_friday(on: date) -> None:
    assert PLAIN.is_working_day(on) is (on.weekday() < 5)


def test_an_override_replaces_the_week_in_both_directions() -> None:
    calendar = WorkingCalendar.of(
        [CalendarDay(d("2026-03-04"), DayKind.HOLIDAY, "地方假日"), CalendarDay(d("2026-03-07"), DayKind.WORKDAY)]
    )

    assert not calendar.is_working_day(d("2026-03-04"))
    assert calendar.is_working_day(d("2026-03-07"))


def test_the_last_entry_for_a_date_wins_when_a_day_is_listed_twice() -> None:
    calendar = WorkingCalendar.of(
        [CalendarDay(d("2026-03-07"), DayKind.HOLIDAY), CalendarDay(d("2026-03-07"), DayKind.WORKDAY)]
    )

    assert calendar.is_working_day(d("2026-03-07"))


# --- add_working_days ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-09-30", 1, "2026-10-08"),  # accepted the day before 国庆: due on the first day back
        ("2026-09-30", 2, "2026-10-09"),
        ("2026-09-30", 3, "2026-10-10"),  # the make-up Saturday counts
        ("2026-09-30", 4, "2026-10-12"),
        ("2026-03-06", 1, "2026-03-09"),  # ordinary Friday + 1 = Monday
        ("2026-03-02", 5, "2026-03-09"),  # a plain week
        ("2026-09-18", 1, "2026-09-20"),  # Friday + 1 = the make-up Sunday
        ("2026-02-13", 1, "2026-02-14"),  # Friday + 1 = the make-up Saturday before 春节
        ("2026-02-14", 1, "2026-02-24"),  # over 春节
        ("2026-10-03", 1, "2026-10-08"),  # accepted on a holiday: the holiday itself is not counted
        ("2026-03-04", 0, "2026-03-04"),  # zero days: the same day
        ("2026-10-03", 0, "2026-10-03"),  # zero days: the same day, even a holiday
        ("2026-12-31", 1, "2027-01-01"),  # no 2027 data: an ordinary Friday
    ],
)
def test_a_deadline_in_working_days_skips_weekends_and_holidays_and_counts_make_up_days(
    start: str, days: int, due: str
) -> None:
    assert CAL_2026.add_working_days(d(start), days) == d(due)


def test_a_20_working_day_statutory_limit_from_mid_september_runs_past_national_day() -> None:
    # Sep 21–24 (4), Sep 28–30 (3), Oct 8–10 (3), Oct 12–16 (5), Oct 19–23 (5) = 20 working days.
    assert CAL_2026.add_working_days(d("2026-09-18"), 21) == d("2026-10-23")
    assert CAL_2026.add_working_days(d("2026-09-20"), 20) == d("2026-10-23")


@pytest.mark.parametrize("days", [-1, -20])
def test_a_negative_number_of_working_days_is_refused_naming_the_field(days: int) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        CAL_2026.add_working_days(d("2026-03-04"), days)

    assert caught.value.field == "days"


@DETERMINISTIC
@given(start=DAYS_AROUND_2026, days=st.integers(min_value=1, max_value=60))
def test_a_positive_deadline_always_falls_on_a_working_day_after_the_start(start: date, days: int) -> None:
    due = CAL_2026.add_working_days(start, days)

    assert due > start
    assert CAL_2026.is_working_day(due)


@DETERMINISTIC
@given(start=DAYS_AROUND_2026, days=st.integers(min_value=0, max_value=60))
def test_counting_back_from_a_deadline_gives_the_days_added(start: date, days: int) -> None:
    assert CAL_2026.working_days_between(start, CAL_2026.add_working_days(start, days)) == days


def test_next_working_day_is_strictly_after_the_given_day() -> None:
    assert CAL_2026.next_working_day(d("2026-03-04")) == d("2026-03-05")
    assert CAL_2026.next_working_day(d("2026-09-30")) == d("2026-10-08")


def test_a_calendar_without_working_days_is_refused_rather_than_scanned_forever() -> None:
    start = d("2026-01-01")
    all_off = WorkingCalendar.of(CalendarDay(start + timedelta(days=i), DayKind.HOLIDAY) for i in range(4000))

    with pytest.raises(DomainRuleViolation) as caught:
        all_off.add_working_days(start, 1)

    assert caught.value.field == "calendar"


# --- working_days_between -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2026-03-04", "2026-03-04", 0),
        ("2026-03-04", "2026-03-05", 1),
        ("2026-03-06", "2026-03-09", 1),  # Friday → Monday
        ("2026-03-02", "2026-03-09", 5),
        ("2026-09-30", "2026-10-08", 1),  # over 国庆
        ("2026-09-30", "2026-10-10", 3),  # the make-up Saturday counts
        ("2026-10-01", "2026-10-07", 0),  # inside the holiday
        ("2026-10-08", "2026-09-30", -1),  # backwards is negative
        ("2026-10-10", "2026-09-30", -3),
        ("2026-03-09", "2026-03-06", -1),
    ],
)
def test_working_days_between_counts_the_working_days_after_start_up_to_end(start: str, end: str, count: int) -> None:
    assert CAL_2026.working_days_between(d(start), d(end)) == count


@DETERMINISTIC
@given(a=DAYS_AROUND_2026, b=DAYS_AROUND_2026)
def test_working_days_between_is_anti_symmetric(a: date, b: date) -> None:
    assert CAL_2026.working_days_between(a, b) == -CAL_2026.working_days_between(b, a)


@DETERMINISTIC
@given(a=DAYS_AROUND_2026, b=DAYS_AROUND_2026, c=DAYS_AROUND_2026)
def test_working_days_between_adds_up_over_an_intermediate_day_in_any_order(a: date, b: date, c: date) -> None:
    between = CAL_2026.working_days_between
    assert between(a, b) + between(b, c) == between(a, c)


@DETERMINISTIC
@given(a=DAYS_AROUND_2026, b=DAYS_AROUND_2026)
def test_working_days_between_never_exceeds_the_calendar_days_between(a: date, b: date) -> None:
    assert abs(CAL_2026.working_days_between(a, b)) <= abs((b - a).days)


# --- is_month_end -------------------------------------------------------------------------------------------------
MONTH_END_JUNE_HOLIDAY = WorkingCalendar.of(
    [
        CalendarDay(d("2026-06-29"), DayKind.HOLIDAY, "地方假日"),
        CalendarDay(d("2026-06-30"), DayKind.HOLIDAY, "地方假日"),
    ]
)


@pytest.mark.parametrize(
    ("calendar", "on", "last_days", "is_month_end"),
    [
        # September 2026: 中秋 Sep 25–27, so the last three working days are Sep 28, 29, 30.
        (CAL_2026, "2026-09-30", 3, True),
        (CAL_2026, "2026-09-28", 3, True),
        (CAL_2026, "2026-09-24", 3, False),
        (CAL_2026, "2026-09-24", 4, True),
        (CAL_2026, "2026-09-26", 3, False),  # a holiday is never a month-end day
        # February 2026: the make-up Saturday Feb 28 is the last working day.
        (CAL_2026, "2026-02-28", 3, True),
        (CAL_2026, "2026-02-26", 3, True),
        (CAL_2026, "2026-02-25", 3, False),
        (CAL_2026, "2026-02-27", 1, False),
        (CAL_2026, "2026-02-28", 1, True),
        # May 2026 ends on a weekend: the last working days are Wed 27 – Fri 29.
        (CAL_2026, "2026-05-29", 3, True),
        (CAL_2026, "2026-05-27", 3, True),
        (CAL_2026, "2026-05-26", 3, False),
        (CAL_2026, "2026-05-30", 3, False),
        # December runs into the next year.
        (CAL_2026, "2026-12-31", 3, True),
        (CAL_2026, "2026-12-28", 3, False),
        # Holidays on the last two days of June push the month end back to Wed 24 – Fri 26.
        (MONTH_END_JUNE_HOLIDAY, "2026-06-26", 3, True),
        (MONTH_END_JUNE_HOLIDAY, "2026-06-24", 3, True),
        (MONTH_END_JUNE_HOLIDAY, "2026-06-23", 3, False),
        (MONTH_END_JUNE_HOLIDAY, "2026-06-30", 3, False),
    ],
)
def test_month_end_is_the_last_few_working_days_of_the_month(
    calendar: WorkingCalendar, on: str, last_days: int, is_month_end: bool
) -> None:
    assert calendar.is_month_end(d(on), last_days) is is_month_end


@DETERMINISTIC
@given(month=st.integers(min_value=1, max_value=12), last_days=st.integers(min_value=1, max_value=5))
def test_every_month_of_2026_has_exactly_the_asked_number_of_month_end_days(month: int, last_days: int) -> None:
    first = date(2026, month, 1)
    days = [first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == month]

    assert sum(CAL_2026.is_month_end(on, last_days) for on in days) == last_days


# --- is_after_long_break ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("on", "min_days_off", "is_after"),
    [
        ("2026-10-08", 3, True),  # after 国庆 (7 days off)
        ("2026-02-24", 3, True),  # after 春节 (9 days off)
        ("2026-05-06", 3, True),  # after 劳动节 (5 days off)
        ("2026-04-07", 3, True),  # after 清明 (Sat–Mon)
        ("2026-09-28", 3, True),  # after 中秋 (Fri–Sun)
        ("2026-06-22", 3, True),  # after 端午 (Fri–Sun)
        ("2026-01-04", 3, True),  # the make-up Sunday right after 元旦 (Jan 1–3)
        ("2026-03-09", 3, False),  # an ordinary Monday after a 2-day weekend
        ("2026-03-09", 2, True),  # ... unless two days are a long break
        ("2026-03-10", 1, False),  # an ordinary Tuesday follows a working day
        ("2026-01-05", 3, False),  # Monday after the make-up Sunday
        ("2026-09-21", 3, False),  # Monday after the make-up Sunday
        ("2026-10-12", 3, False),  # Monday after the make-up Saturday: only Sunday off
        ("2026-10-09", 3, False),  # second day back after 国庆
        ("2026-10-03", 3, False),  # a holiday is not a working day at all
    ],
)
def test_a_working_day_after_enough_days_off_is_after_a_long_break(on: str, min_days_off: int, is_after: bool) -> None:
    assert CAL_2026.is_after_long_break(d(on), min_days_off) is is_after


def test_the_default_long_break_is_three_days_off() -> None:
    assert CAL_2026.is_after_long_break(d("2026-10-08"))
    assert not CAL_2026.is_after_long_break(d("2026-03-09"))


@pytest.mark.parametrize(
    ("today", "entered", "missing"),
    [
        ("2026-11-22", {2026}, (2027,)),  # next year's notice is due from November
        ("2026-10-31", {2026}, ()),  # ... not before
        ("2026-11-01", {2026}, (2027,)),
        ("2026-11-22", {2026, 2027}, ()),
        ("2027-01-04", {2026}, (2027,)),  # a new year without its days: every weekday a working day
        ("2026-03-01", set(), (2026,)),
        ("2026-12-31", set(), (2026, 2027)),
    ],
)
def test_the_years_a_national_calendar_should_hold_by_a_day(today: str, entered: set[int], missing: tuple[int]) -> None:
    assert national_years_missing(d(today), entered) == missing
