"""Appointments through the API: a manager opens slots, visitors book, look up and cancel, check in at the kiosk,
and no-shows lead to a ban — on both engines.

The app's clock stands at Monday 23 November 2026, 10:00 in Shanghai; the county centre SFX is open Mon–Fri
09:00–12:00 and 13:30–17:00 and on Saturday morning. BDC01 (resale home transfer) may be booked; SB001 may not.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from sqlalchemy import func, select

from hall.db.engine import make_engine, make_session_maker
from hall.directory import SqlHallDirectory
from hall.domain.access import ANONYMOUS
from queueing.appointment_service import AppointmentService
from queueing.domain.appointments import CODE_ALPHABET, identity_check_character
from queueing.models import AppointmentModel, AppointmentSlotModel

pytestmark = pytest.mark.integration

SFX = "/api/v1/centres/SFX"
SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY, WEDNESDAY, THURSDAY = "2026-11-24", "2026-11-25", "2026-11-26"


def identity(n: int) -> str:
    """A valid 居民身份证 number, different for every ``n`` (born 1990-03-07 in Beijing Dongcheng)."""
    body = f"11010119900307{n:03d}"
    return body + identity_check_character(body)


def local(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")


async def open_slots(
    client: Any, headers: Any, day: str, capacity: int = 2, item: str = "BDC01", minutes: int = 60
) -> Any:
    response = await client.post(
        f"{SFX}/appointments/slots",
        headers=headers("manager"),
        json={"itemCode": item, "day": day, "capacity": capacity, "slotMinutes": minutes},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def book(client: Any, day: str, hhmm: str, person: int, item: str = "BDC01", **extra: Any) -> Any:
    body = {
        "itemCode": item,
        "startsAt": f"{day}T{hhmm}:00+08:00",
        "visitorName": "张三丰",
        "identityNumber": identity(person),
        "phone": "13812345678",
        **extra,
    }
    return await client.post(f"{SFX}/appointments", json=body)


async def slot_row(db: Any, starts_at: datetime) -> AppointmentSlotModel:
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session:
            row = await session.scalar(select(AppointmentSlotModel).where(AppointmentSlotModel.starts_at == starts_at))
            assert row is not None
            return row
    finally:
        await engine.dispose()


async def test_a_manager_opens_a_days_slots_from_the_sessions_and_opening_again_keeps_them(client, headers) -> None:
    slots = await open_slots(client, headers, TUESDAY, capacity=2)
    assert [s["startsAt"][11:16] for s in slots] == ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]
    assert slots[0] == {
        "itemCode": "BDC01",
        "itemNameZh": "不动产转移登记（存量房）",
        "startsAt": "2026-11-24T09:00:00+08:00",
        "endsAt": "2026-11-24T10:00:00+08:00",
        "capacity": 2,
        "booked": 0,
        "remaining": 2,
        "isBookable": True,
    }
    assert (await book(client, TUESDAY, "09:00", 1)).status_code == 201
    again = await open_slots(client, headers, TUESDAY, capacity=3)
    assert len(again) == 6
    assert (again[0]["capacity"], again[0]["booked"], again[0]["remaining"]) == (3, 1, 2)
    browsed = await client.get(f"{SFX}/appointments/slots", params={"day": TUESDAY, "itemCode": "BDC01"})
    assert browsed.status_code == 200, browsed.text
    assert browsed.json() == again


async def test_capacity_may_not_drop_below_the_bookings_a_slot_holds(client, headers) -> None:
    await open_slots(client, headers, TUESDAY, capacity=2)
    assert (await book(client, TUESDAY, "09:00", 1)).status_code == 201
    assert (await book(client, TUESDAY, "09:00", 2)).status_code == 201
    lowered = await client.post(
        f"{SFX}/appointments/slots",
        headers=headers("manager"),
        json={"itemCode": "BDC01", "day": TUESDAY, "capacity": 1},
    )
    assert lowered.status_code == 409
    assert lowered.json()["errors"][0]["field"] == "capacity"
    other_length = await client.post(
        f"{SFX}/appointments/slots",
        headers=headers("manager"),
        json={"itemCode": "BDC01", "day": TUESDAY, "capacity": 2, "slotMinutes": 30},
    )
    assert other_length.status_code == 409
    assert other_length.json()["errors"][0]["field"] == "slotMinutes"


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("manager", {"itemCode": "SB001", "day": TUESDAY, "capacity": 2}, 422, "itemCode"),  # not bookable
        ("manager", {"itemCode": "BDC01", "day": "2026-11-29", "capacity": 2}, 422, "day"),  # a Sunday
        ("manager", {"itemCode": "BDC01", "day": "2026-11-20", "capacity": 2}, 422, "day"),  # passed
        ("manager", {"itemCode": "BDC01", "day": TUESDAY, "capacity": 0}, 400, "capacity"),
        ("qs-manager", {"itemCode": "BDC01", "day": TUESDAY, "capacity": 2}, 403, "centreCode"),  # not their centre
    ],
)
async def test_opening_slots_is_refused_naming_the_field(client, headers, who, body, status, field) -> None:
    response = await client.post(f"{SFX}/appointments/slots", headers=headers(who), json=body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_no_slots_open_on_a_public_holiday(client, headers) -> None:
    holiday = await client.put(
        "/api/v1/calendars/CN/days",
        headers=headers("admin"),
        json={"on": WEDNESDAY, "kind": "holiday", "name": "临时放假"},
    )
    assert holiday.status_code == 200, holiday.text
    response = await client.post(
        f"{SFX}/appointments/slots",
        headers=headers("manager"),
        json={"itemCode": "BDC01", "day": WEDNESDAY, "capacity": 2},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "day", "reason": "SFX has no opening session on 2026-11-25"}


async def test_a_visitor_books_and_the_identity_number_is_stored_only_as_a_keyed_hash(
    client, headers, db, app: Litestar
) -> None:
    await open_slots(client, headers, TUESDAY)
    booked = await book(client, TUESDAY, "14:30", 7, phone="138-1234-5678")
    assert booked.status_code == 201, booked.text
    body = booked.json()
    code = body["code"]
    assert len(code) == 8
    assert set(code) <= set(CODE_ALPHABET)
    assert body == {
        "code": code,
        "centreCode": "SFX",
        "itemCode": "BDC01",
        "itemNameZh": "不动产转移登记（存量房）",
        "startsAt": "2026-11-24T14:30:00+08:00",
        "endsAt": "2026-11-24T15:30:00+08:00",
        "status": "booked",
        "visitorName": "张**",
        "phone": "138****5678",
        "checkInFrom": "2026-11-24T14:00:00+08:00",
        "checkInUntil": "2026-11-24T15:45:00+08:00",
        "cancelUntil": "2026-11-24T12:30:00+08:00",
    }
    looked_up = await client.get(f"/api/v1/appointments/{code}")
    assert looked_up.status_code == 200
    assert looked_up.json() == body
    assert identity(7) not in looked_up.text

    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(select(AppointmentModel.__table__).where(AppointmentModel.code == code))).one()
    finally:
        await engine.dispose()
    stored = [str(value) for value in row]
    assert not any(identity(7) in value or identity(7)[:17] in value for value in stored)
    secret = app.state["settings"].secret_key
    expected = hmac.new(secret.encode(), f"identity:{identity(7)}".encode(), hashlib.sha256).hexdigest()
    assert row._mapping["identity_hash"] == expected
    assert row._mapping["phone"] == "13812345678"
    assert row._mapping["visitor_name"] == "张三丰"

    browsed = (await client.get(f"{SFX}/appointments/slots", params={"day": TUESDAY})).json()
    afternoon = next(s for s in browsed if s["startsAt"].endswith("14:30:00+08:00"))
    assert (afternoon["booked"], afternoon["remaining"]) == (1, 1)


async def test_a_slot_is_never_overbooked_by_concurrent_bookings(client, headers, db) -> None:
    await open_slots(client, headers, WEDNESDAY, capacity=3)
    answers = await asyncio.gather(*(book(client, WEDNESDAY, "10:00", person) for person in range(10)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] * 3 + [409] * 7, [r.text for r in answers]
    assert {r.json()["errors"][0]["field"] for r in answers if r.status_code == 409} == {"startsAt"}
    slot = await slot_row(db, local(WEDNESDAY, "10:00"))
    assert (slot.capacity, slot.booked) == (3, 3)
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(AppointmentModel).where(AppointmentModel.slot_id == slot.id)
            )
    finally:
        await engine.dispose()
    assert count == 3


async def test_concurrent_bookings_of_one_person_on_one_day_give_one_appointment(client, headers) -> None:
    await open_slots(client, headers, WEDNESDAY, capacity=5)
    answers = await asyncio.gather(*(book(client, WEDNESDAY, hhmm, 3) for hhmm in ["09:00", "10:00", "11:00"] * 2))
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5, [r.text for r in answers]


async def test_a_person_books_once_a_day_and_may_book_again_after_cancelling(client, headers) -> None:
    await open_slots(client, headers, TUESDAY)
    await open_slots(client, headers, WEDNESDAY)
    first = await book(client, TUESDAY, "09:00", 1)
    assert first.status_code == 201
    second = await book(client, TUESDAY, "13:30", 1)
    assert second.status_code == 409
    assert second.json()["errors"][0] == {
        "field": "identityNumber",
        "reason": "this person already has an appointment on 2026-11-24",
    }
    assert (await book(client, WEDNESDAY, "13:30", 1)).status_code == 201
    cancelled = await client.post(
        f"/api/v1/appointments/{first.json()['code']}/cancel", json={"identityNumber": identity(1)}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert (await book(client, TUESDAY, "13:30", 1)).status_code == 201


async def test_cancelling_needs_the_identity_number_and_ends_two_hours_before_the_slot(
    client, headers, clock, db
) -> None:
    await open_slots(client, headers, TUESDAY, capacity=1)
    code = (await book(client, TUESDAY, "09:00", 1)).json()["code"]
    url = f"/api/v1/appointments/{code}/cancel"

    wrong_person = await client.post(url, json={"identityNumber": identity(2)})
    assert wrong_person.status_code == 403
    assert wrong_person.json()["errors"][0]["field"] == "identityNumber"
    mistyped = await client.post(url, json={"identityNumber": identity(1)[:-1] + "0"})
    assert mistyped.status_code == 422
    assert mistyped.json()["errors"][0]["field"] == "identityNumber"
    unknown = await client.post("/api/v1/appointments/ZZZZ2222/cancel", json={"identityNumber": identity(1)})
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "code"

    clock.set(local(TUESDAY, "07:01"))  # the deadline was 07:00
    late = await client.post(url, json={"identityNumber": identity(1)})
    assert late.status_code == 409
    assert late.json()["errors"][0]["field"] == "code"

    clock.set(local(TUESDAY, "07:00"))
    in_time = await client.post(url, json={"identityNumber": identity(1)})
    assert in_time.status_code == 200, in_time.text
    assert (await slot_row(db, local(TUESDAY, "09:00"))).booked == 0
    twice = await client.post(url, json={"identityNumber": identity(1)})
    assert twice.status_code == 409
    assert "cancelled" in twice.json()["errors"][0]["reason"]


async def test_checking_in_at_the_kiosk_gives_an_appointment_ticket_called_ahead_of_earlier_walk_ins(
    client, headers, clock
) -> None:
    await open_slots(client, headers, "2026-11-23")  # today: only the 11:00 slot is still ahead
    code = (await book(client, "2026-11-23", "11:00", 1)).json()["code"]
    walk_in = await client.post(f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["BDC01"]})
    assert walk_in.status_code == 201, walk_in.text

    clock.advance(timedelta(minutes=20))  # 10:20: check-in opens at 10:30
    too_early = await client.post(
        f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["BDC01"], "appointmentCode": code}
    )
    assert too_early.status_code == 409
    assert too_early.json()["errors"][0]["field"] == "appointmentCode"

    clock.advance(timedelta(minutes=25))  # 10:45
    ticket = await client.post(
        f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["BDC01"], "appointmentCode": code}
    )
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["channel"] == "appointment"
    appointment = (await client.get(f"/api/v1/appointments/{code}")).json()
    assert appointment["status"] == "checked_in"
    again = await client.post(
        f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["BDC01"], "appointmentCode": code}
    )
    assert again.status_code == 409

    signed_in = await client.post(
        f"{SFX}/windows/10/session", headers=headers("manager"), json={"staffEmployeeNo": "SFX013"}
    )
    assert signed_in.status_code == 201, signed_in.text
    called = await client.post(f"{SFX}/windows/10/call-next", headers=headers("manager"))
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == ticket.json()["number"]
    assert called.json()["reason"] == "appointment_due"


async def no_shows_at(db: Any, app: Litestar, now: datetime) -> int:
    """Run the day-close job's no-show marking for SFX, as the scheduler would."""
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            directory = SqlHallDirectory(session)
            service = AppointmentService(
                session, ANONYMOUS, directory, app.state["clock"], secret=app.state["settings"].secret_key
            )
            return await service.mark_no_shows(await directory.centre("SFX"), now)
    finally:
        await engine.dispose()


