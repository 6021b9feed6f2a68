"""好差评 (service ratings): the five levels, dimensions, channels, origins, the rating rules and one rating.

Sources (``shared/domain.md`` §1): 国办发〔2019〕51号 (levels, channels, rating "在一定期限内"); Guangdong's
7-natural-day rating period with a 基本满意 default (§1.3, [S-local]); negative-review deadlines of Liaoning,
德州 and Sichuan (§1.4, [S-local]). Every number is a field of :class:`RatingRules`. The 差评 workflow is in
``negative_cases``; counting and the published metrics are in ``rating_counts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Final

from hall.domain import DomainRuleViolation


class RatingLevel(IntEnum):
    """The five national rating levels (§1.2); levels 3–5 are 好评, levels 1–2 are 差评."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label_zh(self) -> str:
        return _LEVEL_LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        return _LEVEL_LABELS_EN[self]

    @property
    def stars(self) -> int:
        """Return the number of stars the pad shows (5★ … 1★)."""
        return int(self)

    @property
    def is_positive(self) -> bool:
        """Return whether this level is a 好评 (非常满意, 满意 or 基本满意)."""
        return self >= RatingLevel.BASICALLY_SATISFIED

    @property
    def is_negative(self) -> bool:
        """Return whether this level is a 差评 ("后两个等级为差评", Linfen interpretation of 51号)."""
        return self <= RatingLevel.DISSATISFIED


_LEVEL_LABELS_ZH: Final = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASICALLY_SATISFIED: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}
_LEVEL_LABELS_EN: Final = {
    RatingLevel.VERY_SATISFIED: "Very satisfied",
    RatingLevel.SATISFIED: "Satisfied",
    RatingLevel.BASICALLY_SATISFIED: "Basically satisfied",
    RatingLevel.DISSATISFIED: "Dissatisfied",
    RatingLevel.VERY_DISSATISFIED: "Very dissatisfied",
}


class RatingDimension(StrEnum):
    """What an in-person rating rates (national unified content, §1.2; no extra indicators may be added)."""

    OVERALL = "overall"
    EFFICIENCY = "efficiency"
    COMPETENCE = "competence"
    ATTITUDE = "attitude"

    @property
    def label_zh(self) -> str:
        return _DIMENSION_LABELS_ZH[self]


_DIMENSION_LABELS_ZH: Final = {
    RatingDimension.OVERALL: "整体满意度",
    RatingDimension.EFFICIENCY: "服务效率",
    RatingDimension.COMPETENCE: "服务水平",
    RatingDimension.ATTITUDE: "服务态度",
}


class RatingChannel(StrEnum):
    """How an in-person rating was given (51号: pad or QR code at the window, paper where there is no equipment)."""

    PAD = "pad"
    QR = "qr"  # the QR code at the window, opening the visitor page
    PAPER = "paper"
    SYSTEM = "system"  # no channel: the default rating filled in after the rating period (默认评价)

    @property
    def label_zh(self) -> str:
        return _CHANNEL_LABELS_ZH[self]


_CHANNEL_LABELS_ZH: Final = {
    RatingChannel.PAD: "评价器",
    RatingChannel.QR: "评价二维码",
    RatingChannel.PAPER: "书面评价表",
    RatingChannel.SYSTEM: "系统默认",
}


class NegativeReason(StrEnum):
    """Second-level reasons shown with a 差评, in the style of GB/T 39734 附录A.

    The first four are the examples quoted by the Linfen interpretation (§1.2); the others are the usual window
    complaints. The standard's exact list was not available, so centres may map these to their provincial codes.
    """

    UNCLEAR_GUIDANCE = "unclear_guidance"
    INCONVENIENT_PROCEDURE = "inconvenient_procedure"
    EXCESSIVE_MATERIALS = "excessive_materials"
    UNFRIENDLY_INTERFACE = "unfriendly_interface"
    POOR_ATTITUDE = "poor_attitude"
    SLOW_SERVICE = "slow_service"
    LACK_OF_COMPETENCE = "lack_of_competence"
    NOT_TOLD_AT_ONCE = "not_told_at_once"
    LONG_WAIT = "long_wait"
    OTHER = "other"

    @property
    def label_zh(self) -> str:
        return _REASON_LABELS_ZH[self]


_REASON_LABELS_ZH: Final = {
    NegativeReason.UNCLEAR_GUIDANCE: "服务指引不清晰",
    NegativeReason.INCONVENIENT_PROCEDURE: "程序不便利",
    NegativeReason.EXCESSIVE_MATERIALS: "材料不精简",
    NegativeReason.UNFRIENDLY_INTERFACE: "界面不友好",
    NegativeReason.POOR_ATTITUDE: "服务态度不好",
    NegativeReason.SLOW_SERVICE: "办事效率低",
    NegativeReason.LACK_OF_COMPETENCE: "业务不熟练",
    NegativeReason.NOT_TOLD_AT_ONCE: "未一次性告知",
    NegativeReason.LONG_WAIT: "等候时间长",
    NegativeReason.OTHER: "其他",
}


