"""好差评 through the API: one rating per visit, the rating period, channels, 差评 work orders, defaults, metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hall.db.engine import make_engine, make_session_maker
from staffing.jobs import default_unrated_visits

pytestmark = pytest.mark.integration

SFX = "/api/v1/centres/SFX"


async def served_visit(
    client: Any, headers: Any, clock: Any, *, item: str = "SB001", window: int = 1, staff: str = "SFX003"
) -> dict[str, Any]:
    """Drive one visit from the kiosk to completion at ``window`` and return the ticket."""
    ticket = (await client.post(f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": [item]})).json()
    session = await client.get(f"{SFX}/windows/{window}/session", headers=headers("manager"))
    if session.status_code != 200 or session.json().get("staffEmployeeNo") != staff:
        opened = await client.post(
            f"{SFX}/windows/{window}/session", headers=headers("manager"), json={"staffEmployeeNo": staff}
        )
        assert opened.status_code == 201, opened.text
    called = await client.post(f"{SFX}/windows/{window}/call-next", headers=headers("manager"))
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == ticket["number"]
    await client.post(f"{SFX}/windows/{window}/current/start", headers=headers("manager"), json={})
    clock.advance(timedelta(minutes=6))
    done = await client.post(
        f"{SFX}/windows/{window}/current/complete",
        headers=headers("manager"),
        json={"outcomes": [{"itemCode": item, "outcome": "instant"}]},
    )
    assert done.status_code == 200, done.text
    return ticket


async def run_defaults(db: Any, clock: Any) -> int:
    engine = make_engine(db.url)
    try:
        return await default_unrated_visits(make_session_maker(engine), clock, db.settings())
    finally:
        await engine.dispose()


async def rate(
    client: Any, code: str, level: int = 5, channel: str = "qr", who: str | None = None, **extra: Any
) -> Any:
    body = {"publicCode": code, "level": level, "channel": channel, **extra}
    return await client.post("/api/v1/ratings", json=body, headers={} if who is None else who)


async def test_a_visitor_rates_a_completed_visit_once_from_their_phone(client, headers, clock) -> None:
    ticket = await served_visit(client, headers, clock)
    form = (await client.get(f"/api/v1/tickets/{ticket['publicCode']}/rating")).json()
    assert form["isRateable"] is True
    assert form["isRated"] is False
    assert form["rateUntil"] == "2026-11-30"  # served Monday 23 November, 7 natural days
    assert form["staffName"] == "张敏"
    assert [lv["labelZh"] for lv in form["form"]["levels"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [d["labelZh"] for d in form["form"]["dimensions"]] == ["服务效率", "服务水平", "服务态度"]
    assert "服务指引不清晰" in [r["labelZh"] for r in form["form"]["negativeReasons"]]

    first = await rate(client, ticket["publicCode"], 5, dimensions={"efficiency": 5, "attitude": 4})
    assert first.status_code == 201, first.text
    assert first.json()["levelLabelZh"] == "非常满意"
    assert first.json()["negativeCaseId"] is None

    again = await rate(client, ticket["publicCode"], 1, reasons=["poor_attitude"])
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "publicCode"
    after = (await client.get(f"/api/v1/tickets/{ticket['publicCode']}/rating")).json()
    assert after["isRated"] is True
    assert after["notRateableReason"] == "already_rated"
    assert after["rating"]["level"] == 5

    listed = (await client.get(f"{SFX}/ratings", params={"month": "2026-11"}, headers=headers("manager"))).json()
    [row] = listed["items"]
    assert row["staffEmployeeNo"] == "SFX003"
    assert row["ticketNumber"] == ticket["number"]
    assert row["itemCodes"] == ["SB001"]
    assert len(row["serviceRecordIds"]) == 1
    assert row["channel"] == "qr"
    assert row["dimensions"] == {"efficiency": 5, "attitude": 4, "overall": 5}


async def test_a_visit_is_rated_only_once_it_is_completed(client, headers) -> None:
    ticket = (await client.post(f"{SFX}/tickets", headers=headers("kiosk"), json={"itemCodes": ["SB001"]})).json()
    response = await rate(client, ticket["publicCode"])
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "publicCode"
    unknown = await rate(client, "no-such-ticket-code")
    assert unknown.status_code == 404


async def test_a_late_rating_is_accepted_within_the_period_and_refused_after_it_naming_the_field(
    client, headers, clock
) -> None:
    early, late = await served_visit(client, headers, clock), await served_visit(client, headers, clock)
    clock.advance(timedelta(days=7))  # Monday 30 November: the last day of the period
    assert (await rate(client, early["publicCode"], 4)).status_code == 201
    clock.advance(timedelta(days=1))
    refused = await rate(client, late["publicCode"], 4)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "publicCode"
    assert "rating period" in refused.json()["errors"][0]["reason"]
    form = (await client.get(f"/api/v1/tickets/{late['publicCode']}/rating")).json()
    assert form["notRateableReason"] == "period_ended"


async def test_the_channel_follows_who_rates(client, headers, clock) -> None:
    first = await served_visit(client, headers, clock)
    second = await served_visit(client, headers, clock)
    third = await served_visit(client, headers, clock)
    fourth = await served_visit(client, headers, clock)
    wrong = await rate(client, first["publicCode"], 5, channel="pad")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "channel"
    pad = await rate(client, second["publicCode"], 4, channel="pad", who=headers("kiosk"))
    assert pad.status_code == 201, pad.text
    own = await rate(client, third["publicCode"], 5, channel="paper", who=headers("zhangmin"))
    assert own.status_code == 403  # 张敏 served it: staff never enter ratings of their own service
    paper = await rate(client, fourth["publicCode"], 3, channel="paper", who=headers("wanglihua"))
    assert paper.status_code == 201, paper.text
    display = await rate(client, first["publicCode"], 5, channel="qr", who=headers("display"))
    assert display.status_code == 403
    rows = (await client.get(f"{SFX}/ratings", params={"month": "2026-11"}, headers=headers("manager"))).json()
    assert sorted(r["channel"] for r in rows["items"]) == ["pad", "paper"]
    assert {r["enteredBy"] for r in rows["items"]} == {"device:大厅入口取号机 1", "wanglihua"}


async def test_a_negative_rating_needs_a_reason_and_opens_a_work_order_on_working_days(client, headers, clock) -> None:
    ticket = await served_visit(client, headers, clock)
    missing = await rate(client, ticket["publicCode"], 2)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reasons"
    receipt = await rate(client, ticket["publicCode"], 2, reasons=["long_wait", "unclear_guidance"], comment="等太久")
    assert receipt.status_code == 201, receipt.text
    case_id = receipt.json()["negativeCaseId"]
    case = (await client.get(f"/api/v1/negative-cases/{case_id}", headers=headers("manager"))).json()
    assert case["status"] == "open"
    assert case["statusLabelZh"] == "待核实"
    assert case["validity"] == "pending"
    due = {d["kind"]: d["dueOn"] for d in case["deadlines"]}
    assert due == {"verify": "2026-11-24", "reply": "2026-11-30"}  # 1 and 5 working days after Monday
    assert case["nextMoves"] == ["verified"]

    clock.advance(timedelta(days=2))  # Wednesday: verification is a day late
    overdue = (await client.get(f"{SFX}/negative-cases", params={"overdue": "true"}, headers=headers("manager"))).json()
    assert [c["id"] for c in overdue] == [case_id]
    assert [d["kind"] for d in overdue[0]["overdue"]] == ["verify"]

    refused = await client.post(
        f"/api/v1/negative-cases/{case_id}/moves", headers=headers("zhangmin"), json={"to": "verified"}
    )
    assert refused.status_code == 403
    unclassified = await client.post(
        f"/api/v1/negative-cases/{case_id}/moves", headers=headers("manager"), json={"to": "verified"}
    )
    assert unclassified.status_code == 422
    assert unclassified.json()["errors"][0]["field"] == "classification"
    for body in (
        {"to": "verified", "classification": "valid", "hasCallback": True, "note": "已回访核实"},
        {"to": "rectifying", "note": "张贴一次性告知清单"},
        {"to": "replied", "note": "已反馈评价人"},
        {"to": "closed"},
    ):
        moved = await client.post(f"/api/v1/negative-cases/{case_id}/moves", headers=headers("manager"), json=body)
        assert moved.status_code == 200, moved.text
    closed = moved.json()
    assert closed["status"] == "closed"
    assert closed["validity"] == "valid"
    assert [h["toStatus"] for h in closed["history"]] == ["open", "verified", "rectifying", "replied", "closed"]
    assert closed["history"][1]["note"] == "已回访核实"
    assert closed["overdue"] == []
    assert closed["nextMoves"] == ["appealed"]  # within the appeal period (five working days after verification)
    clock.advance(timedelta(days=10))
    late = (await client.get(f"/api/v1/negative-cases/{case_id}", headers=headers("manager"))).json()
    assert late["nextMoves"] == []


async def test_staff_may_appeal_and_an_overturned_negative_rating_no_longer_counts(client, headers, clock) -> None:
    ticket = await served_visit(client, headers, clock)
    case_id = (await rate(client, ticket["publicCode"], 1, reasons=["poor_attitude"])).json()["negativeCaseId"]
    url = f"/api/v1/negative-cases/{case_id}/moves"
    await client.post(url, headers=headers("manager"), json={"to": "verified", "classification": "valid"})
    mine = (await client.get(f"/api/v1/negative-cases/{case_id}", headers=headers("zhangmin"))).json()
    assert mine["nextMoves"] == ["appealed"]
    assert mine["callbackPhone"] is None
    other = await client.get(f"/api/v1/negative-cases/{case_id}", headers=headers("wanglihua"))
    assert other.status_code == 404
    appealed = await client.post(url, headers=headers("zhangmin"), json={"to": "appealed", "note": "访客误评"})
    assert appealed.status_code == 200, appealed.text
    assert appealed.json()["validity"] == "pending"
    await client.post(url, headers=headers("manager"), json={"to": "under_review"})
    overturned = await client.post(
        url, headers=headers("manager"), json={"to": "overturned", "classification": "mistaken", "note": "监控核实"}
    )
    assert overturned.status_code == 200, overturned.text
    assert overturned.json()["validity"] == "excluded"
    assert overturned.json()["nextMoves"] == ["replied", "closed"]  # no second appeal is offered
    twice = await client.post(url, headers=headers("zhangmin"), json={"to": "appealed"})
    assert twice.status_code == 422


async def test_a_real_name_negative_rating_closes_only_after_a_callback(client, headers, clock) -> None:
    ticket = await served_visit(client, headers, clock)
    no_phone = await rate(client, ticket["publicCode"], 2, reasons=["slow_service"], isNamed=True)
    assert no_phone.status_code == 422
    assert no_phone.json()["errors"][0]["field"] == "callbackPhone"
    receipt = await rate(
        client, ticket["publicCode"], 2, reasons=["slow_service"], isNamed=True, callbackPhone="13912345678"
    )
    case_id = receipt.json()["negativeCaseId"]
    url = f"/api/v1/negative-cases/{case_id}/moves"
    await client.post(url, headers=headers("manager"), json={"to": "verified", "classification": "malicious"})
    refused = await client.post(url, headers=headers("manager"), json={"to": "closed"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "hasCallback"
    closed = await client.post(url, headers=headers("manager"), json={"to": "closed", "hasCallback": True})
    assert closed.status_code == 200
    assert closed.json()["callbackPhone"] == "13912345678"
    assert closed.json()["validity"] == "excluded"
    assert closed.json()["nextMoves"] == []  # a malicious 差评 is never appealed (only a valid one is)


async def test_unrated_visits_get_the_default_rating_after_the_period_kept_apart(db, client, headers, clock) -> None:
    rated, unrated = await served_visit(client, headers, clock), await served_visit(client, headers, clock)
    await rate(client, rated["publicCode"], 5)
    assert await run_defaults(db, clock) == 0  # still in the rating period
    clock.advance(timedelta(days=8))
    assert await run_defaults(db, clock) == 1
    assert await run_defaults(db, clock) == 0  # idempotent
    rows = (await client.get(f"{SFX}/ratings", params={"month": "2026-11"}, headers=headers("manager"))).json()
    defaulted = [r for r in rows["items"] if r["origin"] == "defaulted"]
    assert [(r["level"], r["channel"], r["ticketNumber"]) for r in defaulted] == [(3, "system", unrated["number"])]
    metrics = (
        await client.get(f"{SFX}/rating-metrics", params={"month": "2026-11"}, headers=headers("manager"))
    ).json()
    centre = metrics["centre"]
    assert (centre["contactsCount"], centre["ratingsCount"], centre["activeCount"]) == (2, 2, 1)
    assert centre["activeRate"] == "0.5000"
    assert centre["unratedRate"] == "0.5000"
    assert centre["positiveRate"] == "1.0000"
    [staff] = metrics["staff"]
    assert staff["staffEmployeeNo"] == "SFX003"
