"""From a centre's recorded history to the twin's parameters, and from those to a day's expected visitors.

**Arrivals.** Visitors per hour are estimated per *weekday × slot × domain* on an ordinary day, with two day
factors from the working-day calendar: the last working days of a month (月末结算) and the first working day after a
long holiday. The model is Poisson with ``E[count] = open hours × rate[weekday, slot, domain] × factors(day)``.
Each cell is shrunk toward a smoother model (the domain's weekday level × its slot profile pooled over weekdays)
with the weight of ``ARRIVAL_PRIOR_DAYS`` days of data, so a cell seen on few days does not jump about; the day
factors are shrunk toward the defaults of ``shared/domain.md`` §5.3 with the weight of one day. A make-up working
day (调休) counts as the weekday whose schedule it runs (Monday); holidays are closed and count for nothing.

**Service times** are lognormal per *item × skill level*, estimated on the log scale: an item's pooled mean (all
levels, corrected by level offsets common to all items) is shrunk toward the catalogue's standard minutes, and each
(item, level) cell is shrunk toward the item's pooled estimate moved by that level's offset, each with the weight
of a few observations. Thin data thus falls back smoothly: cell → item → catalogue.

Everything here is pure: observations in, frozen parameters out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from hall.domain.calendar import DayKind
from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from simulation.centre import DEFAULT_LEVEL_FACTORS, DEFAULT_SERVICE_CV, CentreSetup, DayGrid, day_grid, open_days
from simulation.distributions import DistributionSpec
from simulation.errors import ScenarioError
from simulation.scenario import ItemSpec

ARRIVAL_PRIOR_DAYS: Final = 2.0
"""Pseudo-days of the smooth model added to each weekday × slot × domain cell."""

FACTOR_PRIOR_DAYS: Final = 1.0
"""Pseudo-days of the default day factor added to the month-end and after-holiday estimates."""

DEFAULT_MONTH_END_FACTOR: Final = 1.15
"""``shared/domain.md`` §5.3: the last 3 working days of a month, × 1.15."""

DEFAULT_AFTER_BREAK_FACTOR: Final = 1.4
"""``shared/domain.md`` §5.3: the first working day after a long holiday, × 1.4."""

ITEM_PRIOR_OBSERVATIONS: Final = 5.0
"""Pseudo-observations of the catalogue's standard minutes added to an item's pooled estimate."""

CELL_PRIOR_OBSERVATIONS: Final = 10.0
"""Pseudo-observations of the item's pooled estimate added to each (item, level) cell."""

LEVEL_PRIOR_OBSERVATIONS: Final = 20.0
"""Pseudo-observations of the default level factor added to each level's common offset."""

MAX_SERVICE_MINUTES: Final = 480.0


class VisitOutcome(StrEnum):
    """How a recorded visit ended, as far as fitting needs to know."""

    SERVED = "served"
    NO_SHOW = "no_show"
    LEFT = "left"  # cancelled or expired: came, did not get served
    OPEN = "open"  # still in the hall when the data was read


@dataclass(frozen=True, slots=True)
class ArrivalObservation:
    """One recorded ticket: when it was issued and for which item (its first)."""

    arrived_at: datetime
    item_code: str
    outcome: VisitOutcome = VisitOutcome.SERVED
    priority_group: PriorityGroup | None = None
    has_appointment: bool = False


@dataclass(frozen=True, slots=True)
class ServiceObservation:
    """One recorded service of one item: its duration and the skill level of the staff member who served it."""

    item_code: str
    skill_level: SkillLevel
    minutes: float


@dataclass(frozen=True, slots=True)
class ServiceFit:
    """The fitted lognormal service time of one item at one skill level.

    Attributes:
        mean_minutes: The distribution's mean.
        cv: Its coefficient of variation.
        observations: Records of this item at this level.
        data_weight: How much of the estimate comes from those records (0: all prior, → 1: all data).
    """

    mean_minutes: float
    cv: float
    observations: int
    data_weight: float

    def spec(self) -> DistributionSpec:
        """Return the twin's distribution."""
        return DistributionSpec.lognormal(self.mean_minutes, self.cv)


