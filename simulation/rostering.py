"""Rosters: turning a week of staffing plans into shifts for named staff, as an integer program (HiGHS via scipy).

**Model.** ``x[s, d, k] = 1`` when staff member ``s`` works shift template ``k`` on day ``d``; ``y[s, d, t, g] = 1``
when they sit at a window of skill group ``g`` in slot ``t``; ``u[d, t, g] ≥ 0`` counts windows of the plan left
unstaffed; ``L`` is the most late shifts anyone works.

* one shift a day: ``Σ_k x[s,d,k] ≤ 1``; at most ``max_days`` shifts a week;
* a clerk sits only while on shift, at one window at a time: ``Σ_g y[s,d,t,g] ≤ Σ_{k ∋ t} x[s,d,k]``;
* only in groups whose profile they fit (other ``y`` do not exist);
* the plan is covered: ``Σ_s y[s,d,t,g] + u[d,t,g] ≥ required[d,t,g]``;
* weekly hours: ``Σ hours[d,k] x[s,d,k] ≤ weekly_hours[s]``;
* availability and leave: templates overlapping an absence do not exist for that person and day;
* fair late shifts: ``Σ_{d, k late} x[s,d,k] ≤ L``.

The objective minimises unstaffed windows (heavily), then paid hours, then ``L``. Given the shifts, seating clerks
in groups is a bipartite matching, so the relaxation is tight and HiGHS solves a centre-week in seconds. Clerks
keep their window from slot to slot where they can. With ``fixed`` shifts (a manager's edit) only the seating is
optimised.
"""

from __future__ import annotations

import math
import time as wall
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from hall.domain.errors import DomainRuleViolation
from simulation.centre import CentreSetup, DayGrid, Roster
from simulation.fitting import DayForecast
from simulation.planning import PlanCounts, PlanEvaluation, SkillGroup, evaluate_roster, open_more_windows

