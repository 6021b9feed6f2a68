"""Every route × every role: the route's guard admits exactly the roles this table lists.

The table is written out by hand, independently of the guards in the code, and must list every route the app
serves: a new route fails ``test_the_matrix_covers_every_route`` until someone decides who may call it.
Allowed calls may still fail validation (400/404/422); what is asserted is that they are not refused for their
role (401/403), and that every other role is refused (403, or 401 when anonymous).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar

from hall.app import create_app

pytestmark = pytest.mark.integration

ADMIN, MANAGER, STAFF, KIOSK, DISPLAY = "admin", "manager", "staff", "kiosk", "display"
PUBLIC = frozenset({"anonymous", ADMIN, MANAGER, STAFF, KIOSK, DISPLAY})
EVERYONE = frozenset({ADMIN, MANAGER, STAFF, KIOSK, DISPLAY})
PEOPLE = frozenset({ADMIN, MANAGER, STAFF})
MANAGERS = frozenset({ADMIN, MANAGER})
ADMINS = frozenset({ADMIN})

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/api/v1/auth/tokens"): PUBLIC,
    ("POST", "/api/v1/auth/session"): PUBLIC,
    ("DELETE", "/api/v1/auth/session"): PEOPLE,
    ("GET", "/api/v1/auth/me"): EVERYONE,
    ("GET", "/api/v1/centres"): PEOPLE,
    ("POST", "/api/v1/centres"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}"): EVERYONE,
    ("PATCH", "/api/v1/centres/{centre_code}"): MANAGERS,
    ("PUT", "/api/v1/centres/{centre_code}/sessions"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/items"): EVERYONE,
    ("PUT", "/api/v1/centres/{centre_code}/items"): MANAGERS,
    ("GET", "/api/v1/calendars/{calendar_code}"): EVERYONE,
    ("PUT", "/api/v1/calendars/{calendar_code}/days"): ADMINS,
    ("DELETE", "/api/v1/calendars/{calendar_code}/days/{on}"): ADMINS,
    ("PUT", "/api/v1/calendars/{calendar_code}/years"): ADMINS,
    ("GET", "/api/v1/centres/{centre_code}/calendar"): EVERYONE,
    ("PUT", "/api/v1/centres/{centre_code}/calendar/days"): MANAGERS,
    ("DELETE", "/api/v1/centres/{centre_code}/calendar/days/{on}"): MANAGERS,
    ("GET", "/api/v1/departments"): PEOPLE,
    ("POST", "/api/v1/departments"): ADMINS,
    ("GET", "/api/v1/departments/{code}"): PEOPLE,
    ("PATCH", "/api/v1/departments/{code}"): ADMINS,
    ("GET", "/api/v1/items"): PEOPLE,
    ("POST", "/api/v1/items"): ADMINS,
    ("GET", "/api/v1/items/{code}"): PEOPLE,
    ("PATCH", "/api/v1/items/{code}"): ADMINS,
    ("GET", "/api/v1/centres/{centre_code}/windows"): EVERYONE,
    ("POST", "/api/v1/centres/{centre_code}/windows"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/windows/{number}"): EVERYONE,
    ("PATCH", "/api/v1/centres/{centre_code}/windows/{number}"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/staff"): MANAGERS,
    ("POST", "/api/v1/staff"): MANAGERS,
    ("GET", "/api/v1/staff/me"): frozenset({STAFF}),
    ("GET", "/api/v1/staff/{employee_no}"): PEOPLE,
    ("PATCH", "/api/v1/staff/{employee_no}"): MANAGERS,
    ("POST", "/api/v1/staff/{employee_no}/skill-levels"): MANAGERS,
    ("GET", "/api/v1/users"): MANAGERS,
    ("POST", "/api/v1/users"): MANAGERS,
    ("GET", "/api/v1/users/{username}"): MANAGERS,
    ("PATCH", "/api/v1/users/{username}"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/devices"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/devices"): MANAGERS,
    ("DELETE", "/api/v1/devices/{device_id}"): MANAGERS,
    ("GET", "/api/v1/history"): MANAGERS,
    # queueing
    ("POST", "/api/v1/centres/{centre_code}/tickets"): PUBLIC - {DISPLAY},
    ("GET", "/api/v1/tickets/{public_code}"): PUBLIC,
    ("POST", "/api/v1/tickets/{public_code}/cancel"): PUBLIC,
    ("GET", "/api/v1/centres/{centre_code}/tickets/{number}"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/tickets/{number}/resume"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/tickets/{number}/reinstate"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/tickets/{number}/cancel"): PEOPLE,
    ("GET", "/api/v1/centres/{centre_code}/entrance-code"): EVERYONE,
    ("GET", "/api/v1/centres/{centre_code}/windows/{number}/session"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/session"): PEOPLE,
    ("DELETE", "/api/v1/centres/{centre_code}/windows/{number}/session"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/session/pause"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/session/resume"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/call-next"): PEOPLE,
    ("GET", "/api/v1/centres/{centre_code}/windows/{number}/queue"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/recall"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/start"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/no-show"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/park"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/transfer"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/windows/{number}/current/complete"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/days/{day}/close"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/board"): EVERYONE,
    ("GET", "/api/v1/centres/{centre_code}/events"): EVERYONE,
    ("GET", "/api/v1/centres/{centre_code}/windows/{number}/events"): PEOPLE,
    ("GET", "/api/v1/tickets/{public_code}/events"): PUBLIC,
    # appointments
    ("GET", "/api/v1/centres/{centre_code}/appointments/slots"): PUBLIC,
    ("POST", "/api/v1/centres/{centre_code}/appointments/slots"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/appointments"): PUBLIC - {DISPLAY},
    ("GET", "/api/v1/appointments/{code}"): PUBLIC,
    ("POST", "/api/v1/appointments/{code}/cancel"): PUBLIC - {DISPLAY},
    # staffing: ratings, 差评 cases, rules, assessment entries, assessment, pay
    ("POST", "/api/v1/ratings"): PUBLIC - {DISPLAY},
    ("GET", "/api/v1/tickets/{public_code}/rating"): PUBLIC,
    ("GET", "/api/v1/centres/{centre_code}/ratings"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/rating-metrics"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/negative-cases"): MANAGERS,
    ("GET", "/api/v1/negative-cases/{case_id}"): PEOPLE,
    ("POST", "/api/v1/negative-cases/{case_id}/moves"): PEOPLE,
    ("GET", "/api/v1/centres/{centre_code}/assessment-scheme"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/assessment-scheme"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/assessment-scheme/versions"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-rule"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/pay-rule"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-rule/versions"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/rating-rules"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/rating-rules"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/rating-rules/versions"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/assessment-entries"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/assessment-entries"): MANAGERS,
    ("POST", "/api/v1/assessment-entries/{entry_id}/withdraw"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/case-completions"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/assessments/{month}/compute"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/assessments/{month}"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/assessments/{month}/approve"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/assessments/{month}/recomputation"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/promotion-suggestions"): MANAGERS,
    ("GET", "/api/v1/staff/{employee_no}/assessments"): PEOPLE,
    ("GET", "/api/v1/staff/{employee_no}/assessments/{month}"): PEOPLE,
    ("GET", "/api/v1/staff/{employee_no}/assessments/{month}/report.pdf"): PEOPLE,
    ("GET", "/api/v1/staff/{employee_no}/promotion"): PEOPLE,
    ("POST", "/api/v1/centres/{centre_code}/pay-records/{month}/drafts"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-records/{month}"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/pay-records/{month}/review"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/pay-records/{month}/approve"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/pay-records/{month}/lock"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-records/{month}/slips.pdf"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-records/{month}/export.csv"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/pay-records/{month}/export.xlsx"): MANAGERS,
    ("GET", "/api/v1/pay-records/{record_id}"): PEOPLE,
    ("GET", "/api/v1/pay-records/{record_id}/slip.pdf"): PEOPLE,
    ("POST", "/api/v1/pay-records/{record_id}/adjustments"): MANAGERS,
    ("POST", "/api/v1/pay-records/{record_id}/review"): MANAGERS,
    ("POST", "/api/v1/pay-records/{record_id}/approve"): MANAGERS,
    ("POST", "/api/v1/pay-records/{record_id}/lock"): MANAGERS,
    ("POST", "/api/v1/pay-records/{record_id}/corrections"): MANAGERS,
    ("POST", "/api/v1/pay-adjustments/{adjustment_id}/withdraw"): MANAGERS,
    ("GET", "/api/v1/staff/{employee_no}/pay-records"): PEOPLE,
    # planning (staffing/planning)
    ("GET", "/api/v1/centres/{centre_code}/planning/fit"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/fits"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/planning/fits"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/planning/forecasts"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/forecasts"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/forecasts/{on}"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/forecast-vs-actual"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/planning/plans"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/plans"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/plans/{on}"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/planning/rosters"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/rosters"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/rosters/{on}"): MANAGERS,
    ("PUT", "/api/v1/centres/{centre_code}/planning/rosters/{on}/shifts"): MANAGERS,
    ("POST", "/api/v1/centres/{centre_code}/planning/rosters/{on}/what-if"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/rosters/{on}/roster.csv"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/rosters/{on}/roster.ics"): MANAGERS,
    ("GET", "/api/v1/centres/{centre_code}/planning/predicted-waits"): frozenset({ADMIN, MANAGER, STAFF, DISPLAY}),
    # pages (hall/pages): sign-in and language, then one block per device or person
    ("GET", "/"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/device"): PUBLIC,
    ("POST", "/device"): PUBLIC,
    ("POST", "/lang"): PUBLIC,
    ("GET", "/static/{file_path}"): PUBLIC,
    ("GET", "/kiosk/{centre_code}"): frozenset({KIOSK}),
    ("POST", "/kiosk/{centre_code}/tickets"): frozenset({KIOSK}),
    ("GET", "/board/{centre_code}"): EVERYONE,
    ("GET", "/board/{centre_code}/state"): EVERYONE,
    ("GET", "/console"): frozenset({STAFF}),
    ("GET", "/console/workspace"): frozenset({STAFF}),
    ("GET", "/console/queue"): frozenset({STAFF}),
    ("POST", "/console/window"): frozenset({STAFF}),
    ("POST", "/console/window/close"): frozenset({STAFF}),
    ("POST", "/console/pause"): frozenset({STAFF}),
    ("POST", "/console/resume"): frozenset({STAFF}),
    ("POST", "/console/call-next"): frozenset({STAFF}),
    ("POST", "/console/recall"): frozenset({STAFF}),
    ("POST", "/console/start"): frozenset({STAFF}),
    ("POST", "/console/no-show"): frozenset({STAFF}),
    ("POST", "/console/park"): frozenset({STAFF}),
    ("GET", "/console/transfer"): frozenset({STAFF}),
    ("POST", "/console/transfer"): frozenset({STAFF}),
    ("GET", "/console/complete"): frozenset({STAFF}),
    ("POST", "/console/complete"): frozenset({STAFF}),
    ("GET", "/console/ratings"): frozenset({STAFF}),
    ("GET", "/t/{public_code}"): PUBLIC,
    ("GET", "/t/{public_code}/status"): PUBLIC,
    ("POST", "/t/{public_code}/cancel"): PUBLIC,
    ("GET", "/t/{public_code}/print"): PUBLIC,
    ("GET", "/t/{public_code}/ticket.pdf"): PUBLIC,
    ("GET", "/rate/{centre_code}/{number}"): frozenset({KIOSK}),
    ("GET", "/rate/{centre_code}/{number}/visit"): frozenset({KIOSK}),
    # manager pages (hall/pages/manage.py, reporting.py): the live hall and its actions, reports and exports
    ("GET", "/manage"): MANAGERS,
    ("GET", "/manage/{centre_code}"): MANAGERS,
    ("GET", "/manage/{centre_code}/live"): MANAGERS,
    ("POST", "/manage/{centre_code}/windows/{number}/open"): MANAGERS,
    ("POST", "/manage/{centre_code}/windows/{number}/close"): MANAGERS,
    ("POST", "/manage/{centre_code}/windows/{number}/pause"): MANAGERS,
    ("POST", "/manage/{centre_code}/windows/{number}/resume"): MANAGERS,
    ("POST", "/manage/{centre_code}/windows/{number}/move"): MANAGERS,
    ("POST", "/manage/{centre_code}/tickets/{number}/reinstate"): MANAGERS,
    ("GET", "/manage/{centre_code}/reports"): MANAGERS,
    ("GET", "/manage/{centre_code}/reports/export.csv"): MANAGERS,
    ("GET", "/manage/{centre_code}/reports/export.xlsx"): MANAGERS,
    ("GET", "/manage/{centre_code}/reports/report.pdf"): MANAGERS,
    ("GET", "/manage/{centre_code}/compare"): MANAGERS,
    ("GET", "/manage/{centre_code}/compare/export.csv"): MANAGERS,
    ("GET", "/manage/{centre_code}/compare/export.xlsx"): MANAGERS,
    ("GET", "/manage/{centre_code}/compare/report.pdf"): MANAGERS,
    # staffing pages (hall/pages/my_grades.py, assessment.py, pay.py): "My grades" is a staff member's own; the
    # assessment, 差评 case and pay pages are a centre's managers', as the API
    ("GET", "/me/grades"): frozenset({STAFF}),
    ("GET", "/me/grades/{month}"): frozenset({STAFF}),
    ("GET", "/me/grades/{month}/records/{code}"): frozenset({STAFF}),
    ("GET", "/me/grades/{month}/report.pdf"): frozenset({STAFF}),
    ("GET", "/me/pay/{record_id}"): frozenset({STAFF}),
    ("GET", "/me/pay/{record_id}/slip.pdf"): frozenset({STAFF}),
    ("GET", "/manage/{centre_code}/assessment"): MANAGERS,
    ("POST", "/manage/{centre_code}/assessment/{month}/compute"): MANAGERS,
    ("POST", "/manage/{centre_code}/assessment/{month}/approve"): MANAGERS,
    ("GET", "/manage/{centre_code}/assessment/{month}/staff/{employee_no}"): MANAGERS,
    ("GET", "/manage/{centre_code}/assessment/{month}/staff/{employee_no}/records/{code}"): MANAGERS,
    ("GET", "/manage/{centre_code}/assessment/{month}/staff/{employee_no}/report.pdf"): MANAGERS,
    ("GET", "/manage/{centre_code}/negative-cases"): MANAGERS,
    ("GET", "/manage/{centre_code}/negative-cases/{case_id}"): MANAGERS,
    ("POST", "/manage/{centre_code}/negative-cases/{case_id}/move"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/{month}/prepare"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/{month}/review"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/{month}/approve"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/{month}/lock"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay/{month}/slips.pdf"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay/{month}/export.csv"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay/{month}/export.xlsx"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay/records/{record_id}"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/adjustments"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/adjustments/{adjustment_id}/withdraw"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/review"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/approve"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/lock"): MANAGERS,
    ("POST", "/manage/{centre_code}/pay/records/{record_id}/corrections"): MANAGERS,
    ("GET", "/manage/{centre_code}/pay/records/{record_id}/slip.pdf"): MANAGERS,
    # planning and local-calendar pages (hall/pages/planning.py, calendar_local.py): a centre's managers, as the API
    ("GET", "/manage/{centre_code}/planning"): MANAGERS,
    ("POST", "/manage/{centre_code}/planning/fit"): MANAGERS,
    ("POST", "/manage/{centre_code}/planning/plans"): MANAGERS,
    ("GET", "/manage/{centre_code}/planning/plans/{on}"): MANAGERS,
    ("POST", "/manage/{centre_code}/planning/rosters"): MANAGERS,
    ("GET", "/manage/{centre_code}/planning/rosters/{on}"): MANAGERS,
    ("POST", "/manage/{centre_code}/planning/rosters/{on}/shifts"): MANAGERS,
    ("GET", "/manage/{centre_code}/planning/rosters/{on}/what-if"): MANAGERS,
    ("GET", "/manage/{centre_code}/calendar"): MANAGERS,
    ("POST", "/manage/{centre_code}/calendar/days"): MANAGERS,
    ("POST", "/manage/{centre_code}/calendar/days/{on}/delete"): MANAGERS,
    # administration pages (hall/pages/admin*.py): as the API, shared reference data is changed by admins only
    ("GET", "/admin"): MANAGERS,
    ("GET", "/admin/history"): MANAGERS,
    ("GET", "/admin/centres"): MANAGERS,
    ("POST", "/admin/centres"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/sessions"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}/items"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/items"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}/windows"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/windows"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}/windows/{number}"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/windows/{number}"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}/devices"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/devices"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/devices/{device_id}/revoke"): MANAGERS,
    ("GET", "/admin/centres/{centre_code}/staff"): MANAGERS,
    ("POST", "/admin/centres/{centre_code}/staff"): MANAGERS,
    ("GET", "/admin/staff/{employee_no}"): MANAGERS,
    ("POST", "/admin/staff/{employee_no}"): MANAGERS,
    ("POST", "/admin/staff/{employee_no}/skill-levels"): MANAGERS,
    ("GET", "/admin/users"): MANAGERS,
    ("POST", "/admin/users"): MANAGERS,
    ("GET", "/admin/users/{username}"): MANAGERS,
    ("POST", "/admin/users/{username}"): MANAGERS,
    ("GET", "/admin/departments"): MANAGERS,
    ("POST", "/admin/departments"): ADMINS,
    ("POST", "/admin/departments/{code}"): ADMINS,
    ("GET", "/admin/items"): MANAGERS,
    ("GET", "/admin/items/new"): ADMINS,
    ("POST", "/admin/items"): ADMINS,
    ("GET", "/admin/items/{code}"): MANAGERS,
    ("POST", "/admin/items/{code}"): ADMINS,
    ("GET", "/admin/calendars/{calendar_code}"): MANAGERS,
    ("POST", "/admin/calendars/{calendar_code}/days"): ADMINS,
    ("POST", "/admin/calendars/{calendar_code}/days/{on}/delete"): ADMINS,
    ("POST", "/admin/calendars/{calendar_code}/import"): ADMINS,
}

# Concrete values for path parameters: the county centre, whose manager is "manager", and the staff member
# "zhangmin" (SFX003), whose own record the staff role may read.
PATH_VALUES = {
    "centre_code": "SFX",
    "calendar_code": "CN",
    "on": "2026-10-01",
    "code": "SB001",
    "number": "1",
    "employee_no": "SFX003",
    "username": "zhangmin",
    "public_code": "no-such-ticket-code",
    "day": "2026-11-20",
    "month": "2026-10",
    "case_id": "00000000-0000-0000-0000-000000000000",
    "entry_id": "00000000-0000-0000-0000-000000000000",
    "record_id": "00000000-0000-0000-0000-000000000000",
    "adjustment_id": "00000000-0000-0000-0000-000000000000",
    "file_path": "css/base.css",
}
PRINCIPALS = {ADMIN: "admin", MANAGER: "manager", STAFF: "zhangmin", KIOSK: "kiosk", DISPLAY: "display"}


def served_routes(app: Litestar) -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        if path.startswith("/schema"):
            continue
        for method in getattr(route, "route_handler_map", {}):
            if method not in {"HEAD", "OPTIONS"}:
                routes.add((method, path))
    return routes


def test_the_matrix_covers_every_route(db) -> None:
    served = served_routes(create_app(db.settings()))
    assert served == set(MATRIX), f"unlisted: {sorted(served - set(MATRIX))}; gone: {sorted(set(MATRIX) - served)}"


def test_every_route_declares_a_guard(db) -> None:
    app = create_app(db.settings())
    unguarded = [
        f"{method} {route.path}"
        for route in app.routes
        if not route.path.startswith("/schema")
        for method, (handler, _) in getattr(route, "route_handler_map", {}).items()
        if method not in {"HEAD", "OPTIONS"} and not handler.resolve_guards()
    ]
    assert unguarded == []


async def _device_id(client: Any, headers: Any) -> str:
    """A throwaway device to revoke (revoking the demo kiosk would lock the kiosk role out of later calls)."""
    issued = await client.post(
        "/api/v1/centres/SFX/devices", headers=headers("admin"), json={"kind": "display", "name": "spare board"}
    )
    return str(issued.json()["id"])


@pytest.mark.parametrize(("method", "template"), sorted(MATRIX))
async def test_route_admits_exactly_its_roles(client, headers, method: str, template: str) -> None:
    values = dict(PATH_VALUES)
    if template.endswith("/events"):
        # Event streams never end: an unknown centre makes an admitted role stop at 404 instead of streaming,
        # while a refused role is still stopped by the guard (401/403).
        values["centre_code"] = "NO-SUCH-CENTRE"
    if "{device_id}" in template:
        values["device_id"] = await _device_id(client, headers)
    url = template.format(**values)
    allowed = MATRIX[(method, template)]
    outcomes: dict[str, int] = {}
    for role in ["anonymous", ADMIN, MANAGER, STAFF, KIOSK, DISPLAY]:
        request_headers = {} if role == "anonymous" else headers(PRINCIPALS[role])
        kwargs: dict[str, Any] = {"headers": request_headers}
        if method in {"POST", "PUT", "PATCH"}:
            kwargs["json"] = {}
        response = await client.request(method, url, **kwargs)
        outcomes[role] = response.status_code
        if role in allowed:
            assert response.status_code not in {401, 403}, f"{role} was refused {method} {url}: {response.text}"
        elif role == "anonymous":
            assert response.status_code == 401, f"anonymous got {response.status_code} on {method} {url}"
        else:
            assert response.status_code == 403, f"{role} got {response.status_code} on {method} {url}"
