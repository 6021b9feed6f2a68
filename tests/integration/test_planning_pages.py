"""The manager's planning pages and the local-calendar page: rendered from the demo history, bad input named and
kept, and each centre's pages only for its managers.

The township centre 青山镇 (SFX-QS: two windows, four staff) gets four weeks of synthetic demo history, so the
simulations stay small. Text is checked in English (cookie ``hall_lang=en``).
"""

from __future__ import annotations

import asyncio
import html as html_text
import re
import threading
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pytest

from hall.db.engine import make_engine, make_session_maker
from hall.demo_history import seed_demo_history
from staffing.planning.compute import PlanningCompute

T = TypeVar("T")

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QS = "/manage/SFX-QS/planning"
MONDAY = date(2026, 11, 30)  # the week after the test clock's Monday
HX = {"HX-Request": "true"}


def english(client: Any) -> None:
    client.cookies.set("hall_lang", "en")


async def seed_history(db: Any) -> None:
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await seed_demo_history(session, 28, today=date(2026, 11, 23), centres=("SFX-QS",))
    finally:
        await engine.dispose()


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="e-{field_id}">(.*?)</p>', html)
    assert match is not None, f"no error shown for {field_id}"
    return html_text.unescape(match.group(1))


def figure(html: str, figure_id: str) -> str:
    match = re.search(rf'id="{figure_id}"><dt>[^<]+</dt><dd>([^<]*)</dd>', html)
    assert match is not None, figure_id
    return match.group(1)


def value_of(html: str, field_id: str) -> str:
    match = re.search(rf'<input id="{field_id}"[^>]*value="([^"]*)"', html)
    assert match is not None, field_id
    return match.group(1)


async def test_the_overview_shows_the_fit_with_its_range_and_the_forecast_against_what_happened(
    client, headers, db
) -> None:
    await seed_history(db)
    english(client)
    manager = headers("manager")
    before = await client.get(QS, headers=manager)
    assert before.status_code == 200
    assert 'id="no-fit"' in before.text
    assert 'id="versus"' not in before.text

    fitted = await client.post(f"{QS}/fit", headers=manager, data={"days": "28"}, follow_redirects=False)
    assert fitted.status_code == 303
    assert fitted.headers["location"] == f"{QS}?done=fitted"
    page = (await client.get(f"{QS}?done=fitted", headers=manager)).text
    assert 'id="no-fit"' not in page
    assert figure(page, "fit-range") == "2026-10-26 – 2026-11-22"
    assert "Synthetic history: 100.0 %" in page  # the demo history is marked as such
    assert 'svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-forecast-days"' in page
    assert 'id="chart-forecast-slots"' in page
    rows = re.findall(r'<tr data-day="(\d{4}-\d{2}-\d{2})"><th scope="row">[^<]*</th><td class="num">([\d.]+)</td>'
                      r'<td class="num">(\d+)</td>', page)  # fmt: skip
    assert len(rows) >= 9  # two weeks of open days up to today
    assert sum(int(actual) for _, _, actual in rows) > 100
    assert 'id="table-weekdays"' in page
    assert "Monday" in page