async def test_two_no_shows_suspend_booking_and_say_until_when(client, headers, clock, db, app: Litestar) -> None:
    for day in (TUESDAY, WEDNESDAY, THURSDAY):
        await open_slots(client, headers, day)
    first = (await book(client, TUESDAY, "09:00", 1)).json()["code"]
    assert (await book(client, TUESDAY, "09:00", 2)).status_code == 201  # someone who comes

    clock.set(local(TUESDAY, "10:15"))  # the check-in window closes at 10:15 inclusive
    assert await no_shows_at(db, app, clock.now()) == 0
    clock.set(local(TUESDAY, "10:16"))
    assert await no_shows_at(db, app, clock.now()) == 2
    assert await no_shows_at(db, app, clock.now()) == 0  # idempotent
    assert (await client.get(f"/api/v1/appointments/{first}")).json()["status"] == "no_show"

    second = await book(client, WEDNESDAY, "09:00", 1)
    assert second.status_code == 201, second.text  # one no-show is not yet a ban
    clock.set(local(WEDNESDAY, "12:00"))
    assert await no_shows_at(db, app, clock.now()) == 1

    banned = await book(client, THURSDAY, "09:00", 1)
    assert banned.status_code == 409
    assert banned.json()["errors"][0] == {
        "field": "identityNumber",
        "reason": "booking is suspended until 2027-02-23: 2 no-shows within 90 days",
    }
    assert (await book(client, THURSDAY, "09:00", 3)).status_code == 201  # others book as usual


