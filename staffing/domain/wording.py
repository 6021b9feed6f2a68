"""The phrases of the explanations the domain writes (score lines, integrity evidence, pay bases), by key.

An explanation is stored and served as one English text (the API's contract; approval compares a fresh
computation with the stored text, so the wording of a phrase must never change). Each phrase that holds words is
written here once, with named parts: ``say`` writes it, and ``read_phrase`` finds the key and the parts of a
text again, so a page can show the same explanation in its reader's language from its numbers. A text that is
no phrase (a formula of numbers only, a reason a manager typed) is read as ``None`` and shown as it is.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

PHRASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # score lines (scoring.py)
        "served": "{items} items, {minutes} standard min",
        "hours": "{hours} h",
        "rate_flat": "{rate} standard min/h; centre median is 0, so the median score applies to a rate of 0",
        "rate": "{score} × {rate} / {median} (centre median standard min/h)",
        "no_committed": "no committed cases: nothing to deduct",
        "no_items": "no items served: nothing to deduct",
        "service_time": "actual {actual} min vs expected {expected} min ({standard} standard × {factor} for {level})",
        "over": "{over} over × −{penalty} per percentage point",
        "shrunk_fallback": (
            "({count} + {k} × {prior} (no centre ratings: configured fallback)) / ({n} + {k}) = {rate} × {points}"
        ),
        "pending": "{count}, not counted",
        "half_days_points": "{count} half-day(s) × −{points}",
        "floor": "not below {low}",
        "cap": "at most {high}",
        # integrity evidence (integrity.py)
        "rate_flag": (
            "{count}/{n} = {share} vs centre {centre}; chance of this or higher at the centre rate {p} < {significance}"
        ),
        "quick_pad": "pad {device}: {quick}/{total} ({share}) ratings within {seconds} s of the end of service",
        "easy_mix": "mean {mean} standard min per item over {items} items vs centre {centre} (below {ratio} of it)",
        # pay bases (pay.py)
        "level_pay": "{level} {level_zh}: {basis}",
        "performance_prorated": "{base} × {coefficient} ({grade}) × {worked}/{working} days = {amount}",
        "prorated": "{amount} × {worked}/{working} days = {value}",
        "half_days_pay": "{units} half-days × {price}",
        "carried_in": "deductions not covered in {month}",
        "carried_over": (
            "deductions {deductions} exceed gross {gross}; net pay is not negative, so {carried} is deducted in {month}"
        ),
    }
)
NESTED: Final = frozenset({"basis"})
"""Parts that are themselves an explanation (read again for a phrase); listed first where they nest."""

_PART_PATTERNS: Final[Mapping[str, str]] = MappingProxyType({"level": r"L\d+", "month": r"\d{4}-\d{2}", "basis": r".+"})
"""What a part may be when it is not a number, a share or a code written without spaces (the default)."""
_DEFAULT_PART: Final = r"\S+?"


def say(key: str, **parts: object) -> str:
    """Write the phrase ``key`` with its parts (every part must be given)."""
    return PHRASES[key].format(**parts)


def _pattern(template: str) -> re.Pattern[str]:
    out, seen = ["^"], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>{_PART_PATTERNS.get(name, _DEFAULT_PART)})")
    out.append("$")
    return re.compile("".join(out), re.DOTALL)


_PATTERNS: Final = tuple((key, _pattern(template)) for key, template in PHRASES.items())


def read_phrase(text: str) -> tuple[str, dict[str, str]] | None:
    """Return the key and the parts of the phrase ``text`` was written with, or ``None`` when it is none."""
    for key, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is not None:
            return key, match.groupdict()
    return None
