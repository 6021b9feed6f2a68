"""The ticket lifecycle, the recall rule and per-item outcomes."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from hall.domain import DomainRuleViolation
from queueing.domain import (
    FINAL_STATUSES,
    TRANSITIONS,
    CaseOutcome,
    ItemOutcome,
    TicketAction,
    TicketStatus,
    after_recall,
    may_reinstate,
    transition,
)

pytestmark = pytest.mark.unit

S = TicketStatus
A = TicketAction

# The lifecycle as intended, written out by hand; the exhaustive test below checks the module against it.
LEGAL_MOVES: list[tuple[TicketStatus | None, TicketAction, TicketStatus]] = [
    (None, A.ISSUE, S.WAITING),
    (S.WAITING, A.CALL, S.CALLED),
    (S.WAITING, A.TRANSFER, S.WAITING),
    (S.WAITING, A.CANCEL, S.CANCELLED),
    (S.WAITING, A.EXPIRE, S.EXPIRED),
    (S.CALLED, A.RECALL, S.CALLED),
    (S.CALLED, A.START, S.SERVING),
    (S.CALLED, A.TRANSFER, S.WAITING),
    (S.CALLED, A.MARK_NO_SHOW, S.NO_SHOW),
    (S.CALLED, A.CANCEL, S.CANCELLED),
    (S.CALLED, A.EXPIRE, S.EXPIRED),
    (S.SERVING, A.PARK, S.PARKED),
    (S.SERVING, A.TRANSFER, S.WAITING),
    (S.SERVING, A.COMPLETE, S.COMPLETED),
    (S.PARKED, A.RESUME, S.WAITING),
    (S.PARKED, A.CANCEL, S.CANCELLED),
    (S.PARKED, A.EXPIRE, S.EXPIRED),
    (S.NO_SHOW, A.REINSTATE, S.WAITING),
]
LEGAL = {(status, action): new for status, action, new in LEGAL_MOVES}
EVERY_PAIR = list(itertools.product([None, *TicketStatus], TicketAction))


def test_the_transition_table_is_exactly_the_intended_lifecycle() -> None:
    assert dict(TRANSITIONS) == LEGAL


@pytest.mark.parametrize(("status", "action"), EVERY_PAIR)
def test_every_status_and_action_either_moves_as_the_table_says_or_is_refused(
    status: TicketStatus | None, action: TicketAction
) -> None:
    if (status, action) in LEGAL:
        assert transition(status, action) is LEGAL[status, action]
    else:
        with pytest.raises(DomainRuleViolation) as caught:
            transition(status, action)
        assert caught.value.field == "action"
        what = "an unissued" if status is None else f"a {status}"
        assert caught.value.reason == f"cannot {action} {what} ticket"


def test_refusal_reads_as_a_sentence() -> None:
    with pytest.raises(DomainRuleViolation, match=r"^action: cannot call a completed ticket$"):
        transition(S.COMPLETED, A.CALL)


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
def test_no_action_moves_a_final_ticket(status: TicketStatus) -> None:
    assert status.is_final
    assert not any(key[0] == status for key in TRANSITIONS)


def test_every_status_is_reachable_from_issue() -> None:
    reached: set[TicketStatus | None] = {None}
    frontier: list[TicketStatus | None] = [None]
    while frontier:
        status = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source == status and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == {None, *TicketStatus}


def test_a_no_show_is_not_final_because_it_can_be_reinstated() -> None:
    assert not S.NO_SHOW.is_final
    assert transition(S.NO_SHOW, A.REINSTATE) is S.WAITING


def test_a_serving_ticket_does_not_expire_at_day_close() -> None:
    with pytest.raises(DomainRuleViolation):
        transition(S.SERVING, A.EXPIRE)


def test_a_parked_visitor_returns_to_the_queue_and_is_called_again() -> None:
    status = transition(None, A.ISSUE)
    for action in (A.CALL, A.START, A.PARK, A.RESUME, A.CALL, A.START, A.COMPLETE):
        status = transition(status, action)
    assert status is S.COMPLETED


@pytest.mark.parametrize(
    ("recalls_so_far", "max_recalls", "expected"),
    [
        (0, 2, A.RECALL),
        (1, 2, A.RECALL),
        (2, 2, A.MARK_NO_SHOW),
        (5, 2, A.MARK_NO_SHOW),
        (0, 0, A.MARK_NO_SHOW),
    ],
)
def test_a_called_visitor_is_recalled_up_to_the_limit_then_marked_no_show(
    recalls_so_far: int, max_recalls: int, expected: TicketAction
) -> None:
    assert after_recall(recalls_so_far, max_recalls) is expected


@pytest.mark.parametrize(("recalls_so_far", "max_recalls", "field"), [(-1, 2, "recallsSoFar"), (0, -1, "maxRecalls")])
def test_negative_recall_counts_are_refused(recalls_so_far: int, max_recalls: int, field: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        after_recall(recalls_so_far, max_recalls)
    assert caught.value.field == field


MARKED = datetime(2025, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(("minutes_later", "expected"), [(0, True), (29, True), (30, True), (31, False), (-1, False)])
def test_a_no_show_may_be_reinstated_only_within_the_reinstate_window(minutes_later: int, expected: bool) -> None:
    now = MARKED + timedelta(minutes=minutes_later)
    assert may_reinstate(MARKED, now, timedelta(minutes=30)) is expected


# ---------------------------------------------------------------------------------------------------------
# Item outcomes

DUE = date(2025, 3, 31)
SUPPLEMENT = date(2025, 3, 10)

VALID_OUTCOMES = [
    ItemOutcome("SS-PENSION", CaseOutcome.INSTANT),
    ItemOutcome("RE-DEED", CaseOutcome.COMMITTED, due_on=DUE),
    ItemOutcome(
        "RE-DEED",
        CaseOutcome.CONDITIONAL,
        due_on=DUE,
        pending_documents=("marriage certificate copy",),
        supplement_due_on=SUPPLEMENT,
    ),
    ItemOutcome("RE-DEED", CaseOutcome.CONDITIONAL, pending_documents=("ID copy",), supplement_due_on=SUPPLEMENT),
    ItemOutcome("RE-DEED", CaseOutcome.CONDITIONAL, due_on=DUE, pending_documents=("x",), supplement_due_on=DUE),
    ItemOutcome("TAX-INVOICE", CaseOutcome.RETURNED_WITH_NOTICE, missing_materials=("seal", "licence")),
    ItemOutcome("TAX-INVOICE", CaseOutcome.REJECTED, reason="not within this centre's remit"),
    ItemOutcome("ASK-GENERAL", CaseOutcome.CONSULTATION),
]


@pytest.mark.parametrize("outcome", VALID_OUTCOMES, ids=lambda o: o.outcome.value)
def test_an_outcome_with_the_facts_it_needs_is_accepted(outcome: ItemOutcome) -> None:
    assert outcome.item_code


INVALID_OUTCOMES = [
    ("blank item code", lambda: ItemOutcome(" ", CaseOutcome.INSTANT), "itemCode"),
    ("committed without a due date", lambda: ItemOutcome("X", CaseOutcome.COMMITTED), "dueOn"),
    (
        "conditional without pending documents",
        lambda: ItemOutcome("X", CaseOutcome.CONDITIONAL, supplement_due_on=SUPPLEMENT),
        "pendingDocuments",
    ),
    (
        "conditional with a blank pending document",
        lambda: ItemOutcome("X", CaseOutcome.CONDITIONAL, pending_documents=("",), supplement_due_on=SUPPLEMENT),
        "pendingDocuments",
    ),
    (
        "conditional without a supplement deadline",
        lambda: ItemOutcome("X", CaseOutcome.CONDITIONAL, pending_documents=("ID copy",)),
        "supplementDueOn",
    ),
    (
        "conditional with a supplement deadline after the due date",
        lambda: ItemOutcome(
            "X",
            CaseOutcome.CONDITIONAL,
            due_on=SUPPLEMENT,
            pending_documents=("ID copy",),
            supplement_due_on=DUE,
        ),
        "supplementDueOn",
    ),
    ("returned without materials", lambda: ItemOutcome("X", CaseOutcome.RETURNED_WITH_NOTICE), "missingMaterials"),
    (
        "returned with a blank material",
        lambda: ItemOutcome("X", CaseOutcome.RETURNED_WITH_NOTICE, missing_materials=("seal", " ")),
        "missingMaterials",
    ),
    ("rejected without a reason", lambda: ItemOutcome("X", CaseOutcome.REJECTED, reason="  "), "reason"),
    ("instant with a due date", lambda: ItemOutcome("X", CaseOutcome.INSTANT, due_on=DUE), "dueOn"),
    (
        "committed with missing materials",
        lambda: ItemOutcome("X", CaseOutcome.COMMITTED, due_on=DUE, missing_materials=("seal",)),
        "missingMaterials",
    ),
    ("consultation with a reason", lambda: ItemOutcome("X", CaseOutcome.CONSULTATION, reason="x"), "reason"),
    (
        "rejected with pending documents",
        lambda: ItemOutcome("X", CaseOutcome.REJECTED, reason="x", pending_documents=("y",)),
        "pendingDocuments",
    ),
    (
        "returned with a supplement deadline",
        lambda: ItemOutcome(
            "X", CaseOutcome.RETURNED_WITH_NOTICE, missing_materials=("seal",), supplement_due_on=SUPPLEMENT
        ),
        "supplementDueOn",
    ),
]


@pytest.mark.parametrize(("build", "field"), [pytest.param(b, f, id=name) for name, b, f in INVALID_OUTCOMES])
def test_an_outcome_missing_or_contradicting_its_facts_is_refused_naming_the_field(build: object, field: str) -> None:
    assert callable(build)
    with pytest.raises(DomainRuleViolation) as caught:
        build()
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("outcome", "accepted"),
    [
        (CaseOutcome.INSTANT, True),
        (CaseOutcome.COMMITTED, True),
        (CaseOutcome.CONDITIONAL, True),
        (CaseOutcome.RETURNED_WITH_NOTICE, False),
        (CaseOutcome.REJECTED, False),
        (CaseOutcome.CONSULTATION, False),
    ],
)
def test_only_instant_committed_and_conditional_outcomes_are_accepted_cases(
    outcome: CaseOutcome, accepted: bool
) -> None:
    assert outcome.is_accepted is accepted
