"""The national five-level skill ladder: a lower number is a higher skill."""

from __future__ import annotations

import pytest

from hall.domain.skills import SkillLevel

pytestmark = pytest.mark.unit

L1, L2, L3, L4, L5 = SkillLevel.L1, SkillLevel.L2, SkillLevel.L3, SkillLevel.L4, SkillLevel.L5

# Rows: the staff member's level; columns: the minimum the item needs (L5 … L1). ✓ = meets.
MEETS = {
    L5: (True, False, False, False, False),
    L4: (True, True, False, False, False),
    L3: (True, True, True, False, False),
    L2: (True, True, True, True, False),
    L1: (True, True, True, True, True),
}
MINIMUMS = (L5, L4, L3, L2, L1)


@pytest.mark.parametrize(
    ("level", "minimum", "meets"),
    [(level, minimum, row[i]) for level, row in MEETS.items() for i, minimum in enumerate(MINIMUMS)],
    ids=lambda v: v.name if isinstance(v, SkillLevel) else str(v),
)
def test_a_level_meets_every_minimum_at_or_below_its_own_skill(
    level: SkillLevel, minimum: SkillLevel, meets: bool
) -> None:
    assert level.meets(minimum) is meets


def test_the_docstring_example_l3_meets_l4_but_l4_does_not_meet_l3() -> None:
    assert L3.meets(L4)
    assert not L4.meets(L3)


def test_the_ladder_has_exactly_five_levels_numbered_one_to_five() -> None:
    assert sorted(level.value for level in SkillLevel) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("level", "zh", "en"),
    [
        (L5, "五级/初级工", "Level 5 (junior)"),
        (L4, "四级/中级工", "Level 4 (intermediate)"),
        (L3, "三级/高级工", "Level 3 (senior)"),
        (L2, "二级/技师", "Level 2 (technician)"),
        (L1, "一级/高级技师", "Level 1 (senior technician)"),
    ],
)
def test_each_level_has_its_national_chinese_label_and_an_english_one(level: SkillLevel, zh: str, en: str) -> None:
    assert (level.label_zh, level.label_en) == (zh, en)
