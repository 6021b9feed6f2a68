"""Rosters as an integer program: shifts for named staff covering the plans, within hours, leave and fairness."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest

from hall.demo_history import demo_forecast, demo_setup
from simulation.centre import day_grid, day_scenario
from simulation.planning import skill_groups
from simulation.rostering import (
    Absence,
    DayDemand,
    DayRequirement,
    FixedShift,
    RosterRules,
    build_roster,
    default_templates,
    roster_week,
)
from simulation.scenario import validate

pytestmark = pytest.mark.unit

MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=i) for i in range(5)]


def township_week(windows: int = 2) -> tuple[list[DayRequirement], list[DayDemand]]:
    setup = demo_setup("SFX-QS")
    requirements, demands = [], []
    for on in WEEK:
        grid = day_grid(setup, on)
        forecast = demo_forecast(setup, on)
        assert grid is not None
        assert forecast is not None
        counts = tuple({"G1": windows if grid.is_open(i) else 0} for i in range(grid.n_slots))
        requirements.append(DayRequirement(grid, counts))
        demands.append(DayDemand(forecast, counts))
    return requirements, demands


def test_default_templates_follow_the_centres_sessions() -> None:
    templates = {t.name: t.ranges for t in default_templates(demo_setup())}
    assert templates["full"] == ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 0)))
    assert templates["morning"] == ((time(9, 0), time(12, 0)),)
    assert templates["afternoon"] == ((time(13, 30), time(17, 0)),)
    assert templates["split"] == ((time(9, 0), time(11, 0)), (time(15, 0), time(17, 0)))


def test_a_roster_covers_the_plan_within_hours_days_and_one_shift_a_day() -> None:
    setup = demo_setup("SFX-QS")
    requirements, _ = township_week()
    rules = RosterRules(templates=default_templates(setup), default_weekly_hours=30.0, max_days=4)
    roster = build_roster(setup, skill_groups(setup), requirements, rules)
    assert roster.status == "optimal"
    assert not roster.shortage
    per_day = Counter((s.staff_id, s.on) for s in roster.shifts)
    assert max(per_day.values()) == 1
    assert max(Counter(s.staff_id for s in roster.shifts).values()) <= 4
    hours: Counter[str] = Counter()
    for shift in roster.shifts:
        hours[shift.staff_id] += shift.hours  # type: ignore[assignment]
    assert max(hours.values()) <= 30.0
    for requirement in requirements:
        seats = roster.day_roster(requirement.grid)
        for i in requirement.grid.open_slots:
            assert len([p for p in seats[i].values() if p]) == 2
    late = roster.late_shifts()
    assert max(late.values()) - min(late.values()) <= 2


def test_leave_is_respected_and_what_cannot_be_covered_is_reported() -> None:
    setup = demo_setup("SFX-QS")
    requirements, _ = township_week()
    away = tuple(Absence(no, MONDAY) for no in ("QS001", "QS002", "QS003"))
    rules = RosterRules(templates=default_templates(setup), absences=away)
    roster = build_roster(setup, skill_groups(setup), requirements, rules)
    assert not [s for s in roster.shifts if s.on == MONDAY and s.staff_id != "QS004"]
    assert set(roster.shortage) == {MONDAY}
    assert all(groups == {"G1": 2} for groups in roster.shortage[MONDAY].values())  # QS004 does not fit G1
    partial = RosterRules(
        templates=default_templates(setup), absences=(Absence("QS001", MONDAY, time(14, 0), time(15, 0)),)
    )
    roster = build_roster(setup, skill_groups(setup), requirements, partial)
    assert all(s.template == "morning" for s in roster.shifts if s.on == MONDAY and s.staff_id == "QS001")


def test_fixed_shifts_are_kept_and_only_seated() -> None:
    setup = demo_setup("SFX-QS")
    requirements, _ = township_week()
    fixed = [FixedShift("QS001", MONDAY, "full"), FixedShift("QS002", MONDAY, "morning")]
    roster = build_roster(
        setup, skill_groups(setup), requirements, RosterRules(templates=default_templates(setup)), fixed=fixed
    )
    assert sorted((s.staff_id, s.on, s.template) for s in roster.shifts) == [
        ("QS001", MONDAY, "full"),
        ("QS002", MONDAY, "morning"),
    ]
    assert MONDAY in roster.shortage  # one window is empty in the afternoon
    grid = requirements[0].grid
    scenario = day_scenario(setup, grid, {}, roster.day_roster(grid))
    validate(scenario)


def test_a_roster_week_is_simulated_in_its_own_right() -> None:
    setup = demo_setup("SFX-QS")
    _, demands = township_week()
    rules = RosterRules(templates=default_templates(setup))
    outcome = roster_week(setup, skill_groups(setup), demands, rules, replications=3, seed=2, repair_rounds=0)
    assert set(outcome.evaluations) == set(WEEK)
    assert all(e.replications == 3 for e in outcome.evaluations.values())
    assert outcome.meets_promise == all(e.meets_promise for e in outcome.evaluations.values())
