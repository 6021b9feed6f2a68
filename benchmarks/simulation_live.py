"""Live wait prediction against the naive estimate, on a replayed day of the demo county centre.

Run from the project root:

    .venv/bin/python benchmarks/simulation_live.py [--every 10] [--replications 30] [--seed 101]

A Monday of the demo county centre (its demand of ``hall.demo_history``, staffed by its simulated plan, 5 %
no-shows, 6 % priority visitors) is simulated once: that run is "what happened". Every ``--every`` minutes of the
opening hours the hall's state is rebuilt from that record — the tickets waiting (arrival, items, priority), the
clerks seated, the visitors at the windows and how long they have been served — and each waiting ticket's call
time is predicted twice: by ``simulation.live.predict_calls`` (P50 and P90 of short twin runs with other seeds)
and by the naive estimate (people ahead × mean standard minutes / open windows that may serve it, what the kiosk
printed before). Both are compared with when the ticket was actually called.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hall.demo_history import demo_forecast, demo_setup
from hall.domain.people import PriorityGroup
from queueing.domain.snapshot import WaitingTicket
from simulation.centre import day_scenario
from simulation.live import HallState, LiveTicket, LiveWindow, predict_calls
from simulation.planning import plan_day
from simulation.records import Outcome
from simulation.runner import run
from staffing.planning.services import naive_calls

MONDAY = date(2026, 11, 23)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=10.0, help="minutes between predictions")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=101)
    args = parser.parse_args()
    setup = replace(
        demo_setup(),
        no_show_probability=0.05,
        priority_shares={PriorityGroup.ELDERLY: 0.05, PriorityGroup.MILITARY: 0.01},
    )
    forecast = demo_forecast(setup, MONDAY)
    assert forecast is not None
    roster = plan_day(setup, forecast, replications=10, seed=7).roster
    scenario = day_scenario(setup, forecast.grid, forecast.item_rates, roster)
    truth = run(scenario, args.seed, check=False)
    records = truth.records
    grid = forecast.grid
    staff = {s.staff_id: s for s in setup.staff}
    windows = {w.number: w for w in setup.windows}
    twin_errors: list[float] = []
    naive_errors: list[float] = []
    covered = judged = 0
    seconds = 0.0
    moments = 0
    for opens, closes in grid.sessions:
        minute = opens + args.every
        while minute < closes:
            now = grid.start + timedelta(minutes=minute)
            slot = min(int(minute // grid.slot_minutes), grid.n_slots - 1)
            waiting = [
                r
                for r in records
                if r.arrived_minutes <= minute
                and (r.called_minutes is None or r.called_minutes > minute)
                and (r.called_minutes is not None or r.ended_minutes > minute)
            ]
            busy = {
                r.window_number: r
                for r in records
                if r.called_minutes is not None
                and r.window_number is not None
                and r.called_minutes <= minute < r.ended_minutes
            }
            live_windows = []
            for number, staff_id in sorted(roster[slot].items()):
                if staff_id is None:
                    continue
                current = busy.get(number)
                live_windows.append(
                    LiveWindow(
                        window=windows[number],
                        staff=staff[staff_id],
                        current_items=current.item_codes if current and current.outcome is Outcome.SERVED else (),
                        elapsed_minutes=minute - current.called_minutes if current and current.called_minutes else 0.0,
                    )
                )
            tickets = [
                LiveTicket(
                    ticket=WaitingTicket(
                        ticket_id=r.ticket_id,
                        number=r.ticket_number,
                        items=tuple(setup.items[c].requirement for c in r.item_codes),
                        arrived_at=grid.start + timedelta(minutes=r.arrived_minutes),
                        sequence=r.sequence,
                        priority_group=r.priority_group,
                    ),
                    item_codes=r.item_codes,
                )
                for r in waiting
            ]
            state = HallState(
                now=now,
                items=setup.items,
                windows=tuple(live_windows),
                waiting=tuple(tickets),
                arrival_rates={c: r[slot] for c, r in forecast.item_rates.items()},
                minutes_to_close=closes - minute,
                routing_rules=setup.routing_rules,
                no_show_probability=setup.no_show_probability,
                priority_shares=setup.priority_shares,
            )
            started = time.perf_counter()
            predicted = predict_calls(state, replications=args.replications, seed=args.seed * 1000 + moments)
            seconds += time.perf_counter() - started
            moments += 1
            naive = naive_calls(state)
            for r in waiting:
                if r.called_minutes is None:
                    continue
                actual = r.called_minutes - minute
                p = predicted[r.ticket_id]
                if math.isinf(p.p50_minutes) or r.ticket_id not in naive:
                    continue
                judged += 1
                twin_errors.append(p.p50_minutes - actual)
                naive_errors.append((naive[r.ticket_id] - now) / timedelta(minutes=1) - actual)
                covered += actual <= p.p90_minutes
            minute += args.every

    def summary(errors: list[float]) -> str:
        absolute = sorted(abs(e) for e in errors)
        return (
            f"MAE {statistics.fmean(absolute):5.2f} min, median |error| {statistics.median(absolute):5.2f}, "
            f"P90 |error| {absolute[int(0.9 * (len(absolute) - 1))]:5.2f}, bias {statistics.fmean(errors):+5.2f}"
        )

    served = sum(1 for r in records if r.outcome is Outcome.SERVED)
    print(
        f"replayed day: {len(records)} visitors ({served} served), {moments} moments every {args.every:g} min, "
        f"{judged} predictions judged, {args.replications} replications per moment "
        f"({seconds / moments * 1000:.0f} ms per moment)"
    )
    print(f"twin P50  : {summary(twin_errors)}; actual call ≤ P90 in {covered / judged * 100:.0f} % of cases")
    print(f"naive     : {summary(naive_errors)}")


if __name__ == "__main__":
    main()
