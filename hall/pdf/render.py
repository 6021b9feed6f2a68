"""HTML → PDF with WeasyPrint and the CJK font Hall ships, so Chinese renders after a plain install.

The font is declared with ``@font-face`` from ``hall/pdf/fonts`` (Hall Sans SC, a GB2312 subset of Noto Sans CJK
SC, SIL OFL 1.1) and set on ``@page`` as well as on the body: page-margin boxes (headers, footers) do not inherit
the body's font. Installed CJK fonts are only a fallback for characters outside GB2312.

WeasyPrint is not thread-safe and loading the font costs ~0.2 s once, so renders take a lock and share one font
configuration. Call :func:`render_pdf` from a worker thread (``anyio.to_thread.run_sync``), never in the event
loop. Install Debian's ``libharfbuzz-subset0``: without it WeasyPrint falls back to slow font subsetting.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Hall Sans SC"
FONT_STACK = f'"{FONT_FAMILY}", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
FONT_FILES = {400: FONTS_DIR / "HallSansSC-Regular.woff2", 700: FONTS_DIR / "HallSansSC-Bold.woff2"}

BASE_CSS = f"""
@page {{
  size: A4;
  margin: 16mm 14mm 18mm 14mm;
  font-family: {FONT_STACK};
  @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; color: #555; }}
}}
html {{ font-family: {FONT_STACK}; font-size: 9.5pt; line-height: 1.45; color: #111; }}
h1 {{ font-size: 15pt; margin: 0 0 2mm 0; }}
h2 {{ font-size: 11.5pt; margin: 5mm 0 2mm 0; border-bottom: 0.6pt solid #333; padding-bottom: 1mm; }}
table {{ width: 100%; border-collapse: collapse; margin: 1mm 0 3mm 0; }}
table.fixed {{ table-layout: fixed; }}
th, td {{ border: 0.5pt solid #999; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }}
th {{ background: #eee; font-weight: 700; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
.muted {{ color: #555; font-size: 8.5pt; }}
.total td {{ font-weight: 700; background: #f5f5f5; }}
.page {{ page-break-after: always; }}
.page:last-child {{ page-break-after: auto; }}
"""

_lock = threading.Lock()
_font_config: Any = None


def font_face_css() -> str:
    """Return the ``@font-face`` rules of the shipped font (regular and bold)."""
    return "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}") format("woff2"); '
        f"font-weight: {weight}; font-style: normal; }}\n"
        for weight, path in FONT_FILES.items()
    )


def render_pdf(html: str, *, extra_css: str = "") -> bytes:
    """Render one HTML document to PDF bytes with the shipped CJK font (blocking; run it in a thread)."""
    global _font_config  # noqa: PLW0603 - one font configuration for the process, built on first use
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        stylesheet = CSS(string=font_face_css() + BASE_CSS + extra_css, font_config=_font_config)
        document = HTML(string=html, base_url=str(FONTS_DIR))
        return bytes(document.write_pdf(stylesheets=[stylesheet], font_config=_font_config))