async def test_planning_a_day_shows_erlang_c_against_simulated_after_a_redirect(client, headers, db) -> None:
    await seed_history(db)
    english(client)
    manager = headers("manager")
    planned = await client.post(
        f"{QS}/plans",
        headers=manager,
        data={"on": MONDAY.isoformat(), "replications": "4", "arrivalsPercent": "0"},
        follow_redirects=False,
    )
    assert planned.status_code == 303, planned.text
    assert planned.headers["location"] == f"{QS}/plans/{MONDAY.isoformat()}"
    page = (await client.get(planned.headers["location"], headers=manager)).text
    sides = re.search(r'<tr data-figure="staff-hours">.*?<td class="num">([\d.]+)</td><td class="num">([\d.]+)</td>',
                      page)  # fmt: skip
    assert sides is not None
    assert float(sides.group(1)) > 0
    assert float(sides.group(2)) > 0
    assert 'data-figure="failing"' in page
    assert 'id="chart-plan-windows"' in page
    assert 'id="chart-plan-waits"' in page
    assert len(re.findall(r'<tr data-slot="\d\d:\d\d">', page)) >= 10
    overview = (await client.get(QS, headers=manager)).text
    assert f'href="{QS}/plans/{MONDAY.isoformat()}"' in overview

    # with htmx the browser is sent to the plan (post/redirect/get) instead of being redirected inside the request
    again = await client.post(
        f"{QS}/plans",
        headers=manager | HX,
        data={"on": MONDAY.isoformat(), "replications": "2", "arrivalsPercent": "20"},
    )
    assert again.status_code == 200
    assert again.headers["hx-redirect"] == f"{QS}/plans/{MONDAY.isoformat()}"
    latest = (await client.get(f"{QS}/plans/{MONDAY.isoformat()}", headers=manager)).text
    assert "Arrivals changed by 20 %." in latest


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        (
            {"on": "2026-12-06", "replications": "4", "arrivalsPercent": "0"},
            "plan-on",
            "the centre is closed on that day",
        ),
        ({"on": "2026-11-30", "replications": "1", "arrivalsPercent": "0"}, "plan-replications", "must be at least 2"),
        (
            {"on": "2026-11-30", "replications": "4", "arrivalsPercent": "lots"},
            "plan-arrivalsPercent",
            "must be a number",
        ),
        (
            {"on": "2026-11-30", "replications": "4", "arrivalsPercent": "900"},
            "plan-arrivalsPercent",
            "must be at most 400",
        ),
        ({"on": "", "replications": "4", "arrivalsPercent": "0"}, "plan-on", "must be a date"),
    ],
)
async def test_a_refused_plan_names_the_field_and_keeps_what_was_typed(
    client, headers, db, form, field, reason
) -> None:
    english(client)
    refused = await client.post(f"{QS}/plans", headers=headers("manager"), data=form)
    assert refused.status_code == 422
    assert reason in field_error(refused.text, f"f-{field}")
    assert f'id="f-{field}"' in refused.text
    assert re.search(rf'<input id="f-{field}"[^>]*aria-invalid="true"', refused.text)
    assert value_of(refused.text, "f-plan-replications") == form["replications"]
    assert value_of(refused.text, "f-plan-arrivalsPercent") == form["arrivalsPercent"]
    assert (await client.get(f"{QS}/plans/{form['on'] or '2026-11-30'}", headers=headers("manager"))).status_code == 404


