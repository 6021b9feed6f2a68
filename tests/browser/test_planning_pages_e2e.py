"""A township manager plans in headless Chromium: the forecast's charts, a day's plan (Erlang C only against
simulated), a refused form that keeps what was typed, a week's roster as a grid, its CSV, and a what-if.

The server is the session's (``hall seed demo``: 90 days of synthetic history for the demo centres, up to today).
青山镇 (SFX-QS: two windows, four staff) keeps the simulations to seconds. Every page is screenshotted into
``test-artifacts/browser/`` and checked for accessibility on the way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ZONE = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Hall-demo-2026"
BASE = "/manage/SFX-QS/planning"


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def new_page(browser: Any, hall: Any, *, lang: str = "zh-CN") -> Any:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
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
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].button-primary")
    page.wait_for_load_state()


def confirm(page: Any) -> None:
    page.wait_for_selector("#confirm-dialog[open]")
    page.click("#confirm-yes")


def test_a_manager_plans_a_day_builds_a_roster_and_asks_what_if(
    browser: Any, hall_server: Any, artifacts: Path, accessible: Any
) -> None:
    manager = new_page(browser, hall_server)
    sign_in(manager, BASE, "qs-manager", DEMO_PASSWORD)
    manager.wait_for_url(f"**{BASE}")
    manager.click(".lang-switch button[value=en]")
    manager.wait_for_selector("html[lang=en]")
    assert manager.locator(f'.manage-nav a[href="{BASE}"]').count() == 1

    # --- the fitted parameters and the forecast against what happened -------------------------------------------------
    if manager.locator("#no-fit").count():
        manager.fill("#f-fit-days", "60")
        manager.click("#fit-form button[type=submit]")
        manager.wait_for_selector("#fit-date", timeout=60000)
    assert manager.locator("#synthetic-fit").count() == 1  # the demo history is synthetic, and says so
    assert manager.locator("svg#chart-forecast-days[role=img]").count() == 1
    assert manager.locator("svg#chart-forecast-slots[role=img]").count() == 1
    assert manager.locator("svg#chart-forecast-days rect").count() > 5
    shot(manager, artifacts, "40-planning-overview")
    accessible(manager)

    # --- a refused plan: the field is named, nothing typed is lost ----------------------------------------------------
    planned_day = manager.input_value("#f-plan-on")
    today = datetime.now(ZONE).date()
    sunday = today + timedelta(days=6 - today.weekday() or 7)  # 青山镇 is closed on Sundays
    manager.fill("#f-plan-on", sunday.isoformat())
    manager.fill("#f-plan-replications", "6")
    manager.fill("#f-plan-arrivalsPercent", "15")
    manager.click("#plan-form button[type=submit]")
    manager.wait_for_selector("#form-error", timeout=30000)
    assert "the centre is closed on that day" in manager.locator("#e-f-plan-on").inner_text()
    assert manager.locator("#f-plan-on[aria-invalid=true]").count() == 1
    assert manager.input_value("#f-plan-on") == sunday.isoformat()
    assert manager.input_value("#f-plan-arrivalsPercent") == "15"
    assert manager.input_value("#f-plan-replications") == "6"
    shot(manager, artifacts, "41-planning-refused")
    accessible(manager)

    # --- plan a day: progress while the twin runs, then the plan (post/redirect/get) --------------------------------
    manager.fill("#f-plan-on", planned_day)
    manager.fill("#f-plan-arrivalsPercent", "0")
    manager.click("#plan-form button[type=submit]")
    manager.wait_for_selector("#plan-progress.htmx-request", state="visible", timeout=5000)
    manager.wait_for_url(f"**{BASE}/plans/{planned_day}", timeout=120000)
    sides = manager.locator("#table-sides")
    hours = sides.locator('tr[data-figure="staff-hours"] td').all_inner_texts()
    assert len(hours) == 2
    assert all(float(h) > 0 for h in hours)
    assert sides.locator('tr[data-figure="failing"] td').count() == 2
    assert manager.locator("svg#chart-plan-windows[role=img]").count() == 1
    assert manager.locator("svg#chart-plan-waits[role=img]").count() == 1
    assert manager.locator("#table-plan-slots tbody tr").count() >= 10
    shot(manager, artifacts, "42-planning-day-plan")
    accessible(manager)

    # --- build next week's roster ------------------------------------------------------------------------------------
    manager.goto(BASE)
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    assert manager.input_value("#f-roster-weekStart") == monday.isoformat()
    manager.fill("#f-roster-replications", "2")
    manager.click("#roster-form button[type=submit]")
    confirm(manager)
    manager.wait_for_selector("#roster-progress.htmx-request", state="visible", timeout=5000)
    manager.wait_for_url(f"**{BASE}/rosters/{monday.isoformat()}?done=built", timeout=240000)
    grid = manager.locator("#roster-grid")
    assert grid.locator("tbody tr").count() == 4  # the four staff of 青山镇
    assert grid.locator("td.seat").count() > 0
    assert grid.locator("tfoot tr[data-group]").count() >= 1
    assert manager.locator("svg#chart-roster-coverage[role=img]").count() == 1
    assert manager.locator("svg#chart-roster-waits[role=img]").count() == 1
    shot(manager, artifacts, "43-planning-roster")
    accessible(manager)
    with manager.expect_download() as download_info:
        manager.click("#export-csv")
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith("date,employee_no,name,shift")
    assert csv_text.count("\n") == int(manager.locator("#roster-shifts dd").inner_text()) + 1
    with manager.expect_download() as download_info:
        manager.click("#export-ical")
    assert Path(download_info.value.path()).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")

    # --- change a shift: someone without a shift on Monday takes the first shift of the list (or, if everyone works,
    # the first staff member gets Monday off) ----------------------------------------------------------------------
    shifts = int(manager.locator("#roster-shifts dd").inner_text())
    idle = grid.locator("tbody tr", has=manager.locator("td:nth-child(2)", has_text="—"))
    row = idle.first if idle.count() else grid.locator("tbody tr").first
    employee_no = row.get_attribute("data-staff")
    manager.select_option("#f-shift-staffEmployeeNo", employee_no)
    manager.select_option("#f-shift-on", monday.isoformat())
    if idle.count():
        manager.select_option("#f-shift-template", index=0)
    else:
        manager.select_option("#f-shift-template", "off")
    expected = shifts + 1 if idle.count() else shifts - 1
    manager.click("#shift-form button[type=submit]")
    confirm(manager)
    manager.wait_for_url("**?day=*&done=edited", timeout=120000)
    assert int(manager.locator("#roster-shifts dd").inner_text()) == expected

    # --- what if two staff are on leave on Monday and 20 % more visitors come? --------------------------------------
    manager.click("#what-if-link")
    manager.wait_for_url("**/what-if")
    manager.check("#f-absent-1")
    manager.check("#f-absent-2")
    manager.select_option("#f-absentOn", monday.isoformat())
    manager.fill("#f-arrivalsPercent", "20")
    manager.click("#what-if-form button[type=submit]")
    manager.wait_for_selector("#what-if-result", timeout=120000)
    assert "Arrivals ×1.2." in manager.locator("#what-if-result").inner_text()
    assert manager.locator("#table-what-if tbody tr").count() >= 1
    assert manager.locator("svg#chart-what-if[role=img]").count() == 1
    assert "run=1" in manager.url  # the question is in the address: it can be kept and asked again
    shot(manager, artifacts, "44-planning-what-if")
    accessible(manager)
    assert manager.errors == [], manager.errors
    manager.context.close()
