"""A centre as the planning side sees it: its windows, staff, catalogue and hours, and the day grid of its slots.

A :class:`CentreSetup` is everything about a centre that does not change from day to day. :func:`day_grid` lays a
day's opening sessions (local time, from the centre's working-day calendar) on a grid of slots anchored at local
midnight, so slot ``"10:00"`` means the same half hour on every day of every week; :func:`day_scenario` turns a
setup, a day, the visitors expected per slot and a roster into the twin's :class:`~simulation.scenario.Scenario`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from hall.domain.calendar import WorkingCalendar
from hall.domain.catalogue import ItemRequirement
from hall.domain.centres import OpeningSession, WaitingPromise, sessions_on
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain.snapshot import RoutingRules
from simulation.distributions import DistributionSpec
from simulation.errors import ScenarioError
from simulation.scenario import ItemSpec, Scenario, StaffSpec, WindowSpec

DEFAULT_LEVEL_FACTORS: Final[Mapping[SkillLevel, float]] = {
    SkillLevel.L5: 1.10,
    SkillLevel.L4: 1.00,
    SkillLevel.L3: 0.90,
    SkillLevel.L2: 0.80,
    SkillLevel.L1: 0.75,
}
"""Service time of a level relative to L4 before any data (``shared/domain.md`` §2.5, a [D] assumption)."""

DEFAULT_SERVICE_CV: Final = 0.7
"""Coefficient of variation of service times before any data (``shared/domain.md`` §5.4: 0.6–0.8)."""

Roster = tuple[Mapping[int, str | None], ...]
"""For each slot of a day, window number → staff id (``None`` or absent: closed)."""


def default_item_spec(
    requirement: ItemRequirement,
    *,
    cv: float = DEFAULT_SERVICE_CV,
    level_factors: Mapping[SkillLevel, float] = DEFAULT_LEVEL_FACTORS,
) -> ItemSpec:
    """Return an item's service times before any data: lognormal, the catalogue's standard minutes at L4."""
    base = max(requirement.standard_minutes, 0.5)
    return ItemSpec(
        requirement=requirement,
        service={level: DistributionSpec.lognormal(base * factor, cv) for level, factor in level_factors.items()},
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CentreSetup:
    """What the planning side knows about a centre apart from its demand.

    Attributes:
        code: The centre's code.
        name: Its name, for reports.
        zone: The centre's time zone (opening hours are local).
        sessions: Weekly opening sessions (local times).
        calendar: The working-day calendar (holidays and make-up days).
        items: The offered items with their service-time distributions per skill level.
        windows: The windows in service.
        staff: The active staff; ``staff_id`` is the employee number.
        promise: The centre's waiting promise.
        routing_rules: The rules the calling policy reads.
        calling_policy: The calling policy's name.
        slot_minutes: Length of a planning slot.
        priority_shares: Share of visitors per priority group.
        appointment_share: Share of visitors with an appointment.
        no_show_probability: Chance a called ticket's visitor is not there.
        no_show_call_minutes: Window time a no-show costs.
        patience: How long visitors wait before leaving (``None``: they stay).
        staff_names: Display names by staff id.
    """

    code: str
    name: str
    zone: tzinfo
    sessions: tuple[OpeningSession, ...]
    calendar: WorkingCalendar
    items: Mapping[str, ItemSpec]
    windows: tuple[WindowSpec, ...]
    staff: tuple[StaffSpec, ...]
    promise: WaitingPromise = field(default_factory=WaitingPromise)
    routing_rules: RoutingRules = field(default_factory=RoutingRules)
    calling_policy: str = "default"
    slot_minutes: float = 30.0
    priority_shares: Mapping[PriorityGroup, float] = field(default_factory=dict)
    appointment_share: float = 0.0
    no_show_probability: float = 0.0
    no_show_call_minutes: float = 1.0
    patience: DistributionSpec | None = None
    staff_names: Mapping[str, str] = field(default_factory=dict)

    def with_items(self, items: Mapping[str, ItemSpec]) -> CentreSetup:
        """Return this setup with other service-time distributions (e.g. fitted ones)."""
        return replace(self, items=dict(items))

    def with_staff(self, staff: Sequence[StaffSpec]) -> CentreSetup:
        """Return this setup with another staff list (e.g. without staff on leave)."""
        return replace(self, staff=tuple(staff))


@dataclass(frozen=True, slots=True)
class DayGrid:
    """A day's slots: ``start`` is local midnight plus a whole number of slots, before the first opening.

    Attributes:
        on: The local date.
        start: Aware local datetime of minute 0 (the start of the first slot).
        slot_minutes: Slot length.
        sessions: The day's opening sessions as ``(open, close)`` minutes from ``start``.
        n_slots: Slots from ``start`` to the last close.
    """

    on: date
    start: datetime
    slot_minutes: float
    sessions: tuple[tuple[float, float], ...]
    n_slots: int

    def slot_start(self, slot: int) -> datetime:
        """Return the aware local start of ``slot``."""
        return self.start + timedelta(minutes=slot * self.slot_minutes)

    def label(self, slot: int) -> str:
        """Return the slot's local start as ``HH:MM`` (the key of profiles and reports)."""
        return self.slot_start(slot).strftime("%H:%M")

    @property
    def labels(self) -> tuple[str, ...]:
        """Every slot's label, in order."""
        return tuple(self.label(i) for i in range(self.n_slots))

    def open_minutes(self, slot: int) -> float:
        """Return how many minutes of ``slot`` the centre is open."""
        lo, hi = slot * self.slot_minutes, (slot + 1) * self.slot_minutes
        return math.fsum(max(0.0, min(hi, close) - max(lo, opens)) for opens, close in self.sessions)

    def is_open(self, slot: int) -> bool:
        """Return whether the centre is open at some time in ``slot``."""
        return self.open_minutes(slot) > 0

    @property
    def open_slots(self) -> tuple[int, ...]:
        """The slots in which the centre is open."""
        return tuple(i for i in range(self.n_slots) if self.is_open(i))

    @property
    def open_hours(self) -> float:
        """Opening hours of the day."""
        return math.fsum(close - opens for opens, close in self.sessions) / 60.0

    def last_open_slot(self) -> int:
        """Return the slot holding the last close."""
        return max(self.open_slots)


