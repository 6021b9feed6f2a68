"""Counting ratings: a staff member's tally for assessment and the published rating metrics.

Metrics follow GB/T 39734-2020 / GB/T 39735-2020 as read in ``shared/domain.md`` §1.1 [D] (the standards'
exact formulas were not available): 好评率 = 好评 / ratings, 主动评价好评率 = the same over active ratings,
未评价率 = contacts without an active rating / contacts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from hall.domain import DomainRuleViolation
from staffing.domain._numbers import fixed_context
from staffing.domain.negative_cases import NegativeCase, RatingValidity, rating_validity
from staffing.domain.ratings import Rating, RatingLevel, RatingOrigin, RatingRules


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingTally:
    """A staff member's valid ratings for a month, by level, plus the 差评 still pending.

    ``by_level`` holds only ratings that count (好评 and confirmed 差评); pending 差评 are reported so the slip can
    say they were not counted.
    """

    by_level: Mapping[RatingLevel, int] = field(default_factory=lambda: MappingProxyType({}))
    pending_negative_count: int = 0

    def __post_init__(self) -> None:
        if any(count < 0 for count in self.by_level.values()) or self.pending_negative_count < 0:
            raise DomainRuleViolation("ratings", "counts must not be negative")
        object.__setattr__(self, "by_level", MappingProxyType(dict(self.by_level)))

    def count_of(self, level: RatingLevel) -> int:
        return self.by_level.get(level, 0)

    @property
    def count(self) -> int:
        return sum(self.by_level.values())

    @property
    def positive_count(self) -> int:
        return sum(n for level, n in self.by_level.items() if level.is_positive)

    @property
    def confirmed_negative_count(self) -> int:
        return sum(n for level, n in self.by_level.items() if level.is_negative)

    @property
    def very_satisfied_count(self) -> int:
        return self.count_of(RatingLevel.VERY_SATISFIED)


def tally_staff_ratings(
    ratings: Sequence[Rating], cases: Mapping[str, NegativeCase], rules: RatingRules
) -> RatingTally:
    """Count one staff member's ratings for assessment: valid ones by level, pending 差评 apart, excluded dropped.

    Defaulted ratings count only if ``rules.are_defaulted_ratings_assessed``.

    Args:
        ratings: The staff member's ratings of the month.
        cases: 差评 cases by rating id.
        rules: The rating rules in force.

    Raises:
        DomainRuleViolation: If the ratings belong to more than one staff member.
    """
    if len({r.staff_id for r in ratings}) > 1:
        raise DomainRuleViolation("ratings", "a tally is of one staff member's ratings")
    counts: Counter[RatingLevel] = Counter()
    pending = 0
    for rating in ratings:
        if rating.origin is RatingOrigin.DEFAULTED and not rules.are_defaulted_ratings_assessed:
            continue
        validity = rating_validity(rating, cases.get(rating.rating_id))
        if validity is RatingValidity.VALID:
            counts[rating.level] += 1
        elif validity is RatingValidity.PENDING:
            pending += 1
    return RatingTally(by_level=dict(counts), pending_negative_count=pending)


RATE_QUANTUM: Final = Decimal("0.0001")
"""Published rates are rounded half-up to four decimals (two decimals as a percentage)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingMetrics:
    """The published rating metrics of a set of service contacts (GB/T 39734/39735 as read in §1.1 [D]).

    Rates are ``None`` when their denominator is zero.

    Attributes:
        contacts_count: Service contacts (一次一评) or cases (一事一评) in the period.
        ratings_count: Ratings that count: all ratings except excluded ones (pending 差评 count as 差评 here).
        active_count: Ratings the visitors gave, including excluded ones (a 恶意差评 was still given).
        excluded_count: Ratings excluded after verification or appeal.
        positive_rate: 好评率 = 好评 / ratings that count.
        active_positive_rate: 主动评价好评率 = active 好评 / active ratings that count.
        negative_rate: 差评率 = 差评 / ratings that count.
        active_rate: 主动评价率 = active ratings / contacts.
        unrated_rate: 未评价率 = contacts without an active rating / contacts.
    """

    contacts_count: int
    ratings_count: int
    active_count: int
    excluded_count: int
    positive_rate: Decimal | None
    active_positive_rate: Decimal | None
    negative_rate: Decimal | None
    active_rate: Decimal | None
    unrated_rate: Decimal | None


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


@fixed_context
def rating_metrics(
    ratings: Sequence[Rating], cases: Mapping[str, NegativeCase], *, contacts_count: int
) -> RatingMetrics:
    """Compute 好评率, 主动评价好评率, 差评率, 主动评价率 and 未评价率 for a window, staff member or centre.

    Rates are rounded half-up to four decimals (``RATE_QUANTUM``); this is their only rounding point.

    Raises:
        DomainRuleViolation: If there are more active ratings than service contacts.
    """
    active_all = [r for r in ratings if r.origin is RatingOrigin.ACTIVE]
    if contacts_count < len(active_all):
        raise DomainRuleViolation("contactsCount", "must be at least the number of active ratings (一次一评)")
    counted = [r for r in ratings if rating_validity(r, cases.get(r.rating_id)) is not RatingValidity.EXCLUDED]
    active_counted = [r for r in counted if r.origin is RatingOrigin.ACTIVE]
    positive = sum(1 for r in counted if r.level.is_positive)
    return RatingMetrics(
        contacts_count=contacts_count,
        ratings_count=len(counted),
        active_count=len(active_all),
        excluded_count=len(ratings) - len(counted),
        positive_rate=_rate(positive, len(counted)),
        active_positive_rate=_rate(sum(1 for r in active_counted if r.level.is_positive), len(active_counted)),
        negative_rate=_rate(len(counted) - positive, len(counted)),
        active_rate=_rate(len(active_all), contacts_count),
        unrated_rate=_rate(contacts_count - len(active_all), contacts_count),
    )
