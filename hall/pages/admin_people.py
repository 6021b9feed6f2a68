"""Administration of people: window staff (skill level with certification date, qualifications) and users.

``StaffService`` and ``UserService`` decide who may see and change whom (a manager: the staff and users of their
centres; only an administrator creates administrators). A skill level changes only by a certification, which the
staff member's level history keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall import services
from hall.domain.catalogue import ServiceDomain
from hall.domain.errors import HallError
from hall.domain.people import EmploymentType, Role
from hall.domain.skills import SkillLevel
from hall.pages import labels
from hall.pages.admin import Done, admin_context, centre_options, history_context, saved
from hall.pages.admin_forms import FormInvalid, FormState, checked, codes, many, optional, refusal, wire
from hall.pages.forms import first, form_of
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.manage_common import MANAGERS, in_savepoint, visible_centres
from hall.pages.templating import page
from hall.security import current_principal
from hall.settings import Settings

STAFF_LABELS: Final[dict[str, str]] = {
    "employeeNo": N_("Employee number"),
    "name": N_("Name"),
    "centreCode": N_("Centre"),
    "skillLevel": N_("Skill level"),
    "certifiedOn": N_("Certified on"),
    "certBody": N_("Certified by"),
    "employmentType": N_("Employment"),
    "qualifiedDomains": N_("Domains they may handle"),
    "qualifiedItems": N_("Further items they may handle (codes)"),
    "hiredOn": N_("Joined on"),
    "isActive": N_("Active"),
    "note": N_("Note"),
}
USER_LABELS: Final[dict[str, str]] = {
    "username": N_("User name"),
    "displayName": N_("Name shown"),
    "password": N_("Password"),
    "role": N_("Role"),
    "centreCode": N_("Centre"),
    "staffEmployeeNo": N_("Staff member (employee number)"),
    "isActive": N_("Account enabled"),
}
PAGE: Final = 200


def _labels(lang: str, table: Mapping[str, str]) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in table.items()}


def _choices(lang: str) -> dict[str, Any]:
    return {
        "levels": [(lv.value, gettext(lang, labels.SKILL_LEVELS[lv])) for lv in SkillLevel],
        "employment_types": [(e.value, gettext(lang, labels.EMPLOYMENT_TYPES[e])) for e in EmploymentType],
        "domains": [(d.value, gettext(lang, labels.DOMAINS[d])) for d in ServiceDomain],
    }


def staff_values(raw: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "employeeNo": first(raw, "employeeNo"),
        "name": first(raw, "name"),
        "centreCode": first(raw, "centreCode"),
        "skillLevel": first(raw, "skillLevel"),
        "certifiedOn": first(raw, "certifiedOn"),
        "certBody": first(raw, "certBody"),
        "employmentType": first(raw, "employmentType"),
        "qualifiedDomains": many(raw, "qualifiedDomains"),
        "qualifiedItems": first(raw, "qualifiedItems"),
        "hiredOn": first(raw, "hiredOn"),
        "isActive": checked(raw, "isActive"),
    }


class AdminPeoplePages(Controller):
    path = "/admin"
    guards = [MANAGERS]
    opt = {"sign_in": "staff"}
    include_in_schema = False

    # --- staff of a centre ------------------------------------------------------------------------------------------
    async def _staff_list(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        code: str,
        form: FormState,
        q: str | None,
        done: str | None,
    ) -> Response[Any]:
        lang = lang_of(request)
        staff, total = await services.StaffService(db_session, current_principal(request)).search(
            code, q=q, active_only=False, limit=PAGE, offset=0
        )
        return page(
            request,
            "admin/staff_list.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, code, "staff", done),
            centre_code=code,
            staff=staff,
            staff_total=total,
            q=q or "",
            form=form,
            field_labels=_labels(lang, STAFF_LABELS),
            **_choices(lang),
        )

    @get("/centres/{centre_code:str}/staff")
    async def staff_list(
        self,
        request: Request[Any, Any, Any],
        centre_code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        done: Done = None,
    ) -> Response[Any]:
        """The centre's staff (searchable by name or number), and the form to add a staff member."""
        form = FormState(values={"skillLevel": SkillLevel.L5.value, "employmentType": EmploymentType.CONTRACTED.value})
        return await self._staff_list(request, db_session, centre_code, form, q, done)

    @post("/centres/{centre_code:str}/staff")
    async def create_staff(
        self, request: Request[Any, Any, Any], centre_code: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """Add a staff member (``CreateStaff``) with their skill level, certification and qualifications."""
        values = staff_values(await form_of(request))
        values["centreCode"] = centre_code
        try:
            data = wire(
                {
                    **{k: v for k, v in values.items() if k != "isActive"},
                    "certifiedOn": values["certifiedOn"] or None,
                    "hiredOn": values["hiredOn"] or None,
                    "qualifiedItems": codes(values["qualifiedItems"]),
                },
                s.StaffCreate,
            )
            service = services.StaffService(db_session, current_principal(request))
            created = await in_savepoint(db_session, service.create(data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, STAFF_LABELS))
            form.values = values
            return await self._staff_list(request, db_session, centre_code, form, None, None)
        return saved(f"/admin/staff/{created.employee_no}", "created")

    # --- one staff member ---------------------------------------------------------------------------------------
    async def _staff(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        employee_no: str,
        *,
        form: FormState | None = None,
        certify: FormState | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        member = await services.StaffService(db_session, principal).detail(employee_no)
        if form is None:
            form = FormState(
                values={
                    "name": member.name,
                    "centreCode": member.centre_code,
                    "employmentType": member.employment_type.value,
                    "qualifiedDomains": [d.value for d in member.qualified_domains],
                    "qualifiedItems": " ".join(member.qualified_items),
                    "hiredOn": member.hired_on.isoformat() if member.hired_on else "",
                    "isActive": member.is_active,
                }
            )
        certify = certify or FormState(values={"skillLevel": member.skill_level})
        failed = bool(form.summary or certify.summary)
        return page(
            request,
            "admin/staff.html",
            status_code=422 if failed else 200,
            **await admin_context(request, db_session, member.centre_code, "staff", done),
            member=member,
            form=form,
            certify=certify,
            centre_choices=centre_options(await visible_centres(db_session, principal), lang),
            field_labels=_labels(lang, STAFF_LABELS),
            **_choices(lang),
            **await history_context(db_session, principal, settings, lang, entity="staff", key=employee_no),
        )

    @get("/staff/{employee_no:str}")
    async def staff(
        self,
        request: Request[Any, Any, Any],
        employee_no: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """A staff member: details, qualifications, skill level and its certification history."""
        return await self._staff(request, db_session, settings, employee_no, done=done)

    @post("/staff/{employee_no:str}")
    async def update_staff(
        self,
        request: Request[Any, Any, Any],
        employee_no: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a staff member's details or qualifications (``UpdateStaff``)."""
        values = staff_values(await form_of(request))
        try:
            data = wire(
                {
                    "name": values["name"],
                    "centreCode": values["centreCode"],
                    "employmentType": values["employmentType"],
                    "qualifiedDomains": values["qualifiedDomains"],
                    "qualifiedItems": codes(values["qualifiedItems"]),
                    "hiredOn": values["hiredOn"] or None,
                    "isActive": values["isActive"],
                },
                s.StaffUpdate,
            )
            service = services.StaffService(db_session, current_principal(request))
            await in_savepoint(db_session, service.update(employee_no, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, STAFF_LABELS))
            form.values = values
            return await self._staff(request, db_session, settings, employee_no, form=form)
        return saved(f"/admin/staff/{employee_no}")

    @post("/staff/{employee_no:str}/skill-levels")
    async def certify(
        self,
        request: Request[Any, Any, Any],
        employee_no: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Record a skill-level certification (``CertifySkillLevel``); the level history keeps every one."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("skillLevel", "certifiedOn", "certBody", "note")}
        try:
            data = wire({**values, "certifiedOn": values["certifiedOn"] or None}, s.CertifySkillLevel)
            service = services.StaffService(db_session, current_principal(request))
            await in_savepoint(db_session, service.certify(employee_no, data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, STAFF_LABELS))
            form.values = values
            return await self._staff(request, db_session, settings, employee_no, certify=form)
        return saved(f"/admin/staff/{employee_no}", "certified")

    # --- users ------------------------------------------------------------------------------------------------------
    async def _users(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form: FormState, done: str | None
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        users, total = await services.UserService(db_session, principal).search(limit=services.MAX_PAGE, offset=0)
        roles = (
            [Role.MANAGER, Role.STAFF] if principal.role is not Role.ADMIN else [Role.ADMIN, Role.MANAGER, Role.STAFF]
        )
        return page(
            request,
            "admin/users.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, None, "users", done),
            users=users,
            users_total=total,
            form=form,
            roles=[(r.value, gettext(lang, labels.ROLES[r])) for r in roles],
            centre_choices=centre_options(await visible_centres(db_session, principal), lang),
            field_labels=_labels(lang, USER_LABELS),
        )

    @get("/users")
    async def users(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], done: Done = None
    ) -> Response[Any]:
        """The users of the caller's centres (every user for an administrator), and the form to add one."""
        return await self._users(request, db_session, FormState(values={"role": Role.STAFF.value}), done)

    @post("/users")
    async def create_user(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """Add a user (``CreateUser``): a staff user is linked to their staff record."""
        raw = await form_of(request)
        values = {k: first(raw, k) for k in ("username", "displayName", "role", "centreCode", "staffEmployeeNo")}
        try:
            data = wire(
                {
                    **values,
                    "password": raw.get("password", [""])[0],
                    "centreCode": values["centreCode"] or None,
                    "staffEmployeeNo": values["staffEmployeeNo"] or None,
                },
                s.UserCreate,
            )
            service = services.UserService(db_session, current_principal(request))
            created = await in_savepoint(db_session, service.create(data))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, USER_LABELS))
            form.values = values
            return await self._users(request, db_session, form, None)
        return saved(f"/admin/users/{created.username}", "created")

    async def _user(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        username: str,
        form: FormState | None,
        done: str | None,
    ) -> Response[Any]:
        lang = lang_of(request)
        principal = current_principal(request)
        user = await services.UserService(db_session, principal).get(username)
        form = form or FormState(values={"displayName": user.display_name, "isActive": user.is_active})
        return page(
            request,
            "admin/user.html",
            status_code=422 if form.summary else 200,
            **await admin_context(request, db_session, None, "users", done),
            user=user,
            form=form,
            field_labels=_labels(lang, USER_LABELS),
            **await history_context(db_session, principal, settings, lang, entity="user", key=username),
        )

    @get("/users/{username:str}")
    async def user(
        self,
        request: Request[Any, Any, Any],
        username: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        done: Done = None,
    ) -> Response[Any]:
        """One user: name shown, enabled or not, a new password."""
        return await self._user(request, db_session, settings, username, None, done)

    @post("/users/{username:str}")
    async def update_user(
        self,
        request: Request[Any, Any, Any],
        username: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Change a user (``UpdateUser``); disabling or a new password signs them out everywhere."""
        raw = await form_of(request)
        values: dict[str, Any] = {"displayName": first(raw, "displayName"), "isActive": checked(raw, "isActive")}
        password = optional(raw, "password")
        try:
            body = dict(values) | ({"password": raw["password"][0]} if password else {})
            service = services.UserService(db_session, current_principal(request))
            await in_savepoint(db_session, service.update(username, wire(body, s.UserUpdate)))
        except (HallError, FormInvalid) as exc:
            lang = lang_of(request)
            form = refusal(lang, exc, _labels(lang, USER_LABELS))
            form.values = values
            return await self._user(request, db_session, settings, username, form, None)
        return saved(f"/admin/users/{username}")
