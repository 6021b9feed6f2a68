"""Erlang C against hand-checked values and an independent closed form, and the staffing search."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from simulation.erlang import (
    MeanWaitTarget,
    ServiceLevelTarget,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    mean_wait_minutes,
    min_servers,
    p_wait_exceeds,
    parse_target,
    utilisation,
)
from simulation.errors import ScenarioError
from simulation.runner import required_windows_report

pytestmark = pytest.mark.unit


def textbook_erlang_c(servers: int, load: Fraction) -> Fraction:
    """C(c, a) = (a^c/c! · c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c−a)), in exact arithmetic."""
    top = load**servers / math.factorial(servers) * Fraction(servers) / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def log_space_erlang_c(servers: int, load: float) -> float:
    """The same formula in log space with lgamma, for hundreds of servers."""
    log_terms = [k * math.log(load) - math.lgamma(k + 1) for k in range(servers)]
    log_top = servers * math.log(load) - math.lgamma(servers + 1) + math.log(servers / (servers - load))
    peak = max([*log_terms, log_top])
    total = sum(math.exp(t - peak) for t in log_terms) + math.exp(log_top - peak)
    return math.exp(log_top - peak) / total


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (1, 0.5, 0.5),  # M/M/1: P(wait) = ρ
        (2, 1.0, 1 / 3),  # worked by hand: P0 = 1/3, C = (1/2)·2 / 3
        (3, 2.0, 4 / 9),  # worked by hand: B(3, 2) = 4/19, C = (4/19) / (1 − (2/3)(15/19))
    ],
)
def test_erlang_c_matches_hand_worked_values(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


def test_erlang_b_matches_the_published_table_value() -> None:
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=5e-5)  # Erlang B table: 10 erlangs on 10 lines
    assert erlang_b(1, 3.0) == pytest.approx(3 / 4)


@pytest.mark.parametrize(("servers", "load"), [(5, Fraction(9, 2)), (11, Fraction(10)), (18, Fraction(16))])
def test_erlang_c_equals_the_textbook_closed_form(servers: int, load: Fraction) -> None:
    assert erlang_c(servers, float(load)) == pytest.approx(float(textbook_erlang_c(servers, load)), rel=1e-12)


@pytest.mark.parametrize(("servers", "load"), [(150, 140.0), (300, 290.0), (500, 480.0)])
def test_erlang_c_stays_accurate_for_hundreds_of_windows(servers: int, load: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(log_space_erlang_c(servers, load), rel=1e-9)


def test_the_mm1_mean_wait_and_tail_match_the_formulas() -> None:
    # λ = 6/h, s = 5 min: ρ = 0.5, Wq = ρ·s/(1 − ρ) = 5 min, P(Wq > t) = ρ·exp(−(1 − ρ)t/s)
    assert utilisation(6, 5, 1) == pytest.approx(0.5)
    assert mean_wait_minutes(6, 5, 1) == pytest.approx(5.0)
    assert p_wait_exceeds(6, 5, 1, 10) == pytest.approx(0.5 * math.exp(-1.0))


def test_an_overloaded_hall_has_no_steady_state() -> None:
    figures = erlang_c_metrics(120, 8, 16)  # a = 16 erlangs on 16 windows
    assert not figures.is_stable
    assert figures.p_wait == 1.0
    assert math.isinf(figures.mean_wait_minutes)
    assert figures.share_within(15) == 0.0


def test_min_servers_finds_the_fewest_windows_meeting_a_service_level() -> None:
    answer = min_servers(120, 8, "80% within 15")
    assert answer.servers == 17
    assert answer.figures.share_within(15) >= 0.8
    assert answer.one_fewer is not None
    assert not answer.one_fewer.is_stable


@pytest.mark.parametrize("target", ["mean <= 1", "90% within 2", "95 % in 0.5 min"])
def test_min_servers_is_minimal(target: str) -> None:
    goal = parse_target(target)
    answer = min_servers(300, 6, goal)
    assert goal.is_met(answer.figures)
    assert answer.one_fewer is not None
    assert not goal.is_met(answer.one_fewer)


def test_min_servers_handles_a_very_large_hall() -> None:
    answer = min_servers(2400, 8, "mean <= 0.5")  # 320 erlangs
    assert 320 < answer.servers < 360
    assert answer.figures.mean_wait_minutes <= 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80% within 15", ServiceLevelTarget(0.8, 15.0)),
        ("0.8 within 15 min", ServiceLevelTarget(0.8, 15.0)),
        ("90 % in 20 minutes", ServiceLevelTarget(0.9, 20.0)),
        ("mean <= 10", MeanWaitTarget(10.0)),
        ("Mean wait <= 7.5 min", MeanWaitTarget(7.5)),
        ("mean ≤ 10", MeanWaitTarget(10.0)),
    ],
)
def test_parse_target_reads_both_forms(text: str, expected: object) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "fast please", "80% within", "150% within 15", "mean <= 0", "80% within 0"])
def test_parse_target_refuses_with_a_clear_message(text: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_target(text)
    assert caught.value.field == "target"
    assert text in caught.value.reason or "cannot read" in caught.value.reason


def test_required_windows_report_says_how_it_was_found() -> None:
    report = required_windows_report(120, 8, "80% within 15")
    assert report["min_windows"] == 17
    assert report["offered_load_erlangs"] == 16.0
    at_min = report["at_min"]
    assert isinstance(at_min, dict)
    assert at_min["meets_target"] is True
    at_one_fewer = report["at_one_fewer"]
    assert isinstance(at_one_fewer, dict)
    assert at_one_fewer["meets_target"] is False
    assert "Erlang C" in str(report["method"])
