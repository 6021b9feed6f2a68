"""`hall planning plan` on a Dask cluster (``HALL_DASK_SCHEDULER``), several centre-days at once, plans the same days.

On each database engine, the township centre 青山镇 (SFX-QS) gets four weeks of synthetic history and a fit; then
two days are planned from the shell, once serially in the process and once with the replications on a local
cluster of two worker processes and both days in flight together (``--parallel 2``). The stored plans must be
identical but for their ids and timings: every replication is seeded by its index, wherever it runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from hall.cli import main
from hall.db.engine import make_engine, make_session_maker
from hall.demo_history import seed_demo_history
from hall.lib.clock import FixedClock
from hall.settings import get_settings
from staffing.planning import compute as compute_module
from staffing.planning import schemas as s
from staffing.planning.commands import CLI_PRINCIPAL
from staffing.planning.compute import PlanningCompute
from staffing.planning.services import PlanningService

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TODAY = date(2026, 11, 23)
VOLATILE = {"id", "createdAt", "seconds"}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=True
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def fitted_township(db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The demo data with SFX-QS's history fitted, as the database of the ``hall`` command."""

    async def prepare() -> None:
        engine = make_engine(db.url)
        try:
            maker = make_session_maker(engine)
            async with maker() as session, session.begin():
                await seed_demo_history(session, 28, today=TODAY, centres=("SFX-QS",))
            clock = FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
            async with maker() as session, session.begin():
                service = PlanningService(session, CLI_PRINCIPAL, clock, PlanningCompute(workers=0))
                await service.refit("SFX-QS", s.RefitParameters(days=28))
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("HALL_DATABASE_URL", db.url)
    monkeypatch.delenv("HALL_DASK_SCHEDULER", raising=False)
    get_settings.cache_clear()
    try:
        yield db
    finally:
        get_settings.cache_clear()


def plans(output: str) -> list[dict[str, Any]]:
    """The plans printed as JSON lines, without what differs between two runs of the same plan."""
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def test_planning_days_on_the_cluster_and_in_parallel_gives_the_plans_made_serially(
    fitted_township: Any, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = ["planning", "plan", "--centre", "SFX-QS", "--on", "2026-11-30", "--to", "2026-12-01"]
    common = [*days, "--replications", "4", "--seed", "3", "--json"]
    serial = CliRunner().invoke(main, [*common, "--workers", "0"])
    assert serial.exit_code == 0, serial.output

    monkeypatch.setenv("HALL_DASK_SCHEDULER", scheduler)
    get_settings.cache_clear()
    with distributed.Client(scheduler, set_as_default=False) as observer, distributed.get_task_stream(observer) as ts:
        on_cluster = CliRunner().invoke(main, [*common, "--parallel", "2"])
    assert on_cluster.exit_code == 0, on_cluster.output

    expected = plans(serial.output)
    assert [p["on"] for p in expected] == ["2026-11-30", "2026-12-01"]
    assert plans(on_cluster.output) == expected
    ran = {str(task["key"]).split("-", 1)[0] for task in ts.data}
    assert ran == {"tally_run"}


def test_an_unreachable_scheduler_stops_the_command_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compute_module, "DASK_CONNECT_SECONDS", 1.0)
    monkeypatch.setenv("HALL_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["planning", "plan", "--centre", "SFX-QS", "--on", "2026-11-30"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "dask scheduler tcp://127.0.0.1:9" in result.output
