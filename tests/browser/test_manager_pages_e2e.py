"""A centre manager's day in headless Chromium against a real server, then the administration pages.

The manager of the always-open centre E2E signs in, watches a ticket issued at the kiosk appear live, opens,
pauses and reopens a window, opens yesterday's report, exports it to XLSX (the file opens with openpyxl and holds
the page's numbers) and to PDF (with the CJK font), issues a kiosk token that then signs a kiosk in, and adds a
local holiday to their centre's calendar (the national calendar stays the administrator's). Role checks: window
staff are refused, a township manager sees only their centre, a county manager the centres below.

Every new page is screenshotted into ``test-artifacts/browser/`` and checked for accessibility on the way.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ZONE = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Hall-demo-2026"
MANAGER_PASSWORD = "E2e-manager-2026"
# (first item, minutes waited, minutes served, what became of it) for yesterday's ten visits at E2E
YESTERDAY = [
    ("SB001", 3, 6, "instant"),
    ("YB001", 8, 9, "instant"),
    ("SB002", 12, 4, "instant"),
    ("MZ001", 20, 15, "instant"),
    ("SB001", 5, 7, "no_show"),
    ("BDC03", 2, 5, "instant"),
    ("YB001", 25, 11, "transfer"),
    ("SB002", 9, 3, "consultation"),
    ("MZ001", 14, 12, "instant"),
    ("SB001", 4, 8, "returned_with_notice"),
]


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)


def new_page(browser: Any, hall: Any, *, width: int = 1440, height: int = 900, lang: str = "zh-CN") -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=lang,
        timezone_id="Asia/Shanghai",
        base_url=hall.base,
        accept_downloads=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    """Open a protected page: it shows the sign-in form in its place, then the page itself."""
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].button-primary")
    page.wait_for_load_state()


def confirm(page: Any) -> str:
    """Answer the confirmation dialog every change asks; return what it listed."""
    page.wait_for_selector("#confirm-dialog[open]")
    listed = page.locator("#confirm-dialog").inner_text()
    page.click("#confirm-yes")
    page.wait_for_selector("#confirm-dialog:not([open])", state="attached")
    return str(listed)


def settled(page: Any) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


# --- yesterday, written straight into the server's database (a real server cannot go back in time) ----------------
async def _write_yesterday(url: str, day: date) -> None:
    from sqlalchemy import insert, select
    from uuid_utils.compat import uuid7

    from hall.db.engine import make_engine
    from hall.models import CentreModel, ServiceItemModel, StaffModel, WindowModel
    from queueing.models import ServiceRecordModel, TicketEventModel, TicketItemModel, TicketModel

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            centre = (await conn.execute(select(CentreModel.id).where(CentreModel.code == "E2E"))).scalar_one()
            items = dict((await conn.execute(select(ServiceItemModel.code, ServiceItemModel.id))).tuples().all())
            domains = dict((await conn.execute(select(ServiceItemModel.code, ServiceItemModel.domain))).tuples().all())
            staff = (await conn.execute(select(StaffModel.id).where(StaffModel.employee_no == "E2E001"))).scalar_one()
            window = (
                await conn.execute(
                    select(WindowModel.id).where(WindowModel.centre_id == centre, WindowModel.number == 1)
                )
            ).scalar_one()
            now = datetime.now(UTC)
            for n, (code, waited, served, fate) in enumerate(YESTERDAY, start=1):
                ticket_id, item_row = uuid7(), uuid7()
                arrived = datetime.combine(day, time(9, 0), tzinfo=ZONE).astimezone(UTC) + timedelta(minutes=17 * n)
                called = arrived + timedelta(minutes=waited)
                started, ended = called + timedelta(minutes=1), called + timedelta(minutes=1 + served)
                status = {"no_show": "no_show", "transfer": "expired"}.get(fate, "completed")
                await conn.execute(
                    insert(TicketModel).values(
                        id=ticket_id, centre_id=centre, service_day=day, prefix="Y", sequence=n, number=f"Y{n:03d}",
                        public_code=f"e2e-yesterday-{n}", status=status, channel="kiosk", arrived_at=arrived,
                        called_at=called, started_at=started if status == "completed" else None,
                        ended_at=ended if status == "completed" else None,
                        no_show_at=called + timedelta(minutes=3) if fate == "no_show" else None,
                        window_id=window, staff_id=staff, recalls=0, created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                await conn.execute(
                    insert(TicketItemModel).values(
                        id=item_row, ticket_id=ticket_id, item_id=items[code], item_code=code, position=0,
                        is_active=status != "completed", created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                events = [("issue", None, "waiting", arrived), ("call", "waiting", "called", called)]
                if fate == "no_show":
                    events.append(("mark_no_show", "called", "no_show", called + timedelta(minutes=3)))
                if fate == "transfer":
                    events += [("start", "called", "serving", started), ("transfer", "serving", "waiting", ended)]
                for action, before, after, at in events:
                    await conn.execute(
                        insert(TicketEventModel).values(
                            ticket_id=ticket_id, centre_id=centre, at=at, action=action, from_status=before,
                            to_status=after, actor="e2e-clerk", window_id=window, details={},
                        )
                    )  # fmt: skip
                if status == "completed":
                    await conn.execute(
                        insert(ServiceRecordModel).values(
                            id=uuid7(), centre_id=centre, ticket_id=ticket_id, ticket_item_id=item_row, item_code=code,
                            domain=domains[code], window_id=window, staff_id=staff, skill_level=2, arrived_at=arrived,
                            called_at=called, started_at=started, ended_at=ended, items_in_visit=1, outcome=fate,
                            outcome_details={}, is_synthetic=False, created_at=now, updated_at=now,
                        )
                    )  # fmt: skip
    finally:
        await engine.dispose()


def write_yesterday(url: str, day: date) -> None:
    """Run the async writes in a thread of their own (Playwright's sync API owns this thread's event loop)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_write_yesterday(url, day))
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def table_cells(page: Any, key: str) -> dict[str, list[str]]:
    rows = page.evaluate(
        """(key) => Array.from(document.querySelectorAll(`#table-${key} tbody tr`)).map(
            (tr) => Array.from(tr.children).map((c) => c.textContent.trim()))""",
        key,
    )
    return {row[0]: row[1:] for row in rows if row}


