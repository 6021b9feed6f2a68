"""Erlang C (M/M/c) analytics: the closed-form check on the twin and the first guess of a staffing plan.

The offered load is ``a = λ·s`` erlangs (λ visitors per minute, ``s`` mean service minutes) on ``c`` windows.
Erlang B is computed with the stable recursion ``B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))``, which never forms
``a^c / c!`` and so stays accurate for a few hundred (or thousand) windows; Erlang C follows from
``C = B / (1 − ρ(1 − B))`` with ``ρ = a/c``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from simulation.errors import ScenarioError

MAX_SERVERS: Final = 100_000


def offered_load(rate_per_hour: float, mean_service_minutes: float) -> float:
    """Return the offered load in erlangs: arrivals per minute × mean service minutes."""
    _check_inputs(rate_per_hour, mean_service_minutes)
    return rate_per_hour / 60.0 * mean_service_minutes


def erlang_b(servers: int, load: float) -> float:
    """Return the Erlang B blocking probability for ``servers`` servers and ``load`` erlangs."""
    if servers < 0:
        raise ScenarioError("servers", "must not be negative")
    if load < 0 or not math.isfinite(load):
        raise ScenarioError("load", "must be a finite, non-negative number of erlangs")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _c_from_b(servers: int, load: float, b: float) -> float:
    if load >= servers:
        return 1.0
    rho = load / servers
    return b / (1.0 - rho * (1.0 - b))


def erlang_c(servers: int, load: float) -> float:
    """Return the Erlang C probability that an arriving visitor has to wait (1.0 when ``load >= servers``)."""
    if servers < 1:
        raise ScenarioError("servers", "must be at least 1")
    return _c_from_b(servers, load, erlang_b(servers, load))


@dataclass(frozen=True, slots=True)
class ErlangC:
    """The steady-state M/M/c figures for one (arrival rate, mean service time, windows) triple.

    Attributes:
        servers: Number of windows ``c``.
        rate_per_hour: Arrival rate λ, visitors per hour.
        mean_service_minutes: Mean service time ``s``.
        load: Offered load ``a = λ·s`` in erlangs.
        utilisation: ``ρ = a / c`` (the long-run busy share of each window when ``ρ < 1``).
        p_wait: Probability of waiting at all (Erlang C); 1.0 when unstable.
        mean_wait_minutes: Mean wait in the queue ``Wq``; ``inf`` when unstable.
    """

    servers: int
    rate_per_hour: float
    mean_service_minutes: float
    load: float
    utilisation: float
    p_wait: float
    mean_wait_minutes: float

    @property
    def is_stable(self) -> bool:
        """Whether the queue has a steady state (``ρ < 1``)."""
        return self.load < self.servers

    def p_wait_exceeds(self, minutes: float) -> float:
        """Return ``P(Wq > t) = C · exp(−(c − a)·t / s)`` (1.0 when unstable)."""
        if not self.is_stable:
            return 1.0
        return self.p_wait * math.exp(-(self.servers - self.load) * minutes / self.mean_service_minutes)

    def share_within(self, minutes: float) -> float:
        """Return ``P(Wq ≤ t)``, the share of visitors called within ``minutes``."""
        return 1.0 - self.p_wait_exceeds(minutes)


def erlang_c_metrics(rate_per_hour: float, mean_service_minutes: float, servers: int) -> ErlangC:
    """Return the M/M/c steady-state figures for ``servers`` windows."""
    load = offered_load(rate_per_hour, mean_service_minutes)
    if servers < 1:
        raise ScenarioError("servers", "must be at least 1")
    return _metrics(rate_per_hour, mean_service_minutes, servers, load, erlang_b(servers, load))


def _metrics(rate_per_hour: float, mean_service_minutes: float, servers: int, load: float, b: float) -> ErlangC:
    c_prob = _c_from_b(servers, load, b)
    stable = load < servers
    wq = c_prob * mean_service_minutes / (servers - load) if stable else math.inf
    return ErlangC(
        servers=servers,
        rate_per_hour=rate_per_hour,
        mean_service_minutes=mean_service_minutes,
        load=load,
        utilisation=load / servers,
        p_wait=c_prob,
        mean_wait_minutes=wq,
    )


def p_wait(rate_per_hour: float, mean_service_minutes: float, servers: int) -> float:
    """Return the probability of waiting at all (Erlang C)."""
    return erlang_c_metrics(rate_per_hour, mean_service_minutes, servers).p_wait


def mean_wait_minutes(rate_per_hour: float, mean_service_minutes: float, servers: int) -> float:
    """Return the mean queueing wait ``Wq`` in minutes (``inf`` when ``ρ ≥ 1``)."""
    return erlang_c_metrics(rate_per_hour, mean_service_minutes, servers).mean_wait_minutes


def p_wait_exceeds(rate_per_hour: float, mean_service_minutes: float, servers: int, minutes: float) -> float:
    """Return ``P(Wq > minutes)``."""
    return erlang_c_metrics(rate_per_hour, mean_service_minutes, servers).p_wait_exceeds(minutes)


def utilisation(rate_per_hour: float, mean_service_minutes: float, servers: int) -> float:
    """Return ``ρ = λ·s / c``."""
    return offered_load(rate_per_hour, mean_service_minutes) / servers


# ---- staffing targets -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceLevelTarget:
    """At least ``share`` of visitors called within ``within_minutes`` (e.g. 80 % within 15 min)."""

    share: float
    within_minutes: float

    def is_met(self, figures: ErlangC) -> bool:
        """Return whether the figures meet this target."""
        return figures.is_stable and figures.share_within(self.within_minutes) >= self.share

    def describe(self) -> str:
        """Return the target in the ``"80% within 15"`` form :func:`parse_target` reads."""
        return f"{self.share * 100:g}% within {self.within_minutes:g}"


@dataclass(frozen=True, slots=True)
class MeanWaitTarget:
    """A mean queueing wait of at most ``max_minutes``."""

    max_minutes: float

    def is_met(self, figures: ErlangC) -> bool:
        """Return whether the figures meet this target."""
        return figures.is_stable and figures.mean_wait_minutes <= self.max_minutes

    def describe(self) -> str:
        """Return the target in the ``"mean <= 10"`` form :func:`parse_target` reads."""
        return f"mean <= {self.max_minutes:g}"


StaffingTarget = ServiceLevelTarget | MeanWaitTarget

_SHARE_RE: Final = re.compile(
    r"^\s*(?P<share>\d+(?:\.\d+)?)\s*(?P<pct>%?)\s*(?:within|in|<=|≤)\s*(?P<t>\d+(?:\.\d+)?)\s*"
    r"(?:m|min|mins|minutes?|分钟)?\s*$",
    re.IGNORECASE,
)
_MEAN_RE: Final = re.compile(
    r"^\s*(?:mean|average|avg)(?:\s*wait)?\s*(?:<=|≤|=<|<)\s*(?P<m>\d+(?:\.\d+)?)\s*"
    r"(?:m|min|mins|minutes?|分钟)?\s*$",
    re.IGNORECASE,
)


def parse_target(text: str) -> StaffingTarget:
    """Read a staffing target: ``"80% within 15"`` (share called within t minutes) or ``"mean <= 10"``.

    Also accepted: ``"0.8 within 15 min"``, ``"80 % in 15 minutes"``, ``"mean wait <= 10 min"``.

    Raises:
        ScenarioError: on the ``target`` field, saying which form was expected and what was wrong.
    """
    share_match = _SHARE_RE.match(text)
    if share_match:
        share = float(share_match["share"])
        if share_match["pct"] or share > 1:
            share /= 100.0
        within = float(share_match["t"])
        if not 0 < share <= 1:
            raise ScenarioError("target", f"share must be in (0, 100%], got {text!r}")
        if within <= 0:
            raise ScenarioError("target", f"the time limit must be positive, got {text!r}")
        return ServiceLevelTarget(share=share, within_minutes=within)
    mean_match = _MEAN_RE.match(text)
    if mean_match:
        limit = float(mean_match["m"])
        if limit <= 0:
            raise ScenarioError("target", f"the mean wait limit must be positive, got {text!r}")
        return MeanWaitTarget(max_minutes=limit)
    raise ScenarioError(
        "target",
        f"cannot read {text!r}; write '<share>% within <minutes>' (e.g. '80% within 15') "
        "or 'mean <= <minutes>' (e.g. 'mean <= 10')",
    )


@dataclass(frozen=True, slots=True)
class StaffingAnswer:
    """The least number of windows meeting a target, with the figures at that number and one fewer.

    Attributes:
        servers: The minimum number of windows.
        figures: The Erlang C figures with ``servers`` windows.
        one_fewer: The figures with ``servers − 1`` windows (``None`` when ``servers == 1``).
        first_tried: The first ``c`` tried: the least stable one, ``⌊a⌋ + 1``.
    """

    servers: int
    figures: ErlangC
    one_fewer: ErlangC | None
    first_tried: int


def min_servers(
    rate_per_hour: float,
    mean_service_minutes: float,
    target: StaffingTarget | str,
    *,
    max_servers: int = MAX_SERVERS,
) -> StaffingAnswer:
    """Return the fewest windows whose Erlang C figures meet ``target``.

    The search starts at the least stable ``c = ⌊a⌋ + 1`` and walks up one window at a time, carrying the Erlang B
    recursion forward, so it costs ``O(c)`` in total. Both targets improve monotonically with ``c``, so the first
    ``c`` that meets the target is the minimum.

    Raises:
        ScenarioError: for bad inputs, or when no ``c ≤ max_servers`` meets the target.
    """
    goal = parse_target(target) if isinstance(target, str) else target
    load = offered_load(rate_per_hour, mean_service_minutes)
    first = max(1, math.floor(load) + 1)
    if first > max_servers:
        raise ScenarioError("servers", f"the load of {load:.1f} erlangs needs more than {max_servers} windows")
    b = erlang_b(first - 1, load)
    previous: ErlangC | None = None
    if first > 1:
        previous = _metrics(rate_per_hour, mean_service_minutes, first - 1, load, b)
    for servers in range(first, max_servers + 1):
        b = load * b / (servers + load * b)
        figures = _metrics(rate_per_hour, mean_service_minutes, servers, load, b)
        if goal.is_met(figures):
            return StaffingAnswer(servers=servers, figures=figures, one_fewer=previous, first_tried=first)
        previous = figures
    raise ScenarioError("target", f"not reachable with up to {max_servers} windows")


def allen_cunneen_wait_minutes(figures: ErlangC, arrival_scv: float, service_scv: float) -> float:
    """Return the Allen–Cunneen G/G/c approximation ``Wq ≈ Wq(M/M/c) · (ca² + cs²) / 2``.

    Used to compare the twin with a non-exponential (e.g. lognormal) service time, where Erlang C is only a guide.
    """
    return figures.mean_wait_minutes * (arrival_scv + service_scv) / 2.0


def _check_inputs(rate_per_hour: float, mean_service_minutes: float) -> None:
    if not (math.isfinite(rate_per_hour) and rate_per_hour >= 0):
        raise ScenarioError("rate_per_hour", "must be a finite, non-negative number")
    if not (math.isfinite(mean_service_minutes) and mean_service_minutes > 0):
        raise ScenarioError("mean_service_minutes", "must be a positive number of minutes")
