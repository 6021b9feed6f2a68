"""The twin's shortcuts change its cost, never its output.

A clerk woken by an arrival runs at once when nothing else is due at that minute, instead of through a wake-up
event; here the environment reports every minute as busy, so every wake-up goes through its event, and the records
must come out the same, value for value.
"""

from __future__ import annotations

import pytest
import simpy

from simulation.model import RandomStreams, build
from simulation.records import ServiceRecord
from simulation.scenario import Scenario

pytestmark = pytest.mark.unit


class _EveryMinuteBusy(simpy.Environment):
    """An environment that says another event is always due now, so the twin never takes its wake-up shortcut."""

    def peek(self) -> float:
        return self.now


def _records(scenario: Scenario, seed: int, env: simpy.Environment) -> tuple[list[ServiceRecord], float]:
    hall = build(env, scenario, RandomStreams.from_seed(seed))
    env.run()
    hall.finish()
    return hall.records, env.now


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_waking_a_clerk_at_once_gives_the_same_records_as_a_wake_up_event(
    centre_day: Scenario, busy_hall: Scenario, seed: int
) -> None:
    for scenario in (centre_day, busy_hall):
        shortcut, shortcut_end = _records(scenario, seed, simpy.Environment())
        evented, evented_end = _records(scenario, seed, _EveryMinuteBusy())
        assert len(shortcut) > 100
        assert shortcut == evented
        assert shortcut_end == evented_end


def test_the_shortcut_is_taken_in_an_ordinary_run(busy_hall: Scenario) -> None:
    """Otherwise the test above would compare the event path with itself."""
    scenario = busy_hall
    events = 0
    woken_at_once = 0

    class Counting(simpy.Environment):
        def step(self) -> None:
            nonlocal events
            events += 1
            super().step()

        def peek(self) -> float:
            nonlocal woken_at_once
            due = super().peek()
            woken_at_once += due > self.now
            return due

    records, _ = _records(scenario, 1, Counting())
    assert woken_at_once > len(records) // 10
    # Two events per visitor (arrival, end of the call) and a few for the roster and the clerks' start.
    assert events < 2 * len(records) + 200
