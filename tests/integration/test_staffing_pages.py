"""The staffing pages: "My grades" for staff, the manager's assessment, 差评 cases and pay, driven as a browser would.

The month is October 2026 at the 青山镇 township centre from the demo generator (``staffing.demo``); the clock stands
on Monday 23 November. A staff user for 许丹 (QS003) is created here, as the demo has none at the township.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hall.db.engine import make_engine, make_session_maker
from staffing.demo import seed_demo_month
from staffing.domain.periods import Month
from staffing.models import PayAdjustmentModel, PayRecordModel

pytestmark = pytest.mark.integration

QS = "/manage/SFX-QS"
OCTOBER = "2026-10"
PASSWORD = "Qs-staff-2026"  # a throwaway test account


def english(client: Any) -> None:
    """English pages, and redirects returned as they are (a page's form answers 303 when accepted)."""
    client.cookies.set("hall_lang", "en")
    client.follow_redirects = False


async def seed(db: Any) -> None:
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await seed_demo_month(session, centre_code="SFX-QS", month=Month(2026, 10), today=date(2026, 11, 23))
    finally:
        await engine.dispose()


async def count(db: Any, model: Any) -> int:
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())
    finally:
        await engine.dispose()


async def staff_user(client: Any, headers: Any, employee_no: str, username: str) -> dict[str, str]:
    user = {
        "username": username,
        "displayName": username,
        "password": PASSWORD,
        "role": "staff",
        "centreCode": "SFX-QS",
        "staffEmployeeNo": employee_no,
    }
    created = await client.post("/api/v1/users", headers=headers("admin"), json=user)
    assert created.status_code == 201, created.text
    token = await client.post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD})
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


async def served_visit(client: Any, headers: Any, clock: Any) -> dict[str, Any]:
    """One visit at the county centre, from the kiosk to completion by 张敏 (SFX003) at window 1."""
    sfx = "/api/v1/centres/SFX"
    ticket = (await client.post(f"{sfx}/tickets", headers=headers("kiosk"), json={"itemCodes": ["SB001"]})).json()
    manager = headers("manager")
    opened = await client.post(f"{sfx}/windows/1/session", headers=manager, json={"staffEmployeeNo": "SFX003"})
    assert opened.status_code == 201, opened.text
    assert (await client.post(f"{sfx}/windows/1/call-next", headers=manager)).status_code == 200
    await client.post(f"{sfx}/windows/1/current/start", headers=manager, json={})
    clock.advance(timedelta(minutes=6))
    done = await client.post(
        f"{sfx}/windows/1/current/complete",
        headers=manager,
        json={"outcomes": [{"itemCode": "SB001", "outcome": "instant"}]},
    )
    assert done.status_code == 200, done.text
    return ticket  # type: ignore[no-any-return]


def see_other(response: Any, where: str) -> None:
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"].startswith(where), response.headers["location"]


def record_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-record="([0-9a-f-]{36})"', html)


async def approved_and_locked(client: Any, manager: dict[str, str]) -> str:
    """Compute and approve October, then prepare, review, approve and lock its pay, all through the pages."""
    see_other(await client.post(f"{QS}/assessment/{OCTOBER}/compute", headers=manager), f"{QS}/assessment?month=")
    see_other(
        await client.post(f"{QS}/assessment/{OCTOBER}/approve", headers=manager, data={"note": "月度考核审定"}),
        f"{QS}/assessment?month={OCTOBER}&done=approved",
    )
    see_other(await client.post(f"{QS}/pay/{OCTOBER}/prepare", headers=manager), f"{QS}/pay?month={OCTOBER}")
    for action in ("review", "approve", "lock"):
        see_other(
            await client.post(f"{QS}/pay/{OCTOBER}/{action}", headers=manager, data={"note": ""}),
            f"{QS}/pay?month={OCTOBER}&done={action}",
        )
    return (await client.get(f"{QS}/pay?month={OCTOBER}", headers=manager)).text


