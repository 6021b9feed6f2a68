"""Fitting arrivals (weekday × slot × domain, with calendar day factors) and service times (shrunk lognormals)."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from hall.demo_history import demo_forecast, demo_setup
from hall.domain.skills import SkillLevel
from simulation.centre import day_grid, open_days
from simulation.errors import ScenarioError
from simulation.fitting import (
    ArrivalObservation,
    ServiceObservation,
    fit_history,
    forecast_day,
    parameters_from_dict,
    schedule_weekday,
)

pytestmark = pytest.mark.unit

FIRST, LAST = date(2026, 8, 24), date(2026, 11, 20)
FITTED_AT = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def history(seed: int = 7) -> list[ArrivalObservation]:
    """Poisson arrivals drawn from the demo demand (which has the §5.3 day factors) for the county centre."""
    setup = demo_setup()
    rng = np.random.default_rng(seed)
    jitter = random.Random(seed)
    observations = []
    for on in open_days(setup, FIRST, LAST):
        forecast = demo_forecast(setup, on)
        assert forecast is not None
        grid = forecast.grid
        for code, rates in forecast.item_rates.items():
            for i, rate in enumerate(rates):
                minutes = grid.open_minutes(i)
                if minutes <= 0:
                    continue
                lo = max(i * grid.slot_minutes, min(o for o, c in grid.sessions if c > i * grid.slot_minutes))
                for _ in range(int(rng.poisson(rate * minutes / 60.0))):
                    at = grid.start + timedelta(minutes=lo + jitter.random() * minutes)
                    observations.append(ArrivalObservation(arrived_at=at, item_code=code))
    return observations


@pytest.fixture(scope="module")
def fitted():
    setup = demo_setup()
    return setup, fit_history(setup, history(), [], first=FIRST, last=LAST, fitted_at=FITTED_AT)


def test_the_fit_recovers_each_weekdays_demand_and_the_calendar_day_factors(fitted) -> None:
    setup, params = fitted
    for on in (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 27)):  # Monday, Wednesday, Friday
        truth = demo_forecast(setup, on)
        forecast = forecast_day(params, setup, on)
        assert truth is not None
        assert forecast is not None
        assert forecast.expected_visitors() == pytest.approx(truth.expected_visitors(), rel=0.08)
    assert params.month_end_factor == pytest.approx(1.15, abs=0.08)
    assert params.after_break_factor == pytest.approx(1.4, abs=0.25)
    assert params.factor_days == {"monthEnd": 9, "afterBreak": 2}


def test_the_fitted_slot_profile_has_the_morning_peak(fitted) -> None:
    _, params = fitted
    monday = params.arrival_rates[0]
    social = {slot: rates["social_security"] for slot, rates in monday.items()}
    assert social["10:00"] > social["11:30"]
    assert social["15:00"] > social["16:30"]
    assert "12:00" not in social  # the lunch close has no rate


def test_a_holiday_has_no_forecast_and_a_make_up_saturday_follows_monday(fitted) -> None:
    setup, params = fitted
    assert forecast_day(params, setup, date(2026, 10, 1)) is None  # 国庆
    make_up = date(2026, 10, 10)  # 国庆节调休上班, a Saturday
    assert schedule_weekday(setup, make_up) == 0
    forecast = forecast_day(params, setup, make_up)
    assert forecast is not None
    assert forecast.grid.labels[0] == "09:00"
    assert forecast.grid.last_open_slot() > 10  # the weekday schedule, not Saturday morning only


def test_what_ifs_scale_the_forecast(fitted) -> None:
    setup, params = fitted
    on = date(2026, 11, 25)
    base = forecast_day(params, setup, on)
    busier = forecast_day(params, setup, on, arrivals_factor=1.2)
    assert base is not None
    assert busier is not None
    assert busier.expected_visitors() == pytest.approx(1.2 * base.expected_visitors())
    with pytest.raises(ScenarioError) as refused:
        forecast_day(params, setup, on, arrivals_factor=-1)
    assert refused.value.field == "arrivalsFactor"


def test_parameters_survive_their_stored_form(fitted) -> None:
    _, params = fitted
    again = parameters_from_dict(params.to_dict())
    assert again.to_dict() == params.to_dict()


def test_service_times_are_lognormal_per_item_and_level_and_thin_cells_are_shrunk() -> None:
    setup = demo_setup()
    rng = random.Random(3)
    mu, sigma = math.log(8.0) - math.log1p(0.6**2) / 2, math.sqrt(math.log1p(0.6**2))
    observations = [ServiceObservation("SB001", SkillLevel.L4, rng.lognormvariate(mu, sigma)) for _ in range(600)]
    observations += [ServiceObservation("SB001", SkillLevel.L3, 30.0), ServiceObservation("SB001", SkillLevel.L3, 32.0)]
    params = fit_history(setup, [], observations, first=FIRST, last=LAST, fitted_at=FITTED_AT)
    l4 = params.service["SB001"][SkillLevel.L4]
    assert l4.mean_minutes == pytest.approx(8.0, rel=0.06)
    assert l4.cv == pytest.approx(0.6, abs=0.07)
    assert l4.observations == 600
    thin = params.service["SB001"][SkillLevel.L3]
    assert thin.observations == 2
    assert thin.data_weight == pytest.approx(2 / 12)
    assert 8.0 < thin.mean_minutes < 20.0  # pulled from 31 toward the item's pooled estimate
    unseen = params.service["BDC01"]
    assert unseen[SkillLevel.L4].observations == 0
    assert unseen[SkillLevel.L4].mean_minutes == pytest.approx(35.0, rel=0.05)  # the catalogue's standard minutes
    assert unseen[SkillLevel.L5].mean_minutes == pytest.approx(35.0 * 1.1, rel=0.05)  # × the default L5 factor


def test_a_fit_refuses_an_empty_range_and_a_naive_moment() -> None:
    setup = demo_setup()
    with pytest.raises(ScenarioError) as empty:
        fit_history(setup, [], [], first=LAST, last=FIRST, fitted_at=FITTED_AT)
    assert empty.value.field == "last"
    with pytest.raises(ScenarioError) as naive:
        fit_history(setup, [], [], first=FIRST, last=LAST, fitted_at=datetime(2026, 11, 22))  # noqa: DTZ001
    assert naive.value.field == "fittedAt"


def test_the_day_grid_is_anchored_at_local_midnight() -> None:
    setup = demo_setup("SFX-QS")
    grid = day_grid(setup, date(2026, 11, 23))
    assert grid is not None
    assert grid.labels[0] == "08:30"
    assert grid.start.utcoffset() == timedelta(hours=8)
    assert grid.open_hours == 7.0
    assert not grid.is_open(grid.labels.index("12:00"))
