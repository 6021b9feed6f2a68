"""Grading a centre's month: bands and vetoes, then the 优秀 quota with a deterministic tie-break.

Source: ``shared/domain.md`` §4.1 (优秀 ≤ 20 % of those assessed) and §4.10 (bands, 一票否决 → 不合格).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from hall.domain import DomainRuleViolation
from staffing.domain._numbers import fixed_context, show
from staffing.domain.assessment import AssessmentScheme, Component, Grade, StaffMonthFacts
from staffing.domain.scoring import StaffAssessment, assess_staff_month, centre_baseline


@dataclass(frozen=True, slots=True, kw_only=True)
class GradedAssessment:
    """A staff-month with its final grade after the centre's 优秀 quota, and why.

    ``excellent_rank`` is the place among the staff whose score reached the 优秀 band (1 = first), else ``None``.
    """

    assessment: StaffAssessment
    grade: Grade
    excellent_rank: int | None
    note_zh: str
    note_en: str

    @property
    def staff_id(self) -> str:
        return self.assessment.staff_id


@fixed_context
def excellent_places(assessed_count: int, scheme: AssessmentScheme) -> int:
    """Return the number of 优秀 places: ``floor(quota × staff assessed)``.

    The floor is strict: 20 % of 4 staff is 0.8, so no 优秀 that month. Rounding up or granting at least one
    place would let a small centre exceed the quota, which §4.1 does not allow.
    """
    return int((scheme.excellent_quota * assessed_count).to_integral_value(rounding=ROUND_FLOOR))


def _quota_order(result: StaffAssessment) -> tuple[Decimal, Decimal, Decimal, str]:
    """Order 优秀 candidates: score desc, then satisfaction desc, then workload desc, then staff id asc."""
    return (
        -result.score,
        -result.component(Component.SATISFACTION).score,
        -result.component(Component.WORKLOAD).score,
        result.staff_id,
    )


def _grade_below_excellent(scheme: AssessmentScheme) -> Grade:
    below = [band.grade for band in scheme.bands if band.grade is not Grade.EXCELLENT]
    return below[0] if below else Grade.FAIL


@fixed_context
def grade_centre_month(results: Sequence[StaffAssessment], scheme: AssessmentScheme) -> tuple[GradedAssessment, ...]:
    """Grade every staff-month of a centre: bands and vetoes first, then the 优秀 quota.

    The staff whose band is 优秀 are ranked by score (desc), satisfaction score (desc), workload score (desc)
    and staff id (asc). The first :func:`excellent_places` keep 优秀; the rest drop to the next band (良好 by
    default). All staff assessed, vetoed ones included, count toward the quota base. The result is sorted by
    staff id and does not depend on the order of ``results``.

    Raises:
        DomainRuleViolation: If a staff member appears twice, or the results mix months or scheme versions.
    """
    if len({r.staff_id for r in results}) != len(results):
        raise DomainRuleViolation("results", "each staff member is assessed once per month")
    if len({r.month for r in results}) > 1:
        raise DomainRuleViolation("results", "a centre month is graded from one month's assessments")
    if any((r.scheme_code, r.scheme_version) != (scheme.code, scheme.version) for r in results):
        raise DomainRuleViolation("results", f"every assessment must use scheme {scheme.code} v{scheme.version}")
    places = excellent_places(len(results), scheme)
    candidates = sorted((r for r in results if r.band_grade is Grade.EXCELLENT), key=_quota_order)
    ranks = {r.staff_id: rank for rank, r in enumerate(candidates, start=1)}
    below = _grade_below_excellent(scheme)
    graded: list[GradedAssessment] = []
    for result in sorted(results, key=lambda r: r.staff_id):
        rank = ranks.get(result.staff_id)
        score = show(result.score)
        if result.has_veto:
            kinds = "、".join(sorted({v.kind.label_zh for v in result.vetoes}))
            grade, zh, en = (
                Grade.FAIL,
                f"一票否决（{kinds}）→ 不合格",
                f"veto ({', '.join(sorted({v.kind for v in result.vetoes}))}) → Fail",
            )
        elif rank is None:
            grade = result.band_grade
            zh, en = f"得分 {score} → {grade.label_zh}", f"score {score} → {grade.label_en}"
        elif rank <= places:
            grade = Grade.EXCELLENT
            zh = f"得分 {score}，优秀名额 {places} 个，排第 {rank} → 优秀"
            en = f"score {score}, ranked {rank} for {places} 优秀 places → Excellent"
        else:
            grade = below
            zh = f"得分 {score} 达到优秀分数线，但优秀名额 {places} 个，排第 {rank} → {below.label_zh}"
            en = f"score {score} reaches the 优秀 band, but ranked {rank} for {places} places → {below.label_en}"
        graded.append(GradedAssessment(assessment=result, grade=grade, excellent_rank=rank, note_zh=zh, note_en=en))
    return tuple(graded)


def assess_centre_month(facts: Sequence[StaffMonthFacts], scheme: AssessmentScheme) -> tuple[GradedAssessment, ...]:
    """Assess and grade every staff-month of a centre: baseline, scores, then :func:`grade_centre_month`."""
    baseline = centre_baseline(facts)
    return grade_centre_month([assess_staff_month(f, baseline, scheme) for f in facts], scheme)