@dataclass(frozen=True, slots=True, kw_only=True)
class FittedParameters:
    """A centre's fitted demand and service parameters, with when and from what data they were fitted.

    Attributes:
        fitted_at: When the fit was made (aware).
        data_from: First local day of the data.
        data_to: Last local day of the data.
        open_days: Days in that range on which the centre opened.
        tickets: Tickets in the data.
        service_records: Service records in the data.
        slot_minutes: Slot length of the rates.
        arrival_rates: Visitors per hour on an ordinary day: weekday (0 = Monday) → slot ``HH:MM`` → domain → rate.
        item_shares: Each item's share of its domain's visitors.
        month_end_factor: Demand on the last working days of a month relative to an ordinary day.
        after_break_factor: Demand on the first working day after a long holiday relative to an ordinary day.
        factor_days: How many month-end and after-break days the factors saw.
        service: The fitted service time per item and skill level.
        level_factors: Service time of each level relative to L4, common to all items.
        no_show_probability: Share of called tickets whose visitor was not there.
        priority_shares: Share of tickets per priority group.
        appointment_share: Share of tickets with an appointment.
    """

    fitted_at: datetime
    data_from: date
    data_to: date
    open_days: int
    tickets: int
    service_records: int
    slot_minutes: float
    arrival_rates: Mapping[int, Mapping[str, Mapping[str, float]]]
    item_shares: Mapping[str, Mapping[str, float]]
    month_end_factor: float
    after_break_factor: float
    factor_days: Mapping[str, int]
    service: Mapping[str, Mapping[SkillLevel, ServiceFit]]
    level_factors: Mapping[SkillLevel, float]
    no_show_probability: float = 0.0
    priority_shares: Mapping[PriorityGroup, float] = field(default_factory=dict)
    appointment_share: float = 0.0

    def item_specs(self, requirements: Mapping[str, ItemRequirement]) -> dict[str, ItemSpec]:
        """Return the twin's item specs for the items that were fitted and are still offered."""
        return {
            code: ItemSpec(
                requirement=requirements[code],
                service={level: fit.spec() for level, fit in sorted(self.service[code].items())},
            )
            for code in sorted(requirements)
            if code in self.service
        }

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form (stored with the fit, shown to the manager); :func:`parameters_from_dict` reads it."""
        return {
            "fittedAt": self.fitted_at.isoformat(),
            "dataFrom": self.data_from.isoformat(),
            "dataTo": self.data_to.isoformat(),
            "openDays": self.open_days,
            "tickets": self.tickets,
            "serviceRecords": self.service_records,
            "slotMinutes": self.slot_minutes,
            "arrivalRates": {
                str(w): {s: {d: round(r, 6) for d, r in sorted(v.items())} for s, v in sorted(slots.items())}
                for w, slots in sorted(self.arrival_rates.items())
            },
            "itemShares": {
                d: {i: round(v, 6) for i, v in sorted(s.items())} for d, s in sorted(self.item_shares.items())
            },
            "monthEndFactor": round(self.month_end_factor, 6),
            "afterBreakFactor": round(self.after_break_factor, 6),
            "factorDays": dict(self.factor_days),
            "service": {
                code: {
                    level.name: {
                        "meanMinutes": round(f.mean_minutes, 6),
                        "cv": round(f.cv, 6),
                        "observations": f.observations,
                        "dataWeight": round(f.data_weight, 6),
                    }
                    for level, f in sorted(levels.items())
                }
                for code, levels in sorted(self.service.items())
            },
            "levelFactors": {level.name: round(v, 6) for level, v in sorted(self.level_factors.items())},
            "noShowProbability": round(self.no_show_probability, 6),
            "priorityShares": {g.value: round(v, 6) for g, v in sorted(self.priority_shares.items())},
            "appointmentShare": round(self.appointment_share, 6),
        }


def parameters_from_dict(data: Mapping[str, object]) -> FittedParameters:
    """Read parameters stored by :meth:`FittedParameters.to_dict`.

    Raises:
        ScenarioError: naming the first field that cannot be read.
    """
    try:
        rates_raw = _mapping(data["arrivalRates"])
        service_raw = _mapping(data["service"])
        return FittedParameters(
            fitted_at=datetime.fromisoformat(str(data["fittedAt"])),
            data_from=date.fromisoformat(str(data["dataFrom"])),
            data_to=date.fromisoformat(str(data["dataTo"])),
            open_days=int(_number(data["openDays"])),
            tickets=int(_number(data["tickets"])),
            service_records=int(_number(data["serviceRecords"])),
            slot_minutes=_number(data["slotMinutes"]),
            arrival_rates={
                int(w): {
                    str(s): {str(d): _number(r) for d, r in _mapping(v).items()} for s, v in _mapping(slots).items()
                }
                for w, slots in rates_raw.items()
            },
            item_shares={
                str(d): {str(i): _number(v) for i, v in _mapping(s).items()}
                for d, s in _mapping(data["itemShares"]).items()
            },
            month_end_factor=_number(data["monthEndFactor"]),
            after_break_factor=_number(data["afterBreakFactor"]),
            factor_days={str(k): int(_number(v)) for k, v in _mapping(data.get("factorDays", {})).items()},
            service={
                str(code): {
                    SkillLevel[str(level)]: ServiceFit(
                        mean_minutes=_number(_mapping(f)["meanMinutes"]),
                        cv=_number(_mapping(f)["cv"]),
                        observations=int(_number(_mapping(f)["observations"])),
                        data_weight=_number(_mapping(f)["dataWeight"]),
                    )
                    for level, f in _mapping(levels).items()
                }
                for code, levels in service_raw.items()
            },
            level_factors={SkillLevel[str(k)]: _number(v) for k, v in _mapping(data.get("levelFactors", {})).items()},
            no_show_probability=_number(data.get("noShowProbability", 0.0)),
            priority_shares={
                PriorityGroup(str(g)): _number(v) for g, v in _mapping(data.get("priorityShares", {})).items()
            },
            appointment_share=_number(data.get("appointmentShare", 0.0)),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ScenarioError("parameters", f"stored parameters cannot be read: {exc}") from exc


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        msg = f"expected an object, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"expected a number, got {value!r}"
        raise TypeError(msg)
    return float(value)


# ---- the day's kind ---------------------------------------------------------------------------------------------


def schedule_weekday(setup: CentreSetup, on: date) -> int:
    """Return the weekday whose demand profile a day follows: a make-up working day (调休) runs Monday's."""
    override = setup.calendar.overrides.get(on)
    if override is not None and override.kind is DayKind.WORKDAY and on.weekday() >= 5:
        return 0
    return on.weekday()


