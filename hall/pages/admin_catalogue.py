"""Administration of what every centre shares: departments, the service catalogue and the working-day calendar.

Managers read these pages; changing them is for administrators, as in the API (``CreateDepartment``,
``CreateCatalogueItem``, ``PutCalendarDay``, ``ImportCalendarYear`` … are administrator-only): the national
calendar and the catalogue apply to every centre.

A year's holidays are imported from a pasted list, one day per line — ``2027-01-01 holiday 元旦`` or
``2027-02-07 workday 春节调休`` (also ``休`` / ``班``) — which replaces that year's entries, as
``ImportCalendarYear`` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall import services
from hall.domain.calendar import DayKind
from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import HallError
from hall.domain.skills import SkillLevel
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.admin import Done, admin_context, history_context, saved
from hall.pages.admin_forms import FormInvalid, FormState, checked, refusal, wire
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import ADMINS, MANAGERS, in_savepoint
from hall.pages.templating import page
from hall.security import current_principal
from hall.settings import Settings

DEPARTMENT_LABELS: Final[dict[str, str]] = {
    "code": N_("Code"),
    "nameZh": N_("Name (Chinese)"),
    "nameEn": N_("Name (English)"),
}
ITEM_LABELS: Final[dict[str, str]] = {
    "code": N_("Code"),
    "nameZh": N_("Name (Chinese)"),
    "nameEn": N_("Name (English)"),
    "departmentCode": N_("Department"),
    "domain": N_("Domain"),
    "standardMinutes": N_("Standard service time (min)"),
    "statutoryLimitDays": N_("Statutory deadline (working days)"),
    "committedLimitDays": N_("Committed deadline (working days)"),
    "isInstant": N_("Done on the spot (即办)"),
    "minSkillLevel": N_("Lowest skill level allowed"),
    "allowsAppointment": N_("May be booked (预约)"),
    "allowsConditionalAcceptance": N_("Accepted with pending documents (容缺受理)"),
    "ticketPrefix": N_("Ticket letter (empty: the domain's)"),
    "isActive": N_("In the catalogue"),
}
CALENDAR_LABELS: Final[dict[str, str]] = {
    "on": N_("Date"),
    "kind": N_("Kind of day"),
    "name": N_("Name"),
    "year": N_("Year"),
    "days": N_("The year's list"),
}
KIND_WORDS: Final[dict[str, DayKind]] = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
ITEM_FLAGS: Final = ("isInstant", "allowsAppointment", "allowsConditionalAcceptance")
ITEM_TEXTS: Final = (
    "code",
    "nameZh",
    "nameEn",
    "departmentCode",
    "domain",
    "standardMinutes",
    "statutoryLimitDays",
    "committedLimitDays",
    "minSkillLevel",
    "ticketPrefix",
)


def _labels(lang: str, table: Mapping[str, str]) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in table.items()}


def parse_year_list(text: str) -> list[dict[str, str]]:
    """Read a pasted list of days (date, kind, name per line); a refusal names the line as ``days[n]``."""
    days = []
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(line for line in lines if line and not line.startswith("#")):
        parts = [p for p in re.split(r"[\s,，\t]+", line, maxsplit=2) if p]
        if len(parts) < 2:
            raise FormInvalid(f"days[{index}]", "Expected `str` of length >= 1")
        kind = KIND_WORDS.get(parts[1].lower())
        if kind is None:
            raise FormInvalid(f"days[{index}].kind", "Invalid enum value")
        days.append({"on": parts[0], "kind": kind.value, "name": parts[2] if len(parts) > 2 else ""})
    return days


class AdminCataloguePages(Controller):
    path = "/admin"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    # --- departments ------------------------------------------------------------------------------------------------
    async def _departments(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        form: FormState,
        done: str | None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        departments = await services.CatalogueService(db_session, principal).departments()
        return page(
            request,
            "admin/departments.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, None, "departments", done),
            departments=departments,
            form=form,
            field_labels=_labels(lang, DEPARTMENT_LABELS),
            **await history_context(db_session, principal, settings, lang, entity="department"),
        )

    @get("/departments")
    async def departments(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """The departments stationed in the halls (进驻部门)."""
        return await self._departments(request, db_session, settings, FormState(), done)

    @post("/departments", guards=[ADMINS])
    async def create_department(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Add a department (``CreateDepartment``)."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("code", "nameZh", "nameEn")}
        try:
            service = services.CatalogueService(db_session, current_principal(request))
            await in_savepoint(db_session, service.create_department(wire(values, s.DepartmentCreate)))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, DEPARTMENT_LABELS))
            form.values = values
            return await self._departments(request, db_session, settings, form, None)
        return saved("/admin/departments", "created")

    @post("/departments/{code:str}", guards=[ADMINS])
    async def update_department(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Rename a department (``UpdateDepartment``)."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("nameZh", "nameEn")}
        try:
            service = services.CatalogueService(db_session, current_principal(request))
            await in_savepoint(db_session, service.update_department(code, wire(values, s.DepartmentUpdate)))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, DEPARTMENT_LABELS))
            return await self._departments(request, db_session, settings, form, None)
        return saved("/admin/departments")

    # --- the catalogue ------------------------------------------------------------------------------------------------
    @get("/items")
    async def items(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        domain: Annotated[ServiceDomain | None, QueryParameter()] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        done: Done = None,
    ) -> Response[Any]:
        """The service catalogue, by domain or search text."""
        lang = lang_of(request)
        items, total = await services.CatalogueService(db_session, current_principal(request)).items(
            domain=domain, q=q or None, active_only=False, limit=services.MAX_PAGE, offset=0
        )
        return page(
            request,
            "admin/items.html",
            **await admin_context(request, db_session, None, "items", done),
            items=items,
            items_total=total,
            domain=domain.value if domain else "",
            q=q or "",
            domains=[(d.value, gettext(lang, labels.DOMAINS[d])) for d in ServiceDomain],
        )

    async def _item(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str | None,
        form: FormState | None,
        done: str | None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        catalogue = services.CatalogueService(db_session, principal)
        item = await catalogue.item(code) if code else None
        if form is None:
            if item is None:
                form = FormState(
                    values={"minSkillLevel": SkillLevel.L5.value, "domain": ServiceDomain.CONSULTATION.value}
                )
            else:
                form = FormState(
                    values={
                        "code": item.code,
                        "nameZh": item.name_zh,
                        "nameEn": item.name_en,
                        "departmentCode": item.department_code,
                        "domain": item.domain.value,
                        "standardMinutes": item.standard_minutes,
                        "statutoryLimitDays": item.statutory_limit_days,
                        "committedLimitDays": item.committed_limit_days,
                        "isInstant": item.is_instant,
                        "minSkillLevel": item.min_skill_level,
                        "allowsAppointment": item.allows_appointment,
                        "allowsConditionalAcceptance": item.allows_conditional_acceptance,
                        "ticketPrefix": item.ticket_prefix
                        if item.ticket_prefix != item.domain.default_ticket_prefix
                        else "",
                        "isActive": item.is_active,
                    }
                )
        history = (
            await history_context(db_session, principal, settings, lang, entity="service_item", key=code)
            if code
            else {"changes": []}
        )
        return page(
            request,
            "admin/item.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, None, "items", done),
            item=item,
            form=form,
            departments=[
                (d.code, f"{d.name_en if lang == 'en' and d.name_en else d.name_zh} ({d.code})")
                for d in await catalogue.departments()
            ],
            domains=[(d.value, gettext(lang, labels.DOMAINS[d])) for d in ServiceDomain],
            levels=[(lv.value, gettext(lang, labels.SKILL_LEVELS[lv])) for lv in SkillLevel],
            field_labels=_labels(lang, ITEM_LABELS),
            **history,
        )

    @get("/items/new", guards=[ADMINS])
    async def new_item(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """The form for a new catalogue item."""
        return await self._item(request, db_session, settings, None, None, None)

    @staticmethod
    def _item_values(raw: dict[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {k: first(raw, k) for k in ITEM_TEXTS}
        values |= {k: checked(raw, k) for k in (*ITEM_FLAGS, "isActive")}
        return values

    @staticmethod
    def _item_wire(values: Mapping[str, Any], *, new: bool) -> dict[str, Any]:
        body = {k: values[k] for k in (*ITEM_TEXTS, *ITEM_FLAGS)}
        for name in ("statutoryLimitDays", "committedLimitDays", "ticketPrefix"):
            body[name] = values[name] or None
        if new:
            return body
        body.pop("code")
        body["isActive"] = values["isActive"]
        return body

    @post("/items", guards=[ADMINS])
    async def create_item(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Add a catalogue item (``CreateCatalogueItem``)."""
        values = self._item_values(await form_of(request))
        try:
            data = wire(self._item_wire(values, new=True), s.ServiceItemCreate)
            service = services.CatalogueService(db_session, current_principal(request))
            created = await in_savepoint(db_session, service.create_item(data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, ITEM_LABELS))
            form.values = values
            return await self._item(request, db_session, settings, None, form, None)
        return saved(f"/admin/items/{created.code}", "created")

    @get("/items/{code:str}")
    async def item(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """One catalogue item: deadlines, skill level, appointments, 容缺受理 (read-only for managers)."""
        return await self._item(request, db_session, settings, code, None, done)

    @post("/items/{code:str}", guards=[ADMINS])
    async def update_item(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a catalogue item (``UpdateCatalogueItem``)."""
        values = self._item_values(await form_of(request))
        values["code"] = code
        try:
            data = wire(self._item_wire(values, new=False), s.ServiceItemUpdate)
            service = services.CatalogueService(db_session, current_principal(request))
            await in_savepoint(db_session, service.update_item(code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, ITEM_LABELS))
            form.values = values
            return await self._item(request, db_session, settings, code, form, None)
        return saved(f"/admin/items/{code}")

    # --- the working-day calendar -------------------------------------------------------------------------------
    async def _calendar(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str,
        year: int,
        *,
        form: FormState | None = None,
        imported: FormState | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        calendars = services.CalendarService(db_session, principal)
        calendar = await calendars.get(code, year)
        today = request.app.state.clock.now().astimezone(settings.zone).date()
        missing = await calendars.years_missing(code, today)
        failed = bool((form and form.summary) or (imported and imported.summary))
        return page(
            request,
            "admin/calendar.html",
            status_code=422 if failed else 200,
            **await admin_context(request, db_session, None, "calendar", done),
            calendar=calendar,
            year=year,
            missing_years=missing,
            form=form or FormState(values={"kind": DayKind.HOLIDAY.value}),
            imported=imported or FormState(values={"year": year + 1}),
            kinds=[(k.value, gettext(lang, labels.DAY_KINDS[k])) for k in DayKind],
            field_labels=_labels(lang, CALENDAR_LABELS),
            **await history_context(db_session, principal, settings, lang, entity="calendar_day"),
        )

    @get("/calendars/{calendar_code:str}")
    async def calendar(
        self,
        request: Request[Any, Any, Any],
        calendar_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        done: Done = None,
    ) -> Response[Any]:
        """A year of the working-day calendar: holidays and make-up working days (调休)."""
        shown = year or datetime.now(settings.zone).year
        return await self._calendar(request, db_session, settings, calendar_code, shown, done=done)

    @post("/calendars/{calendar_code:str}/days", guards=[ADMINS])
    async def put_day(
        self,
        request: Request[Any, Any, Any],
        calendar_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Add or change one holiday or make-up working day (``PutCalendarDay``)."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("on", "kind", "name")}
        try:
            data = wire(values, s.CalendarDayWire)
            service = services.CalendarService(db_session, current_principal(request))
            await in_savepoint(db_session, service.put_day(calendar_code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, CALENDAR_LABELS))
            form.values = values
            year = _year_of(values["on"])
            return await self._calendar(request, db_session, settings, calendar_code, year, form=form)
        return _back_to_year(calendar_code, data.on.year, "saved")

    @post("/calendars/{calendar_code:str}/days/{on:date}/delete", guards=[ADMINS])
    async def delete_day(
        self,
        request: Request[Any, Any, Any],
        calendar_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Remove one entry (``DeleteCalendarDay``): the day follows the Monday–Friday rule again."""
        try:
            service = services.CalendarService(db_session, current_principal(request))
            await in_savepoint(db_session, service.delete_day(calendar_code, on))
        except HallError as exc:
            form = refusal(lang_of(request), exc, {})
            return await self._calendar(request, db_session, settings, calendar_code, on.year, form=form)
        return _back_to_year(calendar_code, on.year, "removed")

    @post("/calendars/{calendar_code:str}/import", guards=[ADMINS])
    async def import_year(
        self,
        request: Request[Any, Any, Any],
        calendar_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Replace a year's holidays and make-up working days from a pasted list (``ImportCalendarYear``)."""
        raw = await form_of(request)
        values = {"year": first(raw, "year"), "days": first(raw, "days")}
        try:
            data = wire({"year": values["year"], "days": parse_year_list(values["days"])}, s.CalendarYearImport)
            service = services.CalendarService(db_session, current_principal(request))
            await in_savepoint(db_session, service.import_year(calendar_code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, CALENDAR_LABELS))
            form.values = values
            shown = _year_of(f"{values['year']}-01-01")
            return await self._calendar(request, db_session, settings, calendar_code, shown, imported=form)
        return _back_to_year(calendar_code, data.year, "imported")


def _year_of(text: str) -> int:
    match = re.match(r"(\d{4})", text or "")
    return int(match.group(1)) if match and 2000 <= int(match.group(1)) <= 2100 else datetime.now(UTC).year


def _back_to_year(code: str, year: int, what: str) -> Response[Any]:
    return see_other(f"/admin/calendars/{code}?year={year}&done={what}")
