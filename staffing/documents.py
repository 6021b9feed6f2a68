"""The staffing documents: pay slips, the centre-month batch, assessment reports (PDF); CSV and XLSX exports.

Documents are built from the same read models the API returns, so a PDF shows exactly what the API says. HTML
comes from the Jinja templates in ``staffing/templates``; :func:`hall.pdf.render.render_pdf` turns it into PDF
with the shipped CJK font.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from hall.domain.skills import SkillLevel
from hall.pages.staffing_words import Words
from hall.pdf.render import render_pdf
from staffing import schemas as s

_STATUS_ZH = {"draft": "草稿", "in_review": "审核中", "approved": "已审批", "locked": "已锁定"}
_ADJUSTMENT_ZH = {"adjustment": "调整", "deduction": "扣款", "correction": "更正"}


def money(amount: Decimal) -> str:
    """Format yuan with thousands separators and two decimals (amounts are already whole fen), − for minus."""
    text = f"{amount:,.2f}"
    return "−" + text[1:] if text.startswith("-") else text


def percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def sources_text(sources: s.ComponentSources) -> str:
    parts = []
    if sources.service_record_ids:
        parts.append(f"服务记录 {len(sources.service_record_ids)} 条")
    if sources.rating_ids:
        parts.append(f"有效评价 {len(sources.rating_ids)} 条")
    if sources.pending_rating_ids:
        parts.append(f"待核实差评 {len(sources.pending_rating_ids)} 条（未计入）")
    if sources.excluded_rating_ids:
        parts.append(f"不计入的评价 {len(sources.excluded_rating_ids)} 条")
    if sources.late_case_record_ids:
        parts.append(f"超期承诺件 {len(sources.late_case_record_ids)} 件")
    if sources.entry_ids:
        parts.append(f"管理人员录入 {len(sources.entry_ids)} 条")
    return "；".join(parts) or "无"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("staffing", "templates"), autoescape=select_autoescape(["html"]), auto_reload=False
    )
    env.globals.update(
        money=money,
        percent=percent,
        sources_text=sources_text,
        status_zh=lambda status: _STATUS_ZH.get(status, status),
        adjustment_zh=lambda kind: _ADJUSTMENT_ZH.get(str(kind), str(kind)),
        level_zh=lambda level: SkillLevel(level).label_zh,
        # the domain writes its explanations (a pay line's basis, a score line's value) as English phrases; the
        # documents are Chinese, so they go through the same catalogue as the pages (``hall/locale``)
        explain=Words("zh_CN").text,
    )
    return env


def _render(template: str, zone: ZoneInfo, **context: Any) -> str:
    def local(at: datetime) -> str:
        return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"

    return _environment().get_template(template).render(local=local, **context)


def pay_slips_html(slips: Sequence[s.PayRecordRead], *, centre_name: str, zone: ZoneInfo) -> str:
    title = f"工资条 {slips[0].month}" if slips else "工资条"
    return _render("pay_slip.html", zone, slips=slips, centre_name=centre_name, title=title)


def centre_slips_html(
    summary: s.CentrePayRead, slips: Sequence[s.PayRecordRead], *, centre_name: str, zone: ZoneInfo
) -> str:
    return _render(
        "centre_slips.html",
        zone,
        summary=summary,
        slips=slips,
        centre_name=centre_name,
        centre_code=summary.centre_code,
        month=summary.month,
        title=f"{summary.centre_code} {summary.month} 工资汇总",
    )


def assessment_report_html(assessment: s.StaffAssessmentRead, *, centre_name: str, zone: ZoneInfo) -> str:
    return _render(
        "assessment_report.html",
        zone,
        a=assessment,
        centre_name=centre_name,
        title=f"绩效考核 {assessment.month} {assessment.staff_name}",
    )


def pdf(html: str) -> bytes:
    """Render one document (blocking: call it in a worker thread)."""
    return render_pdf(html)


EXPORT_HEADER = [
    "centre",
    "month",
    "employee_no",
    "name",
    "status",
    "grade",
    "skill_level",
    "days_worked",
    "working_days",
    "level_pay",
    "post_allowance",
    "performance_pay",
    "adjustments",
    "deductions",
    "gross",
    "deductions_total",
    "carried_over",
    "net",
    "rule",
    "record_id",
]


def _export_rows(records: Sequence[s.PayRecordRead]) -> list[list[Any]]:
    rows = []
    for r in records:
        by_code: dict[str, Decimal] = {}
        for line in r.lines:
            by_code[line.code.value] = by_code.get(line.code.value, Decimal("0.00")) + line.amount
        deductions = sum(
            (by_code.get(c, Decimal("0.00")) for c in ("attendance_deduction", "deduction", "carried_in")),
            Decimal("0.00"),
        )
        rows.append(
            [
                r.centre_code,
                r.month,
                r.staff_employee_no,
                r.staff_name,
                r.status,
                r.grade_label_zh,
                f"L{r.skill_level}",
                r.days_worked,
                r.working_days,
                by_code.get("level_pay", Decimal("0.00")),
                by_code.get("post_allowance", Decimal("0.00")),
                by_code.get("performance_pay", Decimal("0.00")),
                by_code.get("adjustment", Decimal("0.00")),
                deductions,
                r.gross_amount,
                r.deductions_amount,
                r.carried_over_amount,
                r.net_amount,
                f"{r.rule_code} v{r.rule_version}",
                str(r.id),
            ]
        )
    return rows


def export_csv(records: Sequence[s.PayRecordRead]) -> bytes:
    """CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese); amounts as exact decimal text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for row in _export_rows(records):
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(records: Sequence[s.PayRecordRead], *, title: str) -> bytes:
    """XLSX with one row per record; amounts are numbers formatted to two decimals (values are whole fen)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(EXPORT_HEADER)
    for row in _export_rows(records):
        sheet.append(row)
    money_columns = range(10, 19)
    for column in money_columns:
        for cell in sheet.iter_cols(min_col=column, max_col=column, min_row=2):
            for item in cell:
                item.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
