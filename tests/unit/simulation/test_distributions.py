"""Distributions draw from the injected generator only and have the means (and spreads) they promise."""

from __future__ import annotations

import math
import pickle
import random
import statistics

import pytest

from simulation.distributions import DistributionSpec, deterministic, empirical, exponential, lognormal
from simulation.draws import exponential_draw
from simulation.errors import ScenarioError

pytestmark = pytest.mark.unit

N = 40_000


def _draws(spec: DistributionSpec, seed: int = 1234) -> list[float]:
    sample = spec.sampler()
    rng = random.Random(seed)
    return [sample(rng) for _ in range(N)]


@pytest.mark.parametrize(
    ("spec", "cv"),
    [
        (DistributionSpec.exponential(8.0), 1.0),
        (DistributionSpec.lognormal(8.0, 0.7), 0.7),
        (DistributionSpec.lognormal(30.0, 0.4), 0.4),
    ],
)
def test_a_distribution_has_the_mean_and_spread_it_is_given(spec: DistributionSpec, cv: float) -> None:
    values = _draws(spec)
    mean = statistics.fmean(values)
    assert mean == pytest.approx(spec.mean, rel=0.02)
    assert statistics.stdev(values) / mean == pytest.approx(cv, rel=0.05)
    assert min(values) >= 0


def test_a_deterministic_duration_is_always_the_same_and_draws_nothing() -> None:
    rng = random.Random(1)
    state = rng.getstate()
    sample = deterministic(4.5)
    assert {sample(rng) for _ in range(10)} == {4.5}
    assert rng.getstate() == state


def test_an_empirical_distribution_resamples_the_recorded_values() -> None:
    recorded = [3.0, 5.0, 10.0]
    values = _draws(DistributionSpec.empirical(recorded))
    assert set(values) == set(recorded)
    assert statistics.fmean(values) == pytest.approx(6.0, rel=0.02)


def test_samplers_depend_only_on_the_generator_they_are_given() -> None:
    sample = lognormal(8.0, 0.6)
    first = [sample(random.Random(7)) for _ in range(3)]
    random.seed(99)  # the global generator must not matter
    assert [sample(random.Random(7)) for _ in range(3)] == first


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: exponential(0.0), "mean_minutes"),
        (lambda: lognormal(8.0, 0.0), "cv"),
        (lambda: deterministic(-1.0), "mean_minutes"),
        (lambda: empirical([]), "values_minutes"),
    ],
)
def test_a_bad_parameter_is_refused_by_name(make: object, field: str) -> None:
    assert callable(make)
    with pytest.raises(ScenarioError) as caught:
        make()
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"distribution": "weibull", "mean_minutes": 5}, "service.distribution"),
        ({"distribution": "lognormal", "mean_minutes": 5}, "service.cv"),
        ({"distribution": "exponential"}, "service.mean_minutes"),
        ({"distribution": "exponential", "mean_minutes": "five"}, "service.mean_minutes"),
        ({"distribution": "empirical", "values_minutes": [1, "x"]}, "service.values_minutes[1]"),
        ({"mean_minutes": 5}, "service.distribution"),
        ("exponential", "service"),
    ],
)
def test_from_dict_names_the_offending_field(data: object, field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        DistributionSpec.from_dict(data, "service")
    assert caught.value.field == field


@pytest.mark.parametrize(
    "spec",
    [
        DistributionSpec.exponential(8.0),
        DistributionSpec.lognormal(8.0, 0.7),
        DistributionSpec.deterministic(1.0),
        DistributionSpec.empirical([1.0, 2.5]),
    ],
)
def test_a_spec_round_trips_through_its_json_form(spec: DistributionSpec) -> None:
    assert DistributionSpec.from_dict(spec.to_dict()) == spec


def test_the_squared_coefficient_of_variation_is_known_for_each_kind() -> None:
    assert DistributionSpec.exponential(3.0).scv == 1.0
    assert DistributionSpec.lognormal(3.0, 0.5).scv == pytest.approx(0.25)
    assert DistributionSpec.deterministic(3.0).scv == 0.0
    assert math.isclose(DistributionSpec.empirical([1.0, 3.0]).scv, 0.25)


@pytest.mark.parametrize("rate", [1.0 / 6.5, 250.0 / 60.0, 1e-3, 37.0])
def test_the_twins_exponential_draws_are_exactly_the_standard_librarys(rate: float) -> None:
    # The twin draws with its own (compilable) copy of the formula; a seeded run must not notice.
    ours, theirs = random.Random(7), random.Random(7)
    sampler = exponential(1.0 / rate)
    for _ in range(5_000):
        assert exponential_draw(ours, rate) == theirs.expovariate(rate)
        assert sampler(ours) == theirs.expovariate(1.0 / (1.0 / rate))


def test_an_exponential_sampler_pickles_with_its_rate() -> None:
    sampler = exponential(8.0)
    copy = pickle.loads(pickle.dumps(sampler))
    assert copy(random.Random(3)) == sampler(random.Random(3)) == random.Random(3).expovariate(1.0 / 8.0)
