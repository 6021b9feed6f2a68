"""KPIs computed from the records of a run: waits, the promise, P(wait > t), utilisation, abandonment.

Waiting-time figures are over visitors who were *called and present* (served): a no-show's "wait" is not a
visitor's experience, and an abandoned visitor's wait is cut short. Abandoned, no-show and unserved visitors are
counted separately. Visitors are grouped by their arrival (slot, item); those arriving before the warm-up are
left out, as is window time before the warm-up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hall.domain.centres import WaitingPromise
from simulation.records import Outcome, ServiceRecord


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Return the ``q`` quantile of already sorted values by linear interpolation (numpy's default method).

    Returns ``nan`` for no values.
    """
    n = len(sorted_values)
    if n == 0:
        return math.nan
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


@dataclass(frozen=True, slots=True)
class WaitStats:
    """Waiting figures of one group of visitors.

    Attributes:
        visitors: Visitors who arrived (tickets issued).
        served: Called and served.
        no_shows: Called but not there.
        abandoned: Left before being called.
        unserved: Still waiting when the hall closed for good.
        mean_wait_minutes: Mean wait of the served (``nan`` if none).
        p90_wait_minutes: 90th percentile wait of the served.
        max_wait_minutes: Longest wait of the served.
        share_within_promise: Share of the served called within the promise's minutes.
        p_wait_gt: ``P(wait > t)`` among the served, by threshold ``t`` in minutes.
        mean_service_minutes: Mean service time of the served.
    """

    visitors: int
    served: int
    no_shows: int
    abandoned: int
    unserved: int
    mean_wait_minutes: float
    p90_wait_minutes: float
    max_wait_minutes: float
    share_within_promise: float
    p_wait_gt: Mapping[float, float]
    mean_service_minutes: float

    @property
    def abandonment_share(self) -> float:
        """Abandoned visitors as a share of all visitors (``nan`` if none)."""
        return self.abandoned / self.visitors if self.visitors else math.nan

    def to_dict(self, digits: int = 6) -> dict[str, object]:
        """Return a JSON-ready dict (``nan`` as ``None``, floats rounded to ``digits``)."""
        return {
            "visitors": self.visitors,
            "served": self.served,
            "no_shows": self.no_shows,
            "abandoned": self.abandoned,
            "unserved": self.unserved,
            "mean_wait_minutes": _json_float(self.mean_wait_minutes, digits),
            "p90_wait_minutes": _json_float(self.p90_wait_minutes, digits),
            "max_wait_minutes": _json_float(self.max_wait_minutes, digits),
            "share_within_promise": _json_float(self.share_within_promise, digits),
            "p_wait_gt": {threshold_key(t): _json_float(p, digits) for t, p in self.p_wait_gt.items()},
            "mean_service_minutes": _json_float(self.mean_service_minutes, digits),
        }


@dataclass(frozen=True, slots=True)
class Kpis:
    """The KPI summary of one run.

    Attributes:
        overall: Figures over every visitor after the warm-up.
        by_slot: Figures by arrival slot index (slots with no visitors are left out).
        by_item: Figures by item code (tickets with several items count under ``"A+B"``).
        by_priority: Figures for priority-group tickets (``"priority"``), appointments and the rest (``"normal"``).
        utilisation_by_window: Busy minutes / staffed minutes per window number (``nan`` if never staffed).
        utilisation: Busy minutes / staffed minutes over all windows.
        busy_minutes: Total busy window minutes (serving or calling no-shows), after the warm-up.
        staffed_minutes: Total staffed window minutes, after the warm-up.
        promise_within_minutes: The promise's limit used for ``share_within_promise``.
        promise_share: The share the promise asks for.
        promise_mean_minutes: The promise's mean-wait limit (``None`` if it has none).
    """

    overall: WaitStats
    by_slot: Mapping[int, WaitStats]
    by_item: Mapping[str, WaitStats]
    by_priority: Mapping[str, WaitStats]
    utilisation_by_window: Mapping[int, float]
    utilisation: float
    busy_minutes: float
    staffed_minutes: float
    promise_within_minutes: float
    promise_share: float
    promise_mean_minutes: float | None

    @property
    def meets_promise(self) -> bool:
        """Whether the run kept the centre's waiting promise (share within, and the mean if it has one)."""
        overall = self.overall
        share_ok = overall.share_within_promise >= self.promise_share
        mean_ok = self.promise_mean_minutes is None or overall.mean_wait_minutes <= self.promise_mean_minutes
        return share_ok and mean_ok

    def to_dict(self, digits: int = 6) -> dict[str, object]:
        """Return a JSON-ready dict with sorted keys' order fixed (used for golden files)."""
        return {
            "overall": self.overall.to_dict(digits),
            "meets_promise": self.meets_promise,
            "promise": {
                "share_within": self.promise_share,
                "within_minutes": self.promise_within_minutes,
                "mean_minutes": self.promise_mean_minutes,
            },
            "utilisation": _json_float(self.utilisation, digits),
            "busy_minutes": _json_float(self.busy_minutes, digits),
            "staffed_minutes": _json_float(self.staffed_minutes, digits),
            "utilisation_by_window": {
                str(n): _json_float(u, digits) for n, u in sorted(self.utilisation_by_window.items())
            },
            "by_slot": {str(s): w.to_dict(digits) for s, w in sorted(self.by_slot.items())},
            "by_item": {code: w.to_dict(digits) for code, w in sorted(self.by_item.items())},
            "by_priority": {k: w.to_dict(digits) for k, w in sorted(self.by_priority.items())},
        }


