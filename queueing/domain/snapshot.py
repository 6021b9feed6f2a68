"""Immutable snapshots that every calling policy reads: one window, the waiting tickets and the rules.

The live hall builds them from database rows; the SimPy twin builds them from its own state. Both then call the
same policy function, so the simulation is a digital twin of the hall and never a second copy of its rules.
Identifiers are plain strings so that either side can supply its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.centres import DEFAULT_PRIORITY_GROUPS, HallRules, WaitingPromise
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType


@dataclass(frozen=True, slots=True)
class StaffOnDuty:
    """The staff member signed in at a window: what they may handle decides what the window may call."""

    staff_id: str
    skill_level: SkillLevel
    qualified_domains: frozenset[ServiceDomain] = frozenset()
    qualified_items: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class WindowSnapshot:
    """One window at the moment it asks for its next ticket.

    ``domains`` and ``item_codes`` say what the window's *type* serves (ignored for comprehensive-all windows);
    ``priority_calls_in_row`` is how many priority calls this window has made since its last normal call, the
    state the fairness cap needs.
    """

    window_id: str
    number: int
    type: WindowType
    staff: StaffOnDuty | None
    domains: frozenset[ServiceDomain] = frozenset()
    item_codes: frozenset[str] = frozenset()
    priority_calls_in_row: int = 0

    @property
    def is_open(self) -> bool:
        """Return whether someone is signed in at the window, the only way it can call a ticket."""
        return self.staff is not None


@dataclass(frozen=True, slots=True)
class AppointmentSlot:
    """The booked slot of an appointment ticket, as aware datetimes."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.ends_at < self.starts_at:
            raise DomainRuleViolation("appointment.endsAt", "must not be before startsAt")


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    """A ticket that is waiting to be called.

    ``arrived_at`` is the original arrival: a transfer keeps it, so a transferred visitor does not queue again.
    ``sequence`` is the ticket's daily issue sequence, the deterministic tie-break after arrival time.
    ``reserved_window_id`` is set for a parked ticket (it returns to the same window) or a ticket transferred
    to one window; only that window may call it.
    ``priority_group`` is honoured only if the centre's rules list it (emergency is always honoured).
    ``promise_wait`` overrides the centre's waiting promise for this ticket (e.g. a per-item target wait);
    ``None`` means the centre's promise in ``RoutingRules.promise_wait`` applies.

    A waiting ticket names at least one item: a visitor who does not know what they need takes a consultation
    item, so no ticket is routed on nothing.
    """

    ticket_id: str
    number: str
    items: tuple[ItemRequirement, ...]
    arrived_at: datetime
    sequence: int
    priority_group: PriorityGroup | None = None
    appointment: AppointmentSlot | None = None
    reserved_window_id: str | None = None
    promise_wait: timedelta | None = None

    def __post_init__(self) -> None:
        _check_waiting_ticket(self.items, self.promise_wait)

    def waited(self, now: datetime) -> timedelta:
        """Return how long the visitor has waited at ``now`` since the original arrival."""
        return now - self.arrived_at


_NO_WAIT: Final = timedelta(0)


def _check_waiting_ticket(items: tuple[ItemRequirement, ...], promise_wait: timedelta | None) -> None:
    """Refuse a waiting ticket without items or with a promise that is not positive (both constructors)."""
    if not items:
        raise DomainRuleViolation("items", "a waiting ticket needs at least one item")
    if promise_wait is not None and promise_wait <= _NO_WAIT:
        raise DomainRuleViolation("promiseWait", "must be positive")


@dataclass(frozen=True, slots=True)
class RoutingRules:
    """The centre settings a calling policy needs, as plain values."""

    fairness_max_priority_in_row: int = 3
    fairness_wait: timedelta = timedelta(minutes=20)
    promise_wait: timedelta = timedelta(minutes=15)
    priority_groups: frozenset[PriorityGroup] = field(default_factory=lambda: frozenset(DEFAULT_PRIORITY_GROUPS))
    appointment_early: timedelta = timedelta(minutes=30)
    appointment_late: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.fairness_max_priority_in_row < 1:
            raise DomainRuleViolation("rules.fairnessMaxPriorityInRow", "is out of range")
        durations = {
            "rules.fairnessWait": self.fairness_wait,
            "rules.promiseWait": self.promise_wait,
            "rules.appointmentEarly": self.appointment_early,
            "rules.appointmentLate": self.appointment_late,
        }
        for name, value in durations.items():
            if value < timedelta(0):
                raise DomainRuleViolation(name, "must not be negative")

    def promise_for(self, ticket: WaitingTicket) -> timedelta:
        """Return the waiting promise that applies to ``ticket``: its own, else the centre's."""
        return self.promise_wait if ticket.promise_wait is None else ticket.promise_wait

    @classmethod
    def from_centre(cls, rules: HallRules, promise: WaitingPromise) -> RoutingRules:
        return cls(
            fairness_max_priority_in_row=rules.fairness_max_priority_in_row,
            fairness_wait=timedelta(minutes=rules.fairness_wait_minutes),
            promise_wait=promise.within,
            priority_groups=frozenset(rules.priority_groups),
            appointment_early=timedelta(minutes=rules.appointment_checkin_early_minutes),
            appointment_late=timedelta(minutes=rules.appointment_checkin_late_minutes),
        )


