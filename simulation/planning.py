"""Staffing plans: how many windows of each skill group to open in each slot of a day to keep the promise.

**Skill groups.** Windows with the same type and scope form a group (the six all-service windows, the two
social-security windows …). Each group has a staff profile — the domains a clerk there must be qualified for — so
a plan ("3 all-service windows at 10:00") can later be staffed by named people. For restricted windows the profile
is the window's own scope; for all-service windows it is the largest set of domains (taken in order of how many
staff hold them) that at least as many staff as the group has windows all hold.

**The Erlang C plan** answers each slot on its own: per demand key (a domain, or an item some window lists), the
fewest M/M/c servers meeting the promise at that slot's rate, then those servers handed to the groups that can
serve the key, the most specific first. It ignores the backlog a peak leaves behind, the pooling of multi-skill
windows, priority rules and lognormal service.

**The simulated plan** starts from the Erlang C answer and corrects it with the twin: each round simulates the day
with common random numbers, opens one more window in every slot whose arrivals miss the promise (in the group
serving the key with the most late visitors), and once every slot passes, closes windows where the promise holds
with room to spare, reopening them where that made the slot — or the next one, which inherits its backlog — fail.
Screening rounds use fewer replications; the final plan is validated with all of them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Final

from hall.domain.catalogue import ServiceDomain
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from simulation.centre import CentreSetup, DayGrid, Roster, day_scenario
from simulation.erlang import MeanWaitTarget, ServiceLevelTarget, min_servers
from simulation.errors import ScenarioError
from simulation.fitting import DayForecast
from simulation.metrics import quantile
from simulation.records import Outcome
from simulation.runner import run
from simulation.scenario import Scenario, StaffSpec, WindowSpec

PlanCounts = tuple[Mapping[str, int], ...]
"""For each slot of a day: skill-group key → open windows."""

MIN_JUDGED_VISITORS: Final = 3
"""Slots with fewer visitors than this over all replications are not judged (too little to say)."""

SCREENING_MARGIN: Final = 0.03
"""How much stricter the screening rounds judge a slot's share within the promise than the validation does."""

PRUNE_MARGIN: Final = 0.05
"""A slot may lose a window in the pruning phase only if its share within the promise beats the target by this."""


# ---- skill groups -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillGroup:
    """Windows of one type and scope, and the profile a clerk there must have.

    Attributes:
        key: ``G1``, ``G2`` … in order of the group's first window.
        window_type: The windows' type.
        window_numbers: The windows, in order.
        window_domains: The domains the windows' type restricts them to (empty for all-service windows).
        domains: The domains a clerk at these windows must be qualified for.
        item_codes: Single items the windows list (and a clerk must be able to serve).
        demand_keys: The demand keys (``domain:…`` / ``item:…``) the group serves.
        eligible_staff: Staff ids who fit the profile.
    """

    key: str
    window_type: WindowType
    window_numbers: tuple[int, ...]
    window_domains: frozenset[ServiceDomain]
    domains: frozenset[ServiceDomain]
    item_codes: frozenset[str]
    demand_keys: frozenset[str]
    eligible_staff: tuple[str, ...]

    @property
    def size(self) -> int:
        """How many windows the group has."""
        return len(self.window_numbers)

    @property
    def label(self) -> str:
        """A short description: type, windows and profile, e.g. ``comprehensive_all 1–6 (social_security, …)``."""
        numbers = self.window_numbers
        span = f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
        scope = ", ".join(sorted([d.value for d in self.domains] + sorted(self.item_codes)))
        return f"{self.window_type.value} {span} ({scope})"

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {
            "key": self.key,
            "label": self.label,
            "windowType": self.window_type.value,
            "windows": list(self.window_numbers),
            "domains": sorted(d.value for d in self.domains),
            "itemCodes": sorted(self.item_codes),
            "demandKeys": sorted(self.demand_keys),
            "eligibleStaff": list(self.eligible_staff),
        }


def demand_key_of(setup: CentreSetup) -> dict[str, str]:
    """Return each item's demand key: ``item:CODE`` when some window lists the item, else ``domain:DOMAIN``."""
    listed = {code for w in setup.windows for code in w.item_codes}
    return {
        code: f"item:{code}" if code in listed else f"domain:{item.requirement.domain.value}"
        for code, item in sorted(setup.items.items())
    }


def _qualified(staff: StaffSpec, domains: frozenset[ServiceDomain], items: frozenset[str], setup: CentreSetup) -> bool:
    if not domains <= staff.qualified_domains:
        return False
    return all(
        code in staff.qualified_items or setup.items[code].requirement.domain in staff.qualified_domains
        for code in items
        if code in setup.items
    )


def _all_service_profile(setup: CentreSetup, windows: int) -> frozenset[ServiceDomain]:
    holders = {d: sum(d in s.qualified_domains for s in setup.staff) for d in ServiceDomain}
    offered = {item.requirement.domain for item in setup.items.values()}
    chosen: set[ServiceDomain] = set()
    for domain in sorted(offered, key=lambda d: (-holders[d], d.value)):
        trial = frozenset(chosen | {domain})
        if sum(trial <= s.qualified_domains for s in setup.staff) >= windows:
            chosen.add(domain)
    return frozenset(chosen)