def threshold_key(minutes: float) -> str:
    """Return the JSON key of a threshold: ``5.0`` → ``"5"``, ``7.5`` → ``"7.5"``."""
    return f"{minutes:g}"


def _json_float(value: float, digits: int) -> float | None:
    if math.isnan(value):
        return None
    if math.isinf(value):
        return None
    return round(value, digits)


def wait_stats(
    records: Iterable[ServiceRecord], *, promise_within_minutes: float, thresholds_minutes: Sequence[float]
) -> WaitStats:
    """Return the waiting figures of a group of records (already filtered by the caller)."""
    waits: list[float] = []
    service_total = 0.0
    counts = dict.fromkeys(Outcome, 0)
    for record in records:
        counts[record.outcome] += 1
        if record.outcome is Outcome.SERVED:
            waits.append(record.waited_minutes)
            service_total += record.served_minutes
    waits.sort()
    served = len(waits)
    if served:
        mean = math.fsum(waits) / served
        within = sum(1 for w in waits if w <= promise_within_minutes) / served
        p_gt = {t: sum(1 for w in waits if w > t) / served for t in thresholds_minutes}
        p90 = quantile(waits, 0.9)
        longest = waits[-1]
        mean_service = service_total / served
    else:
        mean = within = p90 = longest = mean_service = math.nan
        p_gt = dict.fromkeys(thresholds_minutes, math.nan)
    return WaitStats(
        visitors=sum(counts.values()),
        served=served,
        no_shows=counts[Outcome.NO_SHOW],
        abandoned=counts[Outcome.ABANDONED],
        unserved=counts[Outcome.UNSERVED],
        mean_wait_minutes=mean,
        p90_wait_minutes=p90,
        max_wait_minutes=longest,
        share_within_promise=within,
        p_wait_gt=p_gt,
        mean_service_minutes=mean_service,
    )


