"""The pure shared kernel of the hall: catalogue, centres, calendar, windows, skill levels and roles."""

from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.catalogue import DEFAULT_TICKET_PREFIX, DOMAIN_LABELS_ZH, ItemRequirement, ServiceDomain
from hall.domain.centres import (
    DEFAULT_PRIORITY_GROUPS,
    CentreLevel,
    HallRules,
    OpeningSession,
    WaitingPromise,
    check_parent_level,
    check_sessions,
    is_open,
    sessions_on,
)
from hall.domain.errors import ConflictError, DomainRuleViolation, HallError, NotFoundError, PermissionDeniedError
from hall.domain.people import EmploymentType, PriorityGroup, Role
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType

__all__ = [
    "DEFAULT_PRIORITY_GROUPS",
    "DEFAULT_TICKET_PREFIX",
    "DOMAIN_LABELS_ZH",
    "CalendarDay",
    "CentreLevel",
    "ConflictError",
    "DayKind",
    "DomainRuleViolation",
    "EmploymentType",
    "HallError",
    "HallRules",
    "ItemRequirement",
    "NotFoundError",
    "OpeningSession",
    "PermissionDeniedError",
    "PriorityGroup",
    "Role",
    "ServiceDomain",
    "SkillLevel",
    "WaitingPromise",
    "WindowStatus",
    "WindowType",
    "WorkingCalendar",
    "check_parent_level",
    "check_sessions",
    "is_open",
    "sessions_on",
]