async def test_a_checked_in_booking_is_never_marked_a_no_show(client, headers, clock, db, app: Litestar) -> None:
    await open_slots(client, headers, "2026-11-23")
    code = (await book(client, "2026-11-23", "11:00", 1)).json()["code"]
    clock.set(local("2026-11-23", "10:40"))
    checked_in = await client.post(
        f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["BDC01"], "appointmentCode": code}
    )
    assert checked_in.status_code == 201, checked_in.text
    clock.set(local("2026-11-23", "17:00"))
    assert await no_shows_at(db, app, clock.now()) == 0
    assert (await client.get(f"/api/v1/appointments/{code}")).json()["status"] == "checked_in"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"identityNumber": "110101199003070010"}, 422, "identityNumber"),  # wrong check digit
        ({"identityNumber": "12345"}, 422, "identityNumber"),
        ({"visitorName": "   "}, 422, "visitorName"),
        ({"phone": "12345"}, 422, "phone"),
        ({"itemCode": "SB001"}, 422, "itemCode"),  # may not be booked
        ({"itemCode": "NOPE1"}, 422, "itemCode"),
        ({"startsAt": "2026-11-23T09:00:00+08:00"}, 422, "startsAt"),  # already started
        ({"startsAt": "2026-12-01T09:00:00+08:00"}, 422, "startsAt"),  # beyond five working days
        ({"startsAt": "2026-11-24T09:30:00+08:00"}, 404, "startsAt"),  # no slot starts then
        ({"startsAt": "2026-11-24T09:00:00"}, 400, "startsAt"),  # no offset: ambiguous
    ],
)
async def test_a_booking_is_refused_naming_the_field(client, headers, changes, status, field) -> None:
    await open_slots(client, headers, TUESDAY)
    body = {
        "itemCode": "BDC01",
        "startsAt": "2026-11-24T09:00:00+08:00",
        "visitorName": "李四",
        "identityNumber": identity(9),
        **changes,
    }
    response = await client.post(f"{SFX}/appointments", json=body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_a_full_slot_is_refused_naming_it(client, headers) -> None:
    await open_slots(client, headers, TUESDAY, capacity=1)
    assert (await book(client, TUESDAY, "09:00", 1)).status_code == 201
    full = await book(client, TUESDAY, "09:00", 2)
    assert full.status_code == 409
    assert full.json()["errors"][0] == {"field": "startsAt", "reason": "this slot is fully booked"}


async def test_a_display_board_may_browse_but_not_book(client, headers) -> None:
    await open_slots(client, headers, TUESDAY)
    assert (await client.get(f"{SFX}/appointments/slots?day={TUESDAY}", headers=headers("display"))).status_code == 200
    response = await client.post(
        f"{SFX}/appointments",
        headers=headers("display"),
        json={
            "itemCode": "BDC01",
            "startsAt": "2026-11-24T09:00:00+08:00",
            "visitorName": "李四",
            "identityNumber": identity(1),
        },
    )
    assert response.status_code == 403


async def test_an_unknown_appointment_code_is_not_found(client) -> None:
    response = await client.get("/api/v1/appointments/ABCD2345")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "code"
