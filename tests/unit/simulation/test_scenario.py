"""Scenarios are refused before running, with the offending field's path; the JSON forms round-trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from hall.domain.errors import DomainRuleViolation
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from simulation.distributions import DistributionSpec
from simulation.scenario import (
    ItemSpec,
    Scenario,
    ScenarioError,
    StaffSpec,
    WindowSpec,
    scenario_from_dict,
    scenario_to_dict,
    stationary_from_dict,
    validate,
)

pytestmark = pytest.mark.unit


def _with_rates(scenario: Scenario, code: str, rates: tuple[float, ...] | None) -> Scenario:
    arrivals = dict(scenario.arrivals)
    if rates is None:
        del arrivals[code]
    else:
        arrivals[code] = rates
    return replace(scenario, arrivals=arrivals)


def _with_item(scenario: Scenario, code: str, item: ItemSpec) -> Scenario:
    return replace(scenario, items={**scenario.items, code: item})


def _with_roster_seat(scenario: Scenario, slot: int, number: int, staff_id: str | None) -> Scenario:
    roster = list(scenario.roster)
    roster[slot] = {**roster[slot], number: staff_id}
    return replace(scenario, roster=tuple(roster))


def _negative_rate(s: Scenario) -> Scenario:
    rates = list(s.arrivals["SS01"])
    rates[3] = -1.0
    return _with_rates(s, "SS01", tuple(rates))


def _unknown_distribution(s: Scenario) -> Scenario:
    item = s.items["SS01"]
    service = {**item.service, SkillLevel.L4: DistributionSpec("weibull", mean_minutes=5.0)}
    return _with_item(s, "SS01", replace(item, service=service))


def _no_senior_service_time(s: Scenario) -> Scenario:
    item = s.items["RE01"]
    service: dict[SkillLevel, DistributionSpec] = {
        level: spec for level, spec in item.service.items() if level is not SkillLevel.L2
    }
    return _with_item(s, "RE01", replace(item, service=service))


def _unskilled_staff(s: Scenario) -> Scenario:
    return replace(s, staff=(StaffSpec("NOBODY", SkillLevel.L4), *s.staff))


CASES: list[tuple[str, Callable[[Scenario], Scenario], str]] = [
    ("a negative rate", _negative_rate, "arrivals.SS01[3]"),
    ("missing rates", lambda s: _with_rates(s, "SS02", None), "arrivals.SS02"),
    ("too few rates", lambda s: _with_rates(s, "SS02", (1.0, 2.0)), "arrivals.SS02"),
    ("rates for an unknown item", lambda s: replace(s, arrivals={**s.arrivals, "XX": (1.0,) * 18}), "arrivals.XX"),
    ("no windows", lambda s: replace(s, windows=()), "windows"),
    ("an unknown policy", lambda s: replace(s, calling_policy="shortest_first"), "calling_policy"),
    ("an unknown distribution", _unknown_distribution, "items.SS01.service.L4.distribution"),
    ("a staff member with no skill", _unskilled_staff, "staff[0].qualified_domains"),
    ("no service time for a level the roster uses", _no_senior_service_time, "items.RE01.service"),
    ("an unknown staff member in the roster", lambda s: _with_roster_seat(s, 2, 1, "GHOST"), "roster[2].1"),
    ("an unknown window in the roster", lambda s: _with_roster_seat(s, 0, 99, "S01"), "roster[0].99"),
    ("one person at two windows", lambda s: _with_roster_seat(s, 0, 3, "S01"), "roster[0].3"),
    ("a short roster", lambda s: replace(s, roster=s.roster[:3]), "roster"),
    ("a naive start", lambda s: replace(s, start=datetime(2025, 3, 3, 8, 30)), "start"),  # noqa: DTZ001
    ("overlapping sessions", lambda s: replace(s, sessions=((0.0, 210.0), (200.0, 540.0))), "sessions[1]"),
    ("no sessions", lambda s: replace(s, sessions=()), "sessions"),
    ("a no-show certainty", lambda s: replace(s, no_show_probability=1.0), "no_show_probability"),
    ("shares above one", lambda s: replace(s, appointment_share=0.99), "priority_shares"),
    ("a warm-up past the day", lambda s: replace(s, warmup_minutes=600.0), "warmup_minutes"),
    ("a zero threshold", lambda s: replace(s, wait_thresholds_minutes=(5.0, 0.0)), "wait_thresholds_minutes[1]"),
    ("a bad patience", lambda s: replace(s, patience=DistributionSpec("gamma", 5.0)), "patience.distribution"),
    (
        "a domain window without domains",
        lambda s: replace(s, windows=(*s.windows, WindowSpec(8, WindowType.SPECIALIZED))),
        "windows[7].domains",
    ),
    (
        "demand nobody rostered can serve",
        lambda s: replace(s, roster=tuple({**seats, 4: None, 5: None, 6: None, 7: None} for seats in s.roster)),
        "arrivals.RE01",
    ),
]


@pytest.mark.parametrize(("case", "break_it", "field"), CASES, ids=[c[0] for c in CASES])
def test_validate_refuses_and_names_the_field(
    centre_day: Scenario, case: str, break_it: Callable[[Scenario], Scenario], field: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(break_it(centre_day))
    assert caught.value.field == field, case
    assert caught.value.reason


def test_a_valid_centre_day_passes(centre_day: Scenario) -> None:
    validate(centre_day)


def test_scenario_errors_are_domain_rule_violations() -> None:
    assert issubclass(ScenarioError, DomainRuleViolation)


def test_the_json_form_round_trips(centre_day: Scenario) -> None:
    text = json.dumps(scenario_to_dict(centre_day), ensure_ascii=False)
    assert scenario_from_dict(json.loads(text)) == centre_day


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"start": "2025-03-03T08:30:00"}, "start"),
        (
            {"items": {"SS01": {"domain": "astrology", "service": {"distribution": "exponential", "mean_minutes": 5}}}},
            "items.SS01.domain",
        ),
        ({"windows": [{"number": 1, "type": "drive_through"}]}, "windows[0].type"),
        ({"staff": [{"staff_id": "S01", "skill_level": "L9", "qualified_domains": ["tax"]}]}, "staff[0].skill_level"),
        ({"kind": "galaxy"}, "kind"),
        ({"arrivals": {"SS01": [1, "many"]}}, "arrivals.SS01[1]"),
    ],
)
def test_scenario_from_dict_names_the_field(centre_day: Scenario, patch: dict[str, object], field: str) -> None:
    data = {**scenario_to_dict(centre_day), **patch}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    assert caught.value.field == field


def test_one_service_distribution_applies_to_every_level(centre_day: Scenario) -> None:
    data = scenario_to_dict(centre_day)
    items = data["items"]
    assert isinstance(items, dict)
    items["SS01"]["service"] = {"distribution": "exponential", "mean_minutes": 6}
    scenario = scenario_from_dict(data)
    assert set(scenario.items["SS01"].service) == set(SkillLevel)


STATIONARY = {
    "kind": "stationary",
    "arrival_rate_per_hour": 120,
    "service": {"distribution": "exponential", "mean_minutes": 8},
    "windows": 18,
    "duration_hours": 200,
    "warmup_hours": 10,
    "wait_thresholds_minutes": [5, 10, 15],
}


def test_the_stationary_form_is_an_all_service_hall_with_one_person_per_window() -> None:
    scenario = scenario_from_dict(STATIONARY)
    assert len(scenario.windows) == 18
    assert all(w.type is WindowType.COMPREHENSIVE_ALL for w in scenario.windows)
    assert scenario.sessions == ((0.0, 12_000.0),)
    assert scenario.warmup_minutes == 600.0
    assert scenario.arrivals == {"ITEM": (120.0,)}
    assert scenario.roster[0] == {n: f"S{n:03d}" for n in range(1, 19)}
    assert scenario.patience is None
    assert scenario.no_show_probability == 0.0
    assert not scenario.priority_shares


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"service": {"distribution": "lognormal", "mean_minutes": 8}}, "service.cv"),
        ({"service": {"distribution": "deterministic", "mean_minutes": 8}}, "service.distribution"),
        ({"windows": 0}, "windows"),
        ({"arrival_rate_per_hour": -5}, "arrival_rate_per_hour"),
        ({"warmup_hours": 300}, "warmup_hours"),
        ({"calling_policy": "nope"}, "calling_policy"),
    ],
)
def test_the_stationary_form_names_the_field(patch: dict[str, object], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        stationary_from_dict({**STATIONARY, **patch})
    assert caught.value.field == field


def test_a_lognormal_stationary_form_keeps_its_cv() -> None:
    spec = stationary_from_dict({**STATIONARY, "service": {"distribution": "lognormal", "mean_minutes": 8, "cv": 0.6}})
    assert spec.service == DistributionSpec.lognormal(8, 0.6)
    assert stationary_from_dict(spec.to_dict()) == spec
