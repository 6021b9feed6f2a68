"""What a simulation run is about: the centre's day, its demand, windows, staff roster and rules.

A :class:`Scenario` is plain frozen data, kept apart from the engine (the Ciw lesson): the model reads it, never
changes it. :func:`validate` refuses a scenario before it runs, naming the offending field by its path in the JSON
form (``arrivals.SS01[3]``, ``roster[2].7``, ``items.RE01.service``). :func:`scenario_from_dict` reads that JSON
form; the *stationary form* (``{"kind": "stationary", ...}``) describes a textbook M/M/c or M/G/c hall for
comparison with Erlang C.

Times are minutes from ``start`` (an aware datetime); rates are visitors per hour, constant within each slot of
``slot_minutes`` (a non-stationary Poisson process).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, TypeVar

from hall.domain.catalogue import ItemRequirement, ServiceDomain
from hall.domain.centres import DEFAULT_PRIORITY_GROUPS, WaitingPromise
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowType
from queueing.domain.routing import can_serve, get_policy
from queueing.domain.snapshot import RoutingRules, StaffOnDuty, WaitingTicket, WindowSnapshot
from simulation.distributions import DistributionSpec
from simulation.errors import ScenarioError

__all__ = [
    "ItemSpec",
    "Scenario",
    "ScenarioError",
    "StaffSpec",
    "StationarySpec",
    "WindowSpec",
    "scenario_from_dict",
    "scenario_to_dict",
    "stationary_from_dict",
    "validate",
]

DEFAULT_START: Final = datetime.fromisoformat("2025-03-03T08:30:00+08:00")
"""A Monday 08:30 in China Standard Time, the start used by the stationary form."""

STATIONARY_ITEM: Final = "ITEM"

_E = TypeVar("_E", PriorityGroup, ServiceDomain, WindowType)


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A catalogue item as the simulation needs it: its requirement and service time per skill level.

    Attributes:
        requirement: Domain, minimum skill level and standard minutes (shared with routing).
        service: The service-time distribution for each skill level that may serve the item.
    """

    requirement: ItemRequirement
    service: Mapping[SkillLevel, DistributionSpec]

    @property
    def code(self) -> str:
        """The item's catalogue code."""
        return self.requirement.code


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A window of the hall.

    Attributes:
        number: The number on the board (unique, ≥ 1).
        type: What kind of window it is; it decides which tickets it may call.
        domains: The domains a domain, priority, specialised or pickup window serves.
        item_codes: Single items such a window serves besides its domains.
    """

    number: int
    type: WindowType = WindowType.COMPREHENSIVE_ALL
    domains: frozenset[ServiceDomain] = frozenset()
    item_codes: frozenset[str] = frozenset()

    @property
    def window_id(self) -> str:
        """The window's id in snapshots and records, e.g. ``"W07"``."""
        return f"W{self.number:02d}"