def summarise(
    records: Sequence[ServiceRecord],
    *,
    promise: WaitingPromise | None = None,
    thresholds_minutes: Sequence[float] = (5.0, 10.0, 15.0),
    warmup_minutes: float = 0.0,
    slot_minutes: float = 30.0,
    busy_minutes: Mapping[int, float] | None = None,
    staffed_minutes: Mapping[int, float] | None = None,
) -> Kpis:
    """Return the KPIs of a run's records.

    Args:
        records: The run's records.
        promise: The waiting promise (default: 80 % within 15 minutes, mean ≤ 10).
        thresholds_minutes: The ``t`` of ``P(wait > t)``.
        warmup_minutes: Visitors arriving earlier are left out.
        slot_minutes: Slot length for the per-slot figures.
        busy_minutes: Busy minutes per window number after the warm-up (from the run).
        staffed_minutes: Staffed minutes per window number after the warm-up (from the run).
    """
    promise = promise if promise is not None else WaitingPromise()
    within = float(promise.within_minutes)
    kept = [r for r in records if r.arrived_minutes >= warmup_minutes]
    by_slot: dict[int, list[ServiceRecord]] = {}
    by_item: dict[str, list[ServiceRecord]] = {}
    by_priority: dict[str, list[ServiceRecord]] = {}
    for record in kept:
        by_slot.setdefault(int(record.arrived_minutes // slot_minutes), []).append(record)
        by_item.setdefault("+".join(record.item_codes), []).append(record)
        kind = (
            "priority" if record.priority_group is not None else "appointment" if record.has_appointment else "normal"
        )
        by_priority.setdefault(kind, []).append(record)

    def stats(group: Iterable[ServiceRecord]) -> WaitStats:
        return wait_stats(group, promise_within_minutes=within, thresholds_minutes=thresholds_minutes)

    busy = dict(busy_minutes or {})
    staffed = dict(staffed_minutes or {})
    total_busy = math.fsum(busy.values())
    total_staffed = math.fsum(staffed.values())
    return Kpis(
        overall=stats(kept),
        by_slot={slot: stats(group) for slot, group in sorted(by_slot.items())},
        by_item={code: stats(group) for code, group in sorted(by_item.items())},
        by_priority={kind: stats(group) for kind, group in sorted(by_priority.items())},
        utilisation_by_window={
            n: (busy.get(n, 0.0) / staffed[n] if staffed.get(n, 0.0) > 0 else math.nan)
            for n in sorted(set(busy) | set(staffed))
        },
        utilisation=total_busy / total_staffed if total_staffed > 0 else math.nan,
        busy_minutes=total_busy,
        staffed_minutes=total_staffed,
        promise_within_minutes=within,
        promise_share=promise.share_within,
        promise_mean_minutes=None if promise.mean_minutes is None else float(promise.mean_minutes),
    )


# ---- across replications ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """The mean of one KPI over independent replications, with a 95 % t-interval.

    Attributes:
        mean: Mean over the replications with a value (``nan`` values, e.g. no visitor served, are skipped).
        ci95: ``(low, high)``; ``None`` with fewer than two values.
        half_width: Half the interval's width; ``None`` with fewer than two values.
        n: Number of replications with a value.
    """

    mean: float
    ci95: tuple[float, float] | None
    half_width: float | None
    n: int

    def contains(self, value: float) -> bool:
        """Return whether ``value`` lies inside the 95 % interval."""
        return self.ci95 is not None and self.ci95[0] <= value <= self.ci95[1]

    def to_dict(self, digits: int = 6) -> dict[str, object]:
        """Return ``{"mean": …, "ci95": [lo, hi] | None, "n": …}``."""
        return {
            "mean": _json_float(self.mean, digits),
            "ci95": None if self.ci95 is None else [_json_float(v, digits) for v in self.ci95],
            "n": self.n,
        }


def estimate(values: Iterable[float]) -> Estimate:
    """Return the mean and the 95 % Student-t confidence interval of replication values."""
    data = [v for v in values if not math.isnan(v)]
    n = len(data)
    if n == 0:
        return Estimate(mean=math.nan, ci95=None, half_width=None, n=0)
    mean = math.fsum(data) / n
    if n < 2:
        return Estimate(mean=mean, ci95=None, half_width=None, n=n)
    from scipy import stats  # lazy: scipy is slow to import and only needed here

    variance = math.fsum((v - mean) ** 2 for v in data) / (n - 1)
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return Estimate(mean=mean, ci95=(mean - half, mean + half), half_width=half, n=n)


def kpi_values(kpis: Kpis) -> dict[str, float]:
    """Return the scalar KPIs of one run by name (the names :func:`estimate` results are keyed by)."""
    overall = kpis.overall
    values = {
        "mean_wait_minutes": overall.mean_wait_minutes,
        "p90_wait_minutes": overall.p90_wait_minutes,
        "max_wait_minutes": overall.max_wait_minutes,
        "share_within_promise": overall.share_within_promise,
        "utilisation": kpis.utilisation,
        "visitors": float(overall.visitors),
        "served": float(overall.served),
        "no_shows": float(overall.no_shows),
        "abandoned": float(overall.abandoned),
        "unserved": float(overall.unserved),
        "abandonment_share": overall.abandonment_share,
        "mean_service_minutes": overall.mean_service_minutes,
    }
    for t, p in overall.p_wait_gt.items():
        values[f"p_wait_gt_{threshold_key(t)}"] = p
    return values
