"""Visitors' notifications ("you are called to window 5", "2 people before you") and where they are sent.

A :class:`Notifier` delivers one :class:`Notification`; two backends exist: :class:`LogNotifier` writes a log line
(logger ``hall.notify``) and :class:`WebhookNotifier` POSTs signed JSON to a gateway that forwards it by SMS or
WeChat. A notifier never raises to its caller: failures are logged.

Calls must never wait on a notification: the :class:`NotificationDispatcher` runs each send in a background task
(call :meth:`NotificationDispatcher.dispatch` after the transaction has committed) and waits for the stragglers
on shutdown.

Webhook signature: ``X-Hall-Signature: sha256=<hex>`` is HMAC-SHA256 with the shared secret over
``f"{timestamp}.{body}"``, where ``timestamp`` is the ``X-Hall-Timestamp`` header (Unix seconds) and ``body`` the
exact request body bytes. Receivers check it with :func:`verify_signature`. A delivery may arrive more than once
(a retry after a lost answer): ``X-Hall-Delivery`` and the body's ``id`` stay the same across retries.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

import httpx

logger = logging.getLogger("hall.notify")

SIGNATURE_HEADER = "X-Hall-Signature"
TIMESTAMP_HEADER = "X-Hall-Timestamp"
DELIVERY_HEADER = "X-Hall-Delivery"
SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300.0

_jitter = random.SystemRandom()


class NotificationKind(StrEnum):
    CALLED = "called"  # "please go to window 5"
    ALMOST_YOUR_TURN = "almost_your_turn"  # "2 people before you"
    RECALLED = "recalled"  # called again: last reminder before the ticket is passed over


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one visitor; ``notify_to`` is the phone number or WeChat id given when the ticket was issued.

    ``public_code`` and ``notify_to`` are left out of ``repr`` (the first opens the visitor's ticket page, the
    second is personal information).
    """

    kind: NotificationKind
    centre_code: str
    ticket_number: str
    public_code: str = field(repr=False)
    notify_to: str = field(repr=False)
    at: datetime
    window_number: int | None = None
    people_ahead: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", NotificationKind(self.kind))
        if self.at.tzinfo is None:
            msg = "Notification.at must be timezone-aware"
            raise ValueError(msg)

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON object a webhook receives (camelCase, like the API)."""
        return {
            "kind": self.kind.value,
            "centreCode": self.centre_code,
            "ticketNumber": self.ticket_number,
            "publicCode": self.public_code,
            "windowNumber": self.window_number,
            "peopleAhead": self.people_ahead,
            "notifyTo": self.notify_to,
            "at": self.at.isoformat(),
        }


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``; never raise (log failures instead)."""
        ...


def mask_contact(value: str) -> str:
    """Return a phone number or WeChat id fit for a log line: ``13812345678`` → ``138****5678``."""
    if len(value) >= 11:
        return f"{value[:3]}****{value[-4:]}"
    if len(value) >= 5:
        return f"{value[:1]}***{value[-1:]}"
    return "****"


def _describe(notification: Notification) -> str:
    return f"{notification.kind.value} {notification.centre_code}/{notification.ticket_number}"


class LogNotifier:
    """Writes each notification as one ``key=value`` log line on logger ``hall.notify`` (no message leaves Hall).

    The record also carries the fields as ``record.notification`` (a dict) for handlers that want them; the
    contact is masked and the ticket's public code left out.
    """

    def __init__(self, level: int = logging.INFO) -> None:
        self.level = level

    async def send(self, notification: Notification) -> None:
        try:
            fields = {
                "kind": notification.kind.value,
                "centre": notification.centre_code,
                "ticket": notification.ticket_number,
                "window": notification.window_number,
                "ahead": notification.people_ahead,
                "to": mask_contact(notification.notify_to),
                "at": notification.at.isoformat(),
            }
            logger.log(
                self.level,
                "notification kind=%s centre=%s ticket=%s window=%s ahead=%s to=%s at=%s",
                *fields.values(),
                extra={"notification": fields},
            )
        except Exception:  # a notifier never raises into a call
            logger.exception("notification %s could not be logged", _describe(notification))

    async def aclose(self) -> None:
        """Nothing to release (present so every backend can be closed the same way)."""


def _signed_bytes(timestamp: str, body: bytes) -> bytes:
    return timestamp.encode("ascii") + b"." + body


def sign(secret: str | bytes, timestamp: str | int, body: bytes) -> str:
    """Return the ``X-Hall-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, _signed_bytes(str(timestamp), body), hashlib.sha256).hexdigest()
    return f"{SIGNATURE_PREFIX}{digest}"


def verify_signature(
    secret: str | bytes,
    timestamp: str | int | None,
    body: bytes | str,
    header: str | None,
    *,
    tolerance_seconds: float | None = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Check a webhook request: ``header`` is its ``X-Hall-Signature``, ``timestamp`` its ``X-Hall-Timestamp``.

    ``body`` must be the exact bytes received (not re-serialised JSON). A request whose timestamp is more than
    ``tolerance_seconds`` away from ``now`` (default: the current time) is refused, so a captured request cannot
    be replayed later; pass ``tolerance_seconds=None`` to skip that check.
    """
    if not header or timestamp is None or not header.startswith(SIGNATURE_PREFIX):
        return False
    stamp = str(timestamp).strip()
    if not stamp.isascii() or not stamp.isdigit():
        return False
    if tolerance_seconds is not None:
        current = time.time() if now is None else now
        if abs(current - int(stamp)) > tolerance_seconds:
            return False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hmac.compare_digest(sign(secret, stamp, raw).encode("ascii"), header.strip().encode("utf-8", "replace"))