async def test_a_roster_is_built_shown_as_a_grid_edited_and_asked_what_if(client, headers, db) -> None:
    await seed_history(db)
    english(client)
    manager = headers("manager")
    refused = await client.post(f"{QS}/rosters", headers=manager, data={"weekStart": "2026-12-01", "replications": "2"})
    assert refused.status_code == 422
    assert "must be a Monday" in field_error(refused.text, "f-roster-weekStart")
    assert value_of(refused.text, "f-roster-weekStart") == "2026-12-01"

    built = await client.post(
        f"{QS}/rosters",
        headers=manager,
        data={"weekStart": MONDAY.isoformat(), "replications": "2"},
        follow_redirects=False,
    )
    assert built.status_code == 303, built.text
    url = f"{QS}/rosters/{MONDAY.isoformat()}"
    assert built.headers["location"] == f"{url}?done=built"
    page = (await client.get(url, headers=manager)).text
    grid = re.search(r'<table class="data-table roster-grid" id="roster-grid">(.*?)</table>', page, re.DOTALL)
    assert grid is not None
    staff_rows = re.findall(r'<tr data-staff="([^"]+)">', grid.group(1))
    assert len(staff_rows) == 4  # every active staff member of 青山镇, on shift or not
    assert re.search(r'<td class="seat">W[12]</td>', grid.group(1))
    assert re.search(r'<tr data-group="G1">', grid.group(1))  # skill coverage, staffed / required per slot
    assert re.search(r'<td class="coverage(?: short)?">\d/\d', grid.group(1))
    assert 'id="chart-roster-coverage"' in page
    assert 'id="chart-roster-waits"' in page
    assert f'href="/api/v1/centres/SFX-QS/planning/rosters/{MONDAY.isoformat()}/roster.csv"' in page
    assert f'href="/api/v1/centres/SFX-QS/planning/rosters/{MONDAY.isoformat()}/roster.ics"' in page
    shifts_before = int(figure(page, "roster-shifts"))

    # give a rostered staff member Monday off
    worker = re.search(r'<tr data-staff="([^"]+)">\s*<th scope="row">[^\n]*</th>\s*<td>(?!—)', grid.group(1))
    assert worker is not None
    edited = await client.post(
        f"{url}/shifts",
        headers=manager,
        data={"staffEmployeeNo": worker.group(1), "on": MONDAY.isoformat(), "template": "off"},
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    after = (await client.get(url, headers=manager)).text
    assert int(figure(after, "roster-shifts")) == shifts_before - 1
    bad_shift = await client.post(
        f"{url}/shifts",
        headers=manager,
        data={"staffEmployeeNo": worker.group(1), "on": MONDAY.isoformat(), "template": "night"},
    )
    assert bad_shift.status_code == 422
    assert "is not one of the roster's shifts" in field_error(bad_shift.text, "f-shift-template")

    # what if two staff are on leave on Monday and 20 % more visitors come?
    two = sorted(set(staff_rows))[:2]
    query = f"run=1&absent={two[0]}&absent={two[1]}&absentOn={MONDAY.isoformat()}&arrivalsPercent=20"
    answer = await client.get(f"{url}/what-if?{query}", headers=manager)
    assert answer.status_code == 200, answer.text
    assert 'id="what-if-result"' in answer.text
    assert f"On leave: {two[0]}, {two[1]}." in answer.text
    assert "Arrivals ×1.2." in answer.text
    assert 'id="chart-what-if"' in answer.text
    assert len(re.findall(r'<tr data-day="2026-1[12]-\d\d"><th scope="row">', answer.text)) == 5
    assert re.search(rf'<input type="checkbox" id="f-absent-\d" name="absent" value="{two[0]}" checked>', answer.text)
    unchanged = (await client.get(url, headers=manager)).text  # nothing of a what-if is stored
    assert int(figure(unchanged, "roster-shifts")) == shifts_before - 1
    bad = await client.get(f"{url}/what-if?run=1&absent={two[0]}&arrivalsPercent=0", headers=manager)
    assert bad.status_code == 422
    assert "is required" in field_error(bad.text, "f-absentOn")
    assert re.search(rf'name="absent" value="{two[0]}" checked', bad.text)


async def test_planning_pages_are_for_the_centres_own_managers(client, headers) -> None:
    township = headers("qs-manager")
    assert (await client.get("/manage/SFX/planning", headers=township)).status_code == 403
    assert (
        await client.post("/manage/SFX/planning/plans", headers=township, data={"on": "2026-11-30"})
    ).status_code == 403
    assert (await client.get("/manage/SFX/calendar", headers=township)).status_code == 403
    assert (await client.get("/manage/SFX-QS/planning", headers=township)).status_code == 200
    assert (await client.get("/manage/SFX-QS/calendar", headers=township)).status_code == 200
    for url in ("/manage/SFX-QS/planning", "/manage/SFX-QS/calendar"):
        assert (await client.get(url, headers=headers("zhangmin"))).status_code == 403
    assert (await client.get("/manage/SFX-QS/planning", headers=headers("manager"))).status_code == 200
    nav = (await client.get("/manage/SFX-QS/planning", headers=township)).text
    assert 'href="/manage/SFX-QS/calendar"' in nav


async def test_a_manager_adds_and_removes_a_local_holiday_that_applies_below(client, headers) -> None:
    english(client)
    manager = headers("manager")
    added = await client.post(
        "/manage/SFX/calendar/days",
        headers=manager,
        data={"on": "2026-12-15", "kind": "holiday", "name": "县庆"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert added.headers["location"] == "/manage/SFX/calendar?month=2026-12&done=saved"
    month = (await client.get(added.headers["location"], headers=manager)).text
    cell = re.search(r'<td class="holiday local" data-day="2026-12-15" data-working="no">(.*?)</td>', month, re.DOTALL)
    assert cell is not None
    assert "县庆" in cell.group(1)
    assert re.search(r'<td class="work" data-day="2026-12-14" data-working="yes">', month)
    assert re.search(r'<td class="off" data-day="2026-12-13" data-working="no">', month)
    assert '<tr data-day="2026-12-15">' in month
    assert "SFX:2026-12-15" in month  # the change history
    township = (await client.get("/manage/SFX-QS/calendar?month=2026-12", headers=headers("qs-manager"))).text
    assert re.search(r'id="above-days".*2026-12-15.*SFX', township, re.DOTALL)
    assert re.search(r'<td class="holiday local" data-day="2026-12-15" data-working="no">', township)
    api = await client.get("/api/v1/centres/SFX-QS/calendar?year=2026", headers=headers("qs-manager"))
    assert {"on": "2026-12-15", "kind": "holiday", "name": "县庆", "source": "SFX"} in api.json()["days"]

    removed = await client.post("/manage/SFX/calendar/days/2026-12-15/delete", headers=manager, follow_redirects=False)
    assert removed.status_code == 303
    after = (await client.get("/manage/SFX/calendar?month=2026-12", headers=manager)).text
    assert re.search(r'<td class="work" data-day="2026-12-15" data-working="yes">', after)


async def test_a_refused_local_day_names_the_field_and_saves_nothing(client, headers) -> None:
    english(client)
    manager = headers("manager")
    refused = await client.post(
        "/manage/SFX/calendar/days", headers=manager, data={"on": "2026-12-16", "kind": "workday", "name": "补班"}
    )
    assert refused.status_code == 422
    assert "only a Saturday or Sunday can be a make-up working day" in field_error(refused.text, "f-kind")
    assert value_of(refused.text, "f-on") == "2026-12-16"
    assert value_of(refused.text, "f-name") == "补班"
    assert 'id="month-shown">2026-12<' in refused.text
    not_local = await client.post("/manage/SFX/calendar/days/2026-10-01/delete", headers=manager)
    assert not_local.status_code == 422
    assert "Date: 2026-10-01 is not a local day of this centre" in html_text.unescape(not_local.text)
    api = await client.get("/api/v1/centres/SFX/calendar?year=2026", headers=manager)
    assert all(d["source"] == "national" for d in api.json()["days"])


@pytest.mark.parametrize(
    ("on", "reason"),
    [("0001-01-01", "expected a date from 2000-01-01 to 2100-12-31"), ("9999-12-31", "from 2000-01-01")],
)
async def test_a_local_day_outside_the_calendar_years_is_refused_naming_the_date(client, headers, on, reason) -> None:
    english(client)
    manager = headers("manager")
    refused = await client.post(
        "/manage/SFX/calendar/days", headers=manager, data={"on": on, "kind": "holiday", "name": "x"}
    )
    assert refused.status_code == 422
    assert reason in field_error(refused.text, "f-on")
    assert value_of(refused.text, "f-on") == on
    api = await client.get(f"/api/v1/centres/SFX/calendar?year={on[:4]}", headers=manager)
    assert not [d for d in api.json().get("days", []) if d["source"] == "SFX"]


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "2026-00"])
async def test_a_bad_month_is_refused_and_the_current_month_shown(client, headers, month) -> None:
    english(client)
    shown = await client.get(f"/manage/SFX/calendar?month={month}", headers=headers("manager"))
    assert shown.status_code == 422
    assert "Month: expected a month YYYY-MM from 2000-01 to 2100-12" in html_text.unescape(shown.text)
    assert 'id="month-shown">2026-11<' in shown.text


async def test_a_centres_calendar_history_lists_only_its_own_days_by_name(client, headers) -> None:
    english(client)
    manager = headers("manager")
    for code, on in (("SFX", "2026-12-15"), ("SFX-QS", "2026-12-16")):
        added = await client.post(
            f"/manage/{code}/calendar/days",
            headers=manager,
            data={"on": on, "kind": "holiday", "name": "县庆"},
            follow_redirects=False,
        )
        assert added.status_code == 303
    township = (await client.get("/manage/SFX-QS/calendar?month=2026-12", headers=manager)).text
    history = re.search(r'<table class="data-table history" id="history">(.*?)</table>', township, re.DOTALL)
    assert history is not None
    assert "SFX-QS:2026-12-16" in history.group(1)
    assert "SFX:2026-12-15" not in history.group(1)  # the county's own day is the county's history
    assert "Local calendar day" in history.group(1)
    assert "centre_calendar_day" not in history.group(1)
    assert "None" not in history.group(1)
    assert re.search(r"<code>kind</code>:\s*holiday\s*</li>", history.group(1))
    county = (await client.get("/manage/SFX/calendar?month=2026-12", headers=manager)).text
    assert "SFX:2026-12-15" in county
    assert "SFX-QS:2026-12-16" not in county


def in_thread(client: Any, method: str, url: str, **kwargs: Any) -> asyncio.Task[Any]:
    """Send a request from another thread: the test client blocks its caller's loop until the answer comes."""
    return asyncio.create_task(asyncio.to_thread(lambda: asyncio.run(client.request(method, url, **kwargs))))


class HeldCompute(PlanningCompute):
    """Serial compute whose long runs wait until the test lets them go (a twin run that takes as long as needed)."""

    def __init__(self) -> None:
        super().__init__(workers=0)
        self.started = threading.Event()
        self.release = threading.Event()

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.started.set()
        await asyncio.to_thread(self.release.wait, 60)
        return await super().run(work, *args, **kwargs)


async def test_a_local_day_is_saved_while_a_plan_is_computing(app, client, headers, db) -> None:
    """H1: the plan page holds no transaction while the twin runs: a calendar change is saved meanwhile."""
    await seed_history(db)
    english(client)
    held = HeldCompute()
    app.state["planning_compute"] = held
    manager = headers("manager")
    planning = in_thread(
        client,
        "POST",
        f"{QS}/plans",
        headers=manager,
        data={"on": MONDAY.isoformat(), "replications": "2", "arrivalsPercent": "0"},
        follow_redirects=False,
    )
    try:
        assert await asyncio.to_thread(held.started.wait, 60)
        added = await asyncio.wait_for(
            in_thread(
                client,
                "POST",
                "/manage/SFX/calendar/days",
                headers=manager,
                data={"on": "2026-12-15", "kind": "holiday", "name": "县庆"},
                follow_redirects=False,
            ),
            30,
        )
        assert added.status_code == 303, added.text
        assert not planning.done()
    finally:
        held.release.set()
    planned = await asyncio.wait_for(planning, 120)
    assert planned.status_code == 303, planned.text
    assert planned.headers["location"] == f"{QS}/plans/{MONDAY.isoformat()}"


async def test_bad_plan_figures_and_years_without_a_calendar_are_refused(client, headers, db) -> None:
    await seed_history(db)
    english(client)
    manager = headers("manager")
    cases = [
        ({"on": MONDAY.isoformat(), "arrivalsPercent": "-100"}, "f-plan-arrivalsPercent", "must be at least -90"),
        ({"on": MONDAY.isoformat(), "arrivalsPercent": "nan"}, "f-plan-arrivalsPercent", "must be a number"),
        ({"on": MONDAY.isoformat(), "arrivalsPercent": "inf"}, "f-plan-arrivalsPercent", "must be a number"),
        ({"on": "2020-01-06", "arrivalsPercent": "0"}, "f-plan-on", "the working-day calendar of that year is not"),
    ]
    for form, field, reason in cases:
        refused = await client.post(f"{QS}/plans", headers=manager, data={**form, "replications": "2"})
        assert refused.status_code == 422, (form, refused.status_code)
        assert reason in field_error(refused.text, field), form
    assert (await client.get(f"{QS}/plans/{MONDAY.isoformat()}", headers=manager)).status_code == 404
    old_week = await client.post(
        f"{QS}/rosters", headers=manager, data={"weekStart": "2020-01-06", "replications": "2"}
    )
    assert old_week.status_code == 422
    assert "the working-day calendar of that year is not" in field_error(old_week.text, "f-roster-weekStart")


async def test_plans_and_rosters_name_shifts_and_groups_in_the_readers_language(client, headers, db) -> None:
    await seed_history(db)
    english(client)
    manager = headers("manager")
    planned = await client.post(
        f"{QS}/plans", headers=manager, data={"on": MONDAY.isoformat(), "replications": "2", "arrivalsPercent": "0"}
    )
    assert planned.status_code in {200, 303}
    plan = (await client.get(f"{QS}/plans/{MONDAY.isoformat()}", headers=manager)).text
    groups = re.search(r'<table class="data-table" id="table-groups">(.*?)</table>', plan, re.DOTALL)
    assert groups is not None
    assert "G1 · All-service comprehensive window" in groups.group(1)
    assert "comprehensive_all" not in plan
    # M7: no roster for that week yet, so no link to one; a week without a roster says so
    assert 'id="no-week-roster"' in plan
    assert f'href="{QS}/rosters/{MONDAY.isoformat()}"' not in plan
    missing = await client.get(f"{QS}/rosters/2020-01-06", headers=manager)
    assert missing.status_code == 404
    assert "no roster for this week yet" in missing.text

    built = await client.post(
        f"{QS}/rosters", headers=manager, data={"weekStart": MONDAY.isoformat(), "replications": "2"}
    )
    assert built.status_code in {200, 303}, built.text
    url = f"{QS}/rosters/{MONDAY.isoformat()}"
    assert 'id="week-roster"' in (await client.get(f"{QS}/plans/{MONDAY.isoformat()}", headers=manager)).text
    page = (await client.get(url, headers=manager)).text
    grid = re.search(r'<table class="data-table roster-grid" id="roster-grid">(.*?)</table>', page, re.DOTALL)
    assert grid is not None
    shifts = re.findall(r'<tr data-staff="[^"]+">\s*<th scope="row">[^\n]*</th>\s*<td>([^<]*)</td>', grid.group(1))
    assert shifts
    names = {"Full-day shift", "Morning shift", "Afternoon shift", "Split shift (both ends of the day)", "—"}
    assert set(shifts) <= names
    assert "All-service comprehensive window" in grid.group(1)
    assert re.search(r'<option value="full"[^>]*>Full-day shift</option>', page)
    assert "full day" not in page
    assert "全天班" not in page

    # L2: an unknown staff number is refused, not "edited"; a change to nothing is not simulated again
    unknown = await client.post(
        f"{url}/shifts",
        headers=manager,
        data={"staffEmployeeNo": "NOBODY", "on": MONDAY.isoformat(), "template": "off"},
    )
    assert unknown.status_code == 422
    assert "no active staff member of this centre" in field_error(unknown.text, "f-shift-staffEmployeeNo")
    rostered = {
        (x["staffEmployeeNo"], x["on"])
        for x in (
            await client.get(f"/api/v1/centres/SFX-QS/planning/rosters/{MONDAY.isoformat()}", headers=manager)
        ).json()["shifts"]
    }
    idle = next(
        no for no in ("QS001", "QS002", "QS003", "QS004") if (no, "2026-12-05") not in rostered
    )  # Saturday: nobody works
    same = await client.post(
        f"{url}/shifts",
        headers=manager,
        data={"staffEmployeeNo": idle, "on": "2026-12-05", "template": "off"},
        follow_redirects=False,
    )
    assert same.status_code == 303
    assert same.headers["location"].endswith("done=unchanged")

    # M4: a day of leave outside the roster's days is refused, naming the day
    outside = await client.get(f"{url}/what-if?run=1&absent=QS001&absentOn=2026-12-30", headers=manager)
    assert outside.status_code == 422
    assert "is not one of the roster's days" in field_error(outside.text, "f-absentOn")

    ics = await client.get(f"/api/v1/centres/SFX-QS/planning/rosters/{MONDAY.isoformat()}/roster.ics", headers=manager)
    unfolded = ics.text.replace("\r\n ", "")
    summaries = re.findall(r"SUMMARY:(.*)\r\n", unfolded)
    assert summaries
    assert all(re.search(r" · (全天班|上午班|下午班|两头班) · ", x) for x in summaries), summaries[:3]
    assert "windows" not in unfolded
    assert " full " not in unfolded
