"""Administration of centres: hierarchy, settings, opening hours, items offered, windows and devices.

A device token is shown once, when it is issued; afterwards only its last four characters.

Calls ``CentreService``, ``WindowService``, ``DeviceService`` and ``CatalogueService`` — the API's own — so a
manager may act only on their centres and below, and moving a centre in the hierarchy stays an administrator's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall import services
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import CentreLevel
from hall.domain.errors import HallError
from hall.domain.people import PriorityGroup, Role
from hall.domain.windows import WindowStatus, WindowType
from hall.pages import labels
from hall.pages.admin import Done, admin_context, centre_options, history_context, saved
from hall.pages.admin_forms import FormInvalid, FormState, checked, codes, many, optional, refusal, wire
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, in_savepoint, visible_centres
from hall.pages.templating import page
from hall.security import current_principal
from hall.settings import Settings
from queueing.domain.routing import CALLING_POLICIES

RULE_LABELS: Final[dict[str, str]] = {
    "callingPolicy": N_("Calling policy"),
    "fairnessMaxPriorityInRow": N_("Priority calls in a row before a long-waiting normal ticket"),
    "fairnessWaitMinutes": N_("Wait after which that normal ticket comes first (min)"),
    "elderlyAge": N_("Age from which older people have priority"),
    "maxRecalls": N_("Repeat calls before a ticket counts as missed"),
    "noShowReinstateMinutes": N_("Minutes in which a missed ticket may be reinstated"),
    "dailyTicketCap": N_("Tickets per day (empty: no limit)"),
    "appointmentCheckinEarlyMinutes": N_("Appointment check-in opens (min before the slot)"),
    "appointmentCheckinLateMinutes": N_("Appointment check-in closes (min after the slot)"),
    "appointmentCancelBeforeMinutes": N_("Appointments may be cancelled until (min before)"),
    "appointmentHorizonDays": N_("Appointments bookable ahead (days)"),
    "appointmentNoShowLimit": N_("Missed appointments before booking is suspended"),
    "appointmentNoShowWindowDays": N_("Missed appointments are counted over (days)"),
    "appointmentBanDays": N_("Booking suspended for (days)"),
    "notifyPeopleAhead": N_("Text the visitor when this many people are ahead (0: never)"),
    "alertWaitingPerWindow": N_("Alert when more than this many wait per open window"),
    "alertPauseMinutes": N_("Alert when a window is paused longer than (min)"),
    "priorityGroups": N_("Priority groups honoured"),
}
POLICY_LABELS: Final[dict[str, str]] = {
    "default": N_("Default: emergency, priority groups, appointments, past the promise, arrival"),
    "fifo": N_("First come, first served"),
    "most_overdue_first": N_("Most overdue first"),
}
CENTRE_LABELS: Final[dict[str, str]] = {
    "code": N_("Code"),
    "nameZh": N_("Name (Chinese)"),
    "nameEn": N_("Name (English)"),
    "level": N_("Level"),
    "parentCode": N_("Centre above"),
    "calendarCode": N_("Working-day calendar"),
    "timezone": N_("Time zone"),
    "address": N_("Address"),
    "isActive": N_("In use"),
    "promise.sharePercent": N_("Promise: share called within the promised wait (%)"),
    "promise.withinMinutes": N_("Promise: promised wait (min)"),
    "promise.meanMinutes": N_("Promise: mean wait at most (min, optional)"),
    "sessions": N_("Opening sessions"),
    "closesAt": N_("Opening sessions"),
    "weekday": N_("Opening sessions"),
    **{f"rules.{k}": v for k, v in RULE_LABELS.items()},
}
WINDOW_LABELS: Final[dict[str, str]] = {
    "number": N_("Number"),
    "type": N_("Type"),
    "label": N_("Label (shown to visitors)"),
    "status": N_("Status"),
    "domains": N_("Domains served"),
    "itemCodes": N_("Items served (codes)"),
}
DEVICE_LABELS: Final[dict[str, str]] = {"kind": N_("Kind of device"), "name": N_("Name or place")}
ITEMS_LABELS: Final[dict[str, str]] = {"items": N_("Items offered")}
SESSIONS_PER_DAY: Final = 3
RULE_FIELDS: Final = [f.encode_name for f in msgspec.structs.fields(s.HallRulesWire) if f.name != "priority_groups"]


def _labels(lang: str, table: Mapping[str, str]) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in table.items()}


def centre_form(centre: s.CentreRead) -> FormState:
    values: dict[str, Any] = {
        "nameZh": centre.name_zh,
        "nameEn": centre.name_en,
        "address": centre.address,
        "calendarCode": centre.calendar_code,
        "timezone": centre.timezone,
        "isActive": centre.is_active,
        "parentCode": centre.parent_code or "",
        "promise.sharePercent": round(centre.promise.share_within * 100),
        "promise.withinMinutes": centre.promise.within_minutes,
        "promise.meanMinutes": centre.promise.mean_minutes,
        "rules.priorityGroups": [g.value for g in centre.rules.priority_groups],
    }
    rules = msgspec.to_builtins(centre.rules)
    for name in RULE_FIELDS:
        values[f"rules.{name}"] = rules.get(name)
    return FormState(values=values)


def sessions_form(centre: s.CentreRead) -> FormState:
    values: dict[str, Any] = {}
    by_day: dict[int, list[s.OpeningSessionWire]] = {}
    for session in centre.sessions:
        by_day.setdefault(session.weekday, []).append(session)
    for weekday, sessions in by_day.items():
        for k, session in enumerate(sorted(sessions, key=lambda x: x.opens_at)[:SESSIONS_PER_DAY]):
            values[f"s{weekday}-{k}-opens"] = f"{session.opens_at:%H:%M}"
            values[f"s{weekday}-{k}-closes"] = f"{session.closes_at:%H:%M}"
    return FormState(values=values)


def window_form(window: s.WindowRead) -> FormState:
    return FormState(
        values={
            "number": window.number,
            "type": window.type.value,
            "label": window.label,
            "status": window.status.value,
            "domains": [d.value for d in window.domains],
            "itemCodes": " ".join(window.item_codes),
        }
    )


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FormInvalid("promise.sharePercent", "Expected `float`, got `str`") from None
    if not 0 < value <= 100:
        raise FormInvalid("promise.sharePercent", "must be in (0, 1]")
    return value / 100


class AdminCentrePages(Controller):
    path = "/admin/centres"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    # --- the hierarchy ------------------------------------------------------------------------------------------
    async def _centres(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form: FormState, done: str | None, status: int
    ) -> Response[Any]:
        lang = lang_of(request)
        context = await admin_context(request, db_session, None, "centres", done)
        centres = await visible_centres(db_session, current_principal(request))
        return page(
            request,
            "admin/centres.html",
            status_code=status,
            **context,
            form=form,
            centre_choices=centre_options(centres, lang),
            levels=[(lv.value, gettext(lang, labels.CENTRE_LEVELS[lv])) for lv in CentreLevel],
            field_labels=_labels(lang, CENTRE_LABELS),
        )

    @get("/")
    async def centres(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], done: Done = None
    ) -> Response[Any]:
        """The centres in view, in their hierarchy, and the form to add one."""
        form = FormState(values={"timezone": "Asia/Shanghai", "calendarCode": "CN", "level": "township"})
        return await self._centres(request, db_session, form, done, 200)

    @post("/")
    async def create_centre(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """Add a centre (``CreateCentre``); a manager only below their own centres."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("code", "nameZh", "nameEn", "level", "parentCode", "address")}
        values |= {"timezone": first(raw, "timezone") or "Asia/Shanghai", "calendarCode": first(raw, "calendarCode")}
        try:
            data = wire({**values, "parentCode": values["parentCode"] or None}, s.CentreCreate)
            created = await in_savepoint(
                db_session, services.CentreService(db_session, current_principal(request)).create(data)
            )
        except (HallError, FormInvalid) as exc:
            form = refusal(lang_of(request), exc, _labels(lang_of(request), CENTRE_LABELS))
            form.values = values
            return await self._centres(request, db_session, form, None, 422)
        return saved(f"/admin/centres/{created.code}", "created")

    # --- one centre -------------------------------------------------------------------------------------------------
    async def _centre(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str,
        *,
        form: FormState | None = None,
        sessions: FormState | None = None,
        done: str | None = None,
        status: int = 200,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        centre = await services.CentreService(db_session, principal).get(code)
        centres = await visible_centres(db_session, principal)
        return page(
            request,
            "admin/centre.html",
            status_code=status,
            **await admin_context(request, db_session, code, "centre", done),
            centre=centre,
            form=form or centre_form(centre),
            sessions=sessions or sessions_form(centre),
            sessions_per_day=SESSIONS_PER_DAY,
            weekdays=labels.WEEKDAYS,
            rule_fields=RULE_FIELDS,
            field_labels=_labels(lang, CENTRE_LABELS),
            policies=[(k, gettext(lang, POLICY_LABELS.get(k, k))) for k in CALLING_POLICIES],
            priority_groups=[(g.value, gettext(lang, labels.PRIORITY_GROUPS[g])) for g in PriorityGroup],
            parent_choices=[o for o in centre_options(centres, lang) if o[0] != code],
            **await history_context(db_session, principal, settings, lang, entity="centre", key=code),
        )

    @get("/{centre_code:str}")
    async def centre(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """A centre's settings (names, promise, queueing rules, alerts) and its weekly opening sessions."""
        return await self._centre(request, db_session, settings, centre_code, done=done)

    @post("/{centre_code:str}")
    async def update_centre(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a centre's settings (``UpdateCentre``); moving it in the hierarchy is for administrators."""
        principal = current_principal(request)
        lang = lang_of(request)
        raw = await form_of(request)
        centre_service = services.CentreService(db_session, principal)
        current = await centre_service.get(centre_code)
        values: dict[str, Any] = {k: first(raw, k) for k in ("nameZh", "nameEn", "address", "calendarCode", "timezone")}
        values["isActive"] = checked(raw, "isActive")
        values["parentCode"] = first(raw, "parentCode")
        for name in ("promise.sharePercent", "promise.withinMinutes", "promise.meanMinutes"):
            values[name] = first(raw, name)
        for name in RULE_FIELDS:
            values[f"rules.{name}"] = first(raw, f"rules.{name}")
        values["rules.priorityGroups"] = many(raw, "rules.priorityGroups")
        try:
            data: dict[str, Any] = {
                k: values[k] for k in ("nameZh", "nameEn", "address", "calendarCode", "timezone", "isActive")
            }
            data["promise"] = {
                "shareWithin": _percent(values["promise.sharePercent"]),
                "withinMinutes": values["promise.withinMinutes"],
                "meanMinutes": values["promise.meanMinutes"] or None,
            }
            rules: dict[str, Any] = {name: values[f"rules.{name}"] for name in RULE_FIELDS}
            rules["dailyTicketCap"] = rules.get("dailyTicketCap") or None
            rules["priorityGroups"] = values["rules.priorityGroups"]
            data["rules"] = rules
            if principal.role is Role.ADMIN and (values["parentCode"] or None) != current.parent_code:
                data["parentCode"] = values["parentCode"] or None
            await in_savepoint(db_session, centre_service.update(centre_code, wire(data, s.CentreUpdate)))
        except (HallError, FormInvalid) as exc:
            form = refusal(
                lang, exc, _labels(lang, CENTRE_LABELS), aliases={"promise.shareWithin": "promise.sharePercent"}
            )
            form.values = values
            return await self._centre(request, db_session, settings, centre_code, form=form, status=422)
        return saved(f"/admin/centres/{centre_code}")

    @post("/{centre_code:str}/sessions")
    async def replace_sessions(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Replace the weekly opening sessions (``ReplaceOpeningSessions``); an empty row is no session."""
        lang = lang_of(request)
        raw = await form_of(request)
        values = {
            f"s{d}-{k}-{end}": first(raw, f"s{d}-{k}-{end}")
            for d in range(7)
            for k in range(SESSIONS_PER_DAY)
            for end in ("opens", "closes")
        }
        field_labels = _labels(lang, CENTRE_LABELS)
        for d in range(7):
            day = gettext(lang, labels.WEEKDAYS[d])
            for k in range(SESSIONS_PER_DAY):
                field_labels[f"s{d}-{k}-opens"] = gettext(lang, N_("%(day)s, session %(n)s, opens"), day=day, n=k + 1)
                field_labels[f"s{d}-{k}-closes"] = gettext(lang, N_("%(day)s, session %(n)s, closes"), day=day, n=k + 1)
        try:
            sessions = []
            for d in range(7):
                for k in range(SESSIONS_PER_DAY):
                    opens, closes = values[f"s{d}-{k}-opens"], values[f"s{d}-{k}-closes"]
                    if not opens and not closes:
                        continue
                    if not opens or not closes:
                        raise FormInvalid(f"s{d}-{k}-{'opens' if not opens else 'closes'}", "is required")
                    if closes <= opens:
                        raise FormInvalid(f"s{d}-{k}-closes", "must be after opensAt")
                    sessions.append({"weekday": d, "opensAt": opens, "closesAt": closes})
            data = wire({"sessions": sessions}, s.SessionsReplace)
            service = services.CentreService(db_session, current_principal(request))
            await in_savepoint(db_session, service.replace_sessions(centre_code, data))
        except (HallError, FormInvalid) as exc:
            form = refusal(lang, exc, field_labels)
            form.values = values
            return await self._centre(request, db_session, settings, centre_code, sessions=form, status=422)
        return saved(f"/admin/centres/{centre_code}")

    # --- items offered ----------------------------------------------------------------------------------------------
    async def _items(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str,
        form: FormState | None,
        done: str | None,
        status: int = 200,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        offered = await services.CentreService(db_session, principal).offered_items(code)
        catalogue, _ = await services.CatalogueService(db_session, principal).items(
            domain=None, q=None, active_only=True, limit=services.MAX_PAGE, offset=0
        )
        if form is None:
            form = FormState(values={"item": [o.item_code for o in offered]})
            form.values |= {f"cap-{o.item_code}": o.daily_cap for o in offered}
        groups: dict[str, list[s.ServiceItemRead]] = {}
        for item in catalogue:
            groups.setdefault(item.domain.value, []).append(item)
        return page(
            request,
            "admin/offered_items.html",
            status_code=status,
            **await admin_context(request, db_session, code, "offered", done),
            centre_code=code,
            form=form,
            groups=[(d, groups[d.value]) for d in ServiceDomain if d.value in groups],
            **await history_context(db_session, principal, settings, lang, entity="centre_items", key=code),
        )

    @get("/{centre_code:str}/items")
    async def offered_items(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """Which catalogue items this centre offers (what its kiosk shows), with optional daily caps."""
        return await self._items(request, db_session, settings, centre_code, None, done)

    @post("/{centre_code:str}/items")
    async def replace_offered_items(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Replace the items offered (``ReplaceOfferedItems``)."""
        lang = lang_of(request)
        raw = await form_of(request)
        chosen = many(raw, "item")
        values: dict[str, Any] = {"item": chosen} | {k: first(raw, k) for k in raw if k.startswith("cap-")}
        try:
            items = [{"itemCode": c, "dailyCap": optional(raw, f"cap-{c}")} for c in chosen]
            data = wire({"items": items}, s.OfferedItemsReplace)
            service = services.CentreService(db_session, current_principal(request))
            await in_savepoint(db_session, service.replace_offered_items(centre_code, data))
        except (HallError, FormInvalid) as exc:
            form = refusal(lang, exc, _labels(lang, ITEMS_LABELS))
            form.values = values
            return await self._items(request, db_session, settings, centre_code, form, None, 422)
        return saved(f"/admin/centres/{centre_code}/items")

    # --- windows ----------------------------------------------------------------------------------------------------
    def _window_choices(self, lang: str) -> dict[str, Any]:
        return {
            "window_types": [(t.value, gettext(lang, labels.WINDOW_TYPES[t])) for t in WindowType],
            "window_statuses": [(t.value, gettext(lang, labels.WINDOW_STATUSES[t])) for t in WindowStatus],
            "domains": [(d.value, gettext(lang, labels.DOMAINS[d])) for d in ServiceDomain],
            "field_labels": _labels(lang, WINDOW_LABELS),
        }

    async def _windows(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, code: str, form: FormState, done: str | None
    ) -> Response[Any]:
        lang = lang_of(request)
        windows = await services.WindowService(db_session, current_principal(request)).of_centre(code)
        return page(
            request,
            "admin/windows.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, code, "windows", done),
            centre_code=code,
            windows=windows,
            form=form,
            **self._window_choices(lang),
        )

    @get("/{centre_code:str}/windows")
    async def windows(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        done: Done = None,
    ) -> Response[Any]:
        """The centre's windows and what each serves, and the form to add one."""
        form = FormState(values={"type": WindowType.COMPREHENSIVE_ALL.value, "status": WindowStatus.IN_SERVICE.value})
        return await self._windows(request, db_session, centre_code, form, done)

    @staticmethod
    def _window_values(raw: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "number": first(raw, "number"),
            "type": first(raw, "type"),
            "label": first(raw, "label"),
            "status": first(raw, "status"),
            "domains": many(raw, "domains"),
            "itemCodes": first(raw, "itemCodes"),
        }

    @post("/{centre_code:str}/windows")
    async def create_window(
        self, request: Request[Any, Any, Any], centre_code: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """Add a window (``CreateWindow``)."""
        values = self._window_values(await form_of(request))
        try:
            data = wire({**values, "itemCodes": codes(values["itemCodes"])}, s.WindowCreate)
            service = services.WindowService(db_session, current_principal(request))
            created = await in_savepoint(db_session, service.create(centre_code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, WINDOW_LABELS))
            form.values = values
            return await self._windows(request, db_session, centre_code, form, None)
        return saved(f"/admin/centres/{centre_code}/windows/{created.number}", "created")

    async def _window(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str,
        number: int,
        form: FormState | None,
        done: str | None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        window = await services.WindowService(db_session, principal).get(code, number)
        return page(
            request,
            "admin/window.html",
            status_code=422 if form is not None and form.summary else 200,
            **await admin_context(request, db_session, code, "windows", done),
            centre_code=code,
            window=window,
            form=form or window_form(window),
            **self._window_choices(lang),
            **await history_context(db_session, principal, settings, lang, entity="window", key=f"{code}/{number}"),
        )

    @get("/{centre_code:str}/windows/{number:int}")
    async def window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """One window: its type, label, status and what it serves, with its history."""
        return await self._window(request, db_session, settings, centre_code, number, None, done)

    @post("/{centre_code:str}/windows/{number:int}")
    async def update_window(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a window (``UpdateWindow``)."""
        values = self._window_values(await form_of(request))
        values["number"] = number
        try:
            fields = {k: values[k] for k in ("type", "label", "status", "domains")}
            data = wire({**fields, "itemCodes": codes(values["itemCodes"])}, s.WindowUpdate)
            service = services.WindowService(db_session, current_principal(request))
            await in_savepoint(db_session, service.update(centre_code, number, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, WINDOW_LABELS))
            form.values = values
            return await self._window(request, db_session, settings, centre_code, number, form, None)
        return saved(f"/admin/centres/{centre_code}/windows/{number}")

    # --- devices ----------------------------------------------------------------------------------------------------
    async def _devices(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        code: str,
        form: FormState,
        done: str | None,
        issued: s.DeviceIssued | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        devices = await services.DeviceService(db_session, principal).of_centre(code)
        setup_url = f"{settings.public_url}/device#{issued.token}" if issued else ""
        return page(
            request,
            "admin/devices.html",
            status_code=422 if form.summary else (201 if issued else 200),
            headers={"Cache-Control": "no-store"},
            **await admin_context(request, db_session, code, "devices", done),
            centre_code=code,
            devices=devices,
            form=form,
            issued=issued,
            setup_url=setup_url,
            kinds=[(r.value, gettext(lang, labels.ROLES[r])) for r in (Role.KIOSK, Role.DISPLAY)],
            field_labels=_labels(lang, DEVICE_LABELS),
            **await history_context(db_session, principal, settings, lang, entity="device"),
        )

    @get("/{centre_code:str}/devices")
    async def devices(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """The centre's kiosks and display boards (tokens never shown again), and the form to add one."""
        form = FormState(values={"kind": Role.KIOSK.value})
        return await self._devices(request, db_session, settings, centre_code, form, done)

    @post("/{centre_code:str}/devices")
    async def issue_device(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Register a device (``IssueDeviceToken``) and show its token this once (not cached, not redirected)."""
        raw = await form_of(request)
        values = {"kind": first(raw, "kind"), "name": first(raw, "name")}
        try:
            data = wire(values, s.DeviceCreate)
            service = services.DeviceService(db_session, current_principal(request))
            issued = await in_savepoint(db_session, service.issue(centre_code, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, DEVICE_LABELS))
            form.values = values
            return await self._devices(request, db_session, settings, centre_code, form, None)
        form = FormState(values={"kind": values["kind"]})
        return await self._devices(request, db_session, settings, centre_code, form, None, issued)

    @post("/{centre_code:str}/devices/{device_id:uuid}/revoke")
    async def revoke_device(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        device_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Revoke a device token (``RevokeDeviceToken``): the device is refused from its next request on."""
        service = services.DeviceService(db_session, current_principal(request))
        try:
            await in_savepoint(db_session, service.revoke(device_id))
        except HallError as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, {})
            return await self._devices(request, db_session, settings, centre_code, form, None)
        return saved(f"/admin/centres/{centre_code}/devices", "revoked")
