"""The demo county centre's last full month (October 2026), assessed and paid end to end from demo data.

The scheduled job prepares the drafts and tells the managers; the manager reads the month's table (quota, flags,
差评 deadlines), approves, reviews and locks pay; a staff member reads "My grades" explained line by line with the
records behind it; slips and reports come out as PDF with the shipped CJK font embedded (checked with ``pdffonts``,
``pdftotext`` and ``pdftoppm``, not ``pdftotext`` alone).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hall.db.engine import make_engine, make_session_maker
from staffing.demo import seed_demo_month
from staffing.domain.periods import Month
from staffing.jobs import prepare_drafts
from staffing.ports import ManagerMessage

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SFX = "/api/v1/centres/SFX"
OCTOBER = "2026-10"
POPPLER = ("pdffonts", "pdftotext", "pdftoppm")


def require_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and {missing} missing: install Debian's poppler-utils", pytrace=False)
        pytest.skip(f"{missing} not installed (Debian: poppler-utils)")


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """Return ``pdffonts`` rows as dicts: name, type, encoding, emb, sub, uni."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type (one or more words), encoding, emb, sub, uni, object id, generation
        rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5], "uni": parts[-3]})
    return rows


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout


def assert_cjk_font_embedded(pdf: bytes) -> None:
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF has no fonts"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert any(f["name"].split("+")[-1].startswith("Hall-Sans-SC") and f["type"].startswith("CID") for f in fonts), (
        fonts
    )
    assert not any(f["type"] == "Type 3" for f in fonts), fonts


def rendered_page_size(pdf: bytes, page: int) -> int:
    """Render one page to PNG with ``pdftoppm`` and return the image's size in bytes."""
    with tempfile.TemporaryDirectory() as directory:
        pdf_path = Path(directory) / "document.pdf"
        pdf_path.write_bytes(pdf)
        prefix = Path(directory) / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", str(page), "-l", str(page), str(pdf_path), str(prefix)], check=True
        )
        [png] = list(Path(directory).glob("page*.png"))
        return png.stat().st_size


class Inbox:
    def __init__(self) -> None:
        self.messages: list[ManagerMessage] = []

    async def notify(self, message: ManagerMessage) -> None:
        self.messages.append(message)


async def prepare(db: Any, clock: Any, inbox: Inbox) -> list[dict[str, object]]:
    engine = make_engine(db.url)
    try:
        return await prepare_drafts(make_session_maker(engine), clock, db.settings(), inbox, centre_codes=["SFX"])
    finally:
        await engine.dispose()