async def test_the_manager_assesses_and_pays_the_month_through_the_pages(db, client, headers) -> None:
    await seed(db)
    english(client)
    manager = headers("qs-manager")
    empty = await client.get(f"{QS}/assessment?month={OCTOBER}", headers=manager)
    assert empty.status_code == 200
    assert 'id="compute-form"' in empty.text
    assert "Not computed yet" in empty.text

    see_other(await client.post(f"{QS}/assessment/{OCTOBER}/compute", headers=manager), f"{QS}/assessment?month=")
    table = (await client.get(f"{QS}/assessment?month={OCTOBER}&done=computed", headers=manager)).text
    assert "drafts are computed from the records as they stand now" in table
    assert 'data-status="draft"' in table
    staff_rows = re.findall(r'<tr data-staff="(QS\d+)"', table.split('id="assessment-table"')[1].split("</table>")[0])
    assert staff_rows == ["QS001", "QS002", "QS003", "QS004"]
    notes = re.findall(r'<td class="note-cell">(.*?)</td>', table)
    assert len(notes) == 4
    assert all(re.fullmatch(r"score [\d.]+.* → \w+", note) for note in notes), notes  # the English "why"
    assert 'id="chart-distribution"' in table
    assert re.search(r'<tr data-grade="excellent">.*?</tr>', table, re.DOTALL)
    assert 'id="excellent-places">0<' in table  # floor(20 % × 4) = 0: nobody may be Excellent
    assert 'id="approve-form"' in table

    # Pay cannot be approved before the grades.
    see_other(await client.post(f"{QS}/pay/{OCTOBER}/prepare", headers=manager), f"{QS}/pay?month={OCTOBER}")
    see_other(await client.post(f"{QS}/pay/{OCTOBER}/review", headers=manager), f"{QS}/pay?month={OCTOBER}")
    early = await client.post(f"{QS}/pay/{OCTOBER}/approve", headers=manager, data={"note": ""})
    assert early.status_code == 409
    assert "Approve the month&#39;s grades first" in early.text
    assert 'data-count="in_review">4<' in early.text  # nothing changed

    see_other(
        await client.post(f"{QS}/assessment/{OCTOBER}/approve", headers=manager, data={"note": "审定"}),
        f"{QS}/assessment?month={OCTOBER}&done=approved",
    )
    approved = (await client.get(f"{QS}/assessment?month={OCTOBER}", headers=manager)).text
    assert 'data-status="approved"' in approved
    assert 'id="approve-form"' not in approved
    again = await client.post(f"{QS}/assessment/{OCTOBER}/approve", headers=manager, data={"note": ""})
    assert again.status_code == 409
    assert "This month is already approved." in again.text

    for action in ("approve", "lock"):
        see_other(
            await client.post(f"{QS}/pay/{OCTOBER}/{action}", headers=manager, data={"note": ""}),
            f"{QS}/pay?month={OCTOBER}&done={action}",
        )
    pay = (await client.get(f"{QS}/pay?month={OCTOBER}&done=lock", headers=manager)).text
    assert "can never change again" in pay
    assert 'data-count="locked">4<' in pay
    assert 'id="prepare-form"' not in pay  # locked records are not recomputed
    ids = record_ids(pay)
    assert len(ids) == 4
    slips = await client.get(f"{QS}/pay/{OCTOBER}/slips.pdf", headers=manager)
    assert slips.status_code == 200
    assert slips.content.startswith(b"%PDF")
    csv_file = await client.get(f"{QS}/pay/{OCTOBER}/export.csv", headers=manager)
    assert csv_file.status_code == 200
    assert "QS003" in csv_file.content.decode("utf-8-sig")
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"  # one charset, not two
    xlsx = await client.get(f"{QS}/pay/{OCTOBER}/export.xlsx", headers=manager)
    assert xlsx.content.startswith(b"PK")

    record = (await client.get(f"{QS}/pay/records/{ids[0]}", headers=manager)).text
    assert 'data-pay-status="locked"' in record
    assert 'id="read-only-notice"' in record
    assert 'id="adjustment-form"' not in record  # read-only: only a correction in a later month
    assert 'id="correction-form"' in record
    slip = await client.get(f"{QS}/pay/records/{ids[0]}/slip.pdf", headers=manager)
    assert slip.headers["content-type"] == "application/pdf"

    staff_page = await client.get(f"{QS}/assessment/{OCTOBER}/staff/QS003", headers=manager)
    assert staff_page.status_code == 200
    assert 'id="component-workload"' in staff_page.text
    drill = await client.get(f"{QS}/assessment/{OCTOBER}/staff/QS003/records/workload", headers=manager)
    assert drill.status_code == 200
    assert 'id="served-records"' in drill.text


