"""The ``hall`` command: serve, migrate, seed, and operate an installation from the shell."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from hall.settings import Settings, SettingsError, get_settings
from staffing.planning.commands import planning as planning_commands

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def run_with_session(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction on the configured database and commit it."""
    from hall.db.engine import make_engine, make_session_maker

    async def main() -> T:
        engine = make_engine(_settings().database_url)
        try:
            async with make_session_maker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@click.group(help="Hall: window-hall queueing and staff management for government service centres.")
def main() -> None:
    """Entry point of the ``hall`` console script."""


@main.command(help="Serve the web application (uvicorn).")
@click.option("--host", default=None, help="default: HALL_HOST (127.0.0.1)")
@click.option("--port", type=int, default=None, help="default: HALL_PORT (8000)")
@click.option("--workers", type=int, default=1, show_default=True)
@click.option("--reload", is_flag=True, help="restart on code changes (development)")
def serve(host: str | None, port: int | None, workers: int, reload: bool) -> None:
    import uvicorn

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    click.echo(f"Hall is serving on http://{host}:{port}/  (API docs: http://{host}:{port}/schema)")
    uvicorn.run(
        "hall.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=None,
        proxy_headers=True,
        # Live event streams (boards, consoles, visitors' phones) never end by themselves: without a limit, a stop
        # (SIGTERM, Ctrl-C) would wait for every screen to go away. After the grace period the streams are cut; the
        # pages reconnect (Last-Event-ID) to the next server, and a request still running is rolled back.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


@main.group(help="Database migrations.")
def db() -> None:
    pass


@db.command("upgrade", help="Migrate the database to the newest schema (or REVISION) and add reference data.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    from hall.db import migrate
    from hall.seed import ensure_national_calendar

    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    if revision == "head":
        run_with_session(ensure_national_calendar)
    click.echo(f"database at {revision}: {_redact(settings.database_url)}")


@db.command("downgrade", help="Migrate the database down to REVISION.")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from hall.db import migrate

    migrate.downgrade(_settings().database_url, revision)


@db.command("current", help="Show the database's revision.")
def db_current() -> None:
    from hall.db import migrate

    migrate.current(_settings().database_url)


@db.command("revision", help="Autogenerate a migration from the models (developers).")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    from hall.db import migrate

    migrate.make_revision(_settings().database_url, message)


@main.group(help="Seed data.")
def seed() -> None:
    pass


@seed.command("demo", help="Seed the demo county centre and two township centres (idempotent).")
def seed_demo_command() -> None:
    from hall import demo
    from hall.demo_history import seed_demo_history
    from hall.seed import demo_logins, seed_demo
    from staffing.demo import seed_demo_month
    from staffing.domain.periods import Month

    report = run_with_session(seed_demo)
    if report.total:
        click.echo("seeded: " + ", ".join(f"{n} {kind}" for kind, n in report.created.items()))
    else:
        click.echo("demo data already present; nothing changed")
    click.echo("synthetic history (90 days, produced by the SimPy twin, marked synthetic) …")
    history = run_with_session(seed_demo_history)
    if history.total:
        click.echo(f"  {history.tickets} tickets, {history.service_records} service records in {history.seconds:.1f} s")
    else:
        click.echo("  already present; nothing changed")
    today = datetime.now(ZoneInfo(_settings().timezone)).date()
    month = Month.last_complete_before(today)
    click.echo(f"the county centre's {month}: ratings, 差评 cases, manager entries, a pay rule …")
    staffing = run_with_session(lambda session: seed_demo_month(session, centre_code="SFX", month=month, today=today))
    if staffing.ratings or staffing.pay_rule:
        click.echo(
            f"  {staffing.ratings} ratings ({staffing.negative_cases} 差评 cases), {staffing.entries} manager entries,"
            f" {staffing.sessions} window sessions"
        )
    else:
        click.echo("  already present; nothing changed")
    settings = _settings()
    click.echo(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
    for who, username, _ in demo_logins():
        click.echo(f"  {username:<12} {who}")
    click.echo(f"\nKiosk device token:   {demo.DEMO_KIOSK_TOKEN}")
    click.echo(f"Display device token: {demo.DEMO_DISPLAY_TOKEN}")
    click.echo(f"\nAPI docs: {settings.public_url}/schema")


@main.group(help="Users.")
def user() -> None:
    pass


@user.command("create-admin", help="Create an administrator (first set-up of a real installation).")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def create_admin(username: str, display_name: str, password_stdin: bool) -> None:
    import msgspec

    from hall import schemas as s
    from hall.domain.access import Principal
    from hall.domain.errors import HallError
    from hall.domain.people import Role
    from hall.services import UserService

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("password: ")
    try:
        data = msgspec.convert(
            {"username": username, "displayName": display_name, "password": password, "role": "admin"},
            s.UserCreate,
        )
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    actor = Principal(role=Role.ADMIN, name="cli", centre_scope=None)
    try:
        run_with_session(lambda session: UserService(session, actor).create(data))
    except HallError as exc:
        raise click.ClickException(f"{exc.field}: {exc.reason}") from exc
    click.echo(f"administrator {username} created")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.split("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return url


@main.command(help="Simulate a hall scenario (full or stationary JSON form) with the SimPy twin.")
@click.option(
    "--scenario",
    "scenario_paths",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    multiple=True,
    help="scenario file; repeat for a sweep (all runs in one batch, one JSON object per line, in order)",
)
@click.option("--replications", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--workers", type=click.IntRange(0, 256), default=0, help="processes for replications (0 = CPU count)")
@click.option(
    "--dask-scheduler",
    metavar="ADDRESS",
    default=None,
    help="run the replications on this Dask cluster (default: HALL_DASK_SCHEDULER; unset: a local process pool)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (the default output)")
def simulate(
    scenario_paths: tuple[str, ...],
    replications: int,
    seed: int,
    workers: int,
    dask_scheduler: str | None,
    as_json: bool,
) -> None:
    import json
    from pathlib import Path

    from hall.domain.errors import HallError
    from simulation.runner import sweep_json
    from staffing.planning.compute import replication_executor

    datas = []
    for path in scenario_paths:
        try:
            datas.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{path} is not JSON: {exc}") from exc
    scheduler = dask_scheduler if dask_scheduler is not None else _settings().dask_scheduler
    try:
        with replication_executor(workers or None, replications * len(datas), scheduler) as executor:
            reports = sweep_json(datas, replications, seed, executor)
    except HallError as exc:
        raise click.ClickException(f"{exc.field}: {exc.reason}") from exc
    except OSError as exc:  # the Dask scheduler could not be reached
        raise click.ClickException(f"dask scheduler {scheduler}: {exc}") from exc
    del as_json  # JSON is the only output form; the flag is accepted for the documented contract
    for report in reports:
        click.echo(json.dumps(report, ensure_ascii=False, sort_keys=True))


@main.group(help="Staffing: windows needed, plans and rosters.")
def staffing() -> None:
    pass


@staffing.command("required", help="Minimum number of windows for a stationary load and a waiting target.")
@click.option("--arrival-rate-per-hour", type=float, required=True)
@click.option("--mean-service-minutes", type=float, required=True)
@click.option("--target", required=True, help='"80% within 15" or "mean <= 10"')
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a sentence")
def staffing_required(arrival_rate_per_hour: float, mean_service_minutes: float, target: str, as_json: bool) -> None:
    import json

    from hall.domain.errors import HallError
    from simulation.runner import required_windows_report

    try:
        report = required_windows_report(arrival_rate_per_hour, mean_service_minutes, target)
    except HallError as exc:
        raise click.ClickException(f"{exc.field}: {exc.reason}") from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, sort_keys=True))
        return
    click.echo(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True))


main.add_command(planning_commands)
