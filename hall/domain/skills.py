"""The national occupational skill ladder (职业技能等级) as used for window staff."""

from __future__ import annotations

from enum import IntEnum


class SkillLevel(IntEnum):
    """A level on the national five-level ladder; a *lower* number is a *higher* skill.

    The comprehensive-window clerk standard (行政办事员(政务服务综合窗口办事员)) uses three of these levels
    (most likely L4–L2, see ``shared/domain.md`` §2), so every level is kept and centres choose which they use.
    """

    L5 = 5  # 五级 / 初级工
    L4 = 4  # 四级 / 中级工
    L3 = 3  # 三级 / 高级工
    L2 = 2  # 二级 / 技师
    L1 = 1  # 一级 / 高级技师

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        return _LABELS_EN[self]

    def meets(self, minimum: SkillLevel) -> bool:
        """Return whether this level is at least ``minimum`` (L3 meets L4; L4 does not meet L3)."""
        return self.value <= minimum.value


_LABELS_ZH = {
    SkillLevel.L5: "五级/初级工",
    SkillLevel.L4: "四级/中级工",
    SkillLevel.L3: "三级/高级工",
    SkillLevel.L2: "二级/技师",
    SkillLevel.L1: "一级/高级技师",
}
_LABELS_EN = {
    SkillLevel.L5: "Level 5 (junior)",
    SkillLevel.L4: "Level 4 (intermediate)",
    SkillLevel.L3: "Level 3 (senior)",
    SkillLevel.L2: "Level 2 (technician)",
    SkillLevel.L1: "Level 1 (senior technician)",
}
