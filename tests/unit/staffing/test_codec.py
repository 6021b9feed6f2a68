"""The stored form is exact: what goes into the database comes back equal, so a month recomputes to the fen."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.codec import decode, encode
from staffing.domain import (
    AssessmentScheme,
    AttendanceEvent,
    AttendanceEventKind,
    BonusAward,
    Grade,
    IntegrityRules,
    Month,
    PayAdjustment,
    PayDeduction,
    PayFacts,
    PayRule,
    PromotionRules,
    QualityEvent,
    QualityEventKind,
    Rating,
    RatingLevel,
    RatingRules,
    RatingTally,
    ServedItem,
    StaffMonthFacts,
    assess_staff_month,
    centre_baseline,
    compute_pay,
    level_pay_from_base,
)
from staffing.services._base import HALL_DEFAULT_SCHEME

pytestmark = pytest.mark.unit

OCTOBER = Month(2026, 10)


def stored(value: object) -> object:
    """What the database gives back: the JSON text of the encoded value, parsed."""
    return json.loads(json.dumps(encode(value)))


@pytest.mark.parametrize(
    "value",
    [AssessmentScheme(), HALL_DEFAULT_SCHEME, IntegrityRules(), PromotionRules(), RatingRules()],
    ids=lambda v: type(v).__name__,
)
def test_rules_come_back_equal(value: object) -> None:
    assert decode(type(value), stored(value)) == value


def test_the_installation_default_scheme_has_an_expected_time_for_every_level() -> None:
    assert set(HALL_DEFAULT_SCHEME.efficiency.level_time_factors) == set(SkillLevel)
    assert HALL_DEFAULT_SCHEME.efficiency.level_time_factors[SkillLevel.L4] == Decimal("1.00")


def test_a_malformed_stored_value_is_refused_naming_its_path() -> None:
    body = encode(PromotionRules())
    body["window_months"] = "twelve"
    with pytest.raises(DomainRuleViolation) as refused:
        decode(PromotionRules, body)
    assert refused.value.field == "PromotionRules.window_months"


def test_a_rating_with_its_aware_times_comes_back_equal() -> None:
    served = datetime(2026, 10, 8, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    rating = Rating(
        rating_id="r1",
        staff_id="s1",
        level=RatingLevel.SATISFIED,
        served_at=served,
        rated_at=served + timedelta(seconds=3),
    )
    assert decode(Rating, stored(rating)) == rating


fen = st.integers(-500_000, 500_000).map(lambda n: Decimal(n).scaleb(-2))
positive_fen = st.integers(1, 500_000).map(lambda n: Decimal(n).scaleb(-2))
reason = st.text(alphabet="补发扣款调整更正 abc", min_size=1, max_size=12).filter(str.strip)
october_day = st.integers(1, 31).map(lambda d: date(2026, 10, d))


@st.composite
def pay_facts(draw: st.DrawFn) -> PayFacts:
    working = draw(st.integers(1, 23))
    return PayFacts(
        staff_id="s1",
        month=OCTOBER,
        skill_level=draw(st.sampled_from([SkillLevel.L4, SkillLevel.L3, SkillLevel.L2])),
        days_worked=draw(st.integers(0, working)),
        working_days=working,
        adjustments=tuple(
            PayAdjustment(reason=r, amount=a)
            for r, a in draw(st.lists(st.tuples(reason, fen.filter(bool)), max_size=3))
        ),
        deductions=tuple(
            PayDeduction(reason=r, amount=a) for r, a in draw(st.lists(st.tuples(reason, positive_fen), max_size=3))
        ),
        attendance_events=tuple(
            AttendanceEvent(kind=AttendanceEventKind.LATE, on=d) for d in draw(st.lists(october_day, max_size=3))
        ),
        carried_in_amount=draw(st.integers(0, 100_000).map(lambda n: Decimal(n).scaleb(-2))),
    )


RULE = PayRule(
    code="SFX",
    version=3,
    level_pay_amounts=level_pay_from_base(Decimal("3000.00")),
    post_allowance_amount=Decimal("200.00"),
    performance_base_amount=Decimal("833.33"),
    attendance_deduction_amounts={AttendanceEventKind.LATE: Decimal("20.00")},
)


@given(pay_facts(), st.sampled_from(list(Grade)))
def test_pay_recomputed_from_the_stored_inputs_and_rule_is_the_same_to_the_fen(facts: PayFacts, grade: Grade) -> None:
    original = compute_pay(facts, grade, RULE)
    again = compute_pay(decode(PayFacts, stored(facts)), grade, decode(PayRule, stored(RULE)))
    assert again == original
    assert decode(type(original.lines[0]), stored(original.lines[0])) == original.lines[0]
    assert sum((line.amount for line in again.lines), Decimal(0)) == again.net_amount


@st.composite
def month_facts(draw: st.DrawFn) -> StaffMonthFacts:
    items = draw(
        st.lists(st.tuples(st.sampled_from([4.0, 7.5, 12.0, 35.0]), st.integers(0, 4_000_000)), min_size=0, max_size=40)
    )
    return StaffMonthFacts(
        staff_id=draw(st.sampled_from(["a", "b", "c"])),
        month=OCTOBER,
        skill_level=draw(st.sampled_from([SkillLevel.L4, SkillLevel.L3, SkillLevel.L2])),
        rostered_duration=timedelta(minutes=draw(st.integers(60, 10_000))),
        served_items=tuple(
            ServedItem(
                item_code="SB001", standard_duration=timedelta(minutes=m), actual_duration=timedelta(microseconds=us)
            )
            for m, us in items
        ),
        committed_on_time_count=draw(st.integers(0, 30)),
        committed_late_count=draw(st.integers(0, 5)),
        ratings=RatingTally(
            by_level={level: draw(st.integers(0, 50)) for level in RatingLevel},
            pending_negative_count=draw(st.integers(0, 3)),
        ),
        quality_events=tuple(
            QualityEvent(kind=QualityEventKind.ERROR, on=d) for d in draw(st.lists(october_day, max_size=2))
        ),
        bonuses=tuple(
            BonusAward(points=Decimal(p), reason="延时服务") for p in draw(st.lists(st.integers(1, 6), max_size=3))
        ),
    )


@given(st.lists(month_facts(), min_size=1, max_size=3, unique_by=lambda f: f.staff_id))
def test_a_score_recomputed_from_the_stored_facts_is_the_same(facts: list[StaffMonthFacts]) -> None:
    decoded = [decode(StaffMonthFacts, stored(f)) for f in facts]
    assert decoded == facts
    baseline = centre_baseline(facts)
    assert decode(type(baseline), stored(baseline)) == baseline
    for original, again in zip(facts, decoded, strict=True):
        first = assess_staff_month(original, baseline, HALL_DEFAULT_SCHEME)
        assert assess_staff_month(again, centre_baseline(decoded), HALL_DEFAULT_SCHEME) == first
        assert decode(type(first), stored(first)) == first
