"""Time the calling policies on one realistic window call.

Run from the project root:

    .venv/bin/python benchmarks/routing_bench.py

The snapshot is deterministic (``random.Random(7)``): one all-service window (无差别综合窗口) staffed by an L3
clerk qualified for most domains, and 60 waiting tickets with a mix of items, statutory priority groups (no
emergency, which would short-circuit the fairness rule), appointments (current and not), per-ticket promises and
a couple of tickets reserved for other windows. Each policy is timed with ``timeit`` and reported as microseconds
per call, best of 5 repeats. ``default`` is timed twice: with no priority streak, and with a streak at the
fairness cap so the fairness rule is evaluated.
"""

from __future__ import annotations

import random
import sys
import timeit
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hall.domain import ItemRequirement, PriorityGroup, ServiceDomain, SkillLevel, WindowType
from queueing.domain import (
    AppointmentSlot,
    CallingPolicy,
    RoutingRules,
    StaffOnDuty,
    WaitingTicket,
    WindowSnapshot,
    default,
    eligible_tickets,
    fifo,
    most_overdue_first,
)

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 30, tzinfo=SHANGHAI)
TICKETS = 60
REPEATS = 5

CATALOGUE = [
    ItemRequirement("SS-PENSION", ServiceDomain.SOCIAL_SECURITY),
    ItemRequirement("SS-TRANSFER", ServiceDomain.SOCIAL_SECURITY, min_skill_level=SkillLevel.L3),
    ItemRequirement("MI-REIMBURSE", ServiceDomain.MEDICAL_INSURANCE),
    ItemRequirement("HF-WITHDRAW", ServiceDomain.HOUSING_FUND, min_skill_level=SkillLevel.L4),
    ItemRequirement("RE-DEED", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L3),
    ItemRequirement("RE-MORTGAGE", ServiceDomain.REAL_ESTATE, min_skill_level=SkillLevel.L2),
    ItemRequirement("TAX-INVOICE", ServiceDomain.TAX),
    ItemRequirement("BIZ-REGISTER", ServiceDomain.BUSINESS_STARTUP, min_skill_level=SkillLevel.L4),
    ItemRequirement("EE-PASSPORT", ServiceDomain.EXIT_ENTRY),
    ItemRequirement("ASK-GENERAL", ServiceDomain.CONSULTATION),
]
QUALIFIED = frozenset(ServiceDomain) - {ServiceDomain.EXIT_ENTRY}
STATUTORY = [PriorityGroup.ELDERLY, PriorityGroup.MILITARY, PriorityGroup.DISABLED, PriorityGroup.PREGNANT]


def build_snapshot() -> tuple[WindowSnapshot, list[WaitingTicket], RoutingRules]:
    rng = random.Random(7)
    rules = RoutingRules()
    window = WindowSnapshot(
        window_id="W07",
        number=7,
        type=WindowType.COMPREHENSIVE_ALL,
        staff=StaffOnDuty("S07", SkillLevel.L3, qualified_domains=QUALIFIED, qualified_items=frozenset({"EE-VISA"})),
    )
    waiting: list[WaitingTicket] = []
    for sequence in range(1, TICKETS + 1):
        items = (rng.choice(CATALOGUE),) if rng.random() < 0.85 else tuple(rng.sample(CATALOGUE, 2))
        u = rng.random()
        group = None
        appointment = None
        if u < 0.10:
            group = rng.choice(STATUTORY)
        elif u < 0.28:
            starts_at = NOW.replace(minute=0) + timedelta(minutes=30 * rng.randint(-2, 2))
            appointment = AppointmentSlot(starts_at, starts_at + timedelta(minutes=30))
        waiting.append(
            WaitingTicket(
                ticket_id=f"T{sequence:06d}",
                number=f"A{sequence:03d}",
                items=items,
                arrived_at=NOW - timedelta(seconds=rng.randint(0, 75 * 60)),
                sequence=sequence,
                priority_group=group,
                appointment=appointment,
                reserved_window_id="W03" if rng.random() < 0.03 else None,
                promise_wait=timedelta(minutes=rng.choice([10, 20, 30])) if rng.random() < 0.2 else None,
            )
        )
    rng.shuffle(waiting)
    return window, waiting, rules


def per_call_us(
    policy: CallingPolicy, window: WindowSnapshot, waiting: list[WaitingTicket], rules: RoutingRules
) -> float:
    timer = timeit.Timer(lambda: policy(window, waiting, NOW, rules))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEATS, number=number)) / number * 1e6


def main() -> None:
    window, waiting, rules = build_snapshot()
    at_cap = replace(window, priority_calls_in_row=rules.fairness_max_priority_in_row)
    cases: list[tuple[str, CallingPolicy, WindowSnapshot]] = [
        ("default", default, window),
        ("default (streak at cap)", default, at_cap),
        ("fifo", fifo, window),
        ("most_overdue_first", most_overdue_first, window),
    ]
    eligible = len(eligible_tickets(window, waiting))
    print(f"Python {sys.version.split()[0]}: {len(waiting)} waiting, {eligible} eligible at window {window.number}")
    print(f"{'policy':<26}{'µs/call':>10}  decision")
    for name, policy, snapshot in cases:
        decision = policy(snapshot, waiting, NOW, rules)
        chosen = "-" if decision is None else f"{decision.ticket_id} {decision.reason.value}: {decision.detail}"
        print(f"{name:<26}{per_call_us(policy, snapshot, waiting, rules):>10.1f}  {chosen}")


if __name__ == "__main__":
    main()
