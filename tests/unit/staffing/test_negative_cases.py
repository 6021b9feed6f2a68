"""The 差评 workflow: legal moves, deadlines on the working-day calendar (国庆 2025), overdue and validity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain import CalendarDay, DayKind, DomainRuleViolation, WorkingCalendar
from staffing.domain import (
    LEGAL_MOVES,
    Classification,
    DeadlineKind,
    NegativeCase,
    NegativeCaseStatus,
    OverdueDeadline,
    Rating,
    RatingLevel,
    RatingRules,
    RatingValidity,
    open_negative_case,
    overdue,
    possible_moves,
    rating_validity,
    transition,
)

pytestmark = pytest.mark.unit

# 国庆 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days (调休).
NATIONAL_DAY_2025 = WorkingCalendar.of(
    [CalendarDay(date(2025, 10, d), DayKind.HOLIDAY, "国庆节") for d in range(1, 9)]
    + [
        CalendarDay(date(2025, 9, 28), DayKind.WORKDAY, "国庆调休"),
        CalendarDay(date(2025, 10, 11), DayKind.WORKDAY, "国庆调休"),
    ]
)
RULES = RatingRules()
S = NegativeCaseStatus

NEGATIVE = Rating(
    rating_id="r1",
    staff_id="s1",
    level=RatingLevel.DISSATISFIED,
    served_at=datetime(2025, 9, 30, 2, 0, tzinfo=UTC),
    rated_at=datetime(2025, 9, 30, 2, 1, tzinfo=UTC),
)


def open_case(on: date = date(2025, 9, 30), *, is_named: bool = False, is_complex: bool = False) -> NegativeCase:
    return open_negative_case(
        case_id="c1",
        rating=NEGATIVE,
        opened_on=on,
        is_named=is_named,
        is_complex=is_complex,
        rules=RULES,
        calendar=NATIONAL_DAY_2025,
    )


def move(
    case: NegativeCase,
    to: NegativeCaseStatus,
    on: date,
    *,
    classification: Classification | None = None,
    is_complex: bool | None = None,
    has_callback: bool = False,
) -> NegativeCase:
    return transition(
        case,
        to,
        on=on,
        rules=RULES,
        calendar=NATIONAL_DAY_2025,
        classification=classification,
        is_complex=is_complex,
        has_callback=has_callback,
    )


def test_a_case_opened_before_the_holiday_is_due_for_verification_after_it() -> None:
    # Opened Tuesday 30 Sep; 1–8 Oct are off, so one working day later is Thursday 9 Oct.
    case = open_case()
    assert case.verify_due_on == date(2025, 10, 9)
    # Reply within 5 working days: 9, 10, 11 (Saturday make-up day), 13, 14 October.
    assert case.reply_due_on == date(2025, 10, 14)


def test_a_make_up_sunday_counts_as_a_working_day() -> None:
    # Opened Friday 26 Sep; the next working day is Sunday 28 Sep (调休).
    assert open_case(date(2025, 9, 26)).verify_due_on == date(2025, 9, 28)


def test_a_complex_case_gets_fifteen_working_days_to_reply() -> None:
    # 9, 10, 11, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27, 28 October.
    assert open_case(is_complex=True).reply_due_on == date(2025, 10, 28)


def test_marking_a_case_complex_on_verification_moves_the_reply_date() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID, is_complex=True)
    assert case.is_complex
    assert case.reply_due_on == date(2025, 10, 28)


def test_only_a_negative_rating_opens_a_case() -> None:
    positive = Rating(
        rating_id="r2",
        staff_id="s1",
        level=RatingLevel.BASICALLY_SATISFIED,
        served_at=NEGATIVE.served_at,
        rated_at=NEGATIVE.rated_at,
    )
    with pytest.raises(DomainRuleViolation):
        open_negative_case(
            case_id="c",
            rating=positive,
            opened_on=date(2025, 9, 30),
            is_named=False,
            rules=RULES,
            calendar=NATIONAL_DAY_2025,
        )


def test_the_full_path_of_a_valid_case_from_open_to_closed() -> None:
    case = open_case(is_named=True)
    case = move(case, S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID, has_callback=True)
    case = move(case, S.RECTIFYING, date(2025, 10, 10))
    case = move(case, S.REPLIED, date(2025, 10, 13))
    case = move(case, S.CLOSED, date(2025, 10, 13))

    assert case.status is S.CLOSED
    assert [step.to_status for step in case.history] == [S.OPEN, S.VERIFIED, S.RECTIFYING, S.REPLIED, S.CLOSED]
    assert overdue(case, date(2025, 12, 31)) == ()
    assert rating_validity(NEGATIVE, case) is RatingValidity.VALID


def test_an_open_case_past_its_verification_date_is_overdue() -> None:
    case = open_case()
    assert overdue(case, date(2025, 10, 9)) == ()  # due today, not yet late
    assert overdue(case, date(2025, 10, 10)) == (OverdueDeadline(kind=DeadlineKind.VERIFY, due_on=date(2025, 10, 9)),)
    assert [d.kind for d in overdue(case, date(2025, 10, 15))] == [DeadlineKind.VERIFY, DeadlineKind.REPLY]


def test_a_verified_case_without_a_reply_becomes_overdue_after_the_reply_date() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    assert overdue(case, date(2025, 10, 14)) == ()
    assert overdue(case, date(2025, 10, 15)) == (OverdueDeadline(kind=DeadlineKind.REPLY, due_on=date(2025, 10, 14)),)


def test_a_mistaken_rating_closes_after_verification_and_is_excluded() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.MISTAKEN)
    case = move(case, S.CLOSED, date(2025, 10, 9))
    assert rating_validity(NEGATIVE, case) is RatingValidity.EXCLUDED
    assert overdue(case, date(2025, 11, 1)) == ()


def test_a_valid_case_does_not_close_before_the_rater_got_a_reply() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    with pytest.raises(DomainRuleViolation, match="reply"):
        move(case, S.CLOSED, date(2025, 10, 9))


def test_a_real_name_case_does_not_close_without_a_callback() -> None:
    case = move(open_case(is_named=True), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    case = move(case, S.REPLIED, date(2025, 10, 10))
    with pytest.raises(DomainRuleViolation, match="callback"):
        move(case, S.CLOSED, date(2025, 10, 10))
    assert move(case, S.CLOSED, date(2025, 10, 10), has_callback=True).status is S.CLOSED


def test_verifying_requires_a_classification() -> None:
    with pytest.raises(DomainRuleViolation, match="classify"):
        move(open_case(), S.VERIFIED, date(2025, 10, 9))


def test_only_a_valid_case_is_rectified() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.NOT_SERVICE_RELATED)
    with pytest.raises(DomainRuleViolation):
        move(case, S.RECTIFYING, date(2025, 10, 9))


def test_a_step_cannot_be_dated_before_the_previous_one() -> None:
    with pytest.raises(DomainRuleViolation):
        move(open_case(), S.VERIFIED, date(2025, 9, 29), classification=Classification.VALID)


def test_an_appeal_that_is_overturned_excludes_the_rating() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    case = move(case, S.APPEALED, date(2025, 10, 10))
    assert rating_validity(NEGATIVE, case) is RatingValidity.PENDING  # not counted while under appeal
    # Review due 5 working days after the appeal: 11 (make-up Saturday), 13, 14, 15, 16 October.
    assert case.review_due_on == date(2025, 10, 16)
    case = move(case, S.UNDER_REVIEW, date(2025, 10, 13))
    assert [d.kind for d in overdue(case, date(2025, 10, 17))] == [DeadlineKind.REPLY, DeadlineKind.REVIEW]
    case = move(case, S.OVERTURNED, date(2025, 10, 14), classification=Classification.MALICIOUS)
    assert rating_validity(NEGATIVE, case) is RatingValidity.EXCLUDED
    case = move(case, S.REPLIED, date(2025, 10, 14))
    assert move(case, S.CLOSED, date(2025, 10, 14)).status is S.CLOSED


def test_an_appeal_that_is_upheld_keeps_the_rating_valid() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    case = move(case, S.APPEALED, date(2025, 10, 9))
    case = move(case, S.UNDER_REVIEW, date(2025, 10, 9))
    case = move(case, S.UPHELD, date(2025, 10, 10))
    assert rating_validity(NEGATIVE, case) is RatingValidity.VALID
    assert move(case, S.RECTIFYING, date(2025, 10, 10)).status is S.RECTIFYING


def test_overturning_needs_a_class_other_than_valid() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    case = move(move(case, S.APPEALED, date(2025, 10, 9)), S.UNDER_REVIEW, date(2025, 10, 9))
    with pytest.raises(DomainRuleViolation):
        move(case, S.OVERTURNED, date(2025, 10, 10), classification=Classification.VALID)


def test_a_case_is_appealed_at_most_once_and_only_within_the_appeal_period() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.VALID)
    # Appeal period: 5 working days after verification → 10, 11, 13, 14, 15 October.
    assert case.appeal_due_on == date(2025, 10, 15)
    with pytest.raises(DomainRuleViolation, match="appeal period"):
        move(case, S.APPEALED, date(2025, 10, 16))
    case = move(case, S.APPEALED, date(2025, 10, 15))
    case = move(move(case, S.UNDER_REVIEW, date(2025, 10, 15)), S.UPHELD, date(2025, 10, 16))
    case = move(case, S.REPLIED, date(2025, 10, 16))
    with pytest.raises(DomainRuleViolation):
        move(case, S.APPEALED, date(2025, 10, 16))


def test_a_mistaken_rating_cannot_be_appealed() -> None:
    case = move(open_case(), S.VERIFIED, date(2025, 10, 9), classification=Classification.MISTAKEN)
    with pytest.raises(DomainRuleViolation):
        move(case, S.APPEALED, date(2025, 10, 9))


@pytest.mark.parametrize(
    ("start", "illegal"),
    [
        (S.OPEN, S.CLOSED),
        (S.OPEN, S.REPLIED),
        (S.OPEN, S.APPEALED),
        (S.OPEN, S.UPHELD),
    ],
)
def test_an_open_case_refuses_every_move_but_verification(
    start: NegativeCaseStatus, illegal: NegativeCaseStatus
) -> None:
    case = open_case()
    assert case.status is start
    with pytest.raises(DomainRuleViolation, match="cannot move"):
        move(case, illegal, date(2025, 10, 9))


def test_the_legal_moves_cover_every_status() -> None:
    assert set(LEGAL_MOVES) == set(NegativeCaseStatus)
    assert S.OPEN not in set().union(*LEGAL_MOVES.values())


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(list(NegativeCaseStatus)),
            st.one_of(st.none(), st.sampled_from(list(Classification))),
            st.booleans(),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=12,
    )
)
def test_a_random_walk_only_ever_takes_legal_moves(
    steps: list[tuple[NegativeCaseStatus, Classification | None, bool, int]],
) -> None:
    case = open_case(is_named=True)
    on = date(2025, 10, 9)
    for to, classification, has_callback, days_later in steps:
        on += timedelta(days=days_later)
        legal = to in LEGAL_MOVES[case.status]
        try:
            moved = move(case, to, on, classification=classification, has_callback=has_callback)
        except DomainRuleViolation:
            continue
        assert legal, f"{case.status} → {to} should have been refused"
        assert moved.status is to
        assert moved.history[-1].from_status is case.status
        assert len(moved.history) == len(case.history) + 1
        if moved.classification is not Classification.VALID and moved.classification is not None:
            assert rating_validity(NEGATIVE, moved) is RatingValidity.EXCLUDED
        case = moved


def test_only_the_steps_whose_rule_the_case_meets_are_offered() -> None:
    verified_on = date(2025, 10, 9)
    valid = move(open_case(), S.VERIFIED, verified_on, classification=Classification.VALID)
    assert valid.appeal_due_on == date(2025, 10, 15)  # five working days (Saturday the 11th is one)
    # A valid case: rectify, reply or appeal; closing waits for the reply.
    assert possible_moves(valid, verified_on) == (S.RECTIFYING, S.REPLIED, S.APPEALED)
    assert possible_moves(valid, date(2025, 10, 15)) == (S.RECTIFYING, S.REPLIED, S.APPEALED)
    assert possible_moves(valid, date(2025, 10, 16)) == (S.RECTIFYING, S.REPLIED)  # the appeal period is over
    replied = move(valid, S.REPLIED, date(2025, 10, 10))
    assert possible_moves(replied, date(2025, 10, 10)) == (S.CLOSED, S.APPEALED)
    appealed = move(replied, S.APPEALED, date(2025, 10, 13))
    upheld = move(move(appealed, S.UNDER_REVIEW, date(2025, 10, 13)), S.UPHELD, date(2025, 10, 14))
    assert S.APPEALED not in possible_moves(upheld, date(2025, 10, 14))  # appealed once already
    closed = move(upheld, S.CLOSED, date(2025, 10, 14))
    assert possible_moves(closed, date(2025, 10, 14)) == ()
    with pytest.raises(DomainRuleViolation, match="at most once"):
        move(closed, S.APPEALED, date(2025, 10, 14))

    mistaken = move(open_case(), S.VERIFIED, verified_on, classification=Classification.MISTAKEN)
    assert possible_moves(mistaken, verified_on) == (S.REPLIED, S.CLOSED)
    closed_mistaken = move(mistaken, S.CLOSED, verified_on)
    assert possible_moves(closed_mistaken, verified_on) == ()  # LEGAL_MOVES alone would offer an appeal
    assert LEGAL_MOVES[S.CLOSED] == {S.APPEALED}


@settings(max_examples=60, deadline=None)
@given(
    classification=st.sampled_from(list(Classification)),
    path=st.lists(st.sampled_from(list(NegativeCaseStatus)), max_size=6),
    days=st.integers(min_value=0, max_value=20),
)
def test_every_offered_step_is_accepted(classification: Classification, path: list[S], days: int) -> None:
    on = date(2025, 10, 9)
    case = move(open_case(), S.VERIFIED, on, classification=classification, has_callback=True)
    for to in path:  # wander through the workflow by the steps offered
        offered = possible_moves(case, on)
        if to not in offered:
            continue
        needs = Classification.MISTAKEN if to is S.OVERTURNED else None
        case = move(case, to, on, classification=needs, has_callback=True)
    later = on + timedelta(days=days)
    for to in possible_moves(case, later):
        needs = Classification.MISTAKEN if to is S.OVERTURNED else None
        move(case, to, later, classification=needs, has_callback=True)  # never refused by the case's state
