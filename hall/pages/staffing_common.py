"""What the assessment, 差评 case, pay and "My grades" pages share: months, and refusals in the reader's words.

The staffing services refuse with a ``HallError`` naming the field and an English reason (the API's
contract). The pages show a sentence in the reader's language, then the field and the service's own words, so a
refusal is always explained (nothing is hidden behind "could not be done").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from uuid import UUID

from litestar import Request, Response
from litestar.exceptions import NotFoundException

from hall.domain.errors import ConflictError, DomainRuleViolation, HallError, NotFoundError, PermissionDeniedError
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.templating import page
from staffing.domain.periods import Month
from staffing.services import parse_month

# (error class or None for any, field prefix, words of the reason or "", message id). The first match wins.
MESSAGES: Final[tuple[tuple[type[HallError] | None, str, str, str], ...]] = (
    (
        ConflictError,
        "negativeCases",
        "",
        N_("Some 差评 of this month are not settled yet (unverified or under appeal)."),
    ),
    (ConflictError, "month", "already approved", N_("This month is already approved.")),
    (ConflictError, "month", "it is final", N_("This month is approved: it is final and cannot be computed again.")),
    (ConflictError, "month", "has not ended", N_("A month is approved only after its last day.")),
    (ConflictError, "month", "records changed", N_("The records changed since the drafts were computed.")),
    (ConflictError, "month", "now in force", N_("Another assessment scheme is now in force for this month.")),
    (ConflictError, "month", "grades are not approved", N_("Approve the month's grades first (Assessment).")),
    (ConflictError, "month", "not assessed yet", N_("Compute the month's assessment first.")),
    (NotFoundError, "month", "has no pay records", N_("This month has no pay records yet: prepare the drafts.")),
    (NotFoundError, "month", "has not been computed", N_("This month has not been computed yet.")),
    (NotFoundError, "month", "has no assessment", N_("There is no assessment for this month.")),
    (DomainRuleViolation, "month", "has not begun", N_("This month has not begun.")),
    (DomainRuleViolation, "month", "was signed in", N_("Nobody of this centre worked at a window in this month.")),
    (DomainRuleViolation, "month", "month from", N_("Choose a month from 2000-01 to 2100-12.")),
    (DomainRuleViolation, "month", "", N_("Choose a month (YYYY-MM).")),
    (DomainRuleViolation, "payRule", "", N_("No pay rule is published for this centre and month.")),
    (ConflictError, "status", "inputs changed", N_("The inputs changed since the record was computed: recompute it.")),
    (ConflictError, "status", " pay record of ", N_("No pay record of this month is at the step this action needs.")),
    (ConflictError, "status", "", N_("This pay record is not at the step this action needs.")),
    (DomainRuleViolation, "status", "cannot move", N_("This step is not possible for the case now.")),
    (DomainRuleViolation, "status", "after the reply", N_("A valid 差评 is closed only after the reply to the rater.")),
    (DomainRuleViolation, "status", "classified valid", N_("Only a 差评 classified valid can be appealed.")),
    (DomainRuleViolation, "status", "at most once", N_("A 差评 is appealed only once.")),
    (DomainRuleViolation, "status", "rectified", N_("Only a valid 差评 is rectified.")),
    (DomainRuleViolation, "status", "", N_("This step is not possible for the case now.")),
    (DomainRuleViolation, "classification", "", N_("Choose the classification this step needs.")),
    (DomainRuleViolation, "isComplex", "", N_("A case is marked complex only when it is verified.")),
    (DomainRuleViolation, "hasCallback", "", N_("A real-name 差评 is closed only after the rater was called back.")),
    (DomainRuleViolation, "on", "appeal period", N_("The appeal period is over.")),
    (ConflictError, "adjustmentId", "already withdrawn", N_("This adjustment is already withdrawn.")),
    (DomainRuleViolation, "reason", "", N_("Give the reason.")),
    (DomainRuleViolation, "amount", "", N_("The amount is not possible here.")),
    (NotFoundError, "", "", N_("Nothing is stored for this yet.")),
    (PermissionDeniedError, "", "", N_("This is not one of your centres or staff.")),
)
GENERIC: Final = N_("This could not be done.")


def refusal_message(lang: str, exc: HallError) -> str:
    """The translated sentence for a staffing or planning refusal (a general one when no rule matches)."""
    where = f"{exc.field} {exc.reason}"
    for kind, field, words, message in MESSAGES:
        if (kind is None or isinstance(exc, kind)) and exc.field.startswith(field) and words in where:
            return gettext(lang, message)
    return gettext(lang, GENERIC)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refusal as a page shows it: the sentence, and the field with the service's own reason."""

    message: str
    field: str
    reason: str
    status: int

    @property
    def detail(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


def refused(request: Request[Any, Any, Any], exc: HallError) -> Refusal:
    return Refusal(refusal_message(lang_of(request), exc), exc.field, exc.reason, exc.status_code)


def path_uuid(text: str) -> UUID:
    """An id in a page's address; a malformed one is a page that does not exist (404 as a page, not a problem)."""
    try:
        return UUID(text)
    except ValueError:
        raise NotFoundException(detail=f"{text[:40]!r} is not an id") from None


def month_or_default(text: str | None, today: date) -> Month:
    """The month asked for (``YYYY-MM``), or the last complete month before ``today``."""
    if text:
        return parse_month(text)
    return Month.last_complete_before(today)


def handle_staffing_error(request: Request[Any, Any, Any], exc: HallError) -> Response[Any]:
    """A refusal outside a form (a month without an assessment, a record not shown to staff) as a page that says why."""
    return page(request, "error.html", status_code=exc.status_code, message=refusal_message(lang_of(request), exc))


STAFFING_EXCEPTION_HANDLERS: Final = {HallError: handle_staffing_error}