async def test_the_demo_centres_last_full_month_is_assessed_and_paid_end_to_end(db, client, headers, clock) -> None:
    require_poppler()
    engine = make_engine(db.url)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            report = await seed_demo_month(session, centre_code="SFX", month=Month(2026, 10), today=date(2026, 11, 23))
    finally:
        await engine.dispose()
    assert report.visits > 5000
    assert report.negative_cases > 0

    inbox = Inbox()
    [summary] = await prepare(db, clock, inbox)  # the job on 23 November prepares October
    assert summary["month"] == OCTOBER
    assert summary["assessment"] == "draft, 32 staff"
    assert summary["payDrafts"] == 32
    [message] = inbox.messages
    assert message.recipients == ("manager",)
    assert "2026-10" in message.subject
    assert await prepare(db, clock, inbox) == [summary | {"defaulted": 0}]  # idempotent

    manager = headers("manager")
    table = (await client.get(f"{SFX}/assessments/{OCTOBER}", headers=manager)).json()
    assert table["status"] == "draft"
    assert len(table["rows"]) == 32
    assert table["excellentPlaces"] == 6  # floor(20 % × 32)
    counts = {d["grade"]: d["count"] for d in table["distribution"]}
    assert sum(counts.values()) == 32
    assert counts["excellent"] <= 6
    assert ("quick_pad_ratings", "SFX006") in {(f["kind"], f["staffEmployeeNo"]) for f in table["flags"]}
    assert table["negativeCases"], "the month's 差评 cases are listed with their deadlines"
    assert all(c["deadlines"] for c in table["negativeCases"])
    assert table["ratingMetrics"]["unratedRate"] is not None

    approved = await client.post(f"{SFX}/assessments/{OCTOBER}/approve", headers=manager, json={"note": "月度考核审定"})
    assert approved.status_code == 200, approved.text
    for action in ("review", "approve", "lock"):
        response = await client.post(f"{SFX}/pay-records/{OCTOBER}/{action}", headers=manager, json={})
        assert response.status_code == 200, response.text
    pay = response.json()
    assert pay["statusCounts"] == {"locked": 32}
    assert Decimal(pay["netTotal"]) == sum((Decimal(r["netAmount"]) for r in pay["records"]), Decimal(0))
    verified = (await client.get(f"{SFX}/assessments/{OCTOBER}/recomputation", headers=manager)).json()
    assert verified["matches"] is True
    assert (verified["assessmentsChecked"], verified["payRecordsChecked"]) == (32, 32)

    # 张敏 reads "My grades": every component with its weight, lines, records and the centre.
    mine = (await client.get(f"/api/v1/staff/SFX003/assessments/{OCTOBER}", headers=headers("zhangmin"))).json()
    assert [c["component"] for c in mine["components"]] == [
        "workload", "efficiency", "satisfaction", "quality", "discipline"
    ]  # fmt: skip
    assert [c["weight"] for c in mine["components"]] == ["30", "20", "25", "10", "15"]
    for component in mine["components"]:
        assert sum(Decimal(line["points"]) for line in component["lines"]) == Decimal(component["score"])
        assert 1 <= component["centre"]["rank"] <= component["centre"]["of"] == 32
    assert sum(Decimal(line["points"]) for line in mine["scoreLines"]) == Decimal(mine["score"])
    workload = mine["components"][0]["sources"]
    assert len(workload["serviceRecordIds"]) > 50
    satisfaction = mine["components"][2]["sources"]
    assert satisfaction["ratingIds"]
    assert mine["flags"] == []  # integrity flags are for the manager
    assert mine["status"] == "approved"
    assert mine["promotion"]["currentLevel"] == 4
    assert mine["promotion"]["excellentMonthsNeeded"] == 6
    other = await client.get(f"/api/v1/staff/SFX001/assessments/{OCTOBER}", headers=headers("zhangmin"))
    assert other.status_code == 403
    history = (await client.get("/api/v1/staff/SFX003/assessments", headers=headers("zhangmin"))).json()
    assert [h["month"] for h in history] == [OCTOBER]

    [slip_row] = (await client.get("/api/v1/staff/SFX003/pay-records", headers=headers("zhangmin"))).json()
    assert slip_row["status"] == "locked"
    assert mine["payRecordId"] == slip_row["id"]
    slip = await client.get(f"/api/v1/pay-records/{slip_row['id']}/slip.pdf", headers=headers("zhangmin"))
    assert slip.status_code == 200
    assert slip.headers["content-type"] == "application/pdf"
    assert "pay-slip-SFX003-2026-10.pdf" in slip.headers["content-disposition"]
    assert_cjk_font_embedded(slip.content)
    text = pdf_text(slip.content)
    assert "工资条" in text
    assert "张敏" in text
    assert "实发金额" in text
    assert f"{Decimal(slip_row['netAmount']):,.2f}" in text
    assert "天 =" in text  # the pay bases in the slip's Chinese, not the domain's English phrases
    assert " days" not in text

    report_pdf = await client.get(f"/api/v1/staff/SFX003/assessments/{OCTOBER}/report.pdf", headers=headers("zhangmin"))
    assert report_pdf.status_code == 200
    assert_cjk_font_embedded(report_pdf.content)
    report_text = pdf_text(report_pdf.content)
    assert "月度绩效考核报告" in report_text
    assert "标准分钟" in report_text  # the score lines' values in Chinese too
    assert "standard min" not in report_text

    batch = await client.get(f"{SFX}/pay-records/{OCTOBER}/slips.pdf", headers=manager)
    assert batch.status_code == 200
    assert_cjk_font_embedded(batch.content)
    batch_text = pdf_text(batch.content)
    assert batch_text.count("工资条") == 32
    assert rendered_page_size(batch.content, 3) > 5000  # a rendered slip, not a blank page


def test_the_shipped_font_alone_renders_the_chinese_without_any_system_font() -> None:
    """With fontconfig pointed at an empty configuration, only the font Hall ships is available."""
    require_poppler()
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "fonts.conf"
        config.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            f"<cachedir>{directory}/cache</cachedir></fontconfig>",
            encoding="utf-8",
        )
        target = Path(directory) / "slip.pdf"
        html = "<h1>示范县政务服务中心 工资条</h1><p>实发金额 ¥ 4,353.89 萧然</p>"
        code = (
            f"import sys; from hall.pdf.render import render_pdf; open(sys.argv[1], 'wb').write(render_pdf({html!r}))"
        )
        env = {**os.environ, "FONTCONFIG_FILE": str(config)}
        subprocess.run([sys.executable, "-c", code, str(target)], check=True, env=env, cwd=Path(__file__).parents[2])
        pdf = target.read_bytes()
    fonts = pdf_fonts(pdf)
    assert {f["name"].split("+")[-1] for f in fonts} <= {"Hall-Sans-SC", "Hall-Sans-SC-Bold"}, fonts
    assert_cjk_font_embedded(pdf)
    assert "示范县政务服务中心" in pdf_text(pdf)
