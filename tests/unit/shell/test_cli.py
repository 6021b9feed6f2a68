"""The command-line contract used by benchmarks and external checks: `hall simulate` and `hall staffing required`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hall.cli import main

pytestmark = pytest.mark.unit


def test_simulate_prints_one_json_object_with_the_documented_keys(tmp_path: Path) -> None:
    scenario = tmp_path / "stationary.json"
    scenario.write_text(
        json.dumps(
            {
                "kind": "stationary",
                "arrival_rate_per_hour": 60,
                "service": {"distribution": "lognormal", "mean_minutes": 8, "cv": 0.7},
                "windows": 10,
                "duration_hours": 20,
                "warmup_hours": 2,
                "wait_thresholds_minutes": [5, 10, 15],
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["simulate", "--scenario", str(scenario), "--replications", "3", "--workers", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["wq_minutes"]) >= {"mean", "ci95"}
    assert len(report["wq_minutes"]["ci95"]) == 2
    assert set(report["p_wait_gt"]) == {"5", "10", "15"}
    assert 0 < report["utilisation"] < 1
    assert report["visitors"] > 0


def test_simulate_refuses_a_bad_scenario_naming_the_field(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.json"
    scenario.write_text(
        json.dumps({"kind": "stationary", "arrival_rate_per_hour": -5, "service": {"distribution": "exponential",
                    "mean_minutes": 8}, "windows": 3, "duration_hours": 10}),
        encoding="utf-8",
    )  # fmt: skip
    result = CliRunner().invoke(main, ["simulate", "--scenario", str(scenario), "--workers", "1"])
    assert result.exit_code != 0
    assert "arrival_rate_per_hour" in result.output


@pytest.mark.parametrize(
    ("target", "expected"),
    [("80% within 15", 17), ("mean <= 10", 17)],
)
def test_staffing_required_finds_the_fewest_windows(target: str, expected: int) -> None:
    result = CliRunner().invoke(
        main,
        ["staffing", "required", "--arrival-rate-per-hour", "120", "--mean-service-minutes", "8", "--target", target,
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["min_windows"] == expected
    assert report["at_min"]["meets_target"] is True
    assert report["at_one_fewer"]["meets_target"] is False
