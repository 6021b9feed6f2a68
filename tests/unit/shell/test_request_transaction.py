"""The per-request transaction: committed before the answer, rolled back on error, and a failed commit is an
error — never a success for a change that was not saved."""

from __future__ import annotations

import pytest
from litestar import Litestar, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.testing import AsyncTestClient

from hall.db.session import provide_db_session

pytestmark = pytest.mark.unit


class FakeSession:
    def __init__(self, *, fail_commit: bool = False) -> None:
        self.fail_commit = fail_commit
        self.events: list[str] = []
        self.info: dict[str, object] = {}

    async def __aenter__(self) -> FakeSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events.append("close")

    async def commit(self) -> None:
        self.events.append("commit")
        if self.fail_commit:
            raise RuntimeError("disk full")

    async def rollback(self) -> None:
        self.events.append("rollback")


async def test_a_successful_request_commits_then_closes() -> None:
    session = FakeSession()
    provider = provide_db_session(State({"session_maker": lambda: session}))
    assert await provider.__anext__() is session
    with pytest.raises(StopAsyncIteration):
        await provider.__anext__()
    assert session.events == ["commit", "close"]


async def test_an_error_in_the_handler_rolls_back_and_is_raised() -> None:
    session = FakeSession()
    provider = provide_db_session(State({"session_maker": lambda: session}))
    await provider.__anext__()
    with pytest.raises(ValueError, match="refused"):
        await provider.athrow(ValueError("refused"))
    assert session.events == ["rollback", "close"]


async def test_a_failed_commit_is_raised_not_swallowed() -> None:
    session = FakeSession(fail_commit=True)
    provider = provide_db_session(State({"session_maker": lambda: session}))
    await provider.__anext__()
    with pytest.raises(RuntimeError, match="disk full"):
        await provider.__anext__()
    assert session.events == ["commit", "close"]  # closing the session rolls the connection back


async def test_litestar_turns_a_failed_commit_into_an_error_answer() -> None:
    session = FakeSession(fail_commit=True)

    @post("/change", sync_to_thread=False)
    def change(db_session: NamedDependency[FakeSession]) -> dict[str, str]:
        return {"saved": "yes"}

    app = Litestar(
        [change],
        dependencies={"db_session": Provide(provide_db_session)},
        state=State({"session_maker": lambda: session}),
    )
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/change")
    assert response.status_code == 500
    assert "saved" not in response.text


async def test_after_commit_callbacks_run_only_after_a_successful_commit() -> None:
    from hall.db.session import after_commit

    heard: list[str] = []
    committed = FakeSession()
    provider = provide_db_session(State({"session_maker": lambda: committed}))
    session = await provider.__anext__()
    after_commit(session, lambda: heard.append("published"))  # type: ignore[arg-type]
    with pytest.raises(StopAsyncIteration):
        await provider.__anext__()
    assert heard == ["published"]

    failed = FakeSession(fail_commit=True)
    provider = provide_db_session(State({"session_maker": lambda: failed}))
    session = await provider.__anext__()
    after_commit(session, lambda: heard.append("must not be heard"))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await provider.__anext__()
    assert heard == ["published"]
