"""Immutable records of what happened to each simulated visitor (the Ciw ``DataRecord`` idea).

The model appends one :class:`ServiceRecord` per visitor when the visitor leaves the hall, whichever way they
leave; every KPI is computed afterwards from these records alone.

A record is a ``NamedTuple``, as Ciw's ``DataRecord`` is a ``namedtuple``: immutable, read by attribute, and built
in about a fifth of the time of a frozen dataclass of 17 fields (which sets each field through
``object.__setattr__``), which matters at one record per simulated visitor.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain.snapshot import CallReason


class Outcome(StrEnum):
    """How a visitor left the hall."""

    SERVED = "served"  # called, present, served
    NO_SHOW = "no_show"  # called, not present (空号): costs the window a short call time
    ABANDONED = "abandoned"  # left before being called, when their patience ran out
    UNSERVED = "unserved"  # still waiting when the hall closed for good (or sent home at close)


class ServiceRecord(NamedTuple):
    """One visitor's path through the hall, in minutes from the scenario start.

    Attributes:
        ticket_id: The ticket's id within the run.
        ticket_number: The number shown on the board, e.g. ``"A012"``.
        sequence: The ticket's issue sequence in the run (1, 2, …).
        item_codes: The catalogue items on the ticket.
        priority_group: The visitor's priority group, if any.
        has_appointment: Whether the visitor came with an appointment.
        outcome: How the visitor left.
        arrived_minutes: When the ticket was issued.
        called_minutes: When a window called it (``None`` if never called).
        started_minutes: When service started (``None`` unless served).
        ended_minutes: When the visitor left: end of service, end of the no-show call, abandonment or closing.
        waited_minutes: ``called − arrived`` if called, otherwise ``ended − arrived``.
        window_number: The calling window (``None`` if never called).
        staff_id: The staff member who called the ticket.
        skill_level: That staff member's skill level.
        call_reason: Why the policy chose this ticket.
        is_priority_call: Whether the policy counted the call as a priority call.
    """

    ticket_id: str
    ticket_number: str
    sequence: int
    item_codes: tuple[str, ...]
    priority_group: PriorityGroup | None
    has_appointment: bool
    outcome: Outcome
    arrived_minutes: float
    called_minutes: float | None
    started_minutes: float | None
    ended_minutes: float
    waited_minutes: float
    window_number: int | None = None
    staff_id: str | None = None
    skill_level: SkillLevel | None = None
    call_reason: CallReason | None = None
    is_priority_call: bool = False

    @property
    def is_served(self) -> bool:
        """Whether the visitor was called and served."""
        return self.outcome is Outcome.SERVED

    @property
    def is_no_show(self) -> bool:
        """Whether the visitor was called but not there."""
        return self.outcome is Outcome.NO_SHOW

    @property
    def is_abandoned(self) -> bool:
        """Whether the visitor gave up waiting."""
        return self.outcome is Outcome.ABANDONED

    @property
    def served_minutes(self) -> float:
        """How long the service took (0 unless served)."""
        if self.started_minutes is None:
            return 0.0
        return self.ended_minutes - self.started_minutes
