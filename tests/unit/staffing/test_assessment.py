"""Scoring a staff-month: the hand-worked example, each component's rule, the scheme's validation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain import (
    DEFAULT_BANDS,
    AssessmentScheme,
    AttendanceEvent,
    AttendanceEventKind,
    BonusAward,
    CentreBaseline,
    Component,
    EfficiencyRules,
    Grade,
    GradeBand,
    Month,
    QualityEvent,
    QualityEventKind,
    RatingLevel,
    RatingTally,
    SatisfactionRules,
    ServedItem,
    StaffAssessment,
    StaffMonthFacts,
    VetoEvent,
    VetoKind,
    assess_staff_month,
    centre_baseline,
    grade_for_score,
)

pytestmark = pytest.mark.unit

MARCH = Month(2025, 3)
SCHEME = AssessmentScheme()
BASELINE = CentreBaseline(
    staff_count=10,
    median_workload_rate=Decimal(40),
    positive_rate=Decimal("0.975"),
    very_satisfied_share=Decimal("0.695"),
    mean_standard_minutes=Decimal(25),
)


def items(count: int, standard: timedelta, actual: timedelta, code: str = "X") -> tuple[ServedItem, ...]:
    return tuple(ServedItem(item_code=code, standard_duration=standard, actual_duration=actual) for _ in range(count))


def facts(**changes: object) -> StaffMonthFacts:
    """A quiet month: 150 h rostered, 240 items of 25 standard minutes served in exactly 25 minutes each."""
    base = StaffMonthFacts(
        staff_id="s1",
        month=MARCH,
        skill_level=SkillLevel.L4,
        rostered_duration=timedelta(hours=150),
        served_items=items(240, timedelta(minutes=25), timedelta(minutes=25)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def assess(month_facts: StaffMonthFacts, scheme: AssessmentScheme = SCHEME) -> StaffAssessment:
    return assess_staff_month(month_facts, BASELINE, scheme)


def score_of(month_facts: StaffMonthFacts, component: Component) -> Decimal:
    return assess(month_facts).component(component).score


HAND_WORKED = StaffMonthFacts(
    staff_id="wang.fang",
    month=MARCH,
    skill_level=SkillLevel.L4,
    rostered_duration=timedelta(hours=150),
    served_items=(
        # 160 easy items: 15 standard minutes, served in 16 min 22.8 s (16.38 min, 9.2 % over).
        *items(160, timedelta(minutes=15), timedelta(minutes=16, seconds=22.8), "social-security-change"),
        # 80 hard items: 45 standard minutes, served in 49 min 8.4 s (49.14 min, 9.2 % over).
        *items(80, timedelta(minutes=45), timedelta(minutes=49, seconds=8.4), "business-startup"),
    ),
    committed_on_time_count=19,
    committed_late_count=1,
    ratings=RatingTally(
        by_level={
            RatingLevel.VERY_SATISFIED: 60,
            RatingLevel.SATISFIED: 16,
            RatingLevel.BASICALLY_SATISFIED: 2,
            RatingLevel.DISSATISFIED: 1,
            RatingLevel.VERY_DISSATISFIED: 1,
        }
    ),
    quality_events=(
        QualityEvent(kind=QualityEventKind.ERROR, on=date(2025, 3, 5)),
        QualityEvent(kind=QualityEventKind.ERROR, on=date(2025, 3, 19)),
    ),
    attendance_events=(
        AttendanceEvent(kind=AttendanceEventKind.LATE, on=date(2025, 3, 3)),
        AttendanceEvent(kind=AttendanceEventKind.ABSENCE, on=date(2025, 3, 12), half_days=1),
        AttendanceEvent(kind=AttendanceEventKind.UNIFORM, on=date(2025, 3, 20)),
    ),
    bonuses=(BonusAward(points=Decimal(2), reason="节假日延时服务"),),
)


def test_the_hand_worked_staff_month_scores_exactly_87_35_and_is_good() -> None:
    # Workload: 160 × 15 + 80 × 45 = 6,000 standard min over 150 h = 40.00 per hour = the centre median,
    #   so 80 × 40/40 = 80.00 points; × 30 % = 24.00.
    # Efficiency: on time 50 × 19/20 = 47.50, 1 late × −5 = −5.00 → 42.50;
    #   service time: actual 160 × 16.38 + 80 × 49.14 = 6,552 min vs 6,000 × 1.00 (L4) → 9.20 % over
    #   → 50 − 9.20 = 40.80; total 83.30; × 20 % = 16.66.
    # Satisfaction: 78 好评 of 80; shrunk rate (78 + 20 × 0.975) / (80 + 20) = 0.975 → 90 × 0.975 = 87.75;
    #   非常满意 (60 + 20 × 0.695) / 100 = 0.739 → 10 × 0.739 = 7.39; 2 confirmed 差评 × −5 = −10.00;
    #   total 85.14; × 25 % = 21.285 → 21.29 (half-up; half-even would give 21.28).
    # Quality: 100 − 2 errors × 5 = 90.00; × 10 % = 9.00.
    # Discipline: 100 − late 1 − absence 1 half-day × 2 − uniform 1 = 96.00; × 15 % = 14.40.
    # Bonus: +2.00. Total 24.00 + 16.66 + 21.29 + 9.00 + 14.40 + 2.00 = 87.35 → 良好 (80 ≤ 87.35 < 90).
    result = assess(HAND_WORKED)

    assert [(c.component, c.score, c.weighted_points) for c in result.components] == [
        (Component.WORKLOAD, Decimal("80.00"), Decimal("24.00")),
        (Component.EFFICIENCY, Decimal("83.30"), Decimal("16.66")),
        (Component.SATISFACTION, Decimal("85.14"), Decimal("21.29")),
        (Component.QUALITY, Decimal("90.00"), Decimal("9.00")),
        (Component.DISCIPLINE, Decimal("96.00"), Decimal("14.40")),
    ]
    assert result.bonus_points == Decimal(2)
    assert result.score == Decimal("87.35")
    assert result.band_grade is Grade.GOOD
    assert str(result.score) == "87.35"


def test_every_line_of_the_hand_worked_example_is_explained() -> None:
    result = assess(HAND_WORKED)
    efficiency = result.component(Component.EFFICIENCY)
    assert [(line.label_zh, line.points) for line in efficiency.lines] == [
        ("按时办结率", Decimal("47.50")),
        ("超期办结", Decimal("-5.00")),
        ("办理时长", Decimal("50.00")),
        ("超出标准用时", Decimal("-9.20")),
    ]
    satisfaction = result.component(Component.SATISFACTION)
    assert [line.points for line in satisfaction.lines] == [Decimal("87.75"), Decimal("7.39"), Decimal("-10.00")]
    assert satisfaction.lines[0].value == "(78 + 20 × 97.50%) / (80 + 20) = 97.50% × 90"
    assert [(line.label_en, line.value, line.points) for line in result.score_lines][-1] == (
        "Bonus",
        "节假日延时服务",
        Decimal("2.00"),
    )


def test_the_score_does_not_depend_on_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 5
        context.rounding = ROUND_DOWN
        assert assess(HAND_WORKED) == assess_staff_month(HAND_WORKED, BASELINE, SCHEME)
    assert assess(HAND_WORKED).score == Decimal("87.35")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("110.00", Grade.EXCELLENT),
        ("90.00", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80.00", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("70.00", Grade.PASS),
        ("69.99", Grade.BASIC_PASS),
        ("60.00", Grade.BASIC_PASS),
        ("59.99", Grade.FAIL),
        ("0.00", Grade.FAIL),
    ],
)
def test_a_score_falls_in_the_default_bands(score: str, grade: Grade) -> None:
    assert grade_for_score(Decimal(score), SCHEME) is grade


def test_grades_carry_their_chinese_labels_in_order_of_merit() -> None:
    assert [g.label_zh for g in sorted(Grade, key=lambda g: -g.rank)] == ["优秀", "良好", "合格", "基本合格", "不合格"]


def test_any_veto_makes_the_month_fail_whatever_the_score() -> None:
    vetoed = replace(HAND_WORKED, vetoes=(VetoEvent(kind=VetoKind.BRIBERY, on=date(2025, 3, 7)),))
    result = assess(vetoed)
    assert result.score == Decimal("87.35")
    assert result.has_veto
    assert result.band_grade is Grade.FAIL


def test_a_veto_the_scheme_does_not_know_is_refused() -> None:
    scheme = AssessmentScheme(veto_kinds=frozenset({VetoKind.BRIBERY}))
    vetoed = replace(HAND_WORKED, vetoes=(VetoEvent(kind=VetoKind.FALSIFICATION, on=date(2025, 3, 7)),))
    with pytest.raises(DomainRuleViolation):
        assess_staff_month(vetoed, BASELINE, scheme)


# --- workload --------------------------------------------------------------------------------------------


def test_a_hard_item_earns_more_workload_than_an_easy_one() -> None:
    easy = facts(served_items=items(100, timedelta(minutes=10), timedelta(minutes=10)))
    hard = facts(served_items=items(100, timedelta(minutes=30), timedelta(minutes=30)))
    # 1,000 standard min / 150 h = 6.67 per hour → 80 × 6.67/40 = 13.33; 3,000 → 20.00 per hour → 40.00.
    assert score_of(easy, Component.WORKLOAD) == Decimal("13.33")
    assert score_of(hard, Component.WORKLOAD) == Decimal("40.00")


def test_workload_is_capped_at_100_with_an_explicit_line() -> None:
    busy = facts(served_items=items(400, timedelta(minutes=25), timedelta(minutes=25)))
    # 10,000 / 150 = 66.67 per hour → 80 × 66.67/40 = 133.33, capped at 100.
    workload = assess(busy).component(Component.WORKLOAD)
    assert workload.score == Decimal("100.00")
    assert workload.lines[-1].label_en == "Cap"
    assert workload.lines[-1].points == Decimal("-33.33")


def test_a_staff_member_who_served_nothing_scores_no_workload() -> None:
    assert score_of(facts(served_items=()), Component.WORKLOAD) == Decimal("0.00")


def test_a_staff_month_without_rostered_time_is_not_assessed() -> None:
    with pytest.raises(DomainRuleViolation):
        facts(rostered_duration=timedelta(0))


# --- efficiency ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_time", "late", "points"),
    [
        (0, 0, "100.00"),  # nothing to deduct
        (20, 0, "100.00"),
        (19, 1, "92.50"),  # 47.50 − 5 + 50
        (8, 2, "80.00"),  # 50 × 0.8 = 40 − 10 = 30, + 50
        (1, 9, "50.00"),  # 5 − 45 < 0 → on-time part floored at 0, + 50
    ],
)
def test_on_time_completion_scores_the_share_minus_five_per_late_case(on_time: int, late: int, points: str) -> None:
    month = facts(committed_on_time_count=on_time, committed_late_count=late)
    assert score_of(month, Component.EFFICIENCY) == Decimal(points)


def test_service_time_is_judged_against_the_standard_for_the_staff_members_level() -> None:
    # 240 × 25 = 6,000 standard min, served in 5,700 min. An L4 (× 1.00) is within the standard;
    # an L2 (× 0.80) is expected to take 4,800 min, so is 18.75 % over → 50 − 18.75 = 31.25.
    month = facts(served_items=items(240, timedelta(minutes=25), timedelta(minutes=23, seconds=45)))
    assert score_of(month, Component.EFFICIENCY) == Decimal("100.00")
    assert score_of(replace(month, skill_level=SkillLevel.L2), Component.EFFICIENCY) == Decimal("81.25")


def test_a_level_without_an_expected_time_factor_is_refused() -> None:
    with pytest.raises(DomainRuleViolation, match="L5"):
        assess(facts(skill_level=SkillLevel.L5))


# --- satisfaction ----------------------------------------------------------------------------------------


def test_few_ratings_are_shrunk_toward_the_centre_rate() -> None:
    perfect_few = facts(ratings=RatingTally(by_level={RatingLevel.SATISFIED: 2}))
    perfect_many = facts(ratings=RatingTally(by_level={RatingLevel.SATISFIED: 200}))
    # Few: (2 + 19.5) / 22 = 0.97727… → 87.95; many: (200 + 19.5) / 220 = 0.99773 → 89.80.
    few = assess(perfect_few).component(Component.SATISFACTION).lines[0].points
    many = assess(perfect_many).component(Component.SATISFACTION).lines[0].points
    assert (few, many) == (Decimal("87.95"), Decimal("89.80"))


def test_with_no_ratings_the_staff_member_gets_the_centre_rate() -> None:
    satisfaction = assess(facts()).component(Component.SATISFACTION)
    # 90 × 0.975 = 87.75 and 10 × 0.695 = 6.95.
    assert satisfaction.score == Decimal("94.70")


def test_a_centre_without_ratings_uses_the_configured_fallback_prior() -> None:
    silent = replace(BASELINE, positive_rate=None, very_satisfied_share=None)
    satisfaction = assess_staff_month(facts(), silent, SCHEME).component(Component.SATISFACTION)
    # 90 × 0.95 + 10 × 0.50 = 85.50 + 5.00.
    assert satisfaction.score == Decimal("90.50")
    assert "fallback" in satisfaction.lines[0].value


def test_each_confirmed_negative_rating_costs_five_points_and_pending_ones_cost_nothing() -> None:
    tally = RatingTally(by_level={RatingLevel.SATISFIED: 18, RatingLevel.DISSATISFIED: 2}, pending_negative_count=3)
    satisfaction = assess(facts(ratings=tally)).component(Component.SATISFACTION)
    assert satisfaction.lines[2].points == Decimal("-10.00")
    assert satisfaction.lines[3].label_zh == "待核实差评"
    assert satisfaction.lines[3].points == Decimal("0.00")


def test_satisfaction_never_goes_below_zero() -> None:
    tally = RatingTally(by_level={RatingLevel.VERY_DISSATISFIED: 40})
    satisfaction = assess(facts(ratings=tally)).component(Component.SATISFACTION)
    assert satisfaction.score == Decimal("0.00")
    assert satisfaction.lines[-1].label_en == "Floor"


# --- quality and discipline ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(QualityEventKind))
def test_each_quality_event_costs_five_points(kind: QualityEventKind) -> None:
    month = facts(quality_events=(QualityEvent(kind=kind, on=date(2025, 3, 4)),))
    assert score_of(month, Component.QUALITY) == Decimal("95.00")


@pytest.mark.parametrize(
    ("kind", "half_days", "points"),
    [
        (AttendanceEventKind.LATE, 1, "99.00"),
        (AttendanceEventKind.EARLY_LEAVE, 1, "99.00"),
        (AttendanceEventKind.OFF_POST, 1, "99.00"),
        (AttendanceEventKind.UNIFORM, 1, "99.00"),
        (AttendanceEventKind.ABSENCE, 1, "98.00"),
        (AttendanceEventKind.ABSENCE, 3, "94.00"),
    ],
)
def test_attendance_events_are_deducted_per_event_and_absence_per_half_day(
    kind: AttendanceEventKind, half_days: int, points: str
) -> None:
    month = facts(attendance_events=(AttendanceEvent(kind=kind, on=date(2025, 3, 4), half_days=half_days),))
    assert score_of(month, Component.DISCIPLINE) == Decimal(points)


def test_only_an_absence_spans_several_half_days() -> None:
    with pytest.raises(DomainRuleViolation):
        AttendanceEvent(kind=AttendanceEventKind.LATE, on=date(2025, 3, 4), half_days=2)


def test_quality_never_goes_below_zero() -> None:
    month = facts(
        quality_events=tuple(QualityEvent(kind=QualityEventKind.ERROR, on=date(2025, 3, 4)) for _ in range(25))
    )
    quality = assess(month).component(Component.QUALITY)
    assert quality.score == Decimal("0.00")
    assert sum(line.points for line in quality.lines) == quality.score


def test_an_event_outside_the_month_is_refused() -> None:
    with pytest.raises(DomainRuleViolation):
        facts(quality_events=(QualityEvent(kind=QualityEventKind.ERROR, on=date(2025, 4, 1)),))


def test_deductions_are_configurable() -> None:
    from staffing.domain import QualityRules

    rules = QualityRules(
        deduction_points={**dict.fromkeys(QualityEventKind, Decimal(5)), QualityEventKind.ERROR: Decimal(2)}
    )
    scheme = AssessmentScheme(quality=rules)
    month = facts(quality_events=(QualityEvent(kind=QualityEventKind.ERROR, on=date(2025, 3, 4)),))
    assert assess(month, scheme).component(Component.QUALITY).score == Decimal("98.00")


# --- bonuses ---------------------------------------------------------------------------------------------


def test_bonuses_are_capped_at_ten_points_with_an_explicit_line() -> None:
    bonuses = (BonusAward(points=Decimal(6), reason="春节值守"), BonusAward(points=Decimal(7), reason="服务之星"))
    result = assess(replace(HAND_WORKED, bonuses=bonuses))
    # 85.35 before bonuses, + 13 − 3 (cap) = 95.35.
    assert result.bonus_points == Decimal(10)
    assert result.score_lines[-1].label_en == "Bonus cap"
    assert result.score_lines[-1].points == Decimal("-3.00")
    assert result.score == Decimal("95.35")


def test_a_bonus_needs_a_reason_and_positive_points() -> None:
    with pytest.raises(DomainRuleViolation):
        BonusAward(points=Decimal(1), reason=" ")
    with pytest.raises(DomainRuleViolation):
        BonusAward(points=Decimal(-1), reason="x")


# --- the scheme ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"weights": {**dict.fromkeys(Component, Decimal(20)), Component.WORKLOAD: Decimal(25)}},  # sums to 105
        {"weights": {Component.WORKLOAD: Decimal(100)}},  # components missing
        {
            "bands": (
                GradeBand(grade=Grade.GOOD, min_score=Decimal(80)),
                GradeBand(grade=Grade.EXCELLENT, min_score=Decimal(90)),
            )
        },
        {
            "bands": (
                GradeBand(grade=Grade.EXCELLENT, min_score=Decimal(90)),
                GradeBand(grade=Grade.GOOD, min_score=Decimal(95)),
            )
        },
        {"bands": (GradeBand(grade=Grade.FAIL, min_score=Decimal(10)),)},
        {"bands": ()},
        {"excellent_quota": Decimal("1.5")},
        {"bonus_cap": Decimal(-1)},
        {"version": 0},
    ],
)
def test_an_invalid_scheme_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(DomainRuleViolation):
        AssessmentScheme(**changes)  # type: ignore[arg-type]


def test_component_rules_are_validated() -> None:
    with pytest.raises(DomainRuleViolation):
        EfficiencyRules(on_time_points=Decimal(60))  # 60 + 50 ≠ 100
    with pytest.raises(DomainRuleViolation):
        SatisfactionRules(fallback_positive_rate=Decimal("1.2"))


def test_the_default_scheme_is_the_documented_one() -> None:
    assert {c: SCHEME.weight_of(c) for c in Component} == {
        Component.WORKLOAD: 30,
        Component.EFFICIENCY: 20,
        Component.SATISFACTION: 25,
        Component.QUALITY: 10,
        Component.DISCIPLINE: 15,
    }
    assert [(b.grade, b.min_score) for b in DEFAULT_BANDS] == [
        (Grade.EXCELLENT, Decimal(90)),
        (Grade.GOOD, Decimal(80)),
        (Grade.PASS, Decimal(70)),
        (Grade.BASIC_PASS, Decimal(60)),
    ]
    assert SCHEME.excellent_quota == Decimal("0.20")
    assert SCHEME.bonus_cap == 10


def test_a_scheme_with_fewer_bands_is_accepted() -> None:
    # Scheme C (鄂城区): 优秀 ≥ 90, 合格 ≥ 75, else 不合格.
    scheme = AssessmentScheme(
        bands=(
            GradeBand(grade=Grade.EXCELLENT, min_score=Decimal(90)),
            GradeBand(grade=Grade.PASS, min_score=Decimal(75)),
        )
    )
    assert grade_for_score(Decimal(80), scheme) is Grade.PASS
    assert grade_for_score(Decimal("74.99"), scheme) is Grade.FAIL


# --- the centre baseline ---------------------------------------------------------------------------------


def test_the_centre_baseline_takes_the_median_rate_and_pooled_ratings() -> None:
    months = [
        facts(staff_id="a", served_items=items(60, timedelta(minutes=25), timedelta(minutes=25))),  # 10 per hour
        facts(staff_id="b", served_items=items(120, timedelta(minutes=25), timedelta(minutes=25))),  # 20 per hour
        facts(
            staff_id="c",
            served_items=items(240, timedelta(minutes=25), timedelta(minutes=25)),  # 40 per hour
            ratings=RatingTally(by_level={RatingLevel.VERY_SATISFIED: 3, RatingLevel.DISSATISFIED: 1}),
        ),
    ]
    baseline = centre_baseline(months)
    assert baseline.median_workload_rate == 20
    assert baseline.positive_rate == Decimal("0.75")
    assert baseline.very_satisfied_share == Decimal("0.75")
    assert baseline.mean_standard_minutes == 25
    assert centre_baseline(list(reversed(months))) == baseline


# --- properties ------------------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=30)


@st.composite
def staff_months(draw: st.DrawFn) -> StaffMonthFacts:
    day = st.integers(min_value=1, max_value=31).map(lambda d: date(2025, 3, d))
    served = draw(
        st.lists(
            st.tuples(st.integers(min_value=1, max_value=90), st.integers(min_value=0, max_value=120)),
            max_size=40,
        )
    )
    return StaffMonthFacts(
        staff_id=draw(st.text(alphabet="abcdefgh", min_size=1, max_size=4)),
        month=MARCH,
        skill_level=draw(st.sampled_from([SkillLevel.L4, SkillLevel.L3, SkillLevel.L2])),
        rostered_duration=timedelta(minutes=draw(st.integers(min_value=1, max_value=12_000))),
        served_items=tuple(
            ServedItem(item_code="X", standard_duration=timedelta(minutes=s), actual_duration=timedelta(minutes=a))
            for s, a in served
        ),
        committed_on_time_count=draw(counts),
        committed_late_count=draw(counts),
        ratings=RatingTally(by_level=draw(st.dictionaries(st.sampled_from(list(RatingLevel)), counts))),
        quality_events=tuple(
            QualityEvent(kind=k, on=d)
            for k, d in draw(st.lists(st.tuples(st.sampled_from(list(QualityEventKind)), day), max_size=25))
        ),
        attendance_events=tuple(
            AttendanceEvent(kind=AttendanceEventKind.ABSENCE, on=d, half_days=h)
            for h, d in draw(st.lists(st.tuples(st.integers(min_value=1, max_value=20), day), max_size=8))
        ),
        bonuses=tuple(
            BonusAward(points=Decimal(p).scaleb(-2), reason="r")
            for p in draw(st.lists(st.integers(min_value=1, max_value=800), max_size=4))
        ),
    )


@settings(max_examples=150, deadline=None)
@given(month=staff_months(), others=st.lists(staff_months(), max_size=4))
def test_every_score_is_exactly_the_sum_of_its_explained_lines(
    month: StaffMonthFacts, others: list[StaffMonthFacts]
) -> None:
    result = assess_staff_month(month, centre_baseline([month, *others]), SCHEME)
    for component in result.components:
        assert component.score == sum(line.points for line in component.lines)
        assert Decimal(0) <= component.score <= Decimal(100)
        assert component.score.as_tuple().exponent == -2
    assert result.score == sum(line.points for line in result.score_lines)
    assert Decimal(0) <= result.score <= Decimal(100) + SCHEME.bonus_cap
    assert result.score.as_tuple().exponent == -2
    assert assess_staff_month(month, centre_baseline([month, *others]), SCHEME) == result
