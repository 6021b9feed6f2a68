"""Properties every calling policy keeps, checked over generated halls with hypothesis."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain import ItemRequirement, PriorityGroup, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    AppointmentSlot,
    CallDecision,
    CallingPolicy,
    CallReason,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    can_serve,
    default,
    fifo,
    most_overdue_first,
    next_priority_streak,
)

pytestmark = pytest.mark.unit

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
POLICIES: list[CallingPolicy] = [default, fifo, most_overdue_first]

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
    ItemRequirement("TAX-INVOICE", ServiceDomain.TAX),
    ItemRequirement("ASK-GENERAL", ServiceDomain.CONSULTATION),
]
CODES = [item.code for item in CATALOGUE]
WINDOW_IDS = ["W1", "W2"]


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


# ---------------------------------------------------------------------------------------------------------
# Strategies


@st.composite
def staff_on_duty(draw: st.DrawFn) -> StaffOnDuty:
    return StaffOnDuty(
        staff_id="S1",
        skill_level=draw(st.sampled_from(SkillLevel)),
        qualified_domains=draw(st.frozensets(st.sampled_from(DOMAINS))),
        qualified_items=draw(st.frozensets(st.sampled_from(CODES), max_size=2)),
    )


@st.composite
def windows(draw: st.DrawFn) -> WindowSnapshot:
    capable = draw(st.sampled_from([True, True, False]))
    staff = StaffOnDuty("S1", SkillLevel.L1, frozenset(DOMAINS)) if capable else draw(st.none() | staff_on_duty())
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
def appointment_slots(draw: st.DrawFn) -> AppointmentSlot:
    starts_at = NOW + minutes(draw(st.integers(-90, 60)))
    return AppointmentSlot(starts_at=starts_at, ends_at=starts_at + minutes(draw(st.integers(0, 40))))


@st.composite
def waiting_tickets(draw: st.DrawFn, ticket_id: str) -> WaitingTicket:
    return WaitingTicket(
        ticket_id=ticket_id,
        number=ticket_id,
        items=tuple(draw(st.lists(st.sampled_from(CATALOGUE), min_size=1, max_size=2))),
        # Few distinct arrival minutes and sequences, so ties are common and tie-breaks are exercised.
        arrived_at=NOW - minutes(draw(st.sampled_from([0, 5, 14, 15, 16, 20, 21, 30, 45, 90]))),
        sequence=draw(st.integers(1, 4)),
        priority_group=draw(st.none() | st.sampled_from(PriorityGroup)),
        appointment=draw(st.none() | appointment_slots()),
        reserved_window_id=draw(st.sampled_from([None] * 8 + WINDOW_IDS)),
        promise_wait=draw(st.none() | st.integers(1, 30).map(minutes)),
    )


@st.composite
def queues(draw: st.DrawFn) -> list[WaitingTicket]:
    ids = draw(st.lists(st.sampled_from([f"T{n:02d}" for n in range(30)]), unique=True, max_size=10))
    return [draw(waiting_tickets(ticket_id)) for ticket_id in ids]


@st.composite
def routing_rules(draw: st.DrawFn) -> RoutingRules:
    return RoutingRules(
        fairness_max_priority_in_row=draw(st.integers(1, 4)),
        fairness_wait=minutes(draw(st.integers(0, 30))),
        promise_wait=minutes(draw(st.integers(0, 30))),
        priority_groups=draw(st.frozensets(st.sampled_from(PriorityGroup))),
        appointment_early=minutes(draw(st.integers(0, 30))),
        appointment_late=minutes(draw(st.integers(0, 30))),
    )


# ---------------------------------------------------------------------------------------------------------
# Eligibility, restated from the rules text as an independent reference

LISTING_TYPES = {
    WindowType.COMPREHENSIVE_DOMAIN,
    WindowType.PRIORITY,
    WindowType.SPECIALIZED,
    WindowType.RESULT_PICKUP,
}


def reference_type_serves(window: WindowSnapshot, item: ItemRequirement) -> bool:
    if window.type is WindowType.COMPREHENSIVE_ALL:
        return True
    if window.type is WindowType.GUIDE_DESK:
        return item.domain is ServiceDomain.CONSULTATION
    assert window.type in LISTING_TYPES
    return item.domain in window.domains or item.code in window.item_codes


def reference_can_serve(window: WindowSnapshot, ticket: WaitingTicket) -> bool:
    staff = window.staff
    if staff is None or ticket.reserved_window_id not in {None, window.window_id}:
        return False
    for item in ticket.items:
        type_ok = reference_type_serves(window, item)
        staff_ok = item.domain in staff.qualified_domains or item.code in staff.qualified_items
        level_ok = staff.skill_level.value <= item.min_skill_level.value
        if not (type_ok and staff_ok and level_ok):
            return False
    return True


# ---------------------------------------------------------------------------------------------------------
# The default order, restated from the rules text as an independent reference

RESERVED, EMERGENCY, STATUTORY, APPOINTMENT, PAST_PROMISE, NORMAL = range(6)
REASON_OF_CLASS = {
    RESERVED: CallReason.RESERVED,
    EMERGENCY: CallReason.EMERGENCY,
    STATUTORY: CallReason.STATUTORY_PRIORITY,
    APPOINTMENT: CallReason.APPOINTMENT_DUE,
    PAST_PROMISE: CallReason.PAST_PROMISE,
    NORMAL: CallReason.OLDEST_ELIGIBLE,
}


def reference_class(window: WindowSnapshot, ticket: WaitingTicket, rules: RoutingRules) -> int:
    if ticket.reserved_window_id == window.window_id:
        return RESERVED
    if ticket.priority_group is PriorityGroup.EMERGENCY:
        return EMERGENCY
    if ticket.priority_group in rules.priority_groups:
        return STATUTORY
    slot = ticket.appointment
    if slot is not None and slot.starts_at - rules.appointment_early <= NOW <= slot.ends_at + rules.appointment_late:
        return APPOINTMENT
    promise = rules.promise_wait if ticket.promise_wait is None else ticket.promise_wait
    if NOW - ticket.arrived_at > promise:
        return PAST_PROMISE
    return NORMAL


def reference_key(window: WindowSnapshot, ticket: WaitingTicket, rules: RoutingRules) -> tuple[int, datetime, int, str]:
    return (reference_class(window, ticket, rules), ticket.arrived_at, ticket.sequence, ticket.ticket_id)


def chosen(decision: CallDecision, waiting: list[WaitingTicket]) -> WaitingTicket:
    return next(t for t in waiting if t.ticket_id == decision.ticket_id)


# ---------------------------------------------------------------------------------------------------------
# Properties


@given(window=windows(), waiting=queues())
def test_eligibility_follows_the_window_type_staff_skill_and_reservation_rules(
    window: WindowSnapshot, waiting: list[WaitingTicket]
) -> None:
    for ticket in waiting:
        assert can_serve(window, ticket) is reference_can_serve(window, ticket)


@pytest.mark.parametrize("policy", POLICIES)
@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_a_policy_never_calls_a_ticket_the_window_may_not_serve(
    policy: CallingPolicy, window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    decision = policy(window, waiting, NOW, rules)
    eligible = [t for t in waiting if reference_can_serve(window, t)]
    if decision is None:
        assert eligible == []
    else:
        assert reference_can_serve(window, chosen(decision, waiting))


@pytest.mark.parametrize("policy", POLICIES)
@given(window=windows(), waiting=queues(), rules=routing_rules(), data=st.data())
def test_shuffling_the_waiting_list_never_changes_the_decision(
    policy: CallingPolicy,
    window: WindowSnapshot,
    waiting: list[WaitingTicket],
    rules: RoutingRules,
    data: st.DataObject,
) -> None:
    shuffled = data.draw(st.permutations(waiting))
    assert policy(window, shuffled, NOW, rules) == policy(window, waiting, NOW, rules)


@settings(max_examples=400)
@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_default_policy_calls_the_highest_class_then_the_oldest_unless_the_fairness_cap_applies(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    decision = default(window, waiting, NOW, rules)
    eligible = [t for t in waiting if can_serve(window, t)]
    if decision is None:
        assert eligible == []
        return
    best = min(eligible, key=lambda t: reference_key(window, t, rules))
    best_class = reference_class(window, best, rules)
    long_waiting_normals = sorted(
        (
            t
            for t in eligible
            if reference_class(window, t, rules) in {PAST_PROMISE, NORMAL} and NOW - t.arrived_at > rules.fairness_wait
        ),
        key=lambda t: reference_key(window, t, rules)[1:],
    )
    cap_applies = (
        window.priority_calls_in_row >= rules.fairness_max_priority_in_row
        and best_class in {STATUTORY, APPOINTMENT}
        and bool(long_waiting_normals)
    )
    if cap_applies:
        assert decision.ticket_id == long_waiting_normals[0].ticket_id
        assert decision.reason is CallReason.FAIRNESS
        assert decision.is_priority_call is False
    else:
        assert decision.ticket_id == best.ticket_id
        assert decision.reason is REASON_OF_CLASS[best_class]
        assert decision.is_priority_call is (best_class in {EMERGENCY, STATUTORY, APPOINTMENT})


@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_an_eligible_reserved_or_emergency_ticket_is_never_held_back(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    urgent = [t for t in waiting if can_serve(window, t) and reference_class(window, t, rules) in {RESERVED, EMERGENCY}]
    decision = default(window, waiting, NOW, rules)
    if urgent:
        assert decision is not None
        assert decision.ticket_id in {t.ticket_id for t in urgent}


@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_fifo_calls_the_earliest_arrival_among_eligible_tickets(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    decision = fifo(window, waiting, NOW, rules)
    if decision is not None:
        picked = chosen(decision, waiting)
        assert all(picked.arrived_at <= t.arrived_at for t in waiting if can_serve(window, t))


@given(window=windows(), waiting=queues(), rules=routing_rules())
def test_most_overdue_first_calls_a_ticket_no_less_overdue_than_any_other(
    window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> None:
    def overdue(ticket: WaitingTicket) -> timedelta:
        return max(timedelta(0), NOW - ticket.arrived_at - rules.promise_for(ticket))

    decision = most_overdue_first(window, waiting, NOW, rules)
    if decision is not None:
        picked = chosen(decision, waiting)
        assert all(overdue(picked) >= overdue(t) for t in waiting if can_serve(window, t))


# ---------------------------------------------------------------------------------------------------------
# Starvation under the fairness cap
#
# One all-service window makes one call a minute. Every minute one to three statutory priority tickets and zero
# to two normal tickets arrive, then the window calls. With cap k and fairness wait W minutes, once a normal
# ticket N has waited more than W, at most k priority calls can pass before a normal call, and normal calls go
# oldest first. So with Q normal tickets already waiting when N arrived:
#
#     wait(N) <= W + (Q + 1) * (k + 1) minutes.

PENSION = CATALOGUE[0]
ALL_SERVICE = WindowSnapshot(
    "W1", 1, WindowType.COMPREHENSIVE_ALL, StaffOnDuty("S1", SkillLevel.L4, frozenset(DOMAINS))
)
MAX_DRAIN_MINUTES = 2_000


@dataclass
class Arrival:
    minute: int
    normals_ahead: int


def starvation_bound(fairness_wait_minutes: int, cap: int, normals_ahead: int) -> int:
    return fairness_wait_minutes + (normals_ahead + 1) * (cap + 1)


@settings(deadline=None)
@given(
    cap=st.integers(1, 5),
    fairness_wait_minutes=st.integers(0, 30),
    stream=st.lists(st.tuples(st.integers(1, 3), st.integers(0, 2)), min_size=1, max_size=60),
)
def test_no_normal_ticket_starves_while_priority_tickets_keep_arriving(
    cap: int, fairness_wait_minutes: int, stream: list[tuple[int, int]]
) -> None:
    rules = RoutingRules(fairness_max_priority_in_row=cap, fairness_wait=minutes(fairness_wait_minutes))
    waiting: dict[str, WaitingTicket] = {}
    normal_arrivals: dict[str, Arrival] = {}
    sequence = 0
    streak = 0

    def issue(minute: int, group: PriorityGroup | None) -> None:
        nonlocal sequence
        sequence += 1
        ticket_id = f"T{sequence:05d}"
        if group is None:
            normals_ahead = sum(1 for t in waiting.values() if t.priority_group is None)
            normal_arrivals[ticket_id] = Arrival(minute, normals_ahead)
        waiting[ticket_id] = WaitingTicket(
            ticket_id, ticket_id, (PENSION,), NOW + minutes(minute), sequence, priority_group=group
        )

    minute = 0
    while minute < len(stream) or any(t.priority_group is None for t in waiting.values()):
        assert minute < len(stream) + MAX_DRAIN_MINUTES, "a normal ticket was never called"
        priority_count, normal_count = stream[minute] if minute < len(stream) else (1, 0)
        for _ in range(priority_count):
            issue(minute, PriorityGroup.MILITARY)
        for _ in range(normal_count):
            issue(minute, None)
        window = replace(ALL_SERVICE, priority_calls_in_row=streak)
        decision = default(window, list(waiting.values()), NOW + minutes(minute), rules)
        assert decision is not None
        called = waiting.pop(decision.ticket_id)
        if called.priority_group is None:
            arrival = normal_arrivals[called.ticket_id]
            assert minute - arrival.minute <= starvation_bound(fairness_wait_minutes, cap, arrival.normals_ahead)
        streak = next_priority_streak(streak, decision)
        minute += 1


def test_a_lone_normal_ticket_is_called_one_minute_after_the_fairness_wait() -> None:
    rules = RoutingRules(fairness_max_priority_in_row=3, fairness_wait=minutes(20))
    waiting = [WaitingTicket("N", "A001", (PENSION,), NOW, 1)]
    streak = 0
    sequence = 1
    for minute in range(60):
        for _ in range(2):
            sequence += 1
            waiting.append(
                WaitingTicket(
                    f"P{sequence}",
                    f"P{sequence:03d}",
                    (PENSION,),
                    NOW + minutes(minute),
                    sequence,
                    priority_group=PriorityGroup.MILITARY,
                )
            )
        decision = default(replace(ALL_SERVICE, priority_calls_in_row=streak), waiting, NOW + minutes(minute), rules)
        assert decision is not None
        if decision.ticket_id == "N":
            assert (minute, decision.reason) == (21, CallReason.FAIRNESS)
            return
        waiting = [t for t in waiting if t.ticket_id != decision.ticket_id]
        streak = next_priority_streak(streak, decision)
    pytest.fail("the normal ticket was never called")
