"""Planning through the API: fit the history, forecast, plan a day, roster a week, edit it, ask what-ifs, export.

The township centre 青山镇 (SFX-QS: two windows, four staff) gets four weeks of synthetic history first, so the
simulations are small; the county centre is used where its size matters (the live prediction).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from hall.db.engine import make_engine, make_session_maker
from hall.demo_history import seed_demo_history
from staffing.planning.compute import PlanningCompute

T = TypeVar("T")

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QS = "/api/v1/centres/SFX-QS/planning"
SFX = "/api/v1/centres/SFX/planning"
MONDAY = date(2026, 11, 30)  # the week after the test clock's Monday


async def seed_history(db: Any, *, days: int = 28, centres: tuple[str, ...] = ("SFX-QS",)) -> None:
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await seed_demo_history(session, days, today=date(2026, 11, 23), centres=centres)
    finally:
        await engine.dispose()


async def test_a_refit_stores_parameters_with_their_data_range_and_shows_them(client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    fitted = await client.post(f"{QS}/fits", headers=manager, json={"days": 28})
    assert fitted.status_code == 201, fitted.text
    body = fitted.json()
    assert body["dataFrom"] == "2026-10-26"
    assert body["dataTo"] == "2026-11-22"
    assert body["openDays"] == 20
    assert body["tickets"] > 500
    assert body["syntheticShare"] == 1.0
    assert body["arrivalRates"]["0"]["09:00"]["social_security"] > 0
    sb001 = body["service"]["SB001"]["L4"]
    assert sb001["observations"] > 20
    assert 5 < sb001["meanMinutes"] < 12
    latest = await client.get(f"{QS}/fit", headers=manager)
    assert latest.json()["id"] == body["id"]
    assert [f["id"] for f in (await client.get(f"{QS}/fits", headers=manager)).json()] == [body["id"]]


async def test_a_week_is_forecast_once_per_fit_and_compared_with_what_happened(client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    await client.post(f"{QS}/fits", headers=manager, json={"days": 28})
    first = await client.post(f"{QS}/forecasts", headers=manager, json={})
    assert first.status_code == 200, first.text
    week = first.json()
    assert week["weekStart"] == MONDAY.isoformat()
    assert [d["on"] for d in week["days"]] == [(MONDAY + timedelta(days=i)).isoformat() for i in range(5)]
    monday = week["days"][0]
    assert monday["slots"][0] == "08:30"
    assert len(monday["expectedVisitors"]) == len(monday["slots"])
    assert monday["expectedTotal"] > 20
    again = await client.post(f"{QS}/forecasts", headers=manager, json={"weekStart": MONDAY.isoformat()})
    assert again.json()["id"] == week["id"]
    assert len((await client.get(f"{QS}/forecasts", headers=manager)).json()) == 1
    compared = await client.get(f"{QS}/forecast-vs-actual?from=2026-11-16&to=2026-11-20", headers=manager)
    assert compared.status_code == 200, compared.text
    result = compared.json()
    assert len(result["days"]) == 5
    assert result["actualTotal"] > 0
    assert result["forecastTotal"] > 0
    assert abs(result["forecastTotal"] - result["actualTotal"]) / result["actualTotal"] < 0.5
    assert result["meanAbsoluteErrorPerSlot"] is not None


async def test_a_forecast_week_must_start_on_a_monday(client, headers, db) -> None:
    response = await client.post(f"{QS}/forecasts", headers=headers("manager"), json={"weekStart": "2026-12-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "weekStart"


async def test_a_plan_shows_both_plans_side_by_side_and_is_kept(client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    planned = await client.post(f"{QS}/plans", headers=manager, json={"on": MONDAY.isoformat(), "replications": 6})
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    assert plan["openSlots"][0] == "08:30"
    assert {g["key"] for g in plan["groups"]} == {"G1"}
    assert plan["erlang"]["staffHours"] > 0
    assert plan["simulated"]["staffHours"] > 0
    row = plan["comparison"][0]
    assert {"erlangWindows", "simulatedWindows", "erlang", "simulated"} <= set(row)
    assert 0 <= row["simulatedWindows"] <= 2
    kept = await client.get(f"{QS}/plans/{MONDAY.isoformat()}", headers=manager)
    assert kept.json()["id"] == plan["id"]
    listed = (await client.get(f"{QS}/plans", headers=manager)).json()
    assert [p["id"] for p in listed] == [plan["id"]]


async def test_planning_a_closed_day_is_refused_naming_the_day(client, headers, db) -> None:
    response = await client.post(f"{QS}/plans", headers=headers("manager"), json={"on": "2026-12-06"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on"


async def test_bad_plan_input_is_refused_naming_the_field(client, headers, db) -> None:
    response = await client.post(
        f"{QS}/plans", headers=headers("manager"), json={"on": "2026-11-30", "replications": 1}
    )
    assert response.status_code == 400
    assert "replications" in response.json()["errors"][0]["field"]


async def test_a_manager_of_another_centre_may_not_plan_here(client, headers, db) -> None:
    response = await client.get(f"{SFX}/fits", headers=headers("qs-manager"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "centreCode"


async def test_a_roster_covers_the_week_is_simulated_edited_and_exported(client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    built = await client.post(
        f"{QS}/rosters",
        headers=manager,
        json={
            "weekStart": MONDAY.isoformat(),
            "replications": 4,
            "repairRounds": 1,
            "absences": [{"staffEmployeeNo": "QS002", "on": MONDAY.isoformat()}],
        },
    )
    assert built.status_code == 201, built.text
    roster = built.json()
    assert roster["solver"]["status"] == "optimal"
    assert len(roster["days"]) == 5
    assert {t["name"] for t in roster["templates"]} == {"full", "morning", "afternoon", "split"}
    assert not [x for x in roster["shifts"] if x["staffEmployeeNo"] == "QS002" and x["on"] == MONDAY.isoformat()]
    worked: dict[str, float] = {}
    for shift in roster["shifts"]:
        worked[shift["staffEmployeeNo"]] = worked.get(shift["staffEmployeeNo"], 0.0) + shift["hours"]
    assert max(worked.values()) <= 40.0
    assert roster["days"][0]["evaluation"]["slots"]

    monday_shifts = [x for x in roster["shifts"] if x["on"] == MONDAY.isoformat()]
    edit = [
        {"staffEmployeeNo": x["staffEmployeeNo"], "on": x["on"], "template": x["template"]} for x in roster["shifts"]
    ]
    edit = [
        e
        for e in edit
        if not (e["on"] == MONDAY.isoformat() and e["staffEmployeeNo"] == monday_shifts[0]["staffEmployeeNo"])
    ]
    edited = await client.put(
        f"{QS}/rosters/{MONDAY.isoformat()}/shifts", headers=manager, json={"shifts": edit, "replications": 4}
    )
    assert edited.status_code == 200, edited.text
    assert len(edited.json()["shifts"]) == len(roster["shifts"]) - 1

    what_if = await client.post(
        f"{QS}/rosters/{MONDAY.isoformat()}/what-if",
        headers=manager,
        json={
            "arrivalsFactor": 1.2,
            "replications": 4,
            "absences": [{"staffEmployeeNo": "QS001", "on": MONDAY.isoformat()}],
        },
    )
    assert what_if.status_code == 200, what_if.text
    answer = what_if.json()
    assert answer["arrivalsFactor"] == 1.2
    assert not [x for x in answer["shifts"] if x["staffEmployeeNo"] == "QS001" and x["on"] == MONDAY.isoformat()]

    csv = await client.get(f"{QS}/rosters/{MONDAY.isoformat()}/roster.csv", headers=manager)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("date,employee_no,name,shift")
    assert len(lines) == len(edited.json()["shifts"]) + 1
    ics = await client.get(f"{QS}/rosters/{MONDAY.isoformat()}/roster.ics", headers=manager)
    assert ics.status_code == 200
    assert ics.text.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.text.count("BEGIN:VEVENT") >= len(edited.json()["shifts"])
    assert all(len(line.encode()) <= 75 for line in ics.text.split("\r\n"))


async def test_a_roster_edit_naming_an_unknown_template_is_refused(client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    built = await client.post(
        f"{QS}/rosters", headers=manager, json={"weekStart": MONDAY.isoformat(), "replications": 2, "repairRounds": 0}
    )
    assert built.status_code == 201, built.text
    response = await client.put(
        f"{QS}/rosters/{MONDAY.isoformat()}/shifts",
        headers=manager,
        json={"shifts": [{"staffEmployeeNo": "QS001", "on": MONDAY.isoformat(), "template": "night"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shifts[0].template"


async def test_predicted_waits_give_each_waiting_ticket_a_p50_and_p90_call_time(client, headers, clock, db) -> None:
    manager, kiosk = headers("manager"), headers("kiosk")
    for number, staff in ((1, "SFX003"), (2, "SFX004")):
        opened = await client.post(
            f"/api/v1/centres/SFX/windows/{number}/session", headers=manager, json={"staffEmployeeNo": staff}
        )
        assert opened.status_code == 201, opened.text
    numbers = []
    for i in range(8):
        issued = await client.post("/api/v1/centres/SFX/tickets", headers=kiosk, json={"itemCodes": ["SB001"]})
        numbers.append(issued.json()["number"])
        clock.advance(timedelta(seconds=30 + i))
    called = await client.post("/api/v1/centres/SFX/windows/1/call-next", headers=manager)
    assert called.status_code == 200
    response = await client.get(f"{SFX}/predicted-waits", headers=headers("display"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["openWindows"] == 2
    assert [t["number"] for t in body["tickets"]] == numbers[1:]
    p50 = [t["p50Minutes"] for t in body["tickets"]]
    assert all(x is not None for x in p50)
    assert p50 == sorted(p50)
    assert all(t["p90Minutes"] >= t["p50Minutes"] for t in body["tickets"])
    assert body["tickets"][-1]["naiveAt"] is not None


def in_thread(client: Any, method: str, url: str, **kwargs: Any) -> asyncio.Task[Any]:
    """Send a request from another thread: the test client blocks its caller's loop until the answer comes."""
    return asyncio.create_task(asyncio.to_thread(lambda: asyncio.run(client.request(method, url, **kwargs))))


