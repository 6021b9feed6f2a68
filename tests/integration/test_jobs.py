"""The scheduled day close and visitor notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hall.db.engine import make_engine, make_session_maker
from hall.jobs import close_finished_days
from queueing.domain.appointments import identity_check_character
from queueing.models import AppointmentModel, DaySummaryModel, TicketEventModel, TicketModel
from queueing.notify import Notification, NotificationKind
from queueing.services import Publisher

pytestmark = pytest.mark.integration
SFX = "/api/v1/centres/SFX"


def identity(n: int) -> str:
    body = f"11010119900307{n:03d}"
    return body + identity_check_character(body)


async def run_close(db: Any, clock: Any) -> None:
    engine = make_engine(db.url)
    try:
        await close_finished_days(make_session_maker(engine), clock, db.settings(), Publisher())
    finally:
        await engine.dispose()


async def rows(db: Any, statement: Any) -> list[Any]:
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(statement)).all())
    finally:
        await engine.dispose()


async def test_the_day_close_job_waits_for_closing_time_then_expires_and_summarises(client, headers, clock, db) -> None:
    waiting = (await client.post(f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["SB001"]})).json()
    await client.post(f"{SFX}/appointments/slots", headers=headers("manager"),
                      json={"itemCode": "BDC01", "day": "2026-11-23", "capacity": 2, "slotMinutes": 60})  # fmt: skip
    booked = await client.post(
        f"{SFX}/appointments",
        json={"itemCode": "BDC01", "startsAt": "2026-11-23T14:30:00+08:00", "visitorName": "李四",
              "identityNumber": identity(7), "phone": "13812345678"},
    )  # fmt: skip
    assert booked.status_code == 201, booked.text

    await run_close(db, clock)  # 10:00, still open: today is left alone
    assert (await client.get(f"/api/v1/tickets/{waiting['publicCode']}")).json()["status"] == "waiting"

    clock.advance(timedelta(hours=7, minutes=5))  # 17:05, after the last session
    await run_close(db, clock)
    await run_close(db, clock)  # idempotent
    assert (await client.get(f"/api/v1/tickets/{waiting['publicCode']}")).json()["status"] == "expired"
    expiries = await rows(db, select(TicketEventModel.details).where(TicketEventModel.action == "expire"))
    assert [d["reason"] for (d,) in expiries] == ["unserved at day close"]
    summaries = await rows(db, select(DaySummaryModel.service_day, DaySummaryModel.counts))
    today = [counts for day, counts in summaries if day.isoformat() == "2026-11-23" and counts["tickets"]]
    assert [c["byStatus"] for c in today] == [{"expired": 1}]
    [(status,)] = await rows(db, select(AppointmentModel.status))
    assert status == "no_show"


async def test_a_visitor_who_left_a_phone_number_is_notified_of_calls_and_recalls(app, client, headers, db) -> None:
    sent: list[Notification] = []
    app.state["notifications"].dispatch = sent.append  # the dispatcher's seam; delivery itself is tested in unit tests
    ticket = (
        await client.post(f"{SFX}/tickets", headers=headers("kiosk"),
                          json={"itemCodes": ["SB001"], "notifyTo": "13812345678"})
    ).json()  # fmt: skip
    await client.post(f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["SB002"]})
    await client.post(f"{SFX}/windows/1/session", headers=headers("manager"), json={"staffEmployeeNo": "SFX003"})
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/current/recall", headers=headers("zhangmin"))
    assert [(n.kind, n.ticket_number, n.window_number, n.notify_to) for n in sent] == [
        (NotificationKind.CALLED, ticket["number"], 1, "13812345678"),
        (NotificationKind.RECALLED, ticket["number"], 1, "13812345678"),
    ]
    await client.post(f"{SFX}/windows/1/current/no-show", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))  # A002 left no number
    assert len(sent) == 2
    [(status,)] = await rows(db, select(TicketModel.status).where(TicketModel.number == "A002"))
    assert status == "called"


async def test_visitors_who_left_a_number_hear_once_when_two_people_are_ahead(app, client, headers) -> None:
    sent: list[Notification] = []
    app.state["notifications"].dispatch = sent.append
    await client.post(f"{SFX}/windows/1/session", headers=headers("manager"), json={"staffEmployeeNo": "SFX003"})
    tickets = [
        (await client.post(f"{SFX}/tickets", headers=headers("kiosk"),
                           json={"itemCodes": ["SB001"], "notifyTo": f"1381234567{i}"})).json()
        for i in range(5)
    ]  # fmt: skip
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))  # calls #0; #3 now has 2 ahead
    almost = [n for n in sent if n.kind is NotificationKind.ALMOST_YOUR_TURN]
    assert [(n.ticket_number, n.people_ahead) for n in almost] == [
        (tickets[1]["number"], 0),
        (tickets[2]["number"], 1),
        (tickets[3]["number"], 2),
    ]
    await client.post(f"{SFX}/windows/1/current/no-show", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))  # #4 now has 2 ahead
    almost = [n.ticket_number for n in sent if n.kind is NotificationKind.ALMOST_YOUR_TURN]
    assert almost == [tickets[1]["number"], tickets[2]["number"], tickets[3]["number"], tickets[4]["number"]]
