"""Stopping the server stops the planning pool: after SIGTERM no pool worker is left behind (review finding L10).

A real server process (uvicorn running ``create_app``, as ``hall serve`` does) starts the process-wide planning
pool, prints its workers' process ids, and is stopped with SIGTERM; every worker must be gone afterwards (an orphan
would live on with parent 1).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import os, sys
import uvicorn
from hall.app import create_app
from hall.settings import load_settings
from staffing.planning.compute import default_compute

env = {"HALL_DATABASE_URL": sys.argv[1], "HALL_VAR_DIR": sys.argv[2], "HALL_SECRET_KEY": "t" * 32,
       "HALL_RUN_SCHEDULER": "false"}
os.environ.update(env)
app = create_app(load_settings(env).with_overrides(run_scheduler=False))
pool = default_compute().executor
assert pool is not None, "no process pool on this machine"
for future in [pool.submit(os.getpid) for _ in range(8)]:
    future.result()
print("workers", *sorted(pool._processes), flush=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_config=None)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting to be reaped has stopped: it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def _serve_and_stop(url: str, var_dir: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(var_dir), str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    workers: list[int] = []
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("workers "), f"the server did not start (exit code {proc.poll()})"
        workers = [int(x) for x in line.split()[1:]]
        assert workers
        assert all(_alive(pid) for pid in workers)
        deadline = time.monotonic() + 30
        while True:  # until it serves
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) in {0, -signal.SIGTERM}  # uvicorn ends by re-raising the signal it caught
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], "pool workers outlived the server"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.stdout:
            proc.stdout.close()


async def test_sigterm_stops_the_planning_pool_workers(db: Any, tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the planning pool needs two CPUs")
    await asyncio.wait_for(asyncio.to_thread(_serve_and_stop, db.url, tmp_path), 120)