def skill_groups(setup: CentreSetup) -> tuple[SkillGroup, ...]:
    """Group the centre's windows by type and scope, and derive each group's staff profile and demand keys."""
    by_shape: dict[tuple[WindowType, frozenset[ServiceDomain], frozenset[str]], list[WindowSpec]] = {}
    for window in sorted(setup.windows, key=lambda w: w.number):
        by_shape.setdefault((window.type, window.domains, window.item_codes), []).append(window)
    keys = demand_key_of(setup)
    groups: list[SkillGroup] = []
    for index, ((type_, window_domains, item_codes), windows) in enumerate(by_shape.items(), start=1):
        if type_ is WindowType.COMPREHENSIVE_ALL:
            domains = _all_service_profile(setup, len(windows))
        elif type_ is WindowType.GUIDE_DESK:
            domains = frozenset({ServiceDomain.CONSULTATION})
        else:
            domains = window_domains
        served: set[str] = set()
        for code, item in setup.items.items():
            domain = item.requirement.domain
            if type_ is WindowType.COMPREHENSIVE_ALL:
                in_scope = True
            elif type_ is WindowType.GUIDE_DESK:
                in_scope = domain is ServiceDomain.CONSULTATION
            else:
                in_scope = domain in window_domains or code in item_codes
            if in_scope and (domain in domains or code in item_codes):
                served.add(keys[code])
        eligible = tuple(s.staff_id for s in setup.staff if _qualified(s, domains, item_codes, setup))
        groups.append(
            SkillGroup(
                key=f"G{index}",
                window_type=type_,
                window_numbers=tuple(w.number for w in windows),
                window_domains=window_domains,
                domains=domains,
                item_codes=item_codes,
                demand_keys=frozenset(served),
                eligible_staff=eligible,
            )
        )
    return tuple(groups)


# ---- demand per key ---------------------------------------------------------------------------------------------


