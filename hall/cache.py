"""A per-process cache of the hall's reference data (centres, calendars, offered items, windows, staff).

This data changes rarely (an administrator edits it) but every ticket request reads it. Entries are kept for
``ttl_seconds`` and dropped at once when this process commits a change to the hall's data (the services' change
log calls :func:`hall_data_changed`); another process's change is seen after at most ``ttl_seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_generation = 0


def hall_data_changed() -> None:
    """Invalidate every cache in this process (called after a change to the hall's data commits)."""
    global _generation  # noqa: PLW0603 - one process-wide counter is the point
    _generation += 1


@dataclass
class ReferenceCache:
    """Cached values keyed by anything hashable, valid for one generation and ``ttl_seconds``."""

    ttl_seconds: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict[Any, tuple[int, float, Any]] = field(default_factory=dict)

    def get(self, key: Any) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        generation, expires, value = entry
        if generation != _generation or self.clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Any, value: Any) -> None:
        self._entries[key] = (_generation, self.clock() + self.ttl_seconds, value)

    def clear(self) -> None:
        self._entries.clear()
