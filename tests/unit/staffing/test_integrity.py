"""Integrity flags: implausible rates, quick pad ratings, an easy item mix."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hall.domain import DomainRuleViolation, SkillLevel
from staffing.domain import (
    CentreBaseline,
    IntegrityFlag,
    IntegrityFlagKind,
    IntegrityRules,
    Month,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingTally,
    ServedItem,
    StaffMonthFacts,
    binomial_upper_tail,
    integrity_flags,
)

pytestmark = pytest.mark.unit

MARCH = Month(2025, 3)
RULES = IntegrityRules()
BASELINE = CentreBaseline(
    staff_count=20,
    median_workload_rate=Decimal(30),
    positive_rate=Decimal("0.975"),
    very_satisfied_share=Decimal("0.50"),
    mean_standard_minutes=Decimal(20),
)


def month(ratings: RatingTally | None = None, *, items: int = 10, standard_minutes: int = 20) -> StaffMonthFacts:
    return StaffMonthFacts(
        staff_id="s1",
        month=MARCH,
        skill_level=SkillLevel.L4,
        rostered_duration=timedelta(hours=150),
        served_items=tuple(
            ServedItem(
                item_code="X",
                standard_duration=timedelta(minutes=standard_minutes),
                actual_duration=timedelta(minutes=standard_minutes),
            )
            for _ in range(items)
        ),
        ratings=ratings or RatingTally(),
    )


def kinds(flags: tuple[IntegrityFlag, ...]) -> list[IntegrityFlagKind]:
    return [flag.kind for flag in flags]


def test_the_binomial_tail_of_a_perfect_record_is_p_to_the_n() -> None:
    assert math.isclose(binomial_upper_tail(100, 100, 0.9), 0.9**100, rel_tol=1e-9)
    assert binomial_upper_tail(0, 10, 0.3) == 1.0
    assert math.isclose(binomial_upper_tail(1, 2, 0.5), 0.75, rel_tol=1e-12)


def test_sixty_very_satisfied_of_sixty_at_a_centre_sharing_half_is_flagged() -> None:
    # 0.5 ** 60 ≈ 8.7e-19 < 0.001. The positive rate itself (60/60 vs 97.5 %: 0.975 ** 60 ≈ 0.22) is plausible.
    flags = integrity_flags(month(RatingTally(by_level={RatingLevel.VERY_SATISFIED: 60})), BASELINE, RULES)
    assert kinds(flags) == [IntegrityFlagKind.VERY_SATISFIED_SHARE_IMPLAUSIBLE]
    assert "60/60" in flags[0].evidence


def test_a_perfect_record_over_few_ratings_is_not_flagged() -> None:
    flags = integrity_flags(month(RatingTally(by_level={RatingLevel.VERY_SATISFIED: 29})), BASELINE, RULES)
    assert flags == ()


def test_a_perfect_positive_rate_is_flagged_when_the_centre_is_much_lower() -> None:
    baseline = CentreBaseline(
        staff_count=20,
        median_workload_rate=Decimal(30),
        positive_rate=Decimal("0.80"),
        very_satisfied_share=Decimal("0.50"),
        mean_standard_minutes=Decimal(20),
    )
    # 0.8 ** 40 ≈ 1.3e-4 < 0.001.
    flags = integrity_flags(month(RatingTally(by_level={RatingLevel.SATISFIED: 40})), baseline, RULES)
    assert kinds(flags) == [IntegrityFlagKind.POSITIVE_RATE_IMPLAUSIBLE]


def pad_rating(i: int, seconds: float, *, channel: RatingChannel = RatingChannel.PAD) -> Rating:
    served = datetime(2025, 3, 3, 1, 0, tzinfo=UTC) + timedelta(minutes=15 * i)
    return Rating(
        rating_id=f"r{i}",
        staff_id="s1",
        level=RatingLevel.VERY_SATISFIED,
        channel=channel,
        served_at=served,
        rated_at=served + timedelta(seconds=seconds),
        device_id="pad-07",
    )


def test_many_ratings_within_seconds_of_service_on_one_pad_are_flagged() -> None:
    ratings = [pad_rating(i, 1.5) for i in range(12)] + [pad_rating(12 + i, 30) for i in range(4)]
    flags = integrity_flags(month(), BASELINE, RULES, ratings)
    assert kinds(flags) == [IntegrityFlagKind.QUICK_PAD_RATINGS]
    assert "pad-07: 12/16" in flags[0].evidence


def test_quick_ratings_that_are_a_small_share_of_the_pad_are_not_flagged() -> None:
    ratings = [pad_rating(i, 1) for i in range(10)] + [pad_rating(10 + i, 30) for i in range(20)]
    assert integrity_flags(month(), BASELINE, RULES, ratings) == ()


def test_quick_ratings_on_paper_are_not_pad_ratings() -> None:
    ratings = [pad_rating(i, 1, channel=RatingChannel.PAPER) for i in range(12)]
    assert integrity_flags(month(), BASELINE, RULES, ratings) == ()


def test_ratings_of_another_staff_member_are_refused() -> None:
    other = Rating(
        rating_id="x",
        staff_id="s2",
        level=RatingLevel.SATISFIED,
        served_at=datetime(2025, 3, 3, tzinfo=UTC),
        rated_at=datetime(2025, 3, 3, tzinfo=UTC),
    )
    with pytest.raises(DomainRuleViolation):
        integrity_flags(month(), BASELINE, RULES, [other])


def test_an_item_mix_far_easier_than_the_centres_is_flagged() -> None:
    # Mean 5 standard minutes over 60 items vs the centre's 20: below 60 % of it.
    flags = integrity_flags(month(items=60, standard_minutes=5), BASELINE, RULES)
    assert kinds(flags) == [IntegrityFlagKind.EASY_ITEM_MIX]


def test_the_item_mix_is_not_judged_on_a_few_items() -> None:
    assert integrity_flags(month(items=49, standard_minutes=5), BASELINE, RULES) == ()


def test_integrity_thresholds_are_validated() -> None:
    with pytest.raises(DomainRuleViolation):
        IntegrityRules(significance=Decimal(0))
