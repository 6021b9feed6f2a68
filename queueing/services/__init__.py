"""The queueing service: a visitor's ticket from the kiosk to the window, safe under concurrency.

Every state change of a ticket goes through :func:`queueing.domain.tickets.transition` and is written to the
ticket history in the same transaction. Which ticket a window calls is decided by the centre's calling policy
from ``queueing.domain.routing`` — the same code the SimPy twin runs.

Concurrency: two windows must never call the same ticket. On PostgreSQL the chosen ticket is locked with
``FOR UPDATE SKIP LOCKED`` and re-checked; if another window got it first, the policy chooses again among the
rest. On SQLite every transaction takes the write lock up front (``BEGIN IMMEDIATE``), so calls are serialised.

The service is one class composed of parts, one module each: issuing, reading, window sessions, calling and window
actions, guide-desk actions, and the day close.
"""

from __future__ import annotations

from queueing.services._calling import CallingMixin
from queueing.services._common import (
    PREDICTION_BUDGET_SECONDS,
    LiveEvent,
    Predictor,
    Publisher,
    entrance_code,
    live_event_data,
)
from queueing.services._day import DayMixin
from queueing.services._desk import DeskMixin
from queueing.services._issuing import IssuingMixin
from queueing.services._reading import ReadingMixin
from queueing.services._windows import WindowsMixin


class QueueService(IssuingMixin, ReadingMixin, WindowsMixin, CallingMixin, DeskMixin, DayMixin):
    """Tickets, window sessions and window actions for one request."""


__all__ = [
    "PREDICTION_BUDGET_SECONDS",
    "LiveEvent",
    "Predictor",
    "Publisher",
    "QueueService",
    "entrance_code",
    "live_event_data",
]
