"""A report's figures are the figures of the rows: a seeded day recomputed by hand agrees with the exported report.

A scripted morning at the demo county centre is played through the API (tickets, calls, recalls until missed,
reinstatements from the manager's page, transfers, every kind of outcome, cancellations), ratings are given,
committed cases are finished on time and late, and one synthetic demo ticket is added to the day. The day and the
week are then exported to XLSX, and every figure is recomputed here, directly from the tickets, their history,
the service records, the case completions and the ratings, with plain Python written for this test.
The page shows the same numbers as the file.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select
from uuid_utils.compat import uuid7

from hall.db.engine import make_engine
from hall.models import CentreModel, ServiceItemModel, StaffModel, WindowModel
from queueing.models import ServiceRecordModel, TicketEventModel, TicketItemModel, TicketModel
from staffing.models import CaseCompletionModel, RatingModel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)  # a Monday
SFX = "/api/v1/centres/SFX"
WINDOWS = {1: "SFX001", 2: "SFX002", 3: "SFX003", 4: "SFX004", 5: "SFX005"}
INSTANT = ["SB001", "SB002", "YB001", "YB002", "GJJ02", "HJ003", "SW001"]
COMMITTED = ["SB003", "GJJ03", "YB003"]  # committed limits of 5, 3 and 10 working days; 容缺受理 allowed
HEADER_ROWS = 3


async def post(client: Any, url: str, headers: dict[str, str], body: Any = None) -> Any:
    response = await client.post(url, headers=headers, json=body if body is not None else {})
    assert response.status_code in {200, 201, 204}, f"{url}: {response.status_code} {response.text}"
    return response


class Window:
    def __init__(self, number: int) -> None:
        self.number = number
        self.ticket: dict[str, Any] | None = None
        self.status = "idle"
        self.busy_until = 0
        self.absent = False


def outcome_of(rng: random.Random, code: str) -> dict[str, Any]:
    if code in COMMITTED:
        kind = rng.choice(["committed", "committed", "conditional", "returned_with_notice", "rejected"])
    else:
        kind = rng.choice(["instant", "instant", "instant", "consultation", "returned_with_notice"])
    outcome: dict[str, Any] = {"itemCode": code, "outcome": kind}
    if kind == "conditional":
        outcome["pendingDocuments"] = ["户口簿复印件"]
        outcome["supplementDueOn"] = (DAY + timedelta(days=1)).isoformat()
    elif kind == "returned_with_notice":
        outcome["missingMaterials"] = ["身份证复印件"]
    elif kind == "rejected":
        outcome["reason"] = "不符合受理条件"
    return outcome


async def step(
    client: Any, rng: random.Random, w: Window, minute: int, manager: dict[str, str], missed: list[Any]
) -> None:
    base = f"{SFX}/windows/{w.number}"
    if w.ticket is None:
        called = await post(client, f"{base}/call-next", manager)
        if called.status_code == 204:
            return
        w.ticket, w.status, w.absent = called.json()["ticket"], "called", rng.random() < 0.12
        return
    if w.status == "called":
        if w.absent:
            result = (await post(client, f"{base}/current/recall", manager)).json()
            if result["status"] == "no_show":
                missed.append((minute, w.ticket["number"]))
                w.ticket, w.status = None, "idle"
            return
        await post(client, f"{base}/current/start", manager, {"priorityVerified": True})
        w.status, w.busy_until = "serving", minute + rng.randint(2, 12)
        return
    if minute < w.busy_until:
        return
    items = [i["code"] for i in w.ticket["items"]]
    if rng.random() < 0.1 or (len(items) > 1 and rng.random() < 0.5):
        target = 1 if w.number != 1 else 2
        handled = [outcome_of(rng, items[0])] if len(items) > 1 else []
        await post(client, f"{base}/current/transfer", manager, {"toWindow": target, "outcomes": handled})
    else:
        await post(client, f"{base}/current/complete", manager, {"outcomes": [outcome_of(rng, c) for c in items]})
    w.ticket, w.status = None, "idle"


async def play_the_morning(client: Any, headers: Any, clock: Any) -> list[dict[str, Any]]:
    rng = random.Random(7_2026_11_23)
    manager, kiosk = headers("manager"), headers("kiosk")
    clock.set(datetime.combine(DAY, time(9, 0), tzinfo=ZONE))
    for number, staff in WINDOWS.items():
        await post(client, f"{SFX}/windows/{number}/session", manager, {"staffEmployeeNo": staff})
    windows = [Window(n) for n in WINDOWS]
    issued: list[dict[str, Any]] = []
    missed: list[tuple[int, str]] = []
    for minute in range(120):
        if rng.random() < 0.55:
            pool = INSTANT + COMMITTED
            items = rng.sample(pool, 2) if rng.random() < 0.1 else [rng.choice(pool)]
            issued.append((await post(client, f"{SFX}/tickets", kiosk, {"itemCodes": items})).json())
        if issued and rng.random() < 0.04:
            victim = rng.choice(issued)
            if (await client.get(f"/api/v1/tickets/{victim['publicCode']}")).json()["status"] == "waiting":
                await post(client, f"/api/v1/tickets/{victim['publicCode']}/cancel", {})
        for when, number in list(missed):
            if minute == when + 5:
                missed.remove((when, number))
                if rng.random() < 0.6:  # the visitor turns up: the manager reinstates from the live page
                    page = await client.post(f"/manage/SFX/tickets/{number}/reinstate", headers=manager)
                    assert page.status_code == 200, page.text
        for w in windows:
            await step(client, rng, w, minute, manager, missed)
        clock.advance(timedelta(minutes=1))
    for w in windows:  # finish whoever is at a window
        while w.ticket is not None:
            w.busy_until, w.absent = 0, False
            await step(client, rng, w, 10_000, manager, [])
    return issued


async def rate_some_visits(client: Any, issued: list[dict[str, Any]]) -> None:
    rng = random.Random(5)
    for ticket in issued:
        status = (await client.get(f"/api/v1/tickets/{ticket['publicCode']}")).json()["status"]
        if status != "completed" or rng.random() < 0.4:
            continue
        level = rng.choice([5, 5, 5, 4, 3, 2])
        body: dict[str, Any] = {"publicCode": ticket["publicCode"], "level": level, "channel": "qr"}
        if level <= 2:
            body["reasons"] = ["slow_service"]
        await post(client, "/api/v1/ratings", {}, body)


async def add_a_synthetic_ticket(url: str) -> None:
    """One demo-history ticket and its record on the same day, marked as the demo history marks them."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            centre = (await conn.execute(select(CentreModel.id).where(CentreModel.code == "SFX"))).scalar_one()
            item = (
                await conn.execute(select(ServiceItemModel.id).where(ServiceItemModel.code == "SB002"))
            ).scalar_one()
            staff = (await conn.execute(select(StaffModel.id).where(StaffModel.employee_no == "SFX006"))).scalar_one()
            window = (
                await conn.execute(
                    select(WindowModel.id).where(WindowModel.centre_id == centre, WindowModel.number == 7)
                )
            ).scalar_one()
            arrived = datetime.combine(DAY, time(15, 10), tzinfo=ZONE).astimezone(UTC)
            called, ended = arrived + timedelta(minutes=4), arrived + timedelta(minutes=9)
            ticket_id, item_row = uuid7(), uuid7()
            now = datetime.now(UTC)
            await conn.execute(
                insert(TicketModel).values(
                    id=ticket_id, centre_id=centre, service_day=DAY, prefix="A", sequence=900, number="A900",
                    public_code="syn-report-test", status="completed", channel="kiosk", arrived_at=arrived,
                    called_at=called, started_at=called, ended_at=ended, window_id=window, staff_id=staff, recalls=0,
                    idempotency_key=f"synthetic:SFX:{DAY.isoformat()}:1", created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(TicketItemModel).values(
                    id=item_row, ticket_id=ticket_id, item_id=item, item_code="SB002", position=0, is_active=False,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(ServiceRecordModel).values(
                    id=uuid7(), centre_id=centre, ticket_id=ticket_id, ticket_item_id=item_row, item_code="SB002",
                    domain="social_security", window_id=window, staff_id=staff, skill_level=5, arrived_at=arrived,
                    called_at=called, started_at=called, ended_at=ended, items_in_visit=1, outcome="instant",
                    outcome_details={"synthetic": True}, is_synthetic=True, note="synthetic demo history",
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
    finally:
        await engine.dispose()


async def finish_committed_cases(client: Any, headers: Any, url: str) -> None:
    """The first committed case is finished on its due date, the second a day late; the rest stay open."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(ServiceRecordModel.id, ServiceRecordModel.due_on)
                    .where(ServiceRecordModel.outcome.in_(["committed", "conditional"]))
                    .order_by(ServiceRecordModel.due_on, ServiceRecordModel.id)
                )
            ).all()
    finally:
        await engine.dispose()
    assert len(rows) >= 3, "the script accepts committed cases"
    early = [r for r in rows if r.due_on <= date(2026, 11, 26)]
    assert len(early) >= 2, "some are due within the week"
    for (record_id, due_on), late in ((early[0], False), (early[1], True)):
        finished = due_on + timedelta(days=1) if late else due_on
        body = {"serviceRecordId": str(record_id), "finishedOn": finished.isoformat()}
        await post(client, f"{SFX}/case-completions", headers("manager"), body)


# --- the recomputation: straight from the rows, written for this test ----------------------------------------------
def r1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    exact = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return round(100 * float(exact), 1)


async def recompute(url: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            centre = (await conn.execute(select(CentreModel).where(CentreModel.code == "SFX"))).one()
            domains = dict((await conn.execute(select(ServiceItemModel.code, ServiceItemModel.domain))).tuples().all())
            tickets = (
                await conn.execute(
                    select(TicketModel).where(
                        TicketModel.centre_id == centre.id,
                        TicketModel.service_day >= first,
                        TicketModel.service_day <= last,
                    )
                )
            ).all()
            ids = {t.id for t in tickets}
            first_items = {
                r.ticket_id: r.item_code
                for r in (await conn.execute(select(TicketItemModel).where(TicketItemModel.position == 0))).all()
                if r.ticket_id in ids
            }
            events = [e for e in (await conn.execute(select(TicketEventModel))).all() if e.ticket_id in ids]
            records = [r for r in (await conn.execute(select(ServiceRecordModel))).all() if r.ticket_id in ids]
            committed = (
                await conn.execute(
                    select(ServiceRecordModel.id, ServiceRecordModel.due_on, CaseCompletionModel.finished_on)
                    .outerjoin(CaseCompletionModel, CaseCompletionModel.service_record_id == ServiceRecordModel.id)
                    .where(ServiceRecordModel.outcome.in_(["committed", "conditional"]))
                )
            ).all()
            start = datetime.combine(first, time.min, tzinfo=ZONE)
            end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=ZONE)
            ratings = [
                r
                for r in (await conn.execute(select(RatingModel))).all()
                if start <= r.served_at.astimezone(ZONE) < end
            ]
            contacts = sum(
                1
                for t in tickets
                if t.status == "completed" and t.ended_at and start <= t.ended_at.astimezone(ZONE) < end
            )
    finally:
        await engine.dispose()

    calls: dict[Any, datetime] = {}
    for e in sorted(events, key=lambda e: e.id):
        if e.action == "call":
            calls.setdefault(e.ticket_id, e.at)
    waits: dict[Any, float] = {}
    for t in tickets:
        called = calls.get(t.id) or t.called_at
        if called is not None:
            waits[t.id] = (called - t.arrived_at).total_seconds() / 60
    within = centre.promise_within_minutes
    actions = Counter(e.action for e in events)
    missed = {t.id for t in tickets if t.no_show_at is not None} | {
        e.ticket_id for e in events if e.action == "mark_no_show"
    }
    domain_of = {t.id: domains[first_items[t.id]] for t in tickets}
    by_domain: dict[str, list[float]] = defaultdict(list)
    for ticket_id, wait in waits.items():
        by_domain[domain_of[ticket_id]].append(wait)
    by_level: dict[int, list[float]] = defaultdict(list)
    for r in records:
        by_level[r.skill_level].append((r.ended_at - r.started_at).total_seconds() / 60)
    half_hours: Counter[str] = Counter()
    for t in tickets:
        local = t.arrived_at.astimezone(ZONE)
        half_hours[f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"] += 1
    buckets = [0, 5, 10, 15, 20, 30, 45, 60]
    histogram = [0] * len(buckets)
    for wait in waits.values():
        histogram[max(i for i, edge in enumerate(buckets) if wait >= edge)] += 1
    due = [(rid, on, fin) for rid, on, fin in committed if first <= on <= last]
    active = [r for r in ratings if r.origin == "active"]
    positive = sum(1 for r in ratings if r.level >= 3)
    all_waits = list(waits.values())
    return {
        "summary": {
            "Visitors (tickets issued)": len(tickets),
            "Tickets called": len(waits),
            "Items served": len(records),
            "Mean wait (min)": r1(sum(all_waits) / len(all_waits)) if all_waits else None,
            "P90 wait (min)": r1(p90(all_waits)),
            f"Called within the promised {within} min (%)": r1(
                100 * sum(w <= within for w in all_waits) / len(all_waits)
            ),
            "Missed calls (no-shows)": len(missed),
            "Transfers": actions["transfer"],
            "Cancelled": sum(1 for t in tickets if t.status == "cancelled"),
            "Expired unserved at day close": sum(1 for t in tickets if t.status == "expired"),
            "Committed cases due": len(due),
            "Committed cases overdue and unfinished": sum(1 for _, on, fin in due if fin is None and as_of > on),
        },
        "waits_by_domain": {
            d: [len(v), r1(sum(v) / len(v)), r1(p90(v)), r1(100 * sum(w <= within for w in v) / len(v))]
            for d, v in by_domain.items()
        },
        "service_by_level": {level: [len(v), r1(sum(v) / len(v))] for level, v in by_level.items()},
        "outcomes": Counter(r.outcome for r in records),
        "half_hours": dict(half_hours),
        "histogram": histogram,
        "reinstated": actions["reinstate"],
        "synthetic": sum(1 for t in tickets if (t.idempotency_key or "").startswith("synthetic:")),
        "committed": {
            "on_time": sum(1 for _, on, fin in due if fin is not None and fin <= on),
            "late": sum(1 for _, on, fin in due if fin is not None and fin > on),
            "open": sum(1 for _, on, fin in due if fin is None and as_of <= on),
        },
        "ratings": {
            "Service contacts": max(contacts, len(active)),
            "Ratings given by visitors": len(active),
            "Positive rating rate (%)": rate(positive, len(ratings)),
            "Active rating rate (%)": rate(len(active), max(contacts, len(active))),
            "Unrated rate (%)": rate(max(contacts, len(active)) - len(active), max(contacts, len(active))),
        },
    }


# --- the exported files and the page ------------------------------------------------------------------------------
def sheet_rows(workbook: Any, name: str) -> list[list[Any]]:
    sheet = workbook[name]
    rows = [list(r) for r in sheet.iter_rows(min_row=HEADER_ROWS + 2, values_only=True)]
    return [
        r
        for r in rows
        if any(v is not None for v in r) and r[0] is not None and len([v for v in r if v is not None]) > 1
    ]


def keyed(workbook: Any, name: str) -> dict[Any, list[Any]]:
    return {row[0]: row[1:] for row in sheet_rows(workbook, name)}


DOMAIN_EN = {
    "social_security": "Social security",
    "medical_insurance": "Medical insurance",
    "housing_fund": "Housing fund",
    "household_registration": "Household registration",
    "tax": "Tax",
}
LEVEL_EN = {2: "Level 2 (technician)", 3: "Level 3 (senior)", 4: "Level 4 (intermediate)", 5: "Level 5 (junior)"}
OUTCOME_EN = {
    "instant": "Done on the spot",
    "committed": "Accepted, committed deadline",
    "conditional": "Accepted with pending documents",
    "returned_with_notice": "Not accepted: one-time notice of missing materials",
    "rejected": "Rejected",
    "consultation": "Consultation only",
}


def page_table(html: str, key: str) -> dict[str, list[str]]:
    """The rows of a report table on the page, as text, by their first cell."""
    table = re.search(rf'<table[^>]*id="table-{key}".*?</table>', html, re.DOTALL)
    assert table, key
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.DOTALL):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def number(text: str) -> float | None:
    """A figure as the page shows it ("—" for none)."""
    return None if text == "—" else float(text)


def same(page: list[str], file: list[Any]) -> bool:
    return [number(t) for t in page] == [None if v is None else float(v) for v in file]


async def test_the_report_holds_the_figures_recomputed_from_the_rows(client, headers, clock, db) -> None:
    issued = await play_the_morning(client, headers, clock)
    await rate_some_visits(client, issued)
    await add_a_synthetic_ticket(db.url)
    clock.set(datetime.combine(DAY, time(17, 50), tzinfo=ZONE))
    await post(client, f"{SFX}/days/{DAY.isoformat()}/close", headers("manager"))
    clock.set(datetime.combine(date(2026, 11, 27), time(18, 0), tzinfo=ZONE))  # Friday evening
    await finish_committed_cases(client, headers, db.url)
    as_of = date(2026, 11, 27)
    manager = headers("manager")
    client.cookies.set("hall_lang", "en")

    for period, first, last in (("day", DAY, DAY), ("week", DAY, date(2026, 11, 29))):
        expected = await recompute(db.url, first, last, as_of)
        query = f"period={period}&on={DAY.isoformat()}"
        exported = await client.get(f"/manage/SFX/reports/export.xlsx?{query}", headers=manager)
        assert exported.status_code == 200, exported.text
        book = load_workbook(io.BytesIO(exported.content))
        assert "synthetic demo data" in str(book["summary"].cell(row=3, column=1).value)

        summary = keyed(book, "summary")
        for label, value in expected["summary"].items():
            assert summary[label] == [value], f"{period} {label}: file {summary[label]} != rows {value}"
        assert expected["summary"]["Visitors (tickets issued)"] > 50
        assert expected["summary"]["Missed calls (no-shows)"] > 0
        assert expected["summary"]["Transfers"] > 0
        assert expected["reinstated"] > 0
        assert expected["synthetic"] == 1

        waits = keyed(book, "waits-by-domain")
        for domain, figures in expected["waits_by_domain"].items():
            assert waits[DOMAIN_EN[domain]] == figures, domain
        levels = keyed(book, "service-by-level")
        for level, (count, mean) in expected["service_by_level"].items():
            assert levels[LEVEL_EN[level]][:2] == [count, mean], level
        outcomes = sheet_rows(book, "outcomes")
        header = [c.value for c in book["outcomes"][HEADER_ROWS + 1]]
        total = outcomes[-1]
        for outcome, count in expected["outcomes"].items():
            assert total[header.index(OUTCOME_EN[outcome])] == count, outcome
        arrivals = {row[0]: row[1] for row in sheet_rows(book, "half-hours")}
        assert {k: v for k, v in arrivals.items() if v} == expected["half_hours"]
        assert [row[1] for row in sheet_rows(book, "wait-distribution")] == expected["histogram"]
        flows = keyed(book, "flows")["All domains"]
        assert flows[4] == expected["reinstated"]
        committed = sheet_rows(book, "committed")
        assert sum(r[1] for r in committed) == expected["summary"]["Committed cases due"]
        assert sum(r[2] for r in committed) == expected["committed"]["on_time"]
        assert sum(r[3] for r in committed) == expected["committed"]["late"]
        assert sum(r[5] for r in committed) == expected["committed"]["open"]
        ratings = keyed(book, "ratings")
        for label, value in expected["ratings"].items():
            assert ratings[label] == [value], label
        if period == "week":
            assert expected["summary"]["Committed cases due"] >= 2
            assert expected["committed"]["on_time"] == 1
            assert expected["committed"]["late"] == 1

        # the page shows the numbers the file holds
        html = (await client.get(f"/manage/SFX/reports?{query}", headers=manager)).text
        assert 'id="synthetic-notice"' in html
        on_page = page_table(html, "summary")
        for label, value in summary.items():
            assert same(on_page[label], value), label
        for label, values in keyed(book, "waits-by-domain").items():
            assert same(page_table(html, "waits-by-domain")[label], values), label

    csv = await client.get(
        f"/manage/SFX/reports/export.csv?period=day&on={DAY.isoformat()}&table=summary", headers=manager
    )
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert f"Visitors (tickets issued),{len(issued) + 1}" in text
    pdf = await client.get(f"/manage/SFX/reports/report.pdf?period=day&on={DAY.isoformat()}", headers=manager)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
