"""The negative-review (差评) workflow: open → verified (classified) → rectifying → replied → closed, with appeal.

Sources: ``shared/domain.md`` §1.4 [D] default workflow (verify within 1 working day; classify 有效 / 误评 /
恶意 / 非服务原因; rectify and reply within 5 or 15 working days; callback and closure; 实名差评 100 % callback)
and 国办发〔2019〕51号 (申诉复核 to exclude 误评 and 恶意差评). Deadlines are counted on the working-day calendar
(holidays and 调休 applied) with the periods of :class:`~staffing.domain.ratings.RatingRules`.

Validity of a rating is derived from its case, never stored: a positive rating is valid; a negative rating is
*pending* until its case is verified, *valid* once classified 有效 (and not under appeal), and *excluded* once
classified 误评, 恶意 or 非服务原因 or overturned on appeal. Only valid ratings count against staff (§1.4 step 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from hall.domain import DomainRuleViolation, WorkingCalendar
from staffing.domain.ratings import Rating, RatingRules


class NegativeCaseStatus(StrEnum):
    """Where a 差评 work order stands (§1.4 [D] workflow; appeal = 申诉复核 of 51号)."""

    OPEN = "open"
    VERIFIED = "verified"  # called back, verified and classified
    RECTIFYING = "rectifying"
    REPLIED = "replied"
    CLOSED = "closed"
    APPEALED = "appealed"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"  # review keeps the 差评 as valid
    OVERTURNED = "overturned"  # review excludes the 差评

    @property
    def label_zh(self) -> str:
        return _STATUS_LABELS_ZH[self]


_STATUS_LABELS_ZH: Final = {
    NegativeCaseStatus.OPEN: "待核实",
    NegativeCaseStatus.VERIFIED: "已核实定性",
    NegativeCaseStatus.RECTIFYING: "整改中",
    NegativeCaseStatus.REPLIED: "已反馈",
    NegativeCaseStatus.CLOSED: "已办结",
    NegativeCaseStatus.APPEALED: "已申诉",
    NegativeCaseStatus.UNDER_REVIEW: "复核中",
    NegativeCaseStatus.UPHELD: "复核维持",
    NegativeCaseStatus.OVERTURNED: "复核撤销",
}


class Classification(StrEnum):
    """How a verified 差评 is classified (§1.4 step 2); only ``VALID`` counts against staff."""

    VALID = "valid"
    MISTAKEN = "mistaken"
    MALICIOUS = "malicious"
    NOT_SERVICE_RELATED = "not_service_related"

    @property
    def label_zh(self) -> str:
        return _CLASSIFICATION_LABELS_ZH[self]


_CLASSIFICATION_LABELS_ZH: Final = {
    Classification.VALID: "有效差评",
    Classification.MISTAKEN: "误评",
    Classification.MALICIOUS: "恶意差评",
    Classification.NOT_SERVICE_RELATED: "非服务原因",
}


class RatingValidity(StrEnum):
    """Whether a rating counts: pending (negative, not yet confirmed), valid, or excluded."""

    PENDING = "pending"
    VALID = "valid"
    EXCLUDED = "excluded"


class DeadlineKind(StrEnum):
    """The deadlines of a 差评 case."""

    VERIFY = "verify"
    REPLY = "reply"
    REVIEW = "review"

    @property
    def label_zh(self) -> str:
        return _DEADLINE_LABELS_ZH[self]


_DEADLINE_LABELS_ZH: Final = {
    DeadlineKind.VERIFY: "核实回访",
    DeadlineKind.REPLY: "整改反馈",
    DeadlineKind.REVIEW: "申诉复核",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseStep:
    """One recorded move of a 差评 case, kept so the case can be explained step by step."""

    from_status: NegativeCaseStatus | None
    to_status: NegativeCaseStatus
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueDeadline:
    """A deadline of a 差评 case that has passed with its step not done."""

    kind: DeadlineKind
    due_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class NegativeCase:
    """A 差评 work order. Build it with :func:`open_negative_case` and move it only with :func:`transition`.

    Due dates are fixed when the step that starts them happens, from the working-day calendar and the
    :class:`RatingRules` in force, so :func:`overdue` needs neither.
    """

    case_id: str
    rating_id: str
    staff_id: str
    opened_on: date
    is_named: bool
    is_complex: bool = False
    status: NegativeCaseStatus = NegativeCaseStatus.OPEN
    classification: Classification | None = None
    verify_due_on: date
    reply_due_on: date
    appeal_due_on: date | None = None
    review_due_on: date | None = None
    verified_on: date | None = None
    replied_on: date | None = None
    closed_on: date | None = None
    appealed_on: date | None = None
    reviewed_on: date | None = None
    has_callback: bool = False
    history: tuple[CaseStep, ...] = ()

    @property
    def last_moved_on(self) -> date:
        return self.history[-1].on if self.history else self.opened_on


LEGAL_MOVES: Final[Mapping[NegativeCaseStatus, frozenset[NegativeCaseStatus]]] = MappingProxyType(
    {
        NegativeCaseStatus.OPEN: frozenset({NegativeCaseStatus.VERIFIED}),
        NegativeCaseStatus.VERIFIED: frozenset(
            {
                NegativeCaseStatus.RECTIFYING,
                NegativeCaseStatus.REPLIED,
                NegativeCaseStatus.CLOSED,
                NegativeCaseStatus.APPEALED,
            }
        ),
        NegativeCaseStatus.RECTIFYING: frozenset({NegativeCaseStatus.REPLIED, NegativeCaseStatus.APPEALED}),
        NegativeCaseStatus.REPLIED: frozenset({NegativeCaseStatus.CLOSED, NegativeCaseStatus.APPEALED}),
        NegativeCaseStatus.CLOSED: frozenset({NegativeCaseStatus.APPEALED}),
        NegativeCaseStatus.APPEALED: frozenset({NegativeCaseStatus.UNDER_REVIEW}),
        NegativeCaseStatus.UNDER_REVIEW: frozenset({NegativeCaseStatus.UPHELD, NegativeCaseStatus.OVERTURNED}),
        NegativeCaseStatus.UPHELD: frozenset(
            {NegativeCaseStatus.RECTIFYING, NegativeCaseStatus.REPLIED, NegativeCaseStatus.CLOSED}
        ),
        NegativeCaseStatus.OVERTURNED: frozenset({NegativeCaseStatus.REPLIED, NegativeCaseStatus.CLOSED}),
    }
)
"""The legal moves of a 差评 case; every other move is refused.

