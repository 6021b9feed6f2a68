"""Request and response bodies of the hall API.

Centres, calendar, departments, catalogue, windows, staff, users, devices, history. Wire-level constraints live
here; business rules live in ``hall.domain``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

import msgspec

from hall.domain.calendar import DayKind
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import CentreLevel, HallRules
from hall.domain.people import EmploymentType, PriorityGroup, Role
from hall.domain.windows import WindowStatus, WindowType
from hall.lib.schema import WireStruct

Code = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", description="letters, digits, _ . -")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Minutes = Annotated[float, msgspec.Meta(gt=0, le=600)]
WorkingDays = Annotated[int, msgspec.Meta(ge=0, le=365)]
LevelNumber = Annotated[int, msgspec.Meta(ge=1, le=5, description="5 = 五级/初级工 … 1 = 一级/高级技师")]
Prefix = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{1,2}$")]
Username = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_.-]{2,63}$")]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6, description="0 = Monday")]


# --- authentication -----------------------------------------------------------------------------------------------
class SignIn(WireStruct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenRead(WireStruct):
    token: str
    expires_at: datetime
    role: Role
    username: str


class MeRead(WireStruct):
    role: Role
    name: str
    centre_code: str | None
    staff_employee_no: str | None


# --- centres ------------------------------------------------------------------------------------------------------
class WaitingPromiseWire(WireStruct):
    share_within: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.8
    within_minutes: Annotated[int, msgspec.Meta(ge=1, le=240)] = 15
    mean_minutes: Annotated[int, msgspec.Meta(ge=1, le=240)] | None = 10


_RULES = HallRules()  # the domain's defaults are the single source of the wire defaults


class HallRulesWire(WireStruct):
    """A centre's queueing rules; fields left out keep the defaults of ``hall.domain.centres.HallRules``."""

    calling_policy: str = _RULES.calling_policy
    fairness_max_priority_in_row: int = _RULES.fairness_max_priority_in_row
    fairness_wait_minutes: int = _RULES.fairness_wait_minutes
    priority_groups: list[PriorityGroup] = msgspec.field(default_factory=lambda: list(_RULES.priority_groups))
    elderly_age: int = _RULES.elderly_age
    max_recalls: int = _RULES.max_recalls
    no_show_reinstate_minutes: int = _RULES.no_show_reinstate_minutes
    daily_ticket_cap: int | None = _RULES.daily_ticket_cap
    appointment_checkin_early_minutes: int = _RULES.appointment_checkin_early_minutes
    appointment_checkin_late_minutes: int = _RULES.appointment_checkin_late_minutes
    appointment_cancel_before_minutes: int = _RULES.appointment_cancel_before_minutes
    appointment_horizon_days: int = _RULES.appointment_horizon_days
    appointment_no_show_limit: int = _RULES.appointment_no_show_limit
    appointment_no_show_window_days: int = _RULES.appointment_no_show_window_days
    appointment_ban_days: int = _RULES.appointment_ban_days
    notify_people_ahead: int = _RULES.notify_people_ahead
    alert_waiting_per_window: int = _RULES.alert_waiting_per_window
    alert_pause_minutes: int = _RULES.alert_pause_minutes


class OpeningSessionWire(WireStruct):
    weekday: Weekday
    opens_at: time
    closes_at: time


class CentreCreate(WireStruct):
    code: Code
    name_zh: Name
    level: CentreLevel
    name_en: str = ""
    parent_code: Code | None = None
    calendar_code: Code = "CN"
    timezone: str = "Asia/Shanghai"
    address: str = ""
    promise: WaitingPromiseWire = msgspec.field(default_factory=WaitingPromiseWire)
    rules: HallRulesWire = msgspec.field(default_factory=HallRulesWire)
    sessions: list[OpeningSessionWire] = msgspec.field(default_factory=list)


