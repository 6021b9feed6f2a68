"""Live wait prediction: short twin runs from the hall's current state."""

from __future__ import annotations

import math
import random
import statistics
from datetime import datetime, timedelta

import pytest

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain.snapshot import WaitingTicket
from simulation.distributions import DistributionSpec
from simulation.live import HallState, LiveTicket, LiveWindow, predict_calls, remaining_service
from simulation.scenario import ItemSpec, StaffSpec, WindowSpec

pytestmark = pytest.mark.unit

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
SS = ServiceDomain.SOCIAL_SECURITY
REQUIREMENT = ItemRequirement("SB001", SS, SkillLevel.L5, 10.0)


def item(spec: DistributionSpec) -> dict[str, ItemSpec]:
    return {"SB001": ItemSpec(requirement=REQUIREMENT, service=dict.fromkeys(SkillLevel, spec))}


def waiting(n: int, *, group: PriorityGroup | None = None, minutes_ago: float = 5.0) -> LiveTicket:
    ticket = WaitingTicket(
        ticket_id=f"t{n}",
        number=f"A{n:03d}",
        items=(REQUIREMENT,),
        arrived_at=NOW - timedelta(minutes=minutes_ago),
        sequence=n,
        priority_group=group,
    )
    return LiveTicket(ticket=ticket, item_codes=("SB001",))


WINDOW = LiveWindow(
    window=WindowSpec(1),
    staff=StaffSpec("S1", SkillLevel.L4, frozenset({SS})),
    current_items=("SB001",),
    elapsed_minutes=4.0,
)


def test_with_fixed_durations_the_prediction_is_exact() -> None:
    state = HallState(
        now=NOW,
        items=item(DistributionSpec.deterministic(10.0)),
        windows=(WINDOW,),
        waiting=(waiting(1, minutes_ago=9), waiting(2, minutes_ago=8), waiting(3, minutes_ago=7)),
    )
    predictions = predict_calls(state, replications=5)
    assert [round(predictions[f"t{n}"].p50_minutes, 6) for n in (1, 2, 3)] == [6.0, 16.0, 26.0]
    assert all(p.p90_minutes == p.p50_minutes and p.called_share == 1.0 for p in predictions.values())
    assert predictions["t1"].p50_at(NOW) == NOW + timedelta(minutes=6)


def test_a_priority_visitor_is_predicted_to_be_called_first() -> None:
    state = HallState(
        now=NOW,
        items=item(DistributionSpec.deterministic(10.0)),
        windows=(WINDOW,),
        waiting=(waiting(1, minutes_ago=9), waiting(2, minutes_ago=1, group=PriorityGroup.MILITARY)),
    )
    predictions = predict_calls(state, replications=3)
    assert predictions["t2"].p50_minutes < predictions["t1"].p50_minutes


def test_random_service_gives_a_spread_and_no_window_gives_no_time() -> None:
    state = HallState(
        now=NOW,
        items=item(DistributionSpec.lognormal(10.0, 0.7)),
        windows=(WINDOW,),
        waiting=tuple(waiting(n, minutes_ago=10 - n) for n in range(1, 5)),
    )
    predictions = predict_calls(state, replications=40, seed=3)
    assert predictions["t4"].p90_minutes > predictions["t4"].p50_minutes > predictions["t1"].p50_minutes
    closed = HallState(now=NOW, items=state.items, windows=(), waiting=state.waiting)
    assert all(math.isinf(p.p50_minutes) and p.p50_at(NOW) is None for p in predict_calls(closed).values())


def test_the_rest_of_a_long_service_is_drawn_given_the_time_already_spent() -> None:
    spec = DistributionSpec.lognormal(10.0, 0.7)
    rng = random.Random(1)
    sampler = spec.sampler()
    direct = [t - 12.0 for t in (sampler(rng) for _ in range(200_000)) if t > 12.0]
    drawn = [remaining_service(spec, 12.0, rng) for _ in range(20_000)]
    assert statistics.fmean(drawn) == pytest.approx(statistics.fmean(direct), rel=0.05)
    assert min(drawn) > 0
    fresh = [remaining_service(spec, 0.0, rng) for _ in range(20_000)]
    assert statistics.fmean(fresh) == pytest.approx(10.0, rel=0.05)
