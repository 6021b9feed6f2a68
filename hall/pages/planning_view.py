"""What the planning pages show, shaped from the planning API's own read types: figures, grids and charts.

Everything here is a pure function of :mod:`staffing.planning.schemas` values (no database, no request), so the
page, its tests and the API agree on the numbers. Charts are :func:`hall.pages.charts.bar_chart` SVGs with the
same figures in a table next to them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Final

from markupsafe import Markup

from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import HallError
from hall.domain.windows import WindowType
from hall.pages import labels
from hall.pages.admin_forms import FormInvalid, FormState, refusal
from hall.pages.charts import Series, bar_chart
from hall.pages.i18n import N_, gettext
from hall.pages.staffing_common import refusal_message
from staffing.planning import schemas as s

# The planning service's reasons (English, the API's contract) as a manager reads them; the first match wins.
PLANNING_REASONS: Final[tuple[tuple[str, str], ...]] = (
    (r"is closed on", N_("the centre is closed on that day")),
    (r"closed all that week", N_("the centre is closed all that week")),
    (r"must be a Monday", N_("must be a Monday")),
    (r"must be before today", N_("must be before today (today's history is not complete)")),
    (r"no active staff to plan with", N_("the centre has no active staff to plan with")),
    (r"no active staff member", N_("no active staff member of this centre has this number")),
    (r"is not an open day of this roster", N_("is not an open day of this roster's week")),
    (r"unknown shift template", N_("is not one of the roster's shifts")),
    (r"one shift per staff member and day", N_("a staff member works one shift a day")),
    (r"hours changed since this roster", N_("the centre's hours changed since this roster: build it again")),
    (r"no fitted parameters", N_("no parameters fitted yet: fit them from the history first")),
    (r"no roster for the week", N_("no roster for this week yet")),
    (r"no staffing plan for", N_("no plan for this day yet")),
    (r"give both starts and ends", N_("give both times, or neither for the whole day")),
    (r"is not a day of this roster", N_("is not one of the roster's days")),
    (r"left the centre while the roster", N_("a staff member left the centre meanwhile: build the roster again")),
    (r"changed by someone else meanwhile", N_("the roster was changed by someone else meanwhile: look at it again")),
    (r"parameters keep changing", N_("the centre's parameters changed meanwhile: build the roster again")),
    (r"no working-day calendar for", N_("the working-day calendar of that year is not loaded yet")),
)
# The default shifts by code (``simulation.rostering.default_templates``); a manager's own shift keeps its label.
SHIFT_NAMES: Final[dict[str, str]] = {
    "full": N_("Full-day shift"),
    "morning": N_("Morning shift"),
    "afternoon": N_("Afternoon shift"),
    "split": N_("Split shift (both ends of the day)"),
}


def shift_name(lang: str, code: str, label: str = "") -> str:
    """A shift as the reader names it: the default shifts translated by code, others by their own label."""
    return gettext(lang, SHIFT_NAMES[code]) if code in SHIFT_NAMES else (label or code)


def window_type_name(lang: str, window_type: str) -> str:
    """A window type (``comprehensive_all``) in the reader's language."""
    try:
        return gettext(lang, labels.WINDOW_TYPES[WindowType(window_type)])
    except (ValueError, KeyError):
        return window_type


def domain_names(lang: str, domains: Sequence[str]) -> str:
    """Domains in the reader's language, listed as that language lists them."""
    names = []
    for code in domains:
        try:
            names.append(gettext(lang, labels.DOMAINS[ServiceDomain(code)]))
        except (ValueError, KeyError):
            names.append(code)
    return (", " if lang == "en" else "、").join(names)


def group_name(lang: str, group: s.SkillGroupRead) -> str:
    """A skill group's name: its window type and the domains it serves (``综合窗口（全科） · 社保、医保``)."""
    kind = window_type_name(lang, group.window_type)
    return f"{kind} · {domain_names(lang, group.domains)}" if group.domains else kind


def planning_message(lang: str, exc: HallError) -> str:
    """A planning refusal outside a form (a day without a plan, a week without a roster) as one sentence."""
    for pattern, message in PLANNING_REASONS:
        if re.search(pattern, exc.reason):
            return gettext(lang, message)
    return refusal_message(lang, exc)


