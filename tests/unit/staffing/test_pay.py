"""Pay slips: the hand-worked slip, rounding to the fen, carry-over of a shortfall, and invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain import CalendarDay, DayKind, DomainRuleViolation, SkillLevel, WorkingCalendar
from staffing.domain import (
    DEFAULT_GRADE_COEFFICIENTS,
    AttendanceEvent,
    AttendanceEventKind,
    Grade,
    Month,
    PayAdjustment,
    PayComputation,
    PayDeduction,
    PayFacts,
    PayLineCode,
    PayRule,
    compute_pay,
    level_pay_from_base,
    working_days_in,
)

pytestmark = pytest.mark.unit

MARCH = Month(2025, 3)
RULE = PayRule(
    code="county-2025",
    version=1,
    level_pay_amounts={SkillLevel.L4: Decimal("2800.00"), SkillLevel.L3: Decimal("3220.00")},
    post_allowance_amount=Decimal("300.00"),
    performance_base_amount=Decimal("1500.00"),
    attendance_deduction_amounts={
        AttendanceEventKind.LATE: Decimal("20.00"),  # 福庆乡: −20 per late arrival or early leave
        AttendanceEventKind.EARLY_LEAVE: Decimal("20.00"),
        AttendanceEventKind.ABSENCE: Decimal("25.00"),  # −50 per day absent = 25 per half-day
    },
)
FACTS = PayFacts(
    staff_id="wang.fang",
    month=MARCH,
    skill_level=SkillLevel.L4,
    days_worked=20,
    working_days=22,
    adjustments=(PayAdjustment(reason="补发二月延时服务补贴", amount=Decimal("200.00")),),
    deductions=(PayDeduction(reason="代扣餐费", amount=Decimal("150.00")),),
    attendance_events=(
        AttendanceEvent(kind=AttendanceEventKind.LATE, on=date(2025, 3, 3)),
        AttendanceEvent(kind=AttendanceEventKind.ABSENCE, on=date(2025, 3, 12), half_days=2),
    ),
)


def amounts(slip: PayComputation) -> list[tuple[PayLineCode, Decimal]]:
    return [(line.code, line.amount) for line in slip.lines]


def test_the_hand_worked_pay_slip() -> None:
    # Level pay      2,800.00 × 20/22 = 2,545.4545… → 2,545.45
    # Allowance        300.00 × 20/22 =   272.7272… →   272.73
    # Performance    1,500.00 × 1.1 (良好) × 20/22 = 1,650 × 20/22 = 1,500.00
    # Adjustment      +200.00
    # Gross          2,545.45 + 272.73 + 1,500.00 + 200.00 = 4,518.18
    # Attendance      1 late × 20.00 = −20.00; 2 half-days absent × 25.00 = −50.00
    # Deduction       −150.00
    # Deductions      220.00; Net 4,518.18 − 220.00 = 4,298.18
    slip = compute_pay(FACTS, Grade.GOOD, RULE)

    assert amounts(slip) == [
        (PayLineCode.LEVEL_PAY, Decimal("2545.45")),
        (PayLineCode.POST_ALLOWANCE, Decimal("272.73")),
        (PayLineCode.PERFORMANCE_PAY, Decimal("1500.00")),
        (PayLineCode.ADJUSTMENT, Decimal("200.00")),
        (PayLineCode.ATTENDANCE_DEDUCTION, Decimal("-20.00")),
        (PayLineCode.ATTENDANCE_DEDUCTION, Decimal("-50.00")),
        (PayLineCode.DEDUCTION, Decimal("-150.00")),
    ]
    assert slip.gross_amount == Decimal("4518.18")
    assert slip.deductions_amount == Decimal("220.00")
    assert str(slip.carried_over_amount) == "0.00"
    assert slip.net_amount == Decimal("4298.18")
    assert slip.lines[2].basis == "1,500.00 × 1.1 (良好) × 20/22 days = 1,500.00"
    assert slip.lines[0].basis == "L4 四级/中级工: 2,800.00 × 20/22 days = 2,545.45"


def test_recomputing_the_same_slip_gives_an_identical_result() -> None:
    assert compute_pay(FACTS, Grade.GOOD, RULE) == compute_pay(FACTS, Grade.GOOD, RULE)


def test_half_a_fen_is_rounded_up() -> None:
    # 100.01 × 1/2 = 50.005 → 50.01 (half-even would give 50.00).
    rule = replace(RULE, level_pay_amounts={SkillLevel.L4: Decimal("100.01")})
    facts = replace(FACTS, days_worked=1, working_days=2, adjustments=(), deductions=(), attendance_events=())
    assert compute_pay(facts, Grade.GOOD, rule).lines[0].amount == Decimal("50.01")


@pytest.mark.parametrize(
    ("grade", "performance"),
    [
        (Grade.EXCELLENT, "1800.00"),
        (Grade.GOOD, "1650.00"),
        (Grade.PASS, "1500.00"),
        (Grade.BASIC_PASS, "1200.00"),
        (Grade.FAIL, "0.00"),
    ],
)
def test_performance_pay_follows_the_grade_coefficient(grade: Grade, performance: str) -> None:
    full_month = replace(FACTS, days_worked=22)
    lines = compute_pay(full_month, grade, RULE).lines
    line = next(line for line in lines if line.code is PayLineCode.PERFORMANCE_PAY)
    assert line.amount == Decimal(performance)


def test_components_not_pro_rated_are_paid_in_full() -> None:
    rule = replace(RULE, is_post_allowance_prorated=False, is_level_pay_prorated=False)
    slip = compute_pay(FACTS, Grade.GOOD, rule)
    assert slip.lines[0].amount == Decimal("2800.00")
    assert slip.lines[1].amount == Decimal("300.00")


def test_net_pay_is_never_negative_and_the_shortfall_is_carried_over() -> None:
    facts = PayFacts(
        staff_id="s",
        month=MARCH,
        skill_level=SkillLevel.L4,
        days_worked=0,
        working_days=21,
        deductions=(PayDeduction(reason="追回多发绩效", amount=Decimal("500.00")),),
    )
    slip = compute_pay(facts, Grade.PASS, RULE)
    assert str(slip.gross_amount) == "0.00"
    assert str(slip.net_amount) == "0.00"
    assert slip.carried_over_amount == Decimal("500.00")
    assert slip.lines[-1].code is PayLineCode.CARRIED_OVER
    assert "2025-04" in slip.lines[-1].basis

    april = replace(
        facts, month=Month(2025, 4), days_worked=21, deductions=(), carried_in_amount=slip.carried_over_amount
    )
    next_slip = compute_pay(april, Grade.PASS, RULE)
    assert next_slip.lines[-1].code is PayLineCode.CARRIED_IN
    # 2,800 + 300 + 1,500 − 500 = 4,100.00
    assert next_slip.net_amount == Decimal("4100.00")


def test_a_negative_adjustment_larger_than_gross_pay_is_carried_over_too() -> None:
    facts = replace(
        FACTS,
        days_worked=22,
        adjustments=(PayAdjustment(reason="更正", amount=Decimal("-5000.00")),),
        deductions=(),
        attendance_events=(),
    )
    slip = compute_pay(facts, Grade.PASS, RULE)
    # 2,800 + 300 + 1,500 − 5,000 = −400.00 gross → net 0.00, 400.00 carried over.
    assert (slip.gross_amount, slip.net_amount, slip.carried_over_amount) == (
        Decimal("-400.00"),
        Decimal("0.00"),
        Decimal("400.00"),
    )


def test_a_level_without_level_pay_is_refused() -> None:
    with pytest.raises(DomainRuleViolation, match="L2"):
        compute_pay(replace(FACTS, skill_level=SkillLevel.L2), Grade.PASS, RULE)


@pytest.mark.parametrize(
    "build",
    [
        lambda: PayDeduction(reason="x", amount=Decimal("1.005")),
        lambda: PayDeduction(reason="x", amount=Decimal("-1.00")),
        lambda: PayAdjustment(reason="x", amount=Decimal(0)),
        lambda: PayAdjustment(reason="", amount=Decimal(1)),
        lambda: replace(FACTS, days_worked=23),
        lambda: replace(FACTS, carried_in_amount=Decimal(-1)),
        lambda: replace(RULE, post_allowance_amount=Decimal("300.001")),
        lambda: replace(RULE, grade_coefficients={**DEFAULT_GRADE_COEFFICIENTS, Grade.FAIL: Decimal("0.9")}),
        lambda: replace(RULE, grade_coefficients={Grade.PASS: Decimal(1)}),
    ],
)
def test_inputs_not_in_whole_fen_or_breaking_a_rule_are_refused(build: object) -> None:
    with pytest.raises(DomainRuleViolation):
        build()  # type: ignore[operator]


def test_level_pay_is_built_from_the_l4_base_with_the_documented_factors() -> None:
    # L4 base, L3 +15 %, L2 +30 %.
    assert dict(level_pay_from_base(Decimal("2800.00"))) == {
        SkillLevel.L4: Decimal("2800.00"),
        SkillLevel.L3: Decimal("3220.00"),
        SkillLevel.L2: Decimal("3640.00"),
    }


def test_the_working_days_of_a_month_come_from_the_calendar() -> None:
    # October 2025: 23 weekdays, 1–8 October off (6 of them weekdays), Saturday 11 October worked → 18.
    national_day = WorkingCalendar.of(
        [CalendarDay(date(2025, 10, d), DayKind.HOLIDAY) for d in range(1, 9)]
        + [CalendarDay(date(2025, 10, 11), DayKind.WORKDAY)]
    )
    assert working_days_in(Month(2025, 10), national_day) == 18
    assert working_days_in(MARCH, WorkingCalendar()) == 21


fen = st.integers(min_value=0, max_value=2_000_000).map(lambda n: Decimal(n).scaleb(-2))
positive_fen = st.integers(min_value=1, max_value=2_000_000).map(lambda n: Decimal(n).scaleb(-2))
signed_fen = st.integers(min_value=-2_000_000, max_value=2_000_000).filter(bool).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def rules(draw: st.DrawFn) -> PayRule:
    coefficients = sorted(draw(st.lists(st.integers(min_value=0, max_value=300), min_size=5, max_size=5)), reverse=True)
    return PayRule(
        code="r",
        version=1,
        level_pay_amounts={level: draw(fen) for level in SkillLevel},
        post_allowance_amount=draw(fen),
        performance_base_amount=draw(fen),
        grade_coefficients={
            grade: Decimal(c).scaleb(-2)
            for grade, c in zip(sorted(Grade, key=lambda g: -g.rank), coefficients, strict=True)
        },
        is_level_pay_prorated=draw(st.booleans()),
        is_post_allowance_prorated=draw(st.booleans()),
        is_performance_pay_prorated=draw(st.booleans()),
        attendance_deduction_amounts=draw(st.dictionaries(st.sampled_from(list(AttendanceEventKind)), fen)),
    )


@st.composite
def pay_facts(draw: st.DrawFn) -> PayFacts:
    working_days = draw(st.integers(min_value=1, max_value=23))
    return PayFacts(
        staff_id="s",
        month=MARCH,
        skill_level=draw(st.sampled_from(list(SkillLevel))),
        days_worked=draw(st.integers(min_value=0, max_value=working_days)),
        working_days=working_days,
        adjustments=tuple(PayAdjustment(reason="a", amount=a) for a in draw(st.lists(signed_fen, max_size=3))),
        deductions=tuple(PayDeduction(reason="d", amount=d) for d in draw(st.lists(positive_fen, max_size=3))),
        attendance_events=tuple(
            AttendanceEvent(kind=AttendanceEventKind.ABSENCE, on=date(2025, 3, d), half_days=h)
            for d, h in draw(st.lists(st.tuples(st.integers(1, 31), st.integers(1, 4)), max_size=3))
        ),
        carried_in_amount=draw(fen),
    )


@settings(max_examples=300, deadline=None)
@given(facts=pay_facts(), grade=st.sampled_from(list(Grade)), rule=rules())
def test_pay_is_never_negative_and_its_lines_add_up_to_the_totals_to_the_fen(
    facts: PayFacts, grade: Grade, rule: PayRule
) -> None:
    slip = compute_pay(facts, grade, rule)

    assert slip.net_amount >= 0
    assert sum(line.amount for line in slip.lines) == slip.net_amount
    assert slip.gross_amount - slip.deductions_amount + slip.carried_over_amount == slip.net_amount
    assert slip.carried_over_amount >= 0
    assert (slip.carried_over_amount > 0) == (slip.deductions_amount > slip.gross_amount)
    totals = (slip.gross_amount, slip.deductions_amount, slip.carried_over_amount, slip.net_amount)
    for value in (*(line.amount for line in slip.lines), *totals):
        assert value == value.quantize(Decimal("0.01"))
    for value in totals:
        assert value.as_tuple().exponent == -2
        assert not value.is_signed() or value < 0
    assert compute_pay(facts, grade, rule) == slip
