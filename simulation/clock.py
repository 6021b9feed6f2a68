"""The simulation clock: SimPy's ``env.now`` in minutes from the scenario start ↔ aware datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from simulation.errors import ScenarioError


@dataclass(frozen=True, slots=True)
class SimClock:
    """Convert between simulated minutes and timezone-aware datetimes.

    Attributes:
        start: The aware datetime at ``env.now == 0``.
    """

    start: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ScenarioError("start", "must be timezone-aware")

    def at(self, minutes: float) -> datetime:
        """Return the aware datetime ``minutes`` after the start."""
        return self.start + timedelta(minutes=minutes)

    def minutes(self, moment: datetime) -> float:
        """Return how many minutes ``moment`` (aware) lies after the start."""
        return (moment - self.start) / timedelta(minutes=1)