class CentreUpdate(WireStruct):
    name_zh: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: str | msgspec.UnsetType = msgspec.UNSET
    parent_code: Code | msgspec.UnsetType | None = msgspec.UNSET
    calendar_code: Code | msgspec.UnsetType = msgspec.UNSET
    timezone: str | msgspec.UnsetType = msgspec.UNSET
    address: str | msgspec.UnsetType = msgspec.UNSET
    promise: WaitingPromiseWire | msgspec.UnsetType = msgspec.UNSET
    rules: HallRulesWire | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class CentreRead(WireStruct):
    code: str
    name_zh: str
    name_en: str
    level: CentreLevel
    parent_code: str | None
    calendar_code: str
    timezone: str
    address: str
    promise: WaitingPromiseWire
    rules: HallRulesWire
    sessions: list[OpeningSessionWire]
    is_active: bool


class SessionsReplace(WireStruct):
    sessions: list[OpeningSessionWire]


class OfferedItem(WireStruct):
    item_code: Code
    daily_cap: Annotated[int, msgspec.Meta(ge=1)] | None = None


class OfferedItemsReplace(WireStruct):
    items: list[OfferedItem]


class OfferedItemRead(WireStruct):
    item_code: str
    name_zh: str
    name_en: str
    domain: ServiceDomain
    daily_cap: int | None


# --- calendar -----------------------------------------------------------------------------------------------------
class CalendarDayWire(WireStruct):
    on: date
    kind: DayKind
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class CalendarRead(WireStruct):
    code: str
    name: str
    days: list[CalendarDayWire]


class EffectiveCalendarDay(WireStruct):
    on: date
    kind: DayKind
    name: str
    source: str  # "national", or the code of the centre that set this local day


class CentreCalendarRead(WireStruct):
    """The calendar a centre runs on: national days with the local days of the centre and those above it."""

    centre_code: str
    days: list[EffectiveCalendarDay]


class CalendarYearImport(WireStruct):
    """Every holiday and make-up working day of one year; replaces that year's entries of the calendar."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    days: list[CalendarDayWire]


# --- departments and catalogue ------------------------------------------------------------------------------------
class DepartmentCreate(WireStruct):
    code: Code
    name_zh: Name
    name_en: str = ""


class DepartmentUpdate(WireStruct):
    name_zh: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: str | msgspec.UnsetType = msgspec.UNSET


class DepartmentRead(WireStruct):
    code: str
    name_zh: str
    name_en: str


class ServiceItemCreate(WireStruct):
    code: Code
    name_zh: Name
    department_code: Code
    domain: ServiceDomain
    standard_minutes: Minutes
    name_en: str = ""
    statutory_limit_days: WorkingDays | None = None
    committed_limit_days: WorkingDays | None = None
    is_instant: bool = False
    min_skill_level: LevelNumber = 5
    allows_appointment: bool = False
    allows_conditional_acceptance: bool = False
    ticket_prefix: Prefix | None = None


class ServiceItemUpdate(WireStruct):
    name_zh: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: str | msgspec.UnsetType = msgspec.UNSET
    department_code: Code | msgspec.UnsetType = msgspec.UNSET
    domain: ServiceDomain | msgspec.UnsetType = msgspec.UNSET
    standard_minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    statutory_limit_days: WorkingDays | msgspec.UnsetType | None = msgspec.UNSET
    committed_limit_days: WorkingDays | msgspec.UnsetType | None = msgspec.UNSET
    is_instant: bool | msgspec.UnsetType = msgspec.UNSET
    min_skill_level: LevelNumber | msgspec.UnsetType = msgspec.UNSET
    allows_appointment: bool | msgspec.UnsetType = msgspec.UNSET
    allows_conditional_acceptance: bool | msgspec.UnsetType = msgspec.UNSET
    ticket_prefix: Prefix | msgspec.UnsetType | None = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class ServiceItemRead(WireStruct):
    code: str
    name_zh: str
    name_en: str
    department_code: str
    domain: ServiceDomain
    standard_minutes: float
    statutory_limit_days: int | None
    committed_limit_days: int | None
    is_instant: bool
    min_skill_level: int
    allows_appointment: bool
    allows_conditional_acceptance: bool
    ticket_prefix: str
    is_active: bool


# --- windows ------------------------------------------------------------------------------------------------------
class WindowCreate(WireStruct):
    number: Annotated[int, msgspec.Meta(ge=1, le=999)]
    type: WindowType
    label: str = ""
    status: WindowStatus = WindowStatus.IN_SERVICE
    domains: list[ServiceDomain] = msgspec.field(default_factory=list)
    item_codes: list[Code] = msgspec.field(default_factory=list)


class WindowUpdate(WireStruct):
    type: WindowType | msgspec.UnsetType = msgspec.UNSET
    label: str | msgspec.UnsetType = msgspec.UNSET
    status: WindowStatus | msgspec.UnsetType = msgspec.UNSET
    domains: list[ServiceDomain] | msgspec.UnsetType = msgspec.UNSET
    item_codes: list[Code] | msgspec.UnsetType = msgspec.UNSET


class WindowRead(WireStruct):
    centre_code: str
    number: int
    type: WindowType
    label: str
    status: WindowStatus
    domains: list[ServiceDomain]
    item_codes: list[str]


# --- staff --------------------------------------------------------------------------------------------------------
class StaffCreate(WireStruct):
    employee_no: Code
    name: ShortName
    centre_code: Code
    skill_level: LevelNumber
    employment_type: EmploymentType
    certified_on: date | None = None
    cert_body: str = ""
    qualified_domains: list[ServiceDomain] = msgspec.field(default_factory=list)
    qualified_items: list[Code] = msgspec.field(default_factory=list)
    hired_on: date | None = None


class StaffUpdate(WireStruct):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET
    centre_code: Code | msgspec.UnsetType = msgspec.UNSET
    employment_type: EmploymentType | msgspec.UnsetType = msgspec.UNSET
    qualified_domains: list[ServiceDomain] | msgspec.UnsetType = msgspec.UNSET
    qualified_items: list[Code] | msgspec.UnsetType = msgspec.UNSET
    hired_on: date | msgspec.UnsetType | None = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class CertifySkillLevel(WireStruct):
    """Record a new skill-level certification; the staff member's level history keeps every one."""

    skill_level: LevelNumber
    certified_on: date
    cert_body: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    note: str = ""