def day_flags(setup: CentreSetup, on: date) -> tuple[bool, bool]:
    """Return ``(is_month_end, is_after_long_break)`` for a day, from the centre's working-day calendar."""
    calendar = setup.calendar
    return calendar.is_month_end(on), calendar.is_after_long_break(on)


# ---- arrivals ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Day:
    on: date
    weekday: int
    grid: DayGrid
    is_month_end: bool
    is_after_break: bool
    hours: dict[str, float]  # slot label → open hours
    counts: dict[str, dict[str, int]]  # slot label → domain → tickets


def _fit_arrivals(
    setup: CentreSetup, days: list[_Day], domains: list[str]
) -> tuple[dict[int, dict[str, dict[str, float]]], float, float]:
    me_factor = DEFAULT_MONTH_END_FACTOR
    ab_factor = DEFAULT_AFTER_BREAK_FACTOR

    def factor(day: _Day) -> float:
        return (me_factor if day.is_month_end else 1.0) * (ab_factor if day.is_after_break else 1.0)

    rates: dict[int, dict[str, dict[str, float]]] = {}
    for _ in range(6):
        # Sufficient statistics given the current day factors.
        n: dict[tuple[int, str, str], float] = defaultdict(float)
        xf: dict[tuple[int, str], float] = defaultdict(float)
        hours_per_day: dict[tuple[int, str], float] = defaultdict(float)
        day_count: Counter[int] = Counter()
        for day in days:
            f = factor(day)
            day_count[day.weekday] += 1
            for label, h in day.hours.items():
                xf[day.weekday, label] += h * f
                hours_per_day[day.weekday, label] += h
                for domain, c in day.counts.get(label, {}).items():
                    n[day.weekday, label, domain] += c
        weekdays = sorted(day_count)
        labels = sorted({label for (_, label) in xf})
        # The smooth model: the domain's level per weekday × its slot profile pooled over weekdays.
        rates = {}
        for domain in domains:
            total_n = math.fsum(n[w, s, domain] for w in weekdays for s in labels)
            total_x = math.fsum(xf.values())
            overall = total_n / total_x if total_x > 0 else 0.0
            profile: dict[str, float] = {}
            for s in labels:
                xs = math.fsum(xf[w, s] for w in weekdays)
                ns = math.fsum(n[w, s, domain] for w in weekdays)
                profile[s] = (ns / xs) / overall if xs > 0 and overall > 0 else 1.0
            for w in weekdays:
                xw = math.fsum(xf[w, s] for s in labels)
                nw = math.fsum(n[w, s, domain] for s in labels)
                level = nw / xw if xw > 0 else 0.0
                for s in labels:
                    x = xf[w, s]
                    if x <= 0:
                        continue
                    smooth = level * profile[s]
                    prior_hours = ARRIVAL_PRIOR_DAYS * hours_per_day[w, s] / day_count[w]
                    rate = (n[w, s, domain] + prior_hours * smooth) / (x + prior_hours)
                    rates.setdefault(w, {}).setdefault(s, {})[domain] = rate

        def expected(day: _Day, rates: dict[int, dict[str, dict[str, float]]] = rates) -> float:
            by_slot = rates.get(day.weekday, {})
            return math.fsum(h * math.fsum(by_slot.get(label, {}).values()) for label, h in day.hours.items())

        def observed(day: _Day) -> float:
            return float(sum(sum(v.values()) for v in day.counts.values()))

        per_day = [expected(d) for d in days]
        typical = math.fsum(per_day) / len(per_day) if per_day else 0.0
        me_days = [d for d in days if d.is_month_end]
        ab_days = [d for d in days if d.is_after_break]
        me_obs = math.fsum(observed(d) for d in me_days)
        me_exp = math.fsum(expected(d) * (ab_factor if d.is_after_break else 1.0) for d in me_days)
        ab_obs = math.fsum(observed(d) for d in ab_days)
        ab_exp = math.fsum(expected(d) * (me_factor if d.is_month_end else 1.0) for d in ab_days)
        prior = FACTOR_PRIOR_DAYS * typical
        if prior > 0:
            me_factor = (me_obs + prior * DEFAULT_MONTH_END_FACTOR) / (me_exp + prior)
            ab_factor = (ab_obs + prior * DEFAULT_AFTER_BREAK_FACTOR) / (ab_exp + prior)
    return rates, me_factor, ab_factor


