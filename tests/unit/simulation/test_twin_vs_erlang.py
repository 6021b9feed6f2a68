"""The twin against Erlang C: exponential service on a grid of loads (ρ 0.5–0.9), long horizons with warm-up.

For each (λ, s, c) the mean wait over independent replications must contain Erlang C's ``Wq`` in its 95 %
interval, or lie within 5 % of it. Each point has its own seeds, so the points are independent checks. The
tolerance is statistical, so a point may fail for an unlucky seed (about 1 in 20 per point): if that happens after
a change to the model, lengthen the horizon or add replications rather than trying seeds until it passes.
"""

from __future__ import annotations

import pytest

from simulation.erlang import erlang_c_metrics
from simulation.runner import replicate, run_stationary_json
from simulation.scenario import stationary_from_dict

pytestmark = pytest.mark.unit

# (λ visitors per hour, mean service minutes, windows, visitors per replication, replications, first seed)
FAST = [
    pytest.param(10.0, 6.0, 2, 10_000, 6, 1_000, id="rho=0.50 c=2"),
    pytest.param(18.0, 8.0, 4, 10_000, 10, 2_000, id="rho=0.60 c=4"),
    pytest.param(21.0, 10.0, 5, 10_000, 6, 3_000, id="rho=0.70 c=5"),
]
HEAVY = [
    pytest.param(96.0, 5.0, 10, 15_000, 8, 4_000, id="rho=0.80 c=10"),
    pytest.param(243.0, 4.0, 18, 15_000, 8, 5_000, id="rho=0.90 c=18"),
    pytest.param(32.4, 5.0, 3, 15_000, 8, 6_000, id="rho=0.90 c=3"),
]


def _check_against_erlang_c(rate: float, service: float, windows: int, visitors: int, reps: int, seed: int) -> None:
    hours = visitors / rate
    spec = {
        "kind": "stationary",
        "arrival_rate_per_hour": rate,
        "service": {"distribution": "exponential", "mean_minutes": service},
        "windows": windows,
        "duration_hours": hours,
        "warmup_hours": hours / 20,
    }
    scenario = stationary_from_dict(spec).to_scenario()
    summary = replicate(scenario, reps, seed)
    theory = erlang_c_metrics(rate, service, windows)
    wq = summary.estimates["mean_wait_minutes"]
    relative = abs(wq.mean - theory.mean_wait_minutes) / theory.mean_wait_minutes
    assert wq.contains(theory.mean_wait_minutes) or relative <= 0.05, (wq, theory)
    assert summary.estimates["utilisation"].mean == pytest.approx(theory.utilisation, rel=0.03)


@pytest.mark.parametrize(("rate", "service", "windows", "visitors", "reps", "seed"), FAST)
def test_the_twin_matches_erlang_c(
    rate: float, service: float, windows: int, visitors: int, reps: int, seed: int
) -> None:
    _check_against_erlang_c(rate, service, windows, visitors, reps, seed)


@pytest.mark.slow
@pytest.mark.parametrize(("rate", "service", "windows", "visitors", "reps", "seed"), HEAVY)
def test_the_twin_matches_erlang_c_under_heavy_load(
    rate: float, service: float, windows: int, visitors: int, reps: int, seed: int
) -> None:
    _check_against_erlang_c(rate, service, windows, visitors, reps, seed)


def test_run_stationary_json_reports_the_simulation_beside_erlang_c() -> None:
    spec = {
        "kind": "stationary",
        "arrival_rate_per_hour": 120,
        "service": {"distribution": "exponential", "mean_minutes": 8},
        "windows": 18,
        "duration_hours": 20,
        "warmup_hours": 2,
        "wait_thresholds_minutes": [5, 10, 15],
    }
    out = run_stationary_json(spec, replications=3, seed=11)
    wq = out["wq_minutes"]
    assert isinstance(wq, dict)
    assert isinstance(wq["mean"], float)
    assert isinstance(wq["ci95"], list)
    assert len(wq["ci95"]) == 2
    p_gt = out["p_wait_gt"]
    assert isinstance(p_gt, dict)
    assert set(p_gt) == {"5", "10", "15"}
    assert 1 >= p_gt["5"] >= p_gt["10"] >= p_gt["15"] >= 0
    utilisation, visitors = out["utilisation"], out["visitors"]
    assert isinstance(utilisation, float)
    assert isinstance(visitors, float)
    assert 0.8 < utilisation < 0.97
    assert 2000 < visitors < 2400
    erlang = out["erlang_c"]
    assert isinstance(erlang, dict)
    assert erlang["wq_minutes"] == pytest.approx(2.124725, abs=1e-6)
    assert erlang["exact"] is True
    assert run_stationary_json(spec, replications=3, seed=11) == out  # deterministic


def test_a_lognormal_hall_is_compared_with_the_allen_cunneen_approximation() -> None:
    spec = {
        "kind": "stationary",
        "arrival_rate_per_hour": 60,
        "service": {"distribution": "lognormal", "mean_minutes": 8, "cv": 0.6},
        "windows": 10,
        "duration_hours": 10,
        "warmup_hours": 1,
    }
    out = run_stationary_json(spec, replications=2, seed=3)
    erlang = out["erlang_c"]
    assert isinstance(erlang, dict)
    assert erlang["exact"] is False
    assert isinstance(erlang["allen_cunneen_wq_minutes"], float)
