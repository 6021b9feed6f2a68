"""A kiosk's retry that loses the race on its idempotency key leaves nothing behind.

The race: a retry reads no ticket for its key, the first attempt commits, and the retry's insert then fails on the
key's unique constraint after the retry has moved the day's counters. Its whole transaction is rolled back and it
answers with the first attempt's ticket: no number is burnt and no daily cap counts the visit twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from queueing.services._issuing import IssuingMixin

pytestmark = pytest.mark.integration

SFX = "/api/v1/centres/SFX"


async def press(client: Any, headers: Any, key: str) -> Any:
    kiosk = {**headers("kiosk"), "Idempotency-Key": key}
    return await client.post(f"{SFX}/tickets", headers=kiosk, json={"itemCodes": ["SB001"]})


async def set_caps(client: Any, headers: Any, *, centre: int, item: int) -> None:
    offered = (await client.get(f"{SFX}/items", headers=headers("manager"))).json()
    items = [{"itemCode": i["itemCode"], "dailyCap": item if i["itemCode"] == "SB001" else None} for i in offered]
    assert (await client.put(f"{SFX}/items", headers=headers("manager"), json={"items": items})).status_code == 200
    capped = await client.patch(SFX, headers=headers("manager"), json={"rules": {"dailyTicketCap": centre}})
    assert capped.status_code == 200, capped.text


async def test_a_retry_that_loses_the_race_returns_the_first_ticket_and_burns_no_number(
    client, headers, monkeypatch
) -> None:
    await set_caps(client, headers, centre=2, item=3)
    first = await press(client, headers, "kiosk1-press-0001")
    assert first.status_code == 201, first.text
    assert first.json()["number"] == "A001"

    original = IssuingMixin._by_idempotency_key
    misses: list[str] = []

    async def miss_the_first_look(self: IssuingMixin, centre: Any, key: str) -> Any:
        if not misses:  # the retry's look-up runs before the first attempt's commit: it sees nothing
            misses.append(key)
            return None
        return await original(self, centre, key)

    monkeypatch.setattr(IssuingMixin, "_by_idempotency_key", miss_the_first_look)
    retry = await press(client, headers, "kiosk1-press-0001")
    assert misses == ["kiosk1-press-0001"]
    assert retry.status_code == 200, retry.text
    assert retry.json()["publicCode"] == first.json()["publicCode"]
    monkeypatch.undo()

    second = await press(client, headers, "kiosk1-press-0002")
    assert second.status_code == 201, second.text
    assert second.json()["number"] == "A002"  # the retry's counter moves were rolled back with it
    third = await press(client, headers, "kiosk1-press-0003")
    assert third.status_code == 409  # the centre's cap of 2 counted the first press once
    assert third.json()["errors"][0] == {"field": "centreCode", "reason": "today's 2 tickets have all been issued"}


async def test_racing_retries_of_one_press_make_one_ticket_counted_once(client, headers) -> None:
    await set_caps(client, headers, centre=2, item=3)
    answers = await asyncio.gather(*(press(client, headers, "kiosk2-press-0001") for _ in range(8)))
    assert [r.status_code for r in answers].count(201) == 1, [r.text for r in answers]
    assert {r.status_code for r in answers} <= {200, 201}
    assert {r.json()["number"] for r in answers} == {"A001"}
    assert (await press(client, headers, "kiosk2-press-0002")).json()["number"] == "A002"
    assert (await press(client, headers, "kiosk2-press-0003")).status_code == 409