class HeldCompute(PlanningCompute):
    """Serial compute whose long runs wait until the test lets them go (a twin run that takes as long as needed)."""

    def __init__(self) -> None:
        super().__init__(workers=0)
        self.started = threading.Event()  # the app may run on the test client's own thread and loop
        self.release = threading.Event()
        self.runs = 0

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.runs += 1
        self.started.set()
        await asyncio.to_thread(self.release.wait, 60)
        return await super().run(work, *args, **kwargs)


async def open_transactions(db: Any) -> int | None:
    """On PostgreSQL, the connections of this database idle inside a transaction (``None`` on SQLite)."""
    if not db.url.startswith("postgresql"):
        return None
    engine = make_engine(db.url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def test_a_roster_build_holds_no_transaction_while_the_twin_runs(app, client, headers, db) -> None:
    """H1: while a build's twin runs, nothing holds the write lock: a sign-in (a write) finishes at once."""
    await seed_history(db)
    held = HeldCompute()
    app.state["planning_compute"] = held
    manager = headers("manager")
    build = in_thread(
        client,
        "POST",
        f"{QS}/rosters",
        headers=manager,
        json={"weekStart": MONDAY.isoformat(), "replications": 2, "repairRounds": 0},
    )
    try:
        assert await asyncio.to_thread(held.started.wait, 60)
        assert not build.done()
        signed_in = await asyncio.wait_for(
            in_thread(
                client, "POST", "/api/v1/auth/tokens", json={"username": "manager", "password": "Hall-demo-2026"}
            ),
            30,  # generous for a loaded CI machine; a held write lock would block until the release below
        )
        assert signed_in.status_code == 201, signed_in.text
        assert await open_transactions(db) in {None, 0}
        assert not build.done()  # the build was still computing while the sign-in was saved
    finally:
        held.release.set()
    built = await asyncio.wait_for(build, 120)
    assert built.status_code == 201, built.text
    assert held.runs >= 2  # the week's days were planned, then the week rostered
    assert (await client.get(f"{QS}/rosters/{MONDAY.isoformat()}", headers=manager)).status_code == 200


async def test_a_what_if_holds_no_transaction_and_refuses_leave_outside_the_roster(app, client, headers, db) -> None:
    await seed_history(db)
    manager = headers("manager")
    built = await client.post(
        f"{QS}/rosters", headers=manager, json={"weekStart": MONDAY.isoformat(), "replications": 2, "repairRounds": 0}
    )
    assert built.status_code == 201, built.text
    # M4: a day of leave outside the roster's days is refused, naming the field
    outside = await client.post(
        f"{QS}/rosters/{MONDAY.isoformat()}/what-if",
        headers=manager,
        json={"replications": 2, "absences": [{"staffEmployeeNo": "QS001", "on": "2026-12-30"}]},
    )
    assert outside.status_code == 422, outside.text
    assert outside.json()["errors"][0]["field"] == "absences[0].on"
    sunday = await client.post(
        f"{QS}/rosters",
        headers=manager,
        json={
            "weekStart": MONDAY.isoformat(),
            "replications": 2,
            "absences": [{"staffEmployeeNo": "QS001", "on": (MONDAY + timedelta(days=7)).isoformat()}],
        },
    )
    assert sunday.status_code == 422, sunday.text
    assert sunday.json()["errors"][0]["field"] == "absences[0].on"

    held = HeldCompute()
    app.state["planning_compute"] = held
    asking = in_thread(
        client,
        "POST",
        f"{QS}/rosters/{MONDAY.isoformat()}/what-if",
        headers=manager,
        json={"replications": 2, "arrivalsFactor": 1.2},
    )
    try:
        assert await asyncio.to_thread(held.started.wait, 60)
        signed_in = await asyncio.wait_for(
            in_thread(
                client, "POST", "/api/v1/auth/tokens", json={"username": "qs-manager", "password": "Hall-demo-2026"}
            ),
            30,
        )
        assert signed_in.status_code == 201, signed_in.text
        assert await open_transactions(db) in {None, 0}
    finally:
        held.release.set()
    answer = await asyncio.wait_for(asking, 120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["arrivalsFactor"] == 1.2
