"""The reference server of ``queueing_throughput.py``: bare Litestar + asyncpg, one UPDATE on one hot row.

    BENCH_BARE_DSN=postgresql://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python -m uvicorn bare_update_app:app --app-dir benchmarks --port 8001 --no-access-log

``POST /bump`` runs ``UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n`` (the table is created by the
benchmark in its throwaway database) and answers ``{"n": …}``. No ORM, no session, no authentication, no
middleware: the ceiling one committed write per request can reach on this machine with this stack (two round
trips per request: the UPDATE in autocommit, and the reset asyncpg's pool runs when the connection comes back).
The pool's limit (``BENCH_BARE_POOL``, default 30) matches Hall's (SQLAlchemy ``pool_size=10`` +
``max_overflow=20``).
"""

from __future__ import annotations

import os

import asyncpg
from litestar import Litestar, post
from litestar.datastructures import State

BUMP = "UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n"


async def _open_pool(app: Litestar) -> None:
    size = int(os.environ.get("BENCH_BARE_POOL", "30"))
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_BARE_DSN"], min_size=1, max_size=size)


async def _close_pool(app: Litestar) -> None:
    await app.state.pool.close()


@post("/bump", status_code=200)
async def bump(state: State) -> dict[str, int]:
    n = await state.pool.fetchval(BUMP)
    return {"n": n}


app = Litestar(route_handlers=[bump], on_startup=[_open_pool], on_shutdown=[_close_pool])
