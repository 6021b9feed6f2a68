"""What the pages call the hall's codes: one message id per enum value, translated where it is shown.

Every value of every enum a page shows has a label here (a test walks the enums), so a new status or domain
cannot reach a visitor as a raw code such as ``no_show``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

from hall.domain.calendar import DayKind
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import CentreLevel
from hall.domain.people import EmploymentType, PriorityGroup, Role
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus, WindowType
from hall.pages.i18n import N_
from queueing.domain.snapshot import CallReason
from queueing.domain.tickets import CaseOutcome, TicketStatus
from queueing.schemas import WindowState
from staffing.domain.assessment import AttendanceEventKind, Component, Grade, QualityEventKind, VetoKind
from staffing.domain.integrity import IntegrityFlagKind
from staffing.domain.negative_cases import Classification, DeadlineKind, NegativeCaseStatus, RatingValidity
from staffing.domain.pay import PayLineCode
from staffing.domain.promotion import SuggestionKind
from staffing.domain.ratings import NegativeReason, RatingChannel, RatingDimension, RatingLevel, RatingOrigin

DOMAINS: Final[dict[ServiceDomain, str]] = {
    ServiceDomain.SOCIAL_SECURITY: N_("Social security"),
    ServiceDomain.MEDICAL_INSURANCE: N_("Medical insurance"),
    ServiceDomain.HOUSING_FUND: N_("Housing fund"),
    ServiceDomain.REAL_ESTATE: N_("Real estate"),
    ServiceDomain.HOUSEHOLD_REGISTRATION: N_("Household registration"),
    ServiceDomain.EXIT_ENTRY: N_("Exit and entry"),
    ServiceDomain.TAX: N_("Tax"),
    ServiceDomain.BUSINESS_STARTUP: N_("Starting a business"),
    ServiceDomain.CIVIL_AFFAIRS: N_("Civil affairs"),
    ServiceDomain.CONSTRUCTION: N_("Construction projects"),
    ServiceDomain.TRANSPORT: N_("Transport"),
    ServiceDomain.CONSULTATION: N_("Enquiries"),
}

PRIORITY_GROUPS: Final[dict[PriorityGroup, str]] = {
    PriorityGroup.EMERGENCY: N_("Emergency"),
    PriorityGroup.MILITARY: N_("Service members, veterans and their families"),
    PriorityGroup.DISABLED: N_("People with disabilities"),
    PriorityGroup.PREGNANT: N_("Pregnant women"),
    PriorityGroup.ELDERLY: N_("Older people"),
    PriorityGroup.FIREFIGHTER: N_("Fire and rescue personnel"),
    PriorityGroup.SERIOUSLY_ILL: N_("Seriously ill"),
}

TICKET_STATUSES: Final[dict[TicketStatus, str]] = {
    TicketStatus.WAITING: N_("Waiting"),
    TicketStatus.CALLED: N_("Called"),
    TicketStatus.SERVING: N_("Being served"),
    TicketStatus.PARKED: N_("On hold"),
    TicketStatus.NO_SHOW: N_("Missed"),
    TicketStatus.COMPLETED: N_("Completed"),
    TicketStatus.CANCELLED: N_("Cancelled"),
    TicketStatus.EXPIRED: N_("Expired"),
}

OUTCOMES: Final[dict[CaseOutcome, str]] = {
    CaseOutcome.INSTANT: N_("Done on the spot"),
    CaseOutcome.COMMITTED: N_("Accepted, committed deadline"),
    CaseOutcome.CONDITIONAL: N_("Accepted with pending documents"),
    CaseOutcome.RETURNED_WITH_NOTICE: N_("Not accepted: one-time notice of missing materials"),
    CaseOutcome.REJECTED: N_("Rejected"),
    CaseOutcome.CONSULTATION: N_("Consultation only"),
}

CALL_REASONS: Final[dict[CallReason, str]] = {
    CallReason.RESERVED: N_("Reserved for this window (parked here or transferred here)"),
    CallReason.EMERGENCY: N_("Emergency"),
    CallReason.STATUTORY_PRIORITY: N_("Statutory priority group"),
    CallReason.APPOINTMENT_DUE: N_("Appointment due now"),
    CallReason.FAIRNESS: N_("Fairness: a long-waiting ticket after several priority calls"),
    CallReason.PAST_PROMISE: N_("Waited past the centre's waiting-time promise"),
    CallReason.OLDEST_ELIGIBLE: N_("Longest waiting among the tickets this window may serve"),
}

WINDOW_STATES: Final[dict[WindowState, str]] = {
    WindowState.IDLE: N_("Free"),
    WindowState.SERVING: N_("Serving"),
    WindowState.PAUSED: N_("Paused"),
    WindowState.SIGNED_OUT: N_("Signed out"),
}

RATING_LEVELS: Final[dict[RatingLevel, str]] = {
    RatingLevel.VERY_SATISFIED: N_("Very satisfied"),
    RatingLevel.SATISFIED: N_("Satisfied"),
    RatingLevel.BASICALLY_SATISFIED: N_("Basically satisfied"),
    RatingLevel.DISSATISFIED: N_("Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: N_("Very dissatisfied"),
}

RATING_DIMENSIONS: Final[dict[RatingDimension, str]] = {
    RatingDimension.OVERALL: N_("Overall satisfaction"),
    RatingDimension.EFFICIENCY: N_("Efficiency"),
    RatingDimension.COMPETENCE: N_("Competence"),
    RatingDimension.ATTITUDE: N_("Attitude"),
}

NEGATIVE_REASONS: Final[dict[NegativeReason, str]] = {
    NegativeReason.UNCLEAR_GUIDANCE: N_("Unclear guidance"),
    NegativeReason.INCONVENIENT_PROCEDURE: N_("Inconvenient procedure"),
    NegativeReason.EXCESSIVE_MATERIALS: N_("Too many materials required"),
    NegativeReason.UNFRIENDLY_INTERFACE: N_("Unfriendly interface"),
    NegativeReason.POOR_ATTITUDE: N_("Poor attitude"),
    NegativeReason.SLOW_SERVICE: N_("Slow service"),
    NegativeReason.LACK_OF_COMPETENCE: N_("Staff not familiar with the matter"),
    NegativeReason.NOT_TOLD_AT_ONCE: N_("Missing materials not all told at once"),
    NegativeReason.LONG_WAIT: N_("Long wait"),
    NegativeReason.OTHER: N_("Other"),
}

PAUSE_REASONS: Final = (
    N_("Break"),
    N_("Meeting"),
    N_("System fault"),
    N_("Helping at another window"),
    N_("Back-office work"),
)

WINDOW_TYPES: Final[dict[WindowType, str]] = {
    WindowType.COMPREHENSIVE_ALL: N_("All-service comprehensive window"),
    WindowType.COMPREHENSIVE_DOMAIN: N_("Domain comprehensive window"),
    WindowType.SPECIALIZED: N_("Specialised window"),
    WindowType.PRIORITY: N_("Priority window"),
    WindowType.GUIDE_DESK: N_("Information desk"),
    WindowType.RESULT_PICKUP: N_("Result pickup window"),
}

WINDOW_STATUSES: Final[dict[WindowStatus, str]] = {
    WindowStatus.IN_SERVICE: N_("In service"),
    WindowStatus.OUT_OF_SERVICE: N_("Out of service"),
}

EMPLOYMENT_TYPES: Final[dict[EmploymentType, str]] = {
    EmploymentType.CIVIL_SERVANT: N_("Civil servant"),
    EmploymentType.PUBLIC_INSTITUTION: N_("Public institution staff"),
    EmploymentType.SECONDED: N_("Seconded by a department"),
    EmploymentType.DISPATCHED: N_("Agency worker"),
    EmploymentType.CONTRACTED: N_("Contracted"),
}

ROLES: Final[dict[Role, str]] = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Centre manager"),
    Role.STAFF: N_("Window staff"),
    Role.KIOSK: N_("Ticket kiosk"),
    Role.DISPLAY: N_("Display board"),
}

CENTRE_LEVELS: Final[dict[CentreLevel, str]] = {
    CentreLevel.CITY: N_("City centre"),
    CentreLevel.COUNTY: N_("County centre"),
    CentreLevel.TOWNSHIP: N_("Township centre"),
    CentreLevel.VILLAGE: N_("Village station"),
}

DAY_KINDS: Final[dict[DayKind, str]] = {
    DayKind.HOLIDAY: N_("Public holiday"),
    DayKind.WORKDAY: N_("Make-up working day"),
}

SKILL_LEVELS: Final[dict[SkillLevel, str]] = {
    SkillLevel.L5: N_("Level 5 (junior)"),
    SkillLevel.L4: N_("Level 4 (intermediate)"),
    SkillLevel.L3: N_("Level 3 (senior)"),
    SkillLevel.L2: N_("Level 2 (technician)"),
    SkillLevel.L1: N_("Level 1 (senior technician)"),
}

WEEKDAYS: Final = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

# --- assessment, 差评 cases and pay (staffing) ----------------------------------------------------------------------
COMPONENTS: Final[dict[Component, str]] = {
    Component.WORKLOAD: N_("Workload"),
    Component.EFFICIENCY: N_("Efficiency"),
    Component.SATISFACTION: N_("Satisfaction (service ratings)"),
    Component.QUALITY: N_("Quality"),
    Component.DISCIPLINE: N_("Discipline and attendance"),
}

GRADES: Final[dict[Grade, str]] = {
    Grade.EXCELLENT: N_("Excellent"),
    Grade.GOOD: N_("Good"),
    Grade.PASS: N_("Pass"),
    Grade.BASIC_PASS: N_("Basic pass"),
    Grade.FAIL: N_("Fail"),
}

QUALITY_EVENTS: Final[dict[QualityEventKind, str]] = {
    QualityEventKind.ERROR: N_("Error"),
    QualityEventKind.IMPROPER_RETURN: N_("Improper acceptance or return"),
    QualityEventKind.ONE_TIME_NOTICE_FAILURE: N_("Missing materials not told at once"),
    QualityEventKind.VALID_COMPLAINT: N_("Valid complaint"),
}

ATTENDANCE_EVENTS: Final[dict[AttendanceEventKind, str]] = {
    AttendanceEventKind.LATE: N_("Late"),
    AttendanceEventKind.EARLY_LEAVE: N_("Left early"),
    AttendanceEventKind.OFF_POST: N_("Away from the post"),
    AttendanceEventKind.ABSENCE: N_("Absent (half-days)"),
    AttendanceEventKind.UNIFORM: N_("Uniform or badge missing"),
}

VETOES: Final[dict[VetoKind, str]] = {
    VetoKind.BRIBERY: N_("Bribery"),
    VetoKind.FALSIFICATION: N_("Falsification"),
    VetoKind.SERIOUS_COMPLAINT: N_("Serious complaint"),
}

ENTRY_CATEGORIES: Final = {
    "quality": N_("Quality"),
    "attendance": N_("Attendance"),
    "bonus": N_("Bonus points"),
    "veto": N_("Veto"),
    "leave": N_("Paid leave"),
}

ENTRY_STATUSES: Final = {"active": N_("In force"), "withdrawn": N_("Withdrawn")}

INTEGRITY_FLAGS: Final[dict[IntegrityFlagKind, str]] = {
    IntegrityFlagKind.POSITIVE_RATE_IMPLAUSIBLE: N_("Positive rate implausibly high"),
    IntegrityFlagKind.VERY_SATISFIED_SHARE_IMPLAUSIBLE: N_("Very-satisfied share implausibly high"),
    IntegrityFlagKind.QUICK_PAD_RATINGS: N_("Too many pad ratings right after the service"),
    IntegrityFlagKind.EASY_ITEM_MIX: N_("Items served much easier than the centre's"),
}

CASE_STATUSES: Final[dict[NegativeCaseStatus, str]] = {
    NegativeCaseStatus.OPEN: N_("Open: to be verified"),
    NegativeCaseStatus.VERIFIED: N_("Verified and classified"),
    NegativeCaseStatus.RECTIFYING: N_("Being rectified"),
    NegativeCaseStatus.REPLIED: N_("Replied to the rater"),
    NegativeCaseStatus.CLOSED: N_("Closed"),
    NegativeCaseStatus.APPEALED: N_("Appealed by the staff member"),
    NegativeCaseStatus.UNDER_REVIEW: N_("Appeal under review"),
    NegativeCaseStatus.UPHELD: N_("Review: 差评 upheld"),
    NegativeCaseStatus.OVERTURNED: N_("Review: 差评 overturned"),
}

CASE_MOVES: Final[dict[NegativeCaseStatus, str]] = {
    NegativeCaseStatus.VERIFIED: N_("Verify and classify"),
    NegativeCaseStatus.RECTIFYING: N_("Start rectification"),
    NegativeCaseStatus.REPLIED: N_("Record the reply to the rater"),
    NegativeCaseStatus.CLOSED: N_("Close the case"),
    NegativeCaseStatus.APPEALED: N_("Record the staff member's appeal"),
    NegativeCaseStatus.UNDER_REVIEW: N_("Start the appeal review"),
    NegativeCaseStatus.UPHELD: N_("Review: uphold the 差评"),
    NegativeCaseStatus.OVERTURNED: N_("Review: overturn the 差评"),
    NegativeCaseStatus.OPEN: N_("Reopen"),
}

CLASSIFICATIONS: Final[dict[Classification, str]] = {
    Classification.VALID: N_("Valid 差评 (counts)"),
    Classification.MISTAKEN: N_("Mistaken rating"),
    Classification.MALICIOUS: N_("Malicious rating"),
    Classification.NOT_SERVICE_RELATED: N_("Not about the service"),
}

DEADLINES: Final[dict[DeadlineKind, str]] = {
    DeadlineKind.VERIFY: N_("Verification callback"),
    DeadlineKind.REPLY: N_("Rectification and reply"),
    DeadlineKind.REVIEW: N_("Appeal review"),
}

DEADLINE_LABELS: Final[dict[str, str]] = {
    **{kind.value: label for kind, label in DEADLINES.items()},
    "appeal": N_("Appeal period of the staff member"),  # not a DeadlineKind: the staff member's, not the centre's
}

VALIDITIES: Final[dict[RatingValidity, str]] = {
    RatingValidity.VALID: N_("Counts"),
    RatingValidity.PENDING: N_("Pending (not counted yet)"),
    RatingValidity.EXCLUDED: N_("Excluded"),
}

RATING_CHANNELS: Final[dict[RatingChannel, str]] = {
    RatingChannel.PAD: N_("Rating pad"),
    RatingChannel.QR: N_("Phone (QR code)"),
    RatingChannel.PAPER: N_("Paper form"),
    RatingChannel.SYSTEM: N_("Default after the rating period"),
}

RATING_ORIGINS: Final[dict[RatingOrigin, str]] = {
    RatingOrigin.ACTIVE: N_("Given by the visitor"),
    RatingOrigin.DEFAULTED: N_("Default rating"),
}

PAY_LINES: Final[dict[PayLineCode, str]] = {
    PayLineCode.LEVEL_PAY: N_("Level pay"),
    PayLineCode.POST_ALLOWANCE: N_("Post allowance"),
    PayLineCode.PERFORMANCE_PAY: N_("Performance pay"),
    PayLineCode.ADJUSTMENT: N_("Adjustment"),
    PayLineCode.ATTENDANCE_DEDUCTION: N_("Attendance deduction"),
    PayLineCode.DEDUCTION: N_("Deduction"),
    PayLineCode.CARRIED_IN: N_("Carried in from an earlier month"),
    PayLineCode.CARRIED_OVER: N_("Carried over to next month"),
}

PAY_STATUSES: Final = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "approved": N_("Approved"),
    "locked": N_("Locked"),
}

PAY_ADJUSTMENT_KINDS: Final = {
    "adjustment": N_("Adjustment (+ back pay, − reduction)"),
    "deduction": N_("Deduction (amount taken off)"),
    "correction": N_("Correction of an earlier month"),
}

PAY_ACTIONS: Final = {
    "compute": N_("Computed"),
    "recompute": N_("Recomputed"),
    "add": N_("Adjustment added"),
    "withdraw": N_("Adjustment withdrawn"),
    "review": N_("Put in review"),
    "approve": N_("Approved"),
    "lock": N_("Locked"),
    "correct": N_("Correction recorded"),
    "corrected": N_("Corrected in a later month"),
}

ADJUSTMENT_STATUSES: Final = {"active": N_("In force"), "withdrawn": N_("Withdrawn")}

ASSESSMENT_STATUSES: Final = {"draft": N_("Draft (may still change)"), "approved": N_("Approved (final)")}

SUGGESTIONS: Final[dict[SuggestionKind, str]] = {
    SuggestionKind.NONE: N_("No change suggested"),
    SuggestionKind.PROMOTION_ELIGIBLE: N_("Eligible for promotion (after certification)"),
    SuggestionKind.DEMOTION: N_("Demotion suggested"),
}

ALL: Final[dict[type[StrEnum], Mapping[Any, str]]] = {
    ServiceDomain: DOMAINS,
    PriorityGroup: PRIORITY_GROUPS,
    TicketStatus: TICKET_STATUSES,
    CaseOutcome: OUTCOMES,
    CallReason: CALL_REASONS,
    WindowState: WINDOW_STATES,
    RatingDimension: RATING_DIMENSIONS,
    NegativeReason: NEGATIVE_REASONS,
    WindowType: WINDOW_TYPES,
    WindowStatus: WINDOW_STATUSES,
    EmploymentType: EMPLOYMENT_TYPES,
    Role: ROLES,
    CentreLevel: CENTRE_LEVELS,
    DayKind: DAY_KINDS,
    Component: COMPONENTS,
    Grade: GRADES,
    QualityEventKind: QUALITY_EVENTS,
    AttendanceEventKind: ATTENDANCE_EVENTS,
    VetoKind: VETOES,
    IntegrityFlagKind: INTEGRITY_FLAGS,
    NegativeCaseStatus: CASE_STATUSES,
    Classification: CLASSIFICATIONS,
    DeadlineKind: DEADLINES,
    RatingValidity: VALIDITIES,
    RatingChannel: RATING_CHANNELS,
    RatingOrigin: RATING_ORIGINS,
    PayLineCode: PAY_LINES,
    SuggestionKind: SUGGESTIONS,
}