def encode_body(notification: Notification, delivery_id: str) -> bytes:
    """Return the exact JSON bytes POSTed for ``notification`` (compact, UTF-8)."""
    payload = {"id": delivery_id, **notification.to_payload()}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    if raw.isdigit():
        return float(raw)
    return None  # an HTTP date is rare from a gateway; fall back to our own backoff


class WebhookNotifier:
    """POSTs each notification as signed JSON to ``url``; retries network errors, 5xx and 429 with backoff.

    Attempts: the first plus up to ``retries`` more, waiting ``backoff_seconds × 2^n`` (capped at
    ``max_backoff_seconds``, plus up to half again of random jitter, and at least a numeric ``Retry-After``)
    between them. Any other 4xx is a refusal and is not retried. Every failure is logged on ``hall.notify``;
    nothing is raised to the caller. ``client`` (e.g. one with a proxy or a mock transport) stays the caller's
    to close; without one the notifier makes its own, closed by :meth:`aclose`.
    """

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        client: httpx.AsyncClient | None = None,
        retries: int = 4,
        backoff_seconds: float = 0.5,
        timeout: float = 5,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            msg = f"webhook URL must be http:// or https:// with a host, not {url!r}"
            raise ValueError(msg)
        if not secret:
            msg = "webhook secret must not be empty"
            raise ValueError(msg)
        if retries < 0 or backoff_seconds < 0 or timeout <= 0:
            msg = "retries and backoff_seconds must be >= 0 and timeout > 0"
            raise ValueError(msg)
        self.url = url
        self._secret = secret
        self._client = client
        self._owns_client = client is None
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.timeout = timeout

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._client

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        base = min(self.max_backoff_seconds, self.backoff_seconds * 2.0**attempt)
        delay = base + _jitter.uniform(0, base / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_backoff_seconds))
        return delay

    async def send(self, notification: Notification) -> None:
        try:
            await self.deliver(notification)
        except Exception:  # a notifier never raises into a call
            logger.exception("notification %s: webhook delivery failed unexpectedly", _describe(notification))

    async def deliver(self, notification: Notification) -> bool:
        """Send with retries; return True once the receiver answered 2xx, False when it refused or we gave up."""
        delivery_id = str(uuid.uuid4())
        body = encode_body(notification, delivery_id)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hall-notify/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            DELIVERY_HEADER: delivery_id,
        }
        what = _describe(notification)
        attempts = self.retries + 1
        problem = ""
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                response = await self._http().post(self.url, content=body, headers=headers, timeout=self.timeout)
            except httpx.TransportError as exc:  # connection refused, reset, timeouts
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                status = response.status_code
                if response.is_success:
                    logger.debug("notification %s delivered (%s, attempt %d)", what, delivery_id, attempt + 1)
                    return True
                if status != 429 and status < 500:
                    logger.error(
                        "notification %s refused by the webhook with HTTP %d (%s); not retried",
                        what,
                        status,
                        delivery_id,
                    )
                    return False
                problem = f"HTTP {status}"
                retry_after = _retry_after(response)
            if attempt + 1 < attempts:
                delay = self._delay(attempt, retry_after)
                logger.warning(
                    "notification %s: attempt %d of %d failed (%s); retrying in %.2f s",
                    what,
                    attempt + 1,
                    attempts,
                    problem,
                    delay,
                )
                await asyncio.sleep(delay)
        logger.error("notification %s not delivered: gave up after %d attempts (%s)", what, attempts, problem)
        return False

    async def aclose(self) -> None:
        """Close the HTTP client the notifier made itself (a client given to it stays open)."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None


class NotificationDispatcher:
    """Sends notifications in background tasks so a call never waits on, or fails because of, a notification.

    At most ``max_pending`` sends run at once; beyond that new notifications are dropped (and logged) rather
    than piling up behind a dead gateway. :meth:`aclose` (at shutdown) waits up to ``shutdown_timeout`` seconds
    for pending sends; after it nothing more is accepted.
    """

    def __init__(self, notifier: Notifier, *, max_pending: int = 1000, shutdown_timeout: float = 10.0) -> None:
        self.notifier = notifier
        self.max_pending = max_pending
        self.shutdown_timeout = shutdown_timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def dispatch(self, notification: Notification) -> bool:
        """Start sending ``notification`` and return at once: True if a send was started, False if dropped.

        Call it from the event loop (e.g. an after-commit callback). It never raises.
        """
        try:
            if self._closed:
                logger.warning("notification %s dropped: the dispatcher is closed", _describe(notification))
                return False
            if len(self._tasks) >= self.max_pending:
                logger.error(
                    "notification %s dropped: %d sends already pending", _describe(notification), len(self._tasks)
                )
                return False
            task = asyncio.get_running_loop().create_task(
                self._send(notification), name=f"notify {_describe(notification)}"
            )
        except Exception:
            logger.exception("notification %s could not be started", _describe(notification))
            return False
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _send(self, notification: Notification) -> None:
        try:
            await self.notifier.send(notification)
        except Exception:  # a third-party notifier that breaks the contract
            logger.exception("notification %s: the notifier raised", _describe(notification))

    async def aclose(self) -> None:
        """Stop accepting notifications; wait up to ``shutdown_timeout`` s for pending sends, cancel the rest."""
        timeout = self.shutdown_timeout
        self._closed = True
        if not self._tasks:
            return
        pending = set(self._tasks)
        _done, late = await asyncio.wait(pending, timeout=timeout)
        if late:
            logger.warning("%d notification(s) still sending after %.1f s at shutdown: cancelled", len(late), timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
