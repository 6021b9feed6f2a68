"""The policies' speed-ups never carry an answer from one window, queue or item set to another.

Eligibility is built once per snapshot object (a bounded identity cache) and the answer for an items tuple is
reused while the next ticket has the same tuple; both must be invisible in the decisions.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hall.domain import ItemRequirement, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    CallReason,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    can_serve,
    default,
    eligible_tickets,
    fifo,
    routing,
)

pytestmark = pytest.mark.unit

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
DEED = ItemRequirement("RE-DEED", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L3)
PENSION = ItemRequirement("SS-PENSION", ServiceDomain.SOCIAL_SECURITY)
DEED_ONLY = (DEED,)  # one tuple shared by every deed ticket, as the twin issues them


def window(level: SkillLevel, number: int = 1) -> WindowSnapshot:
    staff = StaffOnDuty("S1", level, frozenset({ServiceDomain.REAL_ESTATE, ServiceDomain.SOCIAL_SECURITY}))
    return WindowSnapshot(f"W{number}", number, WindowType.COMPREHENSIVE_ALL, staff)


def ticket(n: int, items: tuple[ItemRequirement, ...] = DEED_ONLY, waited: int = 5) -> WaitingTicket:
    return WaitingTicket(f"T{n}", f"A{n:03d}", items, NOW - timedelta(minutes=waited), n)


def test_an_items_answer_at_one_window_is_not_reused_at_another() -> None:
    senior, junior = window(SkillLevel.L2), window(SkillLevel.L5, 2)  # the deed needs L3 or better
    queue = [ticket(1), ticket(2)]
    decision = default(senior, queue, NOW, RoutingRules())
    assert decision is not None
    assert decision.ticket_id == "T1"
    assert default(junior, queue, NOW, RoutingRules()) is None
    assert eligible_tickets(junior, queue) == []
    assert fifo(senior, queue, NOW, RoutingRules()) is not None


def test_a_window_asked_again_with_other_items_answers_for_those_items() -> None:
    junior = window(SkillLevel.L5)
    assert default(junior, [ticket(1)], NOW, RoutingRules()) is None
    pension = default(junior, [ticket(1), ticket(2, (PENSION,))], NOW, RoutingRules())
    assert pension is not None
    assert pension.ticket_id == "T2"
    assert default(junior, [ticket(3)], NOW, RoutingRules()) is None
    assert not can_serve(junior, ticket(4))
    assert can_serve(junior, ticket(5, (PENSION,)))


def test_equal_snapshots_that_are_different_objects_decide_alike() -> None:
    queue = [ticket(1, waited=30), ticket(2)]
    first = default(window(SkillLevel.L2), queue, NOW, RoutingRules())
    again = default(window(SkillLevel.L2), queue, NOW, RoutingRules())
    assert first == again
    assert first is not None
    assert first.reason is CallReason.PAST_PROMISE


def test_the_eligibility_cache_stays_bounded() -> None:
    snapshots = [window(SkillLevel.L2, n) for n in range(routing._RULE_CACHE_SIZE + 10)]
    for snapshot in snapshots:
        assert can_serve(snapshot, ticket(1))
    assert len(routing._rule_cache) <= routing._RULE_CACHE_SIZE
