"""Service-time and patience distributions, in minutes, drawn from an injected ``random.Random``.

A :data:`Sampler` is a plain callable ``rng -> minutes``. The random generator is always passed in, so every
draw comes from an explicitly seeded stream (never the global one) and a run is reproducible from its seed.
A :class:`DistributionSpec` is the JSON-friendly description a scenario stores; ``spec.sampler()`` turns it into
a sampler once, before the run.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from simulation.draws import Exponential
from simulation.errors import ScenarioError

Sampler = Callable[[random.Random], float]
"""Draw one duration in minutes from the given random generator."""

KNOWN_DISTRIBUTIONS: Final = ("exponential", "lognormal", "deterministic", "empirical")


def exponential(mean_minutes: float) -> Sampler:
    """Return a sampler of exponential durations with the given mean (CV = 1)."""
    if not mean_minutes > 0:
        raise ScenarioError("mean_minutes", "must be positive")
    return Exponential(1.0 / mean_minutes)


def lognormal_parameters(mean_minutes: float, cv: float) -> tuple[float, float]:
    """Return ``(mu, sigma)`` of the underlying normal for a lognormal with this mean and coefficient of variation.

    ``sigma² = ln(1 + cv²)`` and ``mu = ln(mean) − sigma²/2``, so the lognormal's own mean is ``mean_minutes``.
    """
    sigma2 = math.log1p(cv * cv)
    return math.log(mean_minutes) - sigma2 / 2.0, math.sqrt(sigma2)


def lognormal(mean_minutes: float, cv: float) -> Sampler:
    """Return a sampler of lognormal durations with the given mean and coefficient of variation."""
    if not mean_minutes > 0:
        raise ScenarioError("mean_minutes", "must be positive")
    if not cv > 0:
        raise ScenarioError("cv", "must be positive")
    mu, sigma = lognormal_parameters(mean_minutes, cv)
    sample: Sampler = operator.methodcaller("lognormvariate", mu, sigma)  # ``rng.lognormvariate(mu, sigma)``
    return sample


def deterministic(minutes: float) -> Sampler:
    """Return a sampler that always gives ``minutes`` (and draws nothing from the generator)."""
    if not minutes >= 0:
        raise ScenarioError("mean_minutes", "must not be negative")

    def sample(_rng: random.Random) -> float:
        return minutes

    return sample


def empirical(values_minutes: Sequence[float]) -> Sampler:
    """Return a sampler that resamples uniformly from recorded durations (the bootstrap)."""
    values = tuple(float(v) for v in values_minutes)
    if not values:
        raise ScenarioError("values_minutes", "must not be empty")
    if any(not (math.isfinite(v) and v >= 0) for v in values):
        raise ScenarioError("values_minutes", "must all be finite and not negative")

    def sample(rng: random.Random) -> float:
        return values[int(rng.random() * len(values))]

    return sample


@dataclass(frozen=True, slots=True)
class DistributionSpec:
    """A duration distribution as data: what a scenario file says.

    Attributes:
        distribution: One of ``exponential``, ``lognormal``, ``deterministic`` or ``empirical``.
        mean_minutes: The mean (exponential, lognormal) or the fixed value (deterministic).
        cv: The coefficient of variation (lognormal only).
        values_minutes: The recorded durations to resample (empirical only).
    """

    distribution: str
    mean_minutes: float | None = None
    cv: float | None = None
    values_minutes: tuple[float, ...] = ()

    @classmethod
    def exponential(cls, mean_minutes: float) -> DistributionSpec:
        """Describe an exponential distribution."""
        return cls("exponential", mean_minutes=float(mean_minutes))

    @classmethod
    def lognormal(cls, mean_minutes: float, cv: float) -> DistributionSpec:
        """Describe a lognormal distribution by its mean and coefficient of variation."""
        return cls("lognormal", mean_minutes=float(mean_minutes), cv=float(cv))

    @classmethod
    def deterministic(cls, minutes: float) -> DistributionSpec:
        """Describe a fixed duration."""
        return cls("deterministic", mean_minutes=float(minutes))

    @classmethod
    def empirical(cls, values_minutes: Sequence[float]) -> DistributionSpec:
        """Describe resampling from recorded durations."""
        return cls("empirical", values_minutes=tuple(float(v) for v in values_minutes))

    @property
    def mean(self) -> float:
        """The distribution's mean in minutes."""
        if self.distribution == "empirical":
            return math.fsum(self.values_minutes) / len(self.values_minutes) if self.values_minutes else math.nan
        return self.mean_minutes if self.mean_minutes is not None else math.nan

    @property
    def scv(self) -> float:
        """The squared coefficient of variation (1 for exponential, 0 for deterministic)."""
        if self.distribution == "exponential":
            return 1.0
        if self.distribution == "lognormal":
            return (self.cv or 0.0) ** 2
        if self.distribution == "deterministic":
            return 0.0
        values = self.values_minutes
        mean = self.mean
        if not values or mean == 0:
            return 0.0
        variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
        return variance / (mean * mean)

    def check(self, field: str = "distribution") -> None:
        """Refuse an unknown or badly parameterised distribution.

        Args:
            field: The path of this spec in the scenario, used in the error.

        Raises:
            ScenarioError: naming ``field`` (or a sub-field) and the reason.
        """
        if self.distribution not in KNOWN_DISTRIBUTIONS:
            raise ScenarioError(
                f"{field}.distribution",
                f"unknown distribution {self.distribution!r}; use one of {', '.join(KNOWN_DISTRIBUTIONS)}",
            )
        if self.distribution == "empirical":
            if not self.values_minutes:
                raise ScenarioError(f"{field}.values_minutes", "must list at least one recorded duration")
            if any(not (math.isfinite(v) and v >= 0) for v in self.values_minutes):
                raise ScenarioError(f"{field}.values_minutes", "must all be finite and not negative")
            return
        mean = self.mean_minutes
        if mean is None:
            raise ScenarioError(f"{field}.mean_minutes", "is missing")
        if not math.isfinite(mean) or mean < 0 or (mean == 0 and self.distribution != "deterministic"):
            raise ScenarioError(f"{field}.mean_minutes", "must be a positive number of minutes")
        if self.distribution == "lognormal":
            if self.cv is None:
                raise ScenarioError(f"{field}.cv", "is missing (a lognormal needs its coefficient of variation)")
            if not (math.isfinite(self.cv) and self.cv > 0):
                raise ScenarioError(f"{field}.cv", "must be positive")

    def sampler(self) -> Sampler:
        """Return the sampler this spec describes (after checking it)."""
        self.check()
        if self.distribution == "exponential":
            return exponential(self._mean())
        if self.distribution == "lognormal":
            return lognormal(self._mean(), self.cv or 0.0)
        if self.distribution == "deterministic":
            return deterministic(self._mean())
        return empirical(self.values_minutes)

    def _mean(self) -> float:
        assert self.mean_minutes is not None
        return self.mean_minutes

    @classmethod
    def from_dict(cls, data: object, field: str = "distribution") -> DistributionSpec:
        """Read a spec from its JSON form, e.g. ``{"distribution": "lognormal", "mean_minutes": 8, "cv": 0.7}``.

        Args:
            data: The decoded JSON value.
            field: The path of this value in the scenario, used in errors.

        Raises:
            ScenarioError: naming the offending field.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(field, "must be an object with a 'distribution' key")
        name = data.get("distribution")
        if not isinstance(name, str):
            raise ScenarioError(f"{field}.distribution", "is missing")
        spec = cls(
            distribution=name,
            mean_minutes=_optional_number(data, "mean_minutes", field),
            cv=_optional_number(data, "cv", field),
            values_minutes=_numbers(data.get("values_minutes", ()), f"{field}.values_minutes"),
        )
        spec.check(field)
        return spec

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form of this spec (only the keys its distribution uses)."""
        out: dict[str, object] = {"distribution": self.distribution}
        if self.distribution == "empirical":
            out["values_minutes"] = list(self.values_minutes)
            return out
        out["mean_minutes"] = self.mean_minutes
        if self.distribution == "lognormal":
            out["cv"] = self.cv
        return out


def _optional_number(data: Mapping[str, object], key: str, field: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{field}.{key}", "must be a number")
    return float(value)


def _numbers(value: object, field: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(field, "must be a list of numbers")
    out: list[float] = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ScenarioError(f"{field}[{i}]", "must be a number")
        out.append(float(v))
    return tuple(out)
