"""Monthly staff assessment (绩效考核): grades, the facts of a staff-month and the versioned scheme.

Source: ``shared/domain.md`` §4.10, the [D] default scheme synthesised from schemes A–G (§4.2–4.8): components
工作量 30, 效率 20, 好差评 25, 质量 10, 纪律考勤 15; bonuses capped at +10; 一票否决 forces 不合格; bands 优秀 ≥ 90
(quota ≤ 20 % of those assessed, §4.1), 良好 ≥ 80, 合格 ≥ 70, 基本合格 ≥ 60, else 不合格. Every number is a field
of :class:`AssessmentScheme` or of one of its rule objects. Scoring is in ``scoring``, the centre's grading and
the 优秀 quota in ``grading``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeVar

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain._numbers import (
    HUNDRED,
    ZERO,
    divide,
    minutes_of,
    require_points,
)
from staffing.domain.periods import Month
from staffing.domain.rating_counts import RatingTally


class Component(StrEnum):
    """A scored component of the monthly assessment (§4.10)."""

    WORKLOAD = "workload"
    EFFICIENCY = "efficiency"
    SATISFACTION = "satisfaction"
    QUALITY = "quality"
    DISCIPLINE = "discipline"

    @property
    def label_zh(self) -> str:
        return _COMPONENT_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _COMPONENT_LABELS[self][1]


_COMPONENT_LABELS: Final = {
    Component.WORKLOAD: ("工作量", "Workload"),
    Component.EFFICIENCY: ("效率", "Efficiency"),
    Component.SATISFACTION: ("好差评", "Satisfaction"),
    Component.QUALITY: ("质量", "Quality"),
    Component.DISCIPLINE: ("纪律考勤", "Discipline"),
}


class Grade(StrEnum):
    """An assessment grade (考核等次, §0.5 and §4.1); the pay coefficient of each grade lives in the pay rule."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 - a grade, not a password
    BASIC_PASS = "basic_pass"  # noqa: S105 - a grade, not a password
    FAIL = "fail"

    @property
    def label_zh(self) -> str:
        return _GRADE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _GRADE_LABELS[self][1]

    @property
    def rank(self) -> int:
        """Return 5 for 优秀 down to 1 for 不合格, so grades compare by merit."""
        return _GRADE_LABELS[self][2]


_GRADE_LABELS: Final = {
    Grade.EXCELLENT: ("优秀", "Excellent", 5),
    Grade.GOOD: ("良好", "Good", 4),
    Grade.PASS: ("合格", "Pass", 3),
    Grade.BASIC_PASS: ("基本合格", "Basic pass", 2),
    Grade.FAIL: ("不合格", "Fail", 1),
}


class QualityEventKind(StrEnum):
    """Quality events (§4.10 质量: errors, returns, 一次性告知 failures, valid complaints)."""

    ERROR = "error"
    IMPROPER_RETURN = "improper_return"
    ONE_TIME_NOTICE_FAILURE = "one_time_notice_failure"
    VALID_COMPLAINT = "valid_complaint"

    @property
    def label_zh(self) -> str:
        return _QUALITY_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _QUALITY_LABELS[self][1]


_QUALITY_LABELS: Final = {
    QualityEventKind.ERROR: ("差错", "Error"),
    QualityEventKind.IMPROPER_RETURN: ("违规收退件", "Improper acceptance or return"),
    QualityEventKind.ONE_TIME_NOTICE_FAILURE: ("未一次性告知", "Missing items not told at once"),
    QualityEventKind.VALID_COMPLAINT: ("有效投诉", "Valid complaint"),
}


class AttendanceEventKind(StrEnum):
    """Attendance and discipline events (§4.10 纪律考勤; scheme B §4.3)."""

    LATE = "late"
    EARLY_LEAVE = "early_leave"
    OFF_POST = "off_post"
    ABSENCE = "absence"  # counted in half-days
    UNIFORM = "uniform"  # uniform or badge missing

    @property
    def label_zh(self) -> str:
        return _ATTENDANCE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _ATTENDANCE_LABELS[self][1]

    @property
    def unit_en(self) -> str:
        """Return what one deduction unit is: a half-day for an absence, one event otherwise."""
        return "half-day" if self is AttendanceEventKind.ABSENCE else "event"