class RatingOrigin(StrEnum):
    """Whether the visitor rated (主动评价) or the system filled in the default after the period (默认评价)."""

    ACTIVE = "active"
    DEFAULTED = "defaulted"

    @property
    def label_zh(self) -> str:
        return "主动评价" if self is RatingOrigin.ACTIVE else "默认评价"


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingRules:
    """The configurable 好差评 rules of a province or centre (defaults from ``shared/domain.md`` §1.3–1.4).

    Attributes:
        verify_within_working_days: Verification callback due after a 差评 arrives, in working days (Liaoning: 1).
        reply_within_working_days: Rectification and reply due, in working days (德州, 襄城: 5).
        complex_reply_within_working_days: The same for a complex case (情况复杂, 限期整改), in working days
            (Liaoning, Sichuan: 15).
        appeal_within_working_days: How long staff may appeal after a 差评 is classified valid, in working days.
            Hall design default; no source gives a number.
        review_within_working_days: Review (复核) of an appeal due, in working days. Hall design default.
        rating_period_days: Natural days after the service during which the visitor may rate or add a rating
            (Guangdong: 7).
        is_default_rating_enabled: Whether an unrated service contact gets ``default_level`` after the period.
        default_level: The default rating (Guangdong: 基本满意).
        is_callback_required_for_named: Whether a real-name 差评 may close only after a callback (回访率 100 %).
        are_defaulted_ratings_assessed: Whether defaulted ratings count in staff assessment. Hall default: no,
            so a clerk whose visitors do not rate is not credited with 基本满意 they never gave.
    """

    verify_within_working_days: int = 1
    reply_within_working_days: int = 5
    complex_reply_within_working_days: int = 15
    appeal_within_working_days: int = 5
    review_within_working_days: int = 5
    rating_period_days: int = 7
    is_default_rating_enabled: bool = True
    default_level: RatingLevel = RatingLevel.BASICALLY_SATISFIED
    is_callback_required_for_named: bool = True
    are_defaulted_ratings_assessed: bool = False

    def __post_init__(self) -> None:
        for name in (
            "verify_within_working_days",
            "reply_within_working_days",
            "complex_reply_within_working_days",
            "appeal_within_working_days",
            "review_within_working_days",
            "rating_period_days",
        ):
            if getattr(self, name) < 0:
                raise DomainRuleViolation(f"ratingRules.{name}", "must not be negative")
        if self.complex_reply_within_working_days < self.reply_within_working_days:
            raise DomainRuleViolation(
                "ratingRules.complex_reply_within_working_days", "must not be shorter than the ordinary reply limit"
            )
        if not self.default_level.is_positive:
            raise DomainRuleViolation("ratingRules.default_level", "a default rating must not be a 差评")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """One rating of one service contact (一次一评) or case (一事一评), tied to the staff member who served.

    Attributes:
        rating_id: The rating's identifier.
        staff_id: The staff member rated.
        level: The overall level (整体满意度).
        origin: Given by the visitor, or defaulted after the rating period.
        channel: Pad, QR code or paper.
        served_at: When the service contact ended (aware datetime).
        rated_at: When the rating was recorded (aware datetime, not before ``served_at``).
        device_id: The pad that recorded the rating, if any (used by the integrity checks).
        dimension_levels: Levels per rated dimension, if the pad asked for them.
        reasons: Reasons chosen with a 差评; empty for a 好评.
    """

    rating_id: str
    staff_id: str
    level: RatingLevel
    origin: RatingOrigin = RatingOrigin.ACTIVE
    channel: RatingChannel = RatingChannel.PAD
    served_at: datetime
    rated_at: datetime
    device_id: str | None = None
    dimension_levels: Mapping[RatingDimension, RatingLevel] = field(default_factory=lambda: MappingProxyType({}))
    reasons: tuple[NegativeReason, ...] = ()

    def __post_init__(self) -> None:
        if self.served_at.tzinfo is None or self.rated_at.tzinfo is None:
            raise DomainRuleViolation("rating.servedAt", "served_at and rated_at must be timezone-aware")
        if self.rated_at < self.served_at:
            raise DomainRuleViolation("rating.ratedAt", "must not be before the service ended")
        if self.reasons and not self.level.is_negative:
            raise DomainRuleViolation("rating.reasons", "reasons are given only with a 差评")
        object.__setattr__(self, "dimension_levels", MappingProxyType(dict(self.dimension_levels)))
        overall = self.dimension_levels.get(RatingDimension.OVERALL)
        if overall is not None and overall is not self.level:
            raise DomainRuleViolation("rating.dimensionLevels", "the overall dimension must equal the rating level")

    @property
    def seconds_after_service(self) -> Decimal:
        """Return how long after the end of service the rating was recorded, in seconds."""
        return Decimal((self.rated_at - self.served_at) // timedelta(microseconds=1)).scaleb(-6)


def rating_period_ends_on(served_on: date, rules: RatingRules) -> date:
    """Return the last day on which a visitor served on ``served_on`` may rate (or add a rating).

    The period is ``rules.rating_period_days`` natural days after the day of service, that day not counted:
    served on 1 March with 7 days, the visitor may rate until the end of 8 March.
    """
    return served_on + timedelta(days=rules.rating_period_days)


def may_rate(served_on: date, on: date, rules: RatingRules) -> bool:
    """Return whether a visitor may still rate (or add a rating) on ``on`` (51号: "在一定期限内")."""
    return served_on <= on <= rating_period_ends_on(served_on, rules)


def defaulted_level(served_on: date, today: date, *, has_rating: bool, rules: RatingRules) -> RatingLevel | None:
    """Return the default rating due for an unrated service contact, or ``None`` if none is due (yet).

    A default is due from the day after the rating period ends, only if the rule is enabled and no rating exists.
    """
    if has_rating or not rules.is_default_rating_enabled:
        return None
    if today <= rating_period_ends_on(served_on, rules):
        return None
    return rules.default_level
