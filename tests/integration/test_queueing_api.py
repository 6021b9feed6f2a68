"""A visitor's ticket from the kiosk to the window, through the API: issuing, calling, every window action,
history and service records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.integration

SFX = "/api/v1/centres/SFX"


async def issue(client: Any, headers: Any, *items: str, key: str | None = None, **extra: Any) -> Any:
    request_headers = headers("kiosk")
    if key:
        request_headers = {**request_headers, "Idempotency-Key": key}
    return await client.post(f"{SFX}/tickets", headers=request_headers, json={"itemCodes": list(items), **extra})


async def sign_in(client: Any, headers: Any, number: int, staff: str = "SFX003") -> None:
    response = await client.post(
        f"{SFX}/windows/{number}/session", headers=headers("manager"), json={"staffEmployeeNo": staff}
    )
    assert response.status_code == 201, response.text


async def test_a_kiosk_issues_a_numbered_ticket_and_a_retry_with_the_same_key_gets_the_same_one(
    client, headers
) -> None:
    first = await issue(client, headers, "SB001", key="kiosk1-press-0001")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["number"] == "A001"
    assert body["status"] == "waiting"
    assert body["items"][0]["nameZh"] == "城乡居民基本养老保险参保登记"
    assert body["statusUrl"].endswith(f"/t/{body['publicCode']}")
    assert len(body["publicCode"]) >= 16
    retry = await issue(client, headers, "SB001", key="kiosk1-press-0001")
    assert retry.status_code == 200
    assert retry.json()["number"] == "A001"
    assert retry.json()["publicCode"] == body["publicCode"]
    second = await issue(client, headers, "SB002", key="kiosk1-press-0002")
    assert second.json()["number"] == "A002"
    other_domain = await issue(client, headers, "BDC03")
    assert other_domain.json()["number"] == "D001"


async def test_a_ticket_is_refused_while_the_centre_is_closed(client, headers, clock) -> None:
    clock.advance(timedelta(hours=2, minutes=30))  # 12:30, the lunch break
    response = await issue(client, headers, "SB001")
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "centreCode"


async def test_an_item_the_centre_does_not_offer_is_refused_naming_it(client, headers) -> None:
    response = await client.post(
        "/api/v1/centres/SFX-QS/tickets",
        headers=headers("manager"),
        json={"itemCodes": ["SB001", "BDC01"], "channel": "guide_desk"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "itemCodes[1]", "reason": "BDC01 is not offered at SFX-QS"}


async def test_a_phone_needs_todays_entrance_code(client, headers) -> None:
    wrong = await client.post(
        f"{SFX}/tickets", json={"itemCodes": ["SB001"], "channel": "phone", "entranceCode": "000000"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "entranceCode"
    code = (await client.get(f"{SFX}/entrance-code", headers=headers("display"))).json()["code"]
    right = await client.post(f"{SFX}/tickets", json={"itemCodes": ["SB001"], "channel": "phone", "entranceCode": code})
    assert right.status_code == 201
    assert right.json()["channel"] == "phone"


async def test_a_display_board_cannot_issue_tickets(client, headers) -> None:
    response = await client.post(f"{SFX}/tickets", headers=headers("display"), json={"itemCodes": ["SB001"]})
    assert response.status_code == 403


async def test_a_visit_from_kiosk_to_completion_is_kept_as_history_and_a_service_record(client, headers, clock) -> None:
    ticket = (await issue(client, headers, "SB003")).json()
    await sign_in(client, headers, 1)
    called = await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == ticket["number"]
    assert called.json()["reason"] == "oldest_eligible"
    status = (await client.get(f"/api/v1/tickets/{ticket['publicCode']}")).json()
    assert status["status"] == "called"
    assert status["windowNumber"] == 1
    again = await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    assert again.status_code == 409
    clock.advance(timedelta(minutes=1))
    started = await client.post(f"{SFX}/windows/1/current/start", headers=headers("zhangmin"), json={})
    assert started.json()["status"] == "serving"
    clock.advance(timedelta(minutes=12))
    done = await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={"outcomes": [{"itemCode": "SB003", "outcome": "committed"}]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    detail = (await client.get(f"{SFX}/tickets/{ticket['number']}", headers=headers("manager"))).json()
    assert [e["action"] for e in detail["history"]] == ["issue", "call", "start", "complete"]
    assert [e["toStatus"] for e in detail["history"]] == ["waiting", "called", "serving", "completed"]
    assert detail["history"][1]["windowNumber"] == 1
    assert detail["history"][1]["actor"] == "zhangmin"
    [record] = detail["serviceRecords"]
    assert record["staffEmployeeNo"] == "SFX003"
    assert record["skillLevel"] == 4
    assert record["outcome"] == "committed"
    assert record["dueOn"] == "2026-11-30"  # Monday + 5 working days
    session = (await client.get(f"{SFX}/windows/1/session", headers=headers("zhangmin"))).json()
    assert session["state"] == "idle"
    assert session["currentTicket"] is None


async def test_call_next_answers_204_when_nothing_is_eligible(client, headers) -> None:
    await issue(client, headers, "GC001")  # construction permits: window 18 only, skill level 2
    await sign_in(client, headers, 1)
    response = await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    assert response.status_code == 204


async def test_a_statutory_priority_ticket_is_called_before_earlier_normal_ones(client, headers, clock) -> None:
    await issue(client, headers, "SB001")
    clock.advance(timedelta(minutes=1))
    priority = (await issue(client, headers, "SB002", priorityGroup="military")).json()
    await sign_in(client, headers, 1)
    called = (await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))).json()
    assert called["ticket"]["number"] == priority["number"]
    assert called["reason"] == "statutory_priority"
    assert "military" in called["detail"]


async def test_recalls_run_out_into_a_no_show_which_the_guide_desk_may_reinstate(client, headers, clock) -> None:
    ticket = (await issue(client, headers, "SB001")).json()
    await sign_in(client, headers, 1)
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    for _ in range(2):  # the demo centre allows two recalls
        recalled = await client.post(f"{SFX}/windows/1/current/recall", headers=headers("zhangmin"))
        assert recalled.json()["status"] == "called"
    missed = await client.post(f"{SFX}/windows/1/current/recall", headers=headers("zhangmin"))
    assert missed.json()["status"] == "no_show"
    clock.advance(timedelta(minutes=10))
    back = await client.post(f"{SFX}/tickets/{ticket['number']}/reinstate", headers=headers("manager"))
    assert back.status_code == 200
    assert back.json()["status"] == "waiting"
    assert back.json()["arrivedAt"] == ticket["arrivedAt"]
    history = (await client.get(f"{SFX}/tickets/{ticket['number']}", headers=headers("manager"))).json()["history"]
    assert [e["action"] for e in history] == ["issue", "call", "recall", "recall", "mark_no_show", "reinstate"]
    assert history[4]["details"]["reason"] == "recall limit reached"
    assert [e["details"].get("recalls") for e in history[2:4]] == [1, 2]


async def test_a_no_show_cannot_be_reinstated_after_the_centres_period(client, headers, clock) -> None:
    ticket = (await issue(client, headers, "SB001")).json()
    await sign_in(client, headers, 1)
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/current/no-show", headers=headers("zhangmin"))
    clock.advance(timedelta(minutes=31))
    late = await client.post(f"{SFX}/tickets/{ticket['number']}/reinstate", headers=headers("manager"))
    assert late.status_code == 409


async def test_a_transferred_ticket_keeps_its_arrival_and_goes_to_the_named_window(client, headers, clock) -> None:
    ticket = (await issue(client, headers, "SB003")).json()
    clock.advance(timedelta(minutes=5))
    await issue(client, headers, "SB001")  # an earlier-called visitor must not jump the transferred one
    await sign_in(client, headers, 1)
    await sign_in(client, headers, 7, staff="SFX007")
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/current/start", headers=headers("zhangmin"), json={})
    moved = await client.post(
        f"{SFX}/windows/1/current/transfer", headers=headers("zhangmin"), json={"toWindow": 7, "note": "社保专窗办理"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "waiting"
    assert moved.json()["arrivedAt"] == ticket["arrivedAt"]
    called = (await client.post(f"{SFX}/windows/7/call-next", headers=headers("manager"))).json()
    assert called["ticket"]["number"] == ticket["number"]
    assert called["reason"] == "reserved"


async def test_a_parked_ticket_comes_back_to_the_window_that_parked_it(client, headers) -> None:
    parked = (await issue(client, headers, "SB001")).json()
    await issue(client, headers, "SB002")
    await sign_in(client, headers, 1)
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/current/start", headers=headers("zhangmin"), json={})
    assert (await client.post(f"{SFX}/windows/1/current/park", headers=headers("zhangmin"))).json()[
        "status"
    ] == "parked"
    nxt = (await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))).json()
    assert nxt["ticket"]["number"] == "A002"
    await client.post(f"{SFX}/windows/1/current/start", headers=headers("zhangmin"), json={})
    await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={"outcomes": [{"itemCode": "SB002", "outcome": "instant"}]},
    )
    await client.post(f"{SFX}/tickets/{parked['number']}/resume", headers=headers("zhangmin"))
    back = (await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))).json()
    assert back["ticket"]["number"] == parked["number"]
    assert back["reason"] == "reserved"


async def test_outcomes_are_checked_item_by_item_and_name_the_field(client, headers) -> None:
    await issue(client, headers, "SB001", "SB006")
    await sign_in(client, headers, 1)
    await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))
    await client.post(f"{SFX}/windows/1/current/start", headers=headers("zhangmin"), json={})
    missing = await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={"outcomes": [{"itemCode": "SB001", "outcome": "instant"}]},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "outcomes"
    not_allowed = await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={
            "outcomes": [
                {"itemCode": "SB001", "outcome": "instant"},
                {"itemCode": "SB006", "outcome": "conditional", "pendingDocuments": ["户口本复印件"]},
            ]
        },
    )
    assert not_allowed.status_code == 422
    assert not_allowed.json()["errors"][0]["field"] == "outcomes[1].outcome"
    no_materials = await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={
            "outcomes": [
                {"itemCode": "SB001", "outcome": "instant"},
                {"itemCode": "SB006", "outcome": "returned_with_notice"},
            ]
        },
    )
    assert no_materials.json()["errors"][0]["field"] == "outcomes[1].missingMaterials"
    ok = await client.post(
        f"{SFX}/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={
            "outcomes": [
                {"itemCode": "SB001", "outcome": "instant"},
                {
                    "itemCode": "SB006",
                    "outcome": "returned_with_notice",
                    "missingMaterials": ["一寸照片", "户口本原件"],
                },
            ]
        },
    )
    assert ok.status_code == 200, ok.text


async def test_a_staff_member_cannot_work_a_window_signed_in_by_someone_else(client, headers) -> None:
    await sign_in(client, headers, 2, staff="SFX001")
    response = await client.post(f"{SFX}/windows/2/call-next", headers=headers("zhangmin"))
    assert response.status_code == 403
    own = await client.post(f"{SFX}/windows/3/session", headers=headers("zhangmin"), json={})
    assert own.status_code == 201
    twice = await client.post(f"{SFX}/windows/4/session", headers=headers("zhangmin"), json={})
    assert twice.status_code == 409


async def test_a_paused_window_does_not_call_and_every_state_change_is_kept(client, headers, clock) -> None:
    await issue(client, headers, "SB001")
    await sign_in(client, headers, 1)
    paused = await client.post(
        f"{SFX}/windows/1/session/pause", headers=headers("zhangmin"), json={"reason": "系统故障"}
    )
    assert paused.json()["state"] == "paused"
    assert (await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))).status_code == 409
    clock.advance(timedelta(minutes=7))
    resumed = await client.post(f"{SFX}/windows/1/session/resume", headers=headers("zhangmin"))
    assert resumed.json()["state"] == "idle"
    assert (await client.post(f"{SFX}/windows/1/call-next", headers=headers("zhangmin"))).status_code == 200
    closing = await client.delete(f"{SFX}/windows/1/session", headers=headers("zhangmin"))
    assert closing.status_code == 409  # a ticket is called here


async def test_a_visitor_may_give_up_their_place_from_the_phone(client, headers) -> None:
    ticket = (await issue(client, headers, "SB001")).json()
    cancelled = await client.post(f"/api/v1/tickets/{ticket['publicCode']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(f"/api/v1/tickets/{ticket['publicCode']}/cancel")
    assert again.status_code == 422


async def test_a_change_to_a_window_is_seen_by_the_very_next_queue_request(client, headers) -> None:
    await sign_in(client, headers, 2, staff="SFX001")  # warms the reference cache with window 1 in service
    changed = await client.patch(f"{SFX}/windows/1", headers=headers("manager"), json={"status": "out_of_service"})
    assert changed.status_code == 200
    refused = await client.post(
        f"{SFX}/windows/1/session", headers=headers("manager"), json={"staffEmployeeNo": "SFX003"}
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["reason"] == "window 1 is out of service"


async def test_a_daily_cap_set_during_the_day_counts_the_tickets_already_issued(client, headers) -> None:
    for _ in range(2):
        assert (await issue(client, headers, "SB001")).status_code == 201
    capped = await client.patch(f"{SFX}", headers=headers("manager"), json={"rules": {"dailyTicketCap": 3}})
    assert capped.status_code == 200, capped.text
    assert (await issue(client, headers, "SB002")).status_code == 201
    refused = await issue(client, headers, "SB002")
    assert refused.status_code == 409
    assert refused.json()["errors"][0] == {"field": "centreCode", "reason": "today's 3 tickets have all been issued"}


async def test_an_items_daily_cap_refuses_the_ticket_naming_the_item(client, headers) -> None:
    offered = (await client.get(f"{SFX}/items", headers=headers("manager"))).json()
    items = [{"itemCode": i["itemCode"], "dailyCap": 1 if i["itemCode"] == "HJ001" else None} for i in offered]
    assert (await client.put(f"{SFX}/items", headers=headers("manager"), json={"items": items})).status_code == 200
    assert (await issue(client, headers, "HJ001")).status_code == 201
    refused = await issue(client, headers, "SB001", "HJ001")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "itemCodes[1]"
    assert (await issue(client, headers, "SB001")).status_code == 201  # the refusal left no counter behind


async def test_a_waiting_visitor_sees_the_twins_predicted_call_time_and_how_it_was_found(client, headers) -> None:
    fitted = await client.post(f"{SFX}/planning/fits", headers=headers("manager"), json={})
    assert fitted.status_code == 201, fitted.text  # no history yet: the fit starts from the items' standard minutes
    await sign_in(client, headers, 1)
    for _ in range(3):
        await issue(client, headers, "SB002")
    issued = (await issue(client, headers, "SB001")).json()
    assert issued["prediction"] == "naive"  # the kiosk answers at once; the twin runs for the status page
    status = (await client.get(f"/api/v1/tickets/{issued['publicCode']}")).json()
    assert status["prediction"] == "twin"
    assert status["peopleAhead"] == 3
    assert status["predictedCallAt"] <= status["predictedCallP90At"]
    assert status["predictedCallAt"] > "2026-11-23T02:00:00Z"  # three visitors before it at one window
