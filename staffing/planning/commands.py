"""``hall planning …``: fit, forecast, plan and roster from the shell, over one or many centres, with progress bars.

Each centre (and each day of a plan run) has its own transaction, committed when it is done, so an interrupted run
keeps what it finished. Replications run in a process pool (``--workers``, default one per CPU).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

import click

from hall.domain.access import Principal
from hall.domain.errors import HallError
from hall.domain.people import Role

T = TypeVar("T")
CLI_PRINCIPAL = Principal(role=Role.ADMIN, name="cli:planning", centre_scope=None)


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session_maker)`` on the configured database."""
    from hall.db.engine import make_engine, make_session_maker
    from hall.settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc

    async def main() -> T:
        engine = make_engine(settings.database_url)
        try:
            return await work(make_session_maker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


async def _centre_codes(session_maker: Any, wanted: Sequence[str]) -> list[str]:
    from sqlalchemy import select

    from hall.models import CentreModel

    async with session_maker() as session:
        codes = list(
            await session.scalars(
                select(CentreModel.code).where(CentreModel.is_active.is_(True)).order_by(CentreModel.code)
            )
        )
    if wanted:
        unknown = sorted(set(wanted) - set(codes))
        if unknown:
            raise click.ClickException(f"centre: no active centre {', '.join(unknown)}")
        return [c for c in codes if c in wanted]
    return codes


def _service(session: Any, workers: int | None) -> Any:
    from hall.lib.clock import SystemClock
    from staffing.planning.compute import PlanningCompute
    from staffing.planning.services import PlanningService

    return PlanningService(session, CLI_PRINCIPAL, SystemClock(), PlanningCompute(workers))


async def _each(
    session_maker: Any, items: Sequence[T], label: str, step: Callable[[Any, T], Awaitable[str]]
) -> list[str]:
    """Run ``step(session, item)`` for each item in its own transaction, with a progress bar."""
    lines: list[str] = []
    with click.progressbar(items, label=label, show_pos=True, item_show_func=lambda i: str(i) if i else "") as bar:
        for item in bar:
            async with session_maker() as session:
                try:
                    lines.append(await step(session, item))
                    await session.commit()
                except HallError as exc:
                    await session.rollback()
                    lines.append(f"{item}: {exc.field}: {exc.reason}")
    return lines


@click.group(help="Planning: fitted parameters, forecasts, staffing plans and rosters.")
def planning() -> None:
    pass


_centre_option = click.option(
    "--centre", "centres", multiple=True, help="centre code (repeatable; default: every active centre)"
)
_workers_option = click.option(
    "--workers", type=click.IntRange(0, 256), default=None, help="processes for replications (0 = none; default: CPUs)"
)


@planning.command("fit", help="Fit each centre's arrival and service-time parameters from its history.")
@_centre_option
@click.option("--days", type=click.IntRange(7, 730), default=90, show_default=True)
def fit_command(centres: tuple[str, ...], days: int) -> None:
    from staffing.planning import schemas as s

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)

        async def step(session: Any, code: str) -> str:
            fit = await _service(session, 0).refit(code, s.RefitParameters(days=days))
            return (
                f"{code}: {fit.tickets} tickets, {fit.service_records} service records, {fit.data_from}…{fit.data_to}"
            )

        return await _each(session_maker, codes, "fitting", step)

    for line in _run(work):
        click.echo(line)


@planning.command("forecast", help="Forecast a week for each centre from its latest fit (default: next week).")
@_centre_option
@click.option("--week", "week", type=click.DateTime(["%Y-%m-%d"]), default=None, help="the week's Monday")
def forecast_command(centres: tuple[str, ...], week: Any) -> None:
    from staffing.planning import schemas as s

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)

        async def step(session: Any, code: str) -> str:
            data = s.ForecastWeek(week_start=week.date() if week else None)
            forecast = await _service(session, 0).forecast_week(code, data)
            total = sum(d.expected_total for d in forecast.days)
            return f"{code}: week of {forecast.week_start}: {total:.0f} visitors expected"

        return await _each(session_maker, codes, "forecasting", step)

    for line in _run(work):
        click.echo(line)


@planning.command("plan", help="Plan days: the Erlang C plan against the simulated plan, per centre and day.")
@_centre_option
@click.option("--on", "first", type=click.DateTime(["%Y-%m-%d"]), required=True, help="first day")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), default=None, help="last day (default: --on)")
@click.option("--replications", type=click.IntRange(2, 200), default=30, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--arrivals-factor", type=click.FloatRange(0, 5), default=1.0, show_default=True)
@_workers_option
@click.option("--json", "as_json", is_flag=True, help="print the plans as JSON lines")
def plan_command(
    centres: tuple[str, ...],
    first: Any,
    last: Any,
    replications: int,
    seed: int,
    arrivals_factor: float,
    workers: int | None,
    as_json: bool,
) -> None:
    from staffing.planning import schemas as s

    start, end = first.date(), (last or first).date()
    if end < start:
        raise click.ClickException("to: must not be before --on")

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)
        jobs = [(code, start + timedelta(days=i)) for code in codes for i in range((end - start).days + 1)]

        async def step(session: Any, job: tuple[str, date]) -> str:
            code, on = job
            service = _service(session, workers)
            if not await service.is_open_on(code, on):
                return f"{code} {on}: closed"
            plan = await service.plan(
                code, s.PlanStaffing(on=on, replications=replications, seed=seed, arrivals_factor=arrivals_factor)
            )
            if as_json:
                import msgspec

                return msgspec.json.encode(plan).decode()
            return plan_table(plan)

        return await _each(session_maker, jobs, "planning", step)

    for line in _run(work):
        click.echo(line)