def _item_shares(setup: CentreSetup, counts: Counter[str]) -> dict[str, dict[str, float]]:
    by_domain: dict[str, list[str]] = defaultdict(list)
    for code, item in sorted(setup.items.items()):
        by_domain[item.requirement.domain.value].append(code)
    shares: dict[str, dict[str, float]] = {}
    for domain, codes in by_domain.items():
        total = sum(counts[c] for c in codes) + 0.5 * len(codes)
        shares[domain] = {c: (counts[c] + 0.5) / total for c in codes}
    return shares


# ---- service times ----------------------------------------------------------------------------------------------


def _prior_log(requirement: ItemRequirement) -> tuple[float, float]:
    sigma2 = math.log1p(DEFAULT_SERVICE_CV**2)
    return math.log(max(requirement.standard_minutes, 0.5)) - sigma2 / 2.0, sigma2


def _fit_service(
    setup: CentreSetup, observations: Sequence[ServiceObservation]
) -> tuple[dict[str, dict[SkillLevel, ServiceFit]], dict[SkillLevel, float]]:
    by_item: dict[str, list[tuple[SkillLevel, float]]] = defaultdict(list)
    for obs in observations:
        item = setup.items.get(obs.item_code)
        if item is None:
            continue
        limit = min(MAX_SERVICE_MINUTES, 12.0 * max(item.requirement.standard_minutes, 1.0))
        if 0.1 <= obs.minutes <= limit:
            by_item[obs.item_code].append((obs.skill_level, math.log(obs.minutes)))
    offsets = {level: math.log(f) for level, f in DEFAULT_LEVEL_FACTORS.items()}
    prior_offsets = dict(offsets)
    mu: dict[str, float] = {}
    sigma2: dict[str, float] = {}
    for _ in range(4):
        for code, item in setup.items.items():
            prior_mu, prior_s2 = _prior_log(item.requirement)
            data = by_item.get(code, [])
            adjusted = [y - offsets[level] for level, y in data]
            n = len(adjusted)
            mu[code] = (math.fsum(adjusted) + ITEM_PRIOR_OBSERVATIONS * prior_mu) / (n + ITEM_PRIOR_OBSERVATIONS)
            squares = math.fsum((a - mu[code]) ** 2 for a in adjusted)
            sigma2[code] = (squares + ITEM_PRIOR_OBSERVATIONS * prior_s2) / (n + ITEM_PRIOR_OBSERVATIONS)
        residuals: dict[SkillLevel, list[float]] = defaultdict(list)
        for code, data in by_item.items():
            for level, y in data:
                residuals[level].append(y - mu[code])
        for level in SkillLevel:
            values = residuals.get(level, [])
            offsets[level] = (math.fsum(values) + LEVEL_PRIOR_OBSERVATIONS * prior_offsets[level]) / (
                len(values) + LEVEL_PRIOR_OBSERVATIONS
            )
    fits: dict[str, dict[SkillLevel, ServiceFit]] = {}
    for code in sorted(setup.items):
        data = by_item.get(code, [])
        cells: dict[SkillLevel, list[float]] = defaultdict(list)
        for level, y in data:
            cells[level].append(y)
        levels: dict[SkillLevel, ServiceFit] = {}
        for level in SkillLevel:
            ys = cells.get(level, [])
            n = len(ys)
            target = mu[code] + offsets[level]
            k = CELL_PRIOR_OBSERVATIONS
            if n:
                mean_y = math.fsum(ys) / n
                cell_mu = (n * mean_y + k * target) / (n + k)
                squares = math.fsum((y - mean_y) ** 2 for y in ys)
                cell_s2 = (squares + k * sigma2[code]) / (max(n - 1, 0) + k)
            else:
                cell_mu, cell_s2 = target, sigma2[code]
            levels[level] = ServiceFit(
                mean_minutes=math.exp(cell_mu + cell_s2 / 2.0),
                cv=math.sqrt(math.expm1(cell_s2)),
                observations=n,
                data_weight=n / (n + k),
            )
        fits[code] = levels
    reference = offsets[SkillLevel.L4]
    return fits, {level: math.exp(offsets[level] - reference) for level in SkillLevel}


