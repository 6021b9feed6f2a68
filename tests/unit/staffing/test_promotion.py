"""Level suggestions from a year of monthly grades (§4.10)."""

from __future__ import annotations

import pytest

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain import Grade, LevelChange, Month, PromotionRules, SuggestionKind, promotion_suggestion

pytestmark = pytest.mark.unit

AS_OF = Month(2025, 12)
RULES = PromotionRules()
SINCE_2024 = [LevelChange(effective_month=Month(2024, 1), level=SkillLevel.L3)]
E, G, P, B, F = Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.BASIC_PASS, Grade.FAIL


def year_of(*grades: Grade) -> dict[Month, Grade]:
    """Grades for consecutive months ending with December 2025."""
    return {AS_OF.shifted(i - len(grades) + 1): g for i, g in enumerate(grades)}


@pytest.mark.parametrize(
    ("grades", "kind", "suggested"),
    [
        ((G,) * 12, SuggestionKind.NONE, None),
        ((F, G, G, G, G, G, G, G, G, G, G, F), SuggestionKind.DEMOTION, SkillLevel.L4),
        ((B, B, B, G, G, G, G, G, G, G, G, G), SuggestionKind.DEMOTION, SkillLevel.L4),
        (
            (F, B, B, G, G, G, G, G, G, G, G, G),
            SuggestionKind.DEMOTION,
            SkillLevel.L4,
        ),  # 不合格 counts as 基本合格 or worse
        ((B, B, G, G, G, G, G, G, G, G, G, G), SuggestionKind.NONE, None),
        ((E, E, E, E, E, E, G, G, G, G, G, G), SuggestionKind.PROMOTION_ELIGIBLE, SkillLevel.L2),
        ((E, E, E, E, E, G, G, G, G, G, G, G), SuggestionKind.NONE, None),
        ((E, E, E, E, E, E, F, F, G, G, G, G), SuggestionKind.DEMOTION, SkillLevel.L4),  # demotion takes precedence
    ],
)
def test_a_year_of_grades_suggests_a_level_change(
    grades: tuple[Grade, ...], kind: SuggestionKind, suggested: SkillLevel | None
) -> None:
    suggestion = promotion_suggestion(SINCE_2024, year_of(*grades), as_of=AS_OF, rules=RULES)
    assert suggestion.kind is kind
    assert suggestion.suggested_level is suggested
    assert suggestion.current_level is SkillLevel.L3
    assert len(suggestion.counted_months) == 12


def test_months_older_than_a_year_are_not_counted() -> None:
    # 不合格 in December 2024 and December 2025: thirteen months apart, so only one counts.
    grades = {Month(2024, 12): F, AS_OF: F}
    suggestion = promotion_suggestion(SINCE_2024, grades, as_of=AS_OF, rules=RULES)
    assert suggestion.kind is SuggestionKind.NONE
    assert suggestion.fail_months == 1


def test_only_months_at_the_current_level_count() -> None:
    history = [*SINCE_2024, LevelChange(effective_month=Month(2025, 7), level=SkillLevel.L2)]
    grades = year_of(F, F, G, G, G, G, G, G, G, G, G, G)  # the two 不合格 were at L3 (January, February)
    suggestion = promotion_suggestion(history, grades, as_of=AS_OF, rules=RULES)
    assert suggestion.kind is SuggestionKind.NONE
    assert suggestion.current_level is SkillLevel.L2
    assert suggestion.counted_months[0] == Month(2025, 7)


def test_a_promotion_is_always_subject_to_certification() -> None:
    suggestion = promotion_suggestion(SINCE_2024, year_of(*(E,) * 6), as_of=AS_OF, rules=RULES)
    assert "职业技能等级认定" in suggestion.reason_zh
    assert "certification" in suggestion.reason_en


def test_no_promotion_target_beyond_the_highest_enabled_level() -> None:
    history = [LevelChange(effective_month=Month(2024, 1), level=SkillLevel.L2)]
    suggestion = promotion_suggestion(history, year_of(*(E,) * 12), as_of=AS_OF, rules=RULES)
    assert suggestion.kind is SuggestionKind.PROMOTION_ELIGIBLE
    assert suggestion.suggested_level is None
    assert "最高启用等级" in suggestion.reason_zh


def test_no_demotion_target_below_the_lowest_enabled_level() -> None:
    history = [LevelChange(effective_month=Month(2024, 1), level=SkillLevel.L4)]
    suggestion = promotion_suggestion(history, year_of(F, F), as_of=AS_OF, rules=RULES)
    assert suggestion.kind is SuggestionKind.DEMOTION
    assert suggestion.suggested_level is None


def test_the_number_of_excellent_months_for_promotion_is_configurable() -> None:
    rules = PromotionRules(promotion_excellent_months=3)
    suggestion = promotion_suggestion(SINCE_2024, year_of(E, E, E), as_of=AS_OF, rules=rules)
    assert suggestion.kind is SuggestionKind.PROMOTION_ELIGIBLE


def test_a_history_without_a_level_in_force_is_refused() -> None:
    with pytest.raises(DomainRuleViolation):
        promotion_suggestion(
            [LevelChange(effective_month=Month(2026, 1), level=SkillLevel.L3)], {}, as_of=AS_OF, rules=RULES
        )
