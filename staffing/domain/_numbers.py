"""Decimal arithmetic shared by assessment and pay: one fixed context and the only two rounding helpers.

Every computation that produces points or money runs inside :func:`fixed_context`, so a caller that changed the
thread's decimal context (precision, rounding) cannot change a score or a pay slip. Intermediate values keep
34 significant digits; values are rounded half-up only where a module's docstring says so, through
:func:`to_fen` (money) or :func:`to_points` (scores).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Final, ParamSpec, TypeVar

from hall.domain import DomainRuleViolation

CENT: Final = Decimal("0.01")  # one fen (分), the smallest unit of pay
POINT: Final = Decimal("0.01")  # score resolution: two decimal places
ZERO: Final = Decimal(0)
HUNDRED: Final = Decimal(100)
_CONTEXT: Final = Context(prec=34, rounding=ROUND_HALF_EVEN)
_MICROSECONDS_PER_MINUTE: Final = 60_000_000

P = ParamSpec("P")
R = TypeVar("R")


def fixed_context(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` under the module's fixed decimal context (34 digits), whatever the caller's context is."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def to_fen(amount: Decimal) -> Decimal:
    """Round money half-up to the fen (0.01 yuan)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def to_points(value: Decimal) -> Decimal:
    """Round a score contribution half-up to two decimal places."""
    return value.quantize(POINT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def require_fen(field: str, amount: Decimal) -> None:
    """Refuse money that is not a finite amount in whole fen (inputs are never rounded silently)."""
    if not amount.is_finite() or amount != amount.quantize(CENT, context=_CONTEXT):
        raise DomainRuleViolation(field, f"must be a finite amount in whole fen, got {amount}")


def require_points(field: str, value: Decimal) -> None:
    """Refuse a configured points value that is not finite or has more than two decimal places."""
    if not value.is_finite() or value != value.quantize(POINT, context=_CONTEXT):
        raise DomainRuleViolation(field, f"must be a finite number with at most two decimal places, got {value}")


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Divide under the fixed context (for properties, which may be read outside :func:`fixed_context`)."""
    return _CONTEXT.divide(numerator, denominator)


def minutes_of(duration: timedelta) -> Decimal:
    """Return a duration in minutes, exactly (from whole microseconds)."""
    return _CONTEXT.divide(Decimal(duration // timedelta(microseconds=1)), Decimal(_MICROSECONDS_PER_MINUTE))


def show(value: Decimal, places: int = 2) -> str:
    """Format a number for an explanation line: rounded half-up for display only, with thousands separators."""
    exponent = Decimal(1).scaleb(-places)
    return f"{value.quantize(exponent, rounding=ROUND_HALF_UP, context=_CONTEXT):,}"


def show_plain(value: Decimal) -> str:
    """Format a configured number without trailing zeros (20, 0.9, 1.15), for display only."""
    return f"{value.normalize(context=_CONTEXT):f}"


def show_percent(ratio: Decimal) -> str:
    """Format a ratio (0–1) as a percentage with two decimals, for display only."""
    return f"{show(ratio * HUNDRED)}%"