_ATTENDANCE_LABELS: Final = {
    AttendanceEventKind.LATE: ("迟到", "Late"),
    AttendanceEventKind.EARLY_LEAVE: ("早退", "Early leave"),
    AttendanceEventKind.OFF_POST: ("脱岗", "Off post"),
    AttendanceEventKind.ABSENCE: ("旷工", "Absence"),
    AttendanceEventKind.UNIFORM: ("着装/工牌不规范", "Uniform or badge"),
}


class VetoKind(StrEnum):
    """Serious violations that may force 不合格 (一票否决, §4.10)."""

    BRIBERY = "bribery"
    FALSIFICATION = "falsification"
    SERIOUS_COMPLAINT = "serious_complaint"

    @property
    def label_zh(self) -> str:
        return _VETO_LABELS_ZH[self]


_VETO_LABELS_ZH: Final = {
    VetoKind.BRIBERY: "吃拿卡要/索贿受贿",
    VetoKind.FALSIFICATION: "弄虚作假",
    VetoKind.SERIOUS_COMPLAINT: "严重投诉",
}


# --- facts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ServedItem:
    """One item served (a case, call, consultation or assist) with its catalogue standard time.

    Attributes:
        item_code: The service item's code.
        standard_duration: The item's standard handling time at the reference skill level (L4); a harder item
            has a longer standard and earns more workload.
        actual_duration: How long the staff member actually took (call to finish).
    """

    item_code: str
    standard_duration: timedelta
    actual_duration: timedelta

    def __post_init__(self) -> None:
        if self.standard_duration <= timedelta(0):
            raise DomainRuleViolation("servedItem.standardDuration", "must be positive")
        if self.actual_duration < timedelta(0):
            raise DomainRuleViolation("servedItem.actualDuration", "must not be negative")


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityEvent:
    kind: QualityEventKind
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendanceEvent:
    """One attendance event; an absence (旷工) spans ``half_days`` half-days, every other kind counts once."""

    kind: AttendanceEventKind
    on: date
    half_days: int = 1
    note: str = ""

    def __post_init__(self) -> None:
        if self.half_days < 1:
            raise DomainRuleViolation("attendanceEvent.halfDays", "must be at least 1")
        if self.kind is not AttendanceEventKind.ABSENCE and self.half_days != 1:
            raise DomainRuleViolation("attendanceEvent.halfDays", "only an absence spans several half-days")

    @property
    def units(self) -> int:
        """Return how many times the event's deduction applies (half-days for an absence, else 1)."""
        return self.half_days


@dataclass(frozen=True, slots=True, kw_only=True)
class BonusAward:
    """Bonus points with their reason, e.g. 2 points for 节假日延时服务 (scheme B: +1 to +3)."""

    points: Decimal
    reason: str

    def __post_init__(self) -> None:
        require_points("bonus.points", self.points)
        if self.points <= ZERO:
            raise DomainRuleViolation("bonus.points", "must be positive")
        if not self.reason.strip():
            raise DomainRuleViolation("bonus.reason", "every bonus needs a reason")


@dataclass(frozen=True, slots=True, kw_only=True)
class VetoEvent:
    kind: VetoKind
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffMonthFacts:
    """Everything the assessment of one staff member for one month is computed from (plain data, no scores).

    Attributes:
        staff_id: The staff member.
        month: The month assessed.
        skill_level: The staff member's skill level in that month (sets the expected service time).
        rostered_duration: Time rostered at a window in the month; must be positive to be assessed.
        served_items: Every item served in the month.
        committed_on_time_count: Committed-deadline cases (承诺件) finished on time.
        committed_late_count: Committed-deadline cases finished late (超期).
        ratings: Valid ratings by level and pending 差评 (see :func:`staffing.domain.ratings.tally_staff_ratings`).
        quality_events: Errors, improper returns, 一次性告知 failures, valid complaints.
        attendance_events: Late, early leave, off post, absence, uniform.
        bonuses: Bonus points with reasons.
        vetoes: 一票否决 events.
    """

    staff_id: str
    month: Month
    skill_level: SkillLevel
    rostered_duration: timedelta
    served_items: tuple[ServedItem, ...] = ()
    committed_on_time_count: int = 0
    committed_late_count: int = 0
    ratings: RatingTally = field(default_factory=RatingTally)
    quality_events: tuple[QualityEvent, ...] = ()
    attendance_events: tuple[AttendanceEvent, ...] = ()
    bonuses: tuple[BonusAward, ...] = ()
    vetoes: tuple[VetoEvent, ...] = ()

    def __post_init__(self) -> None:
        if not self.staff_id:
            raise DomainRuleViolation("staffId", "must not be empty")
        if self.rostered_duration <= timedelta(0):
            raise DomainRuleViolation("rosteredDuration", "a staff-month is assessed only with rostered time")
        if self.committed_on_time_count < 0 or self.committed_late_count < 0:
            raise DomainRuleViolation("committedCases", "counts must not be negative")
        dated: Iterable[QualityEvent | AttendanceEvent | VetoEvent] = (
            *self.quality_events,
            *self.attendance_events,
            *self.vetoes,
        )
        for event in dated:
            if Month.of(event.on) != self.month:
                raise DomainRuleViolation("events", f"an event on {event.on} is outside {self.month}")

    @property
    def standard_minutes(self) -> Decimal:
        """Return the total standard minutes of the items served (exact)."""
        return minutes_of(sum((i.standard_duration for i in self.served_items), timedelta()))

    @property
    def actual_minutes(self) -> Decimal:
        return minutes_of(sum((i.actual_duration for i in self.served_items), timedelta()))

    @property
    def rostered_hours(self) -> Decimal:
        return divide(minutes_of(self.rostered_duration), Decimal(60))

    @property
    def workload_rate(self) -> Decimal:
        """Return standard minutes served per rostered hour (the difficulty-weighted workload rate)."""
        return divide(self.standard_minutes, self.rostered_hours)


