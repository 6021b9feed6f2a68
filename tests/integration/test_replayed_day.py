"""A scripted, seeded morning at the demo county centre replayed through the API, then closed.

Afterwards every ticket is in a final state, every ticket's history is one unbroken chain of transitions from its
issue to its present status, and the service records agree with the history (who served what, when).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hall.db.engine import make_engine
from queueing.models import DaySummaryModel, ServiceRecordModel, TicketEventModel, TicketModel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SFX = "/api/v1/centres/SFX"
WINDOWS = {1: "SFX001", 2: "SFX002", 3: "SFX003", 4: "SFX004", 5: "SFX005", 7: "SFX007", 8: "SFX008"}
ITEMS = ["SB001", "SB002", "SB003", "SB006", "YB001", "YB002", "YB004", "GJJ02", "HJ003", "SW001"]
FINAL = {"completed", "cancelled", "expired", "no_show"}


class Window:
    def __init__(self, number: int) -> None:
        self.number = number
        self.ticket: dict[str, Any] | None = None
        self.status = "idle"
        self.busy_until = 0
        self.recalls_left = -1


async def post(client: Any, url: str, headers: dict[str, str], body: Any = None) -> Any:
    response = await client.post(url, headers=headers, json=body if body is not None else {})
    assert response.status_code in {200, 201, 204}, f"{url}: {response.status_code} {response.text}"
    return response


async def step_window(client: Any, rng: random.Random, w: Window, minute: int, manager: dict[str, str]) -> None:
    base = f"{SFX}/windows/{w.number}"
    if w.ticket is None:
        called = await post(client, f"{base}/call-next", manager)
        if called.status_code == 204:
            return
        w.ticket, w.status = called.json()["ticket"], "called"
        w.recalls_left = 3 if rng.random() < 0.08 else -1  # the visitor never comes: recall until no-show
        return
    if w.status == "called":
        if w.recalls_left > 0:
            w.recalls_left -= 1
            result = (await post(client, f"{base}/current/recall", manager)).json()
            if result["status"] == "no_show":
                w.ticket = None
            return
        await post(client, f"{base}/current/start", manager, {"priorityVerified": True})
        w.status, w.busy_until = "serving", minute + rng.randint(3, 14)
        return
    if minute < w.busy_until:
        return
    roll = rng.random()
    items = [i["code"] for i in w.ticket["items"]]
    if roll < 0.05:
        await post(client, f"{base}/current/park", manager)
        parked.append((minute + 5, w.ticket["number"]))
    elif roll < 0.10 or (len(items) > 1 and roll < 0.5):
        # sent on to another window; a two-item visit has its first item handled here first
        target = 1 if w.number != 1 else 2  # an all-service window can take any of these items
        outcomes = [{"itemCode": items[0], "outcome": "consultation"}] if len(items) > 1 else []
        await post(client, f"{base}/current/transfer", manager, {"toWindow": target, "outcomes": outcomes})
    else:
        outcomes = []
        for code in items:
            kind = rng.choice(["instant", "instant", "committed", "returned_with_notice", "consultation"])
            if kind == "committed" and code in {"SB001", "SB002", "SB006", "YB001", "YB002", "GJJ02", "HJ003", "SW001"}:
                kind = "instant"  # done-on-the-spot items have no committed limit
            outcome: dict[str, Any] = {"itemCode": code, "outcome": kind}
            if kind == "returned_with_notice":
                outcome["missingMaterials"] = ["身份证复印件"]
            outcomes.append(outcome)
        await post(client, f"{base}/current/complete", manager, {"outcomes": outcomes})
    w.ticket, w.status = None, "idle"


parked: list[tuple[int, str]] = []


async def test_a_replayed_morning_ends_with_consistent_history_and_service_records(client, headers, clock, db) -> None:
    rng = random.Random(20261123)
    manager, kiosk = headers("manager"), headers("kiosk")
    parked.clear()
    for number, staff in WINDOWS.items():
        await post(client, f"{SFX}/windows/{number}/session", manager, {"staffEmployeeNo": staff})
    windows = [Window(n) for n in WINDOWS]
    clock.set(clock.now().replace(hour=1, minute=0))  # 09:00 in Shanghai
    issued: list[dict[str, Any]] = []
    for minute in range(170):  # 09:00 – 11:50
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            items = rng.sample(ITEMS, 2) if rng.random() < 0.08 else [rng.choice(ITEMS)]
            body: dict[str, Any] = {"itemCodes": items}
            if rng.random() < 0.1:
                body["priorityGroup"] = rng.choice(["elderly", "military", "disabled"])
            issued.append((await post(client, f"{SFX}/tickets", kiosk, body)).json())
        if issued and rng.random() < 0.02:
            victim = rng.choice(issued)
            status = (await client.get(f"/api/v1/tickets/{victim['publicCode']}")).json()["status"]
            if status == "waiting":
                await post(client, f"/api/v1/tickets/{victim['publicCode']}/cancel", {})
        for _, number in [p for p in parked if p[0] == minute]:
            await post(client, f"{SFX}/tickets/{number}/resume", manager)
        for w in windows:
            await step_window(client, rng, w, minute, manager)
        clock.advance(timedelta(minutes=1))
    for w in windows:  # the windows finish whoever is in service before the lunch break
        while w.ticket is not None:
            w.busy_until = 0
            await step_window(client, rng, w, 10_000, manager)
    for when, number in parked:
        if when >= 170:
            await post(client, f"{SFX}/tickets/{number}/resume", manager)
    clock.advance(timedelta(hours=6))  # 17:50, closed
    summary = (await post(client, f"{SFX}/days/2026-11-23/close", manager)).json()

    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            tickets = {t.id: t for t in (await conn.execute(select(TicketModel))).all()}
            events = (await conn.execute(select(TicketEventModel).order_by(TicketEventModel.id))).all()
            records = (await conn.execute(select(ServiceRecordModel))).all()
            stored = (await conn.execute(select(DaySummaryModel.counts))).scalar_one()
    finally:
        await engine.dispose()

    assert len(tickets) == len(issued) > 150
    assert {t.status for t in tickets.values()} <= FINAL
    by_ticket: dict[Any, list[Any]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    for ticket_id, ticket in tickets.items():
        chain = by_ticket[ticket_id]
        assert chain[0].action == "issue"
        assert chain[0].from_status is None
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status, (ticket.number, before.action, after.action)
        assert chain[-1].to_status == ticket.status

    # Every outcome the history records (on completion, or before a transfer) is exactly one service record.
    from_history = sorted(
        (str(e.ticket_id), item, outcome)
        for e in events
        if e.action in {"complete", "transfer"}
        for item, outcome in (e.details.get("outcomes") or {}).items()
    )
    from_records = sorted((str(r.ticket_id), r.item_code, r.outcome) for r in records)
    assert from_records == from_history
    assert any(e.action == "transfer" and e.details.get("outcomes") for e in events), "the script transfers"
    completed = {t.id for t in tickets.values() if t.status == "completed"}
    assert completed <= {r.ticket_id for r in records}
    for record in records:  # served by whoever called the ticket last before the service started
        chain = by_ticket[record.ticket_id]
        last_call = [e for e in chain if e.action == "call" and e.at <= record.started_at][-1]
        assert record.window_id == last_call.window_id
        assert record.called_at == last_call.at
        assert record.started_at <= record.ended_at
    assert summary["tickets"] == len(issued)
    assert stored["byStatus"] == summary["byStatus"]
    assert summary["byStatus"].get("expired", 0) == sum(1 for t in tickets.values() if t.status == "expired")
    assert summary["servedItems"] == len(records)