def slot_label_of(moment: datetime, slot_minutes: float = 30.0) -> str:
    """Return the ``HH:MM`` label of the grid slot holding a local, aware ``moment``."""
    minutes = moment.hour * 60 + moment.minute + moment.second / 60.0
    floored = int(minutes // slot_minutes * slot_minutes)
    return f"{floored // 60:02d}:{floored % 60:02d}"


def day_grid(setup: CentreSetup, on: date) -> DayGrid | None:
    """Return the slot grid of a local date, or ``None`` when the centre is closed that day (holiday, no hours)."""
    today = sessions_on(setup.sessions, setup.calendar, on)
    if not today:
        return None
    step = setup.slot_minutes
    if not (step > 0 and 1440 % step == 0):
        raise ScenarioError("slot_minutes", "must divide a day into whole slots (e.g. 15, 30 or 60)")
    first = min(s.opens_at for s in today)
    first_minute = first.hour * 60 + first.minute
    start_minute = first_minute // step * step
    midnight = datetime.combine(on, time(0, 0), tzinfo=setup.zone)
    start = midnight + timedelta(minutes=start_minute)

    def offset(t: time) -> float:
        return t.hour * 60 + t.minute + t.second / 60.0 - start_minute

    sessions = tuple(sorted((offset(s.opens_at), offset(s.closes_at)) for s in today))
    horizon = max(close for _, close in sessions)
    return DayGrid(
        on=on,
        start=start,
        slot_minutes=step,
        sessions=sessions,
        n_slots=max(1, math.ceil(horizon / step - 1e-9)),
    )


def open_days(setup: CentreSetup, first: date, last: date) -> list[date]:
    """Return the dates in ``[first, last]`` on which the centre opens."""
    days: list[date] = []
    on = first
    while on <= last:
        if sessions_on(setup.sessions, setup.calendar, on):
            days.append(on)
        on += timedelta(days=1)
    return days


def day_scenario(
    setup: CentreSetup,
    grid: DayGrid,
    rates: Mapping[str, Sequence[float]],
    roster: Roster,
    *,
    name: str = "",
    staff: Sequence[StaffSpec] | None = None,
) -> Scenario:
    """Return the twin's scenario of one day: ``rates[item][slot]`` visitors per hour and ``roster`` per slot.

    Items without a rate get none; rates for slots outside the opening hours are ignored by the twin (no tickets
    are issued while closed).
    """
    n = grid.n_slots
    if len(roster) != n:
        raise ScenarioError("roster", f"has {len(roster)} slots, expected {n}")
    arrivals = {code: tuple(float(r) for r in rates.get(code, (0.0,) * n)) for code in setup.items}
    for code, values in arrivals.items():
        if len(values) != n:
            raise ScenarioError(f"arrivals.{code}", f"has {len(values)} rates, expected one per slot ({n})")
    return Scenario(
        name=name or f"{setup.code} {grid.on.isoformat()}",
        start=grid.start,
        sessions=grid.sessions,
        slot_minutes=grid.slot_minutes,
        items=setup.items,
        arrivals=arrivals,
        windows=setup.windows,
        staff=tuple(staff) if staff is not None else setup.staff,
        roster=roster,
        priority_shares=setup.priority_shares,
        appointment_share=setup.appointment_share,
        no_show_probability=setup.no_show_probability,
        no_show_call_minutes=setup.no_show_call_minutes,
        patience=setup.patience,
        calling_policy=setup.calling_policy,
        routing_rules=setup.routing_rules,
        promise=setup.promise,
    )
