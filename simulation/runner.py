"""Run the twin: one seeded run, independent replications with confidence intervals, and the CLI's JSON reports.

``run(scenario, seed)`` is deterministic: the same scenario and seed give identical records. ``replicate`` runs
replication ``i`` with seed ``seed + i``, optionally in a ``concurrent.futures`` executor (the worker is a
top-level function and the scenario is plain picklable data), so the results do not depend on where the runs
happen: serially, in a process pool, or on a Dask cluster through ``Client.get_executor()``. ``replicate_many`` and
``sweep_json`` hand every run of several scenarios to the executor at once (a sweep keeps a cluster busy). SimPy is
CPU-bound: use a process pool for parallelism, and never run it inside an async request handler.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta

import simpy

from simulation.erlang import (
    MeanWaitTarget,
    ServiceLevelTarget,
    allen_cunneen_wait_minutes,
    erlang_c_metrics,
    min_servers,
    parse_target,
)
from simulation.metrics import Estimate, Kpis, estimate, kpi_values, summarise, threshold_key
from simulation.model import RandomStreams, ScriptedArrival, build
from simulation.records import ServiceRecord
from simulation.scenario import (
    Scenario,
    ScenarioError,
    StationarySpec,
    scenario_from_dict,
    stationary_from_dict,
    validate,
)


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one run produced.

    Attributes:
        seed: The seed of the run.
        records: One record per visitor, in ticket order.
        busy_minutes: Busy minutes (serving or calling a no-show) per window number, after the warm-up.
        staffed_minutes: Minutes someone was seated per window number, after the warm-up.
        end_minutes: When the last event happened.
    """

    seed: int
    records: tuple[ServiceRecord, ...]
    busy_minutes: Mapping[int, float]
    staffed_minutes: Mapping[int, float]
    end_minutes: float


def run(
    scenario: Scenario, seed: int, *, script: Sequence[ScriptedArrival] | None = None, check: bool = True
) -> RunResult:
    """Simulate the scenario once with ``seed``.

    Args:
        scenario: What to simulate.
        seed: The run's seed; all randomness comes from streams derived from it.
        script: Scripted visitors replacing the scenario's random arrivals (ticket-log replay, parity tests).
        check: Validate the scenario first (skip only when the caller already did).

    Raises:
        ScenarioError: when the scenario is refused.
    """
    if check:
        validate(scenario)
    for i, arrival in enumerate(script or ()):
        unknown = [code for code in arrival.item_codes if code not in scenario.items]
        if unknown or not arrival.item_codes:
            raise ScenarioError(f"script[{i}].item_codes", f"must name known items, got {arrival.item_codes!r}")
        if not (math.isfinite(arrival.minute) and arrival.minute >= 0):
            raise ScenarioError(f"script[{i}].minute", "must be a non-negative number of minutes")
    env = simpy.Environment()
    hall = build(env, scenario, RandomStreams.from_seed(seed), script=script)
    env.run()
    hall.finish()
    return RunResult(
        seed=seed,
        records=tuple(hall.records),
        busy_minutes=dict(hall.busy_minutes),
        staffed_minutes=dict(hall.staffed_minutes),
        end_minutes=float(env.now),
    )


def summarise_run(result: RunResult, scenario: Scenario) -> Kpis:
    """Return the KPIs of one run with the scenario's promise, thresholds, warm-up and slots."""
    return summarise(
        result.records,
        promise=scenario.promise,
        thresholds_minutes=scenario.wait_thresholds_minutes,
        warmup_minutes=scenario.warmup_minutes,
        slot_minutes=scenario.slot_minutes,
        busy_minutes=result.busy_minutes,
        staffed_minutes=result.staffed_minutes,
    )


def run_and_summarise(scenario: Scenario, seed: int) -> Kpis:
    """Run once and return only the KPIs (the picklable unit of work of :func:`replicate`)."""
    return summarise_run(run(scenario, seed, check=False), scenario)


@dataclass(frozen=True, slots=True)
class ReplicationSummary:
    """KPI estimates over independent replications.

    Attributes:
        seed: The first seed; replication ``i`` used ``seed + i``.
        runs: The KPIs of each replication, in seed order.
        estimates: Mean and 95 % interval of each scalar KPI (names from ``metrics.kpi_values``).
    """

    seed: int
    runs: tuple[Kpis, ...]
    estimates: Mapping[str, Estimate]

    def to_dict(self, digits: int = 6) -> dict[str, object]:
        """Return ``{"replications": n, "seed": …, "kpis": {name: {"mean", "ci95", "n"}}}``."""
        return {
            "replications": len(self.runs),
            "seed": self.seed,
            "kpis": {name: e.to_dict(digits) for name, e in self.estimates.items()},
        }


def replicate(scenario: Scenario, n: int, seed: int, executor: Executor | None = None) -> ReplicationSummary:
    """Run ``n`` independent replications (seeds ``seed … seed + n − 1``) and estimate each KPI.

    Args:
        scenario: What to simulate (validated once, here).
        n: Number of replications (at least 1; at least 2 for confidence intervals).
        seed: The first seed.
        executor: Run the replications in this executor (e.g. a ``ProcessPoolExecutor``); serially if ``None``.
            Results are the same either way.
    """
    return replicate_many([scenario], n, seed, executor)[0]


