"""The pure parts of reports and the manager's pages: periods, percentiles, traffic lights, chart axes, form words."""

from __future__ import annotations

from datetime import date, time

import pytest

from hall.pages.admin_catalogue import parse_year_list
from hall.pages.admin_forms import FormInvalid, base_field, reason_text, refusal
from hall.pages.charts import Series, axis, bar_chart
from hall.pages.report_view import bucket_labels, cell_text, percent
from hall.reports import Period, PeriodKind, Traffic, bucket_of, continuous_slots, nearest_rank, traffic_of, wait_stats

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("kind", "on", "first", "last"),
    [
        (PeriodKind.DAY, date(2026, 11, 22), date(2026, 11, 22), date(2026, 11, 22)),
        (PeriodKind.WEEK, date(2026, 11, 22), date(2026, 11, 16), date(2026, 11, 22)),
        (PeriodKind.MONTH, date(2026, 12, 5), date(2026, 12, 1), date(2026, 12, 31)),
        (PeriodKind.MONTH, date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_a_period_is_the_day_week_or_month_containing_the_date(kind, on, first, last) -> None:
    period = Period.containing(kind, on)
    assert (period.first, period.last) == (first, last)


def test_periods_step_back_and_forth_across_a_year_end() -> None:
    december = Period.containing(PeriodKind.MONTH, date(2026, 12, 15))
    assert december.shifted(1).first == date(2027, 1, 1)
    assert december.shifted(-12).first == date(2025, 12, 1)
    week = Period.containing(PeriodKind.WEEK, date(2026, 12, 30))
    assert week.shifted(1).first == date(2027, 1, 4)
    assert len(week.days) == 7


def test_p90_is_the_nearest_rank() -> None:
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([7.0], 0.9) == 7.0
    assert nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([float(n) for n in range(1, 12)], 0.9) == 10.0


def test_wait_stats_count_what_is_within_the_promise() -> None:
    stats = wait_stats([3.0, 15.0, 15.5, 40.0], 15)
    assert stats.count == 4
    assert stats.within_count == 2
    assert stats.within_share == 0.5
    assert stats.mean_minutes == pytest.approx(18.375)
    assert wait_stats([], 15).within_share is None


@pytest.mark.parametrize(
    ("minutes", "waiting", "expected"),
    [(6.0, 3, Traffic.GREEN), (12.0, 3, Traffic.GREEN), (12.1, 3, Traffic.AMBER), (15.0, 3, Traffic.AMBER),
     (15.1, 3, Traffic.RED), (None, 3, Traffic.RED), (None, 0, Traffic.NONE)],
)  # fmt: skip
def test_the_projected_wait_is_judged_against_the_promise(minutes, waiting, expected) -> None:
    assert traffic_of(minutes, 15, waiting) is expected


def test_waits_fall_in_their_bars_and_half_hours_have_no_holes() -> None:
    assert [bucket_of(m) for m in (0, 4.9, 5, 59.9, 60, 300)] == [0, 0, 1, 6, 7, 7]
    assert bucket_labels()[0] == "0–5"
    assert bucket_labels()[-1] == "60+"
    assert continuous_slots({time(9, 0), time(10, 30)}) == [time(9, 0), time(9, 30), time(10, 0), time(10, 30)]


def test_figures_are_rounded_once_and_read_the_same_everywhere() -> None:
    assert percent(0.85714) == 85.7
    assert cell_text(None) == "—"
    assert cell_text(7.0) == "7.0"
    assert cell_text(12) == "12"


def test_a_chart_axis_is_a_few_round_steps() -> None:
    assert axis(34) == (40.0, 4)
    assert axis(266) == (300.0, 3)
    assert axis(0)[0] > 0


def test_a_chart_is_a_named_image_with_its_figures_in_the_description() -> None:
    svg = str(bar_chart("c1", "等候 <分布>", ["0–5", "5–10"], [Series("叫号", [3, 0])]))
    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert "等候 &lt;分布&gt;" in svg
    assert "叫号: 0–5 3, 5–10 0" in svg


def test_a_pasted_year_list_reads_dates_kinds_and_names() -> None:
    days = parse_year_list("# 2027\n2027-01-01 holiday 元旦\n2027-02-06, 班, 春节调休\n\n2027-02-11\t休")
    assert days == [
        {"on": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"on": "2027-02-06", "kind": "workday", "name": "春节调休"},
        {"on": "2027-02-11", "kind": "holiday", "name": ""},
    ]
    with pytest.raises(FormInvalid) as refused:
        parse_year_list("2027-01-01 holiday\n2027-01-02 nonsense")
    assert refused.value.field == "days[1].kind"


def test_a_refusal_names_its_field_in_the_readers_language() -> None:
    assert base_field("days[3].on") == "days"
    assert reason_text("zh_CN", "Expected `int` >= 1", from_wire=True) == "不得小于 1"
    assert reason_text("en", "must not exceed statutoryLimitDays (承诺时限 ≤ 法定时限)") == (
        "must not be longer than the statutory deadline"
    )
    assert reason_text("en", "a reason nobody translated") == "a reason nobody translated"
    state = refusal("en", FormInvalid("days[1].on", "Invalid RFC3339 encoded date"), {"days": "The year's list"})
    assert state.errors == {"days": "line 2: must be a date (YYYY-MM-DD)"}
    assert state.summary == "The year's list: line 2: must be a date (YYYY-MM-DD)"
