"""Where planning's CPU-bound work runs: never on the event loop.

The orchestration (a plan's search, a roster's repair rounds) runs in a worker thread of the calling process; the
twin's replications run in a process pool (``spawn``, so a pool started by the scheduler's leader never inherits
its leader lock). With ``workers=0`` everything runs in the thread, serially (small installations, tests).
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class PlanningCompute:
    """A lazily started process pool for the twin's replications, and a way to run planning work off the loop.

    Args:
        workers: Processes for replications; ``None`` = one per CPU, ``0`` = no pool (serial, in the thread).
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 0:
            msg = "workers must not be negative"
            raise ValueError(msg)
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def executor(self) -> Executor | None:
        """The process pool (started on first use), or ``None`` when running serially."""
        count = self.workers if self.workers is not None else (os.cpu_count() or 1)
        if count <= 1:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(*args, executor=…, **kwargs)`` in a worker thread; it may spread replications on the pool."""
        executor = self.executor
        return await asyncio.to_thread(lambda: work(*args, executor=executor, **kwargs))

    async def run_plain(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(*args, **kwargs)`` in a worker thread (short CPU work, no pool)."""
        return await asyncio.to_thread(lambda: work(*args, **kwargs))

    def shutdown(self) -> None:
        """Stop the pool (waiting for running tasks)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_DEFAULT: PlanningCompute | None = None


def default_compute() -> PlanningCompute:
    """Return the process-wide compute (one pool per process, stopped at exit)."""
    global _DEFAULT  # noqa: PLW0603 - one pool per process
    if _DEFAULT is None:
        _DEFAULT = PlanningCompute()
        atexit.register(_DEFAULT.shutdown)
    return _DEFAULT
