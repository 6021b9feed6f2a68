"""Planning's names in the reader's language, and the local calendar's bounds (review findings M1, M5, M7)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from hall.domain.errors import DomainRuleViolation, NotFoundError
from hall.pages.calendar_local import _check_year, _month_of, _month_text
from hall.pages.planning_view import group_name, planning_message, shift_name, window_type_name
from simulation.rostering import SHIFT_LABELS
from staffing.planning import schemas as s

TODAY = date(2026, 11, 23)


def group(**overrides: object) -> s.SkillGroupRead:
    fields: dict[str, object] = {
        "key": "G1",
        "label": "comprehensive_all 1–2 (civil_affairs, social_security)",
        "window_type": "comprehensive_all",
        "windows": [1, 2],
        "domains": ["civil_affairs", "social_security"],
        "item_codes": [],
        "demand_keys": [],
        "eligible_staff": [],
    }
    fields.update(overrides)
    return s.SkillGroupRead(**fields)  # type: ignore[arg-type]


def test_default_shifts_are_named_by_code_in_either_language() -> None:
    assert shift_name("en", "full", "全天班") == "Full-day shift"
    assert shift_name("en", "split", "两头班") == "Split shift (both ends of the day)"
    assert shift_name("en", "night", "夜班") == "夜班"  # a manager's own shift keeps its label
    assert shift_name("en", "x") == "x"
    # the simulation's own names are the data's (Chinese) words only, no English mixed in
    assert set(SHIFT_LABELS) == {"full", "morning", "afternoon", "split"}
    assert all(not re.search(r"[A-Za-z]", label) for label in SHIFT_LABELS.values())


def test_a_skill_group_is_named_by_its_window_type_and_domains() -> None:
    assert window_type_name("en", "comprehensive_all") == "All-service comprehensive window"
    assert window_type_name("en", "no_such_type") == "no_such_type"
    name = group_name("en", group())
    assert name.startswith("All-service comprehensive window · ")
    assert "civil_affairs" not in name
    assert "social_security" not in name
    assert ", " in name
    assert group_name("en", group(domains=[])) == "All-service comprehensive window"


def test_a_missing_roster_or_plan_reads_as_a_sentence() -> None:
    assert planning_message("en", NotFoundError("weekStart", "no roster for the week of 2020-01-06")) == (
        "no roster for this week yet"
    )
    assert (
        planning_message("en", NotFoundError("on", "no staffing plan for 2020-01-01 yet")) == "no plan for this day yet"
    )


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "1999-12", "2101-01", "26-01", "2026-1"])
def test_a_bad_month_is_refused_naming_the_month(text: str) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        _month_of(text, TODAY, "en")
    assert refused.value.field == "month"
    assert "2000-01" in refused.value.reason


def test_months_and_days_inside_the_calendar_years_are_kept() -> None:
    assert _month_of(None, TODAY, "en") == (2026, 11)
    assert _month_of("2000-01", TODAY, "en") == (2000, 1)
    assert _month_of("2100-12", TODAY, "en") == (2100, 12)
    _check_year(date(2026, 12, 15), "en")
    for outside in (date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31)):
        with pytest.raises(DomainRuleViolation) as refused:
            _check_year(outside, "en")
        assert refused.value.field == "on"
    assert _month_text(date(2026, 3, 1)) == "2026-03"
