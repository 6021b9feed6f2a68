"""A seeded centre day whose KPI summary must not change unless the model's behaviour is meant to change.

The scenario is ``centre_day_scenario()`` in ``conftest.py`` (two domains, priority groups, appointments, no-shows,
abandonment, a roster that changes by slot). Its KPIs for ``SEED`` are stored in ``tests/golden/baseline_centre.json``
and compared exactly (floats are rounded to 6 decimals in ``Kpis.to_dict``).

To regenerate after an intended change, run

    HALL_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/simulation/test_golden.py

review the diff of the JSON file (``git diff tests/golden/baseline_centre.json``) and commit it with the change
that explains it.
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import pytest

from simulation.runner import run, summarise_run
from simulation.scenario import Scenario

pytestmark = pytest.mark.unit

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "baseline_centre.json"
SEED = 20250303


def _summary(scenario: Scenario) -> dict[str, object]:
    result = run(scenario, SEED)
    reasons = collections.Counter(r.call_reason.value for r in result.records if r.call_reason is not None)
    return {
        "scenario": scenario.name,
        "seed": SEED,
        "records": len(result.records),
        "call_reasons": dict(sorted(reasons.items())),
        "first_calls": [
            [r.ticket_number, r.window_number, r.staff_id, round(r.called_minutes or 0.0, 6)]
            for r in sorted(
                (r for r in result.records if r.called_minutes is not None),
                key=lambda r: (r.called_minutes or 0.0, r.window_number or 0),
            )[:12]
        ],
        "kpis": summarise_run(result, scenario).to_dict(),
    }


def test_the_baseline_centre_day_matches_its_golden_summary(centre_day: Scenario) -> None:
    summary = json.loads(json.dumps(_summary(centre_day), ensure_ascii=False))
    if os.environ.get("HALL_REGENERATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert summary == expected
