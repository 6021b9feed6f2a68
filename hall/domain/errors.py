"""Errors raised by domain rules and services; the web shell maps them to HTTP answers."""

from __future__ import annotations


class HallError(Exception):
    """Base of every error Hall raises on purpose."""

    status_code = 400

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DomainRuleViolation(HallError):
    """A request that is well-formed but breaks a rule of the hall (answered 422)."""

    status_code = 422


class NotFoundError(HallError):
    """The named thing does not exist, or is not visible to the caller (answered 404)."""

    status_code = 404


class ConflictError(HallError):
    """The request clashes with the current state, e.g. a duplicate code (answered 409)."""

    status_code = 409


class PermissionDeniedError(HallError):
    """The caller is known but may not do this (answered 403)."""

    status_code = 403