def plan_table(plan: Any) -> str:
    """Return a plan's side-by-side table (Markdown) with the slots missing the promise marked ✗."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.0f} %"

    def minutes(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    lines = [
        f"## {plan.centre_code} {plan.on} — {plan.expected_visitors:.0f} visitors expected, "
        f"{plan.replications} replications, {plan.seconds:.1f} s",
        "",
        "| slot | visitors | Erlang C windows | within | mean wait | simulated windows | within | mean wait |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in plan.comparison:
        e, x = row.erlang, row.simulated
        lines.append(
            f"| {row.slot} | {row.expected_visitors:.1f} | {row.erlang_windows} | {pct(e.share_within)}"
            f"{'' if e.meets_promise else ' ✗'} | {minutes(e.mean_wait_minutes)} | {row.simulated_windows} "
            f"| {pct(x.share_within)}{'' if x.meets_promise else ' ✗'} | {minutes(x.mean_wait_minutes)} |"
        )
    lines.append(
        f"| **day** | {plan.expected_visitors:.0f} | **{plan.erlang.staff_hours:.1f} h** "
        f"| {pct(plan.erlang.share_within)} | {minutes(plan.erlang.mean_wait_minutes)} "
        f"| **{plan.simulated.staff_hours:.1f} h** | {pct(plan.simulated.share_within)} "
        f"| {minutes(plan.simulated.mean_wait_minutes)} |"
    )
    lines += [
        "",
        f"Slots missing the promise: Erlang C {len(plan.erlang.failing_slots)} "
        f"({', '.join(plan.erlang.failing_slots) or 'none'}), simulated {len(plan.simulated.failing_slots)} "
        f"({', '.join(plan.simulated.failing_slots) or 'none'}).",
    ]
    return "\n".join(lines)


@planning.command("roster", help="Roster a week for each centre (integer program), simulate it and store it.")
@_centre_option
@click.option("--week", "week", type=click.DateTime(["%Y-%m-%d"]), required=True, help="the week's Monday")
@click.option("--replications", type=click.IntRange(2, 200), default=20, show_default=True)
@click.option("--repair-rounds", type=click.IntRange(0, 5), default=2, show_default=True)
@_workers_option
def roster_command(
    centres: tuple[str, ...], week: Any, replications: int, repair_rounds: int, workers: int | None
) -> None:
    from staffing.planning import schemas as s

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)

        async def step(session: Any, code: str) -> str:
            data = s.BuildRoster(week_start=week.date(), replications=replications, repair_rounds=repair_rounds)
            roster = await _service(session, workers).build_roster(code, data)
            failing = [
                f"{d.on} {', '.join(d.evaluation.failing_slots)}" for d in roster.days if d.evaluation.failing_slots
            ]
            return (
                f"{code}: {len(roster.shifts)} shifts, {roster.staff_hours:.1f} h, solver {roster.solver['status']}, "
                f"{'keeps the promise' if roster.meets_promise else 'misses: ' + '; '.join(failing)}"
            )

        return await _each(session_maker, codes, "rostering", step)

    for line in _run(work):
        click.echo(line)


@planning.command("nightly", help="Run the nightly job once: refit every centre and forecast its next week.")
@click.option("--days", type=click.IntRange(7, 730), default=90, show_default=True)
def nightly_command(days: int) -> None:
    from hall.lib.clock import SystemClock
    from staffing.planning.jobs import refit_and_forecast

    async def work(session_maker: Any) -> dict[str, str]:
        return await refit_and_forecast(session_maker, SystemClock(), days=days)

    click.echo(json.dumps(_run(work), ensure_ascii=False, indent=2))


@planning.command("demo-history", help="Give the demo centres synthetic history from the twin (idempotent).")
@click.option("--days", type=click.IntRange(1, 730), default=90, show_default=True)
def demo_history_command(days: int) -> None:
    from hall.demo_history import seed_demo_history

    async def work(session_maker: Any) -> Any:
        async with session_maker() as session, session.begin():
            with click.progressbar(length=days * 3, label="simulating demo history") as bar:
                return await seed_demo_history(session, days, progress=lambda _code, _on: bar.update(1))

    report = _run(work)
    if report.total:
        click.echo(
            f"synthetic history: {report.tickets} tickets, {report.service_records} service records "
            f"({', '.join(f'{c}: {n} days' for c, n in report.days.items())}) in {report.seconds:.1f} s"
        )
    else:
        click.echo("synthetic history already present; nothing changed")
