"""Services of the hall context.

Every read and change of centres, calendar, catalogue, windows, staff, users and devices goes through here, with the
caller's scope checked and every change written to the change log in the same transaction.

One module per service; this package re-exports their names.
"""

from __future__ import annotations

from hall.services._auth import AuthService, SignInRefusedError
from hall.services._base import MAX_PAGE, BaseService, diff
from hall.services._calendar import (
    CalendarService,
    CentreCalendarService,
    effective_days,
    load_calendar,
    load_centre_calendar,
)
from hall.services._catalogue import CatalogueService, item_read
from hall.services._centres import CentreService, promise_of, rules_from_json, sessions_of
from hall.services._devices import DEVICE_KINDS, DeviceService
from hall.services._history import HistoryService
from hall.services._staff import StaffService
from hall.services._users import PERSON_ROLES, UserService
from hall.services._windows import WindowService, window_read

__all__ = [
    "DEVICE_KINDS",
    "MAX_PAGE",
    "PERSON_ROLES",
    "AuthService",
    "BaseService",
    "CalendarService",
    "CatalogueService",
    "CentreCalendarService",
    "CentreService",
    "DeviceService",
    "HistoryService",
    "SignInRefusedError",
    "StaffService",
    "UserService",
    "WindowService",
    "diff",
    "effective_days",
    "item_read",
    "load_calendar",
    "load_centre_calendar",
    "promise_of",
    "rules_from_json",
    "sessions_of",
    "window_read",
]
