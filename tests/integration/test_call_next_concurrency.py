"""Two windows never call the same ticket, and a kiosk's retries never make a second ticket — under real
concurrency (PostgreSQL locks rows with SKIP LOCKED; SQLite serialises transactions)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from hall.db.engine import make_engine
from queueing.models import ServiceRecordModel, TicketEventModel, TicketModel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WINDOWS = 20
TICKETS = 500
LOAD = "/api/v1/centres/LOAD"
ALL_DAY = [{"weekday": d, "opensAt": "00:00:00", "closesAt": "23:59:59"} for d in range(7)]


async def build_load_centre(client: Any, headers: Any) -> None:
    admin = headers("admin")
    created = await client.post(
        "/api/v1/centres",
        headers=admin,
        json={"code": "LOAD", "nameZh": "压力测试中心", "level": "county", "sessions": ALL_DAY},
    )
    assert created.status_code == 201, created.text
    await client.put(f"{LOAD}/items", headers=admin, json={"items": [{"itemCode": "SB001"}, {"itemCode": "SB002"}]})
    for n in range(1, WINDOWS + 1):
        window = await client.post(f"{LOAD}/windows", headers=admin, json={"number": n, "type": "comprehensive_all"})
        assert window.status_code == 201, window.text
        staff = await client.post(
            "/api/v1/staff",
            headers=admin,
            json={
                "employeeNo": f"LD{n:03d}",
                "name": f"测试员{n}",
                "centreCode": "LOAD",
                "skillLevel": 4,
                "employmentType": "contracted",
                "qualifiedDomains": ["social_security"],
            },
        )
        assert staff.status_code == 201, staff.text
        opened = await client.post(f"{LOAD}/windows/{n}/session", headers=admin, json={"staffEmployeeNo": f"LD{n:03d}"})
        assert opened.status_code == 201, opened.text


async def window_worker(client: Any, admin: dict[str, str], number: int, served: list[str]) -> None:
    while True:
        called = await client.post(f"{LOAD}/windows/{number}/call-next", headers=admin)
        if called.status_code == 204:
            return
        assert called.status_code == 200, called.text
        served.append(called.json()["ticket"]["number"])
        await client.post(f"{LOAD}/windows/{number}/current/start", headers=admin, json={})
        code = called.json()["ticket"]["items"][0]["code"]
        done = await client.post(
            f"{LOAD}/windows/{number}/current/complete",
            headers=admin,
            json={"outcomes": [{"itemCode": code, "outcome": "instant"}]},
        )
        assert done.status_code == 200, done.text


async def test_twenty_windows_calling_at_once_call_every_ticket_exactly_once(client, headers, db) -> None:
    await build_load_centre(client, headers)
    kiosk = headers("admin")
    issued: list[str] = []
    for start in range(0, TICKETS, 50):  # issued 50 at a time, concurrently: numbers must still be unique
        batch = await asyncio.gather(
            *(
                client.post(
                    f"{LOAD}/tickets",
                    headers=kiosk,
                    json={"itemCodes": ["SB001" if i % 3 else "SB002"], "channel": "guide_desk"},
                )
                for i in range(start, start + 50)
            )
        )
        assert all(r.status_code == 201 for r in batch), [r.text for r in batch if r.status_code != 201][:1]
        issued.extend(r.json()["number"] for r in batch)
    assert len(set(issued)) == TICKETS

    served: list[str] = []
    await asyncio.gather(*(window_worker(client, kiosk, n, served) for n in range(1, WINDOWS + 1)))

    assert sorted(served) == sorted(issued)  # every ticket called, none twice
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            calls_per_ticket = (
                await conn.execute(
                    select(TicketEventModel.ticket_id, func.count())
                    .where(TicketEventModel.action == "call")
                    .group_by(TicketEventModel.ticket_id)
                )
            ).all()
            records = await conn.scalar(select(func.count()).select_from(ServiceRecordModel))
            statuses = (await conn.execute(select(TicketModel.status, func.count()).group_by(TicketModel.status))).all()
    finally:
        await engine.dispose()
    assert len(calls_per_ticket) == TICKETS
    assert {count for _, count in calls_per_ticket} == {1}
    assert records == TICKETS
    assert dict(statuses) == {"completed": TICKETS}


async def test_a_kiosk_retrying_one_press_at_once_gets_one_ticket(client, headers) -> None:
    await build_load_centre(client, headers)
    kiosk = {**headers("admin"), "Idempotency-Key": "kiosk-7-press-000042"}
    answers = await asyncio.gather(
        *(
            client.post(f"{LOAD}/tickets", headers=kiosk, json={"itemCodes": ["SB001"], "channel": "guide_desk"})
            for _ in range(8)
        )
    )
    assert {r.status_code for r in answers} <= {200, 201}
    assert [r.status_code for r in answers].count(201) == 1
    assert len({r.json()["publicCode"] for r in answers}) == 1