open → verified (classified) → rectifying → replied → closed. A case classified other than valid may close
straight after verification (the callback settles it). Staff may appeal a valid 差评 once, from verified,
rectifying, replied or closed, within the appeal period: appealed → under review → upheld (the 差评 stands, the
case resumes) or overturned (the 差评 is excluded; the rater still gets a reply).
"""


def possible_moves(case: NegativeCase, on: date) -> tuple[NegativeCaseStatus, ...]:
    """The moves of ``LEGAL_MOVES`` whose rule the case meets on ``on``: the steps worth offering.

    An appeal only for a valid, not yet appealed 差评 inside its appeal period; rectifying only a valid one;
    closing a valid one only after the reply. The other rules of a move (a classification, a callback, a note)
    depend on what is entered with it, so those moves stay possible.
    """
    moves = []
    for to in sorted(LEGAL_MOVES[case.status], key=list(NegativeCaseStatus).index):
        if to is NegativeCaseStatus.APPEALED and not _may_appeal(case, on):
            continue
        if to is NegativeCaseStatus.RECTIFYING and case.classification is not Classification.VALID:
            continue
        if to is NegativeCaseStatus.CLOSED and case.classification is Classification.VALID and case.replied_on is None:
            continue
        moves.append(to)
    return tuple(moves)


def _may_appeal(case: NegativeCase, on: date) -> bool:
    return (
        case.classification is Classification.VALID
        and case.appealed_on is None
        and case.appeal_due_on is not None
        and on <= case.appeal_due_on
    )


def open_negative_case(
    *,
    case_id: str,
    rating: Rating,
    opened_on: date,
    is_named: bool,
    rules: RatingRules,
    calendar: WorkingCalendar,
    is_complex: bool = False,
) -> NegativeCase:
    """Open the work order for a 差评 and fix its verification and reply due dates (§1.4 step 1).

    Raises:
        DomainRuleViolation: If the rating is not a 差评.
    """
    if not rating.level.is_negative:
        raise DomainRuleViolation("rating.level", "only a 差评 (level 1 or 2) opens a negative-review case")
    return NegativeCase(
        case_id=case_id,
        rating_id=rating.rating_id,
        staff_id=rating.staff_id,
        opened_on=opened_on,
        is_named=is_named,
        is_complex=is_complex,
        verify_due_on=calendar.add_working_days(opened_on, rules.verify_within_working_days),
        reply_due_on=_reply_due_on(opened_on, is_complex=is_complex, rules=rules, calendar=calendar),
        history=(CaseStep(from_status=None, to_status=NegativeCaseStatus.OPEN, on=opened_on),),
    )


def _reply_due_on(opened_on: date, *, is_complex: bool, rules: RatingRules, calendar: WorkingCalendar) -> date:
    limit = rules.complex_reply_within_working_days if is_complex else rules.reply_within_working_days
    return calendar.add_working_days(opened_on, limit)


def transition(
    case: NegativeCase,
    to: NegativeCaseStatus,
    *,
    on: date,
    rules: RatingRules,
    calendar: WorkingCalendar,
    classification: Classification | None = None,
    is_complex: bool | None = None,
    has_callback: bool = False,
    note: str = "",
) -> NegativeCase:
    """Move a 差评 case to ``to`` on ``on``, checking the rule for that move; return the new case.

    Args:
        case: The case as it stands.
        to: The status to move to; must be in ``LEGAL_MOVES[case.status]``.
        on: The date of the move; not before the previous move.
        rules: The rating rules in force (appeal and review periods).
        calendar: The working-day calendar for due dates.
        classification: Required when verifying (any class) and when overturning (a class other than valid);
            refused on every other move.
        is_complex: When verifying, marks the case complex (限期整改) and moves the reply due date to
            ``rules.complex_reply_within_working_days`` after opening; refused on other moves.
        has_callback: Records that the rater was called back (required to close a real-name case).
        note: Free text kept in the case history.

    Raises:
        DomainRuleViolation: For an illegal move or a move whose rule is not met.
    """
    if to not in LEGAL_MOVES[case.status]:
        raise DomainRuleViolation("status", f"cannot move a 差评 case from {case.status} to {to}")
    if on < case.last_moved_on:
        raise DomainRuleViolation("on", f"must not be before the previous step ({case.last_moved_on})")
    if is_complex is not None and to is not NegativeCaseStatus.VERIFIED:
        raise DomainRuleViolation("isComplex", "a case is marked complex only when it is verified")
    if classification is not None and to not in {NegativeCaseStatus.VERIFIED, NegativeCaseStatus.OVERTURNED}:
        raise DomainRuleViolation("classification", "a case is classified only on verification or overturn")
    step = CaseStep(from_status=case.status, to_status=to, on=on, note=note)
    moved = replace(case, status=to, has_callback=case.has_callback or has_callback, history=(*case.history, step))
    if to is NegativeCaseStatus.VERIFIED:
        return _verify(
            moved, on=on, classification=classification, is_complex=is_complex, rules=rules, calendar=calendar
        )
    if to is NegativeCaseStatus.RECTIFYING:
        if case.classification is not Classification.VALID:
            raise DomainRuleViolation("status", "only a valid 差评 is rectified")
        return moved
    if to is NegativeCaseStatus.REPLIED:
        return replace(moved, replied_on=case.replied_on or on)
    if to is NegativeCaseStatus.CLOSED:
        return _close(moved, on=on, rules=rules)
    if to is NegativeCaseStatus.APPEALED:
        return _appeal(moved, on=on, rules=rules, calendar=calendar)
    if to is NegativeCaseStatus.OVERTURNED:
        if classification is None or classification is Classification.VALID:
            raise DomainRuleViolation("classification", "overturning needs the class the review found (not valid)")
        return replace(moved, classification=classification, reviewed_on=on)
    if to is NegativeCaseStatus.UPHELD:
        return replace(moved, reviewed_on=on)
    return moved


def _verify(
    case: NegativeCase,
    *,
    on: date,
    classification: Classification | None,
    is_complex: bool | None,
    rules: RatingRules,
    calendar: WorkingCalendar,
) -> NegativeCase:
    if classification is None:
        raise DomainRuleViolation("classification", "verifying a 差评 must classify it")
    complex_case = case.is_complex if is_complex is None else is_complex
    appeal_due_on = (
        calendar.add_working_days(on, rules.appeal_within_working_days)
        if classification is Classification.VALID
        else None
    )
    return replace(
        case,
        classification=classification,
        is_complex=complex_case,
        verified_on=on,
        reply_due_on=_reply_due_on(case.opened_on, is_complex=complex_case, rules=rules, calendar=calendar),
        appeal_due_on=appeal_due_on,
    )


def _close(case: NegativeCase, *, on: date, rules: RatingRules) -> NegativeCase:
    if case.classification is Classification.VALID and case.replied_on is None:
        raise DomainRuleViolation("status", "a valid 差评 closes only after the reply to the rater")
    if case.is_named and rules.is_callback_required_for_named and not case.has_callback:
        raise DomainRuleViolation("hasCallback", "a real-name 差评 closes only after a callback (回访率 100%)")
    return replace(case, closed_on=case.closed_on or on)


def _appeal(case: NegativeCase, *, on: date, rules: RatingRules, calendar: WorkingCalendar) -> NegativeCase:
    if case.classification is not Classification.VALID:
        raise DomainRuleViolation("status", "only a 差评 classified valid can be appealed")
    if case.appealed_on is not None:
        raise DomainRuleViolation("status", "a 差评 case is appealed at most once")
    if case.appeal_due_on is None or on > case.appeal_due_on:
        raise DomainRuleViolation("on", f"the appeal period ended on {case.appeal_due_on}")
    return replace(case, appealed_on=on, review_due_on=calendar.add_working_days(on, rules.review_within_working_days))


def overdue(case: NegativeCase, today: date) -> tuple[OverdueDeadline, ...]:
    """Return the deadlines of a case that have passed (``today`` after the due date) with the step not done.

    Verification is done once the case is verified; the reply once the rater got a reply or the case closed;
    a review once the appeal was decided.
    """
    missed: list[OverdueDeadline] = []
    if case.verified_on is None and today > case.verify_due_on:
        missed.append(OverdueDeadline(kind=DeadlineKind.VERIFY, due_on=case.verify_due_on))
    if case.replied_on is None and case.closed_on is None and today > case.reply_due_on:
        missed.append(OverdueDeadline(kind=DeadlineKind.REPLY, due_on=case.reply_due_on))
    if (
        case.appealed_on is not None
        and case.reviewed_on is None
        and case.review_due_on is not None
        and today > case.review_due_on
    ):
        missed.append(OverdueDeadline(kind=DeadlineKind.REVIEW, due_on=case.review_due_on))
    return tuple(missed)


def rating_validity(rating: Rating, case: NegativeCase | None) -> RatingValidity:
    """Return whether a rating counts, from its 差评 case if it has one.

    A 好评 is always valid. A 差评 is pending without a case, while open, and while a valid classification is
    under appeal; valid once classified valid (or upheld); excluded once classified otherwise (or overturned).

    Raises:
        DomainRuleViolation: If the case belongs to another rating.
    """
    if case is not None and case.rating_id != rating.rating_id:
        raise DomainRuleViolation("case.ratingId", f"case {case.case_id} is not the case of rating {rating.rating_id}")
    if rating.level.is_positive:
        return RatingValidity.VALID
    if case is None or case.classification is None:
        return RatingValidity.PENDING
    if case.classification is not Classification.VALID:
        return RatingValidity.EXCLUDED
    if case.status in {NegativeCaseStatus.APPEALED, NegativeCaseStatus.UNDER_REVIEW}:
        return RatingValidity.PENDING
    return RatingValidity.VALID
