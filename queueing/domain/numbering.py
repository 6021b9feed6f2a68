"""Ticket numbers as called out and shown on the board: a letter prefix and the daily sequence."""

from __future__ import annotations

import re
from typing import Final

from hall.domain.errors import DomainRuleViolation

_PREFIX: Final = re.compile(r"[A-Z]{1,2}")
MIN_DIGITS: Final = 3
"""Sequences are zero-padded to three digits (A001); larger sequences simply widen (A1000)."""


def check_ticket_prefix(prefix: str) -> str:
    """Return ``prefix`` if it is one or two uppercase ASCII letters.

    Raises:
        DomainRuleViolation: on ``prefix`` otherwise; the voice caller reads letters, not digits or symbols.
    """
    if not _PREFIX.fullmatch(prefix):
        raise DomainRuleViolation("prefix", f"must be 1 or 2 uppercase letters A-Z, got {prefix!r}")
    return prefix


def format_ticket_number(prefix: str, sequence: int) -> str:
    """Return the ticket number for a daily ``sequence``: ``("A", 1)`` gives ``"A001"``, ``("A", 1000)`` ``"A1000"``.

    Raises:
        DomainRuleViolation: on ``prefix`` for a bad prefix, on ``sequence`` when it is below 1.
    """
    check_ticket_prefix(prefix)
    if sequence < 1:
        raise DomainRuleViolation("sequence", f"must be at least 1, got {sequence}")
    return f"{prefix}{sequence:0{MIN_DIGITS}d}"
