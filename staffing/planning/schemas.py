"""Request and response bodies of the planning API: fitted parameters, forecasts, plans, rosters, predicted waits.

Times of day are local ``HH:MM`` labels of the centre's half-hour slots; instants are aware datetimes. Rates are
visitors per hour. Every per-slot list is aligned with the ``slots`` list next to it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from hall.lib.schema import WireStruct

EmployeeNo = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="local HH:MM")]
Replications = Annotated[int, msgspec.Meta(ge=2, le=200)]
Seed = Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]
Factor = Annotated[float, msgspec.Meta(ge=0, le=5, description="1.0 = as forecast; 1.2 = +20 % arrivals")]


# --- fitted parameters --------------------------------------------------------------------------------------------
class RefitParameters(WireStruct):
    """Fit the centre's parameters again from its recorded history."""

    days: Annotated[int, msgspec.Meta(ge=7, le=730)] = 90
    until: date | None = None


class ServiceFitRead(WireStruct):
    mean_minutes: float
    cv: float
    observations: int
    data_weight: float


class FitRead(WireStruct):
    """Fitted parameters with when and from what they were fitted (shown to the manager as they are)."""

    id: UUID
    centre_code: str
    fitted_at: datetime
    fitted_on: date
    data_from: date
    data_to: date
    open_days: int
    tickets: int
    service_records: int
    synthetic_share: float
    fitted_by: str
    month_end_factor: float
    after_break_factor: float
    no_show_probability: float
    level_factors: dict[str, float]
    arrival_rates: dict[str, dict[str, dict[str, float]]]
    item_shares: dict[str, dict[str, float]]
    service: dict[str, dict[str, ServiceFitRead]]
    priority_shares: dict[str, float]
    factor_days: dict[str, int]


class FitSummary(WireStruct):
    id: UUID
    fitted_at: datetime
    data_from: date
    data_to: date
    open_days: int
    tickets: int
    service_records: int
    synthetic_share: float


# --- forecasts ----------------------------------------------------------------------------------------------------
class ForecastWeek(WireStruct):
    """Forecast a week (Monday to Sunday) from the latest fit; default: next week."""

    week_start: date | None = None


class DayForecastRead(WireStruct):
    on: date
    start: datetime
    slot_minutes: float
    slots: list[str]
    open_minutes: list[float]
    weekday: int
    factor: float
    is_month_end: bool
    is_after_long_break: bool
    domain_rates: dict[str, list[float]]
    item_rates: dict[str, list[float]]
    expected_visitors: list[float]
    expected_total: float


class ForecastRead(WireStruct):
    id: UUID
    centre_code: str
    week_start: date
    fit_id: UUID
    fitted_at: datetime
    data_from: date
    data_to: date
    created_at: datetime
    days: list[DayForecastRead]


class ForecastSummary(WireStruct):
    id: UUID
    week_start: date
    fit_id: UUID
    created_at: datetime
    expected_total: float


class DomainSeries(WireStruct):
    forecast: list[float]
    actual: list[int]


class ForecastVsActualDay(WireStruct):
    on: date
    slots: list[str]
    forecast: list[float]
    actual: list[int]
    forecast_total: float
    actual_total: int
    by_domain: dict[str, DomainSeries]


class ForecastVsActualRead(WireStruct):
    """Expected against recorded arrivals per slot, day by day; synthetic history counts as recorded."""

    centre_code: str
    first: date
    last: date
    fit_id: UUID | None
    days: list[ForecastVsActualDay]
    forecast_total: float
    actual_total: int
    mean_absolute_error_per_slot: float | None


# --- staffing plans -----------------------------------------------------------------------------------------------
class PlanStaffing(WireStruct):
    """Plan one day: the Erlang C plan and the simulated plan, side by side."""

    on: date
    replications: Replications = 30
    seed: Seed = 1
    arrivals_factor: Factor = 1.0


class SkillGroupRead(WireStruct):
    key: str
    label: str
    window_type: str
    windows: list[int]
    domains: list[str]
    item_codes: list[str]
    demand_keys: list[str]
    eligible_staff: list[str]


class SlotKpisRead(WireStruct):
    visitors: float | None
    served: float | None
    share_within: float | None
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    missed: float | None
    is_judged: bool
    meets_promise: bool


class PlanSlotRow(WireStruct):
    slot: str
    expected_visitors: float
    erlang_windows: int
    simulated_windows: int
    erlang_by_group: dict[str, int]
    simulated_by_group: dict[str, int]
    erlang: SlotKpisRead
    simulated: SlotKpisRead


class PlanSideRead(WireStruct):
    staff_hours: float
    failing_slots: list[str]
    share_within: float | None
    mean_wait_minutes: float | None
    counts: list[dict[str, int]]


