"""Visitors' notifications: the signed webhook (retries, refusals, giving up, never raising), the log backend and
the dispatcher that keeps a slow or broken gateway away from the window's call."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from queueing.notify import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    LogNotifier,
    Notification,
    NotificationDispatcher,
    NotificationKind,
    WebhookNotifier,
    encode_body,
    mask_contact,
    sign,
    verify_signature,
)

pytestmark = pytest.mark.unit

SECRET = "webhook-secret-通知"
URL = "https://gateway.example.cn/hall/notify"
AT = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)


def called(**changes: Any) -> Notification:
    fields: dict[str, Any] = {
        "kind": NotificationKind.CALLED,
        "centre_code": "CX-ZWFW",
        "ticket_number": "A012",
        "public_code": "pc_secret_code",
        "notify_to": "13812345678",
        "at": AT,
        "window_number": 5,
        "people_ahead": 0,
    }
    fields.update(changes)
    return Notification(**fields)


Handler = Callable[[httpx.Request], Any]


def mock_client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def scripted(answers: list[int | Exception], seen: list[httpx.Request]) -> Handler:
    """A handler answering each request with the next status (or raising the next exception); 200 when done."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0) if answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    return handler


def notifier(client: httpx.AsyncClient, **options: Any) -> WebhookNotifier:
    options.setdefault("backoff_seconds", 0.001)
    return WebhookNotifier(URL, SECRET, client=client, **options)


# --- signature -------------------------------------------------------------------------------------------------


async def test_the_signature_is_hmac_sha256_over_timestamp_dot_exact_body() -> None:
    seen: list[httpx.Request] = []
    async with mock_client(scripted([], seen)) as client:
        assert await notifier(client).deliver(called()) is True
    (request,) = seen
    body = request.content
    timestamp = request.headers[TIMESTAMP_HEADER]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 5
    assert verify_signature(SECRET, timestamp, body, request.headers[SIGNATURE_HEADER])
    assert request.method == "POST"
    assert request.headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert payload == {
        "id": request.headers[DELIVERY_HEADER],
        "kind": "called",
        "centreCode": "CX-ZWFW",
        "ticketNumber": "A012",
        "publicCode": "pc_secret_code",
        "windowNumber": 5,
        "peopleAhead": 0,
        "notifyTo": "13812345678",
        "at": "2026-11-23T02:05:00+00:00",
    }


def test_verify_signature_refuses_tampering_wrong_secrets_stale_and_malformed_requests() -> None:
    body = encode_body(called(), "d-1")
    now = 1_800_000_000
    header = sign(SECRET, now, body)
    assert verify_signature(SECRET, str(now), body, header, now=now)
    assert verify_signature(SECRET, now, body.decode(), header, now=now + 299)
    assert not verify_signature(SECRET, now, body.replace(b"A012", b"A013"), header, now=now)
    assert not verify_signature("another-secret", now, body, header, now=now)
    assert not verify_signature(SECRET, now + 1, body, header, now=now)  # the timestamp is signed too
    assert not verify_signature(SECRET, now, body, header, now=now + 301)  # a replay, five minutes later
    assert verify_signature(SECRET, now, body, header, now=now + 86_400, tolerance_seconds=None)
    for bad in (None, "", header.removeprefix("sha256="), "sha1=" + header[7:], header[:-1], "sha256=zz"):
        assert not verify_signature(SECRET, now, body, bad, now=now)
    for stamp in (None, "", "-5", "1.5", "abc", "１２３"):
        assert not verify_signature(SECRET, stamp, body, header, now=now)


# --- retries ---------------------------------------------------------------------------------------------------


async def test_503_is_retried_with_the_same_signed_delivery_until_it_succeeds() -> None:
    seen: list[httpx.Request] = []
    async with mock_client(scripted([503, 503], seen)) as client:
        assert await notifier(client).deliver(called()) is True
    assert len(seen) == 3
    assert len({r.headers[DELIVERY_HEADER] for r in seen}) == 1
    assert len({(r.headers[SIGNATURE_HEADER], r.content) for r in seen}) == 1


