"""The monthly workflow at the 青山镇 township centre: assess, approve, pay drafts, review, approve, lock; the lock on
both engines; corrections in a later month; recomputation of an approved month from what was stored.

The month is October 2026 from the demo generator (``staffing.demo``); the clock stands on Monday 23 November.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from hall.db.engine import make_engine, make_session_maker
from staffing.codec import decode
from staffing.demo import seed_demo_month
from staffing.domain import Grade, PayFacts, PayLine, PayRule, StaffMonthFacts, compute_pay
from staffing.domain.periods import Month
from staffing.models import AssessmentModel, AssessmentMonthModel, PayRecordModel, RuleSetModel
from staffing.services._assessment import regrade
from staffing.services._base import scheme_from_body

pytestmark = pytest.mark.integration

QS = "/api/v1/centres/SFX-QS"
OCTOBER = "2026-10"


async def seed(db: Any, month: Month | None = None, centre: str = "SFX-QS") -> None:
    month = month or Month(2026, 10)
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await seed_demo_month(session, centre_code=centre, month=month, today=date(2026, 11, 23))
    finally:
        await engine.dispose()


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def assessed_and_approved(client: Any, headers: Any) -> dict[str, Any]:
    manager = headers("qs-manager")
    await ok(await client.post(f"{QS}/assessments/{OCTOBER}/compute", headers=manager))
    return await ok(await client.post(f"{QS}/assessments/{OCTOBER}/approve", headers=manager, json={}))


async def locked_month(client: Any, headers: Any) -> dict[str, Any]:
    manager = headers("qs-manager")
    await assessed_and_approved(client, headers)
    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/drafts", headers=manager))
    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/review", headers=manager, json={}))
    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/approve", headers=manager, json={}))
    return await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/lock", headers=manager, json={"note": "已发放"}))


async def test_a_month_goes_from_drafts_through_review_to_locked_pay(db, client, headers) -> None:
    await seed(db)
    manager = headers("qs-manager")
    late = await client.post(
        f"{QS}/assessment-entries",
        headers=manager,
        json={"staffEmployeeNo": "QS002", "category": "attendance", "kind": "late", "on": "2026-10-20",
              "evidence": "考勤机 08:41 到岗"},
    )  # fmt: skip
    assert late.status_code == 201, late.text
    bad_kind = await client.post(
        f"{QS}/assessment-entries",
        headers=manager,
        json={"staffEmployeeNo": "QS002", "category": "quality", "kind": "late", "on": "2026-10-20", "evidence": "x"},
    )
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"

    table = await ok(await client.post(f"{QS}/assessments/{OCTOBER}/compute", headers=manager))
    assert table["status"] == "draft"
    assert [r["staffEmployeeNo"] for r in table["rows"]] == ["QS001", "QS002", "QS003", "QS004"]
    assert table["excellentPlaces"] == 0  # floor(20 % of 4): a small centre has no 优秀 this month
    assert sum(d["count"] for d in table["distribution"]) == 4
    assert "employee id" in table["tieBreak"]
    qs002 = next(r for r in table["rows"] if r["staffEmployeeNo"] == "QS002")
    assert Decimal(qs002["componentScores"]["discipline"]) == Decimal("99.00")  # one late arrival: −1

    drafts = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/drafts", headers=manager))
    assert drafts["statusCounts"] == {"draft": 4}
    assert (drafts["ruleCode"], drafts["ruleVersion"]) == ("SFX-QS", 1)
    record_id = next(r["id"] for r in drafts["records"] if r["staffEmployeeNo"] == "QS002")
    record = await ok(await client.get(f"/api/v1/pay-records/{record_id}", headers=manager))
    assert [line["code"] for line in record["lines"]] == [
        "level_pay", "post_allowance", "performance_pay", "attendance_deduction"
    ]  # fmt: skip
    assert record["lines"][3]["amount"] == "-20.00"
    assert sum(Decimal(line["amount"]) for line in record["lines"]) == Decimal(record["netAmount"])

    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/review", headers=manager, json={}))
    too_early = await client.post(f"/api/v1/pay-records/{record_id}/approve", headers=manager, json={})
    assert too_early.status_code == 409
    assert too_early.json()["errors"][0]["field"] == "month"  # the grades are not approved yet

    no_reason = await client.post(
        f"/api/v1/pay-records/{record_id}/adjustments", headers=manager, json={"kind": "deduction", "amount": "50.00"}
    )
    assert no_reason.status_code == 400
    assert "`reason`" in no_reason.json()["errors"][0]["reason"]  # "Object missing required field `reason`"
    fraction = await client.post(
        f"/api/v1/pay-records/{record_id}/adjustments",
        headers=manager,
        json={"kind": "adjustment", "amount": "10.005", "reason": "补发"},
    )
    assert fraction.status_code == 422
    assert fraction.json()["errors"][0]["field"] == "amount"
    for huge in ("1e26", "1e30", "10000000000.00"):
        too_large = await client.post(
            f"/api/v1/pay-records/{record_id}/adjustments",
            headers=manager,
            json={"kind": "deduction", "amount": huge, "reason": "补发"},
        )
        assert too_large.status_code == 422, too_large.text
        assert too_large.json()["errors"][0] == {"field": "amount", "reason": "is too large"}
    before = Decimal(record["netAmount"])
    adjusted = await ok(
        await client.post(
            f"/api/v1/pay-records/{record_id}/adjustments",
            headers=manager,
            json={"kind": "deduction", "amount": "50.00", "reason": "遗失工牌补办费"},
        ),
        201,
    )
    assert Decimal(adjusted["netAmount"]) == before - Decimal("50.00")
    assert adjusted["lines"][-1] == {
        "code": "deduction", "labelZh": "扣款", "labelEn": "Deduction", "amount": "-50.00", "basis": "遗失工牌补办费"
    }  # fmt: skip

    approved = await ok(await client.post(f"{QS}/assessments/{OCTOBER}/approve", headers=manager, json={}))
    assert approved["status"] == "approved"
    again = await client.post(f"{QS}/assessments/{OCTOBER}/approve", headers=manager, json={})
    assert again.status_code == 409
    recompute = await client.post(f"{QS}/assessments/{OCTOBER}/compute", headers=manager)
    assert recompute.status_code == 409
    entry_after = await client.post(
        f"{QS}/assessment-entries",
        headers=manager,
        json={"staffEmployeeNo": "QS002", "category": "attendance", "kind": "late", "on": "2026-10-21",
              "evidence": "补录"},
    )  # fmt: skip
    assert entry_after.status_code == 409  # October is approved: it takes no new facts

    month = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/approve", headers=manager, json={}))
    assert month["statusCounts"] == {"approved": 4}
    refused = await client.post(
        f"/api/v1/pay-records/{record_id}/adjustments",
        headers=manager,
        json={"kind": "adjustment", "amount": "5.00", "reason": "补发"},
    )
    assert refused.status_code == 409
    locked = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/lock", headers=manager, json={}))
    assert locked["statusCounts"] == {"locked": 4}
    final = await ok(await client.get(f"/api/v1/pay-records/{record_id}", headers=manager))
    assert [e["action"] for e in final["history"]] == ["compute", "review", "recompute", "approve", "lock"]
    assert final["lockedBy"] == "qs-manager"

    exported = await client.get(f"{QS}/pay-records/{OCTOBER}/export.csv", headers=manager)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["employee_no"] for r in rows] == ["QS001", "QS002", "QS003", "QS004"]
    assert sum(Decimal(r["net"]) for r in rows) == Decimal(locked["netTotal"])
    workbook = load_workbook(
        io.BytesIO((await client.get(f"{QS}/pay-records/{OCTOBER}/export.xlsx", headers=manager)).content)
    )
    sheet = workbook.active
    assert sheet.cell(1, 18).value == "net"
    assert sum(Decimal(str(sheet.cell(r, 18).value)) for r in range(2, 6)) == Decimal(locked["netTotal"])


async def test_a_locked_pay_record_is_refused_by_the_service_and_by_the_database(db, client, headers) -> None:
    await seed(db)
    manager = headers("qs-manager")
    records = (await locked_month(client, headers))["records"]
    record_id = records[0]["id"]
    for path, body in (
        ("adjustments", {"kind": "adjustment", "amount": "1.00", "reason": "试图修改"}),
        ("review", {}),
        ("approve", {}),
        ("lock", {}),
    ):
        response = await client.post(f"/api/v1/pay-records/{record_id}/{path}", headers=manager, json=body)
        assert response.status_code == 409, (path, response.text)
        assert response.json()["errors"][0]["field"] == "status"
    drafts = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/drafts", headers=manager))
    assert drafts["statusCounts"] == {"locked": 4}  # preparing again leaves locked records alone

    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            (stored,) = (await conn.execute(text("SELECT net_amount FROM pay_record LIMIT 1"))).one()
        for statement in (
            "UPDATE pay_record SET net_amount = net_amount + 1",
            "UPDATE pay_record SET status = 'draft'",
            "UPDATE assessment SET score = 100",
        ):
            with pytest.raises((IntegrityError, DBAPIError)) as refused:
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
            assert "locked" in str(refused.value) or "approved" in str(refused.value)
        if db.kind == "postgresql":  # PostgreSQL refuses deletes too (SQLite keeps DELETE for test resets)
            with pytest.raises((IntegrityError, DBAPIError)):
                async with engine.begin() as conn:
                    await conn.execute(text("DELETE FROM pay_record"))
        async with make_session_maker(engine)() as session:  # through the ORM, as a careless service would
            row = await session.scalar(select(PayRecordModel).limit(1))
            assert row is not None
            row.net_amount = Decimal("999999.99")
            with pytest.raises((IntegrityError, DBAPIError)):
                await session.commit()
        async with engine.connect() as conn:
            (after,) = (await conn.execute(text("SELECT net_amount FROM pay_record LIMIT 1"))).one()
            (count,) = (await conn.execute(text("SELECT count(*) FROM pay_record"))).one()
        assert Decimal(str(after)) == Decimal(str(stored))
        assert count == 4
    finally:
        await engine.dispose()


async def test_a_correction_of_a_locked_month_is_an_adjustment_in_a_later_month(db, client, headers) -> None:
    await seed(db)
    await seed(db, Month(2026, 11))  # November so far (until Friday the 20th)
    manager = headers("qs-manager")
    record = (await locked_month(client, headers))["records"][1]
    url = f"/api/v1/pay-records/{record['id']}/corrections"
    same = await client.post(url, headers=manager, json={"month": OCTOBER, "amount": "120.00", "reason": "漏发"})
    for huge in ("1e26", "1E+30", "-10000000000.00"):
        refused = await client.post(url, headers=manager, json={"month": "2026-11", "amount": huge, "reason": "漏发"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "amount"
    assert same.status_code == 422
    assert same.json()["errors"][0]["field"] == "month"
    correction = await ok(
        await client.post(
            url, headers=manager, json={"month": "2026-11", "amount": "120.00", "reason": "10月漏发加班补助"}
        ),
        201,
    )
    assert correction["correctsMonth"] == OCTOBER
    await ok(await client.post(f"{QS}/assessments/2026-11/compute", headers=manager))
    november = await ok(await client.post(f"{QS}/pay-records/2026-11/drafts", headers=manager))
    later = next(r for r in november["records"] if r["staffEmployeeNo"] == record["staffEmployeeNo"])
    slip = await ok(await client.get(f"/api/v1/pay-records/{later['id']}", headers=manager))
    assert {"code": "adjustment", "labelZh": "调整", "labelEn": "Adjustment", "amount": "120.00",
            "basis": "更正 2026-10: 10月漏发加班补助"} in slip["lines"]  # fmt: skip
    october = await ok(await client.get(f"/api/v1/pay-records/{record['id']}", headers=manager))
    assert october["netAmount"] == record["netAmount"]  # the locked month itself never changed
    assert october["history"][-1]["action"] == "corrected"


async def test_recomputing_an_approved_month_from_what_was_stored_gives_the_same_amounts_to_the_fen(
    db, client, headers
) -> None:
    await seed(db)
    manager = headers("qs-manager")
    locked = await locked_month(client, headers)
    # The world moves on: new rule versions from November, a finished case recorded late, November's history.
    scheme = (await ok(await client.get(f"{QS}/assessment-scheme", headers=manager)))["body"]
    scheme["weights"] = {
        "workload": "40",
        "efficiency": "10",
        "satisfaction": "25",
        "quality": "10",
        "discipline": "15",
    }
    back = await client.post(
        f"{QS}/assessment-scheme", headers=manager, json={"effectiveFrom": OCTOBER, "scheme": scheme}
    )
    assert back.status_code == 409
    assert back.json()["errors"][0]["field"] == "effectiveFrom"
    published = await client.post(
        f"{QS}/assessment-scheme", headers=manager, json={"effectiveFrom": "2026-11", "scheme": scheme}
    )
    assert published.status_code == 201, published.text
    rule = (await ok(await client.get(f"{QS}/pay-rule", headers=manager)))["body"]
    rule["performanceBaseAmount"] = "999.99"
    await ok(await client.post(f"{QS}/pay-rule", headers=manager, json={"effectiveFrom": "2026-11", "rule": rule}), 201)
    await seed(db, Month(2026, 11))

    report = await ok(await client.get(f"{QS}/assessments/{OCTOBER}/recomputation", headers=manager))
    assert report == {
        "centreCode": "SFX-QS",
        "month": OCTOBER,
        "assessmentsChecked": 4,
        "payRecordsChecked": 4,
        "matches": True,
        "differences": [],
    }

    # The same recomputation done here, from the stored rows and the pure core only.
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session:
            month_row = await session.scalar(select(AssessmentMonthModel).where(AssessmentMonthModel.month == OCTOBER))
            assert month_row is not None
            scheme_row = await session.get(RuleSetModel, month_row.scheme_id)
            assert scheme_row is not None
            stored_scheme, _, _ = scheme_from_body(scheme_row.body)
            assessments = list(
                await session.scalars(
                    select(AssessmentModel).where(AssessmentModel.assessment_month_id == month_row.id)
                )
            )
            regraded = regrade([decode(StaffMonthFacts, a.facts["facts"]) for a in assessments], stored_scheme)
            for assessment in assessments:
                again = regraded[str(assessment.staff_id)]
                assert again.assessment.score == assessment.score
                assert again.grade.value == assessment.grade
            pay_rows = list(await session.scalars(select(PayRecordModel).where(PayRecordModel.month == OCTOBER)))
            assert {r.status for r in pay_rows} == {"locked"}
            for row in pay_rows:
                rule_row = await session.get(RuleSetModel, row.rule_id)
                assert rule_row is not None
                assert rule_row.version == 1  # the version in force in October, not November's
                computed = compute_pay(
                    decode(PayFacts, row.inputs["facts"]), Grade(row.inputs["grade"]), decode(PayRule, rule_row.body)
                )
                assert computed.net_amount == row.net_amount
                assert computed.gross_amount == row.gross_amount
                assert computed.deductions_amount == row.deductions_amount
                assert [line.amount for line in computed.lines] == [decode(PayLine, x).amount for x in row.lines]
                assert computed.net_amount.as_tuple().exponent == -2
    finally:
        await engine.dispose()
    assert Decimal(locked["netTotal"]) == sum((Decimal(r["netAmount"]) for r in locked["records"]), Decimal(0))


async def test_approval_waits_for_drafts_computed_under_the_rule_versions_in_force(db, client, headers) -> None:
    await seed(db)
    manager = headers("qs-manager")
    await ok(await client.post(f"{QS}/assessments/{OCTOBER}/compute", headers=manager))
    scheme = (await ok(await client.get(f"{QS}/assessment-scheme", headers=manager, params={"month": OCTOBER})))["body"]
    scheme["bonusCap"] = "8"
    published = await client.post(
        f"{QS}/assessment-scheme", headers=manager, json={"effectiveFrom": OCTOBER, "scheme": scheme}
    )
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 1  # the township's first own version (it inherited the default)
    stale = await client.post(f"{QS}/assessments/{OCTOBER}/approve", headers=manager, json={})
    assert stale.status_code == 409
    assert "now in force" in stale.json()["errors"][0]["reason"]
    table = await ok(await client.post(f"{QS}/assessments/{OCTOBER}/compute", headers=manager))
    assert (table["schemeCode"], table["schemeVersion"]) == ("SFX-QS", 1)
    await ok(await client.post(f"{QS}/assessments/{OCTOBER}/approve", headers=manager, json={}))

    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/drafts", headers=manager))
    await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/review", headers=manager, json={}))
    rule = (await ok(await client.get(f"{QS}/pay-rule", headers=manager, params={"month": OCTOBER})))["body"]
    rule["postAllowanceAmount"] = "250.00"
    await ok(await client.post(f"{QS}/pay-rule", headers=manager, json={"effectiveFrom": OCTOBER, "rule": rule}), 201)
    stale_pay = await client.post(f"{QS}/pay-records/{OCTOBER}/approve", headers=manager, json={})
    assert stale_pay.status_code == 409
    redrafted = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/drafts", headers=manager))
    assert (redrafted["ruleCode"], redrafted["ruleVersion"]) == ("SFX-QS", 2)
    approved = await ok(await client.post(f"{QS}/pay-records/{OCTOBER}/approve", headers=manager, json={}))
    assert approved["statusCounts"] == {"approved": 4}
    record = await ok(await client.get(f"/api/v1/pay-records/{approved['records'][0]['id']}", headers=manager))
    allowance = next(line for line in record["lines"] if line["code"] == "post_allowance")
    assert allowance["basis"].startswith("250.00")