class StaffingPlanRead(WireStruct):
    """Both plans of a day with their simulated figures per slot; ``detail`` holds the search's full record."""

    id: UUID
    centre_code: str
    on: date
    created_at: datetime
    created_by: str
    fit_id: UUID | None
    replications: int
    seed: int
    arrivals_factor: float
    seconds: float
    promise: dict[str, Any]
    slots: list[str]
    open_slots: list[str]
    expected_visitors: float
    groups: list[SkillGroupRead]
    erlang: PlanSideRead
    simulated: PlanSideRead
    is_staff_limited: bool
    comparison: list[PlanSlotRow]
    seats: list[dict[str, str]]
    detail: dict[str, Any]


class StaffingPlanSummary(WireStruct):
    id: UUID
    on: date
    created_at: datetime
    replications: int
    arrivals_factor: float
    erlang_staff_hours: float
    simulated_staff_hours: float
    erlang_failing_slots: int
    simulated_failing_slots: int


# --- rosters ------------------------------------------------------------------------------------------------------
class ShiftTemplateWire(WireStruct):
    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    ranges: Annotated[list[tuple[ClockTime, ClockTime]], msgspec.Meta(min_length=1, max_length=4)]


class AbsenceWire(WireStruct):
    """Leave (a whole day) or unavailability between two local times."""

    staff_employee_no: EmployeeNo
    on: date
    starts: ClockTime | None = None
    ends: ClockTime | None = None


class BuildRoster(WireStruct):
    """Roster a week from the staffing plans of its days (planned now where missing)."""

    week_start: date
    templates: list[ShiftTemplateWire] | None = None
    absences: list[AbsenceWire] = msgspec.field(default_factory=list)
    default_weekly_hours: Annotated[float, msgspec.Meta(gt=0, le=80)] = 40.0
    weekly_hours: dict[EmployeeNo, Annotated[float, msgspec.Meta(ge=0, le=80)]] = msgspec.field(default_factory=dict)
    max_days: Annotated[int, msgspec.Meta(ge=1, le=7)] = 5
    replications: Replications = 20
    seed: Seed = 1
    repair_rounds: Annotated[int, msgspec.Meta(ge=0, le=5)] = 2


class ShiftEdit(WireStruct):
    staff_employee_no: EmployeeNo
    on: date
    template: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class EditRosterShifts(WireStruct):
    """Replace the roster's shifts; clerks are then seated to cover the plans as well as these shifts allow."""

    shifts: Annotated[list[ShiftEdit], msgspec.Meta(max_length=2000)]
    replications: Replications = 20
    seed: Seed = 1


class RosterWhatIf(WireStruct):
    """Ask what happens with staff on leave or more (fewer) visitors; ``rebuild`` re-solves around the leave."""

    absences: list[AbsenceWire] = msgspec.field(default_factory=list)
    arrivals_factor: Factor = 1.0
    rebuild: bool = False
    replications: Replications = 20
    seed: Seed = 1


class ShiftRead(WireStruct):
    staff_employee_no: str
    staff_name: str
    on: date
    template: str
    segments: list[tuple[datetime, datetime]]
    hours: float
    is_late: bool
    windows: dict[str, int]


class ShortageRead(WireStruct):
    on: date
    slot: str
    group: str
    windows: int


class DayEvaluationRead(WireStruct):
    on: date
    share_within: float | None
    mean_wait_minutes: float | None
    meets_promise: bool
    failing_slots: list[str]
    slots: dict[str, SlotKpisRead]


class RosterDayRead(WireStruct):
    on: date
    slots: list[str]
    requirements: list[dict[str, int]]
    seats: list[dict[str, str]]
    evaluation: DayEvaluationRead


class RosterRead(WireStruct):
    """A week's roster: the shifts, who sits where each slot, what is left unstaffed and how the week simulates."""

    id: UUID
    centre_code: str
    week_start: date
    status: str
    created_at: datetime
    updated_at: datetime
    edited_by: str
    templates: list[ShiftTemplateWire]
    rules: dict[str, Any]
    solver: dict[str, Any]
    staff_hours: float
    late_shifts: dict[str, int]
    meets_promise: bool
    shortage: list[ShortageRead]
    shifts: list[ShiftRead]
    days: list[RosterDayRead]
    repairs: list[list[str]]


class RosterWhatIfRead(WireStruct):
    centre_code: str
    week_start: date
    arrivals_factor: float
    absences: list[AbsenceWire]
    rebuilt: bool
    staff_hours: float
    meets_promise: bool
    shortage: list[ShortageRead]
    days: list[DayEvaluationRead]
    shifts: list[ShiftRead]


class RosterSummary(WireStruct):
    id: UUID
    week_start: date
    status: str
    updated_at: datetime
    staff_hours: float
    meets_promise: bool


# --- live predictions ---------------------------------------------------------------------------------------------
class PredictedCallRead(WireStruct):
    number: str
    arrived_at: datetime
    p50_at: datetime | None
    p90_at: datetime | None
    p50_minutes: float | None
    p90_minutes: float | None
    naive_at: datetime | None


class PredictedWaitsRead(WireStruct):
    """When each waiting ticket will be called, from short twin runs of the hall as it is now."""

    centre_code: str
    at: datetime
    replications: int
    open_windows: int
    tickets: list[PredictedCallRead]
