"""The demo county centre's last full month assessed and paid from the browser, then read by a staff member.

The demo month is filled as the README says (``python -m staffing.demo --month …`` on the server's database: ratings,
差评 cases, manager entries, a pay rule). The demo manager computes and approves the month's grades, prepares,
reviews, approves and locks the pay, and downloads 张敏's slip (its CJK font embedded, checked with ``pdffonts``);
张敏 then signs in and reads her grade component by component and her pay record. Every page is screenshotted into
``test-artifacts/browser/`` and checked for accessibility on the way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Hall-demo-2026"


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)


def new_page(browser: Any, hall: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
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


def confirm(page: Any) -> None:
    """Answer the confirmation dialog every change asks."""
    page.wait_for_selector("#confirm-dialog[open]")
    page.click("#confirm-yes")


def last_full_month() -> str:
    today = datetime.now(ZONE).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def seed_demo_month(hall: Any, month: str) -> None:
    """Fill the month at the demo centre on the server's own database, as the README tells a demo user to."""
    directory = Path(hall.database_url.split("///", 1)[1]).parent
    env = {
        **os.environ,
        "HALL_DATABASE_URL": hall.database_url,
        "HALL_VAR_DIR": str(directory),
        "HALL_SECRET_KEY": "b" * 32,
        "HALL_RUN_SCHEDULER": "false",
    }
    subprocess.run(
        [sys.executable, "-m", "staffing.demo", "--month", month], cwd=ROOT, env=env, check=True, capture_output=True
    )


def submit(page: Any, form: str) -> None:
    """Press a form's button, answer the confirmation, wait for the page the change leads to."""
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
        confirm(page)
    page.wait_for_load_state()


