"""Naming the field of a Litestar/msgspec validation item for the problem-details answer."""

from __future__ import annotations

from typing import Any

import pytest

from hall.errors import _field_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"key": "serviceCode", "message": "Expected `str`", "source": "body"}, "serviceCode"),
        ({"key": "limit", "message": "Expected `int`, got `str`", "source": "query"}, "limit"),
        ({"key": "serviceCode", "message": "Expected `str` - at `$.other`"}, "serviceCode"),
    ],
    ids=["body key", "query key", "key wins over the message"],
)
def test_an_item_with_a_key_is_named_by_its_key(item: dict[str, Any], field: str) -> None:
    assert _field_of(item) == field


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Expected `int` >= 1 - at `$.promise.withinMinutes`", "promise.withinMinutes"),
        ("Expected `str`, got `int` - at `$.code`", "code"),
        ("Expected `str` matching regex '^[A-Z]{2,8}$' - at `$.serviceCode`", "serviceCode"),
        ("Object missing required field `opensAt` - at `$.sessions[1]`", "sessions[1]"),
        ("Expected `time`, got `str` - at `$.sessions[0].closesAt`", "sessions[0].closesAt"),
    ],
)
def test_a_msgspec_message_without_a_key_is_named_by_its_json_path(message: str, field: str) -> None:
    assert _field_of({"message": message, "source": "body"}) == field


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"message": "Expected `object`, got `array`", "source": "body"}, "body"),
        ({"message": "Expected `object`, got `array`", "key": "", "source": "query"}, "query"),
        ({"message": "Invalid JSON"}, "body"),
        ({"key": None, "source": None}, "body"),
        ({}, "body"),
    ],
    ids=["body source", "empty key falls to source", "no source", "nulls", "empty item"],
)
def test_an_item_without_key_or_path_is_named_by_its_source_or_body(item: dict[str, Any], field: str) -> None:
    assert _field_of(item) == field


def test_a_non_string_key_is_named_as_text() -> None:
    assert _field_of({"key": 3}) == "3"
