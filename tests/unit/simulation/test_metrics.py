"""KPIs from hand-made records, and confidence intervals over replications."""

from __future__ import annotations

import math

import pytest

from hall.domain.centres import WaitingPromise
from hall.domain.people import PriorityGroup
from simulation.metrics import estimate, kpi_values, quantile, summarise
from simulation.records import Outcome, ServiceRecord

pytestmark = pytest.mark.unit


def _record(
    sequence: int,
    arrived: float,
    waited: float | None,
    *,
    item: str = "A",
    outcome: Outcome = Outcome.SERVED,
    service: float = 5.0,
    group: PriorityGroup | None = None,
) -> ServiceRecord:
    called = None if waited is None else arrived + waited
    ended = (called if called is not None else arrived + 20.0) + (service if outcome is Outcome.SERVED else 0.0)
    return ServiceRecord(
        ticket_id=f"T{sequence}",
        ticket_number=f"A{sequence:03d}",
        sequence=sequence,
        item_codes=(item,),
        priority_group=group,
        has_appointment=False,
        outcome=outcome,
        arrived_minutes=arrived,
        called_minutes=called,
        started_minutes=called if outcome is Outcome.SERVED else None,
        ended_minutes=ended,
        waited_minutes=waited if waited is not None else 20.0,
        window_number=None if called is None else 1,
    )


RECORDS = (
    _record(1, 0.0, 0.0),
    _record(2, 5.0, 4.0),
    _record(3, 10.0, 12.0, item="B"),
    _record(4, 31.0, 20.0, group=PriorityGroup.ELDERLY),
    _record(5, 40.0, 8.0, item="B"),
    _record(6, 45.0, None, outcome=Outcome.ABANDONED),
    _record(7, 50.0, 1.0, outcome=Outcome.NO_SHOW),
)


def test_summarise_computes_waits_over_served_visitors() -> None:
    kpis = summarise(RECORDS, promise=WaitingPromise(0.8, 10, 10), thresholds_minutes=(5, 10))
    overall = kpis.overall
    assert (overall.visitors, overall.served, overall.abandoned, overall.no_shows) == (7, 5, 1, 1)
    assert overall.mean_wait_minutes == pytest.approx((0 + 4 + 12 + 20 + 8) / 5)
    assert overall.p90_wait_minutes == pytest.approx(quantile([0, 4, 8, 12, 20], 0.9))
    assert overall.share_within_promise == pytest.approx(3 / 5)
    assert overall.p_wait_gt == {5: pytest.approx(3 / 5), 10: pytest.approx(2 / 5)}
    assert overall.mean_service_minutes == pytest.approx(5.0)
    assert overall.abandonment_share == pytest.approx(1 / 7)
    assert not kpis.meets_promise


def test_summarise_groups_by_slot_item_and_priority() -> None:
    kpis = summarise(RECORDS, slot_minutes=30.0)
    assert set(kpis.by_slot) == {0, 1}
    assert kpis.by_slot[0].visitors == 3
    assert kpis.by_item["B"].mean_wait_minutes == pytest.approx(10.0)
    assert kpis.by_priority["priority"].served == 1
    assert kpis.by_priority["normal"].visitors == 6


def test_the_warm_up_leaves_out_early_visitors() -> None:
    assert summarise(RECORDS, warmup_minutes=30.0).overall.visitors == 4


def test_utilisation_is_busy_over_staffed_time() -> None:
    kpis = summarise(RECORDS, busy_minutes={1: 30.0, 2: 10.0}, staffed_minutes={1: 60.0, 2: 40.0, 3: 0.0})
    assert kpis.utilisation_by_window[1] == pytest.approx(0.5)
    assert kpis.utilisation_by_window[2] == pytest.approx(0.25)
    assert math.isnan(kpis.utilisation_by_window[3])
    assert kpis.utilisation == pytest.approx(0.4)


def test_an_empty_group_has_no_wait_figures_and_json_shows_null() -> None:
    kpis = summarise([_record(1, 0.0, None, outcome=Outcome.ABANDONED)])
    assert math.isnan(kpis.overall.mean_wait_minutes)
    overall = kpis.to_dict()["overall"]
    assert isinstance(overall, dict)
    assert overall["mean_wait_minutes"] is None


def test_quantile_interpolates_like_numpy() -> None:
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)
    assert quantile([7.0], 0.9) == 7.0
    assert math.isnan(quantile([], 0.5))


def test_estimate_gives_a_student_t_interval() -> None:
    est = estimate([1.0, 2.0, 3.0])
    assert est.mean == 2.0
    assert est.half_width == pytest.approx(4.302652729911275 / math.sqrt(3))  # t(0.975, 2) · s / √n, s = 1
    assert est.contains(2.0)
    assert not est.contains(5.0)


def test_estimate_skips_missing_values_and_needs_two_for_an_interval() -> None:
    est = estimate([math.nan, 4.0])
    assert (est.mean, est.n, est.ci95) == (4.0, 1, None)


def test_kpi_values_names_the_thresholds() -> None:
    values = kpi_values(summarise(RECORDS, thresholds_minutes=(5, 7.5)))
    assert {"p_wait_gt_5", "p_wait_gt_7.5", "mean_wait_minutes", "utilisation", "visitors"} <= set(values)
