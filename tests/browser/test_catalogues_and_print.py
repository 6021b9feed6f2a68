"""The pages' catalogues are complete and in step with the code, and the printed ticket is a PDF with a CJK font."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "hall" / "locale"


def _inflated(pdf: bytes) -> bytes:
    """The PDF's objects as text: WeasyPrint compresses them into object streams."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def _ids(path: Path) -> set[Any]:
    with path.open("rb") as source:
        return {m.id for m in read_po(source) if m.id}


@pytest.mark.integration
def test_the_catalogues_hold_exactly_the_messages_the_pages_use(tmp_path: Path) -> None:
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "--no-location",
         "-o", str(extracted), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    used = _ids(extracted)
    for lang in ("zh_CN", "en"):
        held = _ids(LOCALE / lang / "LC_MESSAGES" / "messages.po")
        assert used - held == set(), f"{lang}: new messages not in the catalogue (pybabel update, then translate)"
        assert held - used == set(), f"{lang}: messages no page uses any more (pybabel update)"


@pytest.mark.integration
def test_every_chinese_message_is_translated() -> None:
    with (LOCALE / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_ticket_prints_as_an_80_mm_pdf_with_a_chinese_font(hall_server: Any, artifacts: Path) -> None:
    kiosk = {"Cookie": f"hall_session={hall_server.kiosk_token}", "HX-Request": "true"}
    with httpx.Client(base_url=hall_server.base, timeout=30) as client:
        issued = client.post("/kiosk/E2E/tickets", headers=kiosk, data={"item": ["MZ001"]})
        assert issued.status_code == 201, issued.text
        code = issued.text.split('data-public-code="', 1)[1].split('"', 1)[0]
        page = client.get(f"/t/{code}/print")
        pdf = client.get(f"/t/{code}/ticket.pdf")
        client.post(f"/t/{code}/cancel", headers={"HX-Request": "true"})  # leave the queue as it was
    assert page.status_code == 200
    assert "婚姻登记" in page.text
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    objects = _inflated(pdf.content)
    (artifacts / "ticket.pdf").write_bytes(pdf.content)
    info = subprocess.run(
        ["pdfinfo", str(artifacts / "ticket.pdf")], capture_output=True, text=True, check=True
    ).stdout  # poppler reads the page size however the PDF's objects are stored
    width = float(re.search(r"Page size:\s+([\d.]+) x", info).group(1))  # type: ignore[union-attr]
    assert abs(width - 226.77) < 0.1, f"80 mm wide (226.77 pt), not {width} pt"
    fonts = re.findall(rb"/BaseFont /[A-Z]{6}\+([^\s/<>]+)", objects)
    assert any(b"CJK" in f or b"Hei" in f or b"Han-Sans" in f for f in fonts), f"no CJK font embedded: {fonts}"
    (artifacts / "ticket.pdf").write_bytes(pdf.content)
