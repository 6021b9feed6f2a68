"""The manager's and administrator's pages: who sees which centre, the live hall's actions and alerts, and
administration forms that confirm, name the refused field, change nothing when refused, and record the change."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hall.db.engine import make_engine
from hall.models import WindowModel

pytestmark = pytest.mark.integration

HX = {"HX-Request": "true"}


def english(client: Any) -> None:
    client.cookies.set("hall_lang", "en")


async def test_staff_cannot_reach_the_manager_and_admin_pages(client, headers) -> None:
    for url in ("/manage", "/manage/SFX", "/manage/SFX/reports", "/manage/SFX/compare", "/admin", "/admin/centres/SFX"):
        response = await client.get(url, headers=headers("zhangmin"))
        assert response.status_code == 403, url
    refused = await client.post("/manage/SFX/windows/1/close", headers=headers("zhangmin"))
    assert refused.status_code == 403


async def test_a_township_manager_sees_only_their_centre(client, headers) -> None:
    qs = headers("qs-manager")
    home = (await client.get("/manage", headers=qs)).text
    assert 'href="/manage/SFX-QS"' in home
    assert 'href="/manage/SFX"' not in home
    assert 'href="/manage/SFX-LH"' not in home
    assert (await client.get("/manage/SFX-QS", headers=qs)).status_code == 200
    assert (await client.get("/manage/SFX-QS/reports", headers=qs)).status_code == 200
    for url in ("/manage/SFX", "/manage/SFX-LH/reports", "/manage/SFX/reports/export.xlsx", "/admin/centres/SFX"):
        assert (await client.get(url, headers=qs)).status_code == 403, url
    assert (await client.post("/manage/SFX/windows/1/close", headers=qs | HX)).status_code == 403


async def test_a_county_manager_sees_the_centres_below_side_by_side(client, headers) -> None:
    english(client)
    manager = headers("manager")
    home = (await client.get("/manage", headers=manager)).text
    for code in ("SFX", "SFX-QS", "SFX-LH"):
        assert f'href="/manage/{code}"' in home
    compare = (await client.get("/manage/SFX/compare?period=month&on=2026-11-01", headers=manager)).text
    header = re.search(r'id="table-centres".*?<thead>(.*?)</thead>', compare, re.DOTALL)
    assert header is not None
    assert header.group(1).count("<th") == 4  # the figure, then the county centre and its two townships
    assert (await client.get("/manage/SFX-LH", headers=manager)).status_code == 200
    exported = await client.get("/manage/SFX/compare/export.xlsx?period=month&on=2026-11-01", headers=manager)
    assert exported.status_code == 200


async def test_the_manager_runs_the_windows_from_the_live_page(client, headers, clock) -> None:
    english(client)
    manager = headers("manager") | HX
    opened = await client.post("/manage/SFX/windows/3/open", headers=manager, data={"staff": "SFX003"})
    assert opened.status_code == 200
    assert "Window 3 is open." in opened.text
    assert re.search(r'data-window="3" data-state="idle"', opened.text)

    busy = await client.post("/manage/SFX/windows/4/open", headers=manager, data={"staff": "SFX003"})
    assert busy.status_code == 409
    assert "This staff member is signed in at another window." in busy.text
    assert busy.headers["hx-retarget"] == "#flash"

    paused = await client.post("/manage/SFX/windows/3/pause", headers=manager, data={"reason": "Meeting"})
    assert re.search(r'data-window="3" data-state="paused"', paused.text)
    clock.advance(timedelta(minutes=31))
    live = (await client.get("/manage/SFX/live", headers=manager)).text
    assert "Window 3 has been paused for 31 minutes (limit 30): Meeting" in live

    resumed = await client.post("/manage/SFX/windows/3/resume", headers=manager)
    assert re.search(r'data-window="3" data-state="idle"', resumed.text)
    moved = await client.post("/manage/SFX/windows/3/move", headers=manager, data={"to_window": "4"})
    assert "now serves at window 4" in moved.text
    assert re.search(r'data-window="3" data-state="closed"', moved.text)
    assert re.search(r'data-window="4" data-state="idle"', moved.text)
    closed = await client.post("/manage/SFX/windows/4/close", headers=manager)
    assert re.search(r'data-window="4" data-state="closed"', closed.text)


async def test_a_long_queue_raises_an_alert_and_turns_red(client, headers) -> None:
    english(client)
    await client.post("/manage/SFX/windows/1/open", headers=headers("manager") | HX, data={"staff": "SFX001"})
    for _ in range(12):
        issued = await client.post(
            "/api/v1/centres/SFX/tickets", headers=headers("kiosk"), json={"itemCodes": ["HJ003"]}
        )
        assert issued.status_code == 201
    live = (await client.get("/manage/SFX/live", headers=headers("manager"))).text
    assert "Household registration: 12 waiting for 1 open windows — more than 10 per window." in live
    row = re.search(r'<tr data-domain="household_registration">(.*?)</tr>', live, re.DOTALL)
    assert row is not None
    assert "traffic-red" in row.group(1)
    assert '<td class="num waiting-count">12</td>' in row.group(1)


async def test_a_refused_admin_form_names_the_field_and_changes_nothing(client, headers, db) -> None:
    english(client)
    manager = headers("manager")
    refused = await client.post(
        "/admin/centres/SFX/windows",
        headers=manager,
        data={"number": "0", "type": "comprehensive_all", "status": "in_service"},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "Number: must be at least 1" in refused.text
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            count = (
                await conn.execute(select(func.count()).select_from(WindowModel).where(WindowModel.number == 0))
            ).scalar()
    finally:
        await engine.dispose()
    assert count == 0

    duplicate = await client.post(
        "/admin/centres/SFX/windows",
        headers=manager,
        data={"number": "3", "type": "comprehensive_all", "status": "in_service"},
    )
    assert duplicate.status_code == 422
    assert "Number: this centre already has a window with this number" in duplicate.text

    item = await client.post(
        "/admin/items/SB003",
        headers=headers("admin"),
        data={
            "nameZh": "失业保险金申领", "departmentCode": "HRSS", "domain": "social_security", "standardMinutes": "12",
            "statutoryLimitDays": "5", "committedLimitDays": "9", "minSkillLevel": "4", "isActive": "on",
        },
    )  # fmt: skip
    assert item.status_code == 422
    assert "Committed deadline (working days): must not be longer than the statutory deadline" in item.text

    rules = await client.post(
        "/admin/centres/SFX-QS",
        headers=manager,
        data={
            "nameZh": "青山镇",
            "promise.sharePercent": "80",
            "promise.withinMinutes": "15",
            "rules.alertPauseMinutes": "0",
        },
    )
    assert rules.status_code == 422
    assert "Alert when a window is paused longer than (min)" in rules.text


async def test_an_accepted_change_is_saved_and_in_the_history(client, headers) -> None:
    english(client)
    manager = headers("manager")
    created = await client.post(
        "/admin/centres/SFX/windows",
        headers=manager,
        follow_redirects=False,
        data={
            "number": "21",
            "type": "comprehensive_domain",
            "status": "in_service",
            "domains": ["tax"],
            "label": "税务",
        },
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/centres/SFX/windows/21?done=created"
    page = (await client.get("/admin/centres/SFX/windows/21?done=created", headers=manager)).text
    assert "Created. The change is recorded in the history." in page
    assert "manager" in re.search(r'id="history".*?</table>', page, re.DOTALL).group(0)  # type: ignore[union-attr]

    changed = await client.post(
        "/admin/centres/SFX/windows/21",
        headers=manager,
        follow_redirects=False,
        data={"type": "comprehensive_domain", "status": "out_of_service", "domains": ["tax"], "label": "税务"},
    )
    assert changed.status_code == 303
    history = (await client.get("/admin/history?entity=window&key=SFX/21", headers=manager)).text
    assert "in_service → out_of_service" in history


async def test_a_device_token_is_shown_once_and_can_be_revoked(client, headers) -> None:
    english(client)
    manager = headers("manager")
    issued = await client.post(
        "/admin/centres/SFX/devices", headers=manager, data={"kind": "kiosk", "name": "二楼取号机"}
    )
    assert issued.status_code == 201
    assert issued.headers["cache-control"] == "no-store"
    token = re.search(r'id="issued-token">(hk_[^<]+)<', issued.text).group(1)  # type: ignore[union-attr]
    listing = (await client.get("/admin/centres/SFX/devices", headers=manager)).text
    assert token not in listing
    assert f"…{token[-4:]}" in listing
    assert (
        await client.get("/api/v1/centres/SFX/board", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
    device_id = re.search(r'action="/admin/centres/SFX/devices/([0-9a-f-]+)/revoke"[^>]*二楼取号机', listing, re.DOTALL)
    assert device_id is not None
    revoked = await client.post(
        f"/admin/centres/SFX/devices/{device_id.group(1)}/revoke", headers=manager, follow_redirects=False
    )
    assert revoked.status_code == 303


async def test_only_an_administrator_changes_the_shared_calendar(client, headers) -> None:
    english(client)
    holiday = {"on": "2026-12-31", "kind": "holiday", "name": "跨年调休"}
    assert (await client.post("/admin/calendars/CN/days", headers=headers("manager"), data=holiday)).status_code == 403
    saved = await client.post(
        "/admin/calendars/CN/days", headers=headers("admin"), data=holiday, follow_redirects=False
    )
    assert saved.status_code == 303
    page = (await client.get("/admin/calendars/CN?year=2026", headers=headers("admin"))).text
    assert 'data-day="2026-12-31"' in page
    assert "跨年调休" in page

    # the app's day is 2026-11-23: next year's arrangement is due and the demo holds only 2026
    assert 'data-missing-year="2027"' in page
    assert "No public holidays or make-up working days are entered for 2027 yet." in page
    local = (await client.get("/manage/SFX/calendar/", headers=headers("manager"))).text
    assert 'data-missing-year="2027"' in local
    assert 'data-missing-year="2026"' not in local

    bad = await client.post(
        "/admin/calendars/CN/import",
        headers=headers("admin"),
        data={"year": "2027", "days": "2027-01-01 holiday 元旦\n2027-01-04 workday"},
    )
    assert bad.status_code == 422
    assert "The year&#39;s list: line 2: only a Saturday or Sunday can be a make-up working day" in bad.text
    good = await client.post(
        "/admin/calendars/CN/import",
        headers=headers("admin"),
        data={"year": "2027", "days": "2027-01-01 holiday 元旦\n2027-02-06 班 春节调休"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    entered = (await client.get("/admin/calendars/CN?year=2027", headers=headers("admin"))).text
    assert "2027-02-06" in entered
    assert "data-missing-year" not in entered
    assert "data-missing-year" not in (await client.get("/manage/SFX/calendar/", headers=headers("manager"))).text
