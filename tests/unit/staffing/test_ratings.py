"""好差评 levels, the rating period and default, the staff tally and the published metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from hall.domain import DomainRuleViolation, WorkingCalendar
from staffing.domain import (
    Classification,
    NegativeCaseStatus,
    Rating,
    RatingDimension,
    RatingLevel,
    RatingOrigin,
    RatingRules,
    RatingTally,
    defaulted_level,
    may_rate,
    open_negative_case,
    rating_metrics,
    rating_period_ends_on,
    tally_staff_ratings,
    transition,
)

pytestmark = pytest.mark.unit

SERVED_AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
RULES = RatingRules()
CALENDAR = WorkingCalendar()


def rating(
    rating_id: str,
    level: RatingLevel,
    *,
    origin: RatingOrigin = RatingOrigin.ACTIVE,
    staff_id: str = "s1",
) -> Rating:
    return Rating(
        rating_id=rating_id,
        staff_id=staff_id,
        level=level,
        origin=origin,
        served_at=SERVED_AT,
        rated_at=SERVED_AT + timedelta(seconds=20),
    )


@pytest.mark.parametrize(
    ("level", "label_zh", "is_positive", "is_negative"),
    [
        (RatingLevel.VERY_SATISFIED, "非常满意", True, False),
        (RatingLevel.SATISFIED, "满意", True, False),
        (RatingLevel.BASICALLY_SATISFIED, "基本满意", True, False),
        (RatingLevel.DISSATISFIED, "不满意", False, True),
        (RatingLevel.VERY_DISSATISFIED, "非常不满意", False, True),
    ],
)
def test_levels_three_to_five_are_positive_and_one_to_two_are_negative(
    level: RatingLevel, label_zh: str, is_positive: bool, is_negative: bool
) -> None:
    assert level.label_zh == label_zh
    assert level.is_positive is is_positive
    assert level.is_negative is is_negative
    assert level.stars == int(level)


def test_in_person_dimensions_carry_the_national_labels() -> None:
    assert [d.label_zh for d in RatingDimension] == ["整体满意度", "服务效率", "服务水平", "服务态度"]


def test_a_rating_cannot_be_recorded_before_the_service_ended() -> None:
    with pytest.raises(DomainRuleViolation):
        Rating(
            rating_id="r",
            staff_id="s1",
            level=RatingLevel.SATISFIED,
            served_at=SERVED_AT,
            rated_at=SERVED_AT - timedelta(seconds=1),
        )


def test_a_positive_rating_carries_no_negative_reasons() -> None:
    from staffing.domain import NegativeReason

    with pytest.raises(DomainRuleViolation):
        Rating(
            rating_id="r",
            staff_id="s1",
            level=RatingLevel.SATISFIED,
            served_at=SERVED_AT,
            rated_at=SERVED_AT,
            reasons=(NegativeReason.POOR_ATTITUDE,),
        )


def test_the_rating_period_is_seven_natural_days_after_the_day_of_service() -> None:
    # Served Monday 3 March; 7 natural days later is Monday 10 March, weekends included.
    assert rating_period_ends_on(date(2025, 3, 3), RULES) == date(2025, 3, 10)
    assert may_rate(date(2025, 3, 3), date(2025, 3, 10), RULES)
    assert not may_rate(date(2025, 3, 3), date(2025, 3, 11), RULES)


def test_an_unrated_contact_defaults_to_basically_satisfied_the_day_after_the_period() -> None:
    served = date(2025, 3, 3)
    assert defaulted_level(served, date(2025, 3, 10), has_rating=False, rules=RULES) is None
    assert defaulted_level(served, date(2025, 3, 11), has_rating=False, rules=RULES) is RatingLevel.BASICALLY_SATISFIED
    assert defaulted_level(served, date(2025, 3, 11), has_rating=True, rules=RULES) is None


def test_the_default_rating_can_be_switched_off() -> None:
    rules = RatingRules(is_default_rating_enabled=False)
    assert defaulted_level(date(2025, 3, 3), date(2025, 4, 1), has_rating=False, rules=rules) is None


def test_a_default_rating_may_not_be_negative() -> None:
    with pytest.raises(DomainRuleViolation):
        RatingRules(default_level=RatingLevel.DISSATISFIED)


def test_the_tally_counts_positive_and_confirmed_negative_ratings_and_reports_pending_ones() -> None:
    ratings = [
        rating("r1", RatingLevel.VERY_SATISFIED),
        rating("r2", RatingLevel.SATISFIED),
        rating("r3", RatingLevel.BASICALLY_SATISFIED, origin=RatingOrigin.DEFAULTED),
        rating("r4", RatingLevel.DISSATISFIED),  # confirmed valid
        rating("r5", RatingLevel.VERY_DISSATISFIED),  # classified malicious: excluded
        rating("r6", RatingLevel.DISSATISFIED),  # case still open: pending
    ]
    on = date(2025, 3, 3)
    cases = {}
    for rating_id, classification in (("r4", Classification.VALID), ("r5", Classification.MALICIOUS)):
        case = open_negative_case(
            case_id=f"c-{rating_id}",
            rating=next(r for r in ratings if r.rating_id == rating_id),
            opened_on=on,
            is_named=False,
            rules=RULES,
            calendar=CALENDAR,
        )
        cases[rating_id] = transition(
            case, NegativeCaseStatus.VERIFIED, on=on, rules=RULES, calendar=CALENDAR, classification=classification
        )
    cases["r6"] = open_negative_case(
        case_id="c-r6", rating=ratings[5], opened_on=on, is_named=False, rules=RULES, calendar=CALENDAR
    )

    tally = tally_staff_ratings(ratings, cases, RULES)

    # The defaulted 基本满意 is not assessed by default; the malicious 差评 is excluded; the open one is pending.
    assert dict(tally.by_level) == {
        RatingLevel.VERY_SATISFIED: 1,
        RatingLevel.SATISFIED: 1,
        RatingLevel.DISSATISFIED: 1,
    }
    assert (tally.count, tally.positive_count, tally.confirmed_negative_count) == (3, 2, 1)
    assert tally.pending_negative_count == 1
    assessed = tally_staff_ratings(ratings, cases, RatingRules(are_defaulted_ratings_assessed=True))
    assert assessed.count_of(RatingLevel.BASICALLY_SATISFIED) == 1


def test_a_tally_is_of_one_staff_member() -> None:
    with pytest.raises(DomainRuleViolation):
        tally_staff_ratings(
            [rating("a", RatingLevel.SATISFIED), rating("b", RatingLevel.SATISFIED, staff_id="s2")], {}, RULES
        )


def test_a_tally_refuses_negative_counts() -> None:
    with pytest.raises(DomainRuleViolation):
        RatingTally(by_level={RatingLevel.SATISFIED: -1})


def test_published_metrics_follow_the_suggested_reading_of_gb_t_39734() -> None:
    # 10 contacts: 6 rated actively (5 好评, 1 差评 classified malicious → excluded), 2 defaulted 基本满意,
    # 2 not rated yet.
    ratings = [rating(f"a{i}", RatingLevel.SATISFIED) for i in range(5)]
    ratings.append(rating("bad", RatingLevel.VERY_DISSATISFIED))
    ratings += [rating(f"d{i}", RatingLevel.BASICALLY_SATISFIED, origin=RatingOrigin.DEFAULTED) for i in range(2)]
    on = date(2025, 3, 3)
    case = open_negative_case(
        case_id="c", rating=ratings[5], opened_on=on, is_named=False, rules=RULES, calendar=CALENDAR
    )
    case = transition(
        case,
        NegativeCaseStatus.VERIFIED,
        on=on,
        rules=RULES,
        calendar=CALENDAR,
        classification=Classification.MALICIOUS,
    )

    metrics = rating_metrics(ratings, {"bad": case}, contacts_count=10)

    assert metrics.ratings_count == 7  # 5 active + 2 defaulted; the excluded one is dropped
    assert metrics.excluded_count == 1
    assert metrics.positive_rate == Decimal("1.0000")  # 7 / 7
    assert metrics.active_positive_rate == Decimal("1.0000")  # 5 / 5
    assert metrics.negative_rate == Decimal("0.0000")
    assert metrics.active_rate == Decimal("0.6000")  # 6 active ratings (the malicious one was still given) / 10
    assert metrics.unrated_rate == Decimal("0.4000")


def test_a_pending_negative_rating_counts_as_negative_in_published_metrics() -> None:
    ratings = [
        rating("a", RatingLevel.SATISFIED),
        rating("b", RatingLevel.SATISFIED),
        rating("c", RatingLevel.DISSATISFIED),
    ]

    metrics = rating_metrics(ratings, {}, contacts_count=3)

    assert metrics.positive_rate == Decimal("0.6667")  # 2/3 = 0.66666… rounded half-up to four places
    assert metrics.negative_rate == Decimal("0.3333")


def test_metrics_over_nothing_are_none_rather_than_zero() -> None:
    metrics = rating_metrics([], {}, contacts_count=0)
    assert metrics.positive_rate is None
    assert metrics.active_rate is None


def test_there_cannot_be_more_active_ratings_than_contacts() -> None:
    with pytest.raises(DomainRuleViolation):
        rating_metrics([rating("a", RatingLevel.SATISFIED)], {}, contacts_count=0)
