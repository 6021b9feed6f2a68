"""The calling policies return exactly the decision of a straightforward reference implementation.

The policies in ``queueing.domain.routing`` are written for speed: the SimPy twin calls them on every window call,
so ``default`` finds the head of the default order without sorting and builds the fairness candidates only when
the cap can apply. The references below are the plain statements of the same rules (sort every eligible ticket,
take the first, apply the fairness cap as documented), and every field of the decision must match: ticket,
reason, detail text and whether it is a priority call. A future optimisation that drifts from the rules fails here.

The generated halls are deliberately awkward: all six window types, random staff qualifications and levels,
streaks around the cap, few distinct arrival times and sequences (so tie-breaks decide), mixed time zones, and
sometimes duplicated ticket ids (so even a tie on the whole sort key must resolve the same way).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from hall.domain import ItemRequirement, PriorityGroup, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    AppointmentSlot,
    CallDecision,
    CallReason,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    can_serve,
    classify,
    default,
    default_order_key,
    eligible_tickets,
    fifo,
    most_overdue_first,
)

pytestmark = pytest.mark.unit

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)

DOMAINS = [
    ServiceDomain.SOCIAL_SECURITY,
    ServiceDomain.REAL_ESTATE,
    ServiceDomain.TAX,
    ServiceDomain.CONSULTATION,
]
CATALOGUE = [
    ItemRequirement("SS-PENSION", ServiceDomain.SOCIAL_SECURITY),
    ItemRequirement("SS-TRANSFER", ServiceDomain.SOCIAL_SECURITY, min_skill_level=SkillLevel.L3),
    ItemRequirement("RE-DEED", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L3),
    ItemRequirement("RE-MORTGAGE", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L2),
    ItemRequirement("TAX-INVOICE", ServiceDomain.TAX, min_skill_level=SkillLevel.L4),
    ItemRequirement("ASK-GENERAL", ServiceDomain.CONSULTATION),
]
CODES = [item.code for item in CATALOGUE]
WINDOW_IDS = ["W1", "W2"]
TICKET_IDS = [f"T{n:02d}" for n in range(40)]
WAITS = [0, 5, 14, 15, 16, 20, 21, 30, 45, 90]  # few distinct waits (minutes), so ties and boundaries are common


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


# ---------------------------------------------------------------------------------------------------------
# Strategies


CAPABLE_STAFF = StaffOnDuty("S1", SkillLevel.L1, frozenset(DOMAINS))


@st.composite
def windows(draw: st.DrawFn) -> WindowSnapshot:
    # Most windows can serve everything, so most examples have a real choice to make; the rest are any type, with
    # anyone (or no one) signed in, so eligibility is exercised as well.
    capable = draw(st.sampled_from([True, True, True, False]))
    staff = (
        CAPABLE_STAFF
        if capable
        else draw(
            st.none()
            | st.builds(
                StaffOnDuty,
                staff_id=st.just("S1"),
                skill_level=st.sampled_from(SkillLevel),
                qualified_domains=st.frozensets(st.sampled_from(DOMAINS)),
                qualified_items=st.frozensets(st.sampled_from(CODES), max_size=2),
            )
        )
    )
    window_id = draw(st.sampled_from(WINDOW_IDS))
    return WindowSnapshot(
        window_id=window_id,
        number=int(window_id[1:]),
        type=WindowType.COMPREHENSIVE_ALL if capable else draw(st.sampled_from(WindowType)),
        staff=staff,
        domains=draw(st.frozensets(st.sampled_from(DOMAINS))),
        item_codes=draw(st.frozensets(st.sampled_from(CODES), max_size=2)),
        priority_calls_in_row=draw(st.integers(0, 6)),
    )


@st.composite
def waiting_tickets(draw: st.DrawFn, ticket_id: str) -> WaitingTicket:
    arrived_at = NOW - minutes(draw(st.sampled_from(WAITS)))
    if draw(st.booleans()):
        arrived_at = arrived_at.astimezone(UTC)  # the same instant, another zone
    appointment = None
    if draw(st.booleans()):
        starts_at = NOW + minutes(draw(st.integers(-90, 60)))
        appointment = AppointmentSlot(starts_at=starts_at, ends_at=starts_at + minutes(draw(st.integers(0, 40))))
    return WaitingTicket(
        ticket_id=ticket_id,
        number=ticket_id,
        items=tuple(draw(st.lists(st.sampled_from(CATALOGUE), min_size=1, max_size=2))),
        arrived_at=arrived_at,
        sequence=draw(st.integers(1, 4)),
        priority_group=draw(st.none() | st.none() | st.sampled_from(PriorityGroup)),
        appointment=appointment,
        reserved_window_id=draw(st.sampled_from([None] * 30 + WINDOW_IDS)),
        promise_wait=draw(st.none() | st.sampled_from(WAITS[1:]).map(minutes) | st.integers(1, 30).map(minutes)),
    )


@st.composite
def queues(draw: st.DrawFn) -> list[WaitingTicket]:
    unique = draw(st.booleans())
    ids = draw(st.lists(st.sampled_from(TICKET_IDS), unique=unique, min_size=1, max_size=30))
    return [draw(waiting_tickets(ticket_id)) for ticket_id in ids]


@st.composite
def routing_rules(draw: st.DrawFn) -> RoutingRules:
    return RoutingRules(
        fairness_max_priority_in_row=draw(st.integers(1, 4)),
        # Often exactly a generated wait, so "strictly longer than" is tested at its boundary.
        fairness_wait=minutes(draw(st.sampled_from(WAITS) | st.integers(0, 30))),
        promise_wait=minutes(draw(st.sampled_from(WAITS) | st.integers(0, 30))),
        priority_groups=draw(st.frozensets(st.sampled_from(PriorityGroup))),
        appointment_early=minutes(draw(st.integers(0, 30))),
        appointment_late=minutes(draw(st.integers(0, 30))),
    )


# ---------------------------------------------------------------------------------------------------------
# References: the rules as documented, written for clarity rather than speed

PRIORITY_CALLS = {CallReason.EMERGENCY, CallReason.STATUTORY_PRIORITY, CallReason.APPOINTMENT_DUE}


def whole_minutes(duration: timedelta) -> int:
    return max(0, int(duration.total_seconds() // 60))


def reference_detail(reason: CallReason, window: WindowSnapshot, ticket: WaitingTicket, rules: RoutingRules) -> str:
    waited = whole_minutes(NOW - ticket.arrived_at)
    promise = rules.promise_wait if ticket.promise_wait is None else ticket.promise_wait
    texts = {
        CallReason.RESERVED: f"reserved for window {window.number}, waited {waited} min",
        CallReason.EMERGENCY: f"emergency, waited {waited} min",
        CallReason.STATUTORY_PRIORITY: f"statutory priority ({ticket.priority_group})",
        CallReason.APPOINTMENT_DUE: f"appointment due {ticket.appointment.starts_at:%H:%M}"
        if ticket.appointment is not None
        else "",
        CallReason.PAST_PROMISE: f"waited {waited} min, past the {whole_minutes(promise)} min promise",
        CallReason.FAIRNESS: (
            f"fairness: waited {waited} min after {window.priority_calls_in_row} priority calls in a row"
        ),
        CallReason.OLDEST_ELIGIBLE: f"oldest eligible, waited {waited} min",
    }
    return texts[reason]


def reference_decision(
    reason: CallReason, window: WindowSnapshot, ticket: WaitingTicket, rules: RoutingRules
) -> CallDecision:
    return CallDecision(
        ticket_id=ticket.ticket_id,
        reason=reason,
        detail=reference_detail(reason, window, ticket, rules),
        is_priority_call=reason in PRIORITY_CALLS,
    )


def arrival(ticket: WaitingTicket) -> tuple[datetime, int, str]:
    return (ticket.arrived_at, ticket.sequence, ticket.ticket_id)


def normal_reason(ticket: WaitingTicket, rules: RoutingRules) -> CallReason:
    promise = rules.promise_wait if ticket.promise_wait is None else ticket.promise_wait
    return CallReason.PAST_PROMISE if NOW - ticket.arrived_at > promise else CallReason.OLDEST_ELIGIBLE


def reference_default(window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules) -> CallDecision | None:
    """Sort every eligible ticket into the default order; call the first unless the fairness cap applies."""
    eligible = [t for t in waiting if can_serve(window, t)]
    ordered = sorted(eligible, key=lambda t: default_order_key(window, t, NOW, rules))
    if not ordered:
        return None
    best = ordered[0]
    reason = classify(window, best, NOW, rules)
    held_back = reason in {CallReason.STATUTORY_PRIORITY, CallReason.APPOINTMENT_DUE}
    if held_back and window.priority_calls_in_row >= rules.fairness_max_priority_in_row:
        long_waiting_normals = [
            t
            for t in ordered
            if classify(window, t, NOW, rules) in {CallReason.PAST_PROMISE, CallReason.OLDEST_ELIGIBLE}
            and NOW - t.arrived_at > rules.fairness_wait
        ]
        if long_waiting_normals:
            oldest = min(long_waiting_normals, key=arrival)
            return reference_decision(CallReason.FAIRNESS, window, oldest, rules)
    return reference_decision(reason, window, best, rules)


def reference_fifo(window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules) -> CallDecision | None:
    """The first eligible ticket by arrival, sequence and id."""
    ordered = sorted((t for t in waiting if can_serve(window, t)), key=arrival)
    if not ordered:
        return None
    return reference_decision(normal_reason(ordered[0], rules), window, ordered[0], rules)


def reference_most_overdue_first(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> CallDecision | None:
    """Overdue tickets first, most overdue first; then everyone else; ties on arrival, sequence and id."""

    def overdue_first(ticket: WaitingTicket) -> tuple[bool, timedelta, datetime, int, str]:
        promise = rules.promise_wait if ticket.promise_wait is None else ticket.promise_wait
        overdue = max(timedelta(0), NOW - ticket.arrived_at - promise)
        return (overdue == timedelta(0), -overdue, *arrival(ticket))

    ordered = sorted((t for t in waiting if can_serve(window, t)), key=overdue_first)
    if not ordered:
        return None
    return reference_decision(normal_reason(ordered[0], rules), window, ordered[0], rules)


# ---------------------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=600)
@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_default_decides_exactly_like_the_sorted_reference(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    expected = reference_default(window, waiting, rules)
    event(f"reason: {expected.reason if expected is not None else 'none'}")  # see --hypothesis-show-statistics
    assert default(window, waiting, NOW, rules) == expected


@settings(max_examples=200)
@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_fifo_decides_exactly_like_the_sorted_reference(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    assert fifo(window, waiting, NOW, rules) == reference_fifo(window, waiting, rules)


@settings(max_examples=200)
@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_most_overdue_first_decides_exactly_like_the_sorted_reference(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    assert most_overdue_first(window, waiting, NOW, rules) == reference_most_overdue_first(window, waiting, rules)


@given(window=windows(), waiting=queues())
def test_eligible_tickets_keeps_the_tickets_can_serve_accepts_in_input_order(
    window: WindowSnapshot, waiting: list[WaitingTicket]
) -> None:
    assert eligible_tickets(window, waiting) == [t for t in waiting if can_serve(window, t)]


def test_the_fairness_cap_is_exercised_by_the_reference_cases() -> None:
    """A fixed case where the cap applies, so the property above is known to reach that branch."""
    pension = CATALOGUE[0]
    window = WindowSnapshot(
        "W1",
        1,
        WindowType.COMPREHENSIVE_ALL,
        StaffOnDuty("S1", SkillLevel.L4, frozenset(DOMAINS)),
        priority_calls_in_row=3,
    )
    waiting = [
        WaitingTicket("P1", "P1", (pension,), NOW - minutes(5), 2, priority_group=PriorityGroup.MILITARY),
        WaitingTicket("N1", "N1", (pension,), NOW - minutes(25), 1),
    ]
    decision = default(window, waiting, NOW, RoutingRules())
    assert decision == reference_default(window, waiting, RoutingRules())
    assert decision == CallDecision(
        "N1", CallReason.FAIRNESS, "fairness: waited 25 min after 3 priority calls in a row", False
    )
