"""Level promotion and demotion suggestions from monthly grades (``shared/domain.md`` §4.10 [D], §2).

Rule (§4.10, "Annual"): within a year, 2 months graded 不合格 or 3 months graded 基本合格 → demotion suggestion;
优秀 in at least N months → promotion eligibility, which still needs a skill certification (职业技能等级认定,
§2.2). Interpretations made here, all configurable in :class:`PromotionRules`:

* "a year" is the ``window_months`` months ending with the month of the suggestion, counting only months the
  staff member spent at the current level (grades earned at the previous level do not move them again);
* a 不合格 month also counts toward the 基本合格 limit ("基本合格 or worse"), so 1 不合格 + 2 基本合格 suggests a
  demotion;
* months without a grade (not assessed) are not counted;
* demotion takes precedence when both rules are met;
* a suggestion never leaves the centre's enabled levels (L4–L2 for 综窗, §2.5): at the edge the rule is still
  reported, with no target level.

A suggestion is advice for a manager; it changes nothing by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain.assessment import Grade
from staffing.domain.periods import Month


class SuggestionKind(StrEnum):
    NONE = "none"
    PROMOTION_ELIGIBLE = "promotion_eligible"
    DEMOTION = "demotion"


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelChange:
    """A staff member's skill level from ``effective_month`` on."""

    effective_month: Month
    level: SkillLevel


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionRules:
    """Thresholds of the level suggestion (§4.10 [D]; ``promotion_excellent_months`` is a Hall default for N).

    Attributes:
        window_months: Length of the counting window, ending with the month of the suggestion.
        demotion_fail_months: 不合格 months that suggest a demotion.
        demotion_basic_pass_months: 基本合格-or-worse months that suggest a demotion.
        promotion_excellent_months: 优秀 months that make a staff member eligible for promotion.
        highest_level: The highest level the centre uses (L2 for 综窗).
        lowest_level: The lowest level the centre uses (L4 for 综窗).
    """

    window_months: int = 12
    demotion_fail_months: int = 2
    demotion_basic_pass_months: int = 3
    promotion_excellent_months: int = 6
    highest_level: SkillLevel = SkillLevel.L2
    lowest_level: SkillLevel = SkillLevel.L4

    def __post_init__(self) -> None:
        if (
            min(
                self.window_months,
                self.demotion_fail_months,
                self.demotion_basic_pass_months,
                self.promotion_excellent_months,
            )
            < 1
        ):
            raise DomainRuleViolation("promotionRules", "month counts must be at least 1")
        if self.highest_level > self.lowest_level:  # L1 = 1 is the highest skill
            raise DomainRuleViolation("promotionRules.highestLevel", "must not be below the lowest level")


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionSuggestion:
    """The suggestion for one staff member, with the months and counts it rests on.

    ``suggested_level`` is ``None`` when nothing is suggested or the rule is met at the edge of the enabled
    levels. A promotion is always subject to certification.
    """

    kind: SuggestionKind
    current_level: SkillLevel
    suggested_level: SkillLevel | None
    counted_months: tuple[Month, ...]
    excellent_months: int
    basic_pass_or_worse_months: int
    fail_months: int
    reason_zh: str
    reason_en: str


def promotion_suggestion(
    level_history: Sequence[LevelChange],
    monthly_grades: Mapping[Month, Grade],
    *,
    as_of: Month,
    rules: PromotionRules,
) -> PromotionSuggestion:
    """Suggest a promotion, a demotion or nothing for one staff member as of the end of ``as_of``.

    Raises:
        DomainRuleViolation: If the history is empty, has two changes in one month, or starts after ``as_of``.
    """
    if len({c.effective_month for c in level_history}) != len(level_history):
        raise DomainRuleViolation("levelHistory", "at most one level change per month")
    past = sorted((c for c in level_history if c.effective_month <= as_of), key=lambda c: c.effective_month)
    if not past:
        raise DomainRuleViolation("levelHistory", f"no skill level in force in {as_of}")
    current = past[-1]
    start = max(as_of.shifted(1 - rules.window_months), current.effective_month)
    months = tuple(sorted(m for m in monthly_grades if start <= m <= as_of))
    grades = [monthly_grades[m] for m in months]
    excellent = sum(1 for g in grades if g is Grade.EXCELLENT)
    fails = sum(1 for g in grades if g is Grade.FAIL)
    weak = sum(1 for g in grades if g.rank <= Grade.BASIC_PASS.rank)
    counts = f"{start}–{as_of}: 优秀 {excellent}, 基本合格及以下 {weak}, 不合格 {fails}"
    counts_en = f"{start} to {as_of}: excellent {excellent}, basic pass or worse {weak}, fail {fails}"
    level = current.level

    def suggest(kind: SuggestionKind, target: SkillLevel | None, reason_zh: str, reason_en: str) -> PromotionSuggestion:
        return PromotionSuggestion(
            kind=kind,
            current_level=level,
            suggested_level=target,
            counted_months=months,
            excellent_months=excellent,
            basic_pass_or_worse_months=weak,
            fail_months=fails,
            reason_zh=reason_zh,
            reason_en=reason_en,
        )

    if fails >= rules.demotion_fail_months or weak >= rules.demotion_basic_pass_months:
        target = SkillLevel(level + 1) if level < rules.lowest_level else None
        edge, edge_en = ("", "") if target else ("（已是最低启用等级）", " (already at the lowest enabled level)")
        return suggest(
            SuggestionKind.DEMOTION, target, f"建议降级{edge}：{counts}", f"demotion suggested{edge_en}: {counts_en}"
        )
    if excellent >= rules.promotion_excellent_months:
        target = SkillLevel(level - 1) if level > rules.highest_level else None
        edge, edge_en = ("", "") if target else ("（已是最高启用等级）", " (already at the highest enabled level)")
        return suggest(
            SuggestionKind.PROMOTION_ELIGIBLE,
            target,
            f"具备晋级资格，须通过职业技能等级认定{edge}：{counts}",
            f"eligible for promotion, subject to skill certification{edge_en}: {counts_en}",
        )
    return suggest(SuggestionKind.NONE, None, f"无等级变动建议：{counts}", f"no level change suggested: {counts_en}")
