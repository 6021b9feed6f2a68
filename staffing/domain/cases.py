"""Committed-deadline cases (承诺件): whether each was finished on time, for the efficiency component.

Source: ``shared/domain.md`` §0.3 and §3.8 (``on_time = finished_at <= accepted_at + committed_limit_wd``; the due
date is fixed at acceptance from the working-day calendar). Interpretation made here (Hall design default):

* a case counts in the month its **due date** falls in, so each case is judged exactly once and a case accepted
  on 28 October with a 5-working-day limit is judged in November;
* finished on or before the due date → on time; finished after it → late;
* not finished: late once the due date has passed (``as_of`` after it, 超期未办结), otherwise still open and not
  counted yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hall.domain import DomainRuleViolation
from staffing.domain.periods import Month


class CaseTimeliness(StrEnum):
    """How a committed case stands for the month it is judged in."""

    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"  # not finished, not yet due: not counted


@dataclass(frozen=True, slots=True, kw_only=True)
class CommittedCase:
    """One committed case: the service record that accepted it, its due date and when it was finished."""

    record_id: str
    due_on: date
    finished_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommittedCaseCounts:
    """The committed cases judged in a month, by outcome, as record ids (sorted) so a slip can cite them."""

    on_time_ids: tuple[str, ...] = ()
    late_ids: tuple[str, ...] = ()
    open_ids: tuple[str, ...] = ()

    @property
    def on_time_count(self) -> int:
        return len(self.on_time_ids)

    @property
    def late_count(self) -> int:
        return len(self.late_ids)


def case_timeliness(case: CommittedCase, as_of: date) -> CaseTimeliness:
    """Return whether a committed case was finished on time, late, or is still open as of ``as_of``."""
    if case.finished_on is not None:
        return CaseTimeliness.ON_TIME if case.finished_on <= case.due_on else CaseTimeliness.LATE
    return CaseTimeliness.LATE if as_of > case.due_on else CaseTimeliness.OPEN


def committed_case_counts(cases: Iterable[CommittedCase], month: Month, as_of: date) -> CommittedCaseCounts:
    """Judge the committed cases whose due date falls in ``month``, as of ``as_of``.

    Raises:
        DomainRuleViolation: If a record id appears twice.
    """
    buckets: dict[CaseTimeliness, list[str]] = {kind: [] for kind in CaseTimeliness}
    seen: set[str] = set()
    for case in cases:
        if case.record_id in seen:
            raise DomainRuleViolation("committedCases", f"case {case.record_id} is listed twice")
        seen.add(case.record_id)
        if Month.of(case.due_on) != month:
            continue
        buckets[case_timeliness(case, as_of)].append(case.record_id)
    return CommittedCaseCounts(
        on_time_ids=tuple(sorted(buckets[CaseTimeliness.ON_TIME])),
        late_ids=tuple(sorted(buckets[CaseTimeliness.LATE])),
        open_ids=tuple(sorted(buckets[CaseTimeliness.OPEN])),
    )
