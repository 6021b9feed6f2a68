"""Where planning's CPU-bound work runs: never on the event loop.

The orchestration (a plan's search, a roster's repair rounds) runs in a worker thread of the calling process; the
twin's replications run in a process pool (``spawn``, so a pool started by the scheduler's leader never inherits
its leader lock), or on a Dask distributed cluster when a scheduler address is given (``--dask-scheduler`` or
``HALL_DASK_SCHEDULER``). With ``workers=0`` and no scheduler everything runs in the thread, serially (small
installations, tests).

Every replication is seeded by its index (``seed + i``), so the results are the same in all three places. The
functions shipped to a cluster are the simulation's top-level ones (``simulation.runner.run_and_summarise``,
``simulation.planning.tally_run``); the cluster's workers must run this project's code (the same environment).
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

DASK_CONNECT_SECONDS = 10.0
"""How long to wait for the Dask scheduler before giving up."""


class PlanningCompute:
    """A lazily started process pool or Dask client for the twin's replications, and a way to run planning off the loop.

    Args:
        workers: Processes for replications; ``None`` = one per CPU, ``0`` = no pool (serial, in the thread).
            Ignored when ``dask_scheduler`` is given.
        dask_scheduler: Address of a Dask distributed scheduler (``tcp://host:8786``): replications run on its
            workers instead of a local pool.
    """

    def __init__(self, workers: int | None = None, *, dask_scheduler: str | None = None) -> None:
        if workers is not None and workers < 0:
            msg = "workers must not be negative"
            raise ValueError(msg)
        self.workers = workers
        self.dask_scheduler = dask_scheduler or None
        self._pool: ProcessPoolExecutor | None = None
        self._client: Client | None = None
        self._cluster_executor: Executor | None = None
        self._lock = threading.Lock()

    @property
    def executor(self) -> Executor | None:
        """The Dask or process-pool executor (started on first use), or ``None`` when running serially.

        Connecting to a Dask scheduler blocks (up to ``DASK_CONNECT_SECONDS``): read this from a worker thread, as
        :meth:`run` does, never on the event loop.
        """
        if self.dask_scheduler is not None:
            with self._lock:
                if self._cluster_executor is None:
                    self._client, self._cluster_executor = _connect(self.dask_scheduler)
                return self._cluster_executor
        count = self.workers if self.workers is not None else (os.cpu_count() or 1)
        if count <= 1:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(*args, executor=…, **kwargs)`` in a worker thread; it may spread replications on the pool."""
        return await asyncio.to_thread(lambda: work(*args, executor=self.executor, **kwargs))

    async def run_plain(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(*args, **kwargs)`` in a worker thread (short CPU work, no pool)."""
        return await asyncio.to_thread(lambda: work(*args, **kwargs))

    def shutdown(self) -> None:
        """Stop the pool (waiting for running tasks) or disconnect from the Dask scheduler (the cluster stays up)."""
        with self._lock:
            pool, self._pool = self._pool, None
            client, self._client, self._cluster_executor = self._client, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if client is not None:
            client.close()  # type: ignore[no-untyped-call] # distributed leaves these unannotated


def _connect(address: str) -> tuple[Client, Executor]:
    """Connect to the Dask scheduler at ``address``; return the client and a ``concurrent.futures`` view of it.

    ``pure=False``: a replication's arguments are not hashed into its task key (the scenario is sizeable, and each
    run is distinct by its seed anyway).
    """
    from distributed import Client

    client = Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False)  # type: ignore[no-untyped-call]
    return client, client.get_executor(pure=False)  # type: ignore[no-untyped-call]


@contextmanager
def replication_executor(
    workers: int | None, replications: int, dask_scheduler: str | None = None
) -> Iterator[Executor | None]:
    """Yield where one batch of ``replications`` runs should go, and close it afterwards (for ``hall simulate``).

    A Dask cluster when ``dask_scheduler`` is given; otherwise a process pool of ``workers`` (``None``: one per
    CPU), no larger than the batch; ``None`` (serial) for a single run or a single process.
    """
    processes = workers if workers is not None else (os.cpu_count() or 1)
    compute = PlanningCompute(min(processes, replications), dask_scheduler=dask_scheduler)
    try:
        yield compute.executor
    finally:
        compute.shutdown()


_DEFAULT: PlanningCompute | None = None


def default_compute() -> PlanningCompute:
    """Return the process-wide compute (one pool or Dask client per process, stopped at exit).

    It uses the Dask scheduler of the installation's settings (``HALL_DASK_SCHEDULER``) when one is configured.
    """
    global _DEFAULT  # noqa: PLW0603 - one pool per process
    if _DEFAULT is None:
        from hall.settings import get_settings

        _DEFAULT = PlanningCompute(dask_scheduler=get_settings().dask_scheduler)
        atexit.register(_DEFAULT.shutdown)
    return _DEFAULT


def shutdown_default() -> None:
    """Stop the process-wide compute's pool (or Dask client) if one was started; the next use starts a new one.

    The application calls it on shutdown, so stopping the server (SIGTERM) leaves no pool workers behind.
    """
    global _DEFAULT
    compute, _DEFAULT = _DEFAULT, None
    if compute is not None:
        compute.shutdown()