@dataclass(frozen=True, slots=True)
class StaffSpec:
    """A staff member who may be rostered at a window.

    Attributes:
        staff_id: Unique id within the scenario.
        skill_level: Their level on the national ladder (a lower number is a higher skill).
        qualified_domains: Domains they may handle.
        qualified_items: Single items they may handle besides their domains.
    """

    staff_id: str
    skill_level: SkillLevel = SkillLevel.L4
    qualified_domains: frozenset[ServiceDomain] = frozenset()
    qualified_items: frozenset[str] = frozenset()

    def on_duty(self) -> StaffOnDuty:
        """Return the snapshot value routing reads for this staff member."""
        return StaffOnDuty(
            staff_id=self.staff_id,
            skill_level=self.skill_level,
            qualified_domains=self.qualified_domains,
            qualified_items=self.qualified_items,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """One simulated stretch of a centre's operation (usually one working day).

    Attributes:
        start: Aware datetime of minute 0.
        sessions: Opening sessions as ``(open_minute, close_minute)``, in order, not overlapping. Tickets are issued
            only while open; at a close the windows keep calling until the queue they can serve is empty
            (当日业务当日清零) unless ``clear_queue_at_close`` is false, when visitors still waiting are sent home.
        items: Catalogue items by code.
        arrivals: Visitors per hour for each item code, one rate per slot (``n_slots`` of them).
        windows: The hall's windows.
        staff: The staff who may be rostered.
        roster: For each slot, who sits at which window: window number → staff id (absent or ``None`` = closed).
            The roster applies during opening sessions; at a slot boundary a clerk finishes the current visitor
            before handing over.
        slot_minutes: Length of a demand/roster slot.
        priority_shares: Share of visitors in each priority group.
        appointment_share: Share of visitors with an appointment (booked for the slot they arrive in).
        no_show_probability: Chance a normal ticket is not there when called (空号).
        appointment_no_show_probability: The same for appointment tickets (``None`` = ``no_show_probability``).
        no_show_call_minutes: Window time a no-show costs (calling, waiting, recalling).
        patience: How long a visitor waits before giving up (``None`` = nobody abandons).
        calling_policy: Name of the shared calling policy (``queueing.domain.routing.CALLING_POLICIES``).
        routing_rules: The centre settings the policy reads.
        promise: The centre's published waiting promise, used by the KPIs.
        warmup_minutes: Visitors arriving before this are left out of the KPIs (for steady-state runs).
        wait_thresholds_minutes: The ``t`` of the ``P(wait > t)`` KPIs.
        clear_queue_at_close: Whether the queue is served to the end after each close.
        name: Free text shown in reports.
    """

    start: datetime
    sessions: tuple[tuple[float, float], ...]
    items: Mapping[str, ItemSpec]
    arrivals: Mapping[str, tuple[float, ...]]
    windows: tuple[WindowSpec, ...]
    staff: tuple[StaffSpec, ...]
    roster: tuple[Mapping[int, str | None], ...]
    slot_minutes: float = 30.0
    priority_shares: Mapping[PriorityGroup, float] = field(default_factory=dict)
    appointment_share: float = 0.0
    no_show_probability: float = 0.0
    appointment_no_show_probability: float | None = None
    no_show_call_minutes: float = 1.0
    patience: DistributionSpec | None = None
    calling_policy: str = "default"
    routing_rules: RoutingRules = field(default_factory=RoutingRules)
    promise: WaitingPromise = field(default_factory=WaitingPromise)
    warmup_minutes: float = 0.0
    wait_thresholds_minutes: tuple[float, ...] = (5.0, 10.0, 15.0)
    clear_queue_at_close: bool = True
    name: str = ""

    @property
    def horizon_minutes(self) -> float:
        """The last closing minute."""
        return max((close for _, close in self.sessions), default=0.0)

    @property
    def n_slots(self) -> int:
        """How many slots cover the opening hours (the length of every rate list and of the roster)."""
        if not self.slot_minutes > 0:
            return 0
        return max(1, math.ceil(self.horizon_minutes / self.slot_minutes - 1e-9))

    def slot_of(self, minute: float) -> int:
        """Return the slot index of ``minute`` (clamped to the last slot)."""
        return min(int(minute // self.slot_minutes), self.n_slots - 1)

    @property
    def staff_by_id(self) -> dict[str, StaffSpec]:
        """The staff keyed by id."""
        return {s.staff_id: s for s in self.staff}

    @property
    def effective_appointment_no_show_probability(self) -> float:
        """The no-show probability for appointment tickets."""
        if self.appointment_no_show_probability is None:
            return self.no_show_probability
        return self.appointment_no_show_probability


# ---- validation -------------------------------------------------------------------------------------------------


def _probe_ticket(item: ItemRequirement, start: datetime) -> WaitingTicket:
    return WaitingTicket(ticket_id="probe", number="", items=(item,), arrived_at=start, sequence=0)


def window_snapshot(window: WindowSpec, staff: StaffSpec | None, priority_calls_in_row: int = 0) -> WindowSnapshot:
    """Return the snapshot the shared policy sees for ``window`` with ``staff`` signed in."""
    return WindowSnapshot(
        window_id=window.window_id,
        number=window.number,
        type=window.type,
        staff=None if staff is None else staff.on_duty(),
        domains=window.domains,
        item_codes=window.item_codes,
        priority_calls_in_row=priority_calls_in_row,
    )


def _check_fraction(value: float, path: str, *, below_one: bool = False) -> None:
    ok = math.isfinite(value) and value >= 0.0 and (value < 1.0 if below_one else value <= 1.0)
    if not ok:
        raise ScenarioError(path, "must be in [0, 1)" if below_one else "must be in [0, 1]")


def validate(scenario: Scenario) -> None:
    """Refuse a scenario that cannot be run meaningfully, before running it.

    Raises:
        ScenarioError: naming the field path and the reason, for example missing or negative rates, no windows,
            an unknown policy or distribution, a staff member with no skill, a roster naming an unknown window
            or staff member, or an item without a service time for a skill level that the roster uses for it.
    """
    if scenario.start.tzinfo is None or scenario.start.utcoffset() is None:
        raise ScenarioError("start", "must be timezone-aware")
    if not (math.isfinite(scenario.slot_minutes) and scenario.slot_minutes > 0):
        raise ScenarioError("slot_minutes", "must be a positive number of minutes")
    _validate_sessions(scenario.sessions)
    n_slots = scenario.n_slots
    _validate_items(scenario)
    _validate_arrivals(scenario, n_slots)
    _validate_windows(scenario)
    _validate_staff(scenario)
    _validate_roster(scenario, n_slots)
    _validate_visitors(scenario)
    try:
        get_policy(scenario.calling_policy)
    except DomainRuleViolation as exc:
        raise ScenarioError("calling_policy", exc.reason) from exc
    if not (math.isfinite(scenario.warmup_minutes) and 0 <= scenario.warmup_minutes < scenario.horizon_minutes):
        raise ScenarioError("warmup_minutes", "must be at least 0 and before the last close")
    for i, t in enumerate(scenario.wait_thresholds_minutes):
        if not (math.isfinite(t) and t > 0):
            raise ScenarioError(f"wait_thresholds_minutes[{i}]", "must be a positive number of minutes")
    _validate_service_coverage(scenario)


def _validate_sessions(sessions: Sequence[tuple[float, float]]) -> None:
    if not sessions:
        raise ScenarioError("sessions", "at least one opening session is needed")
    previous_close = 0.0
    for i, (opens, closes) in enumerate(sessions):
        if not (math.isfinite(opens) and math.isfinite(closes)) or opens < 0 or closes <= opens:
            raise ScenarioError(f"sessions[{i}]", "must be (open_minute, close_minute) with 0 <= open < close")
        if opens < previous_close:
            raise ScenarioError(f"sessions[{i}]", "sessions must be in order and must not overlap")
        previous_close = closes


def _validate_items(scenario: Scenario) -> None:
    if not scenario.items:
        raise ScenarioError("items", "at least one service item is needed")
    for code, item in scenario.items.items():
        if item.code != code:
            raise ScenarioError(f"items.{code}.code", f"the item is keyed {code!r} but its code is {item.code!r}")
        if not item.service:
            raise ScenarioError(f"items.{code}.service", "needs a service-time distribution for at least one level")
        for level, spec in item.service.items():
            spec.check(f"items.{code}.service.{level.name}")


def _validate_arrivals(scenario: Scenario, n_slots: int) -> None:
    for code in scenario.arrivals:
        if code not in scenario.items:
            raise ScenarioError(f"arrivals.{code}", "names an item that is not in items")
    for code in scenario.items:
        rates = scenario.arrivals.get(code)
        if rates is None:
            raise ScenarioError(f"arrivals.{code}", "is missing: give a rate (visitors per hour) for every slot")
        if len(rates) != n_slots:
            raise ScenarioError(f"arrivals.{code}", f"has {len(rates)} rates, expected one per slot ({n_slots})")
        for i, rate in enumerate(rates):
            if not (math.isfinite(rate) and rate >= 0):
                raise ScenarioError(f"arrivals.{code}[{i}]", "must be a finite, non-negative rate per hour")


def _validate_windows(scenario: Scenario) -> None:
    if not scenario.windows:
        raise ScenarioError("windows", "at least one window is needed")
    seen: set[int] = set()
    for i, window in enumerate(scenario.windows):
        path = f"windows[{i}]"
        if window.number < 1:
            raise ScenarioError(f"{path}.number", "must be at least 1")
        if window.number in seen:
            raise ScenarioError(f"{path}.number", f"window number {window.number} is used twice")
        seen.add(window.number)
        needs_scope = window.type not in (WindowType.COMPREHENSIVE_ALL, WindowType.GUIDE_DESK)
        if needs_scope and not window.domains and not window.item_codes:
            raise ScenarioError(f"{path}.domains", f"a {window.type} window needs domains or item_codes")
        for code in sorted(window.item_codes):
            if code not in scenario.items:
                raise ScenarioError(f"{path}.item_codes", f"unknown item {code!r}")


def _validate_staff(scenario: Scenario) -> None:
    seen: set[str] = set()
    for i, member in enumerate(scenario.staff):
        path = f"staff[{i}]"
        if not member.staff_id:
            raise ScenarioError(f"{path}.staff_id", "must not be empty")
        if member.staff_id in seen:
            raise ScenarioError(f"{path}.staff_id", f"staff id {member.staff_id!r} is used twice")
        seen.add(member.staff_id)
        if not member.qualified_domains and not member.qualified_items:
            raise ScenarioError(
                f"{path}.qualified_domains",
                f"staff member {member.staff_id!r} has no skill: give qualified domains or items",
            )
        for code in sorted(member.qualified_items):
            if code not in scenario.items:
                raise ScenarioError(f"{path}.qualified_items", f"unknown item {code!r}")


def _validate_roster(scenario: Scenario, n_slots: int) -> None:
    if len(scenario.roster) != n_slots:
        raise ScenarioError("roster", f"has {len(scenario.roster)} slots, expected {n_slots}")
    numbers = {w.number for w in scenario.windows}
    staff_ids = {s.staff_id for s in scenario.staff}
    for i, seats in enumerate(scenario.roster):
        seated: dict[str, int] = {}
        for number, staff_id in seats.items():
            path = f"roster[{i}].{number}"
            if number not in numbers:
                raise ScenarioError(path, f"there is no window {number}")
            if staff_id is None:
                continue
            if staff_id not in staff_ids:
                raise ScenarioError(path, f"unknown staff member {staff_id!r}")
            if staff_id in seated:
                raise ScenarioError(path, f"{staff_id!r} is already at window {seated[staff_id]} in this slot")
            seated[staff_id] = number


def _validate_visitors(scenario: Scenario) -> None:
    total = 0.0
    for group, share in scenario.priority_shares.items():
        _check_fraction(share, f"priority_shares.{group.value}")
        total += share
    _check_fraction(scenario.appointment_share, "appointment_share")
    if total + scenario.appointment_share > 1.0 + 1e-12:
        raise ScenarioError("priority_shares", "priority and appointment shares add up to more than 1")
    _check_fraction(scenario.no_show_probability, "no_show_probability", below_one=True)
    if scenario.appointment_no_show_probability is not None:
        _check_fraction(scenario.appointment_no_show_probability, "appointment_no_show_probability", below_one=True)
    if not (math.isfinite(scenario.no_show_call_minutes) and scenario.no_show_call_minutes >= 0):
        raise ScenarioError("no_show_call_minutes", "must be a non-negative number of minutes")
    if scenario.patience is not None:
        scenario.patience.check("patience")


def _validate_service_coverage(scenario: Scenario) -> None:
    """Check every (window, staff) pair of the roster against every item the shared ``can_serve`` allows."""
    windows = {w.number: w for w in scenario.windows}
    staff = scenario.staff_by_id
    probes = {code: _probe_ticket(item.requirement, scenario.start) for code, item in scenario.items.items()}
    checked: set[tuple[int, str]] = set()
    servable: set[str] = set()
    for i, seats in enumerate(scenario.roster):
        for number, staff_id in seats.items():
            if staff_id is None or (number, staff_id) in checked:
                continue
            checked.add((number, staff_id))
            member = staff[staff_id]
            snapshot = window_snapshot(windows[number], member)
            for code, item in scenario.items.items():
                if not can_serve(snapshot, probes[code]):
                    continue
                servable.add(code)
                if member.skill_level not in item.service:
                    raise ScenarioError(
                        f"items.{code}.service",
                        f"no service time for level {member.skill_level.name}, used by {staff_id!r} "
                        f"at window {number} (roster[{i}])",
                    )
    for code, rates in scenario.arrivals.items():
        if code not in servable and any(r > 0 for r in rates):
            raise ScenarioError(f"arrivals.{code}", "has visitors but no rostered window and staff can serve it")


# ---- the stationary form ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StationarySpec:
    """A textbook hall: Poisson arrivals at a constant rate, one item, ``windows`` identical all-service windows.

    No priority, no no-shows, no abandonment, continuous opening: the M/M/c (or M/G/c) queue that Erlang C
    describes, so the twin can be checked against theory.
    """

    arrival_rate_per_hour: float
    service: DistributionSpec
    windows: int
    duration_hours: float
    warmup_hours: float = 0.0
    wait_thresholds_minutes: tuple[float, ...] = (5.0, 10.0, 15.0)
    calling_policy: str = "default"

    def to_scenario(self) -> Scenario:
        """Return the equivalent full scenario (one slot covering the whole run)."""
        duration = self.duration_hours * 60.0
        requirement = ItemRequirement(
            code=STATIONARY_ITEM,
            domain=ServiceDomain.CONSULTATION,
            min_skill_level=SkillLevel.L5,
            standard_minutes=self.service.mean,
        )
        windows = tuple(WindowSpec(number=n) for n in range(1, self.windows + 1))
        staff = tuple(
            StaffSpec(staff_id=f"S{n:03d}", skill_level=SkillLevel.L4, qualified_items=frozenset({STATIONARY_ITEM}))
            for n in range(1, self.windows + 1)
        )
        return Scenario(
            name=f"stationary λ={self.arrival_rate_per_hour:g}/h c={self.windows}",
            start=DEFAULT_START,
            sessions=((0.0, duration),),
            slot_minutes=duration,
            items={STATIONARY_ITEM: ItemSpec(requirement=requirement, service={SkillLevel.L4: self.service})},
            arrivals={STATIONARY_ITEM: (float(self.arrival_rate_per_hour),)},
            windows=windows,
            staff=staff,
            roster=({w.number: s.staff_id for w, s in zip(windows, staff, strict=True)},),
            calling_policy=self.calling_policy,
            warmup_minutes=self.warmup_hours * 60.0,
            wait_thresholds_minutes=self.wait_thresholds_minutes,
        )

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form (``kind: stationary``)."""
        return {
            "kind": "stationary",
            "arrival_rate_per_hour": self.arrival_rate_per_hour,
            "service": self.service.to_dict(),
            "windows": self.windows,
            "duration_hours": self.duration_hours,
            "warmup_hours": self.warmup_hours,
            "wait_thresholds_minutes": list(self.wait_thresholds_minutes),
            "calling_policy": self.calling_policy,
        }


def stationary_from_dict(data: Mapping[str, object]) -> StationarySpec:
    """Read the stationary form, e.g. ``{"kind": "stationary", "arrival_rate_per_hour": 120, ...}``.

    ``service.distribution`` must be ``exponential`` or ``lognormal`` (with ``cv``).

    Raises:
        ScenarioError: naming the offending field.
    """
    if data.get("kind") != "stationary":
        raise ScenarioError("kind", "must be 'stationary'")
    rate = _number(data, "arrival_rate_per_hour", "arrival_rate_per_hour")
    if rate <= 0:
        raise ScenarioError("arrival_rate_per_hour", "must be positive")
    service = DistributionSpec.from_dict(data.get("service"), "service")
    if service.distribution not in ("exponential", "lognormal"):
        raise ScenarioError("service.distribution", "the stationary form takes 'exponential' or 'lognormal'")
    windows = data.get("windows")
    if isinstance(windows, bool) or not isinstance(windows, int) or windows < 1:
        raise ScenarioError("windows", "must be a whole number of windows, at least 1")
    duration = _number(data, "duration_hours", "duration_hours")
    if duration <= 0:
        raise ScenarioError("duration_hours", "must be positive")
    warmup = _number(data, "warmup_hours", "warmup_hours", default=0.0)
    if not 0 <= warmup < duration:
        raise ScenarioError("warmup_hours", "must be at least 0 and shorter than duration_hours")
    thresholds = _number_list(data.get("wait_thresholds_minutes", [5, 10, 15]), "wait_thresholds_minutes")
    for i, t in enumerate(thresholds):
        if t <= 0:
            raise ScenarioError(f"wait_thresholds_minutes[{i}]", "must be positive")
    policy = _string(data, "calling_policy", "calling_policy", default="default")
    try:
        get_policy(policy)
    except DomainRuleViolation as exc:
        raise ScenarioError("calling_policy", exc.reason) from exc
    return StationarySpec(
        arrival_rate_per_hour=rate,
        service=service,
        windows=windows,
        duration_hours=duration,
        warmup_hours=warmup,
        wait_thresholds_minutes=thresholds,
        calling_policy=policy,
    )


# ---- JSON form --------------------------------------------------------------------------------------------------


def scenario_from_dict(data: Mapping[str, object]) -> Scenario:
    """Read a scenario from its JSON form and validate it.

    ``kind`` is ``"centre"`` (the default: the full form written by :func:`scenario_to_dict`) or ``"stationary"``.
    Skill levels are written ``"L4"`` (or 4); priority groups, domains and window types by their enum values.
    An item's ``service`` is either one distribution (used for every level) or ``{"L4": {...}, "L3": {...}}``.

    Raises:
        ScenarioError: naming the offending field path.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("", "a scenario must be a JSON object")
    kind = data.get("kind", "centre")
    if kind == "stationary":
        scenario = stationary_from_dict(data).to_scenario()
        validate(scenario)
        return scenario
    if kind != "centre":
        raise ScenarioError("kind", f"unknown kind {kind!r}; use 'centre' or 'stationary'")
    start_text = _string(data, "start", "start")
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError as exc:
        raise ScenarioError("start", f"not an ISO 8601 datetime: {start_text!r}") from exc
    if start.tzinfo is None:
        raise ScenarioError("start", "must be timezone-aware (e.g. 2025-03-03T08:30:00+08:00)")
    sessions = tuple(_session(s, f"sessions[{i}]") for i, s in enumerate(_list(data.get("sessions"), "sessions")))
    items = {code: _item(code, raw) for code, raw in _mapping(data.get("items"), "items").items()}
    arrivals = {
        code: _number_list(raw, f"arrivals.{code}") for code, raw in _mapping(data.get("arrivals"), "arrivals").items()
    }
    windows = tuple(_window(raw, f"windows[{i}]") for i, raw in enumerate(_list(data.get("windows"), "windows")))
    staff = tuple(_staff(raw, f"staff[{i}]") for i, raw in enumerate(_list(data.get("staff", []), "staff")))
    roster = tuple(_seats(raw, f"roster[{i}]") for i, raw in enumerate(_list(data.get("roster"), "roster")))
    shares = {
        _enum(PriorityGroup, key, f"priority_shares.{key}"): _as_number(value, f"priority_shares.{key}")
        for key, value in _mapping(data.get("priority_shares", {}), "priority_shares").items()
    }
    patience_raw = data.get("patience")
    promise = _promise(data.get("promise", {}))
    scenario = Scenario(
        name=_string(data, "name", "name", default=""),
        start=start,
        sessions=sessions,
        slot_minutes=_number(data, "slot_minutes", "slot_minutes", default=30.0),
        items=items,
        arrivals=arrivals,
        windows=windows,
        staff=staff,
        roster=roster,
        priority_shares=shares,
        appointment_share=_number(data, "appointment_share", "appointment_share", default=0.0),
        no_show_probability=_number(data, "no_show_probability", "no_show_probability", default=0.0),
        appointment_no_show_probability=(
            None
            if data.get("appointment_no_show_probability") is None
            else _number(data, "appointment_no_show_probability", "appointment_no_show_probability")
        ),
        no_show_call_minutes=_number(data, "no_show_call_minutes", "no_show_call_minutes", default=1.0),
        patience=None if patience_raw is None else DistributionSpec.from_dict(patience_raw, "patience"),
        calling_policy=_string(data, "calling_policy", "calling_policy", default="default"),
        routing_rules=_routing_rules(data.get("routing_rules", {}), promise),
        promise=promise,
        warmup_minutes=_number(data, "warmup_minutes", "warmup_minutes", default=0.0),
        wait_thresholds_minutes=_number_list(
            data.get("wait_thresholds_minutes", [5, 10, 15]), "wait_thresholds_minutes"
        ),
        clear_queue_at_close=_bool(data, "clear_queue_at_close", default=True),
    )
    validate(scenario)
    return scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, object]:
    """Return the JSON form of a scenario (``kind: centre``); :func:`scenario_from_dict` reads it back."""
    rules = scenario.routing_rules
    return {
        "kind": "centre",
        "name": scenario.name,
        "start": scenario.start.isoformat(),
        "slot_minutes": scenario.slot_minutes,
        "sessions": [[opens, closes] for opens, closes in scenario.sessions],
        "items": {
            code: {
                "domain": item.requirement.domain.value,
                "min_skill_level": item.requirement.min_skill_level.name,
                "standard_minutes": item.requirement.standard_minutes,
                "service": {level.name: spec.to_dict() for level, spec in sorted(item.service.items())},
            }
            for code, item in scenario.items.items()
        },
        "arrivals": {code: list(rates) for code, rates in scenario.arrivals.items()},
        "windows": [
            {
                "number": w.number,
                "type": w.type.value,
                "domains": sorted(d.value for d in w.domains),
                "item_codes": sorted(w.item_codes),
            }
            for w in scenario.windows
        ],
        "staff": [
            {
                "staff_id": s.staff_id,
                "skill_level": s.skill_level.name,
                "qualified_domains": sorted(d.value for d in s.qualified_domains),
                "qualified_items": sorted(s.qualified_items),
            }
            for s in scenario.staff
        ],
        "roster": [{str(n): staff_id for n, staff_id in sorted(seats.items())} for seats in scenario.roster],
        "priority_shares": {g.value: share for g, share in scenario.priority_shares.items()},
        "appointment_share": scenario.appointment_share,
        "no_show_probability": scenario.no_show_probability,
        "appointment_no_show_probability": scenario.appointment_no_show_probability,
        "no_show_call_minutes": scenario.no_show_call_minutes,
        "patience": None if scenario.patience is None else scenario.patience.to_dict(),
        "calling_policy": scenario.calling_policy,
        "routing_rules": {
            "fairness_max_priority_in_row": rules.fairness_max_priority_in_row,
            "fairness_wait_minutes": rules.fairness_wait / timedelta(minutes=1),
            "promise_wait_minutes": rules.promise_wait / timedelta(minutes=1),
            "priority_groups": sorted(g.value for g in rules.priority_groups),
            "appointment_early_minutes": rules.appointment_early / timedelta(minutes=1),
            "appointment_late_minutes": rules.appointment_late / timedelta(minutes=1),
        },
        "promise": {
            "share_within": scenario.promise.share_within,
            "within_minutes": scenario.promise.within_minutes,
            "mean_minutes": scenario.promise.mean_minutes,
        },
        "warmup_minutes": scenario.warmup_minutes,
        "wait_thresholds_minutes": list(scenario.wait_thresholds_minutes),
        "clear_queue_at_close": scenario.clear_queue_at_close,
    }


# ---- JSON readers (each names the field path on error) ----------------------------------------------------------


def _mapping(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, "is missing or not an object")
    return value


def _list(value: object, path: str) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(path, "is missing or not a list")
    return value


def _as_number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(path, "must be a number")
    return float(value)


def _number(data: Mapping[str, object], key: str, path: str, default: float | None = None) -> float:
    value = data.get(key)
    if value is None:
        if default is None:
            raise ScenarioError(path, "is missing")
        return default
    return _as_number(value, path)


def _number_list(value: object, path: str) -> tuple[float, ...]:
    return tuple(_as_number(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path)))


def _string(data: Mapping[str, object], key: str, path: str, default: str | None = None) -> str:
    value = data.get(key)
    if value is None:
        if default is None:
            raise ScenarioError(path, "is missing")
        return default
    if not isinstance(value, str):
        raise ScenarioError(path, "must be a string")
    return value


def _bool(data: Mapping[str, object], key: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(key, "must be true or false")
    return value


def _enum(kind: type[_E], value: object, path: str) -> _E:
    try:
        return kind(str(value))
    except ValueError as exc:
        known = ", ".join(member.value for member in kind)
        raise ScenarioError(path, f"unknown value {value!r}; use one of {known}") from exc


def _level(value: object, path: str) -> SkillLevel:
    try:
        if isinstance(value, str):
            return SkillLevel[value.upper()] if value.upper().startswith("L") else SkillLevel(int(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return SkillLevel(value)
    except (KeyError, ValueError):
        pass
    raise ScenarioError(path, f"unknown skill level {value!r}; use L1 … L5")


def _session(value: object, path: str) -> tuple[float, float]:
    pair = _list(value, path)
    if len(pair) != 2:
        raise ScenarioError(path, "must be [open_minute, close_minute]")
    return _as_number(pair[0], f"{path}[0]"), _as_number(pair[1], f"{path}[1]")


def _item(code: str, value: object) -> ItemSpec:
    path = f"items.{code}"
    data = _mapping(value, path)
    domain = _enum(ServiceDomain, data.get("domain"), f"{path}.domain")
    min_level = _level(data.get("min_skill_level", "L5"), f"{path}.min_skill_level")
    raw_service = _mapping(data.get("service"), f"{path}.service")
    service: dict[SkillLevel, DistributionSpec]
    if "distribution" in raw_service:
        spec = DistributionSpec.from_dict(raw_service, f"{path}.service")
        service = dict.fromkeys(SkillLevel, spec)
    else:
        service = {
            _level(key, f"{path}.service.{key}"): DistributionSpec.from_dict(raw, f"{path}.service.{key}")
            for key, raw in raw_service.items()
        }
    standard = _number(data, "standard_minutes", f"{path}.standard_minutes", default=-1.0)
    if standard < 0:
        means = [s.mean for s in service.values()]
        standard = means[0] if means else 10.0
    requirement = ItemRequirement(code=code, domain=domain, min_skill_level=min_level, standard_minutes=standard)
    return ItemSpec(requirement=requirement, service=service)


def _window(value: object, path: str) -> WindowSpec:
    data = _mapping(value, path)
    number = data.get("number")
    if isinstance(number, bool) or not isinstance(number, int):
        raise ScenarioError(f"{path}.number", "must be a whole number")
    return WindowSpec(
        number=number,
        type=_enum(WindowType, data.get("type", WindowType.COMPREHENSIVE_ALL.value), f"{path}.type"),
        domains=frozenset(
            _enum(ServiceDomain, d, f"{path}.domains[{i}]")
            for i, d in enumerate(_list(data.get("domains", []), f"{path}.domains"))
        ),
        item_codes=frozenset(
            _string_value(c, f"{path}.item_codes[{i}]")
            for i, c in enumerate(_list(data.get("item_codes", []), f"{path}.item_codes"))
        ),
    )


def _staff(value: object, path: str) -> StaffSpec:
    data = _mapping(value, path)
    return StaffSpec(
        staff_id=_string(data, "staff_id", f"{path}.staff_id"),
        skill_level=_level(data.get("skill_level", "L4"), f"{path}.skill_level"),
        qualified_domains=frozenset(
            _enum(ServiceDomain, d, f"{path}.qualified_domains[{i}]")
            for i, d in enumerate(_list(data.get("qualified_domains", []), f"{path}.qualified_domains"))
        ),
        qualified_items=frozenset(
            _string_value(c, f"{path}.qualified_items[{i}]")
            for i, c in enumerate(_list(data.get("qualified_items", []), f"{path}.qualified_items"))
        ),
    )


def _string_value(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, "must be a string")
    return value


def _seats(value: object, path: str) -> dict[int, str | None]:
    seats: dict[int, str | None] = {}
    for key, staff_id in _mapping(value, path).items():
        try:
            number = int(key)
        except ValueError as exc:
            raise ScenarioError(f"{path}.{key}", "window numbers must be whole numbers") from exc
        if staff_id is not None and not isinstance(staff_id, str):
            raise ScenarioError(f"{path}.{key}", "must be a staff id or null (closed)")
        seats[number] = staff_id
    return seats


def _routing_rules(value: object, promise: WaitingPromise) -> RoutingRules:
    """Read the routing rules; the policy's promise defaults to the centre's published one."""
    data = _mapping(value, "routing_rules")
    default = RoutingRules(promise_wait=promise.within)

    def minutes(key: str, fallback: timedelta) -> timedelta:
        if data.get(key) is None:
            return fallback
        return timedelta(minutes=_as_number(data[key], f"routing_rules.{key}"))

    groups_raw = data.get("priority_groups")
    groups = (
        frozenset(DEFAULT_PRIORITY_GROUPS)
        if groups_raw is None
        else frozenset(
            _enum(PriorityGroup, g, f"routing_rules.priority_groups[{i}]")
            for i, g in enumerate(_list(groups_raw, "routing_rules.priority_groups"))
        )
    )
    in_row = data.get("fairness_max_priority_in_row", default.fairness_max_priority_in_row)
    if isinstance(in_row, bool) or not isinstance(in_row, int):
        raise ScenarioError("routing_rules.fairness_max_priority_in_row", "must be a whole number")
    try:
        return RoutingRules(
            fairness_max_priority_in_row=in_row,
            fairness_wait=minutes("fairness_wait_minutes", default.fairness_wait),
            promise_wait=minutes("promise_wait_minutes", default.promise_wait),
            priority_groups=groups,
            appointment_early=minutes("appointment_early_minutes", default.appointment_early),
            appointment_late=minutes("appointment_late_minutes", default.appointment_late),
        )
    except DomainRuleViolation as exc:
        raise ScenarioError(f"routing_rules ({exc.field})", exc.reason) from exc


def _promise(value: object) -> WaitingPromise:
    data = _mapping(value, "promise")
    default = WaitingPromise()
    within = data.get("within_minutes", default.within_minutes)
    mean = data.get("mean_minutes", default.mean_minutes)
    if isinstance(within, bool) or not isinstance(within, int):
        raise ScenarioError("promise.within_minutes", "must be a whole number of minutes")
    if mean is not None and (isinstance(mean, bool) or not isinstance(mean, int)):
        raise ScenarioError("promise.mean_minutes", "must be a whole number of minutes or null")
    try:
        return WaitingPromise(
            share_within=_number(data, "share_within", "promise.share_within", default=default.share_within),
            within_minutes=within,
            mean_minutes=mean,
        )
    except DomainRuleViolation as exc:
        raise ScenarioError(f"promise ({exc.field})", exc.reason) from exc
