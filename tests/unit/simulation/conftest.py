"""Scenarios shared by the simulation tests: a small non-stationary two-domain centre day and a one-window hall."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from simulation.distributions import DistributionSpec
from simulation.scenario import ItemSpec, Scenario, StaffSpec, WindowSpec, stationary_from_dict

START = datetime.fromisoformat("2025-03-03T08:30:00+08:00")  # a Monday

# shared/domain.md §5.3 hour weights, one per 30-minute slot from 08:30; 12:00–14:00 is the lunch close.
HOUR_WEIGHTS = (0.9, 1.4, 1.4, 1.5, 1.5, 1.1, 0.6, 0, 0, 0, 0, 1.0, 1.0, 1.2, 1.2, 0.9, 0.9, 0.4)

SS = ServiceDomain.SOCIAL_SECURITY
RE = ServiceDomain.REAL_ESTATE


def _levels(mean: float, cv: float, levels: dict[SkillLevel, float]) -> dict[SkillLevel, DistributionSpec]:
    """Service time per level: base mean × level factor (shared/domain.md §2.5 suggests 1.00/0.90/0.80)."""
    return {level: DistributionSpec.lognormal(mean * factor, cv) for level, factor in levels.items()}


ALL_LEVELS = {
    SkillLevel.L5: 1.1,
    SkillLevel.L4: 1.0,
    SkillLevel.L3: 0.9,
    SkillLevel.L2: 0.8,
    SkillLevel.L1: 0.75,
}
SENIOR_LEVELS = {SkillLevel.L3: 0.9, SkillLevel.L2: 0.8, SkillLevel.L1: 0.75}


def centre_day_scenario() -> Scenario:
    """A county centre's Monday: social security (2 items) and real estate (1 item, needs L3), 7 windows.

    Windows 1–3 social security, 4–5 real estate, 6 a priority window for both domains, 7 an all-service window
    opened at the morning and afternoon peaks. S03 moves from window 3 to window 7 at 15:00.
    """
    items = {
        "SS01": ItemSpec(
            requirement=ItemRequirement("SS01", SS, SkillLevel.L5, 6.0),
            service=_levels(6.0, 0.6, ALL_LEVELS),
        ),
        "SS02": ItemSpec(
            requirement=ItemRequirement("SS02", SS, SkillLevel.L4, 10.0),
            service=_levels(10.0, 0.7, ALL_LEVELS),
        ),
        "RE01": ItemSpec(
            requirement=ItemRequirement("RE01", RE, SkillLevel.L3, 30.0),
            service=_levels(30.0, 0.5, SENIOR_LEVELS),
        ),
    }
    base = {"SS01": 22.0, "SS02": 10.0, "RE01": 4.0}
    arrivals = {code: tuple(rate * w for w in HOUR_WEIGHTS) for code, rate in base.items()}
    windows = (
        WindowSpec(1, WindowType.COMPREHENSIVE_DOMAIN, frozenset({SS})),
        WindowSpec(2, WindowType.COMPREHENSIVE_DOMAIN, frozenset({SS})),
        WindowSpec(3, WindowType.COMPREHENSIVE_DOMAIN, frozenset({SS})),
        WindowSpec(4, WindowType.COMPREHENSIVE_DOMAIN, frozenset({RE})),
        WindowSpec(5, WindowType.COMPREHENSIVE_DOMAIN, frozenset({RE})),
        WindowSpec(6, WindowType.PRIORITY, frozenset({SS, RE})),
        WindowSpec(7, WindowType.COMPREHENSIVE_ALL),
    )
    staff = (
        StaffSpec("S01", SkillLevel.L4, frozenset({SS})),
        StaffSpec("S02", SkillLevel.L5, frozenset({SS})),  # junior: SS01 only (SS02 needs L4)
        StaffSpec("S03", SkillLevel.L4, frozenset({SS})),
        StaffSpec("R01", SkillLevel.L3, frozenset({RE})),
        StaffSpec("R02", SkillLevel.L2, frozenset({RE})),
        StaffSpec("P01", SkillLevel.L2, frozenset({SS, RE})),
        StaffSpec("G01", SkillLevel.L3, frozenset({SS, RE})),
    )
    roster: list[dict[int, str | None]] = []
    for slot in range(len(HOUR_WEIGHTS)):
        seats: dict[int, str | None] = {1: "S01", 2: "S02", 3: "S03", 4: "R01", 5: "R02", 6: "P01", 7: None}
        if 1 <= slot <= 5 or 13 <= slot <= 15:
            seats[7] = "G01"
        if slot >= 13:
            seats[3] = None
            seats[7] = "S03"
        roster.append(seats)
    return Scenario(
        name="baseline centre day",
        start=START,
        sessions=((0.0, 210.0), (330.0, 540.0)),
        slot_minutes=30.0,
        items=items,
        arrivals=arrivals,
        windows=windows,
        staff=staff,
        roster=tuple(roster),
        priority_shares={PriorityGroup.ELDERLY: 0.05, PriorityGroup.MILITARY: 0.01, PriorityGroup.EMERGENCY: 0.005},
        appointment_share=0.08,
        no_show_probability=0.05,
        appointment_no_show_probability=0.12,
        no_show_call_minutes=1.0,
        patience=DistributionSpec.lognormal(45.0, 0.4),
        calling_policy="default",
    )


def one_window_scenario(
    *,
    service_minutes: float = 10.0,
    close_minute: float = 600.0,
    windows: tuple[WindowSpec, ...] = (WindowSpec(1),),
    seats: dict[int, str | None] | None = None,
    staff: tuple[StaffSpec, ...] | None = None,
    calling_policy: str = "default",
    clear_queue_at_close: bool = True,
) -> Scenario:
    """A tiny hall for scripted tests: items A (social security) and B (real estate, needs L3), no random demand."""
    items = {
        "A": ItemSpec(
            requirement=ItemRequirement("A", SS, SkillLevel.L5, service_minutes),
            service=dict.fromkeys(SkillLevel, DistributionSpec.deterministic(service_minutes)),
        ),
        "B": ItemSpec(
            requirement=ItemRequirement("B", RE, SkillLevel.L3, service_minutes),
            service=dict.fromkeys(SkillLevel, DistributionSpec.deterministic(service_minutes)),
        ),
    }
    staff = staff if staff is not None else (StaffSpec("S1", SkillLevel.L2, frozenset({SS, RE})),)
    seats = seats if seats is not None else {1: "S1"}
    return Scenario(
        name="one window",
        start=START,
        sessions=((0.0, close_minute),),
        slot_minutes=close_minute,
        items=items,
        arrivals={"A": (0.0,), "B": (0.0,)},
        windows=windows,
        staff=staff,
        roster=(seats,),
        calling_policy=calling_policy,
        clear_queue_at_close=clear_queue_at_close,
    )


def busy_hall_scenario() -> Scenario:
    """M/M/30 at ρ = 0.9 for 8 hours (250 visitors an hour, 6.5 minutes each), 10 % of them elderly."""
    scenario = stationary_from_dict(
        {
            "kind": "stationary",
            "arrival_rate_per_hour": 250,
            "service": {"distribution": "exponential", "mean_minutes": 6.5},
            "windows": 30,
            "duration_hours": 8,
        }
    ).to_scenario()
    return replace(scenario, priority_shares={PriorityGroup.ELDERLY: 0.1})


@pytest.fixture
def centre_day() -> Scenario:
    return centre_day_scenario()


@pytest.fixture
def busy_hall() -> Scenario:
    return busy_hall_scenario()


@pytest.fixture
def make_one_window() -> Callable[..., Scenario]:
    return one_window_scenario
