"""Grading a centre's month: bands, vetoes, the 优秀 quota and its tie-break."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain import (
    AssessmentScheme,
    Component,
    ComponentScore,
    Grade,
    Month,
    RatingLevel,
    RatingTally,
    ServedItem,
    StaffAssessment,
    StaffMonthFacts,
    VetoEvent,
    VetoKind,
    assess_centre_month,
    excellent_places,
    grade_centre_month,
    grade_for_score,
)

pytestmark = pytest.mark.unit

MARCH = Month(2025, 3)
SCHEME = AssessmentScheme()


def result(
    staff_id: str,
    score: str,
    *,
    satisfaction: str = "90",
    workload: str = "90",
    veto: bool = False,
    scheme: AssessmentScheme = SCHEME,
) -> StaffAssessment:
    """A scored month with the given total and the two tie-break component scores."""
    total = Decimal(score)
    components = tuple(
        ComponentScore(
            component=c,
            score={Component.SATISFACTION: Decimal(satisfaction), Component.WORKLOAD: Decimal(workload)}.get(
                c, Decimal(90)
            ),
            weight=scheme.weight_of(c),
            weighted_points=Decimal(0),
            lines=(),
        )
        for c in Component
    )
    vetoes = (VetoEvent(kind=VetoKind.FALSIFICATION, on=date(2025, 3, 10)),) if veto else ()
    return StaffAssessment(
        staff_id=staff_id,
        month=MARCH,
        scheme_code=scheme.code,
        scheme_version=scheme.version,
        components=components,
        score_lines=(),
        bonus_points=Decimal(0),
        score=total,
        vetoes=vetoes,
        band_grade=Grade.FAIL if veto else grade_for_score(total, scheme),
    )


def grades(results: list[StaffAssessment], scheme: AssessmentScheme = SCHEME) -> dict[str, Grade]:
    return {g.staff_id: g.grade for g in grade_centre_month(results, scheme)}


@pytest.mark.parametrize(
    ("assessed", "places"),
    [(0, 0), (1, 0), (4, 0), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3), (100, 20)],
)
def test_the_number_of_excellent_places_is_the_strict_floor_of_twenty_percent(assessed: int, places: int) -> None:
    assert excellent_places(assessed, SCHEME) == places


def test_staff_above_ninety_beyond_the_quota_drop_to_good() -> None:
    # 10 staff → 2 places; three reach 90.
    results = [result("a", "95"), result("b", "93"), result("c", "91.5")]
    results += [result(f"z{i}", "75") for i in range(7)]

    graded = {g.staff_id: g for g in grade_centre_month(results, SCHEME)}

    assert (graded["a"].grade, graded["b"].grade, graded["c"].grade) == (Grade.EXCELLENT, Grade.EXCELLENT, Grade.GOOD)
    assert graded["c"].excellent_rank == 3
    assert "名额 2 个" in graded["c"].note_zh
    assert graded["z0"].grade is Grade.PASS
    assert graded["z0"].excellent_rank is None


def test_in_a_centre_of_four_nobody_can_be_excellent() -> None:
    results = [result("a", "99"), result("b", "98"), result("c", "97"), result("d", "50")]
    assert grades(results) == {"a": Grade.GOOD, "b": Grade.GOOD, "c": Grade.GOOD, "d": Grade.FAIL}


def test_equal_scores_are_separated_by_satisfaction_then_workload_then_staff_id() -> None:
    filler = [result(f"z{i}", "70") for i in range(8)]  # 10 staff → 2 places
    by_satisfaction = [result("a", "92", satisfaction="80"), result("b", "92", satisfaction="85"), result("c", "92")]
    assert [grades(by_satisfaction + filler)[s] for s in "abc"] == [Grade.GOOD, Grade.EXCELLENT, Grade.EXCELLENT]

    by_workload = [result("a", "92", workload="70"), result("b", "92", workload="95"), result("c", "92", workload="80")]
    assert [grades(by_workload + filler)[s] for s in "abc"] == [Grade.GOOD, Grade.EXCELLENT, Grade.EXCELLENT]

    identical = [result("c", "92"), result("a", "92"), result("b", "92")]
    assert [grades(identical + filler)[s] for s in "abc"] == [Grade.EXCELLENT, Grade.EXCELLENT, Grade.GOOD]


def test_a_vetoed_staff_member_fails_and_still_counts_toward_the_quota_base() -> None:
    results = [result("a", "99", veto=True), result("b", "95")] + [result(f"z{i}", "70") for i in range(3)]
    graded = {g.staff_id: g for g in grade_centre_month(results, SCHEME)}
    # 5 assessed → 1 place; the vetoed 99 is 不合格 and takes no place.
    assert graded["a"].grade is Grade.FAIL
    assert "一票否决" in graded["a"].note_zh
    assert graded["b"].grade is Grade.EXCELLENT


def test_a_larger_quota_allows_more_excellent_staff() -> None:
    scheme = AssessmentScheme(excellent_quota=Decimal("0.25"))
    results = [result(s, "95", scheme=scheme) for s in "abcd"]
    assert sorted(grades(results, scheme).values()) == sorted([Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.GOOD])


def test_grading_refuses_a_staff_member_twice_or_mixed_months_or_schemes() -> None:
    with pytest.raises(DomainRuleViolation):
        grade_centre_month([result("a", "80"), result("a", "81")], SCHEME)
    other_month = replace(result("b", "80"), month=Month(2025, 4))
    with pytest.raises(DomainRuleViolation):
        grade_centre_month([result("a", "80"), other_month], SCHEME)
    with pytest.raises(DomainRuleViolation):
        grade_centre_month([result("a", "80")], AssessmentScheme(version=2))


scores = st.integers(min_value=0, max_value=11_000).map(lambda n: Decimal(n).scaleb(-2))
component_scores = st.integers(min_value=0, max_value=10_000).map(lambda n: str(Decimal(n).scaleb(-2)))


@st.composite
def centre_results(draw: st.DrawFn) -> list[StaffAssessment]:
    ids = draw(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=3), unique=True, max_size=30))
    return [
        result(
            staff_id,
            str(draw(scores)),
            satisfaction=draw(component_scores),
            workload=draw(component_scores),
            veto=draw(st.integers(min_value=0, max_value=9)) == 0,
        )
        for staff_id in ids
    ]


@settings(max_examples=200, deadline=None)
@given(results=centre_results(), quota=st.sampled_from(["0", "0.1", "0.2", "0.25", "0.3", "1"]))
def test_the_excellent_quota_is_never_exceeded(results: list[StaffAssessment], quota: str) -> None:
    scheme = AssessmentScheme(excellent_quota=Decimal(quota))
    graded = grade_centre_month(results, scheme)
    excellent = [g for g in graded if g.grade is Grade.EXCELLENT]
    assert len(excellent) <= excellent_places(len(results), scheme)
    assert all(g.assessment.score >= 90 and not g.assessment.has_veto for g in excellent)
    # Nobody below the 优秀 band is lifted, and nobody is pushed down more than one band by the quota.
    for g in graded:
        assert g.grade.rank <= g.assessment.band_grade.rank


@settings(max_examples=100, deadline=None)
@given(data=st.data(), results=centre_results())
def test_grading_does_not_depend_on_the_order_of_the_results(
    data: st.DataObject, results: list[StaffAssessment]
) -> None:
    shuffled = data.draw(st.permutations(results))
    assert grade_centre_month(shuffled, SCHEME) == grade_centre_month(results, SCHEME)


@st.composite
def centre_facts(draw: st.DrawFn) -> list[StaffMonthFacts]:
    ids = draw(st.lists(st.sampled_from("abcdefghijkl"), unique=True, min_size=1, max_size=12))
    return [
        StaffMonthFacts(
            staff_id=staff_id,
            month=MARCH,
            skill_level=SkillLevel.L3,
            rostered_duration=timedelta(hours=draw(st.integers(min_value=1, max_value=176))),
            served_items=tuple(
                ServedItem(
                    item_code="X",
                    standard_duration=timedelta(minutes=s),
                    actual_duration=timedelta(minutes=s + d),
                )
                for s, d in draw(st.lists(st.tuples(st.integers(1, 60), st.integers(-1, 30)), max_size=30))
            ),
            committed_on_time_count=draw(st.integers(0, 20)),
            committed_late_count=draw(st.integers(0, 3)),
            ratings=RatingTally(
                by_level={
                    RatingLevel.VERY_SATISFIED: draw(st.integers(0, 60)),
                    RatingLevel.SATISFIED: draw(st.integers(0, 20)),
                    RatingLevel.DISSATISFIED: draw(st.integers(0, 2)),
                }
            ),
        )
        for staff_id in ids
    ]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), facts=centre_facts())
def test_assessing_a_centre_does_not_depend_on_the_order_of_its_staff(
    data: st.DataObject, facts: list[StaffMonthFacts]
) -> None:
    shuffled = data.draw(st.permutations(facts))
    assert assess_centre_month(shuffled, SCHEME) == assess_centre_month(facts, SCHEME)