def planning_refusal(
    lang: str, exc: HallError | FormInvalid, field_labels: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> FormState:
    """A refusal as a form state naming its field, with the planning service's reasons in the reader's language."""
    if isinstance(exc, HallError):
        for pattern, message in PLANNING_REASONS:
            if re.search(pattern, exc.reason):
                exc = type(exc)(exc.field, gettext(lang, message))
                break
    return refusal(lang, exc, field_labels, aliases=aliases)


def number(value: float | None, places: int = 1) -> str:
    """A figure as shown in a table: rounded, ``—`` when unknown."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float | None) -> str:
    """A share (0–1) as a percentage with one decimal, ``—`` when unknown."""
    return "—" if share is None else f"{share * 100:.1f} %"


def short_day(on: date) -> str:
    return on.strftime("%m-%d")


# --- fitted parameters ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WeekdayDemand:
    weekday: int
    visitors: float
    peak_slot: str
    peak_rate: float


def weekday_demand(fit: s.FitRead, slot_minutes: float = 30.0) -> list[WeekdayDemand]:
    """Expected visitors on an ordinary day of each weekday, and its busiest slot, from the fitted rates."""
    shown: list[WeekdayDemand] = []
    for weekday_text, slots in sorted(fit.arrival_rates.items(), key=lambda kv: int(kv[0])):
        totals = {label: math.fsum(rates.values()) for label, rates in slots.items()}
        if not totals:
            continue
        peak = max(sorted(totals), key=lambda label: totals[label])
        visitors = math.fsum(totals.values()) * slot_minutes / 60.0
        shown.append(WeekdayDemand(int(weekday_text), round(visitors, 1), peak, round(totals[peak], 1)))
    return shown


@dataclass(frozen=True, slots=True)
class ServiceRow:
    item_code: str
    level: str
    mean_minutes: float
    cv: float
    observations: int
    data_weight: float


def service_rows(fit: s.FitRead) -> list[ServiceRow]:
    return [
        ServiceRow(code, level, f.mean_minutes, f.cv, f.observations, f.data_weight)
        for code, levels in sorted(fit.service.items())
        for level, f in sorted(levels.items())
    ]


# --- forecast against what happened ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VersusShown:
    first: date
    last: date
    forecast_total: float
    actual_total: int
    error: float | None
    days: list[s.ForecastVsActualDay]
    slots: list[str]
    forecast_per_slot: list[float]
    actual_per_slot: list[float]
    daily_chart: Markup
    slot_chart: Markup


def versus_shown(lang: str, versus: s.ForecastVsActualRead) -> VersusShown:
    """The comparison as two charts: visitors per day, and the mean visitors per slot over the period."""
    days = versus.days
    daily = bar_chart(
        "chart-forecast-days",
        gettext(lang, N_("Visitors per day: forecast and recorded")),
        [short_day(d.on) for d in days],
        [
            Series(gettext(lang, N_("Forecast")), [round(d.forecast_total, 1) for d in days]),
            Series(gettext(lang, N_("Recorded")), [d.actual_total for d in days]),
        ],
        unit=gettext(lang, N_("visitors")),
        empty_text=gettext(lang, N_("No open days in this period")),
    )
    slots: list[str] = sorted({label for d in days for label in d.slots})
    forecast_sum = dict.fromkeys(slots, 0.0)
    actual_sum = dict.fromkeys(slots, 0.0)
    for d in days:
        for label, f, a in zip(d.slots, d.forecast, d.actual, strict=False):
            forecast_sum[label] += f
            actual_sum[label] += a
    count = max(1, len(days))
    forecast_per_slot = [round(forecast_sum[label] / count, 2) for label in slots]
    actual_per_slot = [round(actual_sum[label] / count, 2) for label in slots]
    by_slot = bar_chart(
        "chart-forecast-slots",
        gettext(lang, N_("Visitors per half hour, mean of the open days: forecast and recorded")),
        slots,
        [
            Series(gettext(lang, N_("Forecast")), forecast_per_slot),
            Series(gettext(lang, N_("Recorded")), actual_per_slot),
        ],
        unit=gettext(lang, N_("visitors")),
        empty_text=gettext(lang, N_("No open days in this period")),
    )
    return VersusShown(
        versus.first,
        versus.last,
        versus.forecast_total,
        versus.actual_total,
        versus.mean_absolute_error_per_slot,
        days,
        slots,
        forecast_per_slot,
        actual_per_slot,
        daily,
        by_slot,
    )


# --- a day's plan ---------------------------------------------------------------------------------------------------
def plan_charts(lang: str, plan: s.StaffingPlanRead) -> dict[str, Markup]:
    """Required windows per slot and the predicted mean wait per slot, Erlang C-only against simulated."""
    rows = plan.comparison
    labels = [r.slot for r in rows]
    erlang = gettext(lang, N_("Erlang C only"))
    simulated = gettext(lang, N_("Simulated"))
    return {
        "windows": bar_chart(
            "chart-plan-windows",
            gettext(lang, N_("Open windows per half hour")),
            labels,
            [Series(erlang, [r.erlang_windows for r in rows]), Series(simulated, [r.simulated_windows for r in rows])],
            unit=gettext(lang, N_("windows")),
        ),
        "waits": bar_chart(
            "chart-plan-waits",
            gettext(lang, N_("Predicted mean wait per half hour")),
            labels,
            [
                Series(erlang, [r.erlang.mean_wait_minutes for r in rows]),
                Series(simulated, [r.simulated.mean_wait_minutes for r in rows]),
            ],
            unit=gettext(lang, N_("minutes")),
        ),
    }


# --- a week's roster ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GridRow:
    """One staff member's day: the shift (if any) and, per slot, the window they sit at ("" = not seated)."""

    employee_no: str
    name: str
    shift: s.ShiftRead | None
    cells: list[str]
    on_shift: list[bool]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One skill group's windows per slot: required by the plan, seated by the roster."""

    key: str
    label: str
    required: list[int]
    seated: list[int]

    @property
    def short(self) -> list[bool]:
        return [s_ < r for r, s_ in zip(self.required, self.seated, strict=True)]


@dataclass
class RosterDayShown:
    day: s.RosterDayRead
    grid: list[GridRow] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    charts: dict[str, Markup] = field(default_factory=dict)


def _slot_of_shift(shift: s.ShiftRead, label: str, zone: tzinfo) -> bool:
    """Whether the shift covers the slot starting at ``label`` (the centre's local HH:MM)."""
    return any(
        a.astimezone(zone).strftime("%H:%M") <= label < b.astimezone(zone).strftime("%H:%M") for a, b in shift.segments
    )


def roster_day(
    lang: str,
    roster: s.RosterRead,
    day: s.RosterDayRead,
    staff: Sequence[tuple[str, str]],
    groups: Sequence[s.SkillGroupRead],
    zone: tzinfo,
) -> RosterDayShown:
    """The day as a grid of staff × slots with the skill coverage per slot and the simulated waits."""
    shown = RosterDayShown(day)
    shifts = {sh.staff_employee_no: sh for sh in roster.shifts if sh.on == day.on}
    seated: dict[str, list[str]] = {}
    for index, seats in enumerate(day.seats):
        for window, employee_no in seats.items():
            seated.setdefault(employee_no, [""] * len(day.slots))[index] = window
    names = dict(staff)
    order = [no for no, _ in staff] + sorted(set(shifts) - set(names))
    for no in order:
        shift = shifts.get(no)
        cells = seated.get(no, [""] * len(day.slots))
        on_shift = [shift is not None and _slot_of_shift(shift, label, zone) for label in day.slots]
        name = names.get(no) or (shift.staff_name if shift else no)
        shown.grid.append(GridRow(no, name, shift, cells, on_shift))
    window_group = {str(w): g.key for g in groups for w in g.windows}
    keys = sorted({k for counts in day.requirements for k in counts} | {g.key for g in groups})
    group_names = {g.key: group_name(lang, g) for g in groups}
    for key in keys:
        required = [int(counts.get(key, 0)) for counts in day.requirements]
        in_group = [sum(1 for w in seats if window_group.get(w, key) == key) for seats in day.seats]
        if not window_group:  # groups unknown: count every seat under the only key
            in_group = [len(seats) for seats in day.seats]
        shown.coverage.append(CoverageRow(key, group_names.get(key, key), required, in_group))
    evaluation = day.evaluation.slots
    shown.charts["coverage"] = bar_chart(
        "chart-roster-coverage",
        gettext(lang, N_("Windows per half hour: required by the plan and staffed by the roster")),
        list(day.slots),
        [
            Series(gettext(lang, N_("Required")), [sum(c.values()) for c in day.requirements]),
            Series(gettext(lang, N_("Staffed")), [len(seats) for seats in day.seats]),
        ],
        unit=gettext(lang, N_("windows")),
    )
    shown.charts["waits"] = bar_chart(
        "chart-roster-waits",
        gettext(lang, N_("Predicted wait per half hour with this roster")),
        list(day.slots),
        [
            Series(
                gettext(lang, N_("Mean wait")),
                [evaluation[label].mean_wait_minutes if label in evaluation else None for label in day.slots],
            ),
            Series(
                gettext(lang, N_("P90 wait")),
                [evaluation[label].p90_wait_minutes if label in evaluation else None for label in day.slots],
            ),
        ],
        unit=gettext(lang, N_("minutes")),
    )
    return shown


# --- what-if --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WhatIfDay:
    on: date
    before: s.DayEvaluationRead | None
    after: s.DayEvaluationRead


def what_if_days(roster: s.RosterRead, result: s.RosterWhatIfRead) -> list[WhatIfDay]:
    before = {d.on: d.evaluation for d in roster.days}
    return [WhatIfDay(d.on, before.get(d.on), d) for d in result.days]


def what_if_chart(lang: str, days: Sequence[WhatIfDay]) -> Markup:
    return bar_chart(
        "chart-what-if",
        gettext(lang, N_("Share called within the promise per day: the roster as it is and the what-if")),
        [short_day(d.on) for d in days],
        [
            Series(
                gettext(lang, N_("As rostered")),
                [
                    round(d.before.share_within * 100, 1) if d.before and d.before.share_within is not None else None
                    for d in days
                ],
            ),
            Series(
                gettext(lang, N_("What-if")),
                [round(d.after.share_within * 100, 1) if d.after.share_within is not None else None for d in days],
            ),
        ],
        unit="%",
    )
