"""Background jobs that run in exactly one process: an APScheduler 3 scheduler started only by the leader.

Every app process (uvicorn/granian worker, or several machines on one PostgreSQL) starts a
:class:`LeaderElectedScheduler`. Each tries every ``retry_seconds`` to take a :class:`LeaderLock`; the one that
holds it starts an ``AsyncIOScheduler`` with the jobs (in memory: APScheduler 3 cannot share a job store between
processes), the others keep trying. When the leader stops, crashes or loses its lock, another takes over within
about ``retry_seconds``.

Two locks:

- :class:`PostgresAdvisoryLock` — ``pg_try_advisory_lock`` on a dedicated connection. The server releases it when
  that connection ends, so a killed leader frees it at once; the leader checks every ``retry_seconds`` that its
  connection still holds the lock and steps down otherwise. Do not route this connection through a pooler in
  transaction mode (pgbouncer), which would hand the session to others.
- :class:`FileLock` — ``fcntl.flock`` on a file under the installation's ``var`` directory, for SQLite, where all
  processes share one machine. The kernel releases it when the process dies.

Jobs must be idempotent: a job interrupted by a crash or a lost lock runs again under the next leader, and for a
moment after a lost connection two processes may both believe they lead. Cron jobs do not catch up on runs missed
while no process led; a job that must not miss a day should either run with ``run_at_start=True`` (once whenever
a process becomes leader) or be written to catch up on everything overdue each time it runs.

A process forked from the leader (a ``multiprocessing`` pool with the ``fork`` start method) inherits the lock's
file descriptor or socket and keeps the lock alive after the leader dies: start such pools with ``spawn`` or
``forkserver``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hall.settings import Settings

logger = logging.getLogger("hall.scheduler")

JobFunc = Callable[[], Awaitable[object]]  # a job's result is ignored
_DB_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class LeaderLock(Protocol):
    """A lock that at most one process holds at a time, released by the system when its holder dies."""

    @property
    def description(self) -> str:
        """Say what the lock is, for log lines."""
        ...

    async def acquire(self) -> bool:
        """Try once, without waiting; return True if this process now holds the lock."""
        ...

    async def is_held(self) -> bool:
        """Return True if this process still holds the lock (False after a lost connection or a replaced file)."""
        ...

    async def release(self) -> None:
        """Let the lock go if held and free the resources behind it; safe to call at any time."""
        ...


def advisory_key(name: str) -> int:
    """Return a stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def asyncpg_dsn(url: str) -> str:
    """Turn a SQLAlchemy URL (``postgresql+asyncpg://…``) into a DSN asyncpg accepts."""
    for prefix in ("postgresql+asyncpg://", "postgres+asyncpg://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


class PostgresAdvisoryLock:
    """A session-level PostgreSQL advisory lock held on one dedicated asyncpg connection.

    ``key`` is a 64-bit integer or a name hashed to one (advisory locks are per database). The connection is kept
    open between attempts; it is dropped (and leadership given up) when a query on it fails or takes longer than
    ``timeout`` seconds, or when asyncpg reports it closed.
    """

    _HOLDS = (
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        " AND granted AND classid = $1 AND objid = $2 AND objsubid = 1)"
    )

    def __init__(self, dsn: str, key: int | str = "hall.scheduler", *, timeout: float = 5.0) -> None:
        self.dsn = asyncpg_dsn(dsn)
        self.key = advisory_key(key) if isinstance(key, str) else key
        if not -(2**63) <= self.key < 2**63:
            msg = "an advisory lock key must fit in a signed 64-bit integer"
            raise ValueError(msg)
        self.timeout = timeout
        self._conn: asyncpg.Connection | None = None
        self._held = False
        self._io = asyncio.Lock()

    @property
    def description(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"

    @property
    def backend_pid(self) -> int | None:
        """The server process id of the lock's connection, if connected."""
        conn = self._conn
        return None if conn is None or conn.is_closed() else conn.get_server_pid()

    def _on_terminated(self, _conn: asyncpg.Connection) -> None:
        if self._held:
            logger.warning("%s: its connection was closed", self.description)
        self._held = False

    async def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def acquire(self) -> bool:
        async with self._io:
            if self._held and self._conn is not None and not self._conn.is_closed():
                return True
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self.dsn, timeout=self.timeout, server_settings={"application_name": "hall-scheduler"}
                    )
                    self._conn.add_termination_listener(self._on_terminated)
                got = await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock($1::bigint)", self.key, timeout=self.timeout
                )
            except _DB_ERRORS as exc:
                logger.warning("%s: cannot try it (%s: %s)", self.description, type(exc).__name__, exc)
                await self._drop()
                return False
            self._held = bool(got)
            return self._held

    async def is_held(self) -> bool:
        async with self._io:
            conn = self._conn
            if not self._held or conn is None or conn.is_closed():
                if self._conn is not None:
                    await self._drop()
                return False
            unsigned = self.key & 0xFFFF_FFFF_FFFF_FFFF
            try:
                held = await conn.fetchval(self._HOLDS, unsigned >> 32, unsigned & 0xFFFF_FFFF, timeout=self.timeout)
            except _DB_ERRORS as exc:
                logger.warning("%s: connection check failed (%s: %s)", self.description, type(exc).__name__, exc)
                await self._drop()
                return False
            if not held:
                logger.warning("%s: no longer held by this connection", self.description)
                await self._drop()
                return False
            return True

    async def release(self) -> None:
        async with self._io:
            conn, held = self._conn, self._held
            self._conn, self._held = None, False
            if conn is None or conn.is_closed():
                return
            try:
                if held:
                    await conn.fetchval("SELECT pg_advisory_unlock($1::bigint)", self.key, timeout=self.timeout)
                await conn.close(timeout=self.timeout)
            except _DB_ERRORS as exc:  # closing the connection releases the lock anyway
                logger.warning("%s: clean release failed (%s); dropping the connection", self.description, exc)
                conn.terminate()


