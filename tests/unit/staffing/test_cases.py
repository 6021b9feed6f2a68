"""Committed cases (承诺件) are judged once, in the month of their due date."""

from __future__ import annotations

from datetime import date

import pytest

from hall.domain import DomainRuleViolation
from staffing.domain import CaseTimeliness, CommittedCase, Month, case_timeliness, committed_case_counts

pytestmark = pytest.mark.unit

OCTOBER = Month(2026, 10)


@pytest.mark.parametrize(
    ("finished_on", "as_of", "expected"),
    [
        (date(2026, 10, 20), date(2026, 11, 2), CaseTimeliness.ON_TIME),  # early
        (date(2026, 10, 23), date(2026, 11, 2), CaseTimeliness.ON_TIME),  # on the due date itself
        (date(2026, 10, 26), date(2026, 11, 2), CaseTimeliness.LATE),
        (None, date(2026, 10, 23), CaseTimeliness.OPEN),  # due today, not finished yet
        (None, date(2026, 10, 24), CaseTimeliness.LATE),  # 超期未办结
    ],
)
def test_a_case_is_on_time_when_finished_by_its_due_date(
    finished_on: date | None, as_of: date, expected: CaseTimeliness
) -> None:
    case = CommittedCase(record_id="r", due_on=date(2026, 10, 23), finished_on=finished_on)
    assert case_timeliness(case, as_of) is expected


def test_a_case_counts_in_the_month_of_its_due_date_and_cites_its_records() -> None:
    cases = [
        CommittedCase(record_id="b", due_on=date(2026, 10, 9), finished_on=date(2026, 10, 9)),
        CommittedCase(record_id="a", due_on=date(2026, 10, 30), finished_on=date(2026, 10, 29)),
        CommittedCase(record_id="c", due_on=date(2026, 10, 30), finished_on=date(2026, 11, 3)),
        CommittedCase(record_id="d", due_on=date(2026, 10, 30)),
        CommittedCase(record_id="e", due_on=date(2026, 11, 4)),  # accepted in October, judged in November
        CommittedCase(record_id="f", due_on=date(2026, 9, 30), finished_on=date(2026, 10, 8)),  # judged in September
    ]
    counts = committed_case_counts(cases, OCTOBER, as_of=date(2026, 11, 2))
    assert counts.on_time_ids == ("a", "b")
    assert counts.late_ids == ("c", "d")
    assert counts.open_ids == ()
    assert (counts.on_time_count, counts.late_count) == (2, 2)
    before_the_end = committed_case_counts(cases, OCTOBER, as_of=date(2026, 10, 30))
    assert before_the_end.open_ids == ("d",)


def test_a_case_listed_twice_is_refused() -> None:
    case = CommittedCase(record_id="a", due_on=date(2026, 10, 9))
    with pytest.raises(DomainRuleViolation, match="twice"):
        committed_case_counts([case, case], OCTOBER, as_of=date(2026, 11, 1))
