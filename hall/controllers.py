"""HTTP API of the hall context (version 1). Handlers are thin: they call a service and return wire types."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from hall import schemas as s
from hall import services
from hall.deps import service_provider
from hall.domain.catalogue import ServiceDomain
from hall.domain.people import Role
from hall.lib.schema import WireStruct
from hall.security import (
    ADMIN_ONLY,
    MANAGERS,
    SESSION_COOKIE,
    SIGNED_IN_PEOPLE,
    allow,
    presented_token,
    public,
)
from hall.settings import Settings

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=services.MAX_PAGE, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0)]
EVERYONE_SIGNED_IN = allow(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK, Role.DISPLAY)


class Paged(WireStruct, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    dependencies = {"auth": service_provider(services.AuthService)}

    @post("/tokens", guards=[public], operation_id="CreateApiToken")
    async def create_token(
        self, data: JSONBody[s.SignIn], auth: NamedDependency[services.AuthService], settings: NamedDependency[Settings]
    ) -> s.TokenRead:
        """Sign in with a password and receive an API bearer token (shown once)."""
        _, read = await auth.sign_in(data, kind="api", lifetime=timedelta(days=settings.api_token_days))
        return read

    @post("/session", guards=[public], operation_id="SignIn", status_code=HTTP_200_OK)
    async def sign_in(
        self, data: JSONBody[s.SignIn], auth: NamedDependency[services.AuthService], settings: NamedDependency[Settings]
    ) -> Response[s.TokenRead]:
        """Sign in for the pages: sets the session cookie (HttpOnly, SameSite=Strict)."""
        token, read = await auth.sign_in(data, kind="session", lifetime=timedelta(hours=settings.session_hours))
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            secure=settings.public_url.startswith("https://"),
            max_age=settings.session_hours * 3600,
            path="/",
        )
        return Response(read, cookies=[cookie])

    @delete("/session", guards=[SIGNED_IN_PEOPLE], operation_id="SignOut", status_code=HTTP_204_NO_CONTENT)
    async def sign_out(
        self, request: Request[Any, Any, Any], auth: NamedDependency[services.AuthService]
    ) -> Response[None]:
        """Revoke the presented session or API token."""
        token = presented_token(request)
        if token:
            await auth.sign_out(token)
        return Response(
            None, status_code=HTTP_204_NO_CONTENT, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0)]
        )

    @get("/me", guards=[EVERYONE_SIGNED_IN], operation_id="GetMe")
    async def me(self, auth: NamedDependency[services.AuthService]) -> s.MeRead:
        """Who the caller is: role, centre and linked staff record."""
        return await auth.me()


class CentreController(Controller):
    path = "/api/v1/centres"
    tags = ["centres"]
    dependencies = {"centres": service_provider(services.CentreService)}

    @get("/", guards=[SIGNED_IN_PEOPLE], operation_id="ListCentres")
    async def list_centres(self, centres: NamedDependency[services.CentreService]) -> list[s.CentreRead]:
        """List the centres the caller may see (a manager: their centre and those below it)."""
        return await centres.visible()

    @post("/", guards=[MANAGERS], operation_id="CreateCentre")
    async def create_centre(
        self, data: JSONBody[s.CentreCreate], centres: NamedDependency[services.CentreService]
    ) -> s.CentreRead:
        """Add a centre; a manager may add centres only below their own."""
        return await centres.create(data)

    @get("/{centre_code:str}", guards=[EVERYONE_SIGNED_IN], operation_id="GetCentre")
    async def get_centre(
        self, centre_code: FromPath[str], centres: NamedDependency[services.CentreService]
    ) -> s.CentreRead:
        """One centre with its opening sessions, waiting-time promise and queueing rules."""
        return await centres.get(centre_code)

    @patch("/{centre_code:str}", guards=[MANAGERS], operation_id="UpdateCentre")
    async def update_centre(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.CentreUpdate],
        centres: NamedDependency[services.CentreService],
    ) -> s.CentreRead:
        """Change a centre; fields left out are kept. Moving a centre in the hierarchy is for administrators."""
        return await centres.update(centre_code, data)

    @put("/{centre_code:str}/sessions", guards=[MANAGERS], operation_id="ReplaceOpeningSessions")
    async def replace_sessions(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.SessionsReplace],
        centres: NamedDependency[services.CentreService],
    ) -> s.CentreRead:
        """Replace the centre's weekly opening sessions."""
        return await centres.replace_sessions(centre_code, data)

    @get("/{centre_code:str}/items", guards=[EVERYONE_SIGNED_IN], operation_id="ListOfferedItems")
    async def offered_items(
        self, centre_code: FromPath[str], centres: NamedDependency[services.CentreService]
    ) -> list[s.OfferedItemRead]:
        """The catalogue items this centre offers (what its kiosk shows)."""
        return await centres.offered_items(centre_code)

    @put("/{centre_code:str}/items", guards=[MANAGERS], operation_id="ReplaceOfferedItems")
    async def replace_items(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.OfferedItemsReplace],
        centres: NamedDependency[services.CentreService],
    ) -> list[s.OfferedItemRead]:
        """Replace the list of items this centre offers, with optional daily ticket caps."""
        return await centres.replace_offered_items(centre_code, data)


