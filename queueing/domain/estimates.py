"""Waiting-time estimates for the kiosk slip and the display board.

Deliberately simple: people ahead times the mean service time, shared among the open windows that can serve
the ticket. The simulation gives the real forecast; this is the number printed on a ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from hall.domain.errors import DomainRuleViolation
from queueing.domain.routing import can_serve, default_order_key
from queueing.domain.snapshot import RoutingRules, WaitingTicket, WindowSnapshot


def naive_wait(people_ahead: int, mean_service: timedelta, open_windows: int) -> timedelta | None:
    """Return ``people_ahead × mean_service / open_windows``, or ``None`` when no window is open.

    ``None`` rather than an error, because "no window can serve you yet" is a normal morning state the board
    shows as "—", not a broken rule.

    Raises:
        DomainRuleViolation: on ``peopleAhead``, ``meanService`` or ``openWindows`` when negative.
    """
    if people_ahead < 0:
        raise DomainRuleViolation("peopleAhead", "must not be negative")
    if mean_service < timedelta(0):
        raise DomainRuleViolation("meanService", "must not be negative")
    if open_windows < 0:
        raise DomainRuleViolation("openWindows", "must not be negative")
    if open_windows == 0:
        return None
    return mean_service * people_ahead / open_windows


def serving_windows(ticket: WaitingTicket, windows: Sequence[WindowSnapshot]) -> list[WindowSnapshot]:
    """Return the open windows that may call ``ticket``, in input order."""
    return [window for window in windows if can_serve(window, ticket)]


def people_ahead(
    ticket: WaitingTicket,
    waiting: Sequence[WaitingTicket],
    windows: Sequence[WindowSnapshot],
    now: datetime,
    rules: RoutingRules,
) -> int:
    """Count the waiting tickets some window would call before ``ticket``.

    A ticket counts when at least one open window that may call ``ticket`` may also call it and ranks it
    earlier in the default order (``default_order_key``). The fairness cap and other policies are ignored, and
    each ticket ahead counts once however many windows share it. ``ticket`` itself is never counted, whether
    or not it is in ``waiting``. Returns 0 when no open window may call ``ticket``; check ``serving_windows``
    for that case.
    """
    # The ticket's own key at each window it may be called at, computed once rather than once per other ticket.
    own_keys = [(window, default_order_key(window, ticket, now, rules)) for window in serving_windows(ticket, windows)]
    return sum(
        1
        for other in waiting
        if other.ticket_id != ticket.ticket_id
        and any(
            can_serve(window, other) and default_order_key(window, other, now, rules) < own_key
            for window, own_key in own_keys
        )
    )


def expected_wait(
    ticket: WaitingTicket,
    waiting: Sequence[WaitingTicket],
    windows: Sequence[WindowSnapshot],
    now: datetime,
    rules: RoutingRules,
    *,
    mean_service: timedelta,
) -> timedelta | None:
    """Return the naive wait still ahead of ``ticket``, or ``None`` when no open window may call it."""
    return naive_wait(
        people_ahead(ticket, waiting, windows, now, rules),
        mean_service,
        len(serving_windows(ticket, windows)),
    )
