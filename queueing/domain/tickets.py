"""The ticket lifecycle as a pure state machine, the recall rule and the per-item outcome of a visit.

Lifecycle (``None`` is "not issued yet")::

    None ──issue──► waiting ──call──► called ──start──► serving ──complete──► completed
                      ▲  │              │ ▲ recall        │
                      │  │              │ └──┘            ├──park──► parked ──resume──► waiting
                      │  │              ├──mark_no_show──► no_show ──reinstate──► waiting
                      │  │              └──transfer──► waiting (new target)
                      │  └──transfer──► waiting       serving ──transfer──► waiting
                      └── cancel / expire from waiting, called and parked

There is no ``transferred`` status: a transfer puts the ticket back to ``waiting`` with a new target (a
reserved window or other items), keeping its arrival time; the event history records the transfer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from hall.domain.errors import DomainRuleViolation


class TicketStatus(StrEnum):
    """Where a ticket is in its day."""

    WAITING = "waiting"  # 等候: in the queue, callable
    CALLED = "called"  # 已叫号: announced at a window, visitor on the way
    SERVING = "serving"  # 办理中
    PARKED = "parked"  # 挂起: visitor stepped away (e.g. to copy a document); returns to the same window
    NO_SHOW = "no_show"  # 过号: did not come after the last recall; may be reinstated for a while
    COMPLETED = "completed"  # 办结 (for this visit)
    CANCELLED = "cancelled"  # 取消: visitor left or staff voided the ticket
    EXPIRED = "expired"  # 作废: unserved at day close

    @property
    def is_final(self) -> bool:
        """Return whether no action can move the ticket on (``no_show`` is not final: it can be reinstated)."""
        return self in FINAL_STATUSES


FINAL_STATUSES: Final = frozenset({TicketStatus.COMPLETED, TicketStatus.CANCELLED, TicketStatus.EXPIRED})


class TicketAction(StrEnum):
    """What can happen to a ticket; each is a command a kiosk, window, manager or the day-close job issues."""

    ISSUE = "issue"
    CALL = "call"
    RECALL = "recall"
    START = "start"
    PARK = "park"
    RESUME = "resume"
    TRANSFER = "transfer"
    COMPLETE = "complete"
    MARK_NO_SHOW = "mark_no_show"
    REINSTATE = "reinstate"
    CANCEL = "cancel"
    EXPIRE = "expire"


_S = TicketStatus
_A = TicketAction

TRANSITIONS: Final[Mapping[tuple[TicketStatus | None, TicketAction], TicketStatus]] = MappingProxyType(
    {
        (None, _A.ISSUE): _S.WAITING,
        (_S.WAITING, _A.CALL): _S.CALLED,
        (_S.WAITING, _A.TRANSFER): _S.WAITING,  # a manager re-targets a waiting ticket (跨窗通办)
        (_S.WAITING, _A.CANCEL): _S.CANCELLED,
        (_S.WAITING, _A.EXPIRE): _S.EXPIRED,
        (_S.CALLED, _A.RECALL): _S.CALLED,
        (_S.CALLED, _A.START): _S.SERVING,
        (_S.CALLED, _A.TRANSFER): _S.WAITING,  # called to the wrong window: sent on before service starts
        (_S.CALLED, _A.MARK_NO_SHOW): _S.NO_SHOW,
        (_S.CALLED, _A.CANCEL): _S.CANCELLED,
        (_S.CALLED, _A.EXPIRE): _S.EXPIRED,
        (_S.SERVING, _A.PARK): _S.PARKED,
        (_S.SERVING, _A.TRANSFER): _S.WAITING,
        (_S.SERVING, _A.COMPLETE): _S.COMPLETED,
        (_S.PARKED, _A.RESUME): _S.WAITING,  # back in the queue, reserved for the window that parked it
        (_S.PARKED, _A.CANCEL): _S.CANCELLED,
        (_S.PARKED, _A.EXPIRE): _S.EXPIRED,
        (_S.NO_SHOW, _A.REINSTATE): _S.WAITING,
    }
)
"""Every allowed ``(status, action) -> new status``; anything else is refused. ``None`` is "not issued yet"."""


def transition(status: TicketStatus | None, action: TicketAction) -> TicketStatus:
    """Return the status after ``action``; ``status`` is ``None`` for a ticket not issued yet.

    A serving ticket never expires: day close completes or transfers it first. A no-show stays a no-show at
    day close.

    Raises:
        DomainRuleViolation: on ``action`` for a move the lifecycle does not allow.
    """
    new_status = TRANSITIONS.get((status, action))
    if new_status is None:
        what = "an unissued" if status is None else f"a {status}"
        raise DomainRuleViolation("action", f"cannot {action} {what} ticket")
    return new_status


def after_recall(recalls_so_far: int, max_recalls: int) -> TicketAction:
    """Return what the window does when a called visitor has still not come.

    ``recalls_so_far`` counts the recalls already made after the first call. While it is below
    ``max_recalls`` (``HallRules.max_recalls``) the answer is ``RECALL``; after that it is ``MARK_NO_SHOW``
    (过号). With ``max_recalls=2`` a visitor is called once and recalled twice.

    Raises:
        DomainRuleViolation: on ``recallsSoFar`` or ``maxRecalls`` when negative.
    """
    if recalls_so_far < 0:
        raise DomainRuleViolation("recallsSoFar", "must not be negative")
    if max_recalls < 0:
        raise DomainRuleViolation("maxRecalls", "must not be negative")
    return TicketAction.RECALL if recalls_so_far < max_recalls else TicketAction.MARK_NO_SHOW


def may_reinstate(marked_no_show_at: datetime, now: datetime, reinstate_within: timedelta) -> bool:
    """Return whether a no-show visitor who turns up at ``now`` may have the ticket reinstated.

    ``reinstate_within`` is ``HallRules.no_show_reinstate_minutes``; the end is included.
    """
    return timedelta(0) <= now - marked_no_show_at <= reinstate_within


# ---------------------------------------------------------------------------------------------------------
# Outcome of each item at completion


class CaseOutcome(StrEnum):
    """What became of one service item when the visit was completed (``shared/domain.md`` §0.3, §3.3)."""

    INSTANT = "instant"  # 即办件: accepted and done on the spot
    COMMITTED = "committed"  # 承诺件: accepted, due by a committed date
    CONDITIONAL = "conditional"  # 容缺受理: accepted with documents to supply by a deadline
    RETURNED_WITH_NOTICE = "returned_with_notice"  # 一次性告知: not accepted, every missing material listed
    REJECTED = "rejected"  # 不予受理: refused, with the reason
    CONSULTATION = "consultation"  # 咨询: advice only, no case

    @property
    def is_accepted(self) -> bool:
        """Return whether the item became an accepted case (受理)."""
        return self in {CaseOutcome.INSTANT, CaseOutcome.COMMITTED, CaseOutcome.CONDITIONAL}


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The outcome of one item of a completed visit, with the facts its kind of outcome requires.

    * ``committed`` needs ``due_on``;
    * ``conditional`` needs ``pending_documents`` and ``supplement_due_on``, which may not fall after
      ``due_on`` when one is given (the supplement period may not exceed the committed deadline);
    * ``returned_with_notice`` needs ``missing_materials`` (行政许可法 Art.32: all of them at once);
    * ``rejected`` needs a ``reason``.

    A fact that does not belong to the outcome is refused, so a record never says two things.

    Raises:
        DomainRuleViolation: naming the offending field (camelCase, as on the wire).
    """

    item_code: str
    outcome: CaseOutcome
    due_on: date | None = None
    pending_documents: tuple[str, ...] = ()
    supplement_due_on: date | None = None
    missing_materials: tuple[str, ...] = ()
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.item_code.strip():
            raise DomainRuleViolation("itemCode", "must not be blank")
        self._check_required()
        self._check_not_applicable()
        if self.due_on is not None and self.supplement_due_on is not None and self.supplement_due_on > self.due_on:
            raise DomainRuleViolation("supplementDueOn", "must not be after dueOn")

    def _check_required(self) -> None:
        match self.outcome:
            case CaseOutcome.COMMITTED if self.due_on is None:
                raise DomainRuleViolation("dueOn", "a committed case needs a due date")
            case CaseOutcome.CONDITIONAL if not _all_filled(self.pending_documents):
                raise DomainRuleViolation("pendingDocuments", "a conditional acceptance lists the pending documents")
            case CaseOutcome.CONDITIONAL if self.supplement_due_on is None:
                raise DomainRuleViolation("supplementDueOn", "a conditional acceptance needs a supplement deadline")
            case CaseOutcome.RETURNED_WITH_NOTICE if not _all_filled(self.missing_materials):
                raise DomainRuleViolation("missingMaterials", "a one-time notice lists every missing material")
            case CaseOutcome.REJECTED if not self.reason.strip():
                raise DomainRuleViolation("reason", "a rejection needs a reason")
            case _:
                pass

    def _check_not_applicable(self) -> None:
        allowed = _FIELDS_BY_OUTCOME[self.outcome]
        present = {
            "dueOn": self.due_on is not None,
            "pendingDocuments": bool(self.pending_documents),
            "supplementDueOn": self.supplement_due_on is not None,
            "missingMaterials": bool(self.missing_materials),
            "reason": bool(self.reason),
        }
        for name, is_present in present.items():
            if is_present and name not in allowed:
                raise DomainRuleViolation(name, f"does not apply to a {self.outcome} outcome")


def _all_filled(texts: tuple[str, ...]) -> bool:
    return bool(texts) and all(text.strip() for text in texts)


_FIELDS_BY_OUTCOME: Final[Mapping[CaseOutcome, frozenset[str]]] = MappingProxyType(
    {
        CaseOutcome.INSTANT: frozenset(),
        CaseOutcome.COMMITTED: frozenset({"dueOn"}),
        CaseOutcome.CONDITIONAL: frozenset({"dueOn", "pendingDocuments", "supplementDueOn"}),
        CaseOutcome.RETURNED_WITH_NOTICE: frozenset({"missingMaterials"}),
        CaseOutcome.REJECTED: frozenset({"reason"}),
        CaseOutcome.CONSULTATION: frozenset(),
    }
)
