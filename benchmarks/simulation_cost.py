"""The twin's cost per visitor against a bare SimPy M/M/c loop and against Ciw, on the same model, in one run.

Run from the project root:

    .venv/bin/python benchmarks/simulation_cost.py [--visitors 2000] [--windows 30] [--runs 20]

The model: Poisson arrivals at λ = visitors / 8 h, exponential service with mean 6.5 minutes, ``windows`` servers,
first come first served, 8 hours (≈ 0.9 utilisation at the defaults). Each engine simulates it ``runs`` times
with seeds 0 … runs−1; the cost per visitor is the best of three passes' wall time divided by the visitors
simulated. The twin runs the full hall (the shared calling policy on every call, snapshots, per-visitor records);
the bare loop is the textbook SimPy ``Resource`` program recording only the wait; Ciw (if installed) is its own
engine with its own records. The mean waits are printed so that one can see the three simulate the same queue.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simpy

from simulation.runner import run
from simulation.scenario import stationary_from_dict

MEAN_SERVICE = 6.5
HOURS = 8.0


def bare_simpy(rate_per_minute: float, windows: int, seed: int) -> list[float]:
    """The textbook M/M/c program: a source process, a ``Resource`` and one process per visitor."""
    env = simpy.Environment()
    rng = random.Random(seed)
    counter = simpy.Resource(env, capacity=windows)
    waits: list[float] = []
    horizon = HOURS * 60.0

    def visitor(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with counter.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1.0 / MEAN_SERVICE))

    def source(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.expovariate(rate_per_minute))
            if env.now >= horizon:
                return
            env.process(visitor(env))

    env.process(source(env))
    env.run()
    return waits


def twin(rate_per_minute: float, windows: int, seed: int) -> list[float]:
    """The twin on its stationary form (one item, identical all-service windows, the shared policy)."""
    scenario = stationary_from_dict(
        {
            "kind": "stationary",
            "arrival_rate_per_hour": rate_per_minute * 60.0,
            "service": {"distribution": "exponential", "mean_minutes": MEAN_SERVICE},
            "windows": windows,
            "duration_hours": HOURS,
        }
    ).to_scenario()
    return [r.waited_minutes for r in run(scenario, seed, check=False).records]


def ciw_engine(rate_per_minute: float, windows: int, seed: int) -> list[float]:
    """The same M/M/c queue in Ciw."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate_per_minute)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_SERVICE)],
        number_of_servers=[windows],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(HOURS * 60.0)
    return [r.waiting_time for r in simulation.get_all_records()]


def measure(
    engine: Callable[[float, int, int], list[float]], rate: float, windows: int, runs: int
) -> tuple[float, int, float]:
    """Return (µs per visitor, visitors per pass, mean wait) — best wall time of three passes."""
    best = math.inf
    visitors = 0
    waits: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        waits = []
        for seed in range(runs):
            waits.extend(engine(rate, windows, seed))
        best = min(best, time.perf_counter() - started)
        visitors = len(waits)
    return best / visitors * 1e6, visitors, statistics.fmean(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=2000, help="visitors per simulated day")
    parser.add_argument("--windows", type=int, default=30)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rate = args.visitors / (HOURS * 60.0)
    engines: list[tuple[str, Callable[[float, int, int], list[float]]]] = [("bare SimPy", bare_simpy), ("twin", twin)]
    try:
        import ciw  # noqa: F401

        engines.append(("Ciw", ciw_engine))
    except ImportError:
        print("Ciw is not installed: its column is left out (add `ciw` to the dev dependencies to include it)")
    results = {name: measure(engine, rate, args.windows, args.runs) for name, engine in engines}
    utilisation = rate * MEAN_SERVICE / args.windows
    print(f"M/M/{args.windows}, λ = {rate * 60:.0f}/h, mean service {MEAN_SERVICE} min, ρ = {utilisation:.2f}, "
          f"{HOURS:g} h × {args.runs} runs")  # fmt: skip
    print(f"{'engine':<12}{'µs/visitor':>12}{'visitors':>10}{'mean wait (min)':>17}{'× bare SimPy':>14}")
    bare = results["bare SimPy"][0]
    for name, (cost, visitors, wait) in results.items():
        print(f"{name:<12}{cost:>12.1f}{visitors:>10}{wait:>17.3f}{cost / bare:>14.2f}")
    if "Ciw" in results:
        print(f"twin / Ciw = {results['twin'][0] / results['Ciw'][0]:.2f}")


if __name__ == "__main__":
    main()
