"""Windows (窗口) of a hall."""

from __future__ import annotations

from enum import StrEnum


class WindowType(StrEnum):
    """What kind of window this is; it decides which tickets the window may call."""

    COMPREHENSIVE_ALL = "comprehensive_all"  # 无差别综合窗口: any item its staff may handle
    COMPREHENSIVE_DOMAIN = "comprehensive_domain"  # 分领域综合窗口: items of its domains
    SPECIALIZED = "specialized"  # 专业/部门窗口: its listed items (or domains)
    PRIORITY = "priority"  # 优先/绿色通道窗口: priority tickets first, then like a domain window
    GUIDE_DESK = "guide_desk"  # 咨询导办台: consultations only
    RESULT_PICKUP = "result_pickup"  # 出件窗口: its listed items


class WindowStatus(StrEnum):
    """Whether a window is in use; who sits there is a window session (queueing)."""

    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"
