"""Replications: independent seeds, the same answer serially or in a process pool, KPI means with 95 % intervals."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from simulation.runner import replicate, run, run_and_summarise, simulate_json, summarise_run
from simulation.scenario import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict

pytestmark = pytest.mark.unit


def test_replication_i_uses_seed_plus_i(centre_day: Scenario) -> None:
    summary = replicate(centre_day, 3, seed=40)
    assert summary.runs == tuple(run_and_summarise(centre_day, s) for s in (40, 41, 42))


def test_replications_in_a_process_pool_give_the_same_answer(centre_day: Scenario) -> None:
    serial = replicate(centre_day, 4, seed=5)
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = replicate(centre_day, 4, seed=5, executor=pool)
    assert parallel == serial


def test_a_scenario_and_its_kpis_are_picklable(centre_day: Scenario) -> None:
    assert pickle.loads(pickle.dumps(centre_day)) == centre_day
    kpis = run_and_summarise(centre_day, 1)
    assert pickle.loads(pickle.dumps(kpis)) == kpis


def test_replicate_estimates_every_kpi_with_an_interval(centre_day: Scenario) -> None:
    summary = replicate(centre_day, 5, seed=1)
    wait = summary.estimates["mean_wait_minutes"]
    assert wait.n == 5
    assert wait.ci95 is not None
    assert wait.ci95[0] < wait.mean < wait.ci95[1]
    assert {"p90_wait_minutes", "share_within_promise", "p_wait_gt_15", "utilisation", "abandoned"} <= set(
        summary.estimates
    )
    as_json = summary.to_dict()
    assert as_json["replications"] == 5


def test_replicate_refuses_a_bad_scenario_before_running(centre_day: Scenario) -> None:
    with pytest.raises(ScenarioError):
        replicate(replace(centre_day, calling_policy="nope"), 2, seed=1)


def test_a_centre_day_accounts_for_every_visitor_and_window_minute(centre_day: Scenario) -> None:
    result = run(centre_day, 3)
    kpis = summarise_run(result, centre_day)
    overall = kpis.overall
    assert overall.visitors == overall.served + overall.no_shows + overall.abandoned + overall.unserved
    assert [r.sequence for r in result.records] == list(range(1, len(result.records) + 1))
    for number, busy in result.busy_minutes.items():
        assert busy <= result.staffed_minutes[number] + 1e-9
    assert 0 < kpis.utilisation <= 1
    # nobody is issued a ticket while the hall is closed for lunch (12:00–14:00 = minutes 210–330)
    assert not [r for r in result.records if 210 <= r.arrived_minutes < 330]


def test_simulate_json_reports_a_centre_day_by_kpi_and_slot(centre_day: Scenario) -> None:
    out = simulate_json(scenario_to_dict(centre_day), replications=3, seed=9)
    assert out["kind"] == "centre"
    kpis = out["kpis"]
    assert isinstance(kpis, dict)
    assert set(kpis["mean_wait_minutes"]) == {"mean", "ci95", "n"}
    by_slot = out["by_slot"]
    assert isinstance(by_slot, dict)
    assert list(by_slot)[:2] == ["08:30", "09:00"]
    assert "12:30" not in by_slot  # closed for lunch
    assert json.loads(json.dumps(out)) == out


def test_simulate_json_dispatches_the_stationary_form() -> None:
    spec = {
        "kind": "stationary",
        "arrival_rate_per_hour": 30,
        "service": {"distribution": "exponential", "mean_minutes": 6},
        "windows": 4,
        "duration_hours": 5,
    }
    assert simulate_json(spec, replications=2, seed=1)["erlang_c"] is not None


def test_a_scenario_files_routing_promise_defaults_to_the_centres_promise(centre_day: Scenario) -> None:
    data = scenario_to_dict(centre_day)
    data["promise"] = {"share_within": 0.9, "within_minutes": 20, "mean_minutes": None}
    data["routing_rules"] = {}
    scenario = scenario_from_dict(data)
    assert scenario.routing_rules.promise_wait == timedelta(minutes=20)