class CentreCalendarController(Controller):
    path = "/api/v1/centres/{centre_code:str}/calendar"
    tags = ["calendar"]
    dependencies = {"calendars": service_provider(services.CentreCalendarService)}

    @get("/", guards=[EVERYONE_SIGNED_IN], operation_id="GetCentreCalendar")
    async def effective(
        self,
        centre_code: FromPath[str],
        calendars: NamedDependency[services.CentreCalendarService],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> s.CentreCalendarRead:
        """The calendar the centre runs on: national days plus local days of the centre and those above it."""
        return await calendars.effective(centre_code, year)

    @put("/days", guards=[MANAGERS], operation_id="PutCentreCalendarDay")
    async def put_day(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.CalendarDayWire],
        calendars: NamedDependency[services.CentreCalendarService],
    ) -> s.CentreCalendarRead:
        """Set a local holiday or make-up working day for the centre and every centre below it."""
        return await calendars.put_day(centre_code, data)

    @delete("/days/{on:date}", guards=[MANAGERS], operation_id="DeleteCentreCalendarDay", status_code=HTTP_200_OK)
    async def delete_day(
        self,
        centre_code: FromPath[str],
        on: FromPath[date],
        calendars: NamedDependency[services.CentreCalendarService],
    ) -> s.CentreCalendarRead:
        """Remove a local day; the date falls back to the national calendar (or a centre above)."""
        return await calendars.delete_day(centre_code, on)


