"""Naive waiting-time estimates for the kiosk slip and the board."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hall.domain import DomainRuleViolation, ItemRequirement, PriorityGroup, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    expected_wait,
    naive_wait,
    people_ahead,
    serving_windows,
)

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
RULES = RoutingRules()
PENSION = ItemRequirement("SS-PENSION", ServiceDomain.SOCIAL_SECURITY)
INVOICE = ItemRequirement("TAX-INVOICE", ServiceDomain.TAX)
CLERK = StaffOnDuty("S1", SkillLevel.L4, frozenset(ServiceDomain))


def window(window_id: str, domains: set[ServiceDomain] | None = None, *, staffed: bool = True) -> WindowSnapshot:
    type_ = WindowType.COMPREHENSIVE_ALL if domains is None else WindowType.COMPREHENSIVE_DOMAIN
    return WindowSnapshot(
        window_id, int(window_id[1:]), type_, CLERK if staffed else None, domains=frozenset(domains or ())
    )


def ticket(
    ticket_id: str,
    item: ItemRequirement = PENSION,
    *,
    waited_min: int,
    group: PriorityGroup | None = None,
    reserved: str | None = None,
) -> WaitingTicket:
    return WaitingTicket(
        ticket_id,
        ticket_id,
        (item,),
        NOW - timedelta(minutes=waited_min),
        int(ticket_id[1:]),
        priority_group=group,
        reserved_window_id=reserved,
    )


@pytest.mark.parametrize(
    ("people", "mean_minutes", "windows", "expected_minutes"),
    [(0, 8, 2, 0), (6, 8, 2, 24), (5, 8, 2, 20), (3, 10, 1, 30), (1, 9, 4, 2.25)],
)
def test_naive_wait_shares_the_people_ahead_among_the_open_windows(
    people: int, mean_minutes: int, windows: int, expected_minutes: float
) -> None:
    assert naive_wait(people, timedelta(minutes=mean_minutes), windows) == timedelta(minutes=expected_minutes)


def test_naive_wait_is_unknown_when_no_window_is_open() -> None:
    assert naive_wait(4, timedelta(minutes=8), 0) is None


@pytest.mark.parametrize(
    ("people", "mean", "windows", "field"),
    [
        (-1, timedelta(minutes=8), 1, "peopleAhead"),
        (1, timedelta(minutes=-8), 1, "meanService"),
        (1, timedelta(minutes=8), -1, "openWindows"),
    ],
)
def test_naive_wait_refuses_negative_inputs_naming_the_field(
    people: int, mean: timedelta, windows: int, field: str
) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        naive_wait(people, mean, windows)
    assert caught.value.field == field


def test_people_ahead_counts_older_normal_tickets_and_every_priority_ticket() -> None:
    mine = ticket("T5", waited_min=10)
    waiting = [
        ticket("T1", waited_min=12),  # older: ahead
        ticket("T2", waited_min=3),  # younger: behind
        ticket("T3", waited_min=1, group=PriorityGroup.MILITARY),  # priority: ahead
        ticket("T4", INVOICE, waited_min=30),  # no window serving me serves it: not counted
        mine,
    ]
    windows = [window("W1", {ServiceDomain.SOCIAL_SECURITY}), window("W2", {ServiceDomain.TAX})]
    assert people_ahead(mine, waiting, windows, NOW, RULES) == 2


def test_people_ahead_counts_a_ticket_reserved_for_a_window_i_share() -> None:
    mine = ticket("T2", waited_min=10)
    waiting = [mine, ticket("T1", waited_min=1, reserved="W1"), ticket("T3", waited_min=1, reserved="W9")]
    assert people_ahead(mine, waiting, [window("W1"), window("W2")], NOW, RULES) == 1


def test_people_ahead_counts_a_ticket_once_however_many_windows_share_it() -> None:
    mine = ticket("T2", waited_min=1)
    waiting = [ticket("T1", waited_min=5), mine]
    assert people_ahead(mine, waiting, [window("W1"), window("W2"), window("W3")], NOW, RULES) == 1


def test_people_ahead_ignores_closed_windows_and_is_zero_when_none_can_serve() -> None:
    mine = ticket("T2", waited_min=1)
    waiting = [ticket("T1", waited_min=5), mine]
    assert people_ahead(mine, waiting, [window("W1", staffed=False)], NOW, RULES) == 0
    assert serving_windows(mine, [window("W1", staffed=False), window("W2", {ServiceDomain.TAX})]) == []


def test_expected_wait_uses_the_windows_that_may_serve_the_ticket() -> None:
    mine = ticket("T9", waited_min=0)
    waiting = [ticket(f"T{n}", waited_min=10 - n) for n in range(1, 5)] + [mine]
    windows = [window("W1"), window("W2"), window("W3", {ServiceDomain.TAX}), window("W4", staffed=False)]
    assert expected_wait(mine, waiting, windows, NOW, RULES, mean_service=timedelta(minutes=6)) == timedelta(minutes=12)


def test_expected_wait_is_unknown_when_no_open_window_may_serve_the_ticket() -> None:
    mine = ticket("T1", INVOICE, waited_min=0)
    assert (
        expected_wait(
            mine, [mine], [window("W1", {ServiceDomain.SOCIAL_SECURITY})], NOW, RULES, mean_service=timedelta(minutes=6)
        )
        is None
    )
