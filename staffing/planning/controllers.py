"""HTTP API of planning (version 1): fitted parameters, forecasts, staffing plans, rosters and predicted waits.

Everything is under ``/api/v1/centres/{centre_code}/planning``. Days and weeks are addressed by date (a week by its
Monday). Plans and rosters take seconds of CPU: the work runs in a process pool, never on the event loop, and with no
database transaction open (the service is *detached*: short transactions of its own before and after). Handlers
are thin: each calls one method of the planning service, which checks who may plan for which centre.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from hall.domain.people import Role
from hall.security import allow
from staffing.planning import schemas as s
from staffing.planning.services import PlanningService, roster_csv, roster_ical

MANAGERS = allow(Role.ADMIN, Role.MANAGER)
WAIT_READERS = allow(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.DISPLAY)
FromDate = Annotated[date | None, QueryParameter(name="from", description="first local day (inclusive)")]
ToDate = Annotated[date | None, QueryParameter(name="to", description="last local day (inclusive)")]


class PlanningController(Controller):
    path = "/api/v1/centres/{centre_code:str}/planning"
    tags = ["planning"]
    guards = [MANAGERS]

    # --- fitted parameters ------------------------------------------------------------------------------------------
    @get("/fit", operation_id="GetPlanningFit")
    async def get_fit(self, centre_code: FromPath[str], planning: NamedDependency[PlanningService]) -> s.FitRead:
        """The centre's latest fitted parameters, with their data range.

        Arrival rates per weekday × slot × domain, day factors, and service times per item × skill level
        (lognormal, with how much of each estimate comes from the data).
        """
        return await planning.latest_fit(centre_code)

    @get("/fits", operation_id="ListPlanningFits")
    async def list_fits(
        self, centre_code: FromPath[str], planning: NamedDependency[PlanningService]
    ) -> list[s.FitSummary]:
        """Every fit of the centre, newest first, with its data range."""
        return await planning.list_fits(centre_code)

    @post("/fits", operation_id="RefitPlanningParameters", status_code=HTTP_201_CREATED)
    async def refit(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.RefitParameters],
        planning: NamedDependency[PlanningService],
        state: State,
    ) -> s.FitRead:
        """Fit the parameters again from the last ``days`` days of tickets and service records (up to ``until``)."""
        return await (await planning.detached(state["session_maker"])).refit(centre_code, data)

    # --- forecasts --------------------------------------------------------------------------------------------------
    @post("/forecasts", operation_id="ForecastWeek", status_code=HTTP_200_OK)
    async def forecast_week(
        self, centre_code: FromPath[str], data: JSONBody[s.ForecastWeek], planning: NamedDependency[PlanningService]
    ) -> s.ForecastRead:
        """Forecast a week (default: next week) from the latest fit; the same week and fit are stored once."""
        return await planning.forecast_week(centre_code, data)

    @get("/forecasts", operation_id="ListForecasts")
    async def list_forecasts(
        self, centre_code: FromPath[str], planning: NamedDependency[PlanningService]
    ) -> list[s.ForecastSummary]:
        """The stored weekly forecasts, newest week first."""
        return await planning.list_forecasts(centre_code)

    @get("/forecasts/{on:date}", operation_id="GetForecast")
    async def get_forecast(
        self, centre_code: FromPath[str], on: FromPath[date], planning: NamedDependency[PlanningService]
    ) -> s.ForecastRead:
        """The forecast of the week starting on Monday ``on``: visitors per hour per slot, per domain and item."""
        return await planning.get_forecast(centre_code, on)

    @get("/forecast-vs-actual", operation_id="GetForecastVsActual")
    async def forecast_vs_actual(
        self,
        centre_code: FromPath[str],
        planning: NamedDependency[PlanningService],
        first: FromDate = None,
        last: ToDate = None,
    ) -> s.ForecastVsActualRead:
        """Expected against recorded arrivals per day and slot (default: the last 14 days), with the mean error."""
        return await planning.forecast_vs_actual(centre_code, first, last)

    # --- staffing plans ---------------------------------------------------------------------------------------------
    @post("/plans", operation_id="PlanStaffing", status_code=HTTP_201_CREATED)
    async def plan(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.PlanStaffing],
        planning: NamedDependency[PlanningService],
        state: State,
    ) -> s.StaffingPlanRead:
        """Plan a day: the simulated plan next to the Erlang C plan (takes seconds).

        The simulated plan is the fewest windows per skill group and slot that keep the promise in the twin; the
        Erlang C plan answers each slot on its own. Both come with staff-hours and predicted figures per slot.
        """
        return await (await planning.detached(state["session_maker"])).plan(centre_code, data)

    @get("/plans", operation_id="ListStaffingPlans")
    async def list_plans(
        self,
        centre_code: FromPath[str],
        planning: NamedDependency[PlanningService],
        first: FromDate = None,
        last: ToDate = None,
    ) -> list[s.StaffingPlanSummary]:
        """Stored plans (optionally of a date range), newest first."""
        return await planning.list_plans(centre_code, first, last)

    @get("/plans/{on:date}", operation_id="GetStaffingPlan")
    async def get_plan(
        self, centre_code: FromPath[str], on: FromPath[date], planning: NamedDependency[PlanningService]
    ) -> s.StaffingPlanRead:
        """The day's most recent plan."""
        return await planning.get_plan(centre_code, on)

    # --- rosters ----------------------------------------------------------------------------------------------------
    @post("/rosters", operation_id="BuildRoster", status_code=HTTP_201_CREATED)
    async def build_roster(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.BuildRoster],
        planning: NamedDependency[PlanningService],
        state: State,
    ) -> s.RosterRead:
        """Roster a week for named staff (an integer program) and store it.

        Every day is simulated with the roster's own seating and days that miss the promise are repaired; the
        week's previous roster is replaced.
        """
        return await (await planning.detached(state["session_maker"])).build_roster(centre_code, data)

    @get("/rosters", operation_id="ListRosters")
    async def list_rosters(
        self, centre_code: FromPath[str], planning: NamedDependency[PlanningService]
    ) -> list[s.RosterSummary]:
        """The centre's rosters, newest week first."""
        return await planning.list_rosters(centre_code)

    @get("/rosters/{on:date}", operation_id="GetRoster")
    async def get_roster(
        self, centre_code: FromPath[str], on: FromPath[date], planning: NamedDependency[PlanningService]
    ) -> s.RosterRead:
        """The roster of the week starting on Monday ``on``: shifts, seats per slot, shortage and simulated figures."""
        return await planning.get_roster(centre_code, on)

    @put("/rosters/{on:date}/shifts", operation_id="EditRosterShifts")
    async def edit_shifts(
        self,
        centre_code: FromPath[str],
        on: FromPath[date],
        data: JSONBody[s.EditRosterShifts],
        planning: NamedDependency[PlanningService],
        state: State,
    ) -> s.RosterRead:
        """Replace the week's shifts with the manager's.

        Clerks are then seated to cover the plans as well as these shifts allow, and the week is simulated again.
        """
        return await (await planning.detached(state["session_maker"])).edit_shifts(centre_code, on, data)

    @post("/rosters/{on:date}/what-if", operation_id="SimulateRosterWhatIf", status_code=HTTP_200_OK)
    async def what_if(
        self,
        centre_code: FromPath[str],
        on: FromPath[date],
        data: JSONBody[s.RosterWhatIf],
        planning: NamedDependency[PlanningService],
        state: State,
    ) -> s.RosterWhatIfRead:
        """Simulate the roster with staff on leave or other arrivals (e.g. ``arrivalsFactor: 1.2``).

        The roster is simulated as it is, or re-solved around the leave with ``rebuild``; nothing is stored.
        """
        return await (await planning.detached(state["session_maker"])).what_if(centre_code, on, data)

    @get("/rosters/{on:date}/roster.csv", operation_id="ExportRosterCsv", media_type="text/csv")
    async def export_csv(
        self, centre_code: FromPath[str], on: FromPath[date], planning: NamedDependency[PlanningService]
    ) -> Response[str]:
        """The week's shifts as CSV (UTF-8)."""
        setup, row = await planning.roster_rows(centre_code, on)
        return Response(
            roster_csv(setup, row),
            media_type="text/csv",  # Litestar adds "; charset=utf-8"
            headers={"Content-Disposition": f'attachment; filename="roster-{centre_code}-{on.isoformat()}.csv"'},
        )

    @get("/rosters/{on:date}/roster.ics", operation_id="ExportRosterIcal", media_type="text/calendar")
    async def export_ical(
        self, centre_code: FromPath[str], on: FromPath[date], planning: NamedDependency[PlanningService]
    ) -> Response[str]:
        """The week's shifts as an iCalendar file (one event per shift segment)."""
        setup, row = await planning.roster_rows(centre_code, on)
        return Response(
            roster_ical(setup, row, centre_code, planning.clock.now()),
            media_type="text/calendar",  # Litestar adds "; charset=utf-8"
            headers={"Content-Disposition": f'attachment; filename="roster-{centre_code}-{on.isoformat()}.ics"'},
        )


class PredictedWaitsController(Controller):
    path = "/api/v1/centres/{centre_code:str}/planning"
    tags = ["planning"]
    guards = [WAIT_READERS]

    @get("/predicted-waits", operation_id="GetPredictedWaits")
    async def predicted_waits(
        self, centre_code: FromPath[str], planning: NamedDependency[PlanningService]
    ) -> s.PredictedWaitsRead:
        """When each waiting ticket is expected to be called, with the naive estimate next to it.

        P50 and P90 of short twin runs from the hall's state now: waiting tickets, open windows and the service
        already under way at each.
        """
        return await planning.predicted_waits(centre_code)


ROUTES = [PlanningController, PredictedWaitsController]