class CallReason(StrEnum):
    """Why a policy chose a ticket; shown to the window clerk and kept in the ticket history."""

    RESERVED = "reserved"  # parked at / transferred to this window
    EMERGENCY = "emergency"
    STATUTORY_PRIORITY = "statutory_priority"
    APPOINTMENT_DUE = "appointment_due"
    FAIRNESS = "fairness"  # the fairness cap let a long-waiting normal ticket through
    PAST_PROMISE = "past_promise"  # waited past the centre's promise
    OLDEST_ELIGIBLE = "oldest_eligible"


@dataclass(frozen=True, slots=True)
class CallDecision:
    """The ticket a window should call, why, and whether the call counts as a priority call."""

    ticket_id: str
    reason: CallReason
    detail: str
    is_priority_call: bool


# ---------------------------------------------------------------------------------------------------------
# Fast construction
#
# A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (a global look-up, an attribute
# look-up and a generic call per field), then runs ``__post_init__``. The SimPy twin builds a ``WaitingTicket`` per
# simulated visitor and the policy a ``CallDecision`` per call, so the functions below build the very same objects
# by calling each slot's own setter (bound once, here): about half the cost. They take the fields in declaration
# order, apply the same checks, and return instances of the same classes, equal to what the constructors return
# (``tests/unit/queueing/test_snapshot_construction.py`` holds them to that, field by field). The objects stay
# immutable: ``setattr`` on them still raises ``FrozenInstanceError``.

_new_object = object.__new__


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """Return the setter of the slot ``name`` of ``cls`` (what ``object.__setattr__`` ends up calling)."""
    setter: Callable[[object, object], None] = cls.__dict__[name].__set__
    return setter


_set_ticket_id = _slot_setter(WaitingTicket, "ticket_id")
_set_number = _slot_setter(WaitingTicket, "number")
_set_items = _slot_setter(WaitingTicket, "items")
_set_arrived_at = _slot_setter(WaitingTicket, "arrived_at")
_set_sequence = _slot_setter(WaitingTicket, "sequence")
_set_priority_group = _slot_setter(WaitingTicket, "priority_group")
_set_appointment = _slot_setter(WaitingTicket, "appointment")
_set_reserved_window_id = _slot_setter(WaitingTicket, "reserved_window_id")
_set_promise_wait = _slot_setter(WaitingTicket, "promise_wait")
_set_decision_ticket_id = _slot_setter(CallDecision, "ticket_id")
_set_reason = _slot_setter(CallDecision, "reason")
_set_detail = _slot_setter(CallDecision, "detail")
_set_is_priority_call = _slot_setter(CallDecision, "is_priority_call")


def new_waiting_ticket(
    ticket_id: str,
    number: str,
    items: tuple[ItemRequirement, ...],
    arrived_at: datetime,
    sequence: int,
    priority_group: PriorityGroup | None = None,
    appointment: AppointmentSlot | None = None,
    reserved_window_id: str | None = None,
    promise_wait: timedelta | None = None,
) -> WaitingTicket:
    """Return ``WaitingTicket(ticket_id, number, items, …)``, built about twice as fast (same checks, same object).

    Raises:
        DomainRuleViolation: as ``WaitingTicket`` does, on ``items`` or ``promiseWait``.
    """
    if not items or promise_wait is not None:
        _check_waiting_ticket(items, promise_wait)
    ticket: WaitingTicket = _new_object(WaitingTicket)
    _set_ticket_id(ticket, ticket_id)
    _set_number(ticket, number)
    _set_items(ticket, items)
    _set_arrived_at(ticket, arrived_at)
    _set_sequence(ticket, sequence)
    _set_priority_group(ticket, priority_group)
    _set_appointment(ticket, appointment)
    _set_reserved_window_id(ticket, reserved_window_id)
    _set_promise_wait(ticket, promise_wait)
    return ticket


def new_call_decision(ticket_id: str, reason: CallReason, detail: str, is_priority_call: bool) -> CallDecision:
    """Return ``CallDecision(ticket_id, reason, detail, is_priority_call)``, built about twice as fast."""
    decision: CallDecision = _new_object(CallDecision)
    _set_decision_ticket_id(decision, ticket_id)
    _set_reason(decision, reason)
    _set_detail(decision, detail)
    _set_is_priority_call(decision, is_priority_call)
    return decision