def as_number(text: str) -> float | None:
    return None if text == "—" else float(text)


# --- the tests ------------------------------------------------------------------------------------------------------
def test_a_manager_runs_the_hall_from_the_browser(
    browser: Any, hall_server: Any, artifacts: Path, accessible: Any
) -> None:
    hall = hall_server
    today = datetime.now(ZONE).date()
    yesterday = today - timedelta(days=1)
    with hall.api() as api:
        created = api.post(
            "/api/v1/users",
            json={
                "username": "e2e-manager", "displayName": "周主任", "password": MANAGER_PASSWORD, "role": "manager",
                "centreCode": "E2E",
            },
        )  # fmt: skip
        assert created.status_code in {201, 409}, created.text
    write_yesterday(hall.database_url, yesterday)

    manager = new_page(browser, hall)
    # --- sign in: a manager lands on their centres ------------------------------------------------------------------
    sign_in(manager, "/manage", "e2e-manager", MANAGER_PASSWORD)
    manager.wait_for_url("**/manage")
    assert manager.locator("html").get_attribute("lang") == "zh-CN"
    assert manager.locator('a[href="/manage/E2E"]').count() == 1
    shot(manager, artifacts, "20-manage-centres")
    accessible(manager)

    # --- the live hall, and a ticket issued at the kiosk appears without a reload ---------------------------------
    manager.click('a[href="/manage/E2E"]')
    manager.wait_for_url("**/manage/E2E")
    manager.wait_for_function("() => window.htmx && document.querySelector('#live')")
    manager.wait_for_timeout(500)  # the event stream connects
    before = int(manager.locator("#waiting-total").inner_text())
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    with httpx.Client(base_url=hall.base, timeout=10) as client:
        issued = client.post("/api/v1/centres/E2E/tickets", headers=kiosk, json={"itemCodes": ["SB001"]})
    assert issued.status_code == 201, issued.text
    manager.wait_for_function(
        "(n) => Number(document.querySelector('#waiting-total').textContent) === n", arg=before + 1, timeout=10000
    )
    row = manager.locator('#domains tr[data-domain="social_security"]')
    assert int(row.locator(".waiting-count").inner_text()) >= 1
    shot(manager, artifacts, "21-live-hall")
    accessible(manager)

    # --- open window 3 with a staff member, pause it, reopen it, close it -------------------------------------
    window = '#windows tr[data-window="3"]'
    manager.select_option("#open-staff-3", "E2E002")
    manager.click(f"{window} form[hx-post$='/open'] button")
    assert "3 号窗口" in confirm(manager)
    manager.wait_for_selector(f'{window}[data-state="idle"]')
    assert "3 号窗口已开放" in manager.locator("#notice").inner_text()
    settled(manager)
    manager.select_option("#pause-reason-3", index=1)
    manager.click(f"{window} form[hx-post$='/pause'] button")
    confirm(manager)
    manager.wait_for_selector(f'{window}[data-state="paused"]')
    assert "暂停" in manager.locator(f"{window} .window-state-cell").inner_text()
    shot(manager, artifacts, "22-live-window-paused")
    accessible(manager)
    settled(manager)
    manager.click(f"{window} form[hx-post$='/resume'] button")
    confirm(manager)
    manager.wait_for_selector(f'{window}[data-state="idle"]')
    settled(manager)
    manager.click(f"{window} form[hx-post$='/close'] button")
    confirm(manager)
    manager.wait_for_selector(f'{window}[data-state="closed"]')
    with httpx.Client(base_url=hall.base, timeout=10) as client:  # leave the queue as it was
        client.post(f"/api/v1/tickets/{issued.json()['publicCode']}/cancel")

    # --- yesterday's report, its XLSX and PDF ------------------------------------------------------------------------
    manager.click('.manage-nav a[href="/manage/E2E/reports"]')
    manager.wait_for_url("**/manage/E2E/reports")
    assert yesterday.isoformat() in manager.locator("#report-period").inner_text()
    assert manager.locator("#synthetic-notice").count() == 0
    page_summary = table_cells(manager, "summary")
    assert page_summary["办事群众（取号数）"] == ["10"]
    assert page_summary["过号"] == ["1"]
    assert page_summary["转办"] == ["1"]
    assert page_summary["平均等候（分钟）"] == ["10.2"]  # (3+8+12+20+5+2+25+9+14+4) / 10
    assert manager.locator("svg#chart-half-hours[role=img]").count() == 1
    shot(manager, artifacts, "23-report-yesterday")
    accessible(manager)

    with manager.expect_download() as download_info:
        manager.click("#export-xlsx")
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert download_info.value.suggested_filename == f"report-E2E-day-{yesterday.isoformat()}.xlsx"
    for key in ("summary", "waits-by-domain", "outcomes", "flows", "half-hours"):
        sheet = workbook[key]
        in_file = {
            str(r[0]): list(r[1:])
            for r in sheet.iter_rows(min_row=5, values_only=True)
            if r[0] is not None and len(r) > 1
        }
        on_page = table_cells(manager, key)
        assert set(on_page) <= set(in_file), key
        for label, cells in on_page.items():
            values = in_file[label][: len(cells)]
            assert [as_number(c) for c in cells] == [None if v is None else float(v) for v in values], (key, label)

    with manager.expect_download() as download_info:
        manager.click("#export-pdf")
    pdf = Path(download_info.value.path())
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Hall-Sans-SC" in fonts, fonts
    shutil.copy(pdf, artifacts / "24-report-yesterday.pdf")

    # --- a kiosk token, shown once, signs a kiosk in -----------------------------------------------------------------
    manager.goto("/admin/centres/E2E/devices")
    manager.fill("#f-name", "二号取号机")
    manager.click("#device-form button[type=submit]")
    assert "二号取号机" in confirm(manager)
    manager.wait_for_selector("#issued-token")
    token = manager.locator("#issued-token").inner_text().strip()
    assert token.startswith("hk_")
    shot(manager, artifacts, "25-admin-device-token")
    accessible(manager)
    manager.goto("/admin/centres/E2E/devices")
    assert token not in manager.content(), "the token is shown only once"
    kiosk_page = new_page(browser, hall, width=1080, height=1920)
    kiosk_page.goto(f"/device#{token}")
    kiosk_page.wait_for_url("**/kiosk/E2E")
    kiosk_page.context.close()

    # --- English, on the live hall ------------------------------------------------------------------------------------
    manager.goto("/manage/E2E")
    manager.click(".lang-switch button[value=en]")
    manager.wait_for_selector("html[lang=en]")
    assert "Waiting per domain" in manager.locator("#domains-title").inner_text()
    shot(manager, artifacts, "26-live-hall-english")
    accessible(manager)

    # --- the manager adds a local holiday to their centre; the history says who, when, old → new -----------------
    next_year = today.year + 1
    manager.click('.manage-nav a[href="/manage/E2E/calendar"]')
    manager.wait_for_url("**/manage/E2E/calendar")
    manager.goto(f"/manage/E2E/calendar?month={next_year}-12")
    manager.fill("#f-on", f"{next_year}-12-31")
    manager.select_option("#f-kind", "holiday")
    manager.fill("#f-name", "测试假日")
    manager.click("#local-day-form button[type=submit]")
    listed = confirm(manager)
    assert "测试假日" in listed
    assert "→" in listed
    manager.wait_for_selector("#saved")
    assert manager.locator(f'#local-days tr[data-day="{next_year}-12-31"]').count() == 1
    assert manager.locator(f'#month-grid td.local[data-day="{next_year}-12-31"][data-working="no"]').count() == 1
    assert f"{next_year}-12-31" in manager.locator("#history").inner_text()
    shot(manager, artifacts, "27-manager-local-holiday")
    accessible(manager)
    with httpx.Client(base_url=hall.base, timeout=10) as client:  # the API sees the centre's local day
        days = client.get(f"/api/v1/centres/E2E/calendar?year={next_year}", headers=hall.admin).json()["days"]
    assert {"on": f"{next_year}-12-31", "kind": "holiday", "name": "测试假日", "source": "E2E"} in days
    assert manager.errors == [], manager.errors
    manager.context.close()

    admin = new_page(browser, hall)
    sign_in(admin, "/admin/centres/E2E/windows", "admin", DEMO_PASSWORD)

    # --- a refused change names its field and saves nothing -----------------------------------------------------------
    admin.goto("/admin/centres/E2E/windows")
    admin.fill("#f-number", "1")
    admin.click("form[action='/admin/centres/E2E/windows'] button[type=submit]")
    confirm(admin)
    admin.wait_for_selector("#form-error")
    assert "号码：该中心已有此编号的窗口" in admin.locator("#form-error").inner_text()
    assert admin.locator("#f-number[aria-invalid=true]").count() == 1
    shot(admin, artifacts, "28-admin-field-error")
    accessible(admin)

    # --- every other new page, checked for accessibility ------------------------------------------------------------
    for number, url in enumerate(
        [
            "/admin",
            "/admin/centres",
            "/admin/centres/E2E",
            "/admin/centres/E2E/items",
            "/admin/centres/E2E/windows/1",
            "/admin/centres/E2E/staff",
            "/admin/staff/E2E001",
            "/admin/users",
            "/admin/users/e2e-manager",
            "/admin/departments",
            "/admin/items",
            "/admin/items/SB001",
            "/admin/items/new",
            "/admin/history",
            f"/admin/calendars/CN?year={next_year}",
            "/manage/SFX/compare?period=month",
        ],
        start=1,
    ):
        admin.goto(url)
        shot(admin, artifacts, f"29-admin-{number:02d}-{re.sub(r'[^a-zA-Z0-9]+', '-', url.strip('/')).lower()[:40]}")
        accessible(admin)
    assert admin.errors == [], admin.errors
    admin.context.close()


