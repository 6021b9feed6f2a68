"""Parity: one scripted morning through the live hall (API, test database, test clock) and through the twin.

The same visitors — fixed arrival minutes, items, priority groups, no-shows and fixed service durations — are
issued at the demo county centre through the kiosk API and worked by five windows through the window API, and are
replayed through the SimPy twin built from the same centre by the planning adapter. Both must call the same
tickets at the same windows in the same order, for the same reasons: the twin is the live hall's own policy.

The live side is driven by an independent event loop with the clerks' discipline the twin assumes: a clerk calls
the next ticket as soon as they finish; when a visitor arrives, the window that has been idle longest among those
that may serve them calls first. Arrival minutes and durations are drawn as real numbers, so no two events fall on
the same instant.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

import pytest

from hall.db.engine import make_engine, make_session_maker
from hall.domain.people import PriorityGroup
from simulation.centre import day_grid, day_scenario
from simulation.model import ScriptedArrival
from simulation.records import Outcome
from simulation.runner import run
from simulation.scenario import validate
from staffing.planning.forecasting import load_centre_setup

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SFX = "/api/v1/centres/SFX"
SEATS = {1: "SFX003", 2: "SFX001", 7: "SFX007", 10: "SFX013", 17: "SFX024"}
VISITS: list[tuple[str, ...]] = [
    ("SB001",),
    ("SB003",),
    ("SB005",),
    ("YB002",),
    ("BDC01",),
    ("BDC03",),
    ("GJJ02",),
    ("HJ001",),
    ("SW001",),
    ("ZX001",),
    ("SB001", "YB002"),
    ("SB002",),
]
GROUPS = [PriorityGroup.ELDERLY, PriorityGroup.MILITARY, PriorityGroup.DISABLED]


def script(seed: int = 20261123, visitors: int = 44) -> list[ScriptedArrival]:
    rng = random.Random(seed)
    minutes = sorted(rng.uniform(0.5, 75.0) for _ in range(visitors))
    arrivals = []
    for i, minute in enumerate(minutes):
        arrivals.append(
            ScriptedArrival(
                minute=minute,
                item_codes=rng.choice(VISITS),
                priority_group=rng.choice(GROUPS) if rng.random() < 0.15 else None,
                is_no_show=i in {7, 23},
                service_minutes=rng.uniform(3.0, 16.0),
            )
        )
    return arrivals


class LiveWindow:
    def __init__(self, number: int) -> None:
        self.number = number
        self.busy_until = math.inf
        self.is_no_show = False
        self.items: list[str] = []


async def post(client: Any, url: str, headers: dict[str, str], body: Any = None) -> Any:
    response = await client.post(url, headers=headers, json=body if body is not None else {})
    assert response.status_code in {200, 201, 204}, f"{url}: {response.status_code} {response.text}"
    return response


async def test_the_live_hall_and_the_twin_call_the_same_tickets_at_the_same_windows(client, headers, clock, db) -> None:
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session:
            setup, _ = await load_centre_setup(session, "SFX")
    finally:
        await engine.dispose()
    grid = day_grid(setup, clock.now().astimezone(setup.zone).date())
    assert grid is not None
    roster = tuple(dict(SEATS) for _ in range(grid.n_slots))
    scenario = day_scenario(setup, grid, {}, roster, name="parity")
    validate(scenario)
    arrivals = script()
    twin = run(scenario, seed=1, script=arrivals)
    called = sorted((r for r in twin.records if r.called_minutes is not None), key=lambda r: r.called_minutes or 0.0)
    assert {r.outcome for r in twin.records} == {Outcome.SERVED, Outcome.NO_SHOW}
    twin_calls = [(r.ticket_number, r.window_number, str(r.call_reason)) for r in called]

    manager, kiosk = headers("manager"), headers("kiosk")
    for number, staff in SEATS.items():
        await post(client, f"{SFX}/windows/{number}/session", manager, {"staffEmployeeNo": staff})
    windows = {n: LiveWindow(n) for n in SEATS}
    idle: list[int] = sorted(SEATS)  # longest idle first; all signed in at 09:00 in window order
    by_number: dict[str, ScriptedArrival] = {}
    live_calls: list[tuple[str, int, str]] = []

    def at(minute: float) -> None:
        clock.set(grid.start + timedelta(minutes=minute))

    async def call(window: LiveWindow, minute: float) -> bool:
        response = await post(client, f"{SFX}/windows/{window.number}/call-next", manager)
        if response.status_code == 204:
            return False
        body = response.json()
        number = body["ticket"]["number"]
        live_calls.append((number, window.number, body["reason"]))
        visitor = by_number[number]
        window.is_no_show = visitor.is_no_show
        window.items = list(visitor.item_codes)
        if visitor.is_no_show:
            window.busy_until = minute + scenario.no_show_call_minutes
        else:
            await post(client, f"{SFX}/windows/{window.number}/current/start", manager, {"priorityVerified": True})
            assert visitor.service_minutes is not None
            window.busy_until = minute + visitor.service_minutes
        return True

    pending = list(arrivals)
    while pending or any(w.busy_until < math.inf for w in windows.values()):
        done = min(windows.values(), key=lambda w: w.busy_until)
        if pending and pending[0].minute < done.busy_until:
            visitor = pending.pop(0)
            at(visitor.minute)
            body: dict[str, Any] = {"itemCodes": list(visitor.item_codes)}
            if visitor.priority_group is not None:
                body["priorityGroup"] = visitor.priority_group.value
            issued = (await post(client, f"{SFX}/tickets", kiosk, body)).json()
            by_number[issued["number"]] = visitor
            for number in list(idle):
                if await call(windows[number], visitor.minute):
                    idle.remove(number)
                    break
            continue
        minute = done.busy_until
        at(minute)
        base = f"{SFX}/windows/{done.number}/current"
        if done.is_no_show:
            await post(client, f"{base}/no-show", manager)
        else:
            outcomes = [{"itemCode": code, "outcome": "consultation"} for code in done.items]
            await post(client, f"{base}/complete", manager, {"outcomes": outcomes})
        done.busy_until = math.inf
        if not await call(done, minute):
            idle.append(done.number)

    assert len(live_calls) == len(arrivals)
    assert any(reason != "oldest_eligible" for _, _, reason in live_calls), "the script exercises priority rules"
    assert len({w for _, w, _ in live_calls}) == len(SEATS)
    assert live_calls == twin_calls
