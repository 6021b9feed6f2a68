"""Which waiting ticket a window calls next: eligibility, the calling policies and their registry.

Every policy is a pure function of one window, the waiting tickets, the moment and the centre's rules
(``CallingPolicy``). The live hall and the SimPy twin call the same functions, so a call order seen in the
simulation is the call order the hall would produce.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final, NamedTuple, Protocol

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup
from hall.domain.windows import WindowType
from queueing.domain.snapshot import (
    CallDecision,
    CallReason,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    new_call_decision,
)

# ---------------------------------------------------------------------------------------------------------
# Eligibility


def _item_rule(window: WindowSnapshot, staff: StaffOnDuty) -> Callable[[ItemRequirement], bool]:
    """Return the per-item test of ``can_serve`` at an open window with ``staff`` signed in.

    An item passes when the window's type serves it and the staff member is qualified for it and meets its
    minimum skill level. Everything that depends only on the window is read here, once per call, so the test
    run for each item is a few set look-ups and one integer comparison. ``SkillLevel`` is an ``IntEnum`` where a
    lower number is a higher skill, so ``level <= item.min_skill_level`` is ``level.meets(item.min_skill_level)``
    (which goes through the slow ``.value``).
    """
    level = staff.skill_level
    qualified_domains = staff.qualified_domains
    qualified_items = staff.qualified_items

    def staff_may_handle(item: ItemRequirement) -> bool:
        return level <= item.min_skill_level and (item.domain in qualified_domains or item.code in qualified_items)

    match window.type:
        case WindowType.COMPREHENSIVE_ALL:
            return staff_may_handle
        case WindowType.GUIDE_DESK:
            consultation = ServiceDomain.CONSULTATION
            return lambda item: item.domain is consultation and staff_may_handle(item)
        case WindowType.COMPREHENSIVE_DOMAIN | WindowType.PRIORITY | WindowType.SPECIALIZED | WindowType.RESULT_PICKUP:
            domains = window.domains
            item_codes = window.item_codes
            return lambda item: (item.domain in domains or item.code in item_codes) and staff_may_handle(item)


def _serves_items(serves_item: Callable[[ItemRequirement], bool], items: tuple[ItemRequirement, ...]) -> bool:
    for item in items:  # noqa: SIM110 -- a plain loop: all() over a generator costs more per ticket
        if not serves_item(item):
            return False
    return True


_ItemsMemo = list[tuple[tuple[ItemRequirement, ...], bool]]


def _ticket_rule(
    window: WindowSnapshot, serves_item: Callable[[ItemRequirement], bool], last: _ItemsMemo
) -> Callable[[WaitingTicket], bool]:
    """Return ``can_serve`` for one open window as a test of a ticket."""
    window_id = window.window_id

    def serves(ticket: WaitingTicket) -> bool:
        reserved_for = ticket.reserved_window_id
        if reserved_for is not None and reserved_for != window_id:
            return False
        items = ticket.items
        seen, allowed = last[0]
        if items is not seen:
            allowed = _serves_items(serves_item, items)
            last[0] = (items, allowed)
        return allowed

    return serves


class _WindowRule(NamedTuple):
    """``can_serve`` for one window, per item and per ticket; both ``None`` when nobody is signed in there.

    Tickets with the same items usually share one tuple (the twin issues them so, bucket by bucket), so the answer
    for the last tuple seen is kept in ``last``, as one ``(items, answer)`` pair replaced at once (safe across
    threads).
    """

    window: WindowSnapshot
    serves_item: Callable[[ItemRequirement], bool] | None
    serves: Callable[[WaitingTicket], bool] | None
    last: _ItemsMemo


_RULE_CACHE_SIZE: Final = 1024
_rule_cache: dict[int, _WindowRule] = {}


def _window_rule(window: WindowSnapshot) -> _WindowRule:
    """Return the eligibility tests of ``window``, built once per snapshot object.

    Snapshots are immutable, so the tests built for one stay right for as long as the object lives. The cache is
    keyed by identity (cheaper than hashing the snapshot's fields on every call) and holds the snapshot itself,
    so an id is never reused while its entry exists; it is bounded and simply emptied when full. The SimPy twin
    reuses one snapshot per (window, clerk, streak) and hits it on nearly every call; the live hall builds a
    fresh snapshot per call and pays one insertion.
    """
    rule = _rule_cache.get(id(window))
    if rule is not None and rule.window is window:
        return rule
    staff = window.staff
    last: _ItemsMemo = [((), False)]
    if staff is None:
        rule = _WindowRule(window, None, None, last)
    else:
        serves_item = _item_rule(window, staff)
        rule = _WindowRule(window, serves_item, _ticket_rule(window, serves_item, last), last)
    if len(_rule_cache) >= _RULE_CACHE_SIZE:
        _rule_cache.clear()
    _rule_cache[id(window)] = rule
    return rule


def can_serve(window: WindowSnapshot, ticket: WaitingTicket) -> bool:
    """Return whether ``window`` may call ``ticket`` now.

    All of these must hold:

    * someone is signed in at the window;
    * a reserved ticket (parked at, or transferred to, one window) is called only at that window;
    * the window's *type* serves every item of the ticket: an all-service window (无差别综合窗口) any item;
      domain, priority, specialised and result-pickup windows an item whose domain is in ``window.domains``
      or whose code is in ``window.item_codes``; the guide desk (咨询导办台) consultation items only;
    * the staff member may handle every item: its domain is in ``qualified_domains`` or its code in
      ``qualified_items``, and their skill level meets the item's minimum.

    A ticket with several items is served in one visit, so every item must pass.
    """
    serves = _window_rule(window).serves
    return serves is not None and serves(ticket)


def eligible_tickets(window: WindowSnapshot, waiting: Sequence[WaitingTicket]) -> list[WaitingTicket]:
    """Return the waiting tickets ``window`` may call (``can_serve``), in input order."""
    rule = _window_rule(window)
    serves_item = rule.serves_item
    if serves_item is None:
        return []
    # ``can_serve`` per ticket, inlined, reusing the items' answer while consecutive tickets share the tuple.
    window_id = window.window_id
    first_seen = seen_items, items_allowed = rule.last[0]
    eligible: list[WaitingTicket] = []
    for ticket in waiting:
        reserved_for = ticket.reserved_window_id
        if reserved_for is not None and reserved_for != window_id:
            continue
        items = ticket.items
        if items is not seen_items:
            seen_items = items
            items_allowed = _serves_items(serves_item, items)
        if items_allowed:
            eligible.append(ticket)
    if seen_items is not first_seen[0]:
        rule.last[0] = (seen_items, items_allowed)
    return eligible


# ---------------------------------------------------------------------------------------------------------
# Classes of the default order


_RESERVED: Final = 0
_EMERGENCY: Final = 1
_STATUTORY_PRIORITY: Final = 2
_APPOINTMENT_DUE: Final = 3
_PAST_PROMISE: Final = 4
_OLDEST_ELIGIBLE: Final = 5
_NO_CLASS: Final = 6

_CLASS_RANK: Final[Mapping[CallReason, int]] = MappingProxyType(
    {
        CallReason.RESERVED: _RESERVED,
        CallReason.EMERGENCY: _EMERGENCY,
        CallReason.STATUTORY_PRIORITY: _STATUTORY_PRIORITY,
        CallReason.APPOINTMENT_DUE: _APPOINTMENT_DUE,
        CallReason.PAST_PROMISE: _PAST_PROMISE,
        CallReason.OLDEST_ELIGIBLE: _OLDEST_ELIGIBLE,
    }
)
_REASONS_BY_RANK: Final = tuple(sorted(_CLASS_RANK, key=_CLASS_RANK.__getitem__))
_EMERGENCY_GROUP: Final = PriorityGroup.EMERGENCY
_OLDEST_ELIGIBLE_REASON: Final = CallReason.OLDEST_ELIGIBLE
_PAST_PROMISE_REASON: Final = CallReason.PAST_PROMISE
_RESERVED_REASON: Final = CallReason.RESERVED
_TEXTS_MADE: Final = 240
_OLDEST_ELIGIBLE_TEXTS: Final = tuple(f"oldest eligible, waited {waited} min" for waited in range(_TEXTS_MADE))
"""The commonest reason text, made once for the first four hours of waiting."""
_STATUTORY_TEXTS: Final[Mapping[PriorityGroup, str]] = MappingProxyType(
    {group: f"statutory priority ({group.value})" for group in PriorityGroup}
)
"""The statutory-priority reason texts, made once (reading an enum member's ``value`` is a Python property)."""
_PRIORITY_REASONS: Final = frozenset({CallReason.EMERGENCY, CallReason.STATUTORY_PRIORITY, CallReason.APPOINTMENT_DUE})
_HELD_BACK_BY_FAIRNESS: Final = frozenset({CallReason.STATUTORY_PRIORITY, CallReason.APPOINTMENT_DUE})
_HELD_BACK_RANKS: Final = frozenset(_CLASS_RANK[reason] for reason in _HELD_BACK_BY_FAIRNESS)


def is_appointment_due(ticket: WaitingTicket, now: datetime, rules: RoutingRules) -> bool:
    """Return whether the ticket's appointment slot is current.

    A slot is current from ``appointment_early`` before it starts until ``appointment_late`` after it ends
    (both ends included); outside that window the visitor queues as a normal ticket.
    """
    slot = ticket.appointment
    if slot is None:
        return False
    return slot.starts_at - rules.appointment_early <= now <= slot.ends_at + rules.appointment_late


def is_past_promise(ticket: WaitingTicket, now: datetime, rules: RoutingRules) -> bool:
    """Return whether the ticket has waited strictly longer than the promise that applies to it."""
    return ticket.waited(now) > rules.promise_for(ticket)


def classify(window: WindowSnapshot, ticket: WaitingTicket, now: datetime, rules: RoutingRules) -> CallReason:
    """Return the class of ``ticket`` in the default order at ``window``, as the reason it would be called.

    The first that applies wins: reserved for this window; emergency (always honoured, as ``HallRules``
    requires); a statutory priority group listed in ``rules.priority_groups`` (an unlisted group queues as
    normal); an appointment whose slot is current; waited past the promise; otherwise oldest eligible.
    Eligibility is not checked here.
    """
    if ticket.reserved_window_id is not None and ticket.reserved_window_id == window.window_id:
        return CallReason.RESERVED
    group = ticket.priority_group
    if group is not None:
        if group is PriorityGroup.EMERGENCY:
            return CallReason.EMERGENCY
        if group in rules.priority_groups:
            return CallReason.STATUTORY_PRIORITY
    if ticket.appointment is not None and is_appointment_due(ticket, now, rules):
        return CallReason.APPOINTMENT_DUE
    if now - ticket.arrived_at > rules.promise_for(ticket):  # is_past_promise, inlined as it runs per ticket
        return CallReason.PAST_PROMISE
    return CallReason.OLDEST_ELIGIBLE


def _arrival_key(ticket: WaitingTicket) -> tuple[datetime, int, str]:
    return (ticket.arrived_at, ticket.sequence, ticket.ticket_id)


def _is_earlier(ticket: WaitingTicket, other: WaitingTicket) -> bool:
    """Return ``_arrival_key(ticket) < _arrival_key(other)`` without building the two tuples.

    Tuples compare element by element: the first pair that is not ``==`` decides with ``<``; so does this.
    """
    arrived_at = ticket.arrived_at
    other_arrived_at = other.arrived_at
    if arrived_at == other_arrived_at:
        return (ticket.sequence, ticket.ticket_id) < (other.sequence, other.ticket_id)
    return arrived_at < other_arrived_at


def default_order_key(
    window: WindowSnapshot, ticket: WaitingTicket, now: datetime, rules: RoutingRules
) -> tuple[int, datetime, int, str]:
    """Return the sort key of ``ticket`` in the default order at ``window``, before the fairness cap.

    Class first (see ``classify``), then arrival, daily sequence and ticket id, so the order is total and does
    not depend on the order the tickets were listed in.
    """
    return (_CLASS_RANK[classify(window, ticket, now, rules)], *_arrival_key(ticket))


def default_order(
    window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
) -> list[WaitingTicket]:
    """Return the tickets ``window`` may call, in the default order without the fairness cap."""
    return sorted(eligible_tickets(window, waiting), key=lambda t: default_order_key(window, t, now, rules))


# ---------------------------------------------------------------------------------------------------------
# Decisions


_ONE_MINUTE: Final = timedelta(minutes=1)
_NO_WAIT: Final = timedelta(0)


def _minutes(duration: timedelta) -> int:
    """Whole minutes for display; a negative wait (clock skew between kiosk and server) shows as zero."""
    return max(0, duration // _ONE_MINUTE)  # floor, as ``int(duration.total_seconds() // 60)`` without the float


def _decide(
    reason: CallReason, window: WindowSnapshot, ticket: WaitingTicket, now: datetime, rules: RoutingRules
) -> CallDecision:
    """Return the decision to call ``ticket`` for ``reason``, with the reason text the clerk sees."""
    # Identity tests, the commonest reasons first (a ``match`` on enum members compares them one by one with
    # ``==``), against module constants (reading a member off its enum class costs more than a global); and
    # ``_minutes`` is inlined for the commonest. Once per call, so every step counts.
    detail: str
    if reason is _OLDEST_ELIGIBLE_REASON:
        waited = _minutes(now - ticket.arrived_at)
        detail = _OLDEST_ELIGIBLE_TEXTS[waited] if waited < _TEXTS_MADE else f"oldest eligible, waited {waited} min"
    elif reason is _PAST_PROMISE_REASON:
        waited = _minutes(now - ticket.arrived_at)
        detail = f"waited {waited} min, past the {_minutes(rules.promise_for(ticket))} min promise"
    elif reason is CallReason.STATUTORY_PRIORITY:
        group = ticket.priority_group
        detail = _STATUTORY_TEXTS[group] if group is not None else "statutory priority (unknown)"
    elif reason is CallReason.APPOINTMENT_DUE:
        starts = ticket.appointment.starts_at.strftime("%H:%M") if ticket.appointment is not None else "?"
        detail = f"appointment due {starts}"
    elif reason is CallReason.RESERVED:
        detail = f"reserved for window {window.number}, waited {_minutes(now - ticket.arrived_at)} min"
    elif reason is CallReason.EMERGENCY:
        detail = f"emergency, waited {_minutes(now - ticket.arrived_at)} min"
    else:
        waited = _minutes(now - ticket.arrived_at)
        detail = f"fairness: waited {waited} min after {window.priority_calls_in_row} priority calls in a row"
    # ``CallDecision(ticket_id, reason, detail, is_priority_call)`` by its fast constructor (one per call).
    return new_call_decision(ticket.ticket_id, reason, detail, reason in _PRIORITY_REASONS)


def _normal_reason(ticket: WaitingTicket, now: datetime, rules: RoutingRules) -> CallReason:
    return CallReason.PAST_PROMISE if is_past_promise(ticket, now, rules) else CallReason.OLDEST_ELIGIBLE


# ---------------------------------------------------------------------------------------------------------
# Policies


class CallingPolicy(Protocol):
    """Choose the ticket a window calls next, or ``None`` when it may call none of the waiting tickets."""

    def __call__(
        self, window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
    ) -> CallDecision | None:
        """Return the decision for ``window`` at ``now``; never a ticket the window may not serve."""
        ...


def default(
    window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
) -> CallDecision | None:
    """Call by class, then by arrival, with a fairness cap for long-waiting normal tickets.

    Classes, highest first (``shared/domain.md`` §3.4–§3.6): reserved for this window > emergency > an
    honoured statutory priority group > an appointment whose slot is current > waited past the promise >
    oldest eligible. Within a class: ``arrived_at``, then ``sequence``, then ``ticket_id``.

    Fairness cap: when the window has made ``rules.fairness_max_priority_in_row`` or more priority calls in a
    row and the best ticket is statutory or appointment, the oldest eligible normal ticket (no honoured group,
    no current appointment) that has waited strictly longer than ``rules.fairness_wait`` is called instead,
    with reason ``FAIRNESS``. Reserved and emergency tickets are never held back.

    Emergency, statutory and appointment calls count as priority calls; the others do not.
    """
    rule = _rule_cache.get(id(window))  # ``_window_rule(window)``, its cache hit inlined (once per call)
    if rule is None or rule.window is not window:
        rule = _window_rule(window)
    serves_item = rule.serves_item
    if serves_item is None:
        return None
    # One pass finds the head of the sorted default order without sorting: the oldest ticket of the best class
    # present (the first such in input order on a tie of the whole key, as ``min`` would). ``can_serve`` and
    # ``classify`` are inlined because they run per ticket; the items' answer is reused while consecutive tickets
    # share one items tuple. When the cap cannot apply, a normal ticket is not even classified once a better class
    # is known, nor once the best so far is a normal ticket it cannot outrank (see below); when the cap can apply,
    # the same pass keeps the oldest long-waiting normal ticket.
    window_id = window.window_id
    centre_promise = rules.promise_wait
    is_capped = window.priority_calls_in_row >= rules.fairness_max_priority_in_row
    best: WaitingTicket | None = None
    best_rank = _NO_CLASS
    best_at = now  # the arrival of ``best`` once there is one (never read before)
    # Whether ``best`` is a normal ticket that no later normal ticket on the centre's promise can outrank: it is
    # past its promise (a later normal ticket is at best past its promise too, and later), or it is within the
    # centre's promise (a later ticket on that promise has waited less, so it is within it too).
    best_outranks_later_normal = False
    best_waited = waited = _NO_WAIT
    long_waiting_normal: WaitingTicket | None = None
    first_seen = seen_items, items_allowed = rule.last[0]
    for ticket in waiting:
        reserved_for = ticket.reserved_window_id
        if reserved_for is not None and reserved_for != window_id:
            continue
        items = ticket.items
        if items is not seen_items:
            seen_items = items
            items_allowed = _serves_items(serves_item, items)
        if not items_allowed:
            continue
        arrived_at = ticket.arrived_at
        if reserved_for is not None:  # eligible, so reserved for this very window
            rank = _RESERVED
        else:
            group = ticket.priority_group
            if group is not None and (group is _EMERGENCY_GROUP or group in rules.priority_groups):
                rank = _EMERGENCY if group is _EMERGENCY_GROUP else _STATUTORY_PRIORITY
            elif ticket.appointment is not None and is_appointment_due(ticket, now, rules):
                rank = _APPOINTMENT_DUE
            else:
                if is_capped:
                    waited = now - arrived_at
                    if waited > rules.fairness_wait and (
                        long_waiting_normal is None or _is_earlier(ticket, long_waiting_normal)
                    ):
                        long_waiting_normal = ticket
                if best_rank < _PAST_PROMISE:
                    continue
                promise = ticket.promise_wait
                if promise is None:
                    if best_outranks_later_normal and arrived_at > best_at:
                        continue
                    promise = centre_promise
                waited = now - arrived_at
                rank = _PAST_PROMISE if waited > promise else _OLDEST_ELIGIBLE
        # ``<=`` first: one comparison rejects a later ticket (the usual case) before the full tie-break.
        if rank < best_rank or (
            rank == best_rank and arrived_at <= best_at and best is not None and _is_earlier(ticket, best)
        ):
            best = ticket
            best_rank = rank
            best_at = arrived_at
            best_waited = waited  # read only for an oldest-eligible best, whose ``waited`` was just computed
            best_outranks_later_normal = rank == _PAST_PROMISE or (
                rank == _OLDEST_ELIGIBLE and ticket.promise_wait is None
            )
    if seen_items is not first_seen[0]:
        rule.last[0] = (seen_items, items_allowed)
    if best is None:
        return None
    if long_waiting_normal is not None and best_rank in _HELD_BACK_RANKS:
        return _decide(CallReason.FAIRNESS, window, long_waiting_normal, now, rules)
    if best_rank == _OLDEST_ELIGIBLE:  # the commonest call: ``_decide``'s first case, inlined
        waited_minutes = max(0, best_waited // _ONE_MINUTE)  # ``_minutes(now - best.arrived_at)``, inlined
        if waited_minutes < _TEXTS_MADE:
            detail = _OLDEST_ELIGIBLE_TEXTS[waited_minutes]
        else:
            detail = f"oldest eligible, waited {waited_minutes} min"
        return new_call_decision(best.ticket_id, _OLDEST_ELIGIBLE_REASON, detail, False)
    return _decide(_REASONS_BY_RANK[best_rank], window, best, now, rules)


def fifo(
    window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
) -> CallDecision | None:
    """Call the oldest eligible ticket by arrival, ignoring priority groups and appointments.

    Eligibility still applies, so a reserved ticket is only ever called at its own window. Ties break on
    ``sequence``, then ``ticket_id``. No call is a priority call.
    """
    eligible = eligible_tickets(window, waiting)
    if not eligible:
        return None
    ticket = min(eligible, key=_arrival_key)
    return _decide(_normal_reason(ticket, now, rules), window, ticket, now, rules)


def most_overdue_first(
    window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
) -> CallDecision | None:
    """Call the eligible ticket furthest past its promise; when none is past it, the oldest eligible.

    Overdue is ``waited - promise`` with the ticket's own ``promise_wait`` if it has one, else the centre's.
    With one promise for every ticket this is the FIFO order; it differs once tickets carry their own
    promises. Ties break on arrival, ``sequence``, then ``ticket_id``. No call is a priority call.
    """
    eligible = eligible_tickets(window, waiting)
    if not eligible:
        return None

    # The most overdue ticket, the oldest of equally overdue ones; when nobody is past their promise, the oldest.
    overdue = [t.waited(now) - rules.promise_for(t) for t in eligible]
    most = max(overdue)
    if most > _NO_WAIT:
        ticket = min((t for t, o in zip(eligible, overdue, strict=True) if o == most), key=_arrival_key)
    else:
        ticket = min(eligible, key=_arrival_key)
    return _decide(_normal_reason(ticket, now, rules), window, ticket, now, rules)


CALLING_POLICIES: Final[Mapping[str, CallingPolicy]] = MappingProxyType(
    {
        "default": default,
        "fifo": fifo,
        "most_overdue_first": most_overdue_first,
    }
)
"""The calling policies a centre may choose, by the name stored in ``HallRules.calling_policy``."""


def get_policy(name: str) -> CallingPolicy:
    """Return the calling policy registered as ``name``.

    Raises:
        DomainRuleViolation: on ``callingPolicy`` when no policy has that name.
    """
    policy = CALLING_POLICIES.get(name)
    if policy is None:
        known = ", ".join(sorted(CALLING_POLICIES))
        raise DomainRuleViolation("callingPolicy", f"unknown policy {name!r}; known: {known}")
    return policy


def next_priority_streak(current: int, decision: CallDecision) -> int:
    """Return the window's ``priority_calls_in_row`` after it makes the call in ``decision``.

    A priority call adds one; a normal call (past promise, fairness, oldest eligible) resets it to zero; a
    reserved call (a parked or transferred visitor coming back) is neither and leaves it unchanged, so
    interleaved returns cannot switch the fairness cap off.
    """
    if decision.is_priority_call:
        return current + 1
    if decision.reason is _RESERVED_REASON:  # a module constant: reading an enum member off its class is slow
        return current
    return 0
