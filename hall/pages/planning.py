"""The manager's planning pages (``/manage/{centre}/planning``): forecast, plans, rosters, shift edits, what-ifs.

The overview shows the fitted parameters and the forecast against what happened; a day's plan shows Erlang C only
against simulated; a week's roster is a grid of staff × slots.

Every figure comes from :class:`staffing.planning.services.PlanningService`, the API's own service, so the same
checks apply (a township manager plans only their centre). Plans and rosters take seconds of CPU in the service's
process pool: the forms post with htmx and show a progress line (``hx-indicator``) meanwhile; a plan or roster
that was made is stored and the browser is sent to it (post/redirect/get, ``HX-Redirect`` for htmx). A refused
form is drawn again with what was typed and the field named. A what-if stores nothing, so it is a GET.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.errors import HallError, NotFoundError
from hall.models import StaffModel
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.admin_forms import FormInvalid, FormState, wire
from hall.pages.common import CentreView, centre_view
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, nav
from hall.pages.planning_view import (
    number,
    percent,
    plan_charts,
    planning_message,
    planning_refusal,
    roster_day,
    service_rows,
    shift_name,
    versus_shown,
    weekday_demand,
    what_if_chart,
    what_if_days,
    window_type_name,
)
from hall.pages.templating import is_htmx, page
from hall.security import current_principal
from queueing.services import QueueService
from staffing.planning import schemas as s
from staffing.planning.services import PlanningService

LEAST_PERCENT: Final = -90  # fewer visitors than that is not a day worth planning (-100 % would be nobody)
MOST_PERCENT: Final = 400
PLAN_REPLICATIONS: Final = 20
ROSTER_REPLICATIONS: Final = 10
FIELD_LABELS: Final[dict[str, str]] = {
    "days": N_("Days of history"),
    "on": N_("Date"),
    "replications": N_("Replications"),
    "arrivalsPercent": N_("Change in arrivals (%)"),
    "weekStart": N_("Week starting on Monday"),
    "staffEmployeeNo": N_("Staff member"),
    "template": N_("Shift"),
    "absent": N_("Staff on leave"),
    "absentOn": N_("Day of the leave"),
    "absences": N_("Staff on leave"),
    "shifts": N_("Shift"),
}
ALIASES: Final = {"arrivalsFactor": "arrivalsPercent", "until": "days"}
OFF: Final = "off"

DayParam = Annotated[date | None, QueryParameter(description="a day of the roster's week (default: its first)")]


def _labels(lang: str) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in FIELD_LABELS.items()}


def _refused(request: Request[Any, Any, Any], exc: HallError | FormInvalid, values: dict[str, Any]) -> FormState:
    lang = lang_of(request)
    state = planning_refusal(lang, exc, _labels(lang), ALIASES)
    state.values = values
    return state


def _factor(percent_text: str) -> float:
    """The arrivals factor of a percentage typed by the manager (``20`` → 1.2, ``-10`` → 0.9, empty → 1.0)."""
    text = percent_text.replace("%", "").replace("+", "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        raise FormInvalid("arrivalsPercent", "Expected `float`, got `str`") from None
    if not math.isfinite(value):
        raise FormInvalid("arrivalsPercent", "Expected `float`, got `str`")
    if value < LEAST_PERCENT:
        raise FormInvalid("arrivalsPercent", f"Expected `float` >= {LEAST_PERCENT}")
    if value > MOST_PERCENT:
        raise FormInvalid("arrivalsPercent", f"Expected `float` <= {MOST_PERCENT}")
    return round(1.0 + value / 100.0, 4)


async def _detached(request: Request[Any, Any, Any], planning: PlanningService) -> PlanningService:
    """The service for a long computation: the request's transaction ends, the twin runs with none open (H1)."""
    return await planning.detached(request.app.state["session_maker"])