def reference_level(setup: CentreSetup, item_code: str) -> SkillLevel:
    """Return the level whose service time plans an item: the staff's median level, or the item's minimum if higher."""
    levels = sorted(int(s.skill_level) for s in setup.staff) or [int(SkillLevel.L4)]
    median = SkillLevel(levels[(len(levels) - 1) // 2])
    minimum = setup.items[item_code].requirement.min_skill_level
    return min(median, minimum)


@dataclass(frozen=True, slots=True)
class KeyDemand:
    """One demand key's visitors per hour and rate-weighted mean service minutes in each slot."""

    key: str
    rates: tuple[float, ...]
    mean_service_minutes: tuple[float, ...]


def key_demand(setup: CentreSetup, forecast: DayForecast) -> dict[str, KeyDemand]:
    """Aggregate the forecast's item rates into demand keys."""
    keys = demand_key_of(setup)
    n = forecast.grid.n_slots
    rates: dict[str, list[float]] = {}
    work: dict[str, list[float]] = {}
    for code, item_rates in forecast.item_rates.items():
        if code not in setup.items:
            continue
        key = keys[code]
        spec = setup.items[code].service.get(reference_level(setup, code))
        mean = spec.mean if spec is not None else setup.items[code].requirement.standard_minutes
        r = rates.setdefault(key, [0.0] * n)
        w = work.setdefault(key, [0.0] * n)
        for i, rate in enumerate(item_rates):
            r[i] += rate
            w[i] += rate * mean
    return {
        key: KeyDemand(
            key=key,
            rates=tuple(rates[key]),
            mean_service_minutes=tuple(w / r if r > 0 else 0.0 for r, w in zip(rates[key], work[key], strict=True)),
        )
        for key in sorted(rates)
    }


# ---- the Erlang C plan ------------------------------------------------------------------------------------------


def erlang_servers(setup: CentreSetup, rate_per_hour: float, mean_service_minutes: float) -> int:
    """Return the fewest M/M/c windows keeping the centre's promise at a constant rate (0 for no visitors)."""
    if rate_per_hour <= 0 or mean_service_minutes <= 0:
        return 0
    promise = setup.promise
    servers = min_servers(
        rate_per_hour, mean_service_minutes, ServiceLevelTarget(promise.share_within, float(promise.within_minutes))
    ).servers
    if promise.mean_minutes is not None:
        servers = max(
            servers,
            min_servers(rate_per_hour, mean_service_minutes, MeanWaitTarget(float(promise.mean_minutes))).servers,
        )
    return servers


@dataclass(frozen=True, slots=True)
class ErlangPlan:
    """The period-by-period Erlang C answer.

    Attributes:
        counts: Open windows per group in each slot.
        rates_by_group: Visitors per hour each group was given in each slot.
        shortfall: Visitors per hour no group had room for, per slot and demand key.
    """

    counts: PlanCounts
    rates_by_group: tuple[Mapping[str, float], ...]
    shortfall: tuple[Mapping[str, float], ...]


def _carried_rate(setup: CentreSetup, rate: float, mean: float, servers: int) -> float:
    """Return the highest rate ``servers`` windows carry within the promise by Erlang C (bisection)."""
    lo, hi = 0.0, rate
    for _ in range(40):
        mid = (lo + hi) / 2.0
        if erlang_servers(setup, mid, mean) <= servers:
            lo = mid
        else:
            hi = mid
    return lo


def erlang_plan(setup: CentreSetup, groups: Sequence[SkillGroup], forecast: DayForecast) -> ErlangPlan:
    """Return the Erlang C plan: each slot on its own, each group an M/M/c queue for the demand it is given.

    Demand goes to the most specific group that serves it (fewest demand keys, then lowest window number); a group
    pools what it is given and opens the fewest windows meeting the promise by Erlang C. When that is more windows
    than it has, it opens them all, keeps the rate they carry within the promise and passes the rest on, key by key
    in proportion, to the next groups serving those keys. What no group can take is the shortfall.
    """
    grid = forecast.grid
    demand = key_demand(setup, forecast)
    order = sorted(groups, key=lambda g: (len(g.demand_keys), g.window_numbers[0]))
    counts: list[dict[str, int]] = []
    given: list[dict[str, float]] = []
    shortfall: list[dict[str, float]] = []
    for i in range(grid.n_slots):
        slot_counts = {g.key: 0 for g in groups}
        slot_given = {g.key: 0.0 for g in groups}
        remaining = {k: d.rates[i] for k, d in demand.items() if grid.is_open(i) and d.rates[i] > 0}
        mean_of = {k: demand[k].mean_service_minutes[i] for k in remaining}
        for group in order:
            keys = [k for k in sorted(group.demand_keys) if remaining.get(k, 0.0) > 1e-9]
            if not keys:
                continue
            rate = math.fsum(remaining[k] for k in keys)
            mean = math.fsum(remaining[k] * mean_of[k] for k in keys) / rate
            need = erlang_servers(setup, rate, mean)
            slot_given[group.key] = rate
            if need <= group.size:
                slot_counts[group.key] = need
                for k in keys:
                    remaining[k] = 0.0
                continue
            slot_counts[group.key] = group.size
            carried = _carried_rate(setup, rate, mean, group.size)
            slot_given[group.key] = carried
            left = 1.0 - carried / rate
            for k in keys:
                remaining[k] *= left
        counts.append(slot_counts)
        given.append(slot_given)
        shortfall.append({k: v for k, v in remaining.items() if v > 1e-9})
    return ErlangPlan(counts=tuple(counts), rates_by_group=tuple(given), shortfall=tuple(shortfall))


# ---- seating a plan ---------------------------------------------------------------------------------------------


def seat_plan(
    setup: CentreSetup, groups: Sequence[SkillGroup], grid: DayGrid, counts: PlanCounts
) -> tuple[Roster, PlanCounts]:
    """Seat real staff at a plan's windows, slot by slot, and return the roster and the counts actually seated.

    In each slot a group opens its first windows by number. A clerk seated at a window in the previous slot keeps
    it; the others go to the staff fitting the profile who fit the fewest groups (keeping generalists free), the
    more skilled first. When a group runs out of fitting staff its remaining windows stay closed.
    """
    eligible_count = {s.staff_id: sum(s.staff_id in g.eligible_staff for g in groups) for s in setup.staff}
    level = {s.staff_id: int(s.skill_level) for s in setup.staff}
    by_scarcity = sorted(groups, key=lambda g: (len(g.eligible_staff), g.window_numbers[0]))
    roster: list[dict[int, str | None]] = []
    seated_counts: list[dict[str, int]] = []
    previous: dict[int, str | None] = {}
    for i in range(grid.n_slots):
        seats: dict[int, str | None] = {}
        seated = {g.key: 0 for g in groups}
        if grid.is_open(i):
            used: set[str] = set()
            wanted = {g.key: list(g.window_numbers[: max(0, min(counts[i].get(g.key, 0), g.size))]) for g in groups}
            for group in by_scarcity:
                for number in wanted[group.key]:
                    keep = previous.get(number)
                    if keep is not None and keep in group.eligible_staff and keep not in used:
                        seats[number] = keep
                        used.add(keep)
            for group in by_scarcity:
                free = sorted(
                    (s for s in group.eligible_staff if s not in used),
                    key=lambda s: (eligible_count[s], level[s], s),
                )
                for number in wanted[group.key]:
                    if number in seats:
                        continue
                    if not free:
                        break
                    staff_id = free.pop(0)
                    seats[number] = staff_id
                    used.add(staff_id)
            for group in groups:
                seated[group.key] = sum(1 for n in wanted[group.key] if n in seats)
        roster.append(seats)
        seated_counts.append(seated)
        if seats:
            previous = seats
    return tuple(roster), tuple(seated_counts)


def staff_hours(grid: DayGrid, counts: PlanCounts) -> float:
    """Return the window-hours a plan staffs during opening hours."""
    return math.fsum(sum(counts[i].values()) * grid.open_minutes(i) / 60.0 for i in range(grid.n_slots))


# ---- evaluating a plan ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunTally:
    """What one replication says about each arrival slot (picklable and small).

    Attributes:
        waits: Waits of the served, per arrival slot.
        missed: Visitors never served (unserved or gave up), per arrival slot.
        late_by_key: Visitors not called within the promise (or never), per arrival slot and demand key.
        busy_by_window: Busy minutes per slot and window number.
    """

    waits: tuple[tuple[float, ...], ...]
    missed: tuple[int, ...]
    late_by_key: tuple[Mapping[str, int], ...]
    busy_by_window: tuple[Mapping[int, float], ...]


def tally_run(scenario: Scenario, seed: int, key_of: Mapping[str, str]) -> RunTally:
    """Run the scenario once and tally it by arrival slot (the unit of work sent to executors)."""
    result = run(scenario, seed, check=False)
    n = scenario.n_slots
    step = scenario.slot_minutes
    within = float(scenario.promise.within_minutes)
    waits: list[list[float]] = [[] for _ in range(n)]
    missed = [0] * n
    late: list[dict[str, int]] = [{} for _ in range(n)]
    busy: list[dict[int, float]] = [{} for _ in range(n)]
    for record in result.records:
        slot = min(int(record.arrived_minutes // step), n - 1)
        key = key_of.get(record.item_codes[0], "")
        if record.outcome is Outcome.SERVED:
            waits[slot].append(record.waited_minutes)
            if record.waited_minutes > within:
                late[slot][key] = late[slot].get(key, 0) + 1
        elif record.outcome in (Outcome.UNSERVED, Outcome.ABANDONED):
            missed[slot] += 1
            late[slot][key] = late[slot].get(key, 0) + 1
        if record.called_minutes is not None and record.window_number is not None:
            start, end = record.called_minutes, record.ended_minutes
            first, last = int(start // step), min(int(end // step), n - 1)
            for s in range(min(first, n - 1), last + 1):
                overlap = min(end, (s + 1) * step) - max(start, s * step)
                if overlap > 0:
                    busy[s][record.window_number] = busy[s].get(record.window_number, 0.0) + overlap
    return RunTally(
        waits=tuple(tuple(w) for w in waits),
        missed=tuple(missed),
        late_by_key=tuple(late),
        busy_by_window=tuple(busy),
    )


@dataclass(frozen=True, slots=True)
class SlotKpis:
    """One arrival slot's figures pooled over the replications.

    Attributes:
        visitors: Mean visitors per replication.
        served: Mean served visitors per replication.
        share_within: Share of visitors called within the promise (never-served visitors count as late).
        mean_wait_minutes: Mean wait of the served.
        p90_wait_minutes: 90th percentile wait of the served.
        missed: Mean visitors never served per replication.
        is_judged: Whether there were enough visitors to judge the slot.
        meets_promise: Whether the slot keeps the promise (always true when not judged).
    """

    visitors: float
    served: float
    share_within: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    missed: float
    is_judged: bool
    meets_promise: bool

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form (``nan`` as ``None``)."""
        return {
            "visitors": _round(self.visitors),
            "served": _round(self.served),
            "shareWithin": _round(self.share_within),
            "meanWaitMinutes": _round(self.mean_wait_minutes),
            "p90WaitMinutes": _round(self.p90_wait_minutes),
            "missed": _round(self.missed),
            "isJudged": self.is_judged,
            "meetsPromise": self.meets_promise,
        }


def _round(value: float, digits: int = 4) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


@dataclass(frozen=True, slots=True)
class PlanEvaluation:
    """A day simulated with a roster over several replications.

    Attributes:
        replications: How many replications.
        slots: Pooled figures per arrival slot.
        share_within: The day's share of visitors called within the promise.
        mean_wait_minutes: The day's mean wait of the served.
        late_by_key: Mean late visitors per replication, per slot and demand key.
        utilisation_by_window: Busy share of each open window per slot (open minutes of the slot as the base).
    """

    replications: int
    slots: tuple[SlotKpis, ...]
    share_within: float
    mean_wait_minutes: float
    late_by_key: tuple[Mapping[str, float], ...]
    utilisation_by_window: tuple[Mapping[int, float], ...]

    @property
    def failing_slots(self) -> tuple[int, ...]:
        """The slots that miss the promise."""
        return tuple(i for i, s in enumerate(self.slots) if not s.meets_promise)

    @property
    def meets_promise(self) -> bool:
        """Whether every judged slot keeps the promise."""
        return not self.failing_slots

    def to_dict(self, labels: Sequence[str]) -> dict[str, object]:
        """Return the JSON form with slots keyed by their labels."""
        return {
            "replications": self.replications,
            "shareWithin": _round(self.share_within),
            "meanWaitMinutes": _round(self.mean_wait_minutes),
            "meetsPromise": self.meets_promise,
            "failingSlots": [labels[i] for i in self.failing_slots],
            "slots": {labels[i]: s.to_dict() for i, s in enumerate(self.slots)},
        }


def pool_tallies(
    tallies: Sequence[RunTally],
    grid: DayGrid,
    setup: CentreSetup,
    roster: Roster | None = None,
    *,
    share_margin: float = 0.0,
) -> PlanEvaluation:
    """Pool the replications' tallies into per-slot KPIs and judge each slot against the promise.

    ``share_margin`` makes the judgement stricter by that share (the search's screening rounds use a few points,
    so that the validation with every replication seldom finds a slot the screening passed on luck).
    """
    promise = setup.promise
    within = float(promise.within_minutes)
    reps = len(tallies)
    n = grid.n_slots
    slots: list[SlotKpis] = []
    all_waits: list[float] = []
    all_within = all_total = 0
    for i in range(n):
        waits = sorted(w for t in tallies for w in t.waits[i])
        missed = sum(t.missed[i] for t in tallies)
        total = len(waits) + missed
        ok_count = sum(1 for w in waits if w <= within)
        all_waits.extend(waits)
        all_within += ok_count
        all_total += total
        share = ok_count / total if total else math.nan
        mean = math.fsum(waits) / len(waits) if waits else math.nan
        judged = total >= MIN_JUDGED_VISITORS
        meets = True
        if judged:
            meets = share >= promise.share_within + share_margin - 1e-12
            if promise.mean_minutes is not None and waits:
                meets = meets and mean <= promise.mean_minutes
        slots.append(
            SlotKpis(
                visitors=total / reps,
                served=len(waits) / reps,
                share_within=share,
                mean_wait_minutes=mean,
                p90_wait_minutes=quantile(waits, 0.9),
                missed=missed / reps,
                is_judged=judged,
                meets_promise=meets,
            )
        )
    late: list[dict[str, float]] = []
    utilisation: list[dict[int, float]] = []
    for i in range(n):
        keys: dict[str, float] = {}
        for t in tallies:
            for key, count in t.late_by_key[i].items():
                keys[key] = keys.get(key, 0.0) + count / reps
        late.append(keys)
        minutes = grid.open_minutes(i) or grid.slot_minutes
        windows: dict[int, float] = {}
        seated = roster[i] if roster is not None else {}
        for number in sorted(set(seated) | {w for t in tallies for w in t.busy_by_window[i]}):
            busy = math.fsum(t.busy_by_window[i].get(number, 0.0) for t in tallies) / reps
            windows[number] = busy / minutes
        utilisation.append(windows)
    return PlanEvaluation(
        replications=reps,
        slots=tuple(slots),
        share_within=all_within / all_total if all_total else math.nan,
        mean_wait_minutes=statistics.fmean(all_waits) if all_waits else math.nan,
        late_by_key=tuple(late),
        utilisation_by_window=tuple(utilisation),
    )


def evaluate_roster(
    setup: CentreSetup,
    forecast: DayForecast,
    roster: Roster,
    *,
    replications: int,
    seed: int,
    executor: Executor | None = None,
    staff: Sequence[StaffSpec] | None = None,
    share_margin: float = 0.0,
) -> PlanEvaluation:
    """Simulate a day's roster ``replications`` times (seeds ``seed …``) and pool the figures by arrival slot."""
    if replications < 1:
        raise ScenarioError("replications", "must be at least 1")
    scenario = day_scenario(setup, forecast.grid, forecast.item_rates, roster, staff=staff)
    key_of = demand_key_of(setup)
    seeds = [seed + r for r in range(replications)]
    if executor is None:
        tallies = [tally_run(scenario, s, key_of) for s in seeds]
    else:
        chunk = max(1, replications // 4)
        tallies = list(
            executor.map(tally_run, [scenario] * replications, seeds, [key_of] * replications, chunksize=chunk)
        )
    return pool_tallies(tallies, forecast.grid, setup, roster, share_margin=share_margin)


# ---- the simulated plan -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One round of the search: what it did and how many slots failed before it."""

    phase: str
    replications: int
    failing_slots: tuple[str, ...]
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Both plans of one day, side by side, with their simulated figures.

    Attributes:
        forecast: The demand the plans are for.
        groups: The skill groups.
        erlang: The Erlang C plan.
        erlang_counts: The Erlang C plan as it could be seated.
        erlang_evaluation: The Erlang C plan simulated with all replications.
        counts: The simulated plan (seated counts).
        roster: The simulated plan's seating of real staff.
        evaluation: The simulated plan with all replications.
        steps: The search's rounds.
        is_staff_limited: Whether some slot still fails with every possible window open.
    """

    forecast: DayForecast
    groups: tuple[SkillGroup, ...]
    erlang: ErlangPlan
    erlang_counts: PlanCounts
    erlang_evaluation: PlanEvaluation
    counts: PlanCounts
    roster: Roster
    evaluation: PlanEvaluation
    steps: tuple[PlanStep, ...] = field(default=())
    is_staff_limited: bool = False

    @property
    def grid(self) -> DayGrid:
        """The day's grid."""
        return self.forecast.grid

    @property
    def erlang_staff_hours(self) -> float:
        """Window-hours of the Erlang C plan."""
        return staff_hours(self.grid, self.erlang_counts)

    @property
    def simulated_staff_hours(self) -> float:
        """Window-hours of the simulated plan."""
        return staff_hours(self.grid, self.counts)

    def comparison_rows(self) -> list[dict[str, object]]:
        """Return one row per open slot: windows, figures and whether each plan keeps the promise there."""
        grid = self.grid
        rows: list[dict[str, object]] = []
        for i in grid.open_slots:
            e, s = self.erlang_evaluation.slots[i], self.evaluation.slots[i]
            rows.append(
                {
                    "slot": grid.label(i),
                    "expectedVisitors": round(self.forecast.expected_visitors(i), 2),
                    "erlangWindows": sum(self.erlang_counts[i].values()),
                    "simulatedWindows": sum(self.counts[i].values()),
                    "erlangByGroup": dict(self.erlang_counts[i]),
                    "simulatedByGroup": dict(self.counts[i]),
                    "erlang": e.to_dict(),
                    "simulated": s.to_dict(),
                }
            )
        return rows

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form stored with the plan and served by the API."""
        labels = self.grid.labels
        return {
            "on": self.grid.on.isoformat(),
            "slotMinutes": self.grid.slot_minutes,
            "slots": list(labels),
            "openSlots": [labels[i] for i in self.grid.open_slots],
            "groups": [g.to_dict() for g in self.groups],
            "expectedVisitors": round(self.forecast.expected_visitors(), 2),
            "erlang": {
                "counts": [dict(c) for c in self.erlang_counts],
                "ratesByGroup": [{k: round(v, 4) for k, v in r.items()} for r in self.erlang.rates_by_group],
                "shortfall": [{k: round(v, 4) for k, v in r.items()} for r in self.erlang.shortfall],
                "staffHours": round(self.erlang_staff_hours, 3),
                "evaluation": self.erlang_evaluation.to_dict(labels),
            },
            "simulated": {
                "counts": [dict(c) for c in self.counts],
                "roster": [{str(n): s for n, s in sorted(seats.items())} for seats in self.roster],
                "staffHours": round(self.simulated_staff_hours, 3),
                "evaluation": self.evaluation.to_dict(labels),
                "isStaffLimited": self.is_staff_limited,
            },
            "comparison": self.comparison_rows(),
            "steps": [
                {
                    "phase": s.phase,
                    "replications": s.replications,
                    "failingSlots": list(s.failing_slots),
                    "changes": list(s.changes),
                }
                for s in self.steps
            ],
        }


def _group_utilisation(group: SkillGroup, evaluation: PlanEvaluation, slot: int, count: int) -> float:
    if count == 0:
        return 1.0
    values = [evaluation.utilisation_by_window[slot].get(n, 0.0) for n in group.window_numbers[:count]]
    return statistics.fmean(values) if values else 0.0


def _servers_of_key(groups: Sequence[SkillGroup]) -> dict[str, list[SkillGroup]]:
    out: dict[str, list[SkillGroup]] = {}
    for group in groups:
        for key in group.demand_keys:
            out.setdefault(key, []).append(group)
    return out


BACKLOG_SLOTS: Final = 3
"""How many earlier slots may take the window a failing slot cannot (its backlog was built there)."""


def open_more_windows(
    setup: CentreSetup,
    groups: Sequence[SkillGroup],
    grid: DayGrid,
    counts: list[dict[str, int]],
    evaluation: PlanEvaluation,
    slots: Sequence[int],
) -> list[str]:
    """Open windows for each of ``slots`` (two where the slot misses badly); return what changed.

    Each window goes to the group, among those serving the key with the most late visitors and with a window and
    a fitting clerk free, that is busiest in that slot (the most specific on a tie). When the failing slot has no
    window left to open, an earlier slot takes it: the visitors of a slot wait behind the backlog of the slots
    before it.
    """
    servers = _servers_of_key(groups)
    open_slots = grid.open_slots
    changes: list[str] = []

    def open_one(slot: int, keys: Sequence[str], reason: str) -> bool:
        for key in keys:
            candidates = [g for g in servers.get(key, []) if counts[slot].get(g.key, 0) < g.size]
            candidates.sort(
                key=lambda g: (
                    -_group_utilisation(g, evaluation, slot, counts[slot].get(g.key, 0)),
                    len(g.demand_keys),
                    g.window_numbers[0],
                )
            )
            for group in candidates:
                trial = [dict(c) for c in counts]
                trial[slot][group.key] = trial[slot].get(group.key, 0) + 1
                _, seated = seat_plan(setup, groups, grid, tuple(trial))
                if seated[slot].get(group.key, 0) > counts[slot].get(group.key, 0):
                    counts[slot][group.key] = counts[slot].get(group.key, 0) + 1
                    changes.append(f"+1 {group.key} at {grid.label(slot)} ({key}{reason})")
                    return True
        return False

    for slot in slots:
        kpis = evaluation.slots[slot]
        wanted = 1 if not kpis.is_judged or kpis.share_within >= setup.promise.share_within - 0.1 else 2
        late = evaluation.late_by_key[slot]
        keys = sorted(late, key=lambda k: (-late[k], k)) or sorted(servers)
        position = open_slots.index(slot) if slot in open_slots else 0
        earlier = list(reversed(open_slots[max(0, position - BACKLOG_SLOTS) : position]))
        for _ in range(wanted):
            if open_one(slot, keys, ""):
                continue
            if not any(open_one(e, keys, f", backlog of {grid.label(slot)}") for e in earlier):
                break
    return changes


def _must_keep(
    groups: Sequence[SkillGroup], counts: Mapping[str, int], demand_keys: set[str], group: SkillGroup
) -> bool:
    """Whether closing one of ``group``'s windows would leave a key with demand and no open window."""
    for key in group.demand_keys & demand_keys:
        others = sum(counts.get(g.key, 0) for g in groups if key in g.demand_keys and g.key != group.key)
        if others + counts.get(group.key, 0) - 1 <= 0:
            return True
    return False


Evaluate = Callable[[Sequence[Mapping[str, int]], int], tuple[Roster, PlanCounts, PlanEvaluation]]


TARGET_UTILISATION: Final = 0.8
"""The busy share per open window the closing phase aims for before the twin has the last word."""

BACKLOG_REACH: Final = 2
"""How many slots after a closing may inherit its backlog (and so undo it when they fail)."""


def _close_windows(
    setup: CentreSetup,
    groups: Sequence[SkillGroup],
    grid: DayGrid,
    counts: list[dict[str, int]],
    demand: Mapping[str, KeyDemand],
    evaluate: Evaluate,
    reps: int,
    rounds: int,
    max_rounds: int,
    steps: list[PlanStep],
    note: Callable[[str], None],
    initial: PlanEvaluation | None = None,
) -> tuple[list[dict[str, int]], int]:
    """Close windows in slots where the promise holds with room to spare; reopen where that hurt.

    A slot's first step closes the windows beyond what its busy time needs at ``TARGET_UTILISATION`` (at least
    one). A closing hurts when its slot, or one of the next ``BACKLOG_REACH`` slots (which inherit its backlog),
    then misses the promise: it is undone and that slot's step halves, down to nothing.
    """
    labels = grid.labels
    promise = setup.promise
    step: dict[int, int] = {}
    evaluation = initial
    while rounds < max_rounds:
        rounds += 1
        current = evaluation if evaluation is not None else evaluate(counts, reps)[2]
        trial = [dict(c) for c in counts]
        removed: dict[int, list[str]] = {}
        for i in grid.open_slots:
            kpis = current.slots[i]
            n = sum(trial[i].values())
            if step.get(i) == 0 or n == 0:
                continue
            roomy = not kpis.is_judged or kpis.share_within >= promise.share_within + PRUNE_MARGIN
            if promise.mean_minutes is not None and kpis.is_judged:
                roomy = roomy and kpis.mean_wait_minutes <= 0.6 * promise.mean_minutes
            if not roomy:
                continue
            if i not in step:
                busy = math.fsum(current.utilisation_by_window[i].values())
                step[i] = max(1, n - math.ceil(busy / TARGET_UTILISATION))
            keys = {k for k, d in demand.items() if d.rates[i] > 0}
            for _ in range(step[i]):
                open_groups = [g for g in groups if trial[i].get(g.key, 0) > 0]
                open_groups.sort(
                    key=lambda g: (_group_utilisation(g, current, i, trial[i][g.key]), -g.window_numbers[0])
                )
                group = next((g for g in open_groups if not _must_keep(groups, trial[i], keys, g)), None)
                if group is None:
                    break
                trial[i][group.key] -= 1
                removed.setdefault(i, []).append(group.key)
        if not removed:
            break
        _, _, after = evaluate(trial, reps)
        failing = set(after.failing_slots)
        kept: list[str] = []
        reverted = False
        for i, keys_removed in removed.items():
            if any(j in failing for j in range(i, i + BACKLOG_REACH + 1)):
                for key in keys_removed:
                    trial[i][key] += 1
                step[i] = step[i] // 2
                reverted = True
            else:
                kept.extend(f"-1 {key} at {labels[i]}" for key in keys_removed)
        steps.append(PlanStep("close", reps, tuple(labels[i] for i in after.failing_slots), tuple(kept)))
        note(f"round {rounds}: closed {len(kept)} windows")
        evaluation = None if reverted else after
        counts = trial
    return counts, rounds


def plan_day(
    setup: CentreSetup,
    forecast: DayForecast,
    *,
    replications: int = 30,
    seed: int = 1,
    executor: Executor | None = None,
    screening_replications: int = 6,
    max_rounds: int = 40,
    progress: Callable[[str], None] | None = None,
) -> DayPlan:
    """Plan a day: the Erlang C plan, then the fewest windows per group and slot that keep the promise in the twin.

    Args:
        setup: The centre.
        forecast: The day's expected visitors.
        replications: Validation replications (at least 2; the search screens with fewer).
        seed: First seed; every evaluation uses the same seeds (common random numbers).
        executor: Runs replications (a process pool for speed); serially if ``None``.
        screening_replications: Replications of the search's screening rounds.
        max_rounds: A bound on the search's rounds.
        progress: Called with a short line after each round.
    """
    if replications < 2:
        raise ScenarioError("replications", "must be at least 2")
    grid = forecast.grid
    groups = skill_groups(setup)
    erlang = erlang_plan(setup, groups, forecast)
    _, erlang_counts = seat_plan(setup, groups, grid, erlang.counts)
    screen = max(2, min(screening_replications, replications))
    demand = key_demand(setup, forecast)

    cache: dict[tuple[object, int], tuple[Roster, PlanCounts, PlanEvaluation]] = {}

    def evaluate(counts: Sequence[Mapping[str, int]], reps: int) -> tuple[Roster, PlanCounts, PlanEvaluation]:
        roster, seated = seat_plan(setup, groups, grid, tuple(counts))
        key = (tuple(tuple(sorted(s.items())) for s in roster), reps)
        if key not in cache:
            margin = SCREENING_MARGIN if reps < replications else 0.0
            cache[key] = (
                roster,
                seated,
                evaluate_roster(
                    setup, forecast, roster, replications=reps, seed=seed, executor=executor, share_margin=margin
                ),
            )
        return cache[key]

    def note(line: str) -> None:
        if progress is not None:
            progress(line)

    _, _, erlang_evaluation = evaluate(erlang_counts, replications)
    note(f"Erlang C plan: {len(erlang_evaluation.failing_slots)} slots miss the promise")
    counts = [dict(c) for c in erlang_counts]
    steps: list[PlanStep] = []
    labels = grid.labels

    rounds = 0

    def open_until_passing(reps: int, first: PlanEvaluation | None = None) -> bool:
        """Phase 1: open windows until every slot passes; return False when some slot cannot be helped."""
        nonlocal counts, rounds
        evaluation = first
        while rounds < max_rounds:
            rounds += 1
            if evaluation is None:
                _, seated, evaluation = evaluate(counts, reps)
                counts = [dict(c) for c in seated]
            failing = evaluation.failing_slots
            if not failing:
                return True
            changes = open_more_windows(setup, groups, grid, counts, evaluation, failing)
            steps.append(PlanStep("open", reps, tuple(labels[i] for i in failing), tuple(changes)))
            note(f"round {rounds}: {len(failing)} slots fail, {len(changes)} windows opened")
            if not changes:
                return False
            evaluation = None
        return False

    reps = screen
    validated: PlanEvaluation | None = None
    passing = erlang_evaluation.meets_promise
    staff_limited = not open_until_passing(reps, erlang_evaluation)
    if not staff_limited:
        # Phase 2: close windows where the promise holds with room to spare, then mend what that broke.
        counts, rounds = _close_windows(
            setup, groups, grid, counts, demand, evaluate, reps, rounds, max_rounds, steps, note,
            initial=erlang_evaluation if passing else None,
        )  # fmt: skip
        staff_limited = not open_until_passing(reps)
    if not staff_limited:
        # Validation with every replication; mend at full strength if a slot fails.
        _, seated, validated = evaluate(counts, replications)
        steps.append(PlanStep("validate", replications, tuple(labels[i] for i in validated.failing_slots), ()))
        note(f"validation with {replications} replications: {len(validated.failing_slots)} slots fail")
        if not validated.meets_promise:
            staff_limited = not open_until_passing(replications)
    roster, seated, validated = evaluate(counts, replications)
    return DayPlan(
        forecast=forecast,
        groups=groups,
        erlang=erlang,
        erlang_counts=erlang_counts,
        erlang_evaluation=erlang_evaluation,
        counts=seated,
        roster=roster,
        evaluation=validated,
        steps=tuple(steps),
        is_staff_limited=staff_limited or not validated.meets_promise,
    )


def comparison_table(plan: DayPlan) -> str:
    """Return the side-by-side table of the two plans as Markdown: windows, share within, mean wait, misses."""
    lines = [
        "| slot | visitors | Erlang C windows | Erlang C within | Erlang C mean wait | simulated windows "
        "| simulated within | simulated mean wait |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def pct(value: object) -> str:
        return "—" if not isinstance(value, float) else f"{value * 100:.0f} %"

    def minutes(value: object) -> str:
        return "—" if not isinstance(value, float) else f"{value:.1f}"

    for row in plan.comparison_rows():
        e, s = row["erlang"], row["simulated"]
        assert isinstance(e, dict)
        assert isinstance(s, dict)
        e_flag = "" if e["meetsPromise"] else " ✗"
        s_flag = "" if s["meetsPromise"] else " ✗"
        lines.append(
            f"| {row['slot']} | {row['expectedVisitors']} | {row['erlangWindows']} | {pct(e['shareWithin'])}{e_flag} "
            f"| {minutes(e['meanWaitMinutes'])} | {row['simulatedWindows']} | {pct(s['shareWithin'])}{s_flag} "
            f"| {minutes(s['meanWaitMinutes'])} |"
        )
    e_fail, s_fail = len(plan.erlang_evaluation.failing_slots), len(plan.evaluation.failing_slots)
    lines.append(
        f"| **day** | {plan.forecast.expected_visitors():.0f} | **{plan.erlang_staff_hours:.1f} h** "
        f"| {pct(plan.erlang_evaluation.share_within)} | {minutes(plan.erlang_evaluation.mean_wait_minutes)} "
        f"| **{plan.simulated_staff_hours:.1f} h** | {pct(plan.evaluation.share_within)} "
        f"| {minutes(plan.evaluation.mean_wait_minutes)} |"
    )
    lines.append("")
    lines.append(
        f"Slots missing the promise: Erlang C plan {e_fail}, simulated plan {s_fail}. "
        f"Staff-hours (window-hours while open): Erlang C {plan.erlang_staff_hours:.1f}, "
        f"simulated {plan.simulated_staff_hours:.1f}."
    )
    return "\n".join(lines)
