"""Server-Sent Events against real server processes: live calls, resuming with Last-Event-ID, two processes on
one PostgreSQL, and a listener that survives losing its database connection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from queueing.live import LISTENER_APPLICATION_NAME

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ALL_DAY = [{"weekday": d, "opensAt": "00:00:00", "closesAt": "23:59:59"} for d in range(7)]
ADMIN = {"Authorization": "Bearer ha_test-admin"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(db: Any, tmp_path: Path) -> Iterator[str]:
    with server_process(db, tmp_path) as (base, _):
        yield base


@contextlib.contextmanager
def server_process(db: Any, tmp_path: Path, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "HALL_DATABASE_URL": db.url,
        "HALL_VAR_DIR": str(tmp_path),
        "HALL_SECRET_KEY": "t" * 32,
        "HALL_RUN_SCHEDULER": "false",
        "HALL_LOG_LEVEL": "WARNING",
        **settings,
    }
    process = subprocess.Popen([sys.executable, "-m", "hall", "serve", "--port", str(port)], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError("the server exited")
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


class Stream:
    """Reads SSE messages (event, id, data) from a streaming response."""

    def __init__(self, lines: AsyncIterator[str]) -> None:
        self.lines = lines

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            message: dict[str, Any] = {}
            async for line in self.lines:
                if not line:
                    if "event" in message or "data" in message:
                        return message
                    continue
                if line.startswith(":"):
                    continue
                key, _, value = line.partition(":")
                message[key] = value.strip()
            raise EOFError

        return await asyncio.wait_for(read(), timeout)

    async def until(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.next(max(0.1, deadline - loop.time()))
            if predicate(message):
                return message


def data(message: dict[str, Any]) -> dict[str, Any]:
    return json.loads(message["data"]) if message.get("data") else {}


async def setup_live_centre(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, headers=ADMIN, timeout=10) as client:
        created = await client.post(
            "/api/v1/centres", json={"code": "LIVE", "nameZh": "直播测试中心", "level": "county", "sessions": ALL_DAY}
        )
        assert created.status_code == 201, created.text
        await client.put("/api/v1/centres/LIVE/items", json={"items": [{"itemCode": "SB001"}]})
        await client.post("/api/v1/centres/LIVE/windows", json={"number": 1, "type": "comprehensive_all"})
        staff = {
            "employeeNo": "LV001",
            "name": "直播员",
            "centreCode": "LIVE",
            "skillLevel": 4,
            "employmentType": "contracted",
            "qualifiedDomains": ["social_security"],
        }
        assert (await client.post("/api/v1/staff", json=staff)).status_code == 201
        opened = await client.post("/api/v1/centres/LIVE/windows/1/session", json={"staffEmployeeNo": "LV001"})
        assert opened.status_code == 201, opened.text


async def issue(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, headers=ADMIN, timeout=10) as client:
        response = await client.post(
            "/api/v1/centres/LIVE/tickets", json={"itemCodes": ["SB001"], "channel": "guide_desk"}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@contextlib.asynccontextmanager
async def listen(base: str, path: str, last_event_id: int | None = None) -> AsyncIterator[Stream]:
    headers = dict(ADMIN)
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=60)) as client,
        client.stream("GET", path, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = Stream(response.aiter_lines())
        await stream.until(lambda m: m.get("event") == "ready")
        yield stream


async def test_a_stream_hears_tickets_issued_and_called(db, tmp_path) -> None:
    with server(db, tmp_path) as base:
        await setup_live_centre(base)
        async with listen(base, "/api/v1/centres/LIVE/events") as stream:
            ticket = await issue(base)
            issued = await stream.until(lambda m: m.get("event") == "issue")
            assert data(issued)["number"] == ticket["number"]
            async with httpx.AsyncClient(base_url=base, headers=ADMIN) as client:
                await client.post("/api/v1/centres/LIVE/windows/1/call-next")
            called = await stream.until(lambda m: m.get("event") == "call")
            assert data(called)["window"] == 1
            assert int(called["id"]) > int(issued["id"])


async def test_a_stream_resumed_with_last_event_id_gets_what_it_missed_in_order(db, tmp_path) -> None:
    with server(db, tmp_path) as base:
        await setup_live_centre(base)
        first = await issue(base)
        async with listen(base, f"/api/v1/tickets/{first['publicCode']}/events") as stream:
            await issue(base)
            seen = await stream.until(lambda m: m.get("event") == "issue")
            last_id = int(seen["id"])
        missed = [await issue(base) for _ in range(3)]  # while disconnected
        async with (
            httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=60)) as client,
            client.stream(
                "GET", f"/api/v1/tickets/{first['publicCode']}/events", headers={"Last-Event-ID": str(last_id)}
            ) as response,
        ):
            stream = Stream(response.aiter_lines())
            replayed = []
            while True:
                message = await stream.next()
                if message.get("event") == "ready":
                    break
                replayed.append(message)
        assert [data(m)["number"] for m in replayed] == [t["number"] for t in missed]
        ids = [int(m["id"]) for m in replayed]
        assert ids == sorted(ids)
        assert ids[0] > last_id


async def test_two_processes_on_one_postgresql_share_live_events(db, tmp_path) -> None:
    if db.kind != "postgresql":
        pytest.skip("on SQLite live events stay within one process (documented); use PostgreSQL for several")
    with server(db, tmp_path / "a") as first, server(db, tmp_path / "b") as second:
        await setup_live_centre(first)
        async with listen(first, "/api/v1/centres/LIVE/events") as stream:
            ticket = await issue(second)
            heard = await stream.until(lambda m: m.get("event") == "issue")
            assert data(heard)["number"] == ticket["number"]


async def test_the_listener_is_re_established_after_its_connection_is_killed(db, tmp_path) -> None:
    if db.kind != "postgresql":
        pytest.skip("the LISTEN connection exists only on PostgreSQL")
    with server(db, tmp_path) as base:
        await setup_live_centre(base)
        async with listen(base, "/api/v1/centres/LIVE/events") as stream:
            database = db.url.rsplit("/", 1)[1]
            admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND application_name = $2",
                    database,
                    LISTENER_APPLICATION_NAME,
                )
            finally:
                await admin.close()
            assert killed >= 1
            await stream.until(lambda m: m.get("event") == "resync", timeout=15)
            ticket = await issue(base)
            heard = await stream.until(lambda m: m.get("event") == "issue")
            assert data(heard)["number"] == ticket["number"]


async def test_a_stop_does_not_wait_for_the_open_event_streams(db, tmp_path) -> None:
    # A board's stream never ends by itself; a stop (SIGTERM) closes it after the grace period instead of waiting
    # for every screen to go away (it used to wait forever).
    with server_process(db, tmp_path, HALL_SHUTDOWN_GRACE_SECONDS="1") as (base, process):
        await setup_live_centre(base)
        async with listen(base, "/api/v1/centres/LIVE/events") as stream:
            process.terminate()
            # TimeoutExpired (a failure) if it hangs; uvicorn ends by re-raising the signal it stopped for
            assert await asyncio.to_thread(process.wait, 20) in {0, -signal.SIGTERM}
            with pytest.raises((httpx.HTTPError, EOFError)):  # closed, not merely quiet
                await stream.until(lambda m: False, timeout=5)