def _go_to(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """Post/redirect/get: a plain form is redirected; an htmx form navigates there (``HX-Redirect``)."""
    if is_htmx(request):
        return Response(content=b"", status_code=200, media_type="text/html", headers={"HX-Redirect": url})
    return see_other(url)


async def _staff(db_session: AsyncSession, centre: CentreView) -> list[tuple[str, str]]:
    """The centre's active staff: ``(employee no, name)`` in employee-number order."""
    rows = await db_session.execute(
        select(StaffModel.employee_no, StaffModel.name)
        .where(StaffModel.centre_id == centre.info.id, StaffModel.is_active.is_(True))
        .order_by(StaffModel.employee_no)
    )
    return [(no, name) for no, name in rows.tuples()]


def _staff_choices(staff: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(no, f"{name} ({no})") for no, name in staff]


def _day_choices(lang: str, roster: s.RosterRead) -> list[tuple[str, str]]:
    return [
        (d.on.isoformat(), f"{d.on.isoformat()} {gettext(lang, labels.WEEKDAYS[d.on.weekday()])}") for d in roster.days
    ]


def _planning_error(request: Request[Any, Any, Any], exc: HallError) -> Response[Any]:
    """A refusal outside a form (no plan for that day, no roster for that week) as a page that says why."""
    return page(request, "error.html", status_code=exc.status_code, message=planning_message(lang_of(request), exc))


class PlanningPages(Controller):
    path = "/manage/{centre_code:str}/planning"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False
    exception_handlers = {HallError: _planning_error}

    async def _centre(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, queue: QueueService, code: str
    ) -> CentreView:
        return await centre_view(db_session, queue, current_principal(request), code, check_scope=True)

    def _today(self, planning: PlanningService, centre: CentreView) -> date:
        return centre.info.local(planning.clock.now()).date()

    async def _next_open_day(self, planning: PlanningService, centre: CentreView) -> date:
        today = self._today(planning, centre)
        for offset in range(1, 15):
            on = today + timedelta(days=offset)
            if await planning.is_open_on(centre.code, on):
                return on
        return today + timedelta(days=1)

    # --- the overview -----------------------------------------------------------------------------------------------
    async def _overview(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        planning: PlanningService,
        centre_code: str,
        *,
        forms: dict[str, FormState] | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        centre = await self._centre(request, db_session, queue, centre_code)
        try:
            fit: s.FitRead | None = await planning.latest_fit(centre.code)
        except NotFoundError:
            fit = None
        versus = versus_shown(lang, await planning.forecast_vs_actual(centre.code, None, None)) if fit else None
        today = self._today(planning, centre)
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        chosen = forms or {}
        failed = any(f.summary for f in chosen.values())
        return page(
            request,
            "planning/overview.html",
            status_code=422 if failed else 200,
            centre=centre,
            fit=fit,
            weekdays=weekday_demand(fit) if fit else [],
            services=service_rows(fit) if fit else [],
            versus=versus,
            plans=(await planning.list_plans(centre.code, None, None))[:12],
            rosters=(await planning.list_rosters(centre.code))[:8],
            fit_form=chosen.get("fit") or FormState(values={"days": 90}),
            plan_form=chosen.get("plan")
            or FormState(
                values={
                    "on": (await self._next_open_day(planning, centre)).isoformat(),
                    "replications": PLAN_REPLICATIONS,
                    "arrivalsPercent": 0,
                }
            ),
            roster_form=chosen.get("roster")
            or FormState(values={"weekStart": monday.isoformat(), "replications": ROSTER_REPLICATIONS}),
            field_labels=_labels(lang),
            done=done,
            number=number,
            percent=percent,
            **await nav(db_session, principal, centre.code, "planning"),
        )

    @get("/")
    async def overview(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
        done: Annotated[str | None, QueryParameter(max_length=20)] = None,
    ) -> Response[Any]:
        """Fitted parameters, forecast against recorded arrivals, the plans and rosters, and what to do next."""
        return await self._overview(request, db_session, queue, planning, centre_code, done=done)

    @post("/fit")
    async def refit(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """Fit the parameters again from the history (``RefitPlanningParameters``)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        values = {"days": first(await form_of(request), "days")}
        try:
            data = wire({"days": values["days"] or None}, s.RefitParameters)
            await (await _detached(request, planning)).refit(centre.code, data)
        except (HallError, FormInvalid) as exc:
            forms = {"fit": _refused(request, exc, values)}
            return await self._overview(request, db_session, queue, planning, centre_code, forms=forms)
        return _go_to(request, f"/manage/{centre.code}/planning?done=fitted")

    @post("/plans")
    async def plan(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """Plan a day (``PlanStaffing``): seconds of simulation, then the plan's page."""
        centre = await self._centre(request, db_session, queue, centre_code)
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("on", "replications", "arrivalsPercent")}
        try:
            data = wire(
                {
                    "on": values["on"] or None,
                    "replications": values["replications"] or PLAN_REPLICATIONS,
                    "arrivalsFactor": _factor(values["arrivalsPercent"]),
                },
                s.PlanStaffing,
            )
            await (await _detached(request, planning)).plan(centre.code, data)
        except (HallError, FormInvalid) as exc:
            forms = {"plan": _refused(request, exc, values)}
            return await self._overview(request, db_session, queue, planning, centre_code, forms=forms)
        return _go_to(request, f"/manage/{centre.code}/planning/plans/{data.on.isoformat()}")

    @get("/plans/{on:date}")
    async def plan_page(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """The day's latest plan: Erlang C only against simulated, per slot, with staff-hours and missed slots."""
        lang = lang_of(request)
        centre = await self._centre(request, db_session, queue, centre_code)
        plan = await planning.get_plan(centre.code, on)
        monday = on - timedelta(days=on.weekday())
        return page(
            request,
            "planning/plan.html",
            centre=centre,
            plan=plan,
            charts=plan_charts(lang, plan),
            monday=monday,
            has_roster=any(r.week_start == monday for r in await planning.list_rosters(centre.code)),
            window_type_name=window_type_name,
            number=number,
            percent=percent,
            **await nav(db_session, current_principal(request), centre.code, "planning"),
        )

    @post("/rosters")
    async def build_roster(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """Roster a week (``BuildRoster``): the days are planned where needed, solved, simulated and repaired."""
        centre = await self._centre(request, db_session, queue, centre_code)
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("weekStart", "replications")}
        try:
            data = wire(
                {
                    "weekStart": values["weekStart"] or None,
                    "replications": values["replications"] or ROSTER_REPLICATIONS,
                },
                s.BuildRoster,
            )
            await (await _detached(request, planning)).build_roster(centre.code, data)
        except (HallError, FormInvalid) as exc:
            forms = {"roster": _refused(request, exc, values)}
            return await self._overview(request, db_session, queue, planning, centre_code, forms=forms)
        return _go_to(request, f"/manage/{centre.code}/planning/rosters/{data.week_start.isoformat()}?done=built")

    # --- a week's roster --------------------------------------------------------------------------------------------
    async def _roster(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        planning: PlanningService,
        centre_code: str,
        week: date,
        day: date | None,
        *,
        edit: FormState | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        centre = await self._centre(request, db_session, queue, centre_code)
        roster = await planning.get_roster(centre.code, week)
        staff = await _staff(db_session, centre)
        chosen = next((d for d in roster.days if d.on == day), roster.days[0] if roster.days else None)
        shown = None
        if chosen is not None:
            try:
                groups = (await planning.get_plan(centre.code, chosen.on)).groups
            except HallError:
                groups = []
            shown = roster_day(lang, roster, chosen, staff, groups, centre.zone)
        shift_names = {t.name: shift_name(lang, t.name, t.label) for t in roster.templates}
        templates = [*shift_names.items(), (OFF, gettext(lang, N_("Day off")))]
        return page(
            request,
            "planning/roster.html",
            status_code=422 if edit and edit.summary else 200,
            centre=centre,
            roster=roster,
            shown=shown,
            staff_choices=_staff_choices(staff),
            day_choices=_day_choices(lang, roster),
            template_choices=templates,
            shift_names=shift_names,
            edit_form=edit
            or FormState(
                values={"on": chosen.on.isoformat() if chosen else "", "template": OFF, "staffEmployeeNo": ""}
            ),
            field_labels=_labels(lang),
            off=OFF,
            done=done,
            number=number,
            percent=percent,
            **await nav(db_session, current_principal(request), centre.code, "planning"),
        )

    @get("/rosters/{on:date}")
    async def roster(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
        day: DayParam = None,
        done: Annotated[str | None, QueryParameter(max_length=20)] = None,
    ) -> Response[Any]:
        """The roster of the week starting on Monday ``on``: a day as a grid of staff × slots, coverage and waits."""
        return await self._roster(request, db_session, queue, planning, centre_code, on, day, done=done)

    @post("/rosters/{on:date}/shifts")
    async def edit_shift(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """Change one staff member's shift on one day (``EditRosterShifts`` with the rest unchanged)."""
        centre = await self._centre(request, db_session, queue, centre_code)
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("staffEmployeeNo", "on", "template")}
        day: date | None = None
        try:
            if not values["staffEmployeeNo"]:
                raise FormInvalid("staffEmployeeNo", "is required")
            try:
                day = date.fromisoformat(values["on"])
            except ValueError:
                raise FormInvalid("on", "Invalid date") from None
            if values["staffEmployeeNo"] not in {no for no, _ in await _staff(db_session, centre)}:
                reason = N_("no active staff member of this centre has this number")
                raise FormInvalid("staffEmployeeNo", gettext(lang_of(request), reason))
            roster = await planning.get_roster(centre.code, on)
            before = {(sh.staff_employee_no, sh.on): sh.template for sh in roster.shifts}
            kept = [
                {"staffEmployeeNo": sh.staff_employee_no, "on": sh.on.isoformat(), "template": sh.template}
                for sh in roster.shifts
                if not (sh.staff_employee_no == values["staffEmployeeNo"] and sh.on == day)
            ]
            if values["template"] != OFF:
                kept.append(
                    {
                        "staffEmployeeNo": values["staffEmployeeNo"],
                        "on": day.isoformat(),
                        "template": values["template"],
                    }
                )
            after = {(date.fromisoformat(k["on"]), k["staffEmployeeNo"]): k["template"] for k in kept}
            if after == {(on_, no): template for (no, on_), template in before.items()}:
                url = f"/manage/{centre.code}/planning/rosters/{on.isoformat()}?day={day}&done=unchanged"
                return _go_to(request, url)
            data = wire({"shifts": kept, "replications": ROSTER_REPLICATIONS}, s.EditRosterShifts)
            await (await _detached(request, planning)).edit_shifts(centre.code, on, data)
        except (HallError, FormInvalid) as exc:
            if isinstance(exc, HallError) and exc.field.startswith("shifts["):
                # the only new shift is the manager's: name its field, not the list's position
                exc = type(exc)(_shift_field(exc.field), exc.reason)
            edit = _refused(request, exc, values)
            return await self._roster(request, db_session, queue, planning, centre_code, on, day, edit=edit)
        return _go_to(request, f"/manage/{centre.code}/planning/rosters/{on.isoformat()}?day={day}&done=edited")

    @get("/rosters/{on:date}/what-if")
    async def what_if(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        planning: NamedDependency[PlanningService],
    ) -> Response[Any]:
        """Re-simulate the roster with staff on leave or more visitors (``SimulateRosterWhatIf``); stores nothing."""
        lang = lang_of(request)
        centre = await self._centre(request, db_session, queue, centre_code)
        roster = await planning.get_roster(centre.code, on)
        query = request.query_params
        values: dict[str, Any] = {
            "absent": [v for v in query.getall("absent", []) if v],
            "absentOn": (query.get("absentOn") or "").strip(),
            "arrivalsPercent": (query.get("arrivalsPercent") or "").strip(),
            "rebuild": (query.get("rebuild") or "") in {"on", "yes", "true", "1"},
        }
        form = FormState(values=values)
        result: s.RosterWhatIfRead | None = None
        if query.get("run"):
            try:
                if values["absent"] and not values["absentOn"]:
                    raise FormInvalid("absentOn", "is required")
                absences = [{"staffEmployeeNo": no, "on": values["absentOn"]} for no in values["absent"]]
                data = wire(
                    {
                        "absences": absences,
                        "arrivalsFactor": _factor(str(values["arrivalsPercent"])),
                        "rebuild": values["rebuild"],
                        "replications": ROSTER_REPLICATIONS,
                    },
                    s.RosterWhatIf,
                )
                result = await (await _detached(request, planning)).what_if(centre.code, on, data)
            except (HallError, FormInvalid) as exc:
                if exc.field.startswith("absences"):
                    exc = type(exc)("absentOn" if exc.field.endswith(".on") else "absent", exc.reason)
                form = _refused(request, exc, values)
        days = what_if_days(roster, result) if result else []
        return page(
            request,
            "planning/what_if.html",
            status_code=422 if form.summary else 200,
            centre=centre,
            roster=roster,
            staff_choices=_staff_choices(await _staff(db_session, centre)),
            day_choices=_day_choices(lang, roster),
            form=form,
            result=result,
            days=days,
            chart=what_if_chart(lang, days) if result else None,
            field_labels=_labels(lang),
            number=number,
            percent=percent,
            **await nav(db_session, current_principal(request), centre.code, "planning"),
        )


def _shift_field(path: str) -> str:
    """``shifts[3].template`` → ``template``: the one shift the form edits."""
    tail = path.split(".", 1)[1] if "." in path else ""
    return {"staffEmployeeNo": "staffEmployeeNo", "on": "on", "template": "template"}.get(tail, "staffEmployeeNo")
