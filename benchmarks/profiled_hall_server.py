"""Hall in one process, with per-request database counters and a stack sampler (driven by ``queueing_throughput.py``).

    HALL_DATABASE_URL=postgresql+asyncpg://… HALL_VAR_DIR=… HALL_SECRET_KEY=… HALL_RUN_SCHEDULER=false \\
        .venv/bin/python benchmarks/profiled_hall_server.py --port 8002 --out /tmp/hall-profile

The real application (``hall.app.create_app``) served by uvicorn in this process, wrapped in an ASGI layer that
classifies each request (issue, call-next, start, complete; ``GET /health`` and ``GET /api/v1/auth/me`` as floors)
and counts, per request:

* SQL statements sent by SQLAlchemy (``before_cursor_execute``), by verb and by text, and the time spent in them;
* transaction control and pool pre-pings sent by the driver (an asyncpg query logger on every pooled connection:
  ``BEGIN``, ``COMMIT``, ``ROLLBACK`` and the ``;`` of a ping — SQLAlchemy's events do not see them);
* live-event NOTIFYs queued for the channels plugin (one per channel name published);
* wall time and the loop thread's CPU time (exact only when requests do not overlap: the sequential phase).

Where the CPU goes under load is measured by sampling the event loop thread's stack on the kernel's profiling
timer (see ``StackSampler``). cProfile was tried first and misleads here: with its default wall-clock timer it
charges the time spent waiting for PostgreSQL to whichever coroutine frame it last saw, and with a CPU timer it
still splits every coroutine into one "call" per resumption and loses the link between SQLAlchemy's greenlets
and the coroutines that wait for them.

Two control endpoints, outside Hall:

* ``POST /__bench/reset`` (``?sample=1`` also starts the sampler): forget what was counted so far (the warm-up);
* ``POST /__bench/snapshot``: stop the sampler, write ``OUT/stacks.collapsed`` (flame graph input), answer the
  counters and the sampler's summary as JSON.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import re
import signal
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import greenlet
import uvicorn
from litestar.channels import ChannelsPlugin
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

OPS = (
    ("issue", "POST", re.compile(r"^/api/v1/centres/[^/]+/tickets$")),
    ("call-next", "POST", re.compile(r"^/api/v1/centres/[^/]+/windows/\d+/call-next$")),
    ("start", "POST", re.compile(r"^/api/v1/centres/[^/]+/windows/\d+/current/start$")),
    ("complete", "POST", re.compile(r"^/api/v1/centres/[^/]+/windows/\d+/current/complete$")),
    ("GET /health", "GET", re.compile(r"^/health$")),
    ("GET /auth/me", "GET", re.compile(r"^/api/v1/auth/me$")),
)
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", ";")


def classify(method: str, path: str) -> str:
    for name, verb, pattern in OPS:
        if method == verb and pattern.match(path):
            return name
    return "other"


class RequestCounts:
    __slots__ = ("counts", "cpu", "db", "op", "wall")

    def __init__(self, op: str) -> None:
        self.op = op
        self.counts: Counter[str] = Counter()
        self.db = 0.0
        self.wall = 0.0
        self.cpu = 0.0


CURRENT: contextvars.ContextVar[RequestCounts | None] = contextvars.ContextVar("bench_request", default=None)


class Collector:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: list[RequestCounts] = []
        self.statements: dict[str, Counter[str]] = defaultdict(Counter)
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()

    def summary(self) -> dict[str, Any]:
        ops: dict[str, dict[str, Any]] = {}
        for request in self.requests:
            entry = ops.setdefault(request.op, {"requests": 0, "wall_s": 0.0, "cpu_s": 0.0, "db_s": 0.0, "counts": {}})
            entry["requests"] += 1
            entry["wall_s"] += request.wall
            entry["cpu_s"] += request.cpu
            entry["db_s"] += request.db
            for key, value in request.counts.items():
                entry["counts"][key] = entry["counts"].get(key, 0) + value
        return {
            "seconds": time.perf_counter() - self.started,
            "process_cpu_s": time.process_time() - self.cpu_started,
            "ops": ops,
            "statements": {op: dict(counter) for op, counter in self.statements.items()},
        }


COLLECTOR = Collector()


def _normalise(statement: str) -> str:
    text = " ".join(statement.split())
    text = re.sub(r"\$\d+(::[A-Z]+)?", "?", text)
    return text[:160]


def install_listeners() -> None:
    """Count statements, transaction control, pings and NOTIFYs of whichever request is running."""

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())
        request = CURRENT.get()
        if request is None:
            return
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        request.counts["sql"] += 1
        request.counts[f"sql:{verb}"] += 1
        COLLECTOR.statements[request.op][_normalise(statement)] += 1

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool) -> None:
        started = conn.info["bench_t0"].pop()
        request = CURRENT.get()
        if request is not None:
            request.db += time.perf_counter() - started

    def _logged(record: Any) -> None:  # called soon after the query, in the caller's context
        request = CURRENT.get()
        if request is None:
            return
        query = record.query.strip()
        word = query.split(None, 1)[0].upper() if query else ""
        if query == ";":
            word = ";"
        word = word.rstrip(";") or word
        if word in CONTROL:
            request.counts[f"ctl:{word}"] += 1
            request.db += record.elapsed

    @event.listens_for(Pool, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        raw = getattr(dbapi_connection, "_connection", None)
        if raw is not None and hasattr(raw, "add_query_logger"):
            raw.add_query_logger(_logged)

    @event.listens_for(Pool, "checkout")
    def _on_checkout(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        request = CURRENT.get()
        if request is not None:
            request.counts["checkout"] += 1

    original_publish = ChannelsPlugin.publish

    def counted_publish(self: ChannelsPlugin, data: Any, channels: Any) -> None:
        names = [channels] if isinstance(channels, str) else list(channels)
        request = CURRENT.get()
        if request is not None:
            request.counts["notify"] += len(names)
        original_publish(self, data, names)

    ChannelsPlugin.publish = counted_publish  # type: ignore[method-assign]


# --- the stack sampler ----------------------------------------------------------------------------------------------
_IN_CHILD: Any = None  # the SQLAlchemy greenlet the event loop thread is running in, if any


def _greenlet_trace(event_name: str, args: Any) -> None:
    global _IN_CHILD  # noqa: PLW0603 - written by the loop thread, read by the sampler
    if event_name in {"switch", "throw"}:
        target = args[1]
        _IN_CHILD = target if getattr(target, "__sqlalchemy_greenlet_provider__", False) else None


MARKERS = (  # (label, path fragment, function or None): share of samples with such a frame anywhere on the stack
    ("authentication middleware (own session + token query)", "hall/security.py", "authenticate_request"),
    ("pool checkout (incl. pre-ping)", "sqlalchemy/pool/base.py", "_checkout"),
    ("SQL compilation (cache lookups included)", "sqlalchemy/sql/elements.py", "_compile_w_cache"),
    ("statement cache keys", "sqlalchemy/sql/cache_key.py", "_generate_cache_key"),
    ("ORM: rows to objects", "sqlalchemy/orm/loading.py", "instances"),
    ("ORM: flush (unit of work)", "sqlalchemy/orm/session.py", "_flush"),
    ("asyncpg adapter: prepare + execute", "sqlalchemy/dialects/postgresql/asyncpg.py", "_prepare_and_execute"),
    ("JSON/JSONB decoding", "sqlalchemy/dialects/postgresql/asyncpg.py", "_jsonb_decoder"),
    ("commit / rollback", "hall/db/session.py", "provide_db_session"),
    ("building the ticket answer (_read)", "queueing/services/_base.py", "_read"),
    ("response encoding (Litestar/msgspec)", "litestar/response/", None),
    ("live events: publish (after commit + background NOTIFY)", "queueing/live.py", "publish"),
)
NOT_HALL = {"hall", "queueing"}


class StackSampler:
    """Samples the event loop thread's Python stack on ``SIGPROF``: one sample per ``interval`` of process CPU time.

    The kernel's profiling timer advances only while the process uses CPU, so idle waits for PostgreSQL are never
    sampled (its granularity is the scheduler tick, ~4 ms here). The handler runs in the loop thread between two
    bytecodes, so time spent in C (asyncpg's protocol, uvloop) is charged to the Python frame that called it; a
    sample whose innermost frame is the runner's ``run`` is uvloop's own work between callbacks. A sampler thread
    was tried first and is useless with uvloop: it gets the GIL only when the loop releases it, between callbacks.

    A statement run by SQLAlchemy's asyncio layer executes in a child greenlet whose frames do not link back to
    the coroutine that awaited it; a greenlet trace remembers which child is running, and its parent's suspended
    frame continues the stack, so ORM work is charged to the Hall function that asked for it.
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.stacks: Counter[tuple[Any, ...]] = Counter()

    def start(self) -> None:  # in the event loop thread (the main thread)
        greenlet.settrace(_greenlet_trace)
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_IGN)
        greenlet.settrace(None)

    def _sample(self, _signum: int, frame: Any) -> None:
        codes = []
        while frame is not None:
            codes.append(frame.f_code)
            frame = frame.f_back
        child = _IN_CHILD
        if child is not None and child.parent is not None:
            frame = child.parent.gr_frame
            while frame is not None:
                codes.append(frame.f_code)
                frame = frame.f_back
        if codes:
            self.stacks[tuple(codes)] += 1

    def summary(self, top: int = 25) -> dict[str, Any]:
        """Shares of the samples; samples taken inside this module's own instrumentation are left out."""
        stacks = {codes: n for codes, n in self.stacks.items() if package_of(codes[0].co_filename) != "benchmarks"}
        samples = sum(stacks.values())
        by_package: Counter[str] = Counter()
        charged: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        markers: Counter[str] = Counter()
        for codes, count in stacks.items():
            leaf = codes[0]
            if leaf.co_filename.endswith("asyncio/runners.py"):
                by_package["event loop (uvloop, C)"] += count
            else:
                by_package[package_of(leaf.co_filename)] += count
            ours = [c for c in codes if package_of(c.co_filename) in NOT_HALL]
            charged[where(ours[0]) if ours else "(outside Hall's code)"] += count
            for name in {where(c) for c in ours}:
                inclusive[name] += count
            for label, path, function in MARKERS:
                if any(path in c.co_filename and function in {None, c.co_name} for c in codes):
                    markers[label] += count
        return {
            "samples": samples,
            "instrumentation_samples": sum(self.stacks.values()) - samples,
            "by_package": dict(by_package.most_common()),
            "charged": dict(charged.most_common(top)),
            "inclusive": dict(inclusive.most_common(top)),
            "markers": {label: markers[label] for label, _, _ in MARKERS},
        }

    def collapsed(self) -> str:
        """Stacks in the "collapsed" format of flame graph tools (root first)."""
        lines = [";".join(where(c) for c in reversed(codes)) + f" {n}" for codes, n in self.stacks.items()]
        return "\n".join(sorted(lines)) + "\n"