# --- the scheme ------------------------------------------------------------------------------------------


K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E", bound=StrEnum)


def _frozen_map(values: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkloadRules:
    """How the workload rate maps to 0–100 points.

    points = ``score_at_median`` × (staff rate / centre median rate), capped at 100. The rate is standard minutes
    served per rostered hour, so a hard item counts more than an easy one (Changsha 平衡积分制, §4.8). With the
    default 80, a clerk at the centre median scores 80 and one at 1.25 × the median or above scores 100.
    """

    score_at_median: Decimal = Decimal(80)

    def __post_init__(self) -> None:
        require_points("workload.scoreAtMedian", self.score_at_median)
        if not ZERO < self.score_at_median <= HUNDRED:
            raise DomainRuleViolation("workload.scoreAtMedian", "must be in (0, 100]")


DEFAULT_LEVEL_TIME_FACTORS: Final[Mapping[SkillLevel, Decimal]] = MappingProxyType(
    {SkillLevel.L4: Decimal("1.00"), SkillLevel.L3: Decimal("0.90"), SkillLevel.L2: Decimal("0.80")}
)
"""Expected service time as a share of the item standard, by level (§2.5 [D]; L4–L2 enabled for 综窗)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EfficiencyRules:
    """How on-time completion and service time make up the efficiency score.

    The on-time part is worth ``on_time_points``: that many points × the on-time share of committed cases, minus
    ``overdue_penalty_points`` per late case (scheme A: −5 per overdue case), not below 0. The service-time part
    is worth ``service_time_points``, minus ``penalty_per_percent_over`` points for each percentage point by
    which actual time exceeds the standard for the staff member's level, not below 0. A part with no data (no
    committed cases, no items served) has nothing to deduct and gives its full points.
    """

    on_time_points: Decimal = Decimal(50)
    service_time_points: Decimal = Decimal(50)
    overdue_penalty_points: Decimal = Decimal(5)
    penalty_per_percent_over: Decimal = Decimal(1)
    level_time_factors: Mapping[SkillLevel, Decimal] = field(default_factory=lambda: DEFAULT_LEVEL_TIME_FACTORS)

    def __post_init__(self) -> None:
        for name in ("on_time_points", "service_time_points", "overdue_penalty_points", "penalty_per_percent_over"):
            value: Decimal = getattr(self, name)
            require_points(f"efficiency.{name}", value)
            if value < ZERO:
                raise DomainRuleViolation(f"efficiency.{name}", "must not be negative")
        if self.on_time_points + self.service_time_points != HUNDRED:
            raise DomainRuleViolation("efficiency", "on-time and service-time points must add up to 100")
        if any(not f.is_finite() or f <= ZERO for f in self.level_time_factors.values()):
            raise DomainRuleViolation("efficiency.levelTimeFactors", "factors must be positive")
        object.__setattr__(self, "level_time_factors", _frozen_map(self.level_time_factors))


@dataclass(frozen=True, slots=True, kw_only=True)
class SatisfactionRules:
    """How valid ratings make up the satisfaction score (§4.10 好差评).

    The staff member's positive rate and 非常满意 share are shrunk toward the centre's (empirical Bayes with a
    beta prior worth ``prior_strength`` ratings): shrunk = (count + k × centre rate) / (n + k). With few
    ratings the score stays near the centre's; with many it follows the staff member's own.
    points = ``positive_rate_points`` × shrunk positive rate + ``very_satisfied_points`` × shrunk 非常满意 share
    − ``negative_penalty_points`` per confirmed 差评, not below 0.

    ``fallback_positive_rate`` and ``fallback_very_satisfied_share`` are the prior when the whole centre has no
    rating in the month (Hall design defaults).
    """

    prior_strength: Decimal = Decimal(20)
    positive_rate_points: Decimal = Decimal(90)
    very_satisfied_points: Decimal = Decimal(10)
    negative_penalty_points: Decimal = Decimal(5)
    fallback_positive_rate: Decimal = Decimal("0.95")
    fallback_very_satisfied_share: Decimal = Decimal("0.50")

    def __post_init__(self) -> None:
        for name in ("prior_strength", "positive_rate_points", "very_satisfied_points", "negative_penalty_points"):
            value: Decimal = getattr(self, name)
            require_points(f"satisfaction.{name}", value)
            if value < ZERO:
                raise DomainRuleViolation(f"satisfaction.{name}", "must not be negative")
        if self.positive_rate_points + self.very_satisfied_points != HUNDRED:
            raise DomainRuleViolation("satisfaction", "positive-rate and 非常满意 points must add up to 100")
        for name in ("fallback_positive_rate", "fallback_very_satisfied_share"):
            rate: Decimal = getattr(self, name)
            if not rate.is_finite() or not ZERO <= rate <= 1:
                raise DomainRuleViolation(f"satisfaction.{name}", "must be a rate in [0, 1]")


def _complete_points(name: str, points: Mapping[E, Decimal], kinds: Iterable[E]) -> Mapping[E, Decimal]:
    missing = [k for k in kinds if k not in points]
    if missing:
        raise DomainRuleViolation(name, f"no deduction configured for {', '.join(missing)}")
    for kind, value in points.items():
        require_points(f"{name}.{kind}", value)
        if value < ZERO:
            raise DomainRuleViolation(f"{name}.{kind}", "deductions are given as non-negative points")
    return _frozen_map(points)


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityRules:
    """Points deducted from 100 per quality event, by kind (§4.10: −5 each)."""

    deduction_points: Mapping[QualityEventKind, Decimal] = field(
        default_factory=lambda: dict.fromkeys(QualityEventKind, Decimal(5))
    )

    def __post_init__(self) -> None:
        checked = _complete_points("quality.deductionPoints", self.deduction_points, QualityEventKind)
        object.__setattr__(self, "deduction_points", checked)


@dataclass(frozen=True, slots=True, kw_only=True)
class DisciplineRules:
    """Points deducted from 100 per attendance event, by kind; an absence is deducted per half-day.

    Defaults (§4.10, scheme B §4.3): late, early leave, off post −1 each; absence −2 per half-day; uniform −1.
    """

    deduction_points: Mapping[AttendanceEventKind, Decimal] = field(
        default_factory=lambda: {
            AttendanceEventKind.LATE: Decimal(1),
            AttendanceEventKind.EARLY_LEAVE: Decimal(1),
            AttendanceEventKind.OFF_POST: Decimal(1),
            AttendanceEventKind.ABSENCE: Decimal(2),
            AttendanceEventKind.UNIFORM: Decimal(1),
        }
    )

    def __post_init__(self) -> None:
        checked = _complete_points("discipline.deductionPoints", self.deduction_points, AttendanceEventKind)
        object.__setattr__(self, "deduction_points", checked)


@dataclass(frozen=True, slots=True, kw_only=True)
class GradeBand:
    """A grade and the lowest score that earns it."""

    grade: Grade
    min_score: Decimal


DEFAULT_WEIGHTS: Final[Mapping[Component, Decimal]] = MappingProxyType(
    {
        Component.WORKLOAD: Decimal(30),
        Component.EFFICIENCY: Decimal(20),
        Component.SATISFACTION: Decimal(25),
        Component.QUALITY: Decimal(10),
        Component.DISCIPLINE: Decimal(15),
    }
)
DEFAULT_BANDS: Final[tuple[GradeBand, ...]] = (
    GradeBand(grade=Grade.EXCELLENT, min_score=Decimal(90)),
    GradeBand(grade=Grade.GOOD, min_score=Decimal(80)),
    GradeBand(grade=Grade.PASS, min_score=Decimal(70)),
    GradeBand(grade=Grade.BASIC_PASS, min_score=Decimal(60)),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentScheme:
    """A versioned monthly assessment scheme; the defaults are the §4.10 [D] scheme.

    Attributes:
        code: The scheme's code; with ``version`` it identifies the rules an assessment was computed under.
        version: Incremented on every change; an assessment records the version it used.
        weights: Percentage weight of each component; must cover every component and add up to 100.
        bonus_cap: Most bonus points counted in a month (§4.10: +10).
        veto_kinds: The veto events this scheme recognises; a veto forces 不合格.
        bands: Grade bands, best first, each with its minimum score; a score below the last band is 不合格.
        excellent_quota: Largest share of the staff assessed that may be 优秀 (§4.1: 20 %); the number of places
            is ``floor(quota × staff assessed)``, so it may be 0 in a small centre.
        workload: Workload mapping.
        efficiency: Efficiency rules.
        satisfaction: Satisfaction rules.
        quality: Quality deductions.
        discipline: Discipline deductions.
    """

    code: str = "hall-default"
    version: int = 1
    weights: Mapping[Component, Decimal] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    bonus_cap: Decimal = Decimal(10)
    veto_kinds: frozenset[VetoKind] = frozenset(VetoKind)
    bands: tuple[GradeBand, ...] = DEFAULT_BANDS
    excellent_quota: Decimal = Decimal("0.20")
    workload: WorkloadRules = field(default_factory=WorkloadRules)
    efficiency: EfficiencyRules = field(default_factory=EfficiencyRules)
    satisfaction: SatisfactionRules = field(default_factory=SatisfactionRules)
    quality: QualityRules = field(default_factory=QualityRules)
    discipline: DisciplineRules = field(default_factory=DisciplineRules)

    def __post_init__(self) -> None:
        if not self.code or self.version < 1:
            raise DomainRuleViolation("scheme", "needs a code and a version of at least 1")
        if set(self.weights) != set(Component):
            raise DomainRuleViolation("scheme.weights", "must give a weight for every component")
        for component, weight in self.weights.items():
            require_points(f"scheme.weights.{component}", weight)
            if weight < ZERO:
                raise DomainRuleViolation(f"scheme.weights.{component}", "must not be negative")
        if sum(self.weights.values(), ZERO) != HUNDRED:
            raise DomainRuleViolation("scheme.weights", "must add up to 100")
        require_points("scheme.bonusCap", self.bonus_cap)
        if self.bonus_cap < ZERO:
            raise DomainRuleViolation("scheme.bonusCap", "must not be negative")
        if not self.excellent_quota.is_finite() or not ZERO <= self.excellent_quota <= 1:
            raise DomainRuleViolation("scheme.excellentQuota", "must be a share in [0, 1]")
        _check_bands(self.bands, ceiling=HUNDRED + self.bonus_cap)
        object.__setattr__(self, "weights", _frozen_map(self.weights))

    def weight_of(self, component: Component) -> Decimal:
        return self.weights[component]


def _check_bands(bands: Sequence[GradeBand], *, ceiling: Decimal) -> None:
    if not bands:
        raise DomainRuleViolation("scheme.bands", "needs at least one band above 不合格")
    previous: GradeBand | None = None
    for band in bands:
        require_points(f"scheme.bands.{band.grade}", band.min_score)
        if band.grade is Grade.FAIL:
            raise DomainRuleViolation("scheme.bands", "不合格 is what falls below the last band; it has no band")
        if not ZERO < band.min_score <= ceiling:
            raise DomainRuleViolation("scheme.bands", f"minimum scores must be in (0, {ceiling}]")
        if previous is not None and (band.grade.rank >= previous.grade.rank or band.min_score >= previous.min_score):
            raise DomainRuleViolation("scheme.bands", "bands must run from the best grade down, scores descending")
        previous = band


def grade_for_score(score: Decimal, scheme: AssessmentScheme) -> Grade:
    """Return the band grade of a score (no veto, no quota): the first band whose minimum it reaches."""
    for band in scheme.bands:
        if score >= band.min_score:
            return band.grade
    return Grade.FAIL