# ---- the fit ----------------------------------------------------------------------------------------------------


def fit_history(
    setup: CentreSetup,
    arrivals: Iterable[ArrivalObservation],
    services: Sequence[ServiceObservation],
    *,
    first: date,
    last: date,
    fitted_at: datetime,
) -> FittedParameters:
    """Fit a centre's arrival and service parameters from its history of the local days ``first`` … ``last``.

    Raises:
        ScenarioError: on ``last`` when the range is empty, or on ``fittedAt`` when it is not timezone-aware.
    """
    if last < first:
        raise ScenarioError("last", "the data range ends before it starts")
    if fitted_at.tzinfo is None:
        raise ScenarioError("fittedAt", "must be timezone-aware")
    days: dict[date, _Day] = {}
    for on in open_days(setup, first, last):
        grid = day_grid(setup, on)
        if grid is None:  # pragma: no cover - open_days only returns open days
            continue
        me, ab = day_flags(setup, on)
        hours = {grid.label(i): grid.open_minutes(i) / 60.0 for i in grid.open_slots}
        days[on] = _Day(on, schedule_weekday(setup, on), grid, me, ab, hours, {})
    item_counts: Counter[str] = Counter()
    groups: Counter[PriorityGroup] = Counter()
    tickets = appointments = served = no_shows = 0
    for obs in arrivals:
        item = setup.items.get(obs.item_code)
        if item is None:
            continue
        local = obs.arrived_at.astimezone(setup.zone)
        day = days.get(local.date())
        if day is None:
            continue
        label = _label(local, setup.slot_minutes)
        if label not in day.hours:
            continue
        domain = item.requirement.domain.value
        slot_counts = day.counts.setdefault(label, {})
        slot_counts[domain] = slot_counts.get(domain, 0) + 1
        item_counts[obs.item_code] += 1
        tickets += 1
        if obs.priority_group is not None:
            groups[obs.priority_group] += 1
        appointments += obs.has_appointment
        served += obs.outcome is VisitOutcome.SERVED
        no_shows += obs.outcome is VisitOutcome.NO_SHOW
    domains = sorted({item.requirement.domain.value for item in setup.items.values()})
    rates, me_factor, ab_factor = _fit_arrivals(setup, list(days.values()), domains)
    service, level_factors = _fit_service(setup, services)
    called = served + no_shows
    return FittedParameters(
        fitted_at=fitted_at,
        data_from=first,
        data_to=last,
        open_days=len(days),
        tickets=tickets,
        service_records=len(services),
        slot_minutes=setup.slot_minutes,
        arrival_rates=rates,
        item_shares=_item_shares(setup, item_counts),
        month_end_factor=me_factor,
        after_break_factor=ab_factor,
        factor_days={
            "monthEnd": sum(d.is_month_end for d in days.values()),
            "afterBreak": sum(d.is_after_break for d in days.values()),
        },
        service=service,
        level_factors=level_factors,
        no_show_probability=no_shows / called if called else 0.0,
        priority_shares={g: c / tickets for g, c in sorted(groups.items())} if tickets else {},
        appointment_share=appointments / tickets if tickets else 0.0,
    )


