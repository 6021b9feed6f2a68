"""Hand-worked cases for eligibility, the three calling policies, the registry and the priority streak."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hall.domain import DomainRuleViolation, ItemRequirement, PriorityGroup, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    CALLING_POLICIES,
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
    default_order,
    fifo,
    get_policy,
    most_overdue_first,
    next_priority_streak,
)

pytestmark = pytest.mark.unit

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)

PENSION = ItemRequirement("SS-PENSION", ServiceDomain.SOCIAL_SECURITY)
SS_TRANSFER = ItemRequirement("SS-TRANSFER", ServiceDomain.SOCIAL_SECURITY, min_skill_level=SkillLevel.L3)
DEED = ItemRequirement("RE-DEED", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L3)
INVOICE = ItemRequirement("TAX-INVOICE", ServiceDomain.TAX)
ASK = ItemRequirement("ASK-GENERAL", ServiceDomain.CONSULTATION)
LICENCE_PICKUP = ItemRequirement("BIZ-LICENCE-PICKUP", ServiceDomain.BUSINESS_STARTUP)

ALL_DOMAINS = frozenset(ServiceDomain)
RULES = RoutingRules()


def clerk(
    level: SkillLevel = SkillLevel.L4,
    domains: frozenset[ServiceDomain] = ALL_DOMAINS,
    items: frozenset[str] = frozenset(),
) -> StaffOnDuty:
    return StaffOnDuty(staff_id="S1", skill_level=level, qualified_domains=domains, qualified_items=items)


def window(
    type_: WindowType = WindowType.COMPREHENSIVE_ALL,
    *,
    staff: StaffOnDuty | None = None,
    unstaffed: bool = False,
    domains: frozenset[ServiceDomain] = frozenset(),
    item_codes: frozenset[str] = frozenset(),
    window_id: str = "W1",
    streak: int = 0,
) -> WindowSnapshot:
    return WindowSnapshot(
        window_id=window_id,
        number=int(window_id[1:]),
        type=type_,
        staff=None if unstaffed else (staff or clerk()),
        domains=domains,
        item_codes=item_codes,
        priority_calls_in_row=streak,
    )


def ticket(
    ticket_id: str,
    *items: ItemRequirement,
    waited_min: float = 5,
    seq: int | None = None,
    group: PriorityGroup | None = None,
    slot_in_min: float | None = None,
    reserved: str | None = None,
    promise_min: float | None = None,
) -> WaitingTicket:
    """A ticket that has waited ``waited_min`` minutes at NOW; ``slot_in_min`` is when its 30-min slot starts."""
    slot = None
    if slot_in_min is not None:
        starts_at = NOW + timedelta(minutes=slot_in_min)
        slot = AppointmentSlot(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30))
    return WaitingTicket(
        ticket_id=ticket_id,
        number=f"A{ticket_id[1:]:0>3}",
        items=items or (PENSION,),
        arrived_at=NOW - timedelta(minutes=waited_min),
        sequence=seq if seq is not None else int(ticket_id[1:]),
        priority_group=group,
        appointment=slot,
        reserved_window_id=reserved,
        promise_wait=None if promise_min is None else timedelta(minutes=promise_min),
    )


# ---------------------------------------------------------------------------------------------------------
# Eligibility

SS = frozenset({ServiceDomain.SOCIAL_SECURITY})

ELIGIBILITY_CASES = [
    ("an all-service window serves any item", window(staff=clerk(SkillLevel.L3)), ticket("T1", DEED), True),
    ("a window nobody is signed in at serves nothing", window(unstaffed=True), ticket("T1"), False),
    ("a ticket reserved for this window is served here", window(), ticket("T1", reserved="W1"), True),
    ("a ticket reserved for another window is not", window(), ticket("T1", reserved="W2"), False),
    (
        "a domain window serves an item of its domain",
        window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS),
        ticket("T1", PENSION),
        True,
    ),
    (
        "a domain window refuses an item outside its domains",
        window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS),
        ticket("T1", INVOICE),
        False,
    ),
    (
        "a domain window serves an item it lists by code",
        window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS, item_codes=frozenset({"TAX-INVOICE"})),
        ticket("T1", INVOICE),
        True,
    ),
    (
        "a priority window serves its domains like a domain window",
        window(WindowType.PRIORITY, domains=SS),
        ticket("T1", PENSION, group=PriorityGroup.MILITARY),
        True,
    ),
    (
        "a priority window refuses items outside its domains",
        window(WindowType.PRIORITY, domains=SS),
        ticket("T1", DEED, group=PriorityGroup.MILITARY),
        False,
    ),
    (
        "a specialised window serves its listed item",
        window(WindowType.SPECIALIZED, item_codes=frozenset({"TAX-INVOICE"})),
        ticket("T1", INVOICE),
        True,
    ),
    (
        "a specialised window serves its listed domain",
        window(WindowType.SPECIALIZED, domains=frozenset({ServiceDomain.TAX})),
        ticket("T1", INVOICE),
        True,
    ),
    (
        "a specialised window refuses anything else",
        window(WindowType.SPECIALIZED, item_codes=frozenset({"TAX-INVOICE"})),
        ticket("T1", PENSION),
        False,
    ),
    (
        "a result-pickup window serves its listed pickup item",
        window(WindowType.RESULT_PICKUP, item_codes=frozenset({"BIZ-LICENCE-PICKUP"})),
        ticket("T1", LICENCE_PICKUP),
        True,
    ),
    ("the guide desk serves a consultation", window(WindowType.GUIDE_DESK), ticket("T1", ASK), True),
    (
        "the guide desk refuses a case item even if it lists the domain",
        window(WindowType.GUIDE_DESK, domains=SS),
        ticket("T1", PENSION),
        False,
    ),
    (
        "a clerk not qualified for the domain cannot serve it",
        window(staff=clerk(domains=frozenset({ServiceDomain.TAX}))),
        ticket("T1", PENSION),
        False,
    ),
    (
        "a clerk qualified for the item code alone can serve it",
        window(staff=clerk(domains=frozenset(), items=frozenset({"SS-PENSION"}))),
        ticket("T1", PENSION),
        True,
    ),
    (
        "a clerk below the item's minimum level cannot serve it",
        window(staff=clerk(SkillLevel.L4)),
        ticket("T1", SS_TRANSFER),
        False,
    ),
    ("a clerk at the minimum level can serve it", window(staff=clerk(SkillLevel.L3)), ticket("T1", DEED), True),
    ("a clerk above the minimum level can serve it", window(staff=clerk(SkillLevel.L1)), ticket("T1", DEED), True),
    (
        "a ticket with several items is served when every item is",
        window(staff=clerk(SkillLevel.L3)),
        ticket("T1", PENSION, DEED, INVOICE),
        True,
    ),
    (
        "a ticket with several items is refused when one item is not servable",
        window(staff=clerk(SkillLevel.L4)),
        ticket("T1", PENSION, DEED),
        False,
    ),
    (
        "a domain window refuses a mixed ticket with one foreign item",
        window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS),
        ticket("T1", PENSION, INVOICE),
        False,
    ),
    (
        "an all-service window still needs a qualified clerk",
        window(domains=ALL_DOMAINS, staff=clerk(domains=SS)),
        ticket("T1", DEED),
        False,
    ),
    (
        "a reserved ticket still needs a qualified clerk at its window",
        window(staff=clerk(SkillLevel.L5)),
        ticket("T1", DEED, reserved="W1"),
        False,
    ),
]


@pytest.mark.parametrize(
    ("window_", "ticket_", "expected"),
    [pytest.param(w, t, e, id=name) for name, w, t, e in ELIGIBILITY_CASES],
)
def test_window_may_call_a_ticket_only_when_type_staff_and_reservation_allow(
    window_: WindowSnapshot, ticket_: WaitingTicket, expected: bool
) -> None:
    assert can_serve(window_, ticket_) is expected


# ---------------------------------------------------------------------------------------------------------
# The default order

ELDERLY_NOT_HONOURED = RoutingRules(priority_groups=frozenset({PriorityGroup.EMERGENCY, PriorityGroup.MILITARY}))

ORDER_CASES: list[tuple[str, WindowSnapshot, list[WaitingTicket], RoutingRules, str, CallReason]] = [
    (
        "a ticket reserved for this window beats an emergency",
        window(),
        [ticket("T1", group=PriorityGroup.EMERGENCY, waited_min=30), ticket("T2", reserved="W1", waited_min=1)],
        RULES,
        "T2",
        CallReason.RESERVED,
    ),
    (
        "an emergency beats an older statutory priority ticket",
        window(),
        [ticket("T1", group=PriorityGroup.MILITARY, waited_min=30), ticket("T2", group=PriorityGroup.EMERGENCY)],
        RULES,
        "T2",
        CallReason.EMERGENCY,
    ),
    (
        "a statutory priority ticket beats an appointment that is due",
        window(),
        [ticket("T1", slot_in_min=0, waited_min=10), ticket("T2", group=PriorityGroup.PREGNANT, waited_min=1)],
        RULES,
        "T2",
        CallReason.STATUTORY_PRIORITY,
    ),
    (
        "a group the centre does not honour queues as normal",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", group=PriorityGroup.ELDERLY, waited_min=2)],
        ELDERLY_NOT_HONOURED,
        "T1",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "an appointment that is due beats a ticket past the promise",
        window(),
        [ticket("T1", waited_min=40), ticket("T2", slot_in_min=-5, waited_min=8)],
        RULES,
        "T2",
        CallReason.APPOINTMENT_DUE,
    ),
    (
        "an appointment is due from its early check-in margin",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", slot_in_min=30, waited_min=1)],
        RULES,
        "T2",
        CallReason.APPOINTMENT_DUE,
    ),
    (
        "an appointment before its early margin queues as normal",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", slot_in_min=31, waited_min=1)],
        RULES,
        "T1",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "an appointment is still due at the end of its late margin",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", slot_in_min=-45, waited_min=1)],
        RULES,
        "T2",
        CallReason.APPOINTMENT_DUE,
    ),
    (
        "an appointment past its late margin queues as normal",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", slot_in_min=-46, waited_min=1)],
        RULES,
        "T1",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "a ticket past its own shorter promise beats an older ticket within the promise",
        window(),
        [ticket("T1", waited_min=10), ticket("T2", waited_min=6, promise_min=5)],
        RULES,
        "T2",
        CallReason.PAST_PROMISE,
    ),
    (
        "a ticket at exactly the promise is not past it",
        window(),
        [ticket("T1", waited_min=15)],
        RULES,
        "T1",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "otherwise the oldest eligible ticket is called",
        window(),
        [ticket("T1", waited_min=3), ticket("T2", waited_min=9), ticket("T3", waited_min=6)],
        RULES,
        "T2",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "an ineligible older priority ticket is skipped",
        window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS),
        [ticket("T1", INVOICE, group=PriorityGroup.EMERGENCY, waited_min=30), ticket("T2", waited_min=1)],
        RULES,
        "T2",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "equal arrivals break on the daily sequence",
        window(),
        [ticket("T1", waited_min=5, seq=8), ticket("T2", waited_min=5, seq=7)],
        RULES,
        "T2",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "equal arrivals and sequences break on the ticket id",
        window(),
        [ticket("T9", waited_min=5, seq=1), ticket("T3", waited_min=5, seq=1)],
        RULES,
        "T3",
        CallReason.OLDEST_ELIGIBLE,
    ),
    (
        "the fairness cap lets a long-waiting normal ticket past statutory priority",
        window(streak=3),
        [ticket("T1", group=PriorityGroup.MILITARY, waited_min=30), ticket("T2", waited_min=21)],
        RULES,
        "T2",
        CallReason.FAIRNESS,
    ),
    (
        "the fairness cap lets a long-waiting normal ticket past a due appointment",
        window(streak=4),
        [ticket("T1", slot_in_min=0, waited_min=25), ticket("T2", waited_min=21)],
        RULES,
        "T2",
        CallReason.FAIRNESS,
    ),
    (
        "the fairness cap picks the oldest long-waiting normal ticket",
        window(streak=3),
        [
            ticket("T1", group=PriorityGroup.MILITARY),
            ticket("T2", waited_min=22),
            ticket("T3", waited_min=28),
        ],
        RULES,
        "T3",
        CallReason.FAIRNESS,
    ),
    (
        "the fairness cap picks the oldest normal ticket even if a younger one is past a shorter promise",
        window(streak=3),
        [
            ticket("T1", group=PriorityGroup.MILITARY),
            ticket("T2", waited_min=25, promise_min=30),
            ticket("T3", waited_min=22, promise_min=5),
        ],
        RULES,
        "T2",
        CallReason.FAIRNESS,
    ),
    (
        "the fairness cap waits for the streak to reach the maximum",
        window(streak=2),
        [ticket("T1", group=PriorityGroup.MILITARY), ticket("T2", waited_min=40)],
        RULES,
        "T1",
        CallReason.STATUTORY_PRIORITY,
    ),
    (
        "the fairness cap ignores a normal ticket that has waited exactly the fairness wait",
        window(streak=3),
        [ticket("T1", group=PriorityGroup.MILITARY), ticket("T2", waited_min=20)],
        RULES,
        "T1",
        CallReason.STATUTORY_PRIORITY,
    ),
    (
        "the fairness cap does not treat a due appointment as normal",
        window(streak=3),
        [ticket("T1", group=PriorityGroup.MILITARY), ticket("T2", slot_in_min=-10, waited_min=25)],
        RULES,
        "T1",
        CallReason.STATUTORY_PRIORITY,
    ),
    (
        "the fairness cap treats an unhonoured group as normal",
        window(streak=3),
        [ticket("T1", group=PriorityGroup.MILITARY), ticket("T2", group=PriorityGroup.ELDERLY, waited_min=25)],
        ELDERLY_NOT_HONOURED,
        "T2",
        CallReason.FAIRNESS,
    ),
    (
        "the fairness cap never holds back an emergency",
        window(streak=9),
        [ticket("T1", group=PriorityGroup.EMERGENCY), ticket("T2", waited_min=60)],
        RULES,
        "T1",
        CallReason.EMERGENCY,
    ),
    (
        "the fairness cap never holds back a reserved ticket",
        window(streak=9),
        [ticket("T1", reserved="W1"), ticket("T2", waited_min=60)],
        RULES,
        "T1",
        CallReason.RESERVED,
    ),
]


@pytest.mark.parametrize(
    ("window_", "waiting", "rules", "expected_id", "expected_reason"),
    [pytest.param(*case[1:], id=case[0]) for case in ORDER_CASES],
)
def test_default_policy_calls_by_class_then_arrival_with_a_fairness_cap(
    window_: WindowSnapshot,
    waiting: list[WaitingTicket],
    rules: RoutingRules,
    expected_id: str,
    expected_reason: CallReason,
) -> None:
    decision = default(window_, waiting, NOW, rules)
    assert decision is not None
    assert (decision.ticket_id, decision.reason) == (expected_id, expected_reason)


def test_default_order_lists_eligible_tickets_by_class_then_arrival() -> None:
    waiting = [
        ticket("T1", waited_min=2),
        ticket("T2", INVOICE, waited_min=50),
        ticket("T3", group=PriorityGroup.DISABLED),
        ticket("T4", reserved="W1"),
        ticket("T5", waited_min=20),
        ticket("T6", group=PriorityGroup.EMERGENCY),
        ticket("T7", slot_in_min=0),
    ]
    ordered = default_order(window(WindowType.COMPREHENSIVE_DOMAIN, domains=SS), waiting, NOW, RULES)
    assert [t.ticket_id for t in ordered] == ["T4", "T6", "T3", "T7", "T5", "T1"]


DETAIL_CASES = [
    (ticket("T1", reserved="W1", waited_min=12), 0, CallReason.RESERVED, "reserved for window 1, waited 12 min"),
    (ticket("T1", group=PriorityGroup.EMERGENCY, waited_min=2), 0, CallReason.EMERGENCY, "emergency, waited 2 min"),
    (
        ticket("T1", group=PriorityGroup.MILITARY),
        0,
        CallReason.STATUTORY_PRIORITY,
        "statutory priority (military)",
    ),
    (ticket("T1", slot_in_min=30), 0, CallReason.APPOINTMENT_DUE, "appointment due 10:30"),
    (ticket("T1", waited_min=23.5), 0, CallReason.PAST_PROMISE, "waited 23 min, past the 15 min promise"),
    (ticket("T1", waited_min=7), 0, CallReason.OLDEST_ELIGIBLE, "oldest eligible, waited 7 min"),
    (ticket("T1", waited_min=-1), 0, CallReason.OLDEST_ELIGIBLE, "oldest eligible, waited 0 min"),
]


@pytest.mark.parametrize(("ticket_", "streak", "reason", "detail"), DETAIL_CASES)
def test_decision_detail_states_the_fact_behind_the_call(
    ticket_: WaitingTicket, streak: int, reason: CallReason, detail: str
) -> None:
    decision = default(window(streak=streak), [ticket_], NOW, RULES)
    assert decision is not None
    assert (decision.reason, decision.detail) == (reason, detail)


def test_fairness_detail_states_the_wait_and_the_streak() -> None:
    waiting = [ticket("T1", group=PriorityGroup.MILITARY), ticket("T2", waited_min=21)]
    decision = default(window(streak=3), waiting, NOW, RULES)
    assert decision == CallDecision(
        "T2", CallReason.FAIRNESS, "fairness: waited 21 min after 3 priority calls in a row", is_priority_call=False
    )


def test_appointment_time_is_shown_in_the_slot_own_time_zone() -> None:
    utc_start = datetime(2025, 3, 3, 2, 30, tzinfo=UTC)
    slotted = WaitingTicket(
        ticket_id="T1",
        number="A001",
        items=(PENSION,),
        arrived_at=NOW,
        sequence=1,
        appointment=AppointmentSlot(starts_at=utc_start, ends_at=utc_start + timedelta(minutes=30)),
    )
    decision = default(window(), [slotted], NOW, RULES)
    assert decision is not None
    assert decision.detail == "appointment due 02:30"


IS_PRIORITY_CASES = [
    (ticket("T1", reserved="W1"), False),
    (ticket("T1", group=PriorityGroup.EMERGENCY), True),
    (ticket("T1", group=PriorityGroup.FIREFIGHTER), True),
    (ticket("T1", slot_in_min=0), True),
    (ticket("T1", waited_min=30), False),
    (ticket("T1", waited_min=1), False),
]


@pytest.mark.parametrize(("ticket_", "expected"), IS_PRIORITY_CASES)
def test_emergency_statutory_and_appointment_calls_count_as_priority_calls(
    ticket_: WaitingTicket, expected: bool
) -> None:
    decision = default(window(), [ticket_], NOW, RULES)
    assert decision is not None
    assert decision.is_priority_call is expected


# ---------------------------------------------------------------------------------------------------------
# FIFO and most-overdue-first


def test_fifo_ignores_priority_groups_and_appointments() -> None:
    waiting = [
        ticket("T1", group=PriorityGroup.EMERGENCY, waited_min=1),
        ticket("T2", slot_in_min=0, waited_min=2),
        ticket("T3", waited_min=3),
    ]
    decision = fifo(window(), waiting, NOW, RULES)
    assert decision == CallDecision("T3", CallReason.OLDEST_ELIGIBLE, "oldest eligible, waited 3 min", False)


def test_fifo_still_respects_reservations_and_eligibility() -> None:
    waiting = [ticket("T1", reserved="W2", waited_min=40), ticket("T2", DEED, waited_min=30), ticket("T3")]
    decision = fifo(window(staff=clerk(SkillLevel.L4)), waiting, NOW, RULES)
    assert decision is not None
    assert decision.ticket_id == "T3"


def test_fifo_reports_an_oldest_ticket_past_the_promise() -> None:
    decision = fifo(window(), [ticket("T1", waited_min=16)], NOW, RULES)
    assert decision is not None
    assert decision.reason is CallReason.PAST_PROMISE


def test_most_overdue_first_calls_the_ticket_furthest_past_its_promise() -> None:
    waiting = [ticket("T1", waited_min=20), ticket("T2", waited_min=12, promise_min=5)]
    decision = most_overdue_first(window(), waiting, NOW, RULES)
    assert decision == CallDecision("T2", CallReason.PAST_PROMISE, "waited 12 min, past the 5 min promise", False)


def test_most_overdue_first_calls_the_oldest_when_nobody_is_overdue() -> None:
    waiting = [ticket("T1", waited_min=4, promise_min=5), ticket("T2", waited_min=10)]
    decision = most_overdue_first(window(), waiting, NOW, RULES)
    assert decision is not None
    assert (decision.ticket_id, decision.reason) == ("T2", CallReason.OLDEST_ELIGIBLE)


def test_most_overdue_first_ignores_priority_groups() -> None:
    waiting = [ticket("T1", group=PriorityGroup.EMERGENCY, waited_min=1), ticket("T2", waited_min=16)]
    decision = most_overdue_first(window(), waiting, NOW, RULES)
    assert decision is not None
    assert decision.ticket_id == "T2"
    assert not decision.is_priority_call


@pytest.mark.parametrize("policy", [default, fifo, most_overdue_first])
def test_every_policy_calls_nobody_when_no_ticket_is_eligible(policy: CallingPolicy) -> None:
    waiting = [ticket("T1", reserved="W2"), ticket("T2", DEED)]
    assert policy(window(staff=clerk(SkillLevel.L5)), waiting, NOW, RULES) is None
    assert policy(window(unstaffed=True), [ticket("T3")], NOW, RULES) is None
    assert policy(window(), [], NOW, RULES) is None


# ---------------------------------------------------------------------------------------------------------
# Registry and streak


@pytest.mark.parametrize(
    ("name", "policy"), [("default", default), ("fifo", fifo), ("most_overdue_first", most_overdue_first)]
)
def test_policies_are_found_by_their_registered_name(name: str, policy: CallingPolicy) -> None:
    assert get_policy(name) is policy
    assert CALLING_POLICIES[name] is policy


def test_an_unknown_policy_name_is_refused_with_the_known_names() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        get_policy("random")
    assert caught.value.field == "callingPolicy"
    assert caught.value.reason == "unknown policy 'random'; known: default, fifo, most_overdue_first"


@pytest.mark.parametrize(
    ("current", "reason", "is_priority", "expected"),
    [
        (0, CallReason.EMERGENCY, True, 1),
        (2, CallReason.STATUTORY_PRIORITY, True, 3),
        (5, CallReason.APPOINTMENT_DUE, True, 6),
        (3, CallReason.FAIRNESS, False, 0),
        (3, CallReason.PAST_PROMISE, False, 0),
        (3, CallReason.OLDEST_ELIGIBLE, False, 0),
        (3, CallReason.RESERVED, False, 3),
    ],
)
def test_priority_streak_grows_on_priority_calls_resets_on_normal_calls_and_ignores_returns(
    current: int, reason: CallReason, is_priority: bool, expected: int
) -> None:
    decision = CallDecision("T1", reason, "", is_priority_call=is_priority)
    assert next_priority_streak(current, decision) == expected


# ---------------------------------------------------------------------------------------------------------
# Snapshot validation added with the routing core


def test_a_waiting_ticket_without_items_is_refused() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        WaitingTicket(ticket_id="T1", number="A001", items=(), arrived_at=NOW, sequence=1)
    assert caught.value.field == "items"


def test_an_appointment_slot_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        AppointmentSlot(starts_at=NOW, ends_at=NOW - timedelta(minutes=1))
    assert caught.value.field == "appointment.endsAt"


MINUS_ONE_MINUTE = timedelta(minutes=-1)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RoutingRules(fairness_max_priority_in_row=0), "rules.fairnessMaxPriorityInRow"),
        (lambda: RoutingRules(fairness_wait=MINUS_ONE_MINUTE), "rules.fairnessWait"),
        (lambda: RoutingRules(promise_wait=MINUS_ONE_MINUTE), "rules.promiseWait"),
        (lambda: RoutingRules(appointment_early=MINUS_ONE_MINUTE), "rules.appointmentEarly"),
        (lambda: RoutingRules(appointment_late=MINUS_ONE_MINUTE), "rules.appointmentLate"),
    ],
)
def test_routing_rules_out_of_range_are_refused_naming_the_field(build: Callable[[], RoutingRules], field: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        build()
    assert caught.value.field == field


def test_a_ticket_promise_that_is_not_positive_is_refused() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        ticket("T1", promise_min=0)
    assert caught.value.field == "promiseWait"