SHORTAGE_WEIGHT: Final = 1000.0
LATE_WEIGHT: Final = 2.0
SHIFT_LABELS: Final[dict[str, str]] = {"full": "全天班", "morning": "上午班", "afternoon": "下午班", "split": "两头班"}
"""The default shifts' names (the data's language); pages name them in the reader's language by their code."""


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A kind of shift, as local time ranges (clipped to each day's opening hours).

    Attributes:
        name: Its key: ``full``, ``morning``, ``afternoon``, ``split`` or the manager's own.
        label: What staff see (全天班, 上午班 …).
        ranges: Local ``(start, end)`` times, in order.
    """

    name: str
    label: str
    ranges: tuple[tuple[time, time], ...]

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "label": self.label,
            "ranges": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in self.ranges],
        }


def default_templates(setup: CentreSetup) -> tuple[ShiftTemplate, ...]:
    """Return full-day, morning, afternoon and split shifts from the centre's Monday sessions.

    The split shift (两头班) covers the first two hours of the morning and the last two of the afternoon, the
    weekday-morning and late-afternoon peaks.
    """
    monday = sorted((s for s in setup.sessions if s.weekday == 0), key=lambda s: s.opens_at)
    if not monday:
        weekdays = sorted({s.weekday for s in setup.sessions})
        monday = sorted((s for s in setup.sessions if s.weekday == weekdays[0]), key=lambda s: s.opens_at)
    if not monday:
        raise DomainRuleViolation("sessions", "the centre has no opening hours to build shifts from")
    ranges = tuple((s.opens_at, s.closes_at) for s in monday)
    templates = [ShiftTemplate("full", SHIFT_LABELS["full"], ranges)]
    if len(ranges) >= 2:
        templates.append(ShiftTemplate("morning", SHIFT_LABELS["morning"], ranges[:1]))
        templates.append(ShiftTemplate("afternoon", SHIFT_LABELS["afternoon"], ranges[1:]))
        first_open, last_close = ranges[0][0], ranges[-1][1]
        early_end = _add(first_open, 120)
        late_start = _add(last_close, -120)
        if early_end <= ranges[0][1] and late_start >= ranges[-1][0]:
            templates.append(
                ShiftTemplate("split", SHIFT_LABELS["split"], ((first_open, early_end), (late_start, last_close)))
            )
    return tuple(templates)


def _add(t: time, minutes: int) -> time:
    total = t.hour * 60 + t.minute + minutes
    return time(total // 60, total % 60)


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60.0


@dataclass(frozen=True, slots=True)
class Absence:
    """A staff member not available: on leave for a whole day, or away between two local times."""

    staff_id: str
    on: date
    starts: time | None = None
    ends: time | None = None

    def blocks(self, ranges: Sequence[tuple[time, time]]) -> bool:
        """Return whether a shift with these ranges overlaps the absence."""
        if self.starts is None or self.ends is None:
            return True
        return any(_minutes(a) < _minutes(self.ends) and _minutes(self.starts) < _minutes(b) for a, b in ranges)


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterRules:
    """What a roster must respect.

    Attributes:
        templates: The shift templates.
        default_weekly_hours: Hours a week anyone may work.
        weekly_hours: Individual limits by staff id.
        max_days: Shifts a week anyone may work.
        absences: Leave and unavailability.
        time_limit_seconds: The solver's time limit.
        mip_gap: The relative optimality gap at which the solver may stop.
    """

    templates: tuple[ShiftTemplate, ...]
    default_weekly_hours: float = 40.0
    weekly_hours: Mapping[str, float] = field(default_factory=dict)
    max_days: int = 5
    absences: tuple[Absence, ...] = ()
    time_limit_seconds: float = 30.0
    mip_gap: float = 0.01

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {
            "templates": [t.to_dict() for t in self.templates],
            "defaultWeeklyHours": self.default_weekly_hours,
            "weeklyHours": dict(self.weekly_hours),
            "maxDays": self.max_days,
            "absences": [
                {
                    "staff": a.staff_id,
                    "on": a.on.isoformat(),
                    "starts": a.starts.strftime("%H:%M") if a.starts else None,
                    "ends": a.ends.strftime("%H:%M") if a.ends else None,
                }
                for a in self.absences
            ],
        }


@dataclass(frozen=True, slots=True)
class DayRequirement:
    """A day's plan: its grid and the windows per group each slot needs."""

    grid: DayGrid
    counts: PlanCounts

    @property
    def on(self) -> date:
        """The day."""
        return self.grid.on


@dataclass(frozen=True, slots=True)
class Shift:
    """One staff member's shift on one day.

    Attributes:
        staff_id: Who.
        on: The day.
        template: The template's name.
        segments: Aware local ``(start, end)`` times the shift covers while the centre is open.
        hours: Paid hours (open time covered).
        is_late: Whether the shift runs to the day's last close.
        windows: The window they sit at, by slot label (slots without a window: on shift, not seated).
    """

    staff_id: str
    on: date
    template: str
    segments: tuple[tuple[datetime, datetime], ...]
    hours: float
    is_late: bool
    windows: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class WeekRoster:
    """A solved roster.

    Attributes:
        shifts: Every shift, by day then staff id.
        shortage: Plan windows left unstaffed: day → slot label → group key → windows.
        status: The solver's word (``optimal``, ``time limit``, ``infeasible`` …).
        objective: The objective's value.
        seconds: Solving time.
        variables: Size of the integer program.
    """

    shifts: tuple[Shift, ...]
    shortage: Mapping[date, Mapping[str, Mapping[str, int]]]
    status: str
    objective: float
    seconds: float
    variables: int

    @property
    def staff_hours(self) -> float:
        """Paid hours of the week."""
        return math.fsum(s.hours for s in self.shifts)

    def late_shifts(self) -> dict[str, int]:
        """Late shifts per staff member."""
        out: dict[str, int] = {}
        for shift in self.shifts:
            if shift.is_late:
                out[shift.staff_id] = out.get(shift.staff_id, 0) + 1
        return out

    def day_roster(self, grid: DayGrid) -> Roster:
        """Return who sits where in each slot of a day (the twin's roster)."""
        seats: list[dict[int, str | None]] = [{} for _ in range(grid.n_slots)]
        labels = {label: i for i, label in enumerate(grid.labels)}
        for shift in self.shifts:
            if shift.on != grid.on:
                continue
            for label, number in shift.windows.items():
                if label in labels:
                    seats[labels[label]][number] = shift.staff_id
        return tuple(seats)


@dataclass(frozen=True, slots=True)
class _Option:
    """One template on one day: the slots it covers, its hours and whether it is late."""

    template: ShiftTemplate
    slots: tuple[int, ...]
    hours: float
    is_late: bool
    segments: tuple[tuple[datetime, datetime], ...]


def _options(grid: DayGrid, templates: Sequence[ShiftTemplate]) -> list[_Option]:
    options: list[_Option] = []
    seen: set[tuple[int, ...]] = set()
    midnight = datetime.combine(grid.on, time(0, 0), tzinfo=grid.start.tzinfo)
    offset = (grid.start - midnight) / timedelta(minutes=1)
    last = grid.last_open_slot()
    for template in templates:
        covered: list[tuple[float, float]] = []
        for a, b in template.ranges:
            lo, hi = _minutes(a) - offset, _minutes(b) - offset
            for opens, closes in grid.sessions:
                s, e = max(lo, opens), min(hi, closes)
                if e > s:
                    covered.append((s, e))
        slots = tuple(
            i
            for i in grid.open_slots
            if _covers(covered, max(i * grid.slot_minutes, _first_open(grid, i)), _last_open(grid, i))
        )
        if not slots or slots in seen:
            continue
        seen.add(slots)
        hours = math.fsum(e - s for s, e in covered) / 60.0
        segments = tuple(
            (grid.start + timedelta(minutes=s), grid.start + timedelta(minutes=e)) for s, e in sorted(covered)
        )
        options.append(_Option(template, slots, hours, last in slots, segments))
    return options


def _first_open(grid: DayGrid, slot: int) -> float:
    lo, hi = slot * grid.slot_minutes, (slot + 1) * grid.slot_minutes
    return min((max(lo, o) for o, c in grid.sessions if min(hi, c) > max(lo, o)), default=lo)


def _last_open(grid: DayGrid, slot: int) -> float:
    lo, hi = slot * grid.slot_minutes, (slot + 1) * grid.slot_minutes
    return max((min(hi, c) for o, c in grid.sessions if min(hi, c) > max(lo, o)), default=hi)


def _covers(ranges: Sequence[tuple[float, float]], start: float, end: float) -> bool:
    return any(s <= start + 1e-9 and end <= e + 1e-9 for s, e in ranges)


@dataclass(frozen=True, slots=True)
class FixedShift:
    """A shift the manager has set: the roster keeps it and only seats the clerk."""

    staff_id: str
    on: date
    template: str


def build_roster(
    setup: CentreSetup,
    groups: Sequence[SkillGroup],
    days: Sequence[DayRequirement],
    rules: RosterRules,
    *,
    fixed: Sequence[FixedShift] | None = None,
) -> WeekRoster:
    """Solve the week's roster (see the module docstring for the model).

    Args:
        setup: The centre (its staff are the people rostered).
        groups: The skill groups the plans count windows of.
        days: The plan of each day to cover.
        rules: Templates, hour limits, leave.
        fixed: When given, exactly these shifts are worked and only the seating is optimised.

    Raises:
        DomainRuleViolation: on ``templates`` when there are none, or on ``fixed[i]`` naming an unknown staff
            member, day or template.
    """
    started = wall.perf_counter()
    if not rules.templates:
        raise DomainRuleViolation("templates", "give at least one shift template")
    staff_ids = [s.staff_id for s in setup.staff]
    eligible = {g.key: set(g.eligible_staff) for g in groups}
    absences: dict[tuple[str, date], list[Absence]] = {}
    for absence in rules.absences:
        absences.setdefault((absence.staff_id, absence.on), []).append(absence)
    fixed_set: set[tuple[str, date, str]] | None = None
    if fixed is not None:
        fixed_set = set()
        known_days = {d.on for d in days}
        names = {t.name for t in rules.templates}
        for i, f in enumerate(fixed):
            if f.staff_id not in staff_ids:
                raise DomainRuleViolation(f"fixed[{i}].staff", f"unknown staff member {f.staff_id!r}")
            if f.on not in known_days:
                raise DomainRuleViolation(f"fixed[{i}].on", f"{f.on} is not a planned day of this week")
            if f.template not in names:
                raise DomainRuleViolation(f"fixed[{i}].template", f"unknown shift template {f.template!r}")
            fixed_set.add((f.staff_id, f.on, f.template))

    # Variables: x (shift choices), y (seating), u (shortage), L.
    x_index: list[tuple[str, int, _Option]] = []
    day_options = [_options(d.grid, rules.templates) for d in days]
    for s in staff_ids:
        for di, day in enumerate(days):
            blocked = absences.get((s, day.on), [])
            for option in day_options[di]:
                if any(a.blocks(option.template.ranges) for a in blocked):
                    continue
                if fixed_set is not None and (s, day.on, option.template.name) not in fixed_set:
                    continue
                x_index.append((s, di, option))
    y_index: list[tuple[str, int, int, str]] = []
    covers: dict[tuple[str, int, int], list[int]] = {}
    for xi, (s, di, option) in enumerate(x_index):
        for t in option.slots:
            covers.setdefault((s, di, t), []).append(xi)
    y_index.extend(
        (s, di, t, g.key)
        for s, di, t in sorted(covers)
        for g in groups
        if s in eligible[g.key] and days[di].counts[t].get(g.key, 0) > 0
    )
    u_index = [
        (di, t, g.key)
        for di, day in enumerate(days)
        for t in day.grid.open_slots
        for g in groups
        if day.counts[t].get(g.key, 0) > 0
    ]
    nx, ny, nu = len(x_index), len(y_index), len(u_index)
    n = nx + ny + nu + 1
    late_var = n - 1
    cost = np.zeros(n)
    for xi, (_, _, option) in enumerate(x_index):
        cost[xi] = option.hours
    cost[nx + ny : nx + ny + nu] = SHORTAGE_WEIGHT
    cost[late_var] = LATE_WEIGHT
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(entries: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lower)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lower.append(lo)
        upper.append(hi)

    by_staff_day: dict[tuple[str, int], list[int]] = {}
    by_staff: dict[str, list[int]] = {}
    for xi, (s, di, _) in enumerate(x_index):
        by_staff_day.setdefault((s, di), []).append(xi)
        by_staff.setdefault(s, []).append(xi)
    for xs in by_staff_day.values():
        constraint([(xi, 1.0) for xi in xs], -np.inf, 1.0)
    for s, xs in by_staff.items():
        constraint([(xi, 1.0) for xi in xs], -np.inf, float(rules.max_days))
        limit = float(rules.weekly_hours.get(s, rules.default_weekly_hours))
        constraint([(xi, x_index[xi][2].hours) for xi in xs], -np.inf, limit)
        late = [(xi, 1.0) for xi in xs if x_index[xi][2].is_late]
        if late:
            constraint([*late, (late_var, -1.0)], -np.inf, 0.0)
    seats_of: dict[tuple[str, int, int], list[int]] = {}
    cover_of: dict[tuple[int, int, str], list[int]] = {}
    for yi, (s, di, t, g) in enumerate(y_index):
        seats_of.setdefault((s, di, t), []).append(nx + yi)
        cover_of.setdefault((di, t, g), []).append(nx + yi)
    for key, ys in seats_of.items():
        constraint([(c, 1.0) for c in ys] + [(xi, -1.0) for xi in covers[key]], -np.inf, 0.0)
    for ui, (di, t, g) in enumerate(u_index):
        need = float(days[di].counts[t][g])
        constraint([(c, 1.0) for c in cover_of.get((di, t, g), [])] + [(nx + ny + ui, 1.0)], need, np.inf)
    if fixed_set is not None:
        for xi in range(nx):
            constraint([(xi, 1.0)], 1.0, 1.0)
    integrality = np.zeros(n)
    integrality[: nx + ny] = 1
    upper_bounds = np.full(n, np.inf)
    upper_bounds[: nx + ny] = 1.0
    matrix = coo_array((vals, (rows, cols)), shape=(len(lower), n)).tocsr()
    result = milp(
        cost,
        integrality=integrality,
        bounds=Bounds(np.zeros(n), upper_bounds),
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)) if lower else (),
        options={"time_limit": rules.time_limit_seconds, "mip_rel_gap": rules.mip_gap, "disp": False},
    )
    status = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded", 4: "other"}.get(result.status, "other")
    if result.x is None:
        return WeekRoster((), {}, status, math.nan, wall.perf_counter() - started, n)
    solution = np.round(result.x[: nx + ny]).astype(int)
    chosen = [x_index[xi] for xi in range(nx) if solution[xi] == 1]
    seated: dict[tuple[int, int, str], list[str]] = {}
    for yi, (s, di, t, g) in enumerate(y_index):
        if solution[nx + yi] == 1:
            seated.setdefault((di, t, g), []).append(s)
    shortage: dict[date, dict[str, dict[str, int]]] = {}
    for ui, (di, t, g) in enumerate(u_index):
        missing = round(float(result.x[nx + ny + ui]))
        if missing > 0:
            shortage.setdefault(days[di].on, {}).setdefault(days[di].grid.label(t), {})[g] = missing
    windows = _assign_windows(groups, days, seated)
    shifts = tuple(
        Shift(
            staff_id=s,
            on=days[di].on,
            template=option.template.name,
            segments=option.segments,
            hours=round(option.hours, 4),
            is_late=option.is_late,
            windows=windows.get((s, di), {}),
        )
        for s, di, option in sorted(chosen, key=lambda c: (c[1], c[0]))
    )
    return WeekRoster(
        shifts=shifts,
        shortage=shortage,
        status=status,
        objective=float(result.fun) if result.fun is not None else math.nan,
        seconds=wall.perf_counter() - started,
        variables=n,
    )


