"""Replications and sweeps on a Dask distributed cluster give exactly the seeded results of a local pool.

One local cluster of two worker processes (``LocalCluster(n_workers=2, processes=True)``) serves the whole module;
the work shipped to it is the simulation's own top-level functions, through ``Client.get_executor()`` as
``PlanningCompute`` and ``hall simulate --dask-scheduler`` use it.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from hall.cli import main
from hall.demo_history import demo_forecast, demo_setup
from simulation.planning import plan_day
from simulation.runner import replicate, replicate_many
from simulation.scenario import Scenario, scenario_to_dict
from staffing.planning import compute as compute_module
from staffing.planning.compute import PlanningCompute, replication_executor

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.unit, pytest.mark.slow]

MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local Dask cluster of two worker processes, one thread each."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=True
    ) as cluster:
        yield cluster.scheduler_address


@contextmanager
def tasks_on(scheduler: str) -> Iterator[list[str]]:
    """Collect the names of the functions the cluster runs tasks of inside the block (one per task)."""
    names: list[str] = []
    with distributed.Client(scheduler, set_as_default=False) as client, distributed.get_task_stream(client) as stream:
        yield names
    names.extend(str(task["key"]).split("-", 1)[0] for task in stream.data)


@pytest.fixture
def cluster(scheduler: str) -> Iterator[PlanningCompute]:
    compute = PlanningCompute(dask_scheduler=scheduler)
    try:
        yield compute
    finally:
        compute.shutdown()


def test_replications_on_the_cluster_match_the_local_pool_run_for_run(
    centre_day: Scenario, cluster: PlanningCompute
) -> None:
    on_cluster = replicate(centre_day, 4, seed=7, executor=cluster.executor)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        in_pool = replicate(centre_day, 4, seed=7, executor=pool)
    assert on_cluster == in_pool == replicate(centre_day, 4, seed=7)


def test_a_sweep_runs_every_scenario_in_one_batch_with_each_ones_own_results(
    centre_day: Scenario, cluster: PlanningCompute
) -> None:
    quieter = replace(
        centre_day, arrivals={code: tuple(r * 0.7 for r in rates) for code, rates in centre_day.arrivals.items()}
    )
    swept = replicate_many([centre_day, quieter], 3, seed=2, executor=cluster.executor)
    assert swept == [replicate(centre_day, 3, seed=2), replicate(quieter, 3, seed=2)]


def test_a_staffing_plan_on_the_cluster_is_the_plan_made_locally(cluster: PlanningCompute) -> None:
    setup = demo_setup("SFX-QS")
    forecast = demo_forecast(setup, MONDAY)
    assert forecast is not None
    with tasks_on(cluster.dask_scheduler or "") as tasks:
        on_cluster = plan_day(
            setup, forecast, replications=4, seed=5, screening_replications=2, executor=cluster.executor
        )
    locally = plan_day(setup, forecast, replications=4, seed=5, screening_replications=2)
    assert on_cluster.to_dict() == locally.to_dict()
    assert set(tasks) == {"tally_run"}
    assert len(tasks) >= 4  # at least the replications of the Erlang C plan


def test_hall_simulate_sweeps_scenario_files_on_the_cluster(
    centre_day: Scenario, scheduler: str, tmp_path: Path
) -> None:
    stationary = tmp_path / "stationary.json"
    stationary.write_text(
        json.dumps({"kind": "stationary", "arrival_rate_per_hour": 60, "windows": 6, "duration_hours": 4,
                    "service": {"distribution": "exponential", "mean_minutes": 5}}),
        encoding="utf-8",
    )  # fmt: skip
    centre = tmp_path / "centre.json"
    centre.write_text(json.dumps(scenario_to_dict(centre_day), ensure_ascii=False), encoding="utf-8")
    files = ["--scenario", str(stationary), "--scenario", str(centre)]
    common = ["simulate", *files, "--replications", "3", "--seed", "4"]
    with tasks_on(scheduler) as tasks:
        on_cluster = CliRunner().invoke(main, [*common, "--dask-scheduler", scheduler])
    locally = CliRunner().invoke(main, [*common, "--workers", "1"])
    assert on_cluster.exit_code == 0, on_cluster.output
    assert locally.exit_code == 0, locally.output
    reports = [json.loads(line) for line in on_cluster.output.splitlines()]
    assert [r["kind"] for r in reports] == ["stationary", "centre"]
    assert on_cluster.output == locally.output
    assert tasks == ["run_and_summarise"] * 6  # both files' runs, in one batch


def test_an_unreachable_scheduler_is_an_error_after_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compute_module, "DASK_CONNECT_SECONDS", 1.0)
    with pytest.raises(OSError, match=r"127\.0\.0\.1:9"), replication_executor(None, 2, "tcp://127.0.0.1:9"):
        pytest.fail("connected to nothing")
