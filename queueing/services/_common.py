"""Names shared by the queue service's parts: live events, the entrance code, predictions."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from hall.domain.people import Role
from queueing.domain.tickets import (
    ItemOutcome,
    TicketStatus,
)

logger = logging.getLogger("hall.queueing")

OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED)
AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)
PEOPLE = (Role.ADMIN, Role.MANAGER, Role.STAFF)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A change the live streams announce after the transaction commits."""

    centre_code: str
    kind: str  # issued, called, recalled, ticket, window
    event_id: int | None
    data: Mapping[str, Any]
    ticket_code: str | None = None
    window_number: int | None = None


def live_event_data(
    action: str, status: str, number: str, window_number: int | None, details: Mapping[str, Any]
) -> dict[str, Any]:
    """The public payload of a ticket event, the same whether sent live or replayed from the history.

    Only what a display board may show: the number, its status and window, and the policy's reason.
    """
    data: dict[str, Any] = {"number": number, "status": status, "action": action, "window": window_number}
    for key in ("reason", "detail", "recalls"):
        if key in details:
            data[key] = details[key]
    return data


class Publisher:
    """Where live events go once committed; the app replaces this with its channels publisher."""

    def publish(self, event: LiveEvent) -> None:
        """Deliver ``event`` (never blocks, never raises into the request)."""


def entrance_code(secret: str, centre_code: str, day: date) -> str:
    """Return the six-digit entrance code of a centre's day (shown on the board; phones must send it)."""
    digest = hmac.new(secret.encode(), f"entrance:{centre_code}:{day.isoformat()}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:4], 'big') % 1_000_000:06d}"


Predictor = Callable[[str, UUID], Awaitable[tuple[datetime | None, datetime | None]]]
"""``(centre code, ticket id) -> (P50, P90)`` call times from the twin (planning provides it)."""
PREDICTION_BUDGET_SECONDS = 2.0


def _outcome_details(outcome: ItemOutcome) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if outcome.pending_documents:
        details["pendingDocuments"] = list(outcome.pending_documents)
    if outcome.missing_materials:
        details["missingMaterials"] = list(outcome.missing_materials)
    if outcome.reason:
        details["reason"] = outcome.reason
    return details