def replicate_many(
    scenarios: Sequence[Scenario], n: int, seed: int, executor: Executor | None = None
) -> list[ReplicationSummary]:
    """Replicate each scenario ``n`` times (seeds ``seed … seed + n − 1`` for every one), all runs in one batch.

    Every run of every scenario goes to the executor in one ``map``, so a sweep over many centres or what-ifs
    keeps all of a pool's or a cluster's workers busy instead of waiting for one scenario at a time. Each summary
    is what :func:`replicate` returns for that scenario alone.
    """
    if n < 1:
        msg = "replications must be at least 1"
        raise ValueError(msg)
    for scenario in scenarios:
        validate(scenario)
    jobs = [(scenario, seed + i) for scenario in scenarios for i in range(n)]
    if executor is None:
        kpis = [run_and_summarise(scenario, s) for scenario, s in jobs]
    else:
        kpis = list(executor.map(run_and_summarise, [j[0] for j in jobs], [j[1] for j in jobs]))
    return [_summary(tuple(kpis[k * n : (k + 1) * n]), seed) for k in range(len(scenarios))]


def _summary(runs: tuple[Kpis, ...], seed: int) -> ReplicationSummary:
    values = [kpi_values(k) for k in runs]
    names = list(values[0])
    return ReplicationSummary(
        seed=seed,
        runs=runs,
        estimates={name: estimate(v.get(name, math.nan) for v in values) for name in names},
    )


# ---- CLI reports ------------------------------------------------------------------------------------------------


