"""Integrity flags on a staff-month: signs that ratings or workload may have been gamed.

A flag never changes a score or a grade; it asks a manager to look (51号 requires ratings to be 自愿真实 and
forbids forcing or interfering with a rating). Three checks, all thresholds in :class:`IntegrityRules`
(Hall design defaults, not from a regulation):

* **implausible rate**: the staff member's positive rate, or 非常满意 share, is higher than the centre's by
  more than chance explains: a one-sided exact binomial test, P(X ≥ observed | n, centre rate) below
  ``significance``, with at least ``min_ratings`` ratings. (100 % over n ratings when the centre's rate is p has
  probability pⁿ; a plain "100 % over N" rule would flag good clerks at a centre whose rate is also near 100 %.)
* **quick pad ratings**: on one pad, many ratings recorded within seconds of the end of service (the clerk
  tapping the pad), both as a count and as a share of that pad's ratings.
* **easy item mix**: the mean standard minutes of the items the staff member served is far below the centre's
  (cherry-picking easy tickets).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from hall.domain import DomainRuleViolation
from staffing.domain._numbers import ZERO, fixed_context, show, show_percent
from staffing.domain.assessment import StaffMonthFacts
from staffing.domain.periods import Month
from staffing.domain.ratings import Rating, RatingChannel, RatingOrigin
from staffing.domain.scoring import CentreBaseline
from staffing.domain.wording import say


class IntegrityFlagKind(StrEnum):
    """What an integrity flag is about."""

    POSITIVE_RATE_IMPLAUSIBLE = "positive_rate_implausible"
    VERY_SATISFIED_SHARE_IMPLAUSIBLE = "very_satisfied_share_implausible"
    QUICK_PAD_RATINGS = "quick_pad_ratings"
    EASY_ITEM_MIX = "easy_item_mix"

    @property
    def label_zh(self) -> str:
        return _FLAG_LABELS_ZH[self]


_FLAG_LABELS_ZH: Final = {
    IntegrityFlagKind.POSITIVE_RATE_IMPLAUSIBLE: "好评率异常偏高",
    IntegrityFlagKind.VERY_SATISFIED_SHARE_IMPLAUSIBLE: "非常满意占比异常偏高",
    IntegrityFlagKind.QUICK_PAD_RATINGS: "服务结束即刻评价过多",
    IntegrityFlagKind.EASY_ITEM_MIX: "办理事项难度明显偏低",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityRules:
    """Thresholds of the integrity checks (Hall design defaults).

    Attributes:
        min_ratings: Fewest valid ratings for the rate tests to run.
        significance: One-sided binomial p-value below which a rate is implausible.
        quick_rating_seconds: A pad rating recorded this many seconds or fewer after service is "quick".
        quick_rating_min_count: Fewest quick ratings on one pad to flag it.
        quick_rating_min_share: Smallest share of a pad's ratings that must be quick to flag it.
        easy_mix_ratio: Flag when the staff member's mean standard minutes per item is below this share of the
            centre's.
        easy_mix_min_items: Fewest items served for the mix check to run.
    """

    min_ratings: int = 30
    significance: Decimal = Decimal("0.001")
    quick_rating_seconds: Decimal = Decimal(2)
    quick_rating_min_count: int = 10
    quick_rating_min_share: Decimal = Decimal("0.5")
    easy_mix_ratio: Decimal = Decimal("0.6")
    easy_mix_min_items: int = 50

    def __post_init__(self) -> None:
        if min(self.min_ratings, self.quick_rating_min_count, self.easy_mix_min_items) < 1:
            raise DomainRuleViolation("integrityRules", "minimum counts must be at least 1")
        if not ZERO < self.significance < 1:
            raise DomainRuleViolation("integrityRules.significance", "must be in (0, 1)")
        if self.quick_rating_seconds < ZERO:
            raise DomainRuleViolation("integrityRules.quickRatingSeconds", "must not be negative")
        if not ZERO < self.quick_rating_min_share <= 1:
            raise DomainRuleViolation("integrityRules.quickRatingMinShare", "must be in (0, 1]")
        if not ZERO < self.easy_mix_ratio <= 1:
            raise DomainRuleViolation("integrityRules.easyMixRatio", "must be in (0, 1]")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityFlag:
    """A reason to review a staff-month, with the evidence in figures."""

    kind: IntegrityFlagKind
    staff_id: str
    month: Month
    evidence: str


def binomial_upper_tail(successes: int, trials: int, probability: float) -> float:
    """Return P(X ≥ ``successes``) for X ~ Binomial(``trials``, ``probability``), summed in log space."""
    if not 0 <= successes <= trials or not 0.0 <= probability <= 1.0:
        raise DomainRuleViolation("binomial", "needs 0 ≤ successes ≤ trials and a probability in [0, 1]")
    if successes == 0 or probability == 1.0:
        return 1.0
    if probability == 0.0:
        return 0.0
    log_p, log_q = math.log(probability), math.log1p(-probability)
    log_n = math.lgamma(trials + 1)
    terms = [
        log_n - math.lgamma(i + 1) - math.lgamma(trials - i + 1) + i * log_p + (trials - i) * log_q
        for i in range(successes, trials + 1)
    ]
    peak = max(terms)
    return min(1.0, math.exp(peak) * math.fsum(math.exp(t - peak) for t in terms))


def _rate_flag(
    kind: IntegrityFlagKind,
    facts: StaffMonthFacts,
    count: int,
    centre_rate: Decimal | None,
    rules: IntegrityRules,
) -> IntegrityFlag | None:
    n = facts.ratings.count
    if centre_rate is None or n < rules.min_ratings or Decimal(count) / n <= centre_rate:
        return None
    p_value = binomial_upper_tail(count, n, float(centre_rate))
    if p_value >= float(rules.significance):
        return None
    return IntegrityFlag(
        kind=kind,
        staff_id=facts.staff_id,
        month=facts.month,
        evidence=say(
            "rate_flag",
            count=count,
            n=n,
            share=show_percent(Decimal(count) / n),
            centre=show_percent(centre_rate),
            p=f"{p_value:.2e}",
            significance=rules.significance,
        ),
    )


def _quick_rating_flags(
    facts: StaffMonthFacts, ratings: Sequence[Rating], rules: IntegrityRules
) -> list[IntegrityFlag]:
    per_pad: defaultdict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        if rating.channel is RatingChannel.PAD and rating.origin is RatingOrigin.ACTIVE and rating.device_id:
            per_pad[rating.device_id].append(rating)
    flags: list[IntegrityFlag] = []
    for device_id in sorted(per_pad):
        pad_ratings = per_pad[device_id]
        quick = sum(1 for r in pad_ratings if r.seconds_after_service <= rules.quick_rating_seconds)
        share = Decimal(quick) / len(pad_ratings)
        if quick >= rules.quick_rating_min_count and share >= rules.quick_rating_min_share:
            flags.append(
                IntegrityFlag(
                    kind=IntegrityFlagKind.QUICK_PAD_RATINGS,
                    staff_id=facts.staff_id,
                    month=facts.month,
                    evidence=say(
                        "quick_pad",
                        device=device_id,
                        quick=quick,
                        total=len(pad_ratings),
                        share=show_percent(share),
                        seconds=show(rules.quick_rating_seconds),
                    ),
                )
            )
    return flags


@fixed_context
def integrity_flags(
    facts: StaffMonthFacts,
    baseline: CentreBaseline,
    rules: IntegrityRules,
    ratings: Sequence[Rating] = (),
) -> tuple[IntegrityFlag, ...]:
    """Return the integrity flags of a staff-month, in a fixed order (rate tests, pads by id, item mix).

    Args:
        facts: The staff-month (valid ratings and items served).
        baseline: The centre's baseline for the same month.
        rules: The thresholds.
        ratings: The staff member's individual ratings of the month (for the quick-rating check).

    Raises:
        DomainRuleViolation: If a rating belongs to another staff member.
    """
    if any(r.staff_id != facts.staff_id for r in ratings):
        raise DomainRuleViolation("ratings", f"ratings must all be of staff member {facts.staff_id}")
    flags = [
        _rate_flag(
            IntegrityFlagKind.POSITIVE_RATE_IMPLAUSIBLE,
            facts,
            facts.ratings.positive_count,
            baseline.positive_rate,
            rules,
        ),
        _rate_flag(
            IntegrityFlagKind.VERY_SATISFIED_SHARE_IMPLAUSIBLE,
            facts,
            facts.ratings.very_satisfied_count,
            baseline.very_satisfied_share,
            rules,
        ),
        *_quick_rating_flags(facts, ratings, rules),
    ]
    items = len(facts.served_items)
    centre_mean = baseline.mean_standard_minutes
    if centre_mean is not None and items >= rules.easy_mix_min_items:
        mean = facts.standard_minutes / items
        if mean < rules.easy_mix_ratio * centre_mean:
            flags.append(
                IntegrityFlag(
                    kind=IntegrityFlagKind.EASY_ITEM_MIX,
                    staff_id=facts.staff_id,
                    month=facts.month,
                    evidence=say(
                        "easy_mix",
                        mean=show(mean),
                        items=items,
                        centre=show(centre_mean),
                        ratio=show_percent(rules.easy_mix_ratio),
                    ),
                )
            )
    return tuple(flag for flag in flags if flag is not None)
