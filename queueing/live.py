"""Live events: what the display board, a window console and a visitor's phone hear, as Server-Sent Events.

Channels: ``centre:{code}`` (every ticket event of a centre and window state changes), ``window:{code}:{n}`` and
``ticket:{public code}``. Ticket events carry the id of their ``ticket_event`` row; a client that reconnects with
``Last-Event-ID`` is first sent what it missed, read from the history in the database, then the live stream.

On PostgreSQL the channels travel by LISTEN/NOTIFY, so every app process hears every event. The listener
connection is watched: when it is lost (a database restart) it is re-established and every stream is told to
resync, which replays from the history what may have been missed. On SQLite the channels stay in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

import asyncpg
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queueing.models import TicketEventModel, TicketModel
from queueing.services import LiveEvent, Publisher, live_event_data

logger = logging.getLogger("hall.live")
RESYNC = b'{"kind":"resync"}'
LISTENER_APPLICATION_NAME = "hall-live-events"
KEEP_ALIVE_SECONDS = 15.0
REPLAY_LIMIT = 500


def centre_channel(code: str) -> str:
    return f"centre:{code}"


def window_channel(code: str, number: int) -> str:
    return f"window:{code}:{number}"


def ticket_channel(public_code: str) -> str:
    return f"ticket:{public_code}"


class ChannelsPublisher(Publisher):
    """Publishes committed changes to the channels (non-blocking: the plugin queues them)."""

    def __init__(self, channels: ChannelsPlugin) -> None:
        self.channels = channels

    def publish(self, event: LiveEvent) -> None:
        names = [centre_channel(event.centre_code)]
        if event.window_number is not None:
            names.append(window_channel(event.centre_code, event.window_number))
        if event.ticket_code is not None:
            names.append(ticket_channel(event.ticket_code))
        payload = {"kind": event.kind, "id": event.event_id, **event.data}
        self.channels.publish(json.dumps(payload, ensure_ascii=False, default=str).encode(), names)


class WatchedAsyncPgChannelsBackend(ChannelsBackend):
    """LISTEN/NOTIFY channels that survive a database restart.

    Litestar's asyncpg backend opens a new connection for every publish (~9 ms) and never re-establishes its
    listener: after a PostgreSQL restart publishes still succeed while subscribers silently hear nothing. This
    backend keeps one publishing connection, checks the listener every ``watch_seconds``, re-listens on a new
    connection when it is lost, and then puts a ``resync`` message on every subscribed channel so the streams
    replay from the history whatever was missed. Publishing never raises: a failure is logged and retried once.
    """

    def __init__(
        self,
        dsn: str,
        *,
        watch_seconds: float = 2.0,
        connect: Callable[[], Awaitable[asyncpg.Connection]] | None = None,
    ) -> None:
        self._connect = connect or (
            lambda: asyncpg.connect(dsn=dsn, server_settings={"application_name": LISTENER_APPLICATION_NAME})
        )
        self._watch_seconds = watch_seconds
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[tuple[str, bytes]] | None = None
        self._listener: asyncpg.Connection | None = None
        self._publisher: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._publish_lock = asyncio.Lock()
        self._watchdog: asyncio.Task[None] | None = None
        self.reconnects = 0

    async def on_startup(self) -> None:
        self._queue = asyncio.Queue()
        async with self._lock:
            try:
                self._listener = await self._connect()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("live events: database not reachable at start (%s); the watchdog will retry", exc)
        self._watchdog = asyncio.create_task(self._watch(), name="hall-channels-watchdog")

    async def on_shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        async with self._lock:
            for connection in (self._listener, self._publisher):
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            self._listener = self._publisher = None
            self._channels.clear()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        text = data.decode("utf-8")
        targets = list(channels)
        for attempt in (1, 2):
            try:
                async with self._publish_lock:
                    if self._publisher is None or self._publisher.is_closed():
                        self._publisher = await self._connect()
                    for channel in targets:
                        await self._publisher.execute("SELECT pg_notify($1, $2)", channel, text)
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                self._publisher = None
                if attempt == 2:
                    logger.warning("live event not published to %s: %s", targets, exc)

    async def subscribe(self, channels: Iterable[str]) -> None:
        async with self._lock:
            for channel in set(channels) - self._channels:
                if self._listener is not None:
                    await self._listener.add_listener(channel, self._on_notify)
                self._channels.add(channel)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        async with self._lock:
            for channel in set(channels) & self._channels:
                if self._listener is not None and not self._listener.is_closed():
                    with contextlib.suppress(Exception):
                        await self._listener.remove_listener(channel, self._on_notify)
                self._channels.discard(channel)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        if self._queue is None:
            raise RuntimeError("backend not started")
        while True:
            channel, message = await self._queue.get()
            self._queue.task_done()
            if channel in self._channels:
                yield channel, message

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        return []  # history comes from the database (ticket_event), not from the channel

    def _on_notify(self, _connection: asyncpg.Connection, _pid: int, channel: str, payload: object) -> None:
        if self._queue is not None and isinstance(payload, str):
            self._queue.put_nowait((channel, payload.encode("utf-8")))

    async def _healthy(self) -> bool:
        listener = self._listener
        if listener is None or listener.is_closed():
            return False
        try:
            await asyncio.wait_for(listener.fetchval("SELECT 1"), timeout=self._watch_seconds)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._watch_seconds)
            if await self._healthy():
                continue
            try:
                await self._relisten()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("live events: listener still down (%s); retrying", exc)

    async def _relisten(self) -> None:
        async with self._lock:
            old = self._listener
            self._listener = await self._connect()
            if old is not None:
                with contextlib.suppress(Exception):
                    old.terminate()
            for channel in self._channels:
                await self._listener.add_listener(channel, self._on_notify)
            self.reconnects += 1
            logger.warning("live events: listener re-established (%d channels)", len(self._channels))
            if self._queue is not None:
                for channel in self._channels:
                    self._queue.put_nowait((channel, RESYNC))


def make_channels(database_url: str) -> ChannelsPlugin:
    """The channels plugin for this database: LISTEN/NOTIFY on PostgreSQL, in-process memory on SQLite."""
    backend: ChannelsBackend
    if database_url.startswith("postgresql"):
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        backend = WatchedAsyncPgChannelsBackend(dsn)
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


# --- streams ------------------------------------------------------------------------------------------------------
Replay = Callable[[int], Awaitable[list[dict[str, Any]]]]


async def history_after(
    session_maker: async_sessionmaker[AsyncSession],
    *,
    centre_id: UUID,
    after: int,
    window_id: UUID | None = None,
    window_numbers: Mapping[UUID, int],
) -> list[dict[str, Any]]:
    """The centre's ticket events after event ``after`` (optionally only one window's), as live payloads."""
    statement = (
        select(TicketEventModel, TicketModel.number)
        .join(TicketModel, TicketModel.id == TicketEventModel.ticket_id)
        .where(TicketEventModel.centre_id == centre_id, TicketEventModel.id > after)
        .order_by(TicketEventModel.id)
        .limit(REPLAY_LIMIT)
    )
    if window_id is not None:
        statement = statement.where(TicketEventModel.window_id == window_id)
    async with session_maker() as session:
        rows = (await session.execute(statement)).all()
    return [
        {
            "kind": event.action,
            "id": event.id,
            **live_event_data(
                event.action,
                event.to_status,
                number,
                window_numbers.get(event.window_id) if event.window_id else None,
                event.details,
            ),
        }
        for event, number in rows
    ]


def _message(payload: Mapping[str, Any]) -> ServerSentEventMessage:
    event_id = payload.get("id")
    return ServerSentEventMessage(
        data=json.dumps(payload, ensure_ascii=False, default=str),
        event=str(payload.get("kind", "message")),
        id=str(event_id) if event_id is not None else None,
    )


async def event_stream(
    channels: ChannelsPlugin,
    names: list[str],
    replay: Replay,
    last_event_id: int | None,
    *,
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Subscribe first, then replay what was missed, then stream live events (skipping any already sent)."""
    async with channels.start_subscription(names) as subscriber:
        queue: asyncio.Queue[bytes] = asyncio.Queue()

        async def pump() -> None:
            async for raw in subscriber.iter_events():
                queue.put_nowait(raw)

        pumping = asyncio.create_task(pump())
        try:
            last = last_event_id or 0
            if last_event_id is not None:
                for payload in await replay(last):
                    last = max(last, int(payload["id"]))
                    yield _message(payload)
            yield ServerSentEventMessage(event="ready", data=json.dumps({"lastEventId": last or None}))
            while True:
                try:
                    raw = await asyncio.wait_for(queue.get(), timeout=keep_alive_seconds)
                except TimeoutError:
                    yield ServerSentEventMessage(comment="keep-alive")
                    continue
                if raw == RESYNC:
                    for payload in await replay(last):
                        last = max(last, int(payload["id"]))
                        yield _message(payload)
                    yield ServerSentEventMessage(event="resync", data="{}")
                    continue
                payload = json.loads(raw)
                event_id = payload.get("id")
                if isinstance(event_id, int):
                    if event_id <= last:
                        continue  # already sent during the replay
                    last = event_id
                yield _message(payload)
        finally:
            pumping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pumping