class SkillLevelRecord(WireStruct):
    skill_level: int
    certified_on: date | None
    cert_body: str
    note: str
    recorded_by: str
    recorded_at: datetime


class StaffRead(WireStruct):
    employee_no: str
    name: str
    centre_code: str
    skill_level: int
    skill_level_label: str
    certified_on: date | None
    cert_body: str
    employment_type: EmploymentType
    qualified_domains: list[ServiceDomain]
    qualified_items: list[str]
    hired_on: date | None
    is_active: bool


class StaffDetail(StaffRead):
    level_history: list[SkillLevelRecord]


# --- users and devices --------------------------------------------------------------------------------------------
class UserCreate(WireStruct):
    username: Username
    display_name: ShortName
    password: Password
    role: Role
    centre_code: Code | None = None
    staff_employee_no: Code | None = None


class UserUpdate(WireStruct):
    display_name: ShortName | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class UserRead(WireStruct):
    username: str
    display_name: str
    role: Role
    centre_code: str | None
    staff_employee_no: str | None
    is_active: bool
    last_login_at: datetime | None


class DeviceCreate(WireStruct):
    kind: Annotated[Role, msgspec.Meta(description="kiosk or display")]
    name: ShortName


class DeviceRead(WireStruct):
    id: UUID
    centre_code: str
    kind: Role
    name: str
    token_hint: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class DeviceIssued(DeviceRead):
    """The new device and its token; the token is shown only this once."""

    token: str


# --- history ------------------------------------------------------------------------------------------------------
class ChangeRead(WireStruct):
    entity: str
    entity_key: str
    action: str
    actor: str
    at: datetime
    changes: dict[str, Any]
    note: str


# --- collections --------------------------------------------------------------------------------------------------
class Page(WireStruct):
    total: int
    limit: int
    offset: int
