"""``hall planning …``: fit, forecast, plan and roster from the shell, over one or many centres, with progress bars.

Each centre (and each day of a plan run) has its own transaction, committed when it is done, so an interrupted run
keeps what it finished. Replications run in a process pool (``--workers``, default one per CPU), or on a Dask
distributed cluster with ``--dask-scheduler ADDRESS`` (default: ``HALL_DASK_SCHEDULER``); ``--parallel N`` then plans
N centre-days at once, so a sweep over many centres keeps the cluster's workers busy. One pool or cluster
connection serves the whole command.
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


def _service(session: Any, compute: Any) -> Any:
    from hall.lib.clock import SystemClock
    from staffing.planning.services import PlanningService

    return PlanningService(session, CLI_PRINCIPAL, SystemClock(), compute)


def _serial_compute() -> Any:
    """Return a compute without pool or cluster (fitting and forecasting simulate nothing)."""
    from staffing.planning.compute import PlanningCompute

    return PlanningCompute(0)


def _compute(workers: int | None, dask_scheduler: str | None) -> Any:
    """Return the compute for one command: a local pool, or the Dask cluster of the option or of the settings."""
    from hall.settings import SettingsError, get_settings
    from staffing.planning.compute import PlanningCompute

    if dask_scheduler is None:
        try:
            dask_scheduler = get_settings().dask_scheduler
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
    compute = PlanningCompute(workers, dask_scheduler=dask_scheduler)
    if dask_scheduler is not None:
        try:
            compute.executor  # noqa: B018 - connect now: an unreachable scheduler is reported before any work
        except OSError as exc:
            raise click.ClickException(f"dask scheduler {dask_scheduler}: {exc}") from exc
    return compute


async def _each(
    session_maker: Any,
    items: Sequence[T],
    label: str,
    step: Callable[[Any, T], Awaitable[str]],
    parallel: int = 1,
) -> list[str]:
    """Run ``step(session, item)`` for each item in its own transaction, with a progress bar.

    Up to ``parallel`` items run at once (each in its own session); the lines come back in the items' order.
    """
    lines: dict[int, str] = {}
    gate = asyncio.Semaphore(parallel)
    with click.progressbar(length=len(items), label=label, show_pos=True) as bar:

        async def one(index: int, item: T) -> None:
            async with gate, session_maker() as session:
                try:
                    lines[index] = await step(session, item)
                    await session.commit()
                except HallError as exc:
                    await session.rollback()
                    lines[index] = f"{item}: {exc.field}: {exc.reason}"
            bar.update(1)

        await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))
    return [lines[i] for i in range(len(items))]


@click.group(help="Planning: fitted parameters, forecasts, staffing plans and rosters.")
def planning() -> None:
    pass


_centre_option = click.option(
    "--centre", "centres", multiple=True, help="centre code (repeatable; default: every active centre)"
)
_workers_option = click.option(
    "--workers", type=click.IntRange(0, 256), default=None, help="processes for replications (0 = none; default: CPUs)"
)
_dask_option = click.option(
    "--dask-scheduler",
    metavar="ADDRESS",
    default=None,
    help="run the replications on this Dask cluster (default: HALL_DASK_SCHEDULER; unset: the local pool)",
)
_parallel_option = click.option(
    "--parallel",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="centre-days planned at once (worth raising on a cluster)",
)


@planning.command("fit", help="Fit each centre's arrival and service-time parameters from its history.")
@_centre_option
@click.option("--days", type=click.IntRange(7, 730), default=90, show_default=True)
def fit_command(centres: tuple[str, ...], days: int) -> None:
    from staffing.planning import schemas as s

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)

        async def step(session: Any, code: str) -> str:
            fit = await _service(session, _serial_compute()).refit(code, s.RefitParameters(days=days))
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
            forecast = await _service(session, _serial_compute()).forecast_week(code, data)
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
@_dask_option
@_parallel_option
@click.option("--json", "as_json", is_flag=True, help="print the plans as JSON lines")
def plan_command(
    centres: tuple[str, ...],
    first: Any,
    last: Any,
    replications: int,
    seed: int,
    arrivals_factor: float,
    workers: int | None,
    dask_scheduler: str | None,
    parallel: int,
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
            service = _service(session, compute)
            if not await service.is_open_on(code, on):
                return f"{code} {on}: closed"
            plan = await service.plan(
                code, s.PlanStaffing(on=on, replications=replications, seed=seed, arrivals_factor=arrivals_factor)
            )
            if as_json:
                import msgspec

                return msgspec.json.encode(plan).decode()
            return plan_table(plan)

        return await _each(session_maker, jobs, "planning", step, parallel)

    compute = _compute(workers, dask_scheduler)
    try:
        lines = _run(work)
    finally:
        compute.shutdown()
    for line in lines:
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
@_dask_option
@_parallel_option
def roster_command(
    centres: tuple[str, ...],
    week: Any,
    replications: int,
    repair_rounds: int,
    workers: int | None,
    dask_scheduler: str | None,
    parallel: int,
) -> None:
    from staffing.planning import schemas as s

    async def work(session_maker: Any) -> list[str]:
        codes = await _centre_codes(session_maker, centres)

        async def step(session: Any, code: str) -> str:
            data = s.BuildRoster(week_start=week.date(), replications=replications, repair_rounds=repair_rounds)
            roster = await _service(session, compute).build_roster(code, data)
            failing = [
                f"{d.on} {', '.join(d.evaluation.failing_slots)}" for d in roster.days if d.evaluation.failing_slots
            ]
            return (
                f"{code}: {len(roster.shifts)} shifts, {roster.staff_hours:.1f} h, solver {roster.solver['status']}, "
                f"{'keeps the promise' if roster.meets_promise else 'misses: ' + '; '.join(failing)}"
            )

        return await _each(session_maker, codes, "rostering", step, parallel)

    compute = _compute(workers, dask_scheduler)
    try:
        lines = _run(work)
    finally:
        compute.shutdown()
    for line in lines:
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