def _label(local: datetime, slot_minutes: float) -> str:
    minutes = local.hour * 60 + local.minute + local.second / 60.0
    floored = int(minutes // slot_minutes * slot_minutes)
    return f"{floored // 60:02d}:{floored % 60:02d}"


# ---- forecasting a day ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayForecast:
    """The visitors expected on one day, per slot.

    Attributes:
        grid: The day's slot grid.
        weekday: The weekday profile used.
        factor: The day factor applied (month-end × after-break × what-if).
        is_month_end: Whether the day is one of the month's last working days.
        is_after_long_break: Whether it is the first working day after a long holiday.
        domain_rates: Visitors per hour per domain, one per slot.
        item_rates: Visitors per hour per item, one per slot.
    """

    grid: DayGrid
    weekday: int
    factor: float
    is_month_end: bool
    is_after_long_break: bool
    domain_rates: Mapping[str, tuple[float, ...]]
    item_rates: Mapping[str, tuple[float, ...]]

    @property
    def on(self) -> date:
        """The forecast's date."""
        return self.grid.on

    def expected_visitors(self, slot: int | None = None) -> float:
        """Return the expected visitors of the day (or of one slot)."""
        slots = range(self.grid.n_slots) if slot is None else (slot,)
        return math.fsum(
            self.domain_rates[d][i] * self.grid.open_minutes(i) / 60.0 for d in self.domain_rates for i in slots
        )

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form: slot labels, per-domain and per-item rates, expected visitors per slot."""
        grid = self.grid
        return {
            "on": grid.on.isoformat(),
            "start": grid.start.isoformat(),
            "slotMinutes": grid.slot_minutes,
            "slots": list(grid.labels),
            "openMinutes": [grid.open_minutes(i) for i in range(grid.n_slots)],
            "weekday": self.weekday,
            "factor": round(self.factor, 6),
            "isMonthEnd": self.is_month_end,
            "isAfterLongBreak": self.is_after_long_break,
            "domainRates": {d: [round(r, 6) for r in v] for d, v in sorted(self.domain_rates.items())},
            "itemRates": {c: [round(r, 6) for r in v] for c, v in sorted(self.item_rates.items())},
            "expectedVisitors": [round(self.expected_visitors(i), 4) for i in range(grid.n_slots)],
            "expectedTotal": round(self.expected_visitors(), 3),
        }


def forecast_day(
    params: FittedParameters,
    setup: CentreSetup,
    on: date,
    *,
    arrivals_factor: float = 1.0,
    domain_factors: Mapping[ServiceDomain, float] | None = None,
) -> DayForecast | None:
    """Return the visitors expected on ``on`` (``None`` when the centre is closed that day).

    A weekday without data (e.g. a Saturday never opened before) takes the average of the fitted weekdays.
    ``arrivals_factor`` and ``domain_factors`` scale demand for what-if questions ("+20 % arrivals").

    Raises:
        ScenarioError: on ``arrivalsFactor`` when negative.
    """
    if not (math.isfinite(arrivals_factor) and arrivals_factor >= 0):
        raise ScenarioError("arrivalsFactor", "must be a non-negative number")
    grid = day_grid(setup, on)
    if grid is None:
        return None
    weekday = schedule_weekday(setup, on)
    me, ab = day_flags(setup, on)
    factor = (params.month_end_factor if me else 1.0) * (params.after_break_factor if ab else 1.0) * arrivals_factor
    profile = params.arrival_rates.get(weekday)
    domains = sorted({item.requirement.domain.value for item in setup.items.values()})
    domain_rates: dict[str, tuple[float, ...]] = {}
    extra = {d.value: f for d, f in (domain_factors or {}).items()}
    for domain in domains:
        values: list[float] = []
        for i in range(grid.n_slots):
            if not grid.is_open(i):
                values.append(0.0)
                continue
            label = grid.label(i)
            if profile is not None and label in profile:
                rate = profile[label].get(domain, 0.0)
            else:
                seen = [p[label].get(domain, 0.0) for p in params.arrival_rates.values() if label in p]
                rate = math.fsum(seen) / len(seen) if seen else 0.0
            values.append(rate * factor * extra.get(domain, 1.0))
        domain_rates[domain] = tuple(values)
    item_rates: dict[str, tuple[float, ...]] = {}
    for code, item in sorted(setup.items.items()):
        domain = item.requirement.domain.value
        shares = params.item_shares.get(domain, {})
        share = shares.get(code)
        if share is None:  # an item offered since the fit: an equal share of its domain
            share = 1.0 / max(1, sum(1 for i in setup.items.values() if i.requirement.domain.value == domain))
        item_rates[code] = tuple(r * share for r in domain_rates[domain])
    return DayForecast(
        grid=grid,
        weekday=weekday,
        factor=factor,
        is_month_end=me,
        is_after_long_break=ab,
        domain_rates=domain_rates,
        item_rates=item_rates,
    )
