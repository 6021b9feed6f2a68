"""Monthly pay (差异化收入分配): level pay, post allowance, performance pay by grade, adjustments, deductions.

Source: ``shared/domain.md`` §4.10 [D] pay linkage and §4.9 figures: performance pay = performance base × grade
coefficient (优秀 1.2, 良好 1.1, 合格 1.0, 基本合格 0.8, 不合格 0); level pay (等级工资) by skill level (L4 base,
L3 +15 %, L2 +30 %); post allowance (岗位补助); optional money deductions per attendance event (福庆乡: −20 per
late arrival or early leave). The money amounts themselves are local budget decisions, so a :class:`PayRule` has
no default amounts; :func:`level_pay_from_base` builds the level table from an L4 amount and the §4.10 factors.

Arithmetic and rounding (the only rounding points):

* every input amount must already be in whole fen (refused otherwise, never rounded silently);
* each pro-rated or coefficient line is computed exactly, ``amount × coefficient × days worked`` first and one
  division by the month's working days last, then rounded **half-up to the fen once, per line**;
* totals are exact sums of the rounded lines, so the slip adds up to the fen:
  ``gross − deductions + carried over = net`` and ``Σ line amounts = net``.

Net pay is never negative. When deductions exceed gross pay, net is 0 and a ``CARRIED_OVER`` line records the
shortfall, to be deducted next month as ``carried_in_amount`` (it becomes a ``CARRIED_IN`` line there). Refusing
to compute would leave a staff member without a slip over a deduction dispute; carrying over keeps every fen
accounted for.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain._numbers import ZERO, fixed_context, require_fen, show, to_fen
from staffing.domain.assessment import AttendanceEvent, AttendanceEventKind, Grade
from staffing.domain.periods import Month
from staffing.domain.wording import say


class PayLineCode(StrEnum):
    """What a pay line is; a slip may hold several adjustment and deduction lines."""

    LEVEL_PAY = "level_pay"
    POST_ALLOWANCE = "post_allowance"
    PERFORMANCE_PAY = "performance_pay"
    ADJUSTMENT = "adjustment"
    ATTENDANCE_DEDUCTION = "attendance_deduction"
    DEDUCTION = "deduction"
    CARRIED_IN = "carried_in"
    CARRIED_OVER = "carried_over"


_EARNINGS: Final = frozenset(
    {PayLineCode.LEVEL_PAY, PayLineCode.POST_ALLOWANCE, PayLineCode.PERFORMANCE_PAY, PayLineCode.ADJUSTMENT}
)
_DEDUCTIONS: Final = frozenset({PayLineCode.ATTENDANCE_DEDUCTION, PayLineCode.DEDUCTION, PayLineCode.CARRIED_IN})


@dataclass(frozen=True, slots=True, kw_only=True)
class PayLine:
    """One line of a pay slip: a signed amount in yuan (fen precision) and how it was computed."""

    code: PayLineCode
    label_zh: str
    label_en: str
    amount: Decimal
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PayAdjustment:
    """A signed adjustment to gross pay with its reason (e.g. 补发 back pay, or a negative correction)."""

    reason: str
    amount: Decimal

    def __post_init__(self) -> None:
        require_fen("adjustment.amount", self.amount)
        if self.amount == ZERO:
            raise DomainRuleViolation("adjustment.amount", "must not be zero")
        if not self.reason.strip():
            raise DomainRuleViolation("adjustment.reason", "every adjustment needs a reason")


@dataclass(frozen=True, slots=True, kw_only=True)
class PayDeduction:
    """A deduction from pay with its reason, given as a positive amount."""

    reason: str
    amount: Decimal

    def __post_init__(self) -> None:
        require_fen("deduction.amount", self.amount)
        if self.amount <= ZERO:
            raise DomainRuleViolation("deduction.amount", "must be positive")
        if not self.reason.strip():
            raise DomainRuleViolation("deduction.reason", "every deduction needs a reason")


DEFAULT_GRADE_COEFFICIENTS: Final[Mapping[Grade, Decimal]] = MappingProxyType(
    {
        Grade.EXCELLENT: Decimal("1.2"),
        Grade.GOOD: Decimal("1.1"),
        Grade.PASS: Decimal("1.0"),
        Grade.BASIC_PASS: Decimal("0.8"),
        Grade.FAIL: Decimal(0),
    }
)
"""Performance-pay coefficients by grade (§4.10 [D], typical of 事业单位 practice)."""

DEFAULT_LEVEL_PAY_FACTORS: Final[Mapping[SkillLevel, Decimal]] = MappingProxyType(
    {SkillLevel.L4: Decimal("1.00"), SkillLevel.L3: Decimal("1.15"), SkillLevel.L2: Decimal("1.30")}
)
"""Level pay relative to L4 (§4.10 [D]: L4 base, L3 +15 %, L2 +30 %)."""


@fixed_context
def level_pay_from_base(
    base_amount: Decimal, factors: Mapping[SkillLevel, Decimal] = DEFAULT_LEVEL_PAY_FACTORS
) -> Mapping[SkillLevel, Decimal]:
    """Build a level-pay table from the base (L4) amount: base × factor, rounded half-up to the fen per level."""
    require_fen("levelPay.baseAmount", base_amount)
    return MappingProxyType({level: to_fen(base_amount * factor) for level, factor in factors.items()})


@dataclass(frozen=True, slots=True, kw_only=True)
class PayRule:
    """A versioned pay rule. Amounts are monthly, in yuan, in whole fen.

    Attributes:
        code: The rule's code; with ``version`` it identifies the rule a slip was computed under.
        version: Incremented on every change.
        level_pay_amounts: Monthly level pay (等级工资) for each skill level the centre uses.
        post_allowance_amount: Monthly post allowance (岗位补助).
        performance_base_amount: Monthly performance base (考核奖 / 绩效工资基数), multiplied by the grade's
            coefficient.
        grade_coefficients: Coefficient for every grade; a better grade never has a smaller coefficient.
        is_level_pay_prorated: Whether level pay is pro-rated by days worked / working days.
        is_post_allowance_prorated: The same for the post allowance.
        is_performance_pay_prorated: The same for performance pay.
        attendance_deduction_amounts: Money deducted per attendance event (per half-day for an absence), by
            kind; empty by default because the assessment already deducts points for these events.
    """

    code: str
    version: int
    level_pay_amounts: Mapping[SkillLevel, Decimal]
    post_allowance_amount: Decimal
    performance_base_amount: Decimal
    grade_coefficients: Mapping[Grade, Decimal] = field(default_factory=lambda: DEFAULT_GRADE_COEFFICIENTS)
    is_level_pay_prorated: bool = True
    is_post_allowance_prorated: bool = True
    is_performance_pay_prorated: bool = True
    attendance_deduction_amounts: Mapping[AttendanceEventKind, Decimal] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        if not self.code or self.version < 1:
            raise DomainRuleViolation("payRule", "needs a code and a version of at least 1")
        if not self.level_pay_amounts:
            raise DomainRuleViolation("payRule.levelPayAmounts", "must give level pay for at least one level")
        amounts = {
            **{f"payRule.levelPayAmounts.{level.name}": a for level, a in self.level_pay_amounts.items()},
            **{f"payRule.attendanceDeductionAmounts.{k}": a for k, a in self.attendance_deduction_amounts.items()},
            "payRule.postAllowanceAmount": self.post_allowance_amount,
            "payRule.performanceBaseAmount": self.performance_base_amount,
        }
        for name, amount in amounts.items():
            require_fen(name, amount)
            if amount < ZERO:
                raise DomainRuleViolation(name, "must not be negative")
        if set(self.grade_coefficients) != set(Grade):
            raise DomainRuleViolation("payRule.gradeCoefficients", "must give a coefficient for every grade")
        if any(not c.is_finite() or c < ZERO for c in self.grade_coefficients.values()):
            raise DomainRuleViolation("payRule.gradeCoefficients", "must be finite and not negative")
        by_rank = sorted(self.grade_coefficients.items(), key=lambda item: item[0].rank)
        if any(worse[1] > better[1] for worse, better in itertools.pairwise(by_rank)):
            raise DomainRuleViolation("payRule.gradeCoefficients", "a better grade must not pay less")
        object.__setattr__(self, "level_pay_amounts", MappingProxyType(dict(self.level_pay_amounts)))
        object.__setattr__(self, "grade_coefficients", MappingProxyType(dict(self.grade_coefficients)))
        object.__setattr__(
            self, "attendance_deduction_amounts", MappingProxyType(dict(self.attendance_deduction_amounts))
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PayFacts:
    """The facts one pay slip is computed from.

    Attributes:
        staff_id: The staff member.
        month: The month paid.
        skill_level: The staff member's level for the month.
        days_worked: Days paid as worked in the month (paid leave included, as the centre's policy says).
        working_days: Working days of the month on the centre's calendar (see ``working_days_in``).
        adjustments: Signed adjustments to gross pay, each with a reason.
        deductions: Deductions, each with a reason.
        attendance_events: The month's attendance events (priced by ``PayRule.attendance_deduction_amounts``).
        carried_in_amount: Shortfall carried over from the previous month's slip, deducted this month.
    """

    staff_id: str
    month: Month
    skill_level: SkillLevel
    days_worked: int
    working_days: int
    adjustments: tuple[PayAdjustment, ...] = ()
    deductions: tuple[PayDeduction, ...] = ()
    attendance_events: tuple[AttendanceEvent, ...] = ()
    carried_in_amount: Decimal = ZERO

    def __post_init__(self) -> None:
        if not self.staff_id:
            raise DomainRuleViolation("staffId", "must not be empty")
        if self.working_days < 1:
            raise DomainRuleViolation("workingDays", "a month has at least one working day")
        if not 0 <= self.days_worked <= self.working_days:
            raise DomainRuleViolation("daysWorked", f"must be 0 to {self.working_days}")
        require_fen("carriedInAmount", self.carried_in_amount)
        if self.carried_in_amount < ZERO:
            raise DomainRuleViolation("carriedInAmount", "must not be negative")
        for event in self.attendance_events:
            if Month.of(event.on) != self.month:
                raise DomainRuleViolation("attendanceEvents", f"an event on {event.on} is outside {self.month}")


@dataclass(frozen=True, slots=True, kw_only=True)
class PayComputation:
    """A computed pay slip. ``Σ line amounts = net_amount = gross − deductions + carried over``, to the fen."""

    staff_id: str
    month: Month
    rule_code: str
    rule_version: int
    grade: Grade
    lines: tuple[PayLine, ...]
    gross_amount: Decimal
    deductions_amount: Decimal
    carried_over_amount: Decimal
    net_amount: Decimal


def _prorated(amount: Decimal, facts: PayFacts, *, is_prorated: bool) -> tuple[Decimal, str]:
    if not is_prorated:
        return amount, show(amount)
    value = to_fen(amount * facts.days_worked / facts.working_days)
    return value, say(
        "prorated", amount=show(amount), worked=facts.days_worked, working=facts.working_days, value=show(value)
    )


@fixed_context
def compute_pay(facts: PayFacts, grade: Grade, rule: PayRule) -> PayComputation:
    """Compute one staff member's pay slip for a month from the facts, the final grade and the pay rule.

    Lines, in order: level pay, post allowance, performance pay, adjustments (in the order given), attendance
    deductions (by kind), other deductions (in the order given), the carried-in shortfall, and a carried-over
    line when deductions exceed gross pay. The same inputs always give the same slip.

    Raises:
        DomainRuleViolation: If the rule has no level pay for the staff member's level.
    """
    level_amount = rule.level_pay_amounts.get(facts.skill_level)
    if level_amount is None:
        raise DomainRuleViolation(
            "skillLevel", f"rule {rule.code} v{rule.version} has no level pay for {facts.skill_level.name}"
        )
    lines: list[PayLine] = []
    amount, basis = _prorated(level_amount, facts, is_prorated=rule.is_level_pay_prorated)
    lines.append(
        PayLine(
            code=PayLineCode.LEVEL_PAY,
            label_zh="等级工资",
            label_en="Level pay",
            amount=amount,
            basis=say("level_pay", level=facts.skill_level.name, level_zh=facts.skill_level.label_zh, basis=basis),
        )
    )
    amount, basis = _prorated(rule.post_allowance_amount, facts, is_prorated=rule.is_post_allowance_prorated)
    lines.append(
        PayLine(
            code=PayLineCode.POST_ALLOWANCE, label_zh="岗位补助", label_en="Post allowance", amount=amount, basis=basis
        )
    )
    coefficient = rule.grade_coefficients[grade]
    base = rule.performance_base_amount
    if rule.is_performance_pay_prorated:
        amount = to_fen(base * coefficient * facts.days_worked / facts.working_days)
        basis = say(
            "performance_prorated",
            base=show(base),
            coefficient=coefficient,
            grade=grade.label_zh,
            worked=facts.days_worked,
            working=facts.working_days,
            amount=show(amount),
        )
    else:
        amount = to_fen(base * coefficient)
        basis = f"{show(base)} × {coefficient} ({grade.label_zh}) = {show(amount)}"
    lines.append(
        PayLine(
            code=PayLineCode.PERFORMANCE_PAY,
            label_zh="绩效工资",
            label_en="Performance pay",
            amount=amount,
            basis=basis,
        )
    )
    lines += [
        PayLine(code=PayLineCode.ADJUSTMENT, label_zh="调整", label_en="Adjustment", amount=a.amount, basis=a.reason)
        for a in facts.adjustments
    ]
    units: Counter[AttendanceEventKind] = Counter()
    for event in facts.attendance_events:
        units[event.kind] += event.units
    for kind in AttendanceEventKind:
        price = rule.attendance_deduction_amounts.get(kind, ZERO)
        if units[kind] and price:
            lines.append(
                PayLine(
                    code=PayLineCode.ATTENDANCE_DEDUCTION,
                    label_zh=f"考勤扣款：{kind.label_zh}",
                    label_en=f"Attendance deduction: {kind}",
                    amount=-price * units[kind],
                    basis=say("half_days_pay", units=units[kind], price=show(price))
                    if kind is AttendanceEventKind.ABSENCE
                    else f"{units[kind]} × {show(price)}",
                )
            )
    lines += [
        PayLine(code=PayLineCode.DEDUCTION, label_zh="扣款", label_en="Deduction", amount=-d.amount, basis=d.reason)
        for d in facts.deductions
    ]
    if facts.carried_in_amount:
        lines.append(
            PayLine(
                code=PayLineCode.CARRIED_IN,
                label_zh="上月结转扣款",
                label_en="Shortfall carried in",
                amount=-facts.carried_in_amount,
                basis=say("carried_in", month=facts.month.shifted(-1)),
            )
        )
    gross = to_fen(sum((line.amount for line in lines if line.code in _EARNINGS), ZERO))  # exact; sets 2 places
    deductions = to_fen(sum((-line.amount for line in lines if line.code in _DEDUCTIONS), ZERO))
    carried_over = to_fen(max(ZERO, deductions - gross))
    if carried_over:
        lines.append(
            PayLine(
                code=PayLineCode.CARRIED_OVER,
                label_zh="结转下月扣款",
                label_en="Shortfall carried over",
                amount=carried_over,
                basis=say(
                    "carried_over",
                    deductions=show(deductions),
                    gross=show(gross),
                    carried=show(carried_over),
                    month=facts.month.shifted(1),
                ),
            )
        )
    return PayComputation(
        staff_id=facts.staff_id,
        month=facts.month,
        rule_code=rule.code,
        rule_version=rule.version,
        grade=grade,
        lines=tuple(lines),
        gross_amount=gross,
        deductions_amount=deductions,
        carried_over_amount=carried_over,
        net_amount=gross - deductions + carried_over,
    )
