"""The hall API as its users meet it: sign-in, the catalogue, scopes, refusals that name the field, history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hall import demo

pytestmark = pytest.mark.integration


async def test_a_manager_signs_in_with_a_password_and_lists_the_catalogue(client) -> None:
    signed_in = await client.post("/api/v1/auth/tokens", json={"username": "manager", "password": demo.DEMO_PASSWORD})
    assert signed_in.status_code == 201
    token = signed_in.json()["token"]
    page = await client.get("/api/v1/items?limit=50", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == len(demo.ITEMS)
    assert len({item["domain"] for item in body["items"]}) >= 8


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client) -> None:
    for username in ("manager", "nobody"):
        response = await client.post("/api/v1/auth/tokens", json={"username": username, "password": "wrong-pass"})
        assert response.status_code == 401
        assert response.json()["detail"] == "password: unknown user, wrong password, or account disabled"


async def test_the_session_cookie_signs_in_the_pages(client) -> None:
    response = await client.post("/api/v1/auth/session", json={"username": "zhangmin", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 200
    assert "httponly" in response.headers["set-cookie"].lower()
    me = await client.get("/api/v1/auth/me")
    assert me.json() == {"role": "staff", "name": "zhangmin", "centreCode": "SFX", "staffEmployeeNo": "SFX003"}
    assert (await client.delete("/api/v1/auth/session")).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_malformed_input_is_400_naming_the_field(client, headers) -> None:
    response = await client.post(
        "/api/v1/items",
        headers=headers("admin"),
        json={"code": "NEW01", "nameZh": "新事项", "departmentCode": "HRSS", "domain": "tax", "standardMinutes": -3},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "standardMinutes"


async def test_an_unknown_field_is_refused_rather_than_ignored(client, headers) -> None:
    response = await client.patch("/api/v1/items/SB001", headers=headers("admin"), json={"standardMinuts": 9})
    assert response.status_code == 400
    assert "standardMinuts" in response.text


async def test_a_broken_rule_is_422_naming_the_field(client, headers) -> None:
    response = await client.patch(
        "/api/v1/items/SB003", headers=headers("admin"), json={"committedLimitDays": 40, "statutoryLimitDays": 20}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "committedLimitDays", "reason": "must not exceed statutoryLimitDays (承诺时限 ≤ 法定时限)"}
    ]
    unchanged = await client.get("/api/v1/items/SB003", headers=headers("admin"))
    assert unchanged.json()["committedLimitDays"] == 5


async def test_a_duplicate_code_is_409(client, headers) -> None:
    response = await client.post(
        "/api/v1/departments", headers=headers("admin"), json={"code": "TAX", "nameZh": "又一个税务局"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "code"


async def test_a_refused_change_leaves_nothing_half_written(client, headers) -> None:
    before = (await client.get("/api/v1/centres/SFX-QS/items", headers=headers("manager"))).json()
    history_before = (await client.get("/api/v1/history?entity=centre_items", headers=headers("admin"))).json()["total"]
    response = await client.put(
        "/api/v1/centres/SFX-QS/items",
        headers=headers("manager"),
        json={"items": [{"itemCode": "SB001"}, {"itemCode": "NOPE9"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "items", "reason": "unknown item codes: NOPE9"}
    after = (await client.get("/api/v1/centres/SFX-QS/items", headers=headers("manager"))).json()
    assert after == before
    history_after = (await client.get("/api/v1/history?entity=centre_items", headers=headers("admin"))).json()["total"]
    assert history_after == history_before


async def test_a_county_manager_sees_the_centres_below_and_a_township_manager_only_their_own(client, headers) -> None:
    county = (await client.get("/api/v1/centres", headers=headers("manager"))).json()
    assert [c["code"] for c in county] == ["SFX", "SFX-LH", "SFX-QS"]
    township = (await client.get("/api/v1/centres", headers=headers("qs-manager"))).json()
    assert [c["code"] for c in township] == ["SFX-QS"]
    for code in ("SFX", "SFX-LH"):
        response = await client.get(f"/api/v1/centres/{code}/windows", headers=headers("qs-manager"))
        assert response.status_code == 403
    own = await client.get("/api/v1/centres/SFX-QS/staff", headers=headers("qs-manager"))
    assert own.status_code == 200
    assert own.json()["total"] == 4


async def test_a_township_manager_cannot_reach_county_staff_or_users(client, headers) -> None:
    assert (await client.get("/api/v1/staff/SFX001", headers=headers("qs-manager"))).status_code == 403
    assert (await client.get("/api/v1/users/manager", headers=headers("qs-manager"))).status_code == 403
    created = await client.post(
        "/api/v1/users",
        headers=headers("qs-manager"),
        json={
            "username": "intruder",
            "displayName": "越权",
            "password": "long-enough-pw",
            "role": "manager",
            "centreCode": "SFX",
        },
    )
    assert created.status_code == 403


async def test_staff_read_their_own_record_and_not_a_colleagues(client, headers) -> None:
    own = await client.get("/api/v1/staff/me", headers=headers("zhangmin"))
    assert own.status_code == 200
    assert own.json()["employeeNo"] == "SFX003"
    assert own.json()["levelHistory"][0]["skillLevel"] == 4
    assert (await client.get("/api/v1/staff/SFX001", headers=headers("zhangmin"))).status_code == 403


async def test_every_change_is_kept_with_who_when_and_old_to_new(client, headers) -> None:
    response = await client.patch(
        "/api/v1/centres/SFX/windows/7",
        headers=headers("manager"),
        json={"label": "社保医保专窗", "status": "out_of_service"},
    )
    assert response.status_code == 200
    history = (await client.get("/api/v1/history?entity=window&key=SFX/7", headers=headers("manager"))).json()
    latest = history["items"][0]
    assert latest["action"] == "update"
    assert latest["actor"] == "manager"
    assert latest["changes"] == {
        "label": ["社保医保综合窗口", "社保医保专窗"],
        "status": ["in_service", "out_of_service"],
    }


async def test_certifying_a_skill_level_keeps_the_level_history(client, headers) -> None:
    response = await client.post(
        "/api/v1/staff/SFX003/skill-levels",
        headers=headers("manager"),
        json={"skillLevel": 3, "certifiedOn": "2026-11-02", "certBody": "省人才学会", "note": "三级认定通过"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["skillLevel"] == 3
    assert body["skillLevelLabel"] == "三级/高级工"
    assert [h["skillLevel"] for h in body["levelHistory"]] == [4, 3]


async def test_a_device_token_is_shown_once_works_and_stops_working_when_revoked(client, headers) -> None:
    issued = await client.post(
        "/api/v1/centres/SFX/devices", headers=headers("manager"), json={"kind": "kiosk", "name": "二楼取号机"}
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert token.startswith("hk_")
    listed = (await client.get("/api/v1/centres/SFX/devices", headers=headers("manager"))).json()
    assert all("token" not in device for device in listed)
    device_headers = {"Authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/auth/me", headers=device_headers)
    assert me.json()["role"] == "kiosk"
    assert (await client.get("/api/v1/centres/SFX/items", headers=device_headers)).status_code == 200
    assert (await client.get("/api/v1/centres/SFX-QS/items", headers=device_headers)).status_code == 403
    revoked = await client.delete(f"/api/v1/devices/{issued.json()['id']}", headers=headers("manager"))
    assert revoked.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=device_headers)).status_code == 401


async def test_a_new_password_signs_the_user_out_everywhere(client, headers) -> None:
    response = await client.patch(
        "/api/v1/users/zhangmin", headers=headers("manager"), json={"password": "a-brand-new-password"}
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=headers("zhangmin"))).status_code == 401
    signed_in = await client.post(
        "/api/v1/auth/tokens", json={"username": "zhangmin", "password": "a-brand-new-password"}
    )
    assert signed_in.status_code == 201


async def test_a_year_of_holidays_replaces_that_years_entries(client, headers) -> None:
    days = [
        {"on": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"on": "2027-02-20", "kind": "workday", "name": "春节调休上班"},
    ]
    response = await client.put(
        "/api/v1/calendars/CN/years", headers=headers("admin"), json={"year": 2027, "days": days}
    )
    assert response.status_code == 200
    assert [d["on"] for d in response.json()["days"]] == ["2027-01-01", "2027-02-20"]
    year_2026 = (await client.get("/api/v1/calendars/CN?year=2026", headers=headers("manager"))).json()
    assert len(year_2026["days"]) == len(demo.HOLIDAYS_2026)


async def test_a_weekday_cannot_be_a_make_up_workday(client, headers) -> None:
    response = await client.put(
        "/api/v1/calendars/CN/days", headers=headers("admin"), json={"on": "2026-11-23", "kind": "workday"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


async def test_centre_rules_are_validated_and_unknown_policies_refused(client, headers) -> None:
    response = await client.patch(
        "/api/v1/centres/SFX", headers=headers("manager"), json={"rules": {"callingPolicy": "random"}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rules.callingPolicy"
    response = await client.patch(
        "/api/v1/centres/SFX",
        headers=headers("manager"),
        json={"promise": {"shareWithin": 0.9, "withinMinutes": 20, "meanMinutes": 12}},
    )
    assert response.status_code == 200
    assert response.json()["promise"] == {"shareWithin": 0.9, "withinMinutes": 20, "meanMinutes": 12}


async def test_a_township_centre_cannot_sit_under_a_township(client, headers) -> None:
    response = await client.post(
        "/api/v1/centres",
        headers=headers("admin"),
        json={"code": "SFX-QS-X", "nameZh": "青山镇下属镇", "level": "township", "parentCode": "SFX-QS"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parentCode"


async def test_a_manager_adds_a_village_station_below_their_township(client, headers) -> None:
    response = await client.post(
        "/api/v1/centres",
        headers=headers("qs-manager"),
        json={
            "code": "SFX-QS-DW",
            "nameZh": "青山镇东湾村便民服务站",
            "level": "village",
            "parentCode": "SFX-QS",
            "sessions": [{"weekday": 0, "opensAt": "09:00:00", "closesAt": "11:30:00"}],
        },
    )
    assert response.status_code == 201, response.text
    township = (await client.get("/api/v1/centres", headers=headers("qs-manager"))).json()
    assert [c["code"] for c in township] == ["SFX-QS", "SFX-QS-DW"]


async def test_a_county_manager_sets_a_local_holiday_that_applies_below_and_the_nearest_centre_wins(
    client, headers
) -> None:
    county_day = {"on": "2026-12-15", "kind": "holiday", "name": "县庆"}
    response = await client.put("/api/v1/centres/SFX/calendar/days", headers=headers("manager"), json=county_day)
    assert response.status_code == 200, response.text
    township = (await client.get("/api/v1/centres/SFX-QS/calendar?year=2026", headers=headers("qs-manager"))).json()
    by_date = {d["on"]: d for d in township["days"]}
    assert by_date["2026-12-15"] == {"on": "2026-12-15", "kind": "holiday", "name": "县庆", "source": "SFX"}
    assert by_date["2026-10-01"]["source"] == "national"
    # a township's own local day applies to it (and below), not to the county above it
    own = {"on": "2026-12-16", "kind": "holiday", "name": "镇集日"}
    assert (
        await client.put("/api/v1/centres/SFX-QS/calendar/days", headers=headers("qs-manager"), json=own)
    ).status_code == 200
    county = {
        d["on"]
        for d in (await client.get("/api/v1/centres/SFX/calendar?year=2026", headers=headers("manager"))).json()["days"]
    }
    assert "2026-12-16" not in county
    assert (
        await client.put("/api/v1/centres/SFX/calendar/days", headers=headers("qs-manager"), json=own)
    ).status_code == 403


async def test_a_local_holiday_moves_committed_deadlines_and_closes_the_hall(client, headers, clock) -> None:
    await client.put(
        "/api/v1/centres/SFX/calendar/days",
        headers=headers("manager"),
        json={"on": "2026-11-24", "kind": "holiday", "name": "县庆"},
    )
    kiosk = headers("kiosk")
    await client.post("/api/v1/centres/SFX/tickets", headers=kiosk, json={"itemCodes": ["SB003"]})
    await client.post(
        "/api/v1/centres/SFX/windows/1/session", headers=headers("manager"), json={"staffEmployeeNo": "SFX003"}
    )
    await client.post("/api/v1/centres/SFX/windows/1/call-next", headers=headers("zhangmin"))
    await client.post("/api/v1/centres/SFX/windows/1/current/start", headers=headers("zhangmin"), json={})
    done = await client.post(
        "/api/v1/centres/SFX/windows/1/current/complete",
        headers=headers("zhangmin"),
        json={"outcomes": [{"itemCode": "SB003", "outcome": "committed"}]},
    )
    detail = (
        await client.get(f"/api/v1/centres/SFX/tickets/{done.json()['number']}", headers=headers("manager"))
    ).json()
    assert detail["serviceRecords"][0]["dueOn"] == "2026-12-01"  # 5 working days, skipping the local holiday
    clock.advance(timedelta(days=1))  # Tuesday, the local holiday
    closed = await client.post("/api/v1/centres/SFX/tickets", headers=kiosk, json={"itemCodes": ["SB001"]})
    assert closed.status_code == 409
    removed = await client.delete("/api/v1/centres/SFX/calendar/days/2026-11-24", headers=headers("manager"))
    assert removed.status_code == 200
    assert (
        await client.post("/api/v1/centres/SFX/tickets", headers=kiosk, json={"itemCodes": ["SB001"]})
    ).status_code == 201
