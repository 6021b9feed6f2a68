"""Refusals as people read them: a translated sentence instead of a problem document.

Services raise ``HallError``s naming a field and an English reason (the API's contract). The pages let those
exceptions propagate, so the request's transaction is rolled back as for any API call, and these handlers turn
them into a page or, for an htmx request, a message swapped into the page's ``#flash`` region.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException

from hall.domain.errors import ConflictError, DomainRuleViolation, HallError, NotFoundError, PermissionDeniedError
from hall.pages.i18n import N_, gettext, lang_of
from hall.pages.templating import is_htmx, page

logger = logging.getLogger("hall.pages")

# (error class, field prefix, words of the reason or "", message id). The first match wins.
MESSAGES: Final[tuple[tuple[type[HallError], str, str, str], ...]] = (
    (ConflictError, "centreCode", "closed", N_("The centre is closed now. Please come back during opening hours.")),
    (ConflictError, "centreCode", "issued", N_("All of today's tickets have been issued.")),
    (ConflictError, "itemCodes", "", N_("Today's tickets for this item have all been issued.")),
    (DomainRuleViolation, "itemCodes", "booked item", N_("The ticket must include the booked item.")),
    (DomainRuleViolation, "itemCodes", "", N_("This item cannot be chosen at this centre.")),
    (DomainRuleViolation, "priorityGroup", "", N_("This priority group is not served at this centre.")),
    (DomainRuleViolation, "appointmentCode", "", N_("No appointment with this code at this centre. Please check it.")),
    (NotFoundError, "code", "", N_("No appointment with this code at this centre. Please check it.")),
    (
        ConflictError,
        "appointmentCode",
        "check in between",
        N_("It is not the time to check in for this appointment. Please ask at the information desk."),
    ),
    (ConflictError, "appointmentCode", "", N_("This appointment has already been checked in or cancelled.")),
    (ConflictError, "number", "already signed in", N_("Someone is already signed in at this window.")),
    (ConflictError, "number", "same moment", N_("Someone is already signed in at this window.")),
    (ConflictError, "number", "out of service", N_("This window is out of service.")),
    (ConflictError, "number", "nobody signed in", N_("Nobody is signed in at this window.")),
    (
        ConflictError,
        "staffEmployeeNo",
        "another window",
        N_("You are signed in at another window. Sign out there first."),
    ),
    (PermissionDeniedError, "number", "someone else", N_("This window is signed in by someone else.")),
    (PermissionDeniedError, "staffEmployeeNo", "", N_("Your account is not linked to a staff record.")),
    (ConflictError, "window", "paused", N_("The window is paused. Resume it first.")),
    (ConflictError, "window", "first", N_("Finish or transfer the current ticket first.")),
    (ConflictError, "window", "no current ticket", N_("There is no current ticket at this window.")),
    (ConflictError, "window", "not paused", N_("The window is not paused.")),
    (ConflictError, "window", "", N_("The ticket has changed in the meantime. The page has been refreshed.")),
    (DomainRuleViolation, "outcomes", "every item", N_("Choose an outcome for every item.")),
    (DomainRuleViolation, "outcomes", "pendingDocuments", N_("List the documents still to be supplied.")),
    (
        DomainRuleViolation,
        "outcomes",
        "supplementDueOn",
        N_("Give the date by which the documents must be supplied: not in the past, not after the committed deadline."),
    ),
    (DomainRuleViolation, "outcomes", "missingMaterials", N_("List every missing material (one-time notice).")),
    (DomainRuleViolation, "outcomes", "reason", N_("Give the reason for the rejection.")),
    (DomainRuleViolation, "outcomes", "容缺", N_("This item does not allow acceptance with pending documents.")),
    (DomainRuleViolation, "outcomes", "committed time limit", N_("This item has no committed deadline.")),
    (DomainRuleViolation, "outcomes", "only for a ticket in service", N_("Start the service first.")),
    (DomainRuleViolation, "toWindow", "this window", N_("Choose another window than this one.")),
    (DomainRuleViolation, "toWindow", "", N_("That window cannot serve these items.")),
    (ConflictError, "toWindow", "", N_("That window is out of service.")),
    (NotFoundError, "number", "no window", N_("No such window.")),
    (NotFoundError, "publicCode", "", N_("No ticket with this code. Please check the link or the QR code.")),
    (NotFoundError, "centreCode", "", N_("No such centre.")),
    (PermissionDeniedError, "centreCode", "", N_("This device or account belongs to another centre.")),
    (DomainRuleViolation, "action", "", N_("This is not possible for the ticket now.")),
)
GENERIC: Final = N_("This could not be done.")


def message_for(lang: str, exc: HallError) -> str:
    """Return the translated sentence for a refusal (a general one when no rule matches)."""
    where = f"{exc.field} {exc.reason}"
    for kind, field, words, message in MESSAGES:
        if isinstance(exc, kind) and exc.field.startswith(field) and words in where:
            return gettext(lang, message)
    return gettext(lang, GENERIC)


def _flash_or_page(request: Request[Any, Any, Any], status: int, message: str, detail: str = "") -> Response[Any]:
    if is_htmx(request):
        return page(
            request,
            "partials/flash.html",
            status_code=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            message=message,
            detail=detail,
        )
    return page(request, "error.html", status_code=status, message=message, detail=detail)


def handle_hall_error(request: Request[Any, Any, Any], exc: HallError) -> Response[Any]:
    return _flash_or_page(request, exc.status_code, message_for(lang_of(request), exc), f"{exc.field}: {exc.reason}")


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    lang = lang_of(request)
    return _flash_or_page(request, 400, gettext(lang, N_("Some of the information given is not valid.")), exc.detail)


def handle_not_authorised(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    """Not signed in: show the sign-in form where the page was asked for, then come back to it."""
    if is_htmx(request):
        return Response(None, status_code=401, headers={"HX-Refresh": "true"})
    kind = request.route_handler.opt.get("sign_in", "staff")
    template = "device_sign_in.html" if kind == "device" else "sign_in.html"
    return page(request, template, status_code=401, next=request.url.path, error="")


def handle_forbidden(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Response[Any]:
    """Signed in, but not as someone who may open this page (a kiosk opening the console, say)."""
    lang = lang_of(request)
    message = gettext(lang, N_("This page is not for the account or device signed in here."))
    if is_htmx(request):
        return _flash_or_page(request, 403, message)
    return page(request, "forbidden.html", status_code=403, message=message, next=request.url.path)


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    lang = lang_of(request)
    if exc.status_code == 404:
        return _flash_or_page(request, 404, gettext(lang, N_("This page does not exist.")))
    logger.warning("page error %s on %s: %s", exc.status_code, request.url.path, exc.detail)
    return _flash_or_page(request, exc.status_code, gettext(lang, GENERIC), exc.detail)


PAGE_EXCEPTION_HANDLERS: Final[dict[Any, Any]] = {
    HallError: handle_hall_error,
    ValidationException: handle_validation,
    NotAuthorizedException: handle_not_authorised,
    PermissionDeniedException: handle_forbidden,
    HTTPException: handle_http,
}
