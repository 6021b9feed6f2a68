"""Slips and exports show amounts exactly as computed: two decimals, no float anywhere."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from staffing import documents
from staffing import schemas as s
from staffing.domain import Grade, PayLineCode
from staffing.domain.wording import say

pytestmark = pytest.mark.unit


def record(net: str = "4353.89") -> s.PayRecordRead:
    now = datetime(2026, 11, 2, 1, tzinfo=UTC)
    lines = [
        s.PayLineRead(code=PayLineCode.LEVEL_PAY, label_zh="等级工资", label_en="Level pay", amount=Decimal("3258.33"),
                      basis=say("level_pay", level="L3", level_zh="三级",
                                basis=say("prorated", amount="3,450.00", worked=17, working=18, value="3,258.33"))),
        s.PayLineRead(code=PayLineCode.POST_ALLOWANCE, label_zh="岗位补助", label_en="Post allowance",
                      amount=Decimal("188.89"), basis="200.00 × 17/18 = 188.89"),  # no phrase: shown as it is
        s.PayLineRead(code=PayLineCode.PERFORMANCE_PAY, label_zh="绩效工资", label_en="Performance pay",
                      amount=Decimal("906.67"), basis=say("performance_prorated", base="800.00", coefficient="1.2",
                                                          grade="优秀", worked=17, working=18, amount="906.67")),
    ]  # fmt: skip
    return s.PayRecordRead(
        id=uuid4(), centre_code="SFX", month="2026-10", status="locked", staff_employee_no="SFX001",
        staff_name="王丽华", skill_level=3, grade=Grade.EXCELLENT, grade_label_zh="优秀", rule_code="SFX",
        rule_version=1, days_worked=17, working_days=18, lines=lines, gross_amount=Decimal("4353.89"),
        deductions_amount=Decimal("0.00"), carried_over_amount=Decimal("0.00"), net_amount=Decimal(net),
        adjustments=[], assessment_id=uuid4(), computed_at=now, approved_at=now, approved_by="manager",
        locked_at=now, locked_by="manager", history=[],
    )  # fmt: skip


def test_money_is_shown_with_thousands_separators_and_two_decimals() -> None:
    assert documents.money(Decimal("4353.89")) == "4,353.89"
    assert documents.money(Decimal("0.00")) == "0.00"
    assert documents.money(Decimal("-20.00")) == "−20.00"  # a minus sign, not a hyphen
    assert documents.percent(Decimal("0.9991")) == "99.91%"
    assert documents.percent(None) == "—"


def test_the_slip_html_lists_every_line_and_the_net_amount_in_local_time() -> None:
    html = documents.pay_slips_html([record()], centre_name="示范县政务服务中心", zone=ZoneInfo("Asia/Shanghai"))
    for text in (
        "示范县政务服务中心 工资条",
        "王丽华",
        "3,258.33",
        "188.89",
        "906.67",
        "¥ 4,353.89",
        "2026-11-02 09:00",
        "L3 三级：3,450.00 × 17/18 天 = 3,258.33",  # the domain's English phrases, in the slip's Chinese
        "800.00 × 1.2（优秀）× 17/18 天 = 906.67",
        "200.00 × 17/18 = 188.89",
    ):
        assert text in html
    assert "days" not in html
    assert "−0.00" not in html  # no deduction: shown as 0.00


def test_the_csv_export_keeps_exact_decimals_and_a_bom_for_spreadsheets() -> None:
    content = documents.export_csv([record(), record("0.01")])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["net"] for r in rows] == ["4353.89", "0.01"]
    assert rows[0]["level_pay"] == "3258.33"
    assert rows[0]["grade"] == "优秀"
    assert sum(Decimal(r["net"]) for r in rows) == Decimal("4353.90")