def _assign_windows(
    groups: Sequence[SkillGroup], days: Sequence[DayRequirement], seated: Mapping[tuple[int, int, str], list[str]]
) -> dict[tuple[str, int], dict[str, int]]:
    """Give each seated clerk a window of their group, keeping the one they had in the previous slot if possible."""
    by_key = {g.key: g for g in groups}
    out: dict[tuple[str, int], dict[str, int]] = {}
    for di, day in enumerate(days):
        previous: dict[str, int] = {}
        for t in day.grid.open_slots:
            label = day.grid.label(t)
            current: dict[str, int] = {}
            for g in groups:
                people = sorted(seated.get((di, t, g.key), []))
                free = list(by_key[g.key].window_numbers)
                keep = [p for p in people if previous.get(p) in free]
                for p in keep:
                    current[p] = previous[p]
                    free.remove(previous[p])
                for p in people:
                    if p not in current and free:
                        current[p] = free.pop(0)
            for p, number in current.items():
                out.setdefault((p, di), {})[label] = number
            previous = current
    return out


@dataclass(frozen=True, slots=True)
class DayDemand:
    """A day to roster: its expected visitors and the plan's windows per group and slot."""

    forecast: DayForecast
    counts: PlanCounts


@dataclass(frozen=True, slots=True)
class RosterOutcome:
    """A roster, the plans it covers (after repairs) and each day's simulated figures with it.

    Attributes:
        roster: The solved roster.
        requirements: The windows per group each day asked for in the end.
        evaluations: Each day simulated with the roster's seating.
        repairs: What each repair round added, and where.
    """

    roster: WeekRoster
    requirements: tuple[DayRequirement, ...]
    evaluations: Mapping[date, PlanEvaluation]
    repairs: tuple[tuple[str, ...], ...]

    @property
    def meets_promise(self) -> bool:
        """Whether every day keeps the promise in every judged slot."""
        return all(e.meets_promise for e in self.evaluations.values())


