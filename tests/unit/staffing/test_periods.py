"""Months: the default month to assess and pay is the last one that ended before the day."""

from __future__ import annotations

from datetime import date

import pytest

from staffing.domain.periods import Month


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 11, 22), Month(2026, 10)),
        (date(2026, 11, 1), Month(2026, 10)),
        (date(2026, 11, 30), Month(2026, 10)),
        (date(2026, 1, 15), Month(2025, 12)),
    ],
)
def test_the_last_complete_month_ended_before_the_day(on: date, expected: Month) -> None:
    assert Month.last_complete_before(on) == expected