def test_staff_are_refused_and_managers_see_only_their_centres(browser: Any, hall_server: Any, artifacts: Path) -> None:
    clerk = new_page(browser, hall_server)
    sign_in(clerk, "/manage", hall_server.clerks[0], hall_server.password)
    assert clerk.locator("form[action='/sign-out']").count() == 1
    response = clerk.goto("/manage/E2E")
    assert response is not None
    assert response.status == 403
    shot(clerk, artifacts, "30-manage-refused-to-staff")
    clerk.context.close()

    township = new_page(browser, hall_server)
    sign_in(township, "/manage", "qs-manager", DEMO_PASSWORD)
    listed = township.locator("main table tbody th").all_inner_texts()
    assert len(listed) == 1
    assert "SFX-QS" in listed[0]
    response = township.goto("/manage/SFX")
    assert response is not None
    assert response.status == 403
    township.context.close()

    county = new_page(browser, hall_server)
    sign_in(county, "/manage", "manager", DEMO_PASSWORD)
    codes = " ".join(county.locator("main table tbody th").all_inner_texts())
    for code in ("SFX", "SFX-QS", "SFX-LH"):
        assert code in codes
    county.goto("/manage/SFX/compare?period=month")
    assert county.locator("#table-centres thead th").count() == 4
    shot(county, artifacts, "31-county-centres-compared")
    county.context.close()
