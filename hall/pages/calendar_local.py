"""A centre's local calendar (``/manage/{centre}/calendar``): the month's working days, national and local.

The national calendar (public holidays and make-up working days) is an administrator's, under ``/admin/calendars``.
A centre's managers add local days here — a local holiday, a local make-up working day — with
``PutCentreCalendarDay`` and remove them with ``DeleteCentreCalendarDay``: the same service as the API, so the
same checks, the change history, and the rule that a centre's local days apply to the centres below it. A refused
day is shown again with the field named and nothing saved.
"""

from __future__ import annotations

import calendar as weeks
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as hall_schemas
from hall import services
from hall.domain.calendar import DayKind
from hall.domain.errors import DomainRuleViolation, HallError
from hall.pages import labels
from hall.pages.account import see_other
from hall.pages.admin import Done, done_message, history_context
from hall.pages.admin_forms import FormInvalid, FormState, refusal, wire
from hall.pages.common import CentreView, centre_view
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, in_savepoint, nav
from hall.pages.templating import page
from hall.security import current_principal
from hall.settings import Settings
from queueing.services import QueueService

FIELD_LABELS: Final[dict[str, str]] = {
    "on": N_("Date"),
    "kind": N_("Kind of day"),
    "name": N_("Name"),
    "month": N_("Month"),
}
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
MonthParam = Annotated[
    str | None, QueryParameter(pattern=r"^\d{4}-\d{2}$", description="the month shown, YYYY-MM (default: this one)")
]


@dataclass(frozen=True, slots=True)
class MonthDay:
    """One cell of the month view: the date, whether the centre works, and the entry that decides it (if any)."""

    on: date
    in_month: bool
    is_working: bool
    entry: hall_schemas.EffectiveCalendarDay | None

    @property
    def is_local(self) -> bool:
        return self.entry is not None and self.entry.source != "national"


def month_weeks(year: int, month: int, entries: dict[date, hall_schemas.EffectiveCalendarDay]) -> list[list[MonthDay]]:
    """The month as weeks from Monday to Sunday; a day works Monday–Friday unless an entry says otherwise."""
    shown: list[list[MonthDay]] = []
    for week in weeks.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for on in week:
            entry = entries.get(on)
            working = entry.kind is DayKind.WORKDAY if entry is not None else on.weekday() < 5
            row.append(MonthDay(on, on.month == month, working, entry))
        shown.append(row)
    return shown


def _month_of(text: str | None, today: date, lang: str) -> tuple[int, int]:
    """The month asked for (``YYYY-MM`` from 2000 to 2100), this month when none; a bad month is refused."""
    if not text:
        return today.year, today.month
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if match and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    reason = N_("expected a month YYYY-MM from %(first)s to %(last)s")
    raise DomainRuleViolation("month", gettext(lang, reason, first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12"))


def _check_year(on: date, lang: str) -> None:
    """A local day is kept only in the years the calendar shows (so it can be seen and removed)."""
    if not FIRST_YEAR <= on.year <= LAST_YEAR:
        reason = N_("expected a date from %(first)s to %(last)s")
        raise DomainRuleViolation("on", gettext(lang, reason, first=f"{FIRST_YEAR}-01-01", last=f"{LAST_YEAR}-12-31"))


def _month_text(on: date) -> str:
    return f"{on.year:04d}-{on.month:02d}"


def _step(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _labels(lang: str) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in FIELD_LABELS.items()}


class CentreCalendarPages(Controller):
    path = "/manage/{centre_code:str}/calendar"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    async def _show(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        queue: QueueService,
        settings: Settings,
        centre_code: str,
        month_text: str | None,
        *,
        form: FormState | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        centre: CentreView = await centre_view(db_session, queue, principal, centre_code, check_scope=True)
        today = centre.info.local(queue.clock.now()).date()
        try:
            year, month = _month_of(month_text, today, lang)
        except DomainRuleViolation as exc:
            form = refusal(lang, exc, _labels(lang))
            year, month = today.year, today.month
        calendars = services.CentreCalendarService(db_session, principal)
        effective = await calendars.effective(centre.code, year)
        missing = await calendars.national_years_missing(centre.code, today)
        entries = {d.on: d for d in effective.days}
        local = [d for d in effective.days if d.source == centre.code]
        above = [d for d in effective.days if d.source not in {"national", centre.code}]
        return page(
            request,
            "calendar/month.html",
            status_code=422 if form and form.summary else 200,
            centre=centre,
            year=year,
            month=month,
            month_text=f"{year:04d}-{month:02d}",
            previous=_step(year, month, -1),
            following=_step(year, month, 1),
            weeks=month_weeks(year, month, entries),
            today=today,
            missing_years=missing,
            local_days=local,
            above_days=above,
            form=form or FormState(values={"kind": DayKind.HOLIDAY.value, "on": ""}),
            kinds=[(k.value, gettext(lang, labels.DAY_KINDS[k])) for k in DayKind],
            field_labels=_labels(lang),
            done=done_message(lang, done),
            **await history_context(
                db_session, principal, settings, lang, entity="centre_calendar_day", centre_id=centre.info.id
            ),
            **await nav(db_session, principal, centre.code, "calendar"),
        )

    @get("/")
    async def month(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        settings: NamedDependency[Settings],
        month: MonthParam = None,
        done: Done = None,
    ) -> Response[Any]:
        """A month of the centre's working days: the national calendar with the local days laid over it."""
        return await self._show(request, db_session, queue, settings, centre_code, month, done=done)

    @post("/days")
    async def put_day(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Add or change a local holiday or make-up working day (``PutCentreCalendarDay``)."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("on", "kind", "name")}
        principal = current_principal(request)
        try:
            data = wire({**values, "on": values["on"] or None}, hall_schemas.CalendarDayWire)
            _check_year(data.on, lang_of(request))
            calendars = services.CentreCalendarService(db_session, principal)
            await in_savepoint(db_session, calendars.put_day(centre_code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang))
            form.values = values
            shown = values["on"][:7] if re.match(r"\d{4}-\d{2}", values["on"]) else None
            if shown is not None and not FIRST_YEAR <= int(shown[:4]) <= LAST_YEAR:
                shown = None
            return await self._show(request, db_session, queue, settings, centre_code, shown, form=form)
        return see_other(f"/manage/{centre_code}/calendar?month={_month_text(data.on)}&done=saved")

    @post("/days/{on:date}/delete")
    async def delete_day(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        on: FromPath[date],
        db_session: NamedDependency[AsyncSession],
        queue: NamedDependency[QueueService],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Remove a local day (``DeleteCentreCalendarDay``): the date follows the national calendar again."""
        try:
            calendars = services.CentreCalendarService(db_session, current_principal(request))
            await in_savepoint(db_session, calendars.delete_day(centre_code, on))
        except HallError as exc:
            lang = lang_of(request)
            if "is not a local day" in exc.reason:
                exc = type(exc)(exc.field, gettext(lang, N_("%(day)s is not a local day of this centre"), day=on))
            form = refusal(lang, exc, _labels(lang))
            month = _month_text(on) if FIRST_YEAR <= on.year <= LAST_YEAR else None
            return await self._show(request, db_session, queue, settings, centre_code, month, form=form)
        return see_other(f"/manage/{centre_code}/calendar?month={_month_text(on)}&done=removed")