def evaluate_week(
    setup: CentreSetup,
    roster: WeekRoster,
    demands: Sequence[DayDemand],
    *,
    replications: int,
    seed: int,
    executor: Executor | None = None,
) -> dict[date, PlanEvaluation]:
    """Simulate each day of a roster (the same seeds each day) and return the figures per day."""
    return {
        d.forecast.on: evaluate_roster(
            setup,
            d.forecast,
            roster.day_roster(d.forecast.grid),
            replications=replications,
            seed=seed,
            executor=executor,
        )
        for d in demands
    }


def roster_week(
    setup: CentreSetup,
    groups: Sequence[SkillGroup],
    demands: Sequence[DayDemand],
    rules: RosterRules,
    *,
    replications: int = 20,
    seed: int = 1,
    executor: Executor | None = None,
    repair_rounds: int = 2,
    fixed: Sequence[FixedShift] | None = None,
) -> RosterOutcome:
    """Roster a week, simulate every day with the roster's own seating, and repair days that miss the promise.

    The people a roster seats are not the ones the plan was simulated with (other skill levels, other extra
    qualifications), so the roster is simulated in its own right. In a repair round each failing slot asks for one
    more window — in the group serving the visitors who waited longest — and the roster is solved again. With
    ``fixed`` shifts there is no repair: the manager's roster is shown as it is.
    """
    requirements = [DayRequirement(d.forecast.grid, tuple(dict(c) for c in d.counts)) for d in demands]
    repairs: list[tuple[str, ...]] = []
    rounds = 0 if fixed is not None else repair_rounds
    while True:
        roster = build_roster(setup, groups, requirements, rules, fixed=fixed)
        evaluations = evaluate_week(setup, roster, demands, replications=replications, seed=seed, executor=executor)
        if rounds <= 0 or all(e.meets_promise for e in evaluations.values()):
            break
        rounds -= 1
        changes: list[str] = []
        for i, demand in enumerate(demands):
            evaluation = evaluations[demand.forecast.on]
            if evaluation.meets_promise:
                continue
            counts = [dict(c) for c in requirements[i].counts]
            added = open_more_windows(setup, groups, demand.forecast.grid, counts, evaluation, evaluation.failing_slots)
            changes.extend(f"{demand.forecast.on}: {c}" for c in added)
            requirements[i] = DayRequirement(demand.forecast.grid, tuple(counts))
        repairs.append(tuple(changes))
        if not changes:
            break
    return RosterOutcome(
        roster=roster, requirements=tuple(requirements), evaluations=evaluations, repairs=tuple(repairs)
    )