def test_a_manager_assesses_and_pays_the_month_and_staff_read_their_grade(
    browser: Any, hall_server: Any, artifacts: Path, accessible: Any
) -> None:
    hall = hall_server
    month = last_full_month()
    seed_demo_month(hall, month)

    manager = new_page(browser, hall)
    sign_in(manager, f"/manage/SFX/assessment?month={month}", "manager", DEMO_PASSWORD)
    manager.wait_for_selector("#compute-form")
    assert manager.locator("#month-shown").inner_text() == month

    # --- compute the drafts: the table, the distribution against the quota, flags, 差评 deadlines ----------------
    submit(manager, "#compute-form")
    manager.wait_for_selector("#month-status[data-status=draft]")
    assert manager.locator("#assessment-table tbody tr").count() > 10
    assert manager.locator("#chart-distribution").count() == 1
    assert manager.locator('#assessment-table tr[data-staff="SFX003"]').count() == 1
    assert manager.locator("#month-cases tbody tr[data-case]").count() > 0  # the month's 差评 with deadlines
    shot(manager, artifacts, "60-assessment-draft")
    accessible(manager)

    # --- approve (with the unsettled 差评, if the demo left any) --------------------------------------------------
    if manager.locator("#pending-warning").count():
        manager.check("#approve-with-pending")
    manager.fill("#approve-note", "月度考核审定")
    submit(manager, "#approve-form")
    manager.wait_for_selector("#month-status[data-status=approved]")
    assert manager.locator("#approve-form").count() == 0
    shot(manager, artifacts, "61-assessment-approved")

    # --- one staff member's month, as the manager sees it ------------------------------------------------------------
    manager.click('#assessment-table tr[data-staff="SFX003"] th a')
    manager.wait_for_selector("#component-workload")
    shot(manager, artifacts, "62-assessment-staff-month")
    accessible(manager)

    # --- the 差评 cases of the month ---------------------------------------------------------------------------------
    manager.goto(f"/manage/SFX/negative-cases?month={month}&status=closed")
    manager.wait_for_selector("#cases")
    assert manager.locator("#cases tbody tr[data-case]").count() > 0
    shot(manager, artifacts, "63-negative-cases")
    accessible(manager)
    manager.click("#cases tbody tr[data-case] th a >> nth=0")
    manager.wait_for_selector("#case-status")
    assert manager.locator("#case-history tbody tr").count() >= 2  # opened, then its steps with their reasons
    shot(manager, artifacts, "63-negative-case")
    accessible(manager)

    # --- pay: prepare, review, approve, lock -----------------------------------------------------------------------
    manager.goto(f"/manage/SFX/pay?month={month}")
    manager.wait_for_selector("#prepare-form")
    submit(manager, "#prepare-form")
    manager.wait_for_selector("#pay-records")
    drafts = int(manager.locator('[data-count="draft"]').inner_text())
    assert drafts > 10

    # --- review: an adjustment with its reason on 张敏's draft, then back to the month ---------------------------
    manager.click('#pay-records tr:has-text("SFX003") th a')
    manager.wait_for_selector("#adjustment-form")
    net_before = manager.locator('[data-total="net"]').inner_text()
    manager.fill("#f-adj-amount", "50.00")
    manager.fill("#f-adj-reason", "周六延时服务补贴")
    submit(manager, "#adjustment-form")
    manager.wait_for_selector("#done")
    assert manager.locator('table[id^="adjustments-"] td:has-text("周六延时服务补贴")').count() == 1
    assert manager.locator('[data-total="net"]').inner_text() != net_before
    shot(manager, artifacts, "64-pay-record-draft")
    accessible(manager)
    manager.goto(f"/manage/SFX/pay?month={month}")
    for step in ("review", "approve", "lock"):
        submit(manager, f"#{step}-form")
        manager.wait_for_selector("#done, #problem")
        assert manager.locator("#problem").count() == 0, manager.locator("#problem").inner_text()
    assert int(manager.locator('[data-count="locked"]').inner_text()) == drafts
    assert manager.locator("#prepare-form").count() == 0
    shot(manager, artifacts, "65-pay-locked")
    accessible(manager)

    # --- 张敏's record: read-only, and her slip as PDF with the Chinese font embedded -------------------------------
    manager.click('#pay-records tr:has-text("SFX003") th a')
    manager.wait_for_selector("#read-only-notice")
    assert manager.locator("#adjustment-form").count() == 0
    assert manager.locator("#correction-form").count() == 1
    shot(manager, artifacts, "66-pay-record-locked")
    accessible(manager)
    with manager.expect_download() as download_info:
        manager.click("#slip-pdf")
    slip = Path(download_info.value.path())
    assert slip.read_bytes().startswith(b"%PDF")
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(slip)], capture_output=True, text=True, check=True).stdout
        assert "Hall-Sans-SC" in fonts, fonts
        assert "CID" in fonts, fonts
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded
    shutil.copy(slip, artifacts / "67-pay-slip-SFX003.pdf")
    assert manager.errors == []

    # --- 张敏 reads her grade and her pay -------------------------------------------------------------------
    staff = new_page(browser, hall)
    sign_in(staff, "/me/grades", "zhangmin", DEMO_PASSWORD)
    staff.wait_for_selector(f'#my-months tr[data-month="{month}"]')
    assert staff.locator("#my-pay tbody tr").count() == 1
    assert staff.locator("#promotion").count() == 1
    shot(staff, artifacts, "70-my-grades")
    accessible(staff)

    staff.click(f'#my-months tr[data-month="{month}"] th a')
    staff.wait_for_selector("#score-lines")
    for component in ("workload", "efficiency", "satisfaction", "quality", "discipline"):
        card = staff.locator(f"#component-{component}")
        assert card.count() == 1, component
        assert "%" in card.locator(".component-figures").inner_text()  # its weight
    assert staff.locator("[data-pay-lines]").count() == 1
    assert staff.locator("#draft-notice").count() == 0
    shot(staff, artifacts, "71-my-grade-month")
    accessible(staff)

    staff.goto(f"/me/grades/{month}/records/discipline")
    staff.wait_for_selector("#component-lines")
    shot(staff, artifacts, "72-my-grade-records")
    accessible(staff)
    assert staff.errors == []
