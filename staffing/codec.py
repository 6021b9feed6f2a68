"""The stored form of the staffing core's values: frozen dataclasses ↔ plain JSON (exact, both ways).

Rule versions, the facts of an assessment and the inputs of a pay record are stored as JSON so that a month can
be recomputed years later from what was stored. The encoding is type-directed from the dataclasses' annotations:

* ``Decimal`` → its exact string (``"0.20"`` stays ``"0.20"``); ``int``, ``bool``, ``str`` as they are;
* ``timedelta`` → whole microseconds (an integer); ``date`` and ``datetime`` → ISO text; ``Month`` → ``"YYYY-MM"``;
* enumerations → their value; mapping keys → the key's value as text;
* tuples and frozensets → lists (frozensets sorted); nested dataclasses → objects keyed by field name.

Decoding ignores unknown keys and leaves missing keys at the dataclass default, so a body stored by an older
version still decodes; the dataclass's own checks run on the decoded values. A decoder is built once per type
(a month holds hundreds of thousands of values), and a malformed value is refused naming the field it is in.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any, TypeVar, get_args, get_origin

from hall.domain.errors import DomainRuleViolation
from staffing.domain.periods import Month

T = TypeVar("T")
Decoder = Callable[[Any], Any]
_MICROSECOND = timedelta(microseconds=1)


_FIELDS: dict[type, tuple[str, ...]] = {}
_ENCODERS: dict[type, Callable[[Any], Any]] = {}
_DECODERS: dict[Any, Decoder] = {}


def _fields(cls: type) -> tuple[str, ...]:
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return _FIELDS[cls]


def encode(value: Any) -> Any:
    """Return the JSON form of a staffing value (a dataclass, a collection or a scalar)."""
    cls = type(value)
    encoder = _ENCODERS.get(cls)
    if encoder is None:
        encoder = _ENCODERS[cls] = _build_encoder(cls)
    return encoder(value)


def _build_encoder(cls: type) -> Callable[[Any], Any]:
    """Build (once per type) the function that encodes values of ``cls``."""
    if cls is type(None) or (issubclass(cls, bool | int | str) and not issubclass(cls, Enum)):
        return _same
    if issubclass(cls, Enum):
        return _enum_value
    if cls is Decimal or cls is Month:
        return str
    if dataclasses.is_dataclass(cls):
        names = _fields(cls)
        return lambda value: {name: encode(getattr(value, name)) for name in names}
    if issubclass(cls, timedelta):
        return lambda value: value // _MICROSECOND
    if issubclass(cls, date):  # a datetime too: ISO text with its offset
        return lambda value: value.isoformat()
    if issubclass(cls, Mapping):
        return lambda value: {str(encode(k)): encode(v) for k, v in value.items()}
    if issubclass(cls, frozenset | set):
        return lambda value: sorted(encode(v) for v in value)
    if issubclass(cls, tuple | list):
        return lambda value: [encode(v) for v in value]
    msg = f"cannot store a value of type {cls.__name__}"
    raise TypeError(msg)


def _same(value: Any) -> Any:
    return value


def _enum_value(value: Enum) -> Any:
    return value.value


def decode(cls: type[T], data: Any, *, path: str = "") -> T:
    """Build a ``cls`` (a dataclass) from its JSON form; a malformed value is refused naming its path."""
    try:
        return typing.cast("T", _decoder(cls)(data))
    except _Invalid as exc:
        where = ".".join([path or cls.__name__, *reversed(exc.path)])
        raise DomainRuleViolation(where, f"is not valid: {exc.reason}") from None


class _Invalid(Exception):
    """A malformed stored value; ``path`` collects the field names on the way out (innermost first)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def _decoder(tp: Any) -> Decoder:
    """Return (built once per type) the function that decodes values of ``tp``."""
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = _build_decoder(tp)
    return decoder


def _build_decoder(tp: Any) -> Decoder:
    origin = get_origin(tp)
    if tp is Any:
        return lambda data: data
    if origin in (types.UnionType, typing.Union):
        inner = _decoder(next(a for a in get_args(tp) if a is not type(None)))
        return lambda data: None if data is None else inner(data)
    if tp is Month:
        return _month
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, IntEnum):
        return _guarded(lambda data: tp(int(data)))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _guarded(tp)
    if tp in (bool, int, str):
        what = {bool: "true or false", int: "a whole number", str: "text"}[tp]

        def scalar(data: Any) -> Any:
            if type(data) is not tp:  # exact type: True is not a whole number here
                raise _Invalid(f"expected {what}")
            return data

        return scalar
    if tp is Decimal:

        def decimal(data: Any) -> Decimal:
            if type(data) is not str and type(data) is not int:
                raise _Invalid("expected a decimal number as text")
            return Decimal(data)

        return _guarded(decimal)
    if tp is timedelta:

        def duration(data: Any) -> timedelta:
            if type(data) is not int:
                raise _Invalid("expected whole microseconds")
            return timedelta(microseconds=data)

        return duration
    if tp is datetime:
        return _guarded(lambda data: datetime.fromisoformat(str(data)))
    if tp is date:
        return _guarded(lambda data: date.fromisoformat(str(data)))
    if origin in (Mapping, dict) or tp is Mapping:
        key_type, value_type = get_args(tp)
        keys, values = _decoder(key_type), _decoder(value_type)

        def mapping(data: Any) -> dict[Any, Any]:
            if not isinstance(data, Mapping):
                raise _Invalid("expected an object")
            return {keys(k): values(v) for k, v in data.items()}

        return mapping
    if origin in (tuple, frozenset):
        item = _decoder(get_args(tp)[0])
        build: Callable[[Any], Any] = tuple if origin is tuple else frozenset

        def sequence(data: Any) -> Any:
            if type(data) is not list:
                raise _Invalid("expected a list")
            return build(item(v) for v in data)

        return sequence
    msg = f"cannot read a stored value of type {tp!r}"
    raise TypeError(msg)


def _guarded(convert: Callable[[Any], Any]) -> Decoder:
    def guarded(data: Any) -> Any:
        try:
            return convert(data)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise _Invalid(str(exc)) from None

    return guarded


def _month(data: Any) -> Month:
    try:
        year, month = str(data).split("-")
        return Month(int(year), int(month))
    except (ValueError, DomainRuleViolation) as exc:
        raise _Invalid(str(exc)) from None


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init]
    decoders: list[tuple[str, Decoder]] | None = None

    def decode_dataclass(data: Any) -> Any:
        nonlocal decoders
        if decoders is None:  # resolved on first use: dataclasses may refer to each other
            decoders = [(name, _decoder(tp)) for name, tp in fields]
        if type(data) is not dict and not isinstance(data, Mapping):
            raise _Invalid("expected an object")
        kwargs = {}
        name = ""
        try:
            for name, field_decoder in decoders:
                if name in data:
                    kwargs[name] = field_decoder(data[name])
        except _Invalid as exc:
            exc.path.append(name)
            raise
        try:
            return cls(**kwargs)
        except DomainRuleViolation as exc:
            raise _Invalid(f"{exc.field}: {exc.reason}") from None
        except (TypeError, ValueError) as exc:
            raise _Invalid(str(exc)) from None

    return decode_dataclass