def where(code: Any) -> str:
    return f"{short_path(code.co_filename)}:{code.co_name}"


def package_of(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for ours in ("hall", "queueing", "staffing", "simulation", "benchmarks"):
        if f"/{ours}/" in filename:
            return ours
    if "/asyncio/" in filename:
        return "asyncio (stdlib)"
    return "stdlib/other"


def short_path(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    for ours in ("hall", "queueing", "benchmarks"):
        marker = f"/{ours}/"
        if marker in filename:
            return ours + "/" + filename.split(marker, 1)[1]
    return filename.rsplit("/", 2)[-1] if "/" in filename else filename


class Instrumented:
    """ASGI wrapper: counts per request, plus the two control endpoints."""

    def __init__(self, app: Any, out: Path) -> None:
        self.app = app
        self.out = out
        self.sampler: StackSampler | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/__bench/"):
            await self._control(scope, send)
            return
        request = RequestCounts(classify(scope["method"], path))
        status = 0

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = CURRENT.set(request)
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            await self.app(scope, receive, send_status)
        finally:
            request.wall = time.perf_counter() - wall
            request.cpu = time.thread_time() - cpu
            CURRENT.reset(token)
            if request.op == "call-next" and status == 204:
                request.op = "call-next (204)"
            elif status >= 300:
                request.op += f" ({status})"
            COLLECTOR.requests.append(request)

    async def _control(self, scope: dict[str, Any], send: Any) -> None:
        body: dict[str, Any] = {}
        if scope["path"] == "/__bench/reset":
            self._stop_sampler()
            COLLECTOR.reset()
            if b"sample=1" in scope.get("query_string", b""):
                self.sampler = StackSampler()
                self.sampler.start()
            body = {"ok": True}
        elif scope["path"] == "/__bench/snapshot":
            body = COLLECTOR.summary()
            sampler = self._stop_sampler()
            if sampler is not None:
                self.out.mkdir(parents=True, exist_ok=True)
                (self.out / "stacks.collapsed").write_text(sampler.collapsed(), encoding="utf-8")
                body["sampler"] = sampler.summary()
        payload = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _stop_sampler(self) -> StackSampler | None:
        sampler, self.sampler = self.sampler, None
        if sampler is not None:
            sampler.stop()
        return sampler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from hall.app import create_app

    install_listeners()
    app = Instrumented(create_app(), args.out)
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_config=None, lifespan="on")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
