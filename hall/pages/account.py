"""Signing in from a browser: staff with a password, devices with their token, and the language switch.

* **Staff** sign in on ``/sign-in`` (or on the sign-in form any protected page shows in its place): the same
  ``AuthService.sign_in`` as ``POST /api/v1/auth/session``, the same HttpOnly, SameSite=Strict session cookie.
* **Devices** (kiosk ``hk_…``, display board ``hd_…``) are set up once on ``/device``: the manager types or
  pastes the device token (or opens ``/device#hk_…``, which fills it in without the token reaching any server
  log), and the token is kept in the same HttpOnly, SameSite=Strict cookie, for 400 days (the longest a browser
  keeps one). The authentication middleware already accepts a device token from that cookie, so nothing else
  changes: revoking the device (``RevokeDeviceToken``) locks the browser out at its next request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as hall_schemas
from hall import services
from hall.directory import SqlHallDirectory
from hall.domain.errors import HallError
from hall.domain.people import Role
from hall.pages.forms import first, form_of, safe_next
from hall.pages.i18n import LANG_COOKIE, LANGUAGES, N_, gettext, lang_of
from hall.pages.templating import page
from hall.security import DEVICE_PREFIXES, SESSION_COOKIE, current_principal, public, resolve_token
from hall.settings import Settings

NextPath = Annotated[str, QueryParameter(name="next", max_length=500, description="where to go after signing in")]
DEVICE_COOKIE_DAYS: Final = 400
LANG_COOKIE_DAYS: Final = 365


def session_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    """The sign-in cookie: HttpOnly, SameSite=Strict, Secure when Hall is served over https."""
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        httponly=True,
        samesite="strict",
        secure=settings.public_url.startswith("https://"),
        max_age=max_age,
        path="/",
    )


def see_other(path: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, cookies=cookies or [])


class AccountPages(Controller):
    path = "/"
    guards = [public]
    include_in_schema = False

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Where each kind of user starts."""
        return page(request, "home.html", principal=current_principal(request))

    @get("/sign-in")
    async def sign_in_form(self, request: Request[Any, Any, Any], next_: NextPath = "") -> Response[Any]:
        return page(request, "sign_in.html", next=safe_next(next_, ""), error="")

    @post("/sign-in")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Check the password and set the session cookie; show the form again, with the reason, if refused."""
        form = await form_of(request)
        target = safe_next(first(form, "next"), "")  # none given: each role's own start page, once signed in
        username, password = first(form, "username"), form.get("password", [""])[0]
        auth = services.AuthService(db_session, current_principal(request))
        if not username or not password:
            error = gettext(lang_of(request), N_("Enter your user name and password."))
            return page(request, "sign_in.html", status_code=400, next=target, error=error, username=username)
        try:
            token, read = await auth.sign_in(
                hall_schemas.SignIn(username=username, password=password),
                kind="session",
                lifetime=timedelta(hours=settings.session_hours),
            )
        except HallError:
            error = gettext(lang_of(request), N_("Unknown user name or wrong password, or the account is disabled."))
            return page(request, "sign_in.html", status_code=401, next=target, error=error, username=username)
        home = "/manage" if read.role in {Role.ADMIN, Role.MANAGER} else "/console"
        return see_other(target or home, [session_cookie(settings, token, settings.session_hours * 3600)])

    @post("/sign-out")
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """End this browser's sign-in: a person's session is revoked; a device's token is only forgotten here."""
        principal = current_principal(request)
        token = request.cookies.get(SESSION_COOKIE)  # this browser's sign-in, never an API client's bearer token
        if token and principal.role in {Role.ADMIN, Role.MANAGER, Role.STAFF}:
            await services.AuthService(db_session, principal).sign_out(token)
        home = "/device" if principal.role in {Role.KIOSK, Role.DISPLAY} else "/sign-in"
        return see_other(home, [session_cookie(settings, "", 0)])

    @get("/device")
    async def device_form(self, request: Request[Any, Any, Any], next_: NextPath = "") -> Response[Any]:
        return page(request, "device_sign_in.html", next=safe_next(next_, ""), error="")

    @post("/device")
    async def device_sign_in(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Exchange a kiosk or display token for the device cookie, then open the device's page."""
        form = await form_of(request)
        token = first(form, "token")
        if not token:
            error = gettext(lang_of(request), N_("Enter the device token."))
            return page(request, "device_sign_in.html", status_code=400, next=first(form, "next"), error=error)
        principal = await resolve_token(db_session, token, datetime.now(UTC)) if token[:3] in DEVICE_PREFIXES else None
        if principal is None or principal.centre_id is None:
            error = gettext(lang_of(request), N_("This device token is not valid (mistyped, or revoked)."))
            return page(request, "device_sign_in.html", status_code=401, next=first(form, "next"), error=error)
        centre = await SqlHallDirectory(db_session).centre_by_id(principal.centre_id)
        home = f"/kiosk/{centre.code}" if principal.role is Role.KIOSK else f"/board/{centre.code}"
        target = safe_next(first(form, "next"), home)
        return see_other(target, [session_cookie(settings, token, DEVICE_COOKIE_DAYS * 86400)])

    @post("/lang")
    async def choose_language(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Switch the pages' language (kept in a cookie) and return to the page the switch was pressed on."""
        form = await form_of(request)
        lang = first(form, "lang")
        target = safe_next(first(form, "next"), "/")
        if lang not in LANGUAGES:
            return see_other(target)
        cookie = Cookie(key=LANG_COOKIE, value=lang, max_age=LANG_COOKIE_DAYS * 86400, samesite="lax", path="/")
        return see_other(target, [cookie])
