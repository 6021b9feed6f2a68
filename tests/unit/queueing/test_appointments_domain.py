"""Appointment rules: slots from opening sessions, the booking horizon, bans, cancellation, check-in, masking and
the 居民身份证 check character."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.demo import COUNTY_SESSIONS, HOLIDAYS_2026
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.centres import HallRules, OpeningSession
from hall.domain.errors import ConflictError, DomainRuleViolation
from queueing.domain.appointments import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AppointmentStatus,
    ban_ends_on,
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
    identity_check_character,
    is_appointment_code,
    is_banned,
    is_no_show,
    last_bookable_day,
    mask_name,
    mask_phone,
    plan_slots,
)

pytestmark = pytest.mark.unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL_2026 = WorkingCalendar.of(CalendarDay(on, DayKind(kind), name) for on, kind, name in HOLIDAYS_2026)
SESSIONS = tuple(OpeningSession(d, a, b) for d, a, b in COUNTY_SESSIONS)  # Mon–Fri 9–12, 13:30–17; Sat 9–12
RULES = HallRules()  # 30 min early, 15 late, cancel 120 min before, 5 working days, 2 no-shows in 90 days → 90
MONDAY = date(2026, 11, 23)
DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=SHANGHAI)


def starts(slots: list, fmt: str = "%H:%M") -> list[str]:
    return [s.starts_at.strftime(fmt) for s in slots]


# --- slots ---
@pytest.mark.parametrize(
    ("day", "minutes", "expected"),
    [
        (MONDAY, 60, ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]),
        (MONDAY, 90, ["09:00", "10:30", "13:30", "15:00"]),
        (MONDAY, 40, ["09:00", "09:40", "10:20", "11:00", "13:30", "14:10", "14:50", "15:30", "16:10"]),
        (date(2026, 11, 28), 60, ["09:00", "10:00", "11:00"]),  # Saturday morning service (周末服务)
        (date(2026, 11, 29), 60, []),  # Sunday
        (date(2026, 10, 1), 60, []),  # 国庆节, a Thursday
        (date(2026, 10, 10), 60, ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]),  # 调休上班 Saturday
    ],
)
def test_slots_are_cut_from_the_days_sessions_and_a_short_remainder_is_not_offered(
    day: date, minutes: int, expected: list[str]
) -> None:
    slots = plan_slots(SESSIONS, CAL_2026, day, minutes, 3, zone=SHANGHAI)
    assert starts(slots) == expected
    assert all(s.capacity == 3 and s.ends_at - s.starts_at == timedelta(minutes=minutes) for s in slots)
    assert all(s.starts_at.date() == day for s in slots)


@pytest.mark.parametrize(
    ("minutes", "capacity", "field"),
    [(9, 1, "slotMinutes"), (241, 1, "slotMinutes"), (60, 0, "capacity"), (60, 201, "capacity")],
)
def test_a_slot_shape_out_of_range_is_refused_naming_the_field(minutes: int, capacity: int, field: str) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        plan_slots(SESSIONS, CAL_2026, MONDAY, minutes, capacity, zone=SHANGHAI)
    assert refused.value.field == field


@DETERMINISTIC
@given(
    minutes=st.integers(min_value=10, max_value=240),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_slots_never_overlap_and_always_fit_inside_an_opening_session(minutes: int, day: date) -> None:
    slots = plan_slots(SESSIONS, CAL_2026, day, minutes, 1, zone=SHANGHAI)
    for first, second in itertools.pairwise(slots):
        assert first.ends_at <= second.starts_at
    for slot in slots:
        local_start, local_end = slot.starts_at.timetz().replace(tzinfo=None), slot.ends_at.time()
        assert any(s.opens_at <= local_start and local_end <= s.closes_at for s in SESSIONS)
    if not CAL_2026.is_working_day(day) and day.weekday() == 6:
        assert slots == []


def test_slots_cannot_be_opened_for_a_day_that_has_passed_but_today_is_fine() -> None:
    check_opening_day(MONDAY, MONDAY)
    with pytest.raises(DomainRuleViolation) as refused:
        check_opening_day(MONDAY - timedelta(days=1), MONDAY)
    assert refused.value.field == "day"


def test_capacity_may_be_lowered_to_the_bookings_held_but_not_below() -> None:
    check_capacity_change(3, 3, at(MONDAY, "09:00"))
    with pytest.raises(ConflictError) as refused:
        check_capacity_change(2, 3, at(MONDAY, "09:00"))
    assert refused.value.field == "capacity"
    assert "09:00" in refused.value.reason


@pytest.mark.parametrize(("capacity", "booked", "room"), [(1, 0, True), (3, 2, True), (3, 3, False), (2, 5, False)])
def test_a_slot_has_room_only_below_its_capacity(capacity: int, booked: int, room: bool) -> None:
    assert has_room(capacity, booked) is room


# --- booking horizon ---
@pytest.mark.parametrize(
    ("today", "last"),
    [
        (MONDAY, date(2026, 11, 30)),  # Tue–Fri and the next Monday; Saturday is no working day
        (date(2026, 9, 30), date(2026, 10, 13)),  # over 国庆: 8, 9, 10 (调休), 12, 13 October
        (date(2026, 11, 27), date(2026, 12, 4)),  # a Friday
    ],
)
def test_the_booking_horizon_counts_working_days_from_the_calendar(today: date, last: date) -> None:
    assert last_bookable_day(today, CAL_2026, RULES) == last


@pytest.mark.parametrize(
    ("starts_at", "ok"),
    [
        (at(MONDAY, "10:00"), False),  # starts right now
        (at(MONDAY, "09:00"), False),  # already over
        (at(MONDAY, "11:00"), True),  # later today: same-day booking is allowed
        (at(date(2026, 11, 28), "09:00"), True),  # Saturday service inside the horizon
        (at(date(2026, 11, 30), "16:00"), True),  # the last day of the horizon
        (at(date(2026, 12, 1), "09:00"), False),  # one working day too far
    ],
)
def test_a_visitor_books_a_slot_ahead_of_now_and_within_the_horizon(starts_at: datetime, ok: bool) -> None:
    now = at(MONDAY, "10:00")
    if ok:
        check_bookable(starts_at, now=now, zone=SHANGHAI, calendar=CAL_2026, rules=RULES)
        return
    with pytest.raises(DomainRuleViolation) as refused:
        check_bookable(starts_at, now=now, zone=SHANGHAI, calendar=CAL_2026, rules=RULES)
    assert refused.value.field == "startsAt"


def test_a_person_may_hold_one_active_booking_per_day() -> None:
    check_one_booking_per_day({MONDAY}, MONDAY + timedelta(days=1))
    with pytest.raises(ConflictError) as refused:
        check_one_booking_per_day({MONDAY}, MONDAY)
    assert refused.value.field == "identityNumber"


# --- no-show bans ---
D0 = date(2026, 6, 1)


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=n) for n in offsets]


@pytest.mark.parametrize(
    ("no_shows", "today", "banned"),
    [
        ([], 0, False),
        ([0], 1, False),  # one no-show is a warning, not a ban
        ([0, 10], 10, True),  # the second within 90 days bans from that day …
        ([0, 10], 99, True),
        ([0, 10], 100, False),  # … for 90 days
        ([0, 89], 100, True),  # 89 days apart is within the window
        ([0, 90], 100, False),  # 90 days apart is not
        ([0, 10, 101], 105, False),  # the no-shows that caused a ban are spent
        ([0, 10, 101, 110], 111, True),  # two fresh ones ban again
        ([0, 10], 5, False),  # a future no-show (bad data) never bans the past
    ],
)
def test_two_no_shows_within_ninety_days_ban_booking_for_ninety_days(
    no_shows: list[int], today: int, banned: bool
) -> None:
    assert is_banned(days(*no_shows), D0 + timedelta(days=today), RULES) is banned


def test_the_ban_follows_the_centres_rules_and_names_its_end() -> None:
    strict = HallRules(appointment_no_show_limit=3, appointment_no_show_window_days=30, appointment_ban_days=7)
    assert not is_banned(days(0, 10), D0 + timedelta(days=10), strict)
    assert is_banned(days(0, 10, 20), D0 + timedelta(days=26), strict)
    assert not is_banned(days(0, 10, 20), D0 + timedelta(days=27), strict)
    assert ban_ends_on(days(0, 10, 20), strict) == D0 + timedelta(days=27)
    assert ban_ends_on(days(0, 10), strict) is None
    with pytest.raises(ConflictError) as refused:
        check_not_banned(days(0, 10, 20), D0 + timedelta(days=21), strict)
    assert refused.value.field == "identityNumber"
    assert (D0 + timedelta(days=27)).isoformat() in refused.value.reason


@DETERMINISTIC
@given(offsets=st.lists(st.integers(min_value=0, max_value=400), max_size=8), today=st.integers(0, 500))
def test_fewer_no_shows_than_the_limit_never_ban(offsets: list[int], today: int) -> None:
    on = D0 + timedelta(days=today)
    past = [d for d in days(*offsets) if d <= on]
    if len(past) < RULES.appointment_no_show_limit:
        assert not is_banned(days(*offsets), on, RULES)
    if is_banned(days(*offsets), on, RULES):
        assert on - max(past) < timedelta(days=RULES.appointment_ban_days)


# --- cancellation, check-in and no-shows ---
SLOT_START, SLOT_END = at(MONDAY, "14:30"), at(MONDAY, "15:30")


@pytest.mark.parametrize(
    ("now", "ok"),
    [(at(MONDAY, "10:00"), True), (at(MONDAY, "12:30"), True), (at(MONDAY, "12:31"), False), (SLOT_START, False)],
)
def test_a_booking_may_be_cancelled_until_two_hours_before_its_slot(now: datetime, ok: bool) -> None:
    assert cancel_deadline(SLOT_START, RULES) == at(MONDAY, "12:30")
    if ok:
        check_cancellation(AppointmentStatus.BOOKED, SLOT_START, now, RULES)
        return
    with pytest.raises(ConflictError) as refused:
        check_cancellation(AppointmentStatus.BOOKED, SLOT_START, now, RULES)
    assert refused.value.field == "code"


@pytest.mark.parametrize(
    "status", [AppointmentStatus.CANCELLED, AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW]
)
def test_only_an_open_booking_may_be_cancelled(status: AppointmentStatus) -> None:
    with pytest.raises(ConflictError) as refused:
        check_cancellation(status, SLOT_START, at(MONDAY, "09:00"), RULES)
    assert refused.value.field == "code"
    assert status.value in refused.value.reason


def test_check_in_runs_from_half_an_hour_before_until_a_quarter_hour_after_the_slot() -> None:
    assert checkin_window(SLOT_START, SLOT_END, RULES) == (at(MONDAY, "14:00"), at(MONDAY, "15:45"))


@pytest.mark.parametrize(
    ("now", "no_show"),
    [(at(MONDAY, "15:30"), False), (at(MONDAY, "15:45"), False), (at(MONDAY, "15:45:01"), True)],
)
def test_a_booking_becomes_a_no_show_once_its_check_in_window_has_closed(now: datetime, no_show: bool) -> None:
    assert is_no_show(SLOT_END, now, RULES) is no_show


# --- personal data ---
@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("王", "*"), ("欧阳娜娜", "欧***"), ("买买提·艾力", "买*****"), ("", "")],
)
def test_a_name_shows_only_its_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@DETERMINISTIC
@given(name=st.text(min_size=1, max_size=50))
def test_a_masked_name_keeps_its_length_and_reveals_at_most_one_character(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked[1:] == "*" * (len(name) - 1)
    assert masked[0] == (name[0] if len(name) > 1 else "*")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("075512345678", "075*****5678"), ("1234567", "*****67")],
)
def test_a_phone_number_hides_its_middle(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@DETERMINISTIC
@given(phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_mobile_number_reveals_only_the_first_three_and_last_four_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == 11
    assert masked == phone[:3] + "****" + phone[-4:]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138-1234-5678 ", "13812345678"),
        ("0755-12345678", "075512345678"),
        ("010 6512 3456", "01065123456"),
    ],
)
def test_a_mobile_or_landline_number_is_kept_as_digits(raw: str, expected: str) -> None:
    assert check_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "+8613812345678", "abc", "12345"])
def test_a_phone_number_of_no_known_shape_is_refused_naming_it(raw: str) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        check_phone(raw)
    assert refused.value.field == "phone"


@pytest.mark.parametrize(("raw", "expected"), [(" 张三 ", "张三"), ("Zhang San", "Zhang San")])
def test_a_visitor_name_is_trimmed(raw: str, expected: str) -> None:
    assert check_visitor_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "张" * 51, "张\n三"])
def test_an_empty_overlong_or_unprintable_name_is_refused(raw: str) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        check_visitor_name(raw)
    assert refused.value.field == "visitorName"


# --- 居民身份证 ---
@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("11010519491231002X", "11010519491231002X"),  # the example of GB 11643
        ("11010519491231002x", "11010519491231002X"),  # a lower-case x is accepted
        ("440524188001010014", "440524188001010014"),
        (" 110101199003074477 ", "110101199003074477"),
    ],
)
def test_a_valid_identity_number_is_returned_in_canonical_form(raw: str, canonical: str) -> None:
    assert check_identity_number(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "110101199003074478",  # wrong check digit
        "11010519491231002Y",  # not a digit or X
        "11010519491231002",  # 17 characters
        "1101051949123100200",  # 19 characters
        "010105194912310027",  # starts with 0
        "110105194902300022",  # 30 February
        "11010517991231002X",  # born before 1800
        "１１０１０５１９４９１２３１００２X",  # full-width digits
    ],
)
def test_an_invalid_identity_number_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        check_identity_number(raw)
    assert refused.value.field == "identityNumber"


def first17() -> st.SearchStrategy[str]:
    """Region code, a real birth date and a sequence number: the first 17 digits of a plausible number."""
    region = st.integers(min_value=110000, max_value=829999).map(str)
    born = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
    sequence = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")
    return st.builds(lambda r, b, q: r + b + q, region, born, sequence)


@DETERMINISTIC
@given(body=first17())
def test_the_computed_check_character_makes_a_valid_number(body: str) -> None:
    number = body + identity_check_character(body)
    assert check_identity_number(number) == number


@DETERMINISTIC
@given(body=first17(), wrong=st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(body: str, wrong: str) -> None:
    if wrong == identity_check_character(body):
        return
    with pytest.raises(DomainRuleViolation):
        check_identity_number(body + wrong)


@DETERMINISTIC
@given(body=first17(), position=st.integers(min_value=0, max_value=16), delta=st.integers(min_value=1, max_value=9))
def test_every_single_mistyped_digit_is_caught(body: str, position: int, delta: int) -> None:
    number = body + identity_check_character(body)
    typo = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + typo + number[position + 1 :]
    with pytest.raises(DomainRuleViolation) as refused:
        check_identity_number(mistyped)
    assert refused.value.field == "identityNumber"


# --- codes ---
def test_the_code_alphabet_has_no_look_alike_characters() -> None:
    assert not set(CODE_ALPHABET) & set("01ILO")
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert CODE_LENGTH == 8


@pytest.mark.parametrize(("text", "ok"), [("ABCD2345", True), ("ABCD234", False), ("ABCD234O", False)])
def test_an_appointment_code_has_eight_characters_of_the_alphabet(text: str, ok: bool) -> None:
    assert is_appointment_code(text) is ok
