"""The twin's engine: it calls the shared policy, wakes idle clerks, and records every visitor the same way twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hall.domain.catalogue import ServiceDomain
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain import routing
from queueing.domain.numbering import format_ticket_number
from queueing.domain.routing import can_serve
from queueing.domain.snapshot import CallDecision, CallReason, RoutingRules, WaitingTicket, WindowSnapshot
from simulation.clock import SimClock
from simulation.model import RandomStreams, ScriptedArrival, build
from simulation.records import Outcome, ServiceRecord
from simulation.runner import run
from simulation.scenario import Scenario, ScenarioError, StaffSpec, WindowSpec, window_snapshot

pytestmark = pytest.mark.unit

SS = ServiceDomain.SOCIAL_SECURITY
RE = ServiceDomain.REAL_ESTATE
MakeScenario = Callable[..., Scenario]


def _served_in_call_order(records: Sequence[ServiceRecord]) -> list[str]:
    called = [r for r in records if r.called_minutes is not None]
    return [r.ticket_number for r in sorted(called, key=lambda r: (r.called_minutes or 0.0, r.window_number or 0))]


def test_the_same_seed_gives_identical_records(centre_day: Scenario) -> None:
    first = run(centre_day, 7)
    second = run(centre_day, 7)
    assert first == second
    assert first.records  # not trivially equal


def test_different_seeds_give_different_days(centre_day: Scenario) -> None:
    assert run(centre_day, 1).records != run(centre_day, 2).records


def test_a_priority_ticket_arriving_after_normal_ones_is_served_first(make_one_window: MakeScenario) -> None:
    scenario = make_one_window(service_minutes=10.0)
    script = [
        ScriptedArrival(0.0, ("A",)),
        ScriptedArrival(1.0, ("A",)),
        ScriptedArrival(2.0, ("A",)),
        ScriptedArrival(3.0, ("A",), priority_group=PriorityGroup.ELDERLY),
    ]
    result = run(scenario, 1, script=script)
    assert _served_in_call_order(result.records) == ["A001", "A004", "A002", "A003"]
    elderly = next(r for r in result.records if r.priority_group is PriorityGroup.ELDERLY)
    assert elderly.called_minutes == 10.0
    assert elderly.call_reason is CallReason.STATUTORY_PRIORITY
    assert elderly.is_priority_call


@pytest.mark.pure_python
def test_the_twin_calls_the_policy_the_scenario_names(
    make_one_window: MakeScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[WindowSnapshot, tuple[str, ...], datetime, RoutingRules]] = []
    shared = routing.CALLING_POLICIES["fifo"]

    def spy(
        window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
    ) -> CallDecision | None:
        seen.append((window, tuple(t.number for t in waiting), now, rules))
        return shared(window, waiting, now, rules)

    monkeypatch.setattr(routing, "CALLING_POLICIES", {**routing.CALLING_POLICIES, "fifo": spy})
    scenario = make_one_window(calling_policy="fifo")
    script = [ScriptedArrival(0.0, ("A",)), ScriptedArrival(1.0, ("A",), priority_group=PriorityGroup.ELDERLY)]
    result = run(scenario, 1, script=script)
    # fifo ignores priority: the shared policy, not a copy of it, decided
    assert _served_in_call_order(result.records) == ["A001", "A002"]
    assert [s[1] for s in seen] == [("A001",), ("A002",)]
    window, _, now, rules = seen[1]
    assert window.window_id == "W01"
    assert window.staff is not None
    assert window.staff.staff_id == "S1"
    assert now == SimClock(scenario.start).at(10.0)
    assert now.tzinfo is not None
    assert rules == scenario.routing_rules


def test_an_idle_clerk_is_woken_by_an_arrival_without_polling(make_one_window: MakeScenario) -> None:
    scenario = make_one_window()
    env = simpy.Environment()
    hall = build(env, scenario, RandomStreams.from_seed(1), script=[ScriptedArrival(37.25, ("A",))])
    env.run()
    hall.finish()
    (record,) = hall.records
    assert record.called_minutes == 37.25
    assert record.waited_minutes == 0.0
    # events: start of processes, the roster, one arrival, one wake, one service; nothing ticking every minute
    assert env.now == 600.0


def test_a_window_never_serves_an_item_its_staff_is_not_qualified_for(make_one_window: MakeScenario) -> None:
    windows = (WindowSpec(1), WindowSpec(2))
    staff = (
        StaffSpec("JUNIOR", SkillLevel.L5, frozenset({SS, RE})),  # B needs L3
        StaffSpec("SENIOR", SkillLevel.L3, frozenset({RE})),
    )
    scenario = make_one_window(windows=windows, staff=staff, seats={1: "JUNIOR", 2: "SENIOR"})
    script = [
        ScriptedArrival(0.0, ("B",), service_minutes=30.0),
        ScriptedArrival(1.0, ("B",), service_minutes=5.0),
        ScriptedArrival(2.0, ("A",), service_minutes=5.0),
    ]
    records = run(scenario, 1, script=script).records
    by_number = {r.ticket_number: r for r in records}
    # the second real-estate visitor waits for the senior although the junior is idle
    assert by_number["D001"].staff_id == "SENIOR"
    assert by_number["D002"].staff_id == "SENIOR"
    assert by_number["D002"].called_minutes == 30.0
    assert by_number["A001"].staff_id == "JUNIOR"
    assert by_number["A001"].called_minutes == 2.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_call_of_a_centre_day_is_one_the_shared_rule_allows(centre_day: Scenario, seed: int) -> None:
    windows = {w.number: w for w in centre_day.windows}
    staff = centre_day.staff_by_id
    records = run(centre_day, seed).records
    called = [r for r in records if r.window_number is not None]
    assert called
    for record in called:
        assert record.window_number is not None
        assert record.staff_id is not None
        snapshot = window_snapshot(windows[record.window_number], staff[record.staff_id])
        ticket = WaitingTicket(
            ticket_id=record.ticket_id,
            number=record.ticket_number,
            items=tuple(centre_day.items[c].requirement for c in record.item_codes),
            arrived_at=centre_day.start,
            sequence=record.sequence,
        )
        assert can_serve(snapshot, ticket), record
        assert record.skill_level is staff[record.staff_id].skill_level


def test_a_no_show_costs_the_call_time_and_leaves(make_one_window: MakeScenario) -> None:
    scenario = replace(make_one_window(), no_show_call_minutes=1.5)
    script = [ScriptedArrival(0.0, ("A",), is_no_show=True), ScriptedArrival(0.5, ("A",))]
    result = run(scenario, 1, script=script)
    gone, served = result.records
    assert gone.outcome is Outcome.NO_SHOW
    assert gone.ended_minutes == 1.5
    assert gone.started_minutes is None
    assert served.called_minutes == 1.5
    assert served.outcome is Outcome.SERVED
    assert result.busy_minutes[1] == pytest.approx(11.5)


def test_an_impatient_visitor_abandons_when_patience_runs_out(make_one_window: MakeScenario) -> None:
    script = [ScriptedArrival(0.0, ("A",), service_minutes=30.0), ScriptedArrival(1.0, ("A",), patience_minutes=5.0)]
    result = run(make_one_window(), 1, script=script)
    gone = result.records[1]
    assert gone.outcome is Outcome.ABANDONED
    assert gone.is_abandoned
    assert gone.ended_minutes == 6.0
    assert gone.waited_minutes == 5.0
    assert gone.called_minutes is None


def test_the_fairness_cap_uses_the_windows_priority_streak(make_one_window: MakeScenario) -> None:
    script = [ScriptedArrival(0.1 * i, ("A",), priority_group=PriorityGroup.ELDERLY) for i in range(6)]
    script.append(ScriptedArrival(0.05, ("A",)))  # one normal visitor among a stream of priority ones
    records = run(make_one_window(service_minutes=10.0), 1, script=script).records
    order = sorted((r for r in records if r.called_minutes is not None), key=lambda r: r.called_minutes or 0.0)
    reasons = [r.call_reason for r in order]
    # three priority calls in a row (at 0, 10, 20); at 30 the normal visitor has waited > 20 min: fairness
    assert reasons[:4] == [CallReason.STATUTORY_PRIORITY] * 3 + [CallReason.FAIRNESS]
    assert order[3].priority_group is None
    assert not order[3].is_priority_call
    assert reasons[4:] == [CallReason.STATUTORY_PRIORITY] * 3


def test_a_staff_member_moving_windows_arrives_after_finishing_at_the_old_one(make_one_window: MakeScenario) -> None:
    base = make_one_window(close_minute=120.0)
    staff = (StaffSpec("X", SkillLevel.L4, frozenset({SS})), StaffSpec("Y", SkillLevel.L4, frozenset({SS})))
    scenario = replace(
        base,
        windows=(WindowSpec(1), WindowSpec(2)),
        staff=staff,
        slot_minutes=60.0,
        arrivals={"A": (0.0, 0.0), "B": (0.0, 0.0)},
        roster=({1: "X", 2: "Y"}, {1: "Y", 2: "X"}),  # they swap windows at minute 60
    )
    script = [
        ScriptedArrival(50.0, ("A",), service_minutes=20.0),  # X at window 1 until 70
        ScriptedArrival(61.0, ("A",), service_minutes=1.0),
    ]
    result = run(scenario, 1, script=script)
    first, second = result.records
    assert (first.window_number, first.staff_id, first.ended_minutes) == (1, "X", 70.0)
    # Y moved to window 1 only once X left it at 70; window 2 waits for X, so the 61.0 visitor is called at 70
    assert (second.called_minutes, second.staff_id) in {(70.0, "X"), (70.0, "Y")}


def test_the_queue_is_cleared_after_closing(make_one_window: MakeScenario) -> None:
    script = [ScriptedArrival(50.0 + i, ("A",)) for i in range(3)]
    result = run(make_one_window(close_minute=60.0), 1, script=script)
    assert [r.outcome for r in result.records] == [Outcome.SERVED] * 3
    assert max(r.ended_minutes for r in result.records) == 80.0
    assert result.staffed_minutes[1] == 80.0  # the clerk stays until the last visitor is served


def test_without_clearing_visitors_still_waiting_at_close_are_unserved(make_one_window: MakeScenario) -> None:
    script = [ScriptedArrival(50.0 + i, ("A",)) for i in range(3)]
    result = run(make_one_window(close_minute=60.0, clear_queue_at_close=False), 1, script=script)
    assert [r.outcome for r in result.records] == [Outcome.SERVED, Outcome.UNSERVED, Outcome.UNSERVED]
    assert result.records[1].ended_minutes == 60.0


def test_a_clerk_finishes_the_visitor_before_handing_over(make_one_window: MakeScenario) -> None:
    base = make_one_window(close_minute=120.0)
    staff = (StaffSpec("AM", SkillLevel.L4, frozenset({SS})), StaffSpec("PM", SkillLevel.L4, frozenset({SS})))
    scenario = replace(
        base, staff=staff, slot_minutes=60.0, arrivals={"A": (0.0, 0.0), "B": (0.0, 0.0)}, roster=({1: "AM"}, {1: "PM"})
    )
    script = [ScriptedArrival(55.0, ("A",), service_minutes=10.0), ScriptedArrival(56.0, ("A",), service_minutes=1.0)]
    result = run(scenario, 1, script=script)
    first, second = result.records
    assert (first.staff_id, first.called_minutes, first.ended_minutes) == ("AM", 55.0, 65.0)
    assert (second.staff_id, second.called_minutes) == ("PM", 65.0)
    # AM was seated 0–65 (over the hour boundary, to finish), PM 65–120: the window never counts double
    assert result.staffed_minutes[1] == pytest.approx(120.0)
    assert result.busy_minutes[1] == pytest.approx(11.0)


def test_scripted_arrivals_must_name_known_items(make_one_window: MakeScenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        run(make_one_window(), 1, script=[ScriptedArrival(0.0, ("ZZ",))])
    assert caught.value.field == "script[0].item_codes"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    no_show=st.floats(min_value=0.0, max_value=0.3),
    appointments=st.floats(min_value=0.0, max_value=0.3),
    is_cleared=st.booleans(),
)
def test_every_visitor_leaves_exactly_once_and_no_window_is_busier_than_staffed(
    centre_day: Scenario, seed: int, no_show: float, appointments: float, is_cleared: bool
) -> None:
    scenario = replace(
        centre_day, no_show_probability=no_show, appointment_share=appointments, clear_queue_at_close=is_cleared
    )
    result = run(scenario, seed)
    assert [r.sequence for r in result.records] == list(range(1, len(result.records) + 1))
    for record in result.records:
        assert record.ended_minutes >= record.arrived_minutes
        assert record.waited_minutes >= 0
        if record.called_minutes is not None:
            assert record.arrived_minutes <= record.called_minutes <= record.ended_minutes
    for number, busy in result.busy_minutes.items():
        assert busy <= result.staffed_minutes[number] + 1e-9


def test_a_clerk_asks_again_shortly_when_the_policy_declines_every_ticket(make_one_window: MakeScenario) -> None:
    calls: list[float] = []
    shared = routing.get_policy("default")
    clock = SimClock(make_one_window().start)

    def hesitant(
        window: WindowSnapshot, waiting: Sequence[WaitingTicket], now: datetime, rules: RoutingRules
    ) -> CallDecision | None:
        calls.append(clock.minutes(now))
        return None if len(calls) == 1 else shared(window, waiting, now, rules)

    env = simpy.Environment()
    hall = build(
        env, make_one_window(), RandomStreams.from_seed(1), script=[ScriptedArrival(3.0, ("A",))], policy=hesitant
    )
    env.run()
    hall.finish()
    assert calls == [3.0, 4.0]
    assert hall.records[0].called_minutes == 4.0


def test_a_result_does_not_depend_on_the_order_of_the_scenarios_mappings(centre_day: Scenario) -> None:
    shuffled = replace(
        centre_day,
        items=dict(reversed(list(centre_day.items.items()))),
        arrivals=dict(reversed(list(centre_day.arrivals.items()))),
        priority_shares=dict(reversed(list(centre_day.priority_shares.items()))),
        windows=tuple(reversed(centre_day.windows)),
    )
    assert run(shuffled, 4).records == run(centre_day, 4).records


def test_a_served_visitors_record_names_every_field_right(make_one_window: MakeScenario) -> None:
    """The twin builds records positionally (one per visitor, for speed): each value must land in its own field."""
    script = [
        ScriptedArrival(0.0, ("A",), service_minutes=4.0),
        ScriptedArrival(1.0, ("A",), priority_group=PriorityGroup.ELDERLY, service_minutes=3.0),
    ]
    first, second = run(make_one_window(), 1, script=script).records
    assert second == ServiceRecord(
        ticket_id="T000002",
        ticket_number=second.ticket_number,
        sequence=2,
        item_codes=("A",),
        priority_group=PriorityGroup.ELDERLY,
        has_appointment=False,
        outcome=Outcome.SERVED,
        arrived_minutes=1.0,
        called_minutes=4.0,
        started_minutes=4.0,
        ended_minutes=7.0,
        waited_minutes=3.0,
        window_number=1,
        staff_id=first.staff_id,
        skill_level=first.skill_level,
        call_reason=CallReason.STATUTORY_PRIORITY,
        is_priority_call=True,
    )
    assert second.ticket_number == format_ticket_number(second.ticket_number[:-3], 2)
    assert first.staff_id is not None
    assert first.skill_level is not None


def test_the_twins_ticket_numbers_are_the_halls(centre_day: Scenario) -> None:
    records = run(centre_day, 3).records
    prefixes: dict[str, int] = {}
    for record in records:
        prefix = record.ticket_number.rstrip("0123456789")
        prefixes[prefix] = prefixes.get(prefix, 0) + 1
        assert record.ticket_number == format_ticket_number(prefix, prefixes[prefix])
    assert [r.ticket_id for r in records] == [f"T{n:06d}" for n in range(1, len(records) + 1)]