def _num(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def run_stationary_json(
    spec: Mapping[str, object], replications: int, seed: int, executor: Executor | None = None
) -> dict[str, object]:
    """Simulate a stationary-form scenario and compare it with Erlang C (``hall simulate --scenario F --json``).

    Returns a JSON-ready dict with at least ``wq_minutes`` (``mean`` and ``ci95``), ``p_wait_gt`` (by threshold),
    ``utilisation`` and ``visitors`` (means over replications), their intervals under ``ci95``, and
    ``erlang_c`` with the M/M/c values. For a lognormal service time ``erlang_c.exact`` is false and the
    Allen–Cunneen M/G/c approximation of the mean wait is added.

    Raises:
        ScenarioError: when the spec is refused.
    """
    stationary = stationary_from_dict(spec)
    summary = replicate(stationary.to_scenario(), replications, seed, executor)
    return _stationary_report(stationary, summary, replications, seed)


def _stationary_report(
    stationary: StationarySpec, summary: ReplicationSummary, replications: int, seed: int
) -> dict[str, object]:
    est = summary.estimates
    thresholds = stationary.wait_thresholds_minutes
    mean_service = stationary.service.mean
    theory = erlang_c_metrics(stationary.arrival_rate_per_hour, mean_service, stationary.windows)
    exact = stationary.service.distribution == "exponential"
    wq = est["mean_wait_minutes"]
    erlang: dict[str, object] = {
        "servers": theory.servers,
        "load_erlangs": _num(theory.load),
        "is_stable": theory.is_stable,
        "utilisation": _num(theory.utilisation),
        "p_wait": _num(theory.p_wait),
        "wq_minutes": _num(theory.mean_wait_minutes),
        "p_wait_gt": {threshold_key(t): _num(theory.p_wait_exceeds(t)) for t in thresholds},
        "exact": exact,
    }
    reference = theory.mean_wait_minutes
    if not exact:
        reference = allen_cunneen_wait_minutes(theory, 1.0, stationary.service.scv)
        erlang["allen_cunneen_wq_minutes"] = _num(reference)
    comparison: dict[str, object] = {
        "reference_wq_minutes": _num(reference),
        "wq_relative_error": _num((wq.mean - reference) / reference) if reference > 0 else None,
        "reference_inside_ci95": wq.contains(reference) if math.isfinite(reference) else False,
    }
    return {
        "kind": "stationary",
        "scenario": stationary.to_dict(),
        "replications": replications,
        "seed": seed,
        "wq_minutes": wq.to_dict(),
        "p90_wait_minutes": est["p90_wait_minutes"].to_dict(),
        "share_within_promise": est["share_within_promise"].to_dict(),
        "p_wait_gt": {threshold_key(t): _num(est[f"p_wait_gt_{threshold_key(t)}"].mean) for t in thresholds},
        "utilisation": _num(est["utilisation"].mean),
        "visitors": _num(est["visitors"].mean),
        "ci95": {
            "p_wait_gt": {threshold_key(t): est[f"p_wait_gt_{threshold_key(t)}"].to_dict()["ci95"] for t in thresholds},
            "utilisation": est["utilisation"].to_dict()["ci95"],
            "visitors": est["visitors"].to_dict()["ci95"],
        },
        "erlang_c": erlang,
        "comparison": comparison,
    }


def simulate_json(
    data: Mapping[str, object], replications: int, seed: int, executor: Executor | None = None
) -> dict[str, object]:
    """Simulate a scenario file's contents and return a JSON-ready report (``hall simulate --scenario F --json``).

    The stationary form gives :func:`run_stationary_json`'s report. A centre scenario gives the mean and 95 %
    interval of each KPI over the replications (``kpis``) and, per arrival slot, of the mean wait and the number of
    visitors (``by_slot``, keyed by the slot's start as ``HH:MM`` local time).

    Raises:
        ScenarioError: when the scenario is refused.
    """
    return sweep_json([data], replications, seed, executor)[0]


def sweep_json(
    datas: Sequence[Mapping[str, object]], replications: int, seed: int, executor: Executor | None = None
) -> list[dict[str, object]]:
    """Simulate several scenario files' contents in one batch (``hall simulate --scenario A --scenario B …``).

    Every file is read and checked before anything runs; then all their runs go to the executor together (see
    :func:`replicate_many`). Each report is :func:`simulate_json`'s for that file alone, in the order given.

    Raises:
        ScenarioError: when a scenario is refused.
    """
    prepared: list[StationarySpec | Scenario] = [
        stationary_from_dict(data) if data.get("kind") == "stationary" else scenario_from_dict(data) for data in datas
    ]
    scenarios = [p.to_scenario() if isinstance(p, StationarySpec) else p for p in prepared]
    summaries = replicate_many(scenarios, replications, seed, executor)
    return [
        _stationary_report(p, summary, replications, seed)
        if isinstance(p, StationarySpec)
        else _centre_report(p, summary, replications, seed)
        for p, summary in zip(prepared, summaries, strict=True)
    ]


def _centre_report(scenario: Scenario, summary: ReplicationSummary, replications: int, seed: int) -> dict[str, object]:
    slots = sorted({slot for k in summary.runs for slot in k.by_slot})
    by_slot: dict[str, object] = {}
    for slot in slots:
        starts = scenario.start + timedelta(minutes=slot * scenario.slot_minutes)
        present = [k.by_slot.get(slot) for k in summary.runs]
        by_slot[starts.strftime("%H:%M")] = {
            "slot": slot,
            "mean_wait_minutes": estimate(s.mean_wait_minutes if s else math.nan for s in present).to_dict(),
            "visitors": estimate(float(s.visitors) if s else 0.0 for s in present).to_dict(),
        }
    return {
        "kind": "centre",
        "scenario": scenario.name,
        "start": scenario.start.isoformat(),
        "calling_policy": scenario.calling_policy,
        "replications": replications,
        "seed": seed,
        "kpis": {name: e.to_dict() for name, e in summary.estimates.items()},
        "by_slot": by_slot,
    }


def required_windows_report(rate_per_hour: float, mean_service_minutes: float, target: str) -> dict[str, object]:
    """Return the minimum number of windows meeting ``target`` by Erlang C, and how it was found.

    For ``hall staffing required``: ``target`` is ``"80% within 15"`` or ``"mean <= 10"``.

    Raises:
        ScenarioError: on ``target``, ``rate_per_hour`` or ``mean_service_minutes`` when unusable.
    """
    goal = parse_target(target)
    answer = min_servers(rate_per_hour, mean_service_minutes, goal)

    def figures(c: int) -> dict[str, object]:
        f = erlang_c_metrics(rate_per_hour, mean_service_minutes, c)
        out: dict[str, object] = {
            "windows": c,
            "utilisation": _num(f.utilisation),
            "p_wait": _num(f.p_wait),
            "wq_minutes": _num(f.mean_wait_minutes),
            "is_stable": f.is_stable,
        }
        if isinstance(goal, ServiceLevelTarget):
            out["share_within"] = _num(f.share_within(goal.within_minutes))
        out["meets_target"] = goal.is_met(f)
        return out

    target_out: dict[str, object]
    if isinstance(goal, MeanWaitTarget):
        target_out = {"kind": "mean_wait", "max_minutes": goal.max_minutes, "text": goal.describe()}
    else:
        target_out = {
            "kind": "service_level",
            "share": goal.share,
            "within_minutes": goal.within_minutes,
            "text": goal.describe(),
        }
    return {
        "rate_per_hour": rate_per_hour,
        "mean_service_minutes": mean_service_minutes,
        "offered_load_erlangs": _num(answer.figures.load),
        "target": target_out,
        "min_windows": answer.servers,
        "at_min": figures(answer.servers),
        "at_one_fewer": None if answer.servers <= 1 else figures(answer.servers - 1),
        "method": (
            "Erlang C (M/M/c, Poisson arrivals, exponential service, FCFS, no abandonment). Searched upward from "
            f"c = floor(load) + 1 = {answer.first_tried} (the fewest windows with a steady state), carrying the "
            "Erlang B recursion B(c) = a·B(c−1) / (c + a·B(c−1)) forward; waits only fall as c grows, so the first "
            "c meeting the target is the minimum. Check the answer with the simulation (priority, no-shows, "
            "abandonment, non-exponential service)."
        ),
        "windows_tried": answer.servers - answer.first_tried + 1,
    }
