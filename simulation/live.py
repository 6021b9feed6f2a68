"""Live wait prediction: short twin runs from the hall as it is now, giving each waiting ticket a call time.

From the current state — the tickets waiting (with their real arrival times, priority groups, appointments and
reservations), the open windows with who sits there, and how long each visitor at a window has already been
served — the twin is run ``replications`` times to the end of the queue. New visitors keep arriving at the
forecast rate until the session closes (a priority visitor arriving later may still be called first). Each run
draws the remaining service of the visitors at the windows from their service-time distribution *given the time
already spent*, so a long service already under way is expected to end sooner than a fresh one would.

The result per ticket is the median (P50) and 90th percentile (P90) of its call time over the runs.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import simpy

from hall.domain.centres import WaitingPromise
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain.snapshot import RoutingRules, WaitingTicket
from simulation.distributions import DistributionSpec
from simulation.errors import ScenarioError
from simulation.model import RandomStreams, build
from simulation.records import Outcome
from simulation.scenario import ItemSpec, Scenario, StaffSpec, WindowSpec

MAX_RUN_MINUTES = 12 * 60.0
LIVE_PREFIX = "live:"
"""No prediction looks further ahead than this."""


@dataclass(frozen=True, slots=True)
class LiveWindow:
    """An open window now.

    Attributes:
        window: The window.
        staff: Who is signed in.
        current_items: Items of the visitor being served (empty when the window is idle).
        elapsed_minutes: How long that service has been under way.
        priority_calls_in_row: The window's priority streak (for the fairness cap).
    """

    window: WindowSpec
    staff: StaffSpec
    current_items: tuple[str, ...] = ()
    elapsed_minutes: float = 0.0
    priority_calls_in_row: int = 0


@dataclass(frozen=True, slots=True)
class LiveTicket:
    """A waiting ticket (its ``reserved_window_id``, if any, in the twin's form ``W07``) and its item codes."""

    ticket: WaitingTicket
    item_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class HallState:
    """The hall as it is at ``now``.

    Attributes:
        now: The moment (aware).
        items: Service-time distributions of the items.
        windows: The open windows (paused windows are left out).
        waiting: The waiting tickets.
        arrival_rates: Visitors per hour expected per item until the session closes.
        minutes_to_close: Minutes until the current session closes (0: closed; no new visitors).
        routing_rules: The centre's routing rules.
        calling_policy: The centre's calling policy.
        no_show_probability: Chance a newly arriving visitor is gone when called.
        priority_shares: Share of new visitors per priority group.
    """

    now: datetime
    items: Mapping[str, ItemSpec]
    windows: tuple[LiveWindow, ...]
    waiting: tuple[LiveTicket, ...]
    arrival_rates: Mapping[str, float] = field(default_factory=dict)
    minutes_to_close: float = 0.0
    routing_rules: RoutingRules = field(default_factory=RoutingRules)
    calling_policy: str = "default"
    no_show_probability: float = 0.0
    priority_shares: Mapping[PriorityGroup, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallPrediction:
    """When a waiting ticket is expected to be called, in minutes from now.

    Attributes:
        ticket_id: The ticket.
        number: Its number on the board.
        p50_minutes: Median minutes until its call (``inf`` if in most runs it was not called).
        p90_minutes: 90th percentile.
        called_share: Share of the runs in which it was called.
    """

    ticket_id: str
    number: str
    p50_minutes: float
    p90_minutes: float
    called_share: float

    def p50_at(self, now: datetime) -> datetime | None:
        """The median call time (``None`` when not expected to be called)."""
        return None if math.isinf(self.p50_minutes) else now + timedelta(minutes=self.p50_minutes)

    def p90_at(self, now: datetime) -> datetime | None:
        """The 90th percentile call time."""
        return None if math.isinf(self.p90_minutes) else now + timedelta(minutes=self.p90_minutes)


def remaining_service(spec: DistributionSpec, elapsed: float, rng: random.Random) -> float:
    """Draw the rest of a service that has lasted ``elapsed`` minutes: ``T − elapsed`` given ``T > elapsed``.

    Lognormal: by inversion on the normal scale, ``u ~ U(Φ(z₀), 1)``; exponential: memoryless; deterministic:
    what is left (at least a second); empirical: resampled among the longer recorded durations.
    """
    if elapsed <= 0:
        return spec.sampler()(rng)
    if spec.distribution == "exponential":
        return rng.expovariate(1.0 / spec.mean)
    if spec.distribution == "deterministic":
        return max(spec.mean - elapsed, 1.0 / 60.0)
    if spec.distribution == "empirical":
        longer = [v for v in spec.values_minutes if v > elapsed]
        return (rng.choice(longer) - elapsed) if longer else 1.0
    mean, cv = spec.mean, spec.cv or 0.7
    sigma2 = math.log1p(cv * cv)
    mu, sigma = math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)
    normal = statistics.NormalDist(mu, sigma)
    lower = normal.cdf(math.log(elapsed))
    if lower >= 1.0 - 1e-9:
        return 1.0 / 60.0
    u = lower + (1.0 - lower) * rng.random()
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    return max(math.exp(normal.inv_cdf(u)) - elapsed, 1.0 / 60.0)


def _visit_spec(items: Mapping[str, ItemSpec], codes: Sequence[str], level: SkillLevel) -> DistributionSpec:
    """One lognormal for a visit of several items: the sum's mean and variance (moment matching)."""
    specs = [items[c].service.get(level) or next(iter(items[c].service.values())) for c in codes if c in items]
    if not specs:
        return DistributionSpec.lognormal(10.0, 0.7)
    if len(specs) == 1:
        return specs[0]
    mean = math.fsum(s.mean for s in specs)
    variance = math.fsum((s.mean**2) * s.scv for s in specs)
    return DistributionSpec.lognormal(mean, max(math.sqrt(variance) / mean, 0.05))


def state_scenario(state: HallState) -> Scenario:
    """Return the twin scenario behind a prediction: minute 0 is ``now``, one slot until the close."""
    horizon = max(state.minutes_to_close, 1.0 / 60.0)
    windows = tuple(w.window for w in state.windows)
    return Scenario(
        name="live prediction",
        start=state.now,
        sessions=((0.0, horizon),),
        slot_minutes=horizon,
        items=state.items,
        arrivals={
            code: (float(state.arrival_rates.get(code, 0.0)) if state.minutes_to_close > 0 else 0.0,)
            for code in state.items
        },
        windows=windows,
        staff=tuple(w.staff for w in state.windows),
        roster=({w.window.number: w.staff.staff_id for w in state.windows},),
        priority_shares=state.priority_shares,
        no_show_probability=state.no_show_probability,
        calling_policy=state.calling_policy,
        routing_rules=state.routing_rules,
        promise=WaitingPromise(within_minutes=max(1, round(state.routing_rules.promise_wait / timedelta(minutes=1)))),
    )


def predict_calls(state: HallState, *, replications: int = 30, seed: int = 0) -> dict[str, CallPrediction]:
    """Predict each waiting ticket's call time from ``replications`` short twin runs.

    Raises:
        ScenarioError: on ``replications`` when below 1, or on ``waiting[i]`` naming an unknown item.
    """
    if replications < 1:
        raise ScenarioError("replications", "must be at least 1")
    for i, live in enumerate(state.waiting):
        unknown = [c for c in live.item_codes if c not in state.items]
        if unknown or not live.item_codes:
            raise ScenarioError(f"waiting[{i}].itemCodes", f"unknown items {unknown}")
    if not state.waiting:
        return {}
    if not state.windows:
        return {
            t.ticket.ticket_id: CallPrediction(t.ticket.ticket_id, t.ticket.number, math.inf, math.inf, 0.0)
            for t in state.waiting
        }
    scenario = state_scenario(state)
    calls: dict[str, list[float]] = {t.ticket.ticket_id: [] for t in state.waiting}
    visit_specs = {
        w.window.number: _visit_spec(state.items, w.current_items, w.staff.skill_level)
        for w in state.windows
        if w.current_items
    }
    for r in range(replications):
        env = simpy.Environment()
        hall = build(env, scenario, RandomStreams.from_seed(seed + r))
        rng = random.Random(f"{seed + r}:residual")  # noqa: S311 - simulation, not cryptography
        for w in state.windows:
            hall.streak[w.window.number] = w.priority_calls_in_row
            if w.current_items:
                hall.pending_service[w.window.number] = remaining_service(
                    visit_specs[w.window.number], w.elapsed_minutes, rng
                )
        for live in state.waiting:
            arrived = (live.ticket.arrived_at - state.now) / timedelta(minutes=1)
            # A prefix keeps the hall's ticket ids apart from those the twin gives new arrivals.
            ticket = replace(live.ticket, ticket_id=LIVE_PREFIX + live.ticket.ticket_id)
            hall.preload(ticket, live.item_codes, arrived)
        env.run(until=MAX_RUN_MINUTES)
        hall.finish()
        for record in hall.records:
            if not record.ticket_id.startswith(LIVE_PREFIX):
                continue
            times = calls.get(record.ticket_id.removeprefix(LIVE_PREFIX))
            if times is not None and record.called_minutes is not None and record.outcome is not Outcome.UNSERVED:
                times.append(record.called_minutes)
    out: dict[str, CallPrediction] = {}
    for live in state.waiting:
        ticket = live.ticket
        times = sorted(calls[ticket.ticket_id])
        padded = times + [math.inf] * (replications - len(times))
        out[ticket.ticket_id] = CallPrediction(
            ticket_id=ticket.ticket_id,
            number=ticket.number,
            p50_minutes=_rank(padded, 0.5),
            p90_minutes=_rank(padded, 0.9),
            called_share=len(times) / replications,
        )
    return out


def _rank(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile (works with ``inf`` for tickets not called in some runs)."""
    index = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[index]