class FileLock:
    """An exclusive ``fcntl.flock`` on ``path`` (created if missing, never deleted), held while the file is open.

    If the file is deleted or replaced while held, another process could lock the new file: the holder notices at
    its next check and gives up leadership.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def description(self) -> str:
        return f"lock file {self.path}"

    def _is_our_file(self, fd: int) -> bool:
        try:
            on_disk = self.path.stat()
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    async def acquire(self) -> bool:
        if self._fd is not None:
            return await self.is_held()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        if not self._is_our_file(fd):  # replaced between our open() and flock(): that lock guards nothing
            os.close(fd)
            return False
        self._fd = fd
        with contextlib.suppress(OSError):  # the holder's pid, for people looking at the file
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return True

    async def is_held(self) -> bool:
        fd = self._fd
        if fd is None:
            return False
        if self._is_our_file(fd):
            return True
        logger.warning("%s was deleted or replaced while held", self.description)
        self._close()
        return False

    async def release(self) -> None:
        self._close()


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """One job: an async callable without arguments and an APScheduler 3 trigger (see :func:`every`, :func:`cron`).

    ``run_at_start`` also runs it once as soon as a process becomes leader (to catch up after a takeover).
    ``misfire_grace_time``: a run more than this many seconds late (a blocked event loop) is skipped.
    """

    id: str
    func: JobFunc
    trigger: Any
    run_at_start: bool = False
    misfire_grace_time: int | None = 60


def every(job_id: str, func: JobFunc, *, seconds: float, run_at_start: bool = False) -> ScheduledJob:
    """Run ``func`` every ``seconds`` seconds (counted from the moment the process became leader)."""
    if seconds <= 0:
        msg = "an interval must be positive"
        raise ValueError(msg)
    return ScheduledJob(job_id, func, IntervalTrigger(seconds=seconds, timezone=UTC), run_at_start=run_at_start)


def cron(
    job_id: str, func: JobFunc, *, timezone: tzinfo, run_at_start: bool = False, **fields: int | str
) -> ScheduledJob:
    """Run ``func`` on a cron schedule in ``timezone``: ``cron("close", f, timezone=zone, hour=21, minute=0)``."""
    return ScheduledJob(job_id, func, CronTrigger(timezone=timezone, **fields), run_at_start=run_at_start)


class LeaderElectedScheduler:
    """Runs ``jobs`` in whichever process holds ``lock``; start it in every process, from the app's lifespan.

    ``start()`` returns at once; a background task tries the lock every ``retry_seconds`` and, while leader,
    checks as often that it still holds it. Each job runs at most one instance at a time and runs due while the
    event loop was blocked are coalesced into one. ``stop()`` waits up to ``shutdown_timeout`` seconds for
    running jobs, then cancels them and releases the lock. When the lock is lost, running jobs are cancelled at
    once (another process may already lead). A failing job is logged and runs again at its next time.
    """

    def __init__(
        self,
        lock: LeaderLock,
        jobs: Sequence[ScheduledJob],
        *,
        retry_seconds: float = 3.0,
        timezone: tzinfo = UTC,
        name: str | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        ids = [job.id for job in jobs]
        if len(set(ids)) != len(ids):
            msg = f"job ids must be unique: {ids}"
            raise ValueError(msg)
        if retry_seconds <= 0:
            msg = "retry_seconds must be positive"
            raise ValueError(msg)
        self.lock = lock
        self.jobs = tuple(jobs)
        self.retry_seconds = retry_seconds
        self.timezone = timezone
        self.name = name or f"pid {os.getpid()}"
        self.shutdown_timeout = shutdown_timeout
        self._scheduler: Any = None
        self._leading = False
        self._running: set[asyncio.Task[Any]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def is_leader(self) -> bool:
        return self._leading

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Begin trying for leadership in the background (returns at once; calling it again does nothing)."""
        if self.is_running:
            return
        self._stopping = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"leader election ({self.name})")

    async def stop(self) -> None:
        """Stop the jobs (waiting up to ``shutdown_timeout`` for running ones) and release the lock."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
        except Exception:
            logger.exception("scheduler %s: the election task failed", self.name)

    async def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                await self._tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.retry_seconds)
        finally:
            await self._step_down(graceful=True)

    async def _tick(self) -> None:
        try:
            if self._scheduler is None:
                if await self.lock.acquire():
                    self._lead()
            elif not await self.lock.is_held():
                logger.error("scheduler %s lost the %s: stopping its jobs", self.name, self.lock.description)
                await self._step_down(graceful=False)
        except Exception:
            logger.exception("scheduler %s: leader election failed; retrying in %.1f s", self.name, self.retry_seconds)
            if self._scheduler is not None:
                await self._step_down(graceful=False)
            else:
                with contextlib.suppress(Exception):
                    await self.lock.release()

    def _lead(self) -> None:
        scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=self.timezone,
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        now = datetime.now(self.timezone)
        for job in self.jobs:
            options: dict[str, Any] = {"next_run_time": now} if job.run_at_start else {}
            scheduler.add_job(
                self._wrap(job),
                trigger=job.trigger,
                id=job.id,
                name=job.id,
                misfire_grace_time=job.misfire_grace_time,
                **options,
            )
        self._leading = True
        self._scheduler = scheduler
        scheduler.start()
        logger.info(
            "scheduler %s is leader (%s): running %s",
            self.name,
            self.lock.description,
            ", ".join(j.id for j in self.jobs),
        )

    def _wrap(self, job: ScheduledJob) -> JobFunc:
        async def run() -> None:
            if not self.is_leader:  # a run that fired just as this process stepped down
                return
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job.func()
            except asyncio.CancelledError:
                if self._leading:
                    raise
                logger.warning("job %s cancelled: scheduler %s stepped down", job.id, self.name)
            except Exception:
                logger.exception("job %s failed (scheduler %s)", job.id, self.name)
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    async def _step_down(self, *, graceful: bool) -> None:
        scheduler, self._scheduler = self._scheduler, None
        self._leading = False
        if scheduler is not None:
            running = set(self._running)
            if graceful and running:
                _done, late = await asyncio.wait(running, timeout=self.shutdown_timeout)
                if late:
                    logger.warning("scheduler %s: %d job(s) still running at stop: cancelled", self.name, len(late))
            with contextlib.suppress(Exception):
                scheduler.shutdown(wait=False)
            running = set(self._running)
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs on the next loop iteration
            logger.info("scheduler %s stepped down", self.name)
        try:
            await self.lock.release()
        except Exception:
            logger.exception("scheduler %s: releasing the %s failed", self.name, self.lock.description)


def make_leader_lock(settings: Settings, name: str = "scheduler") -> LeaderLock:
    """Pick the lock for an installation: an advisory lock on PostgreSQL, a lock file in ``var`` on SQLite."""
    if settings.is_sqlite:
        return FileLock(settings.var_dir / f"{name}.lock")
    return PostgresAdvisoryLock(settings.database_url, key=f"hall.{name}")