async def test_a_locked_record_refuses_changes_and_a_bad_correction_names_the_field(db, client, headers) -> None:
    await seed(db)
    english(client)
    manager = headers("qs-manager")
    ids = record_ids(await approved_and_locked(client, manager))
    record = f"{QS}/pay/records/{ids[0]}"
    before = await count(db, PayAdjustmentModel)
    see_other(  # every record is locked: nothing to compute, and the page says so
        await client.post(f"{QS}/pay/{OCTOBER}/prepare", headers=manager),
        f"{QS}/pay?month={OCTOBER}&done=prepared_none",
    )
    nothing = (await client.get(f"{QS}/pay?month={OCTOBER}&done=prepared_none", headers=manager)).text
    assert "No draft was computed: every record of this month is already approved or locked." in nothing

    refused = await client.post(
        f"{record}/adjustments", headers=manager, data={"kind": "adjustment", "amount": "100.00", "reason": "补发"}
    )
    assert refused.status_code == 409
    assert "This pay record is not at the step this action needs." in refused.text
    assert "can never change" in refused.text

    bad_amount = await client.post(
        f"{record}/corrections", headers=manager, data={"month": "2026-11", "amount": "12.345", "reason": "补发"}
    )
    assert bad_amount.status_code == 422
    assert "Amount (yuan): must be an amount in whole fen" in bad_amount.text
    assert 'value="12.345"' in bad_amount.text  # what was typed is kept
    assert re.search(r'id="f-cor-amount"[^>]*aria-invalid="true"', bad_amount.text)

    huge = await client.post(
        f"{record}/corrections", headers=manager, data={"month": "2026-11", "amount": "1e26", "reason": "补发"}
    )
    assert huge.status_code == 422
    assert "Amount (yuan): is too large" in huge.text
    no_reason = await client.post(
        f"{record}/corrections", headers=manager, data={"month": "2026-11", "amount": "50.00", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Reason: is required: give the reason" in no_reason.text
    earlier = await client.post(
        f"{record}/corrections", headers=manager, data={"month": "2026-09", "amount": "50.00", "reason": "补发"}
    )
    assert earlier.status_code == 422
    assert "must be a month after the corrected one" in earlier.text
    for far, why in (
        ("2027-02", "must be at most two months after the current month"),  # the clock is in November 2026
        ("9999-12", "must be a month from 2000-01 to 2100-12"),
    ):
        parked = await client.post(
            f"{record}/corrections", headers=manager, data={"month": far, "amount": "50.00", "reason": "补发"}
        )
        assert parked.status_code == 422, far
        assert f"Month that carries the correction: {why}" in parked.text
        assert f'value="{far}"' in parked.text
    assert await count(db, PayAdjustmentModel) == before

    see_other(
        await client.post(
            f"{record}/corrections", headers=manager, data={"month": "2026-11", "amount": "50.00", "reason": "漏计加班"}
        ),
        f"{record}?done=corrected",
    )
    assert await count(db, PayAdjustmentModel) == before + 1
    corrected = (await client.get(record, headers=manager)).text  # the corrected month lists where it was corrected
    row = re.search(r'<tr data-correction="[0-9a-f-]{36}" data-month="2026-11">.*?</tr>', corrected, re.DOTALL)
    assert row is not None
    assert "漏计加班" in row.group(0)
    assert "50.00" in row.group(0)


async def test_a_draft_is_adjusted_only_with_a_reason_and_the_adjustment_can_be_withdrawn(db, client, headers) -> None:
    await seed(db)
    english(client)
    manager = headers("qs-manager")
    see_other(await client.post(f"{QS}/assessment/{OCTOBER}/compute", headers=manager), f"{QS}/assessment")
    see_other(await client.post(f"{QS}/pay/{OCTOBER}/prepare", headers=manager), f"{QS}/pay")
    ids = record_ids((await client.get(f"{QS}/pay?month={OCTOBER}", headers=manager)).text)
    record = f"{QS}/pay/records/{ids[0]}"

    no_reason = await client.post(
        f"{record}/adjustments", headers=manager, data={"kind": "deduction", "amount": "20.00", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert re.search(r'id="f-adj-reason"[^>]*aria-invalid="true"', no_reason.text)
    assert 'value="20.00"' in no_reason.text
    not_money = await client.post(
        f"{record}/adjustments", headers=manager, data={"kind": "deduction", "amount": "twenty", "reason": "迟到"}
    )
    assert not_money.status_code == 422
    assert "Amount (yuan): must be an amount in yuan" in not_money.text
    for huge in ("1e26", "-99999999999.00", "10000000000"):
        too_large = await client.post(
            f"{record}/adjustments", headers=manager, data={"kind": "adjustment", "amount": huge, "reason": "补发"}
        )
        assert too_large.status_code == 422, huge
        assert "Amount (yuan): is too large" in too_large.text
        assert f'value="{huge}"' in too_large.text
    assert await count(db, PayAdjustmentModel) == 0

    see_other(
        await client.post(
            f"{record}/adjustments",
            headers=manager,
            data={"kind": "deduction", "amount": "20.00", "reason": "工牌遗失"},
        ),
        f"{record}?done=adjusted",
    )
    page = (await client.get(record, headers=manager)).text
    assert "<td>工牌遗失</td>" in page
    [adjustment] = re.findall(r'<tr data-adjustment="([0-9a-f-]{36})"', page)
    assert 'data-total="deductions">20.00<' in page

    no_withdraw_reason = await client.post(
        f"{record}/adjustments/{adjustment}/withdraw", headers=manager, data={"reason": ""}
    )
    assert no_withdraw_reason.status_code == 422
    assert "Reason: is required" in no_withdraw_reason.text
    see_other(
        await client.post(f"{record}/adjustments/{adjustment}/withdraw", headers=manager, data={"reason": "已找回"}),
        f"{record}?done=withdrawn",
    )
    page = (await client.get(record, headers=manager)).text
    assert 'class="withdrawn"' in page
    assert 'data-total="deductions">0.00<' in page
    again = await client.post(f"{record}/adjustments/{adjustment}/withdraw", headers=manager, data={"reason": "重复"})
    assert again.status_code == 409
    assert "This adjustment is already withdrawn." in again.text
    assert "adjustmentId: this adjustment" not in again.text.split('class="flash-detail"')[0]  # not the main message

    see_other(await client.post(f"{record}/review", headers=manager, data={"note": ""}), f"{record}?done=review")
    early = await client.post(f"{record}/approve", headers=manager, data={"note": ""})
    assert early.status_code == 409  # the grades of the month are not approved yet
    assert "Approve the month&#39;s grades first" in early.text
    assert 'data-pay-status="in_review"' in early.text


async def test_staff_see_their_own_grades_and_approved_pay_and_nothing_else(db, client, headers) -> None:
    await seed(db)
    english(client)
    manager = headers("qs-manager")
    xu = await staff_user(client, headers, "QS003", "xudan")
    before = (await client.get("/me/grades", headers=xu)).text
    assert "No month has been assessed for you yet." in before

    see_other(await client.post(f"{QS}/assessment/{OCTOBER}/compute", headers=manager), f"{QS}/assessment")
    see_other(await client.post(f"{QS}/pay/{OCTOBER}/prepare", headers=manager), f"{QS}/pay")
    draft_ids = record_ids((await client.get(f"{QS}/pay?month={OCTOBER}", headers=manager)).text)
    month = (await client.get(f"/me/grades/{OCTOBER}", headers=xu)).text
    assert 'id="draft-notice"' in month  # a draft month is shown as a draft
    assert "The pay record of this month is not approved yet." in month
    assert (await client.get(f"/me/pay/{draft_ids[2]}", headers=xu)).status_code == 404  # my draft: not yet shown

    ids = record_ids(await approved_and_locked(client, manager))
    index = (await client.get("/me/grades", headers=xu)).text
    assert f'<tr data-month="{OCTOBER}">' in index
    assert 'id="promotion"' in index
    [mine] = re.findall(r'<tr data-record="([0-9a-f-]{36})"', index)
    assert mine in ids

    month = (await client.get(f"/me/grades/{OCTOBER}", headers=xu)).text
    assert 'id="draft-notice"' not in month
    for component, weight in (("workload", 30), ("efficiency", 20), ("satisfaction", 25), ("quality", 10)):
        card = re.search(rf'id="component-{component}".*?</article>', month, re.DOTALL)
        assert card is not None, component
        assert f"Weight {weight}%" in card.group(0)
        assert "At the centre this month: mean" in card.group(0)
    assert f'href="/me/grades/{OCTOBER}/records/workload"' in month
    assert 'id="chart-components"' in month
    assert "data-pay-lines" in month
    drill = await client.get(f"/me/grades/{OCTOBER}/records/workload", headers=xu)
    assert drill.status_code == 200
    assert re.search(r'<tr data-record="[0-9a-f-]{36}"', drill.text)
    ratings = await client.get(f"/me/grades/{OCTOBER}/records/satisfaction", headers=xu)
    assert re.search(r'<tr data-rating="[0-9a-f-]{36}"', ratings.text)
    assert re.search(r'<span data-item="(\w+)">\1 [^<]+</span>', ratings.text)  # the item's name, not its code only
    assert (await client.get(f"/me/grades/{OCTOBER}/records/nonsense", headers=xu)).status_code == 404
    slip = await client.get(f"/me/pay/{mine}/slip.pdf", headers=xu)
    assert slip.status_code == 200
    assert slip.content.startswith(b"%PDF")
    report = await client.get(f"/me/grades/{OCTOBER}/report.pdf", headers=xu)
    assert report.content.startswith(b"%PDF")
    missing = await client.get("/me/grades/2026-09", headers=xu)
    assert missing.status_code == 404
    assert "There is no assessment for this month." in missing.text

    for other in (i for i in ids if i != mine):  # another staff member's pay record and slip
        assert (await client.get(f"/me/pay/{other}", headers=xu)).status_code == 403
        assert (await client.get(f"/me/pay/{other}/slip.pdf", headers=xu)).status_code == 403
    for url in (
        f"{QS}/assessment",
        f"{QS}/assessment/{OCTOBER}/staff/QS001",
        f"{QS}/negative-cases",
        f"{QS}/pay",
        f"{QS}/pay/records/{ids[0]}",
    ):
        assert (await client.get(url, headers=xu)).status_code == 403, url
    assert (await client.post(f"{QS}/pay/{OCTOBER}/lock", headers=xu)).status_code == 403
    assert (await client.get("/me/grades", headers=manager)).status_code == 403  # "My grades" is for staff


async def test_a_township_manager_sees_only_their_own_centres_staffing_pages(db, client, headers) -> None:
    qs = headers("qs-manager")
    for url in ("/manage/SFX/assessment", "/manage/SFX/negative-cases", "/manage/SFX/pay", "/manage/SFX-LH/pay"):
        assert (await client.get(url, headers=qs)).status_code == 403, url
    assert (await client.post(f"/manage/SFX/assessment/{OCTOBER}/compute", headers=qs)).status_code == 403
    for url in (f"{QS}/assessment", f"{QS}/negative-cases", f"{QS}/pay"):
        assert (await client.get(url, headers=qs)).status_code == 200, url
    county = headers("manager")
    assert (await client.get(f"{QS}/pay", headers=county)).status_code == 200  # the county manager sees below
    assert await count(db, PayRecordModel) == 0


async def test_a_negative_case_moves_through_its_workflow_from_its_page_with_reasons(
    db, client, headers, clock
) -> None:
    english(client)
    ticket = await served_visit(client, headers, clock)
    receipt = await client.post(
        "/api/v1/ratings",
        json={"publicCode": ticket["publicCode"], "level": 2, "channel": "qr", "reasons": ["long_wait"]},
    )
    assert receipt.status_code == 201, receipt.text
    case_id = receipt.json()["negativeCaseId"]
    manager = headers("manager")
    listed = (await client.get("/manage/SFX/negative-cases", headers=manager)).text
    assert f'data-case="{case_id}"' in listed
    case_url = f"/manage/SFX/negative-cases/{case_id}"
    page = (await client.get(case_url, headers=manager)).text
    assert 'data-status="open"' in page
    assert 'data-deadline="verify"' in page
    clock.advance(timedelta(days=2))  # Wednesday: the verification callback is a day late
    overdue = (await client.get("/manage/SFX/negative-cases?overdue=true", headers=manager)).text
    row = re.search(rf'<tr data-case="{case_id}" class="row-overdue">.*?</tr>', overdue, re.DOTALL)
    assert row is not None
    assert 'class="overdue-mark"' in row.group(0)

    no_reason = await client.post(
        f"{case_url}/move", headers=manager, data={"to": "verified", "classification": "valid"}
    )
    assert no_reason.status_code == 422
    assert re.search(r'id="f-note"[^>]*aria-invalid="true"', no_reason.text)
    unclassified = await client.post(f"{case_url}/move", headers=manager, data={"to": "verified", "note": "已回访"})
    assert unclassified.status_code == 422
    assert re.search(r'id="f-classification"[^>]*aria-invalid="true"', unclassified.text)
    assert 'data-status="open"' in unclassified.text  # nothing moved
    assert "已回访" in unclassified.text  # what was typed is kept

    steps = (
        {"to": "verified", "classification": "valid", "hasCallback": "on", "note": "已回访核实"},
        {"to": "rectifying", "note": "张贴一次性告知清单"},
        {"to": "replied", "note": "已反馈评价人"},
        {"to": "closed", "note": "办结"},
    )
    for step in steps:
        see_other(await client.post(f"{case_url}/move", headers=manager, data=step), f"{case_url}?done=moved")
    closed = (await client.get(case_url, headers=manager)).text
    assert 'data-status="closed"' in closed
    assert "已回访核实" in closed
    assert re.findall(r'name="to" value="(\w+)"', closed) == ["appealed"]  # only the staff member's appeal is left

    clock.advance(timedelta(days=14))  # the appeal period (five working days after verification) is over
    late = (await client.get(case_url, headers=manager)).text
    assert re.findall(r'name="to" value="(\w+)"', late) == []
    assert "The case has no further step." in late
    refused = await client.post(f"{case_url}/move", headers=manager, data={"to": "appealed", "note": "申诉"})
    assert refused.status_code == 422
    assert "Next step: The appeal period is over." in refused.text
    assert "the appeal period ended" not in refused.text.split('id="case-history"')[0]  # no English reason

    overdue = (await client.get("/manage/SFX/negative-cases?overdue=true", headers=manager)).text
    assert f'data-case="{case_id}"' not in overdue  # verified a day late, but closed: nothing is overdue now
    assert (await client.get(case_url, headers=headers("zhangmin"))).status_code == 403
    assert (await client.get(f"/manage/SFX-QS/negative-cases/{case_id}", headers=manager)).status_code == 404


async def test_the_explanations_read_in_chinese_on_chinese_pages_and_as_served_on_english_ones(
    db, client, headers
) -> None:
    await seed(db)
    client.follow_redirects = False  # Chinese pages: the default
    manager = headers("qs-manager")
    ids = record_ids(await approved_and_locked(client, manager))
    staff = (await client.get(f"{QS}/assessment/{OCTOBER}/staff/QS003", headers=manager)).text
    assert re.search(r"<td>\d+ 件事项，标准工时 [\d,.]+ 分钟</td>", staff)
    assert re.search(r"<td>[\d,.]+ 小时</td>", staff)
    assert "standard min" not in staff
    assert " items, " not in staff
    workload = (await client.get(f"{QS}/assessment/{OCTOBER}/staff/QS003/records/workload", headers=manager)).text
    assert "标准工时" in workload
    assert "standard min" not in workload

    record = (await client.get(f"{QS}/pay/records/{ids[0]}", headers=manager)).text
    lines = record.split("data-pay-lines")[1].split("</table>")[0]
    assert " days" not in lines
    assert re.search(r"天 = [\d,.]+", lines)  # the pro-rated basis: "× 18/20 天 = …"
    history = record.split('id="pay-history-')[1].split("</table>")[0]
    assert re.search(r'<span data-detail="net">实发金额：[\d.]+</span>', history)
    assert "net: " not in history
    assert 'data-detail="grade">等次：' in history

    english(client)
    staff_en = (await client.get(f"{QS}/assessment/{OCTOBER}/staff/QS003", headers=manager)).text
    assert re.search(r"<td>\d+ items, [\d,.]+ standard min</td>", staff_en)  # as the API serves it
    record_en = (await client.get(f"{QS}/pay/records/{ids[0]}", headers=manager)).text
    assert re.search(r'<span data-detail="net">Net pay: [\d.]+</span>', record_en)


async def test_a_month_out_of_range_or_a_malformed_id_in_the_address_is_a_page_that_says_so(
    db, client, headers
) -> None:
    await seed(db)
    english(client)
    manager = headers("qs-manager")
    for url in (f"{QS}/assessment", f"{QS}/pay", f"{QS}/negative-cases"):
        for month in ("9999-12", "1999-12", "2101-01"):
            far = await client.get(f"{url}?month={month}", headers=manager)
            assert far.status_code == 422, (url, month)
            assert "Choose a month from 2000-01 to 2100-12." in far.text
            assert far.headers["content-type"].startswith("text/html")
        edge = await client.get(f"{url}?month=2100-12", headers=manager)
        assert edge.status_code == 200, url  # the last month is shown, its neighbours computed without overflow
    api = await client.get("/api/v1/centres/SFX-QS/assessments/9999-12", headers=manager)
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "month"

    xu = await staff_user(client, headers, "QS003", "xudan")
    for url, who in (
        (f"{QS}/pay/records/x", manager),
        (f"{QS}/pay/records/not-a-uuid/slip.pdf", manager),
        (f"{QS}/negative-cases/not-a-uuid", manager),
        ("/me/pay/not-a-uuid", xu),
    ):
        missing = await client.get(url, headers=who)
        assert missing.status_code == 404, url
        assert missing.headers["content-type"].startswith("text/html"), url
        assert "This page does not exist." in missing.text
    posted = await client.post(f"{QS}/pay/records/x/adjustments", headers=manager, data={"kind": "adjustment"})
    assert posted.status_code == 404
    assert "This page does not exist." in posted.text
