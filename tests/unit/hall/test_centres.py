"""Centres: opening sessions, open/closed moments over the 2026 calendar, the waiting promise and hall rules."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.demo import COUNTY_SESSIONS, HOLIDAYS_2026
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.centres import (
    DEFAULT_PRIORITY_GROUPS,
    CentreLevel,
    HallRules,
    OpeningSession,
    WaitingPromise,
    check_parent_level,
    check_sessions,
    is_open,
    is_within_scope,
    sessions_on,
)
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup

pytestmark = pytest.mark.unit

CAL_2026 = WorkingCalendar.of(CalendarDay(on, DayKind(kind), name) for on, kind, name in HOLIDAYS_2026)
SHANGHAI = ZoneInfo("Asia/Shanghai")
DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)


def hhmm(text: str) -> time:
    return time.fromisoformat(text)


def weekday_sessions(*weekdays: int) -> list[OpeningSession]:
    """Morning 09:00–12:00 and afternoon 13:30–17:00 (lunch closed) on the given weekdays."""
    return [
        session
        for day in weekdays
        for session in (
            OpeningSession(day, hhmm("09:00"), hhmm("12:00")),
            OpeningSession(day, hhmm("13:30"), hhmm("17:00")),
        )
    ]


MON_FRI = weekday_sessions(0, 1, 2, 3, 4)


# --- OpeningSession -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weekday", [0, 3, 6])
def test_a_session_may_fall_on_any_weekday_from_monday_to_sunday(weekday: int) -> None:
    assert OpeningSession(weekday, hhmm("09:00"), hhmm("12:00")).weekday == weekday


@pytest.mark.parametrize("weekday", [-1, 7, 42])
def test_a_session_on_a_weekday_outside_0_to_6_is_refused_naming_the_weekday(weekday: int) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        OpeningSession(weekday, hhmm("09:00"), hhmm("12:00"))

    assert caught.value.field == "weekday"


@pytest.mark.parametrize(("opens", "closes"), [("09:00", "09:00"), ("12:00", "09:00"), ("00:01", "00:00")])
def test_a_session_that_does_not_close_after_it_opens_is_refused_naming_closes_at(opens: str, closes: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        OpeningSession(0, hhmm(opens), hhmm(closes))

    assert caught.value.field == "closesAt"


# --- check_sessions -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sessions",
    [
        [],
        MON_FRI,
        [OpeningSession(0, hhmm("09:00"), hhmm("12:00")), OpeningSession(0, hhmm("12:00"), hhmm("17:00"))],
        [OpeningSession(0, hhmm("09:00"), hhmm("17:00")), OpeningSession(1, hhmm("09:00"), hhmm("17:00"))],
        [OpeningSession(0, hhmm("13:30"), hhmm("17:00")), OpeningSession(0, hhmm("09:00"), hhmm("12:00"))],
    ],
    ids=["none", "weekdays with lunch", "touching", "same hours on two days", "listed out of order"],
)
def test_sessions_that_do_not_overlap_on_any_day_are_accepted(sessions: list[OpeningSession]) -> None:
    check_sessions(sessions)


@pytest.mark.parametrize(
    "sessions",
    [
        [OpeningSession(2, hhmm("09:00"), hhmm("12:00")), OpeningSession(2, hhmm("11:59"), hhmm("17:00"))],
        [OpeningSession(2, hhmm("09:00"), hhmm("17:00")), OpeningSession(2, hhmm("10:00"), hhmm("11:00"))],
        [OpeningSession(2, hhmm("09:00"), hhmm("12:00")), OpeningSession(2, hhmm("09:00"), hhmm("10:00"))],
        [
            OpeningSession(2, hhmm("08:00"), hhmm("18:00")),
            OpeningSession(2, hhmm("09:00"), hhmm("10:00")),
            OpeningSession(2, hhmm("11:00"), hhmm("12:00")),
        ],
        [*MON_FRI, OpeningSession(2, hhmm("16:00"), hhmm("19:00"))],
    ],
    ids=["one minute overlap", "contained", "same opening", "long session around two", "extended hours clash"],
)
def test_overlapping_sessions_on_one_weekday_are_refused_naming_sessions(sessions: list[OpeningSession]) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        check_sessions(sessions)

    assert caught.value.field == "sessions"
    assert "weekday 2" in caught.value.reason


MINUTES = st.integers(min_value=0, max_value=24 * 60 - 2)


@st.composite
def day_sessions(draw: st.DrawFn) -> list[OpeningSession]:
    count = draw(st.integers(min_value=0, max_value=4))
    result = []
    for _ in range(count):
        start = draw(MINUTES)
        end = draw(st.integers(min_value=start + 1, max_value=24 * 60 - 1))
        result.append(OpeningSession(0, time(start // 60, start % 60), time(end // 60, end % 60)))
    return result


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@DETERMINISTIC
@given(sessions=day_sessions())
def test_sessions_are_refused_exactly_when_some_minute_is_covered_twice(sessions: list[OpeningSession]) -> None:
    covered = [0] * (24 * 60)
    for s in sessions:
        for minute in range(_minutes(s.opens_at), _minutes(s.closes_at)):
            covered[minute] += 1
    overlapping = any(c > 1 for c in covered)

    try:
        check_sessions(sessions)
        refused = False
    except DomainRuleViolation:
        refused = True

    assert refused is overlapping


# --- sessions_on --------------------------------------------------------------------------------------------------
def test_a_working_weekday_has_its_own_sessions_in_opening_order() -> None:
    sessions = [OpeningSession(2, hhmm("13:30"), hhmm("17:00")), OpeningSession(2, hhmm("09:00"), hhmm("12:00"))]

    assert sessions_on(sessions, CAL_2026, date(2026, 3, 4)) == [sessions[1], sessions[0]]


@pytest.mark.parametrize(
    ("on", "why"),
    [
        (date(2026, 10, 1), "国庆 Thursday"),
        (date(2026, 10, 5), "国庆 Monday"),
        (date(2026, 2, 16), "春节 Monday"),
        (date(2026, 3, 7), "an ordinary Saturday"),
        (date(2026, 3, 8), "an ordinary Sunday"),
    ],
)
def test_a_non_working_day_has_no_sessions(on: date, why: str) -> None:
    assert sessions_on(MON_FRI, CAL_2026, on) == [], why


@pytest.mark.parametrize("on", [date(2026, 10, 10), date(2026, 9, 20), date(2026, 2, 14), date(2026, 2, 28)])
def test_a_make_up_weekend_workday_without_sessions_of_its_own_uses_mondays(on: date) -> None:
    sessions = [
        OpeningSession(0, hhmm("08:30"), hhmm("12:00")),
        OpeningSession(1, hhmm("09:00"), hhmm("12:00")),
        OpeningSession(4, hhmm("09:00"), hhmm("16:00")),
    ]

    assert sessions_on(sessions, CAL_2026, on) == [sessions[0]]


def test_a_make_up_saturday_runs_the_weekday_schedule_even_where_saturday_hours_are_published() -> None:
    saturday = OpeningSession(5, hhmm("09:00"), hhmm("12:00"))

    mondays = [s for s in MON_FRI if s.weekday == 0]
    assert sessions_on([*MON_FRI, saturday], CAL_2026, date(2026, 10, 10)) == mondays


def test_a_make_up_saturday_of_a_centre_without_monday_sessions_has_none() -> None:
    assert sessions_on(weekday_sessions(1, 2), CAL_2026, date(2026, 10, 10)) == []


DEMO_COUNTY = [OpeningSession(day, opens, closes) for day, opens, closes in COUNTY_SESSIONS]


def test_a_centre_with_published_saturday_sessions_is_open_on_an_ordinary_saturday_morning() -> None:
    ordinary_saturday = date(2026, 3, 7)

    assert sessions_on(DEMO_COUNTY, CAL_2026, ordinary_saturday) == [DEMO_COUNTY[-1]]


def test_published_saturday_sessions_do_not_open_a_centre_on_a_holiday_saturday() -> None:
    assert sessions_on(DEMO_COUNTY, CAL_2026, date(2026, 10, 3)) == []


# --- is_open ------------------------------------------------------------------------------------------------------
def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "is_open_then"),
    [
        ("2026-03-04T08:59:59", False),
        ("2026-03-04T09:00:00", True),  # open at opens_at
        ("2026-03-04T11:59:59", True),
        ("2026-03-04T12:00:00", False),  # closed at closes_at: lunch break starts
        ("2026-03-04T12:45:00", False),  # lunch break
        ("2026-03-04T13:30:00", True),
        ("2026-03-04T16:59:59.999999", True),
        ("2026-03-04T17:00:00", False),  # closed at closes_at
        ("2026-03-04T20:00:00", False),
        ("2026-03-07T10:00:00", False),  # ordinary Saturday
        ("2026-10-01T10:00:00", False),  # 国庆
        ("2026-10-08T10:00:00", True),  # first day back
        ("2026-10-10T10:00:00", True),  # make-up Saturday with Monday's hours
        ("2026-10-10T12:30:00", False),  # ... and Monday's lunch break
        ("2026-09-20T09:00:00", True),  # make-up Sunday
    ],
)
def test_a_centre_is_open_from_opening_up_to_but_not_at_closing(moment: str, is_open_then: bool) -> None:
    assert is_open(MON_FRI, CAL_2026, at(moment)) is is_open_then


def test_a_naive_moment_is_refused_naming_now() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        is_open(MON_FRI, CAL_2026, datetime(2026, 3, 4, 10, 0))  # noqa: DTZ001 - the point of the test

    assert caught.value.field == "now"


def test_the_local_wall_clock_decides_whatever_the_fixed_offset() -> None:
    fixed = timezone(timedelta(hours=8))

    assert is_open(MON_FRI, CAL_2026, datetime(2026, 3, 4, 9, 0, tzinfo=fixed))
    assert not is_open(MON_FRI, CAL_2026, datetime(2026, 3, 4, 9, 0, tzinfo=fixed) - timedelta(microseconds=1))


def test_a_centre_without_sessions_is_never_open() -> None:
    assert not is_open([], CAL_2026, at("2026-03-04T10:00:00"))


# --- WaitingPromise -----------------------------------------------------------------------------------------------
def test_the_default_promise_is_80_percent_within_15_minutes_and_a_mean_of_10() -> None:
    promise = WaitingPromise()

    assert (promise.share_within, promise.within_minutes, promise.mean_minutes) == (0.80, 15, 10)
    assert promise.within == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"share_within": 0.0}, "promise.shareWithin"),
        ({"share_within": -0.1}, "promise.shareWithin"),
        ({"share_within": 1.01}, "promise.shareWithin"),
        ({"share_within": float("nan")}, "promise.shareWithin"),
        ({"within_minutes": 0}, "promise.withinMinutes"),
        ({"within_minutes": -5}, "promise.withinMinutes"),
        ({"mean_minutes": 0}, "promise.meanMinutes"),
        ({"mean_minutes": -1}, "promise.meanMinutes"),
    ],
)
def test_an_impossible_promise_is_refused_naming_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        WaitingPromise(**kwargs)  # type: ignore[arg-type]

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("share", "within", "mean"),
    [(1.0, 1, 1), (0.01, 15, None), (0.9, 30, 20)],
)
def test_a_promise_within_range_is_accepted(share: float, within: int, mean: int | None) -> None:
    assert WaitingPromise(share, within, mean).within_minutes == within


@pytest.mark.parametrize(
    ("promise", "text"),
    [
        (WaitingPromise(), "80% 在 15 分钟内叫号，平均等候不超过 10 分钟"),
        (WaitingPromise(0.9, 20, None), "90% 在 20 分钟内叫号"),
        (WaitingPromise(1.0, 30, 12), "100% 在 30 分钟内叫号，平均等候不超过 12 分钟"),
        (WaitingPromise(0.95, 10, 5), "95% 在 10 分钟内叫号，平均等候不超过 5 分钟"),
    ],
)
def test_a_promise_is_described_in_chinese_with_the_mean_only_when_set(promise: WaitingPromise, text: str) -> None:
    assert promise.describe_zh() == text


# --- HallRules ----------------------------------------------------------------------------------------------------
def test_the_default_rules_are_valid_and_honour_every_priority_group() -> None:
    rules = HallRules()

    assert rules.priority_groups == DEFAULT_PRIORITY_GROUPS
    assert set(rules.priority_groups) == set(PriorityGroup)
    assert rules.priority_groups[0] is PriorityGroup.EMERGENCY


OUT_OF_RANGE = [
    ("fairness_max_priority_in_row", 0, "rules.fairnessMaxPriorityInRow"),
    ("fairness_wait_minutes", -1, "rules.fairnessWaitMinutes"),
    ("elderly_age", 49, "rules.elderlyAge"),
    ("elderly_age", 101, "rules.elderlyAge"),
    ("max_recalls", -1, "rules.maxRecalls"),
    ("no_show_reinstate_minutes", -1, "rules.noShowReinstateMinutes"),
    ("daily_ticket_cap", 0, "rules.dailyTicketCap"),
    ("daily_ticket_cap", -10, "rules.dailyTicketCap"),
    ("appointment_checkin_early_minutes", -1, "rules.appointmentCheckinEarlyMinutes"),
    ("appointment_checkin_late_minutes", -1, "rules.appointmentCheckinLateMinutes"),
    ("appointment_cancel_before_minutes", -1, "rules.appointmentCancelBeforeMinutes"),
    ("appointment_horizon_days", 0, "rules.appointmentHorizonDays"),
    ("appointment_no_show_limit", 0, "rules.appointmentNoShowLimit"),
    ("appointment_no_show_window_days", 0, "rules.appointmentNoShowWindowDays"),
    ("appointment_ban_days", -1, "rules.appointmentBanDays"),
    ("notify_people_ahead", -1, "rules.notifyPeopleAhead"),
    ("notify_people_ahead", 51, "rules.notifyPeopleAhead"),
    ("alert_waiting_per_window", 0, "rules.alertWaitingPerWindow"),
    ("alert_pause_minutes", 0, "rules.alertPauseMinutes"),
]


@pytest.mark.parametrize(("name", "value", "field"), OUT_OF_RANGE)
def test_an_out_of_range_rule_is_refused_naming_it_in_camel_case(name: str, value: int, field: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        HallRules(**{name: value})  # type: ignore[arg-type]

    assert caught.value.field == field


def test_every_numeric_rule_is_range_checked() -> None:
    numeric = {f.name for f in fields(HallRules) if f.name not in {"calling_policy", "priority_groups"}}

    assert numeric == {name for name, _, _ in OUT_OF_RANGE}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("fairness_max_priority_in_row", 1),
        ("fairness_wait_minutes", 0),
        ("elderly_age", 50),
        ("elderly_age", 100),
        ("max_recalls", 0),
        ("no_show_reinstate_minutes", 0),
        ("daily_ticket_cap", None),
        ("daily_ticket_cap", 1),
        ("appointment_checkin_early_minutes", 0),
        ("appointment_checkin_late_minutes", 0),
        ("appointment_cancel_before_minutes", 0),
        ("appointment_horizon_days", 1),
        ("appointment_no_show_limit", 1),
        ("appointment_no_show_window_days", 1),
        ("appointment_ban_days", 0),
        ("alert_waiting_per_window", 1),
        ("alert_pause_minutes", 1),
    ],
)
def test_a_rule_at_the_edge_of_its_range_is_accepted(name: str, value: int | None) -> None:
    assert getattr(HallRules(**{name: value}), name) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "groups",
    [(), (PriorityGroup.MILITARY, PriorityGroup.ELDERLY), tuple(g for g in PriorityGroup if g != "emergency")],
)
def test_rules_that_drop_the_emergency_group_are_refused(groups: tuple[PriorityGroup, ...]) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        HallRules(priority_groups=groups)

    assert caught.value.field == "rules.priorityGroups"


def test_rules_may_honour_only_the_emergency_group() -> None:
    assert HallRules(priority_groups=(PriorityGroup.EMERGENCY,)).priority_groups == (PriorityGroup.EMERGENCY,)


# --- hierarchy ----------------------------------------------------------------------------------------------------
LEVELS = [CentreLevel.CITY, CentreLevel.COUNTY, CentreLevel.TOWNSHIP, CentreLevel.VILLAGE]


@pytest.mark.parametrize("level", LEVELS)
def test_a_centre_of_any_level_may_be_a_root(level: CentreLevel) -> None:
    check_parent_level(level, None)


@pytest.mark.parametrize(
    ("level", "parent", "is_allowed"),
    [(level, parent, LEVELS.index(parent) < LEVELS.index(level)) for level in LEVELS for parent in LEVELS],
    ids=str,
)
def test_a_centre_sits_only_under_a_centre_of_a_higher_level(
    level: CentreLevel, parent: CentreLevel, is_allowed: bool
) -> None:
    if is_allowed:
        check_parent_level(level, parent)
        return
    with pytest.raises(DomainRuleViolation) as caught:
        check_parent_level(level, parent)
    assert caught.value.field == "parentCode"


def test_a_village_station_may_sit_directly_under_a_county_centre() -> None:
    check_parent_level(CentreLevel.VILLAGE, CentreLevel.COUNTY)


@pytest.mark.parametrize(
    ("path", "scope", "is_within"),
    [
        (["SFX", "SFX-QS", "SFX-QS-01"], "SFX", True),
        (["SFX", "SFX-QS", "SFX-QS-01"], "SFX-QS-01", True),
        (["SFX", "SFX-QS"], "SFX-QS-01", False),
        (["SFX", "SFX-QS"], "SF", False),
    ],
)
def test_a_centre_is_within_the_scope_of_itself_and_its_ancestors(path: list[str], scope: str, is_within: bool) -> None:
    assert is_within_scope(path, scope) is is_within
