"""Build the CJK font Hall ships for its PDFs: a GB2312 subset of Noto Sans CJK SC, renamed "Hall Sans SC".

Run once by a developer (``python -m hall.pdf.make_font /usr/share/fonts/opentype/noto``, from Debian's
``fonts-noto-cjk``), not at install time. The output goes to ``hall/pdf/fonts/`` as WOFF2 (brotli, about 2 MB per
weight). The source fonts are licensed under the SIL Open Font License 1.1 (``fonts/OFL.txt``); the subset is a
Modified Version under the same licence and, as the OFL and the "Noto" trademark ask, carries another name.

Kept: every character of GB2312 (6,763 hanzi plus its symbols), ASCII, Latin-1, general punctuation, arrows,
maths operators used on slips (− × ≥ ≤), enclosed numbers, box drawing, shapes, stars, ticks, CJK punctuation
and full-width forms. A name outside GB2312 (a rare hanzi) falls back to any CJK font installed on the system.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "Hall Sans SC"
POSTSCRIPT = "HallSansSC"
SIMPLIFIED_CHINESE = 2  # the SC face in NotoSansCJK-*.ttc
EXTRA_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2010, 0x2027),
    (0x2030, 0x2044),
    (0x2190, 0x21FF),
    (0x2212, 0x2212),
    (0x2264, 0x2265),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x2600, 0x2606),
    (0x2713, 0x2717),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
]


def gb2312_characters() -> set[int]:
    """Return every code point GB2312 encodes (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    found: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def build(source: Path, weight: str) -> Path:
    """Subset one weight (``Regular`` or ``Bold``) and write ``HallSansSC-<weight>.woff2``."""
    font = TTCollection(str(source / f"NotoSansCJK-{weight}.ttc")).fonts[SIMPLIFIED_CHINESE]
    options = subset.Options()
    options.layout_features = ["kern", "liga", "locl", "ccmp"]
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]
    options.hinting = False
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    wanted = gb2312_characters() | {c for lo, hi in EXTRA_RANGES for c in range(lo, hi + 1)}
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in {1, 4, 16}:
            record.string = FAMILY if record.nameID != 4 else f"{FAMILY} {weight}".replace(" Regular", "")
        elif record.nameID in {3, 6}:
            record.string = f"{POSTSCRIPT}-{weight}"
        elif record.nameID == 17:
            record.string = weight
    names.setName("Subset of Noto Sans CJK SC (Adobe / Google), renamed; SIL Open Font License 1.1", 10, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [f"{POSTSCRIPT}-{weight}"]
    FONTS_DIR.mkdir(parents=True, exist_ok=True)
    target = FONTS_DIR / f"{POSTSCRIPT}-{weight}.woff2"
    font.flavor = "woff2"
    font.save(str(target))
    return target


def main(argv: list[str]) -> int:
    source = Path(argv[1] if len(argv) > 1 else "/usr/share/fonts/opentype/noto")
    for weight in ("Regular", "Bold"):
        target = build(source, weight)
        sys.stdout.write(f"{target} {target.stat().st_size:,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
