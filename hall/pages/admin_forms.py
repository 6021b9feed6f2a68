"""Administration forms: read a posted form, check it with the API's wire type, name the field of every refusal.

Form fields are named like the API's fields (``nameZh``, ``promise.withinMinutes``, ``rules.alertPauseMinutes``),
so a refusal — from msgspec (a number too small, a missing field) or from a service's ``HallError`` — points at the
field it names, and the page shows it there, in the reader's language ("承诺时限: 不得长于法定时限").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import msgspec

from hall.domain.errors import HallError
from hall.pages.forms import first
from hall.pages.i18n import N_, gettext

T = TypeVar("T")


class FormInvalid(Exception):
    """A form that cannot be accepted: the field (API name) and the reason, as the service or msgspec gave it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass
class FormState:
    """What a form shows: the values entered and, after a refusal, the error of each field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)


def wire(data: Mapping[str, Any], type_: type[T]) -> T:
    """Convert form data to the API's wire type; a refusal names the field (``$.promise.withinMinutes``)."""
    try:
        return msgspec.convert(dict(data), type_, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        missing = re.search(r"missing required field `(\w+)`", text)
        if missing:
            raise FormInvalid(missing.group(1), "is required") from None
        path = re.search(r"at `\$\.?([^`]*)`", text)
        reason = text.split(" - at ", 1)[0]
        raise FormInvalid(path.group(1) if path else "", reason) from None


def optional(form: dict[str, list[str]], name: str) -> str | None:
    """The field's text, or ``None`` when it was left empty (an optional number or date)."""
    value = first(form, name)
    return value or None


def checked(form: dict[str, list[str]], name: str) -> bool:
    return first(form, name) in {"on", "yes", "true", "1"}


def many(form: dict[str, list[str]], name: str) -> list[str]:
    """Every value of a repeated field (checkboxes), without empty ones."""
    return [v.strip() for v in form.get(name, []) if v.strip()]


def codes(text: str) -> list[str]:
    """Item codes typed in one field, separated by spaces, commas or new lines."""
    return [c for c in re.split(r"[\s,，、;；]+", text.strip()) if c]


# --- messages -------------------------------------------------------------------------------------------------------
# msgspec's reasons (the wire types' constraints), then the hall services' reasons; the first match wins.
CONSTRAINTS: Final[tuple[tuple[str, str], ...]] = (
    (r"^is required$", N_("is required")),
    (r"Expected `int`, got", N_("must be a whole number")),
    (r"Expected `(float|number)`, got", N_("must be a number")),
    (r"Expected `(?:int|float)` >= (\S+)", N_("must be at least %(n)s")),
    (r"Expected `(?:int|float)` > (\S+)", N_("must be more than %(n)s")),
    (r"Expected `(?:int|float)` <= (\S+)", N_("must be at most %(n)s")),
    (r"Expected `(?:int|float)` < (\S+)", N_("must be less than %(n)s")),
    (r"Expected `str` of length >= 1\b", N_("must not be empty")),
    (r"Expected `str` of length >= (\d+)", N_("must have at least %(n)s characters")),
    (r"Expected `str` of length <= (\d+)", N_("must have at most %(n)s characters")),
    (r"Expected `str` matching regex", N_("contains characters that are not allowed here")),
    (r"Invalid enum value", N_("is not one of the choices")),
    (r"(?i)date", N_("must be a date (YYYY-MM-DD)")),
    (r"(?i)time", N_("must be a time (HH:MM)")),
    (r"Expected `null`|got `null`", N_("is required")),
)
REASONS: Final[tuple[tuple[str, str], ...]] = (
    ("already has a window", N_("this centre already has a window with this number")),
    ("already has a user", N_("this staff member already has a user")),
    ("already revoked", N_("this device token is already revoked")),
    ("already exists", N_("already exists")),
    ("must not exceed statutoryLimitDays", N_("must not be longer than the statutory deadline")),
    ("not done on the spot", N_("is required unless the item is done on the spot")),
    ("must be after opensAt", N_("the closing time must be after the opening time")),
    ("sessions overlap", N_("two opening sessions of the same day overlap")),
    ("IANA time zone", N_("is not a known time zone (for example Asia/Shanghai)")),
    ("cannot be its own parent", N_("a centre cannot sit under itself")),
    ("cannot sit under", N_("a centre must sit under a centre of a higher level")),
    ("no centre with code", N_("no centre has this code")),
    ("no calendar with code", N_("no working-day calendar has this code")),
    ("no department with code", N_("no department has this code")),
    ("below their own", N_("managers may add centres only below their own")),
    ("may move a centre", N_("only an administrator may move a centre in the hierarchy")),
    ("is out of range", N_("is out of range")),
    ("emergency must always", N_("emergency must always be a priority group")),
    ("unknown policy", N_("is not a known calling policy")),
    ("must be in (0, 1]", N_("must be more than 0 and at most 100 per cent")),
    ("must be positive", N_("must be more than 0")),
    ("unknown item codes", N_("unknown item codes")),
    ("listed twice", N_("is listed twice")),
    ("must serve at least one", N_("choose at least one domain or item this window serves")),
    ("at least one domain or item", N_("choose at least one domain or item the staff member may handle")),
    ("must not be in the future", N_("must not be in the future")),
    ("only a weekend day", N_("only a Saturday or Sunday can be a make-up working day")),
    ("weekend holiday entry", N_("a holiday on a Saturday or Sunday needs the holiday's name")),
    ("is not in", N_("is not in the year being imported")),
    ("needs a centre", N_("choose the user's centre")),
    ("not tied to one centre", N_("an administrator has no centre")),
    ("must be linked to a staff record", N_("a staff user must be linked to a staff member")),
    ("only staff users", N_("only window staff users are linked to a staff member")),
    ("works at another centre", N_("the staff member works at another centre")),
    ("no staff member", N_("no staff member has this number")),
    ("create an administrator", N_("only an administrator may create an administrator")),
    ("people are admin, manager or staff", N_("choose administrator, centre manager or window staff")),
    ("outside your centres", N_("is outside your centres")),
    ("must be kiosk or display", N_("choose a ticket kiosk or a display board")),
)


def reason_text(lang: str, reason: str, *, from_wire: bool = False) -> str:
    """The reason in the reader's language (the service's own words if no translation fits).

    ``from_wire``: the reason is msgspec's (a wire constraint), not a service's.
    """
    for pattern, message in CONSTRAINTS if from_wire else ():
        match = re.search(pattern, reason)
        if match:
            number = match.group(1) if match.groups() else ""
            return gettext(lang, message, n=number) if "%(n)s" in message else gettext(lang, message)
    for words, message in REASONS:
        if words in reason:
            detail = reason.split(": ", 1)[1] if message == N_("unknown item codes") and ": " in reason else ""
            return gettext(lang, message) + (f": {detail}" if detail else "")
    return reason


def base_field(path: str) -> str:
    """The form field of an API field path: ``days[3].on`` → ``days``; ``rules.maxRecalls`` stays as it is."""
    return re.sub(r"\[\d+\].*$", "", path)


def refusal(
    lang: str,
    exc: HallError | FormInvalid,
    field_labels: Mapping[str, str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> FormState:
    """Turn a refusal into a form state naming the field: its error, and a summary sentence with its label."""
    path = aliases.get(exc.field, exc.field) if aliases else exc.field
    name = base_field(path)
    line = re.search(r"\[(\d+)\]", path)
    label = field_labels.get(name) or field_labels.get(path) or name
    message = reason_text(lang, exc.reason, from_wire=isinstance(exc, FormInvalid))
    if line and name in field_labels:
        message = gettext(lang, N_("line %(line)s: %(reason)s"), line=int(line.group(1)) + 1, reason=message)
    state = FormState(errors={name: message} if name in field_labels else {})
    state.summary = (
        gettext(lang, N_("%(field)s: %(reason)s"), field=label, reason=message)
        if label
        else gettext(lang, N_("This could not be saved: %(reason)s"), reason=message)
    )
    return state
