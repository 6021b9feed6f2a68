"""Scoring a staff-month: the centre baseline, the five component scores with their explanations, the total.

Each component is scored 0–100 from facts, never typed in, and explained line by line: every
:class:`ExplanationLine` carries the points it contributes, and a component's score is *exactly* the sum of its
lines' points (a floor or cap is itself a line). The rules and their defaults are documented on the rule objects
of :class:`~staffing.domain.assessment.AssessmentScheme`.

Rounding points (half-up to 0.01, through ``to_points``); everything in between is exact decimal arithmetic
(34 significant digits):

1. each explanation line's points inside a component;
2. each component's weighted contribution ``score × weight / 100``.

The total is the exact sum of the weighted contributions, the bonus lines and any cap or floor line, so it
equals the sum of the lines shown on the slip.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from hall.domain import DomainRuleViolation
from staffing.domain._numbers import HUNDRED, ZERO, fixed_context, show, show_percent, show_plain, to_points
from staffing.domain.assessment import (
    AssessmentScheme,
    AttendanceEventKind,
    Component,
    DisciplineRules,
    EfficiencyRules,
    Grade,
    QualityEventKind,
    QualityRules,
    SatisfactionRules,
    StaffMonthFacts,
    VetoEvent,
    WorkloadRules,
    grade_for_score,
)
from staffing.domain.periods import Month
from staffing.domain.wording import say


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplanationLine:
    """One line of a score's explanation: what was measured (``value``, display text) and the points it gives."""

    label_zh: str
    label_en: str
    value: str
    points: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentScore:
    """A component's score (0–100, the exact sum of its lines' points) and its weighted contribution."""

    component: Component
    score: Decimal
    weight: Decimal
    weighted_points: Decimal
    lines: tuple[ExplanationLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffAssessment:
    """The scored month of one staff member, before the centre's 优秀 quota is applied.

    ``score`` is the exact sum of ``score_lines`` (weighted components, bonuses, caps). ``band_grade`` is the
    grade from the bands, or 不合格 if any veto applies.
    """

    staff_id: str
    month: Month
    scheme_code: str
    scheme_version: int
    components: tuple[ComponentScore, ...]
    score_lines: tuple[ExplanationLine, ...]
    bonus_points: Decimal
    score: Decimal
    vetoes: tuple[VetoEvent, ...]
    band_grade: Grade

    @property
    def has_veto(self) -> bool:
        return bool(self.vetoes)

    def component(self, component: Component) -> ComponentScore:
        return next(c for c in self.components if c.component is component)


@dataclass(frozen=True, slots=True, kw_only=True)
class CentreBaseline:
    """The centre-wide figures a staff-month is compared with, computed from all staff-months of the centre.

    Attributes:
        staff_count: Staff-months the baseline was computed from.
        median_workload_rate: Median of the staff's standard minutes per rostered hour.
        positive_rate: Pooled positive share of the centre's valid ratings (``None`` without ratings).
        very_satisfied_share: Pooled 非常满意 share of the centre's valid ratings (``None`` without ratings).
        mean_standard_minutes: Pooled mean standard minutes per item served (``None`` without items).
    """

    staff_count: int
    median_workload_rate: Decimal
    positive_rate: Decimal | None
    very_satisfied_share: Decimal | None
    mean_standard_minutes: Decimal | None


@fixed_context
def centre_baseline(facts: Sequence[StaffMonthFacts]) -> CentreBaseline:
    """Compute the centre's baseline from every staff-month of the centre (the order of ``facts`` is irrelevant).

    Raises:
        DomainRuleViolation: If there are no staff-months.
    """
    if not facts:
        raise DomainRuleViolation("facts", "a centre baseline needs at least one staff-month")
    rated = sum(f.ratings.count for f in facts)
    items = sum(len(f.served_items) for f in facts)
    return CentreBaseline(
        staff_count=len(facts),
        median_workload_rate=statistics.median(sorted(f.workload_rate for f in facts)),
        positive_rate=Decimal(sum(f.ratings.positive_count for f in facts)) / rated if rated else None,
        very_satisfied_share=Decimal(sum(f.ratings.very_satisfied_count for f in facts)) / rated if rated else None,
        mean_standard_minutes=sum((f.standard_minutes for f in facts), ZERO) / items if items else None,
    )


# --- scoring ---------------------------------------------------------------------------------------------


def _line(label_zh: str, label_en: str, value: str, points: Decimal = ZERO) -> ExplanationLine:
    """Build a line; its points are rounded half-up to 0.01 here (rounding point 1; exact values are unchanged)."""
    return ExplanationLine(label_zh=label_zh, label_en=label_en, value=value, points=to_points(points))


def _bounded(lines: list[ExplanationLine], *, low: Decimal, high: Decimal) -> list[ExplanationLine]:
    """Append a floor or cap line so the lines' points add up to a total within ``[low, high]``."""
    total = sum((line.points for line in lines), ZERO)
    if total < low:
        lines.append(_line("不低于下限", "Floor", say("floor", low=show(low)), low - total))
    elif total > high:
        lines.append(_line("封顶", "Cap", say("cap", high=show(high)), high - total))
    return lines


def _workload_lines(facts: StaffMonthFacts, baseline: CentreBaseline, rules: WorkloadRules) -> list[ExplanationLine]:
    rate = facts.workload_rate
    median = baseline.median_workload_rate
    lines = [
        _line(
            "服务事项标准工时",
            "Standard minutes served",
            say("served", items=len(facts.served_items), minutes=show(facts.standard_minutes)),
        ),
        _line("排班时长", "Rostered hours", say("hours", hours=show(facts.rostered_hours))),
    ]
    if median == ZERO:
        points = rules.score_at_median if rate == ZERO else HUNDRED
        value = say("rate_flat", rate=show(rate))
    else:
        points = to_points(rules.score_at_median * rate / median)
        value = say("rate", score=show_plain(rules.score_at_median), rate=show(rate), median=show(median))
    lines.append(_line("工作量得分", "Workload points", value, points))
    return _bounded(lines, low=ZERO, high=HUNDRED)


def _efficiency_lines(facts: StaffMonthFacts, rules: EfficiencyRules) -> list[ExplanationLine]:
    lines: list[ExplanationLine] = []
    on_time, late = facts.committed_on_time_count, facts.committed_late_count
    committed = on_time + late
    if committed == 0:
        lines.append(_line("按时办结", "On-time completion", say("no_committed"), rules.on_time_points))
    else:
        share_points = to_points(rules.on_time_points * on_time / committed)
        part = [
            _line(
                "按时办结率",
                "On-time share",
                f"{on_time}/{committed} = {show_percent(Decimal(on_time) / committed)}"
                f" × {show_plain(rules.on_time_points)}",
                share_points,
            ),
            _line(
                "超期办结",
                "Finished late",
                f"{late} × −{show_plain(rules.overdue_penalty_points)}",
                -rules.overdue_penalty_points * late,
            ),
        ]
        lines += _bounded(part, low=ZERO, high=rules.on_time_points)
    if not facts.served_items:
        lines.append(_line("办理时长", "Service time", say("no_items"), rules.service_time_points))
        return lines
    factor = rules.level_time_factors.get(facts.skill_level)
    if factor is None:
        raise DomainRuleViolation("skillLevel", f"no expected-time factor configured for {facts.skill_level.name}")
    expected = facts.standard_minutes * factor
    actual = facts.actual_minutes
    over = max(ZERO, actual / expected - 1)
    part = [
        _line(
            "办理时长",
            "Service time",
            say(
                "service_time",
                actual=show(actual),
                expected=show(expected),
                standard=show(facts.standard_minutes),
                factor=show_plain(factor),
                level=facts.skill_level.name,
            ),
            rules.service_time_points,
        )
    ]
    if over > ZERO:
        part.append(
            _line(
                "超出标准用时",
                "Over the standard",
                say("over", over=show_percent(over), penalty=show_plain(rules.penalty_per_percent_over)),
                -to_points(over * HUNDRED * rules.penalty_per_percent_over),
            )
        )
    return lines + _bounded(part, low=ZERO, high=rules.service_time_points)


def _shrunk(count: int, n: int, prior: Decimal, strength: Decimal) -> Decimal:
    if n + strength == ZERO:
        return prior
    return (count + strength * prior) / (n + strength)


def _satisfaction_lines(
    facts: StaffMonthFacts, baseline: CentreBaseline, rules: SatisfactionRules
) -> list[ExplanationLine]:
    tally = facts.ratings
    n, k = tally.count, rules.prior_strength
    prior_rate = baseline.positive_rate if baseline.positive_rate is not None else rules.fallback_positive_rate
    prior_share = (
        baseline.very_satisfied_share
        if baseline.very_satisfied_share is not None
        else rules.fallback_very_satisfied_share
    )
    rate = _shrunk(tally.positive_count, n, prior_rate, k)
    share = _shrunk(tally.very_satisfied_count, n, prior_share, k)
    if baseline.positive_rate is None:
        positive = say(
            "shrunk_fallback",
            count=tally.positive_count,
            k=show_plain(k),
            prior=show_percent(prior_rate),
            n=n,
            rate=show_percent(rate),
            points=show_plain(rules.positive_rate_points),
        )
    else:
        positive = (
            f"({tally.positive_count} + {show_plain(k)} × {show_percent(prior_rate)}) / ({n} + {show_plain(k)})"
            f" = {show_percent(rate)} × {show_plain(rules.positive_rate_points)}"
        )
    lines = [
        _line(
            "好评率",
            "Positive rate",
            positive,
            to_points(rules.positive_rate_points * rate),
        ),
        _line(
            "非常满意占比",
            "Very-satisfied share",
            f"({tally.very_satisfied_count} + {show_plain(k)} × {show_percent(prior_share)}) / ({n} + {show_plain(k)})"
            f" = {show_percent(share)} × {show_plain(rules.very_satisfied_points)}",
            to_points(rules.very_satisfied_points * share),
        ),
        _line(
            "确认差评",
            "Confirmed 差评",
            f"{tally.confirmed_negative_count} × −{show_plain(rules.negative_penalty_points)}",
            -rules.negative_penalty_points * tally.confirmed_negative_count,
        ),
    ]
    if tally.pending_negative_count:
        pending = say("pending", count=tally.pending_negative_count)
        lines.append(_line("待核实差评", "差评 pending verification", pending))
    return _bounded(lines, low=ZERO, high=HUNDRED)


def _deduction_lines(rows: Sequence[tuple[str, str, bool, int, Decimal]]) -> list[ExplanationLine]:
    """Return 100 minus each row's points × count; a row is (label zh, label en, in half-days, count, points)."""
    lines = [_line("基础分", "Base", "100", HUNDRED)]
    lines += [
        _line(
            label_zh,
            label_en,
            say("half_days_points", count=count, points=show_plain(points))
            if in_half_days
            else f"{count} × −{show_plain(points)}",
            -points * count,
        )
        for label_zh, label_en, in_half_days, count, points in rows
        if count
    ]
    return _bounded(lines, low=ZERO, high=HUNDRED)


def _quality_lines(facts: StaffMonthFacts, rules: QualityRules) -> list[ExplanationLine]:
    counts = Counter(event.kind for event in facts.quality_events)
    return _deduction_lines(
        [(kind.label_zh, kind.label_en, False, counts[kind], rules.deduction_points[kind]) for kind in QualityEventKind]
    )


def _discipline_lines(facts: StaffMonthFacts, rules: DisciplineRules) -> list[ExplanationLine]:
    counts: Counter[AttendanceEventKind] = Counter()
    for event in facts.attendance_events:
        counts[event.kind] += event.units
    return _deduction_lines(
        [
            (
                kind.label_zh,
                kind.label_en,
                kind is AttendanceEventKind.ABSENCE,
                counts[kind],
                rules.deduction_points[kind],
            )
            for kind in AttendanceEventKind
        ]
    )


def _component(component: Component, lines: list[ExplanationLine], scheme: AssessmentScheme) -> ComponentScore:
    score = sum((line.points for line in lines), ZERO)
    weight = scheme.weight_of(component)
    return ComponentScore(
        component=component,
        score=score,
        weight=weight,
        weighted_points=to_points(score * weight / HUNDRED),
        lines=tuple(lines),
    )


@fixed_context
def assess_staff_month(facts: StaffMonthFacts, baseline: CentreBaseline, scheme: AssessmentScheme) -> StaffAssessment:
    """Score one staff-month under ``scheme`` against the centre's ``baseline``.

    score = Σ round(component score × weight / 100) + min(Σ bonuses, bonus cap), not below 0.
    A veto of a kind the scheme recognises makes the band grade 不合格 whatever the score.

    Raises:
        DomainRuleViolation: If a veto is of a kind the scheme does not recognise, or the staff member's level
            has no expected-time factor.
    """
    unknown = sorted({v.kind for v in facts.vetoes} - scheme.veto_kinds)
    if unknown:
        raise DomainRuleViolation("vetoes", f"scheme {scheme.code} v{scheme.version} has no veto item {unknown}")
    components = (
        _component(Component.WORKLOAD, _workload_lines(facts, baseline, scheme.workload), scheme),
        _component(Component.EFFICIENCY, _efficiency_lines(facts, scheme.efficiency), scheme),
        _component(Component.SATISFACTION, _satisfaction_lines(facts, baseline, scheme.satisfaction), scheme),
        _component(Component.QUALITY, _quality_lines(facts, scheme.quality), scheme),
        _component(Component.DISCIPLINE, _discipline_lines(facts, scheme.discipline), scheme),
    )
    score_lines = [
        _line(
            c.component.label_zh, c.component.label_en, f"{show(c.score)} × {show_plain(c.weight)}%", c.weighted_points
        )
        for c in components
    ]
    bonus_lines = [_line("加分", "Bonus", bonus.reason, bonus.points) for bonus in facts.bonuses]
    bonus_total = sum((b.points for b in facts.bonuses), ZERO)
    if bonus_total > scheme.bonus_cap:
        bonus_lines.append(
            _line("加分封顶", "Bonus cap", f"at most {show(scheme.bonus_cap)}", scheme.bonus_cap - bonus_total)
        )
    score_lines += bonus_lines
    score_lines = _bounded(score_lines, low=ZERO, high=HUNDRED + scheme.bonus_cap)
    score = sum((line.points for line in score_lines), ZERO)
    return StaffAssessment(
        staff_id=facts.staff_id,
        month=facts.month,
        scheme_code=scheme.code,
        scheme_version=scheme.version,
        components=components,
        score_lines=tuple(score_lines),
        bonus_points=to_points(min(bonus_total, scheme.bonus_cap)),
        score=score,
        vetoes=tuple(sorted(facts.vetoes, key=lambda v: (v.on, v.kind))),
        band_grade=Grade.FAIL if facts.vetoes else grade_for_score(score, scheme),
    )
