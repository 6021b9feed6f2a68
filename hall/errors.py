"""One shape for every error answer: RFC 9457 problem details naming each field and the reason.

``{"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "...",
"errors": [{"field": "committedLimitDays", "reason": "must not exceed statutoryLimitDays"}]}``
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import IntegrityError

from hall.domain.errors import HallError

logger = logging.getLogger("hall.errors")
PROBLEM_JSON = "application/problem+json"


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def handle_hall_error(_: Request[Any, Any, Any], exc: HallError) -> Response[dict[str, Any]]:
    return problem(exc.status_code, f"{exc.field}: {exc.reason}", [{"field": exc.field, "reason": exc.reason}])


def _field_of(item: dict[str, Any]) -> str:
    key = item.get("key")
    if key:
        return str(key)
    message = str(item.get("message", ""))
    marker = "at `$."
    if marker in message:
        return message.split(marker, 1)[1].rstrip("`").replace("`", "")
    return str(item.get("source") or "body")


def handle_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {"field": _field_of(item), "reason": str(item.get("message", "is not valid"))}
        for item in extra
        if isinstance(item, dict)
    ]
    if not errors:
        errors = [{"field": "body", "reason": exc.detail}]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(400, detail, errors)


def handle_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    response = problem(exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_integrity(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    # Services check uniqueness first; reaching this means a concurrent write won the race.
    logger.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
    return problem(409, "this conflicts with data that already exists (written at the same moment?)")


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal error; it has been logged")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HallError: handle_hall_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    IntegrityError: handle_integrity,
    Exception: handle_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]