class CalendarController(Controller):
    path = "/api/v1/calendars"
    tags = ["calendar"]
    dependencies = {"calendars": service_provider(services.CalendarService)}

    @get("/{calendar_code:str}", guards=[EVERYONE_SIGNED_IN], operation_id="GetCalendar")
    async def get_calendar(
        self,
        calendar_code: FromPath[str],
        calendars: NamedDependency[services.CalendarService],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> s.CalendarRead:
        """The holidays and make-up working days (调休) of a working-day calendar."""
        return await calendars.get(calendar_code, year)

    @put("/{calendar_code:str}/days", guards=[ADMIN_ONLY], operation_id="PutCalendarDay")
    async def put_day(
        self,
        calendar_code: FromPath[str],
        data: JSONBody[s.CalendarDayWire],
        calendars: NamedDependency[services.CalendarService],
    ) -> s.CalendarDayWire:
        """Add or change one holiday or make-up working day."""
        return await calendars.put_day(calendar_code, data)

    @delete(
        "/{calendar_code:str}/days/{on:date}",
        guards=[ADMIN_ONLY],
        operation_id="DeleteCalendarDay",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_day(
        self, calendar_code: FromPath[str], on: FromPath[date], calendars: NamedDependency[services.CalendarService]
    ) -> None:
        """Remove one entry; the day falls back to the Monday–Friday rule."""
        await calendars.delete_day(calendar_code, on)

    @put("/{calendar_code:str}/years", guards=[ADMIN_ONLY], operation_id="ImportCalendarYear")
    async def import_year(
        self,
        calendar_code: FromPath[str],
        data: JSONBody[s.CalendarYearImport],
        calendars: NamedDependency[services.CalendarService],
    ) -> s.CalendarRead:
        """Replace one year's holidays and make-up working days (the State Council's yearly notice)."""
        return await calendars.import_year(calendar_code, data)


class CatalogueController(Controller):
    path = "/api/v1"
    tags = ["catalogue"]
    dependencies = {"catalogue": service_provider(services.CatalogueService)}

    @get("/departments", guards=[SIGNED_IN_PEOPLE], operation_id="ListDepartments")
    async def list_departments(self, catalogue: NamedDependency[services.CatalogueService]) -> list[s.DepartmentRead]:
        """The departments stationed in the halls (进驻部门)."""
        return await catalogue.departments()

    @post("/departments", guards=[ADMIN_ONLY], operation_id="CreateDepartment")
    async def create_department(
        self, data: JSONBody[s.DepartmentCreate], catalogue: NamedDependency[services.CatalogueService]
    ) -> s.DepartmentRead:
        """Add a department."""
        return await catalogue.create_department(data)

    @get("/departments/{code:str}", guards=[SIGNED_IN_PEOPLE], operation_id="GetDepartment")
    async def get_department(
        self, code: FromPath[str], catalogue: NamedDependency[services.CatalogueService]
    ) -> s.DepartmentRead:
        """One department."""
        return await catalogue.department(code)

    @patch("/departments/{code:str}", guards=[ADMIN_ONLY], operation_id="UpdateDepartment")
    async def update_department(
        self,
        code: FromPath[str],
        data: JSONBody[s.DepartmentUpdate],
        catalogue: NamedDependency[services.CatalogueService],
    ) -> s.DepartmentRead:
        """Rename a department."""
        return await catalogue.update_department(code, data)

    @get("/items", guards=[SIGNED_IN_PEOPLE], operation_id="ListCatalogueItems")
    async def list_items(
        self,
        catalogue: NamedDependency[services.CatalogueService],
        domain: FromQuery[ServiceDomain | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100, description="search code or name")] = None,
        active_only: Annotated[bool, QueryParameter(name="activeOnly")] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Paged[s.ServiceItemRead]:
        """The service catalogue, filtered by domain or a search text."""
        items, total = await catalogue.items(domain=domain, q=q, active_only=active_only, limit=limit, offset=offset)
        return Paged(items=items, total=total, limit=limit, offset=offset)

    @post("/items", guards=[ADMIN_ONLY], operation_id="CreateCatalogueItem")
    async def create_item(
        self, data: JSONBody[s.ServiceItemCreate], catalogue: NamedDependency[services.CatalogueService]
    ) -> s.ServiceItemRead:
        """Add an item to the service catalogue."""
        return await catalogue.create_item(data)

    @get("/items/{code:str}", guards=[SIGNED_IN_PEOPLE], operation_id="GetCatalogueItem")
    async def get_item(
        self, code: FromPath[str], catalogue: NamedDependency[services.CatalogueService]
    ) -> s.ServiceItemRead:
        """One catalogue item."""
        return await catalogue.item(code)

    @patch("/items/{code:str}", guards=[ADMIN_ONLY], operation_id="UpdateCatalogueItem")
    async def update_item(
        self,
        code: FromPath[str],
        data: JSONBody[s.ServiceItemUpdate],
        catalogue: NamedDependency[services.CatalogueService],
    ) -> s.ServiceItemRead:
        """Change a catalogue item; fields left out are kept."""
        return await catalogue.update_item(code, data)


class WindowController(Controller):
    path = "/api/v1/centres/{centre_code:str}/windows"
    tags = ["windows"]
    dependencies = {"windows": service_provider(services.WindowService)}

    @get("/", guards=[EVERYONE_SIGNED_IN], operation_id="ListWindows")
    async def list_windows(
        self, centre_code: FromPath[str], windows: NamedDependency[services.WindowService]
    ) -> list[s.WindowRead]:
        """The windows of a centre."""
        return await windows.of_centre(centre_code)

    @post("/", guards=[MANAGERS], operation_id="CreateWindow")
    async def create_window(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.WindowCreate],
        windows: NamedDependency[services.WindowService],
    ) -> s.WindowRead:
        """Add a window: its number, type and what it serves."""
        return await windows.create(centre_code, data)

    @get("/{number:int}", guards=[EVERYONE_SIGNED_IN], operation_id="GetWindow")
    async def get_window(
        self, centre_code: FromPath[str], number: FromPath[int], windows: NamedDependency[services.WindowService]
    ) -> s.WindowRead:
        """One window."""
        return await windows.get(centre_code, number)

    @patch("/{number:int}", guards=[MANAGERS], operation_id="UpdateWindow")
    async def update_window(
        self,
        centre_code: FromPath[str],
        number: FromPath[int],
        data: JSONBody[s.WindowUpdate],
        windows: NamedDependency[services.WindowService],
    ) -> s.WindowRead:
        """Change a window's type, label, status or what it serves."""
        return await windows.update(centre_code, number, data)


class StaffController(Controller):
    path = "/api/v1"
    tags = ["staff"]
    dependencies = {"staff": service_provider(services.StaffService)}

    @get("/centres/{centre_code:str}/staff", guards=[MANAGERS], operation_id="ListStaff")
    async def list_staff(
        self,
        centre_code: FromPath[str],
        staff: NamedDependency[services.StaffService],
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        active_only: Annotated[bool, QueryParameter(name="activeOnly")] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Paged[s.StaffRead]:
        """The staff of a centre."""
        items, total = await staff.search(centre_code, q=q, active_only=active_only, limit=limit, offset=offset)
        return Paged(items=items, total=total, limit=limit, offset=offset)

    @post("/staff", guards=[MANAGERS], operation_id="CreateStaff")
    async def create_staff(
        self, data: JSONBody[s.StaffCreate], staff: NamedDependency[services.StaffService]
    ) -> s.StaffDetail:
        """Add a staff member with their skill level and qualifications."""
        return await staff.create(data)

    @get("/staff/me", guards=[allow(Role.STAFF)], operation_id="GetMyStaffRecord")
    async def my_record(self, staff: NamedDependency[services.StaffService]) -> s.StaffDetail:
        """The signed-in staff member's own record and skill-level history."""
        return await staff.me()

    @get("/staff/{employee_no:str}", guards=[SIGNED_IN_PEOPLE], operation_id="GetStaff")
    async def get_staff(
        self, employee_no: FromPath[str], staff: NamedDependency[services.StaffService]
    ) -> s.StaffDetail:
        """One staff member with their skill-level history (staff may read only their own)."""
        return await staff.detail(employee_no)

    @patch("/staff/{employee_no:str}", guards=[MANAGERS], operation_id="UpdateStaff")
    async def update_staff(
        self, employee_no: FromPath[str], data: JSONBody[s.StaffUpdate], staff: NamedDependency[services.StaffService]
    ) -> s.StaffDetail:
        """Change a staff member's details or qualifications (not the skill level: certify it)."""
        return await staff.update(employee_no, data)

    @post("/staff/{employee_no:str}/skill-levels", guards=[MANAGERS], operation_id="CertifySkillLevel")
    async def certify(
        self,
        employee_no: FromPath[str],
        data: JSONBody[s.CertifySkillLevel],
        staff: NamedDependency[services.StaffService],
    ) -> s.StaffDetail:
        """Record a skill-level certification (职业技能等级认定); kept in the level history."""
        return await staff.certify(employee_no, data)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    dependencies = {"users": service_provider(services.UserService)}

    @get("/", guards=[MANAGERS], operation_id="ListUsers")
    async def list_users(
        self, users: NamedDependency[services.UserService], limit: Limit = 100, offset: Offset = 0
    ) -> Paged[s.UserRead]:
        """Users of the caller's centres (all users for an administrator)."""
        items, total = await users.search(limit=limit, offset=offset)
        return Paged(items=items, total=total, limit=limit, offset=offset)

    @post("/", guards=[MANAGERS], operation_id="CreateUser")
    async def create_user(
        self, data: JSONBody[s.UserCreate], users: NamedDependency[services.UserService]
    ) -> s.UserRead:
        """Add a user; managers may add managers and staff of their own centres only."""
        return await users.create(data)

    @get("/{username:str}", guards=[MANAGERS], operation_id="GetUser")
    async def get_user(self, username: FromPath[str], users: NamedDependency[services.UserService]) -> s.UserRead:
        """One user."""
        return await users.get(username)

    @patch("/{username:str}", guards=[MANAGERS], operation_id="UpdateUser")
    async def update_user(
        self, username: FromPath[str], data: JSONBody[s.UserUpdate], users: NamedDependency[services.UserService]
    ) -> s.UserRead:
        """Rename, disable or set a new password; disabling or a new password signs the user out everywhere."""
        return await users.update(username, data)


class DeviceController(Controller):
    path = "/api/v1"
    tags = ["devices"]
    dependencies = {"devices": service_provider(services.DeviceService)}

    @get("/centres/{centre_code:str}/devices", guards=[MANAGERS], operation_id="ListDevices")
    async def list_devices(
        self, centre_code: FromPath[str], devices: NamedDependency[services.DeviceService]
    ) -> list[s.DeviceRead]:
        """The kiosk and display devices of a centre (tokens are never shown again)."""
        return await devices.of_centre(centre_code)

    @post("/centres/{centre_code:str}/devices", guards=[MANAGERS], operation_id="IssueDeviceToken")
    async def issue_device(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.DeviceCreate],
        devices: NamedDependency[services.DeviceService],
    ) -> s.DeviceIssued:
        """Register a kiosk or display board and return its token, shown only this once."""
        return await devices.issue(centre_code, data)

    @delete("/devices/{device_id:uuid}", guards=[MANAGERS], operation_id="RevokeDeviceToken", status_code=HTTP_200_OK)
    async def revoke_device(
        self, device_id: FromPath[UUID], devices: NamedDependency[services.DeviceService]
    ) -> s.DeviceRead:
        """Revoke a device token; the device is refused from its next request on."""
        return await devices.revoke(device_id)


class HistoryController(Controller):
    path = "/api/v1/history"
    tags = ["history"]
    dependencies = {"history": service_provider(services.HistoryService)}

    @get("/", guards=[MANAGERS], operation_id="ListChanges")
    async def list_changes(
        self,
        history: NamedDependency[services.HistoryService],
        entity: Annotated[str | None, QueryParameter(max_length=32)] = None,
        key: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Paged[s.ChangeRead]:
        """Who changed what, when, old → new; newest first."""
        items, total = await history.search(entity=entity, key=key, limit=limit, offset=offset)
        return Paged(items=items, total=total, limit=limit, offset=offset)


ROUTES = [
    AuthController,
    CentreController,
    CalendarController,
    CentreCalendarController,
    CatalogueController,
    WindowController,
    StaffController,
    UserController,
    DeviceController,
    HistoryController,
]
