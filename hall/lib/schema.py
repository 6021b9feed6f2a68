"""The base of every request and response body: msgspec Structs with camelCase names on the wire."""

from __future__ import annotations

from typing import Any

import msgspec


class WireStruct(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A wire type; unknown fields are refused, so a misspelt field is an error and not silently dropped."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields that were sent (``UNSET`` fields left out), by their Python names."""
        return {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not msgspec.UNSET}
