"""Reading HTML forms: plain ``application/x-www-form-urlencoded`` posts, checked by the API's own wire types."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

T = TypeVar("T")


async def form_of(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    """Return the posted form as lists of values (a JSON or empty body gives an empty form)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}
    form = await request.form()
    return {key: [str(v) for v in form.getall(key)] for key in form}


def first(form: dict[str, list[str]], key: str, default: str = "") -> str:
    values = form.get(key)
    return values[0].strip() if values else default


def convert(data: dict[str, Any], type_: type[T]) -> T:
    """Check form values with the API's wire type (camelCase names); refuse them as a bad request."""
    try:
        return msgspec.convert(data, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc)) from None


def safe_next(target: str, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return default
