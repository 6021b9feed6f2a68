"""Time one centre-day staffing plan: 30 windows, about 2,000 visitors, 30 validating replications.

Run from the project root:

    .venv/bin/python benchmarks/simulation_plan.py [--replications 30] [--workers 2] [--visitors 2000]
        [--local-cluster | --dask-scheduler ADDRESS]

The centre (built here, not the demo's): 30 windows in six skill groups — 18 all-service windows, 4 social-security
and medical-insurance windows, 2 real-estate, 2 tax, 2 exit-entry, 1 priority window and 1 guide desk — staffed
from 45 clerks of levels L2–L5 with realistic qualifications; 12 items of 3–8 standard minutes (lognormal, CV
0.7); open 09:00–12:00 and 13:00–18:00; the ``shared/domain.md`` §5.3 hour profile; 5 % priority visitors, 5 %
no-shows. ``plan_day`` computes the Erlang C plan, simulates it with every replication, searches the simulated
plan (screening with 10 replications) and validates it with every replication, replications in a process pool of
``--workers`` processes (or on a Dask cluster: ``--local-cluster`` starts one of ``--workers`` worker processes on this
machine, ``--dask-scheduler`` uses a running one). The time is wall-clock for the whole plan; the CPU time of one
twin run of the Erlang C plan's roster (serially, in this process) is printed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from datetime import date
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hall.demo_history import HOUR_WEIGHTS, demo_calendar
from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.centres import OpeningSession
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from simulation.centre import CentreSetup, day_grid, default_item_spec
from simulation.fitting import DayForecast
from simulation.planning import (
    comparison_table,
    day_scenario,
    demand_key_of,
    erlang_plan,
    plan_day,
    seat_plan,
    skill_groups,
    tally_run,
)
from simulation.scenario import StaffSpec, WindowSpec

D = ServiceDomain
ITEMS = [  # code, domain, minutes, min level, share of visitors
    ("B01", D.SOCIAL_SECURITY, 5.0, 5, 0.16),
    ("B02", D.SOCIAL_SECURITY, 7.0, 4, 0.08),
    ("B03", D.MEDICAL_INSURANCE, 5.0, 5, 0.12),
    ("B04", D.MEDICAL_INSURANCE, 6.0, 4, 0.05),
    ("B05", D.HOUSEHOLD_REGISTRATION, 6.0, 5, 0.08),
    ("B06", D.HOUSING_FUND, 6.0, 5, 0.06),
    ("B07", D.TAX, 4.0, 5, 0.08),
    ("B08", D.TAX, 8.0, 3, 0.03),
    ("B09", D.REAL_ESTATE, 8.0, 3, 0.05),
    ("B10", D.EXIT_ENTRY, 5.0, 4, 0.08),
    ("B11", D.CONSULTATION, 3.0, 5, 0.14),
    ("B12", D.CIVIL_AFFAIRS, 5.0, 5, 0.07),
]
ALL = frozenset({D.SOCIAL_SECURITY, D.MEDICAL_INSURANCE, D.HOUSEHOLD_REGISTRATION, D.HOUSING_FUND, D.TAX,
                 D.CONSULTATION, D.CIVIL_AFFAIRS})  # fmt: skip
GREEN = frozenset({D.SOCIAL_SECURITY, D.MEDICAL_INSURANCE, D.HOUSEHOLD_REGISTRATION, D.CIVIL_AFFAIRS, D.HOUSING_FUND})
ON = date(2026, 11, 25)  # a Wednesday


def benchmark_setup() -> CentreSetup:
    items = {
        code: default_item_spec(ItemRequirement(code, domain, SkillLevel(level), minutes))
        for code, domain, minutes, level, _ in ITEMS
    }
    windows = [WindowSpec(n) for n in range(1, 19)]
    windows += [WindowSpec(n, WindowType.COMPREHENSIVE_DOMAIN, frozenset({D.SOCIAL_SECURITY, D.MEDICAL_INSURANCE}))
                for n in range(19, 23)]  # fmt: skip
    windows += [WindowSpec(n, WindowType.COMPREHENSIVE_DOMAIN, frozenset({D.REAL_ESTATE})) for n in (23, 24)]
    windows += [WindowSpec(n, WindowType.SPECIALIZED, frozenset({D.TAX})) for n in (25, 26)]
    windows += [WindowSpec(n, WindowType.SPECIALIZED, frozenset({D.EXIT_ENTRY})) for n in (27, 28)]
    windows += [WindowSpec(29, WindowType.PRIORITY, GREEN), WindowSpec(30, WindowType.GUIDE_DESK)]
    levels = [SkillLevel.L3, SkillLevel.L4, SkillLevel.L4, SkillLevel.L5, SkillLevel.L2]
    staff: list[StaffSpec] = []

    def add(count: int, domains: frozenset[ServiceDomain]) -> None:
        for _ in range(count):
            n = len(staff) + 1
            staff.append(StaffSpec(f"B{n:03d}", levels[n % len(levels)], domains))

    add(24, ALL)
    add(6, frozenset({D.SOCIAL_SECURITY, D.MEDICAL_INSURANCE}))
    add(3, frozenset({D.REAL_ESTATE, D.TAX}))
    add(3, frozenset({D.TAX}))
    add(3, frozenset({D.EXIT_ENTRY, D.HOUSEHOLD_REGISTRATION}))
    add(3, GREEN)
    add(3, frozenset({D.CONSULTATION}))
    return CentreSetup(
        code="BENCH",
        name="benchmark centre",
        zone=ZoneInfo("Asia/Shanghai"),
        sessions=tuple(
            s
            for d in range(5)
            for s in (OpeningSession(d, clock(9), clock(12)), OpeningSession(d, clock(13), clock(18)))
        ),
        calendar=demo_calendar(),
        items=items,
        windows=tuple(windows),
        staff=tuple(staff),
        priority_shares={PriorityGroup.ELDERLY: 0.04, PriorityGroup.MILITARY: 0.01},
        no_show_probability=0.05,
    )


def benchmark_forecast(setup: CentreSetup, visitors: float) -> DayForecast:
    grid = day_grid(setup, ON)
    assert grid is not None
    weights = [HOUR_WEIGHTS.get(grid.label(i), 0.8) * grid.open_minutes(i) for i in range(grid.n_slots)]
    total = sum(weights)
    item_rates = {
        code: tuple(
            visitors * share * (w / total) * 60.0 / grid.open_minutes(i) if w else 0.0 for i, w in enumerate(weights)
        )
        for code, _, _, _, share in ITEMS
    }
    domain_rates: dict[str, tuple[float, ...]] = {}
    for code, domain, _, _, _ in ITEMS:
        previous = domain_rates.get(domain.value, (0.0,) * grid.n_slots)
        domain_rates[domain.value] = tuple(a + b for a, b in zip(previous, item_rates[code], strict=True))
    return DayForecast(grid, 2, 1.0, False, False, domain_rates, item_rates)


def twin_run_seconds(setup: CentreSetup, forecast: DayForecast, runs: int = 5) -> float:
    """CPU seconds of one twin run of the Erlang C plan's roster (the best of ``runs``)."""
    groups = skill_groups(setup)
    roster, _ = seat_plan(setup, groups, forecast.grid, erlang_plan(setup, groups, forecast).counts)
    scenario = day_scenario(setup, forecast.grid, forecast.item_rates, roster)
    key_of = demand_key_of(setup)
    best = float("inf")
    for seed in range(runs):
        started = time.process_time()
        tally_run(scenario, seed, key_of)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--visitors", type=float, default=2000.0)
    parser.add_argument("--table", action="store_true", help="print the side-by-side table too")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--local-cluster", action="store_true", help="replications on a local Dask cluster")
    where.add_argument("--dask-scheduler", metavar="ADDRESS", help="replications on this Dask cluster")
    args = parser.parse_args()
    setup = benchmark_setup()
    forecast = benchmark_forecast(setup, args.visitors)
    print(f"one twin run of the Erlang C plan's roster: {twin_run_seconds(setup, forecast) * 1000:.0f} ms of CPU")
    with ExitStack() as stack:
        if args.local_cluster or args.dask_scheduler:
            from distributed import Client, LocalCluster

            address = args.dask_scheduler
            if address is None:
                cluster = stack.enter_context(
                    LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None)
                )
                address = cluster.scheduler_address
            pool: Executor = stack.enter_context(Client(address, set_as_default=False)).get_executor(pure=False)
            where_text = f"Dask cluster at {address}"
        else:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=args.workers))
            where_text = f"{args.workers} processes"
        list(pool.map(abs, range(args.workers)))  # start the workers before the clock does
        started = time.perf_counter()
        plan = plan_day(setup, forecast, replications=args.replications, executor=pool)
        seconds = time.perf_counter() - started
    evaluations = len(plan.steps) + 2
    print(
        f"one centre-day plan: {len(setup.windows)} windows, {forecast.expected_visitors():.0f} visitors expected, "
        f"{args.replications} validating replications, {where_text}: {seconds:.1f} s "
        f"({len(plan.steps)} search rounds, about {evaluations} evaluations)"
    )
    print(
        f"Erlang C plan {plan.erlang_staff_hours:.1f} window-hours, {len(plan.erlang_evaluation.failing_slots)} slots "
        f"missing the promise; simulated plan {plan.simulated_staff_hours:.1f} window-hours, "
        f"{len(plan.evaluation.failing_slots)} slots missing"
    )
    if args.table:
        print(comparison_table(plan))


if __name__ == "__main__":
    main()