async def test_network_errors_and_429_are_retried() -> None:
    seen: list[httpx.Request] = []
    answers: list[int | Exception] = [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 429, 502]
    async with mock_client(scripted(answers, seen)) as client:
        assert await notifier(client, retries=4).deliver(called()) is True
    assert len(seen) == 5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
async def test_other_4xx_are_refusals_and_not_retried(status: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    seen: list[httpx.Request] = []
    async with mock_client(scripted([status], seen)) as client:
        assert await notifier(client).deliver(called()) is False
    assert len(seen) == 1
    assert f"refused by the webhook with HTTP {status}" in caplog.text


async def test_it_gives_up_after_the_retries_logs_and_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    seen: list[httpx.Request] = []
    async with mock_client(scripted([503] * 10, seen)) as client:
        await notifier(client, retries=2).send(called())  # returns None, raises nothing
    assert len(seen) == 3
    errors = [r for r in caplog.records if r.name == "hall.notify" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "gave up after 3 attempts (HTTP 503)" in errors[0].getMessage()
    assert "13812345678" not in caplog.text
    assert "pc_secret_code" not in caplog.text


async def test_an_unexpected_error_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")

    def broken(_: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in a transport")

    async with mock_client(broken) as client:
        await notifier(client).send(called())
    assert "delivery failed unexpectedly" in caplog.text
    assert "bug in a transport" in caplog.text


async def test_the_backoff_doubles_with_jitter_and_honours_retry_after() -> None:
    hook = WebhookNotifier(URL, SECRET, backoff_seconds=0.5, max_backoff_seconds=3)
    for attempt, base in enumerate([0.5, 1.0, 2.0, 3.0, 3.0]):
        delays = [hook._delay(attempt, None) for _ in range(200)]
        assert all(base <= d <= base * 1.5 for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert hook._delay(0, 2.0) >= 2.0
    assert hook._delay(0, 3600.0) <= 3.0  # a huge Retry-After is capped
    await hook.aclose()


def test_the_webhook_url_and_secret_are_checked_at_startup() -> None:
    for url in ("ftp://gateway/x", "gateway.example.cn/x", "http:///x"):
        with pytest.raises(ValueError, match="webhook URL"):
            WebhookNotifier(url, SECRET)
    with pytest.raises(ValueError, match="secret"):
        WebhookNotifier(URL, "")


# --- one real HTTP server on a socket ----------------------------------------------------------------------------


class HookServer:
    """A minimal HTTP/1.1 server on 127.0.0.1 answering with scripted statuses, after an optional delay."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses = statuses
        self.delay = delay
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hall/notify"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *lines = head.strip().split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append((request_line, headers, body))
            await asyncio.sleep(self.delay)
            status = self.statuses.pop(0) if self.statuses else 200
            writer.write(f"HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        finally:
            writer.close()

    async def __aenter__(self) -> HookServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def hook_server() -> AsyncIterator[HookServer]:
    async with HookServer([503]) as server:
        yield server


async def test_a_real_server_receives_a_verifiable_signature_and_a_retry_after_503(hook_server: HookServer) -> None:
    hook = WebhookNotifier(hook_server.url, SECRET, backoff_seconds=0.01)  # its own httpx client
    try:
        await hook.send(called(kind=NotificationKind.ALMOST_YOUR_TURN, window_number=None, people_ahead=2))
    finally:
        await hook.aclose()
    assert len(hook_server.received) == 2  # 503, then 200
    for request_line, headers, body in hook_server.received:
        assert request_line == "POST /hall/notify HTTP/1.1"
        assert verify_signature(SECRET, headers["x-hall-timestamp"], body, headers["x-hall-signature"])
        assert not verify_signature("wrong", headers["x-hall-timestamp"], body, headers["x-hall-signature"])
    payload = json.loads(hook_server.received[-1][2])
    assert payload["kind"] == "almost_your_turn"
    assert payload["peopleAhead"] == 2
    assert payload["windowNumber"] is None


# --- dispatcher --------------------------------------------------------------------------------------------------


async def test_a_slow_webhook_never_delays_dispatch() -> None:
    async with HookServer([], delay=0.6) as server:
        hook = WebhookNotifier(server.url, SECRET)
        dispatcher = NotificationDispatcher(hook)
        started = time.perf_counter()
        for n in range(5):
            assert dispatcher.dispatch(called(ticket_number=f"A{n:03d}")) is True
        elapsed = time.perf_counter() - started
        assert elapsed < 0.05, f"dispatch took {elapsed:.3f} s"
        assert dispatcher.pending == 5
        await dispatcher.aclose()  # waits for the five sends
        await hook.aclose()
    assert dispatcher.pending == 0
    assert sorted(json.loads(body)["ticketNumber"] for _, _, body in server.received) == [f"A{n:03d}" for n in range(5)]


class HangingNotifier:
    def __init__(self) -> None:
        self.cancelled = 0

    async def send(self, notification: Notification) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


async def test_aclose_waits_only_up_to_its_timeout_then_cancels(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    hanging = HangingNotifier()
    dispatcher = NotificationDispatcher(hanging, shutdown_timeout=0.2)
    dispatcher.dispatch(called())
    dispatcher.dispatch(called(ticket_number="A013"))
    started = time.perf_counter()
    await dispatcher.aclose()
    assert time.perf_counter() - started < 1.0
    assert hanging.cancelled == 2
    assert dispatcher.pending == 0
    assert "2 notification(s) still sending" in caplog.text
    assert dispatcher.dispatch(called()) is False  # closed


async def test_a_broken_notifier_never_reaches_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")

    class Broken:
        async def send(self, notification: Notification) -> None:
            raise RuntimeError("gateway library bug")

    dispatcher = NotificationDispatcher(Broken())
    assert dispatcher.dispatch(called()) is True
    await dispatcher.aclose()
    assert "the notifier raised" in caplog.text
    assert "gateway library bug" in caplog.text


async def test_beyond_max_pending_notifications_are_dropped_not_queued(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    dispatcher = NotificationDispatcher(HangingNotifier(), max_pending=2, shutdown_timeout=0.05)
    assert [dispatcher.dispatch(called()) for _ in range(3)] == [True, True, False]
    assert "dropped: 2 sends already pending" in caplog.text
    await dispatcher.aclose()


def test_dispatch_outside_an_event_loop_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    assert NotificationDispatcher(LogNotifier()).dispatch(called()) is False
    assert "could not be started" in caplog.text


# --- the log backend and the message itself --------------------------------------------------------------------


async def test_the_log_notifier_writes_one_structured_line_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="hall.notify")
    await LogNotifier().send(called())
    (record,) = [r for r in caplog.records if r.name == "hall.notify"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "notification kind=called centre=CX-ZWFW ticket=A012 window=5 ahead=0 to=138****5678 "
        "at=2026-11-23T02:05:00+00:00"
    )
    assert record.notification == {  # type: ignore[attr-defined]
        "kind": "called",
        "centre": "CX-ZWFW",
        "ticket": "A012",
        "window": 5,
        "ahead": 0,
        "to": "138****5678",
        "at": "2026-11-23T02:05:00+00:00",
    }
    assert "pc_secret_code" not in caplog.text


def test_a_notification_hides_its_secrets_from_repr_and_checks_its_fields() -> None:
    text = repr(called())
    assert "13812345678" not in text
    assert "pc_secret_code" not in text
    assert called(kind="recalled").kind is NotificationKind.RECALLED
    with pytest.raises(ValueError, match="timezone-aware"):
        called(at=datetime(2026, 11, 23, 10, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="not_a_kind"):
        called(kind="not_a_kind")
    assert mask_contact("13812345678") == "138****5678"
    assert mask_contact("wxid_ab12") == "w***2"
    assert mask_contact("abc") == "****"
