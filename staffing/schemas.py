"""Request and response bodies of the staffing API (version 1): ratings, 差评 cases, rules, assessment and pay.

Money and points travel as decimal strings (``"3000.00"``), never as floats. Months are ``"YYYY-MM"``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from hall.lib.schema import WireStruct
from staffing.domain.assessment import (
    AttendanceEventKind,
    Component,
    Grade,
    QualityEventKind,
    VetoKind,
)
from staffing.domain.negative_cases import Classification, NegativeCaseStatus
from staffing.domain.pay import PayLineCode
from staffing.domain.promotion import SuggestionKind
from staffing.domain.ratings import NegativeReason, RatingChannel, RatingDimension, RatingOrigin

MonthText = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Evidence = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
PublicCode = Annotated[str, msgspec.Meta(min_length=8, max_length=24, pattern=r"^[A-Za-z0-9_-]+$")]
Stars = Annotated[int, msgspec.Meta(ge=1, le=5)]
Amount = Annotated[Decimal, msgspec.Meta(examples=["150.00"])]
Decimalish = Decimal


# --- ratings --------------------------------------------------------------------------------------------------
class SubmitRating(WireStruct):
    """One rating of one completed visit (一次一评), keyed by the ticket's public code.

    ``dimensions`` rates 服务效率 / 服务水平 / 服务态度 (the overall level is ``level``). A 差评 (level 1 or 2)
    needs at least one reason. ``channel``: ``qr`` from the visitor's phone, ``pad`` from a rating pad (kiosk
    role), ``paper`` when staff enter a paper form.
    """

    public_code: PublicCode
    level: Stars
    channel: RatingChannel
    dimensions: dict[RatingDimension, Stars] = msgspec.field(default_factory=dict)
    reasons: Annotated[list[NegativeReason], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    comment: Annotated[str, msgspec.Meta(max_length=500)] = ""
    is_named: bool = False
    callback_phone: Annotated[str, msgspec.Meta(pattern=r"^[0-9+ -]{5,20}$")] | None = None


class RatingReceipt(WireStruct):
    rating_id: UUID
    public_code: str
    level: int
    level_label_zh: str
    channel: RatingChannel
    rated_at: datetime
    is_negative: bool
    negative_case_id: UUID | None
    message_zh: str


class OptionRead(WireStruct):
    value: str
    label_zh: str
    label_en: str = ""


class LevelOption(WireStruct):
    value: int
    stars: int
    label_zh: str
    label_en: str
    is_negative: bool


class RatingFormRead(WireStruct):
    """What the rating page shows: the five levels, the in-person dimensions, the 差评 reasons, the channels."""

    levels: list[LevelOption]
    dimensions: list[OptionRead]
    negative_reasons: list[OptionRead]
    channels: list[OptionRead]


class TicketRatingRead(WireStruct):
    """Whether a visit was rated and may still be rated, with the form's options."""

    public_code: str
    ticket_number: str
    centre_code: str
    centre_name_zh: str
    ticket_status: str
    served_at: datetime | None
    staff_name: str | None
    window_number: int | None
    item_codes: list[str]
    is_rated: bool
    is_rateable: bool
    not_rateable_reason: str | None
    rate_until: date | None
    rating: RatingSummary | None
    form: RatingFormRead


class RatingSummary(WireStruct):
    level: int
    level_label_zh: str
    channel: RatingChannel
    origin: RatingOrigin
    rated_at: datetime


class RatingRead(WireStruct):
    id: UUID
    ticket_number: str | None
    staff_employee_no: str
    staff_name: str
    window_number: int | None
    item_codes: list[str]
    service_record_ids: list[UUID]
    level: int
    level_label_zh: str
    dimensions: dict[str, int]
    reasons: list[str]
    reason_labels_zh: list[str]
    comment: str
    channel: RatingChannel
    origin: RatingOrigin
    is_named: bool
    served_at: datetime
    rated_at: datetime
    entered_by: str
    validity: str
    negative_case_id: UUID | None


class RatingMetricsRead(WireStruct):
    """好评率, 主动评价好评率, 差评率, 主动评价率, 未评价率 (rates 0–1, four decimals; ``None`` without data)."""

    contacts_count: int
    ratings_count: int
    active_count: int
    excluded_count: int
    positive_rate: Decimal | None
    active_positive_rate: Decimal | None
    negative_rate: Decimal | None
    active_rate: Decimal | None
    unrated_rate: Decimal | None


class StaffRatingMetricsRead(WireStruct):
    staff_employee_no: str
    staff_name: str
    metrics: RatingMetricsRead


class CentreRatingMetricsRead(WireStruct):
    centre_code: str
    month: str
    centre: RatingMetricsRead
    staff: list[StaffRatingMetricsRead]


# --- 差评 cases ---------------------------------------------------------------------------------------------
class MoveNegativeCase(WireStruct):
    """Move a 差评 case one step (see ``LEGAL_MOVES``): verify (classify), rectify, reply, close, appeal, review.

    ``classification`` is required to verify (any class) and to overturn (not ``valid``); ``isComplex`` only when
    verifying; ``hasCallback`` records that the rater was called back.
    """

    to: NegativeCaseStatus
    note: Note = ""
    classification: Classification | None = None
    is_complex: bool | None = None
    has_callback: bool = False


class DeadlineRead(WireStruct):
    kind: str
    label_zh: str
    due_on: date
    done_on: date | None
    is_overdue: bool


class CaseStepRead(WireStruct):
    id: int
    at: datetime
    actor: str
    from_status: str | None
    to_status: str | None
    action: str
    note: str


class NegativeCaseRead(WireStruct):
    id: UUID
    rating_id: UUID
    centre_code: str
    staff_employee_no: str
    staff_name: str
    status: NegativeCaseStatus
    status_label_zh: str
    classification: Classification | None
    classification_label_zh: str | None
    is_named: bool
    is_complex: bool
    has_callback: bool
    level: int
    reasons: list[str]
    comment: str
    served_at: datetime
    opened_on: date
    deadlines: list[DeadlineRead]
    overdue: list[DeadlineRead]
    next_moves: list[NegativeCaseStatus]
    validity: str
    history: list[CaseStepRead]
    callback_phone: str | None = None


# --- rules ---------------------------------------------------------------------------------------------------
class GradeBandWire(WireStruct):
    grade: Grade
    min_score: Decimal


class WorkloadRulesWire(WireStruct):
    score_at_median: Decimal = Decimal(80)


class EfficiencyRulesWire(WireStruct):
    on_time_points: Decimal = Decimal(50)
    service_time_points: Decimal = Decimal(50)
    overdue_penalty_points: Decimal = Decimal(5)
    penalty_per_percent_over: Decimal = Decimal(1)
    level_time_factors: dict[int, Decimal] = msgspec.field(
        default_factory=lambda: {4: Decimal("1.00"), 3: Decimal("0.90"), 2: Decimal("0.80")}
    )


class SatisfactionRulesWire(WireStruct):
    prior_strength: Decimal = Decimal(20)
    positive_rate_points: Decimal = Decimal(90)
    very_satisfied_points: Decimal = Decimal(10)
    negative_penalty_points: Decimal = Decimal(5)
    fallback_positive_rate: Decimal = Decimal("0.95")
    fallback_very_satisfied_share: Decimal = Decimal("0.50")


class IntegrityRulesWire(WireStruct):
    min_ratings: int = 30
    significance: Decimal = Decimal("0.001")
    quick_rating_seconds: Decimal = Decimal(2)
    quick_rating_min_count: int = 10
    quick_rating_min_share: Decimal = Decimal("0.5")
    easy_mix_ratio: Decimal = Decimal("0.6")
    easy_mix_min_items: int = 50


class PromotionRulesWire(WireStruct):
    window_months: int = 12
    demotion_fail_months: int = 2
    demotion_basic_pass_months: int = 3
    promotion_excellent_months: int = 6
    highest_level: int = 2
    lowest_level: int = 4


class AssessmentSchemeBody(WireStruct):
    """An assessment scheme (§4.10 defaults) with its integrity checks and promotion rule.

    Weights, bonus cap, vetoes, bands, the 优秀 quota and each component's rules.
    """

    weights: dict[Component, Decimal]
    bands: list[GradeBandWire]
    bonus_cap: Decimal = Decimal(10)
    veto_kinds: list[VetoKind] = msgspec.field(default_factory=lambda: list(VetoKind))
    excellent_quota: Decimal = Decimal("0.20")
    workload: WorkloadRulesWire = msgspec.field(default_factory=WorkloadRulesWire)
    efficiency: EfficiencyRulesWire = msgspec.field(default_factory=EfficiencyRulesWire)
    satisfaction: SatisfactionRulesWire = msgspec.field(default_factory=SatisfactionRulesWire)
    quality_deduction_points: dict[QualityEventKind, Decimal] = msgspec.field(
        default_factory=lambda: dict.fromkeys(QualityEventKind, Decimal(5))
    )
    discipline_deduction_points: dict[AttendanceEventKind, Decimal] = msgspec.field(
        default_factory=lambda: {
            AttendanceEventKind.LATE: Decimal(1),
            AttendanceEventKind.EARLY_LEAVE: Decimal(1),
            AttendanceEventKind.OFF_POST: Decimal(1),
            AttendanceEventKind.ABSENCE: Decimal(2),
            AttendanceEventKind.UNIFORM: Decimal(1),
        }
    )
    integrity: IntegrityRulesWire = msgspec.field(default_factory=IntegrityRulesWire)
    promotion: PromotionRulesWire = msgspec.field(default_factory=PromotionRulesWire)


class PayRuleBody(WireStruct):
    """A pay rule: monthly amounts in yuan (whole fen), the grade coefficients and what is pro-rated."""

    level_pay_amounts: dict[int, Decimal]
    post_allowance_amount: Decimal
    performance_base_amount: Decimal
    grade_coefficients: dict[Grade, Decimal] = msgspec.field(
        default_factory=lambda: {
            Grade.EXCELLENT: Decimal("1.2"),
            Grade.GOOD: Decimal("1.1"),
            Grade.PASS: Decimal("1.0"),
            Grade.BASIC_PASS: Decimal("0.8"),
            Grade.FAIL: Decimal(0),
        }
    )
    is_level_pay_prorated: bool = True
    is_post_allowance_prorated: bool = True
    is_performance_pay_prorated: bool = True
    attendance_deduction_amounts: dict[AttendanceEventKind, Decimal] = msgspec.field(default_factory=dict)


class RatingRulesBody(WireStruct):
    """The 好差评 rules: deadlines in working days, the rating period and the default rating."""

    verify_within_working_days: int = 1
    reply_within_working_days: int = 5
    complex_reply_within_working_days: int = 15
    appeal_within_working_days: int = 5
    review_within_working_days: int = 5
    rating_period_days: int = 7
    is_default_rating_enabled: bool = True
    default_level: Stars = 3
    is_callback_required_for_named: bool = True
    are_defaulted_ratings_assessed: bool = False


class PublishAssessmentScheme(WireStruct):
    effective_from: MonthText
    scheme: AssessmentSchemeBody
    note: Note = ""


class PublishPayRule(WireStruct):
    effective_from: MonthText
    rule: PayRuleBody
    note: Note = ""


class PublishRatingRules(WireStruct):
    effective_from: MonthText
    rules: RatingRulesBody
    note: Note = ""


class RuleVersionRead(WireStruct):
    """A published version of a rule set, with the centre it belongs to (``None``: installation default)."""

    id: UUID
    kind: str
    code: str
    version: int
    effective_from: str
    centre_code: str | None
    is_inherited: bool
    published_by: str
    published_at: datetime
    note: str
    body: dict[str, Any]


# --- assessment entries ------------------------------------------------------------------------------------
class EntryCategory(StrEnum):
    QUALITY = "quality"
    ATTENDANCE = "attendance"
    BONUS = "bonus"
    VETO = "veto"
    LEAVE = "leave"  # paid leave: counted as days worked


class RecordAssessmentEntry(WireStruct):
    """A fact entered by a manager with its evidence.

    ``kind`` by category: quality → error / improper_return / one_time_notice_failure / valid_complaint;
    attendance → late / early_leave / off_post / absence (``halfDays``) / uniform; bonus → any short code with
    ``points``; veto → bribery / falsification / serious_complaint; leave → paid_leave (``days`` working days).
    """

    staff_employee_no: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    category: EntryCategory
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    on: date
    evidence: Evidence
    half_days: Annotated[int, msgspec.Meta(ge=1, le=62)] = 1
    days: Annotated[int, msgspec.Meta(ge=1, le=31)] = 1
    points: Decimal | None = None
    service_record_id: UUID | None = None
    rating_id: UUID | None = None


class WithdrawEntry(WireStruct):
    reason: Reason


class AssessmentEntryRead(WireStruct):
    id: UUID
    staff_employee_no: str
    staff_name: str
    category: EntryCategory
    kind: str
    kind_label_zh: str
    on: date
    half_days: int
    days: int
    points: Decimal | None
    evidence: str
    service_record_id: UUID | None
    rating_id: UUID | None
    status: str
    entered_by: str
    entered_at: datetime


class RecordCaseCompletion(WireStruct):
    """A committed case (承诺件) accepted at a window was finished on ``finishedOn``."""

    service_record_id: UUID
    finished_on: date
    note: Note = ""


class CaseCompletionRead(WireStruct):
    id: UUID
    service_record_id: UUID
    staff_employee_no: str
    item_code: str
    due_on: date | None
    finished_on: date
    is_on_time: bool
    entered_by: str


# --- assessment -----------------------------------------------------------------------------------------------
class ExplanationLineRead(WireStruct):
    label_zh: str
    label_en: str
    value: str
    points: Decimal


class ComponentSources(WireStruct):
    """The records a component was computed from: service record ids, rating ids and manager entries."""

    service_record_ids: list[UUID] = msgspec.field(default_factory=list)
    rating_ids: list[UUID] = msgspec.field(default_factory=list)
    pending_rating_ids: list[UUID] = msgspec.field(default_factory=list)
    excluded_rating_ids: list[UUID] = msgspec.field(default_factory=list)
    entry_ids: list[UUID] = msgspec.field(default_factory=list)
    late_case_record_ids: list[UUID] = msgspec.field(default_factory=list)
    open_case_record_ids: list[UUID] = msgspec.field(default_factory=list)


class CentreComparison(WireStruct):
    """This component at the centre the same month: mean and median score, and this staff member's rank."""

    centre_mean: Decimal
    centre_median: Decimal
    rank: int
    of: int


class ComponentRead(WireStruct):
    component: Component
    label_zh: str
    label_en: str
    weight: Decimal
    score: Decimal
    weighted_points: Decimal
    lines: list[ExplanationLineRead]
    sources: ComponentSources
    centre: CentreComparison | None


class IntegrityFlagRead(WireStruct):
    kind: str
    label_zh: str
    staff_employee_no: str
    evidence: str


class BaselineRead(WireStruct):
    staff_count: int
    median_workload_rate: Decimal
    positive_rate: Decimal | None
    very_satisfied_share: Decimal | None
    mean_standard_minutes: Decimal | None


class PromotionRead(WireStruct):
    """The staff member's level and what promotion needs (a suggestion only; a manager decides)."""

    current_level: int
    current_level_label_zh: str
    kind: SuggestionKind
    suggested_level: int | None
    counted_months: list[str]
    excellent_months: int
    excellent_months_needed: int
    basic_pass_or_worse_months: int
    fail_months: int
    needs_certification: bool
    reason_zh: str
    reason_en: str


class StaffAssessmentRead(WireStruct):
    """One staff member's month: the score explained component by component, the grade and why."""

    id: UUID
    centre_code: str
    month: str
    status: str
    staff_employee_no: str
    staff_name: str
    skill_level: int
    scheme_code: str
    scheme_version: int
    score: Decimal
    band_grade: Grade
    grade: Grade
    grade_label_zh: str
    excellent_rank: int | None
    note_zh: str
    note_en: str
    components: list[ComponentRead]
    score_lines: list[ExplanationLineRead]
    bonus_points: Decimal
    vetoes: list[str]
    rating_metrics: RatingMetricsRead
    flags: list[IntegrityFlagRead]
    computed_at: datetime
    pay_record_id: UUID | None
    promotion: PromotionRead | None


class StaffMonthRow(WireStruct):
    assessment_id: UUID
    staff_employee_no: str
    staff_name: str
    skill_level: int
    score: Decimal
    component_scores: dict[Component, Decimal]
    band_grade: Grade
    grade: Grade
    grade_label_zh: str
    excellent_rank: int | None
    note_zh: str
    flag_count: int
    pending_negative_count: int
    pay_record_id: UUID | None
    pay_status: str | None
    net_amount: Decimal | None


class GradeCount(WireStruct):
    grade: Grade
    label_zh: str
    count: int
    share: Decimal


class CentreAssessmentRead(WireStruct):
    """A centre's month: every staff row, the distribution against the 优秀 quota, flags and 差评 deadlines."""

    centre_code: str
    month: str
    status: str
    scheme_code: str
    scheme_version: int
    as_of: date
    computed_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    excellent_quota: Decimal
    excellent_places: int
    tie_break: str
    baseline: BaselineRead
    distribution: list[GradeCount]
    rows: list[StaffMonthRow]
    flags: list[IntegrityFlagRead]
    negative_cases: list[NegativeCaseRead]
    rating_metrics: RatingMetricsRead


class ApproveAssessment(WireStruct):
    note: Note = ""
    approve_with_pending: bool = False


class StaffAssessmentSummary(WireStruct):
    month: str
    status: str
    score: Decimal
    grade: Grade
    grade_label_zh: str
    assessment_id: UUID


class PromotionSuggestionRead(WireStruct):
    staff_employee_no: str
    staff_name: str
    promotion: PromotionRead


# --- pay -------------------------------------------------------------------------------------------------------
class PayLineRead(WireStruct):
    code: PayLineCode
    label_zh: str
    label_en: str
    amount: Decimal
    basis: str


class PayAdjustmentKind(StrEnum):
    ADJUSTMENT = "adjustment"  # signed: back pay (+) or a reduction (−)
    DEDUCTION = "deduction"  # a positive amount taken off
    CORRECTION = "correction"  # signed, correcting an approved or locked earlier month


class AddPayAdjustment(WireStruct):
    kind: PayAdjustmentKind
    amount: Amount
    reason: Reason


class RecordPayCorrection(WireStruct):
    """Correct an approved or locked month by an adjustment in a later month's record."""

    month: MonthText
    amount: Amount
    reason: Reason


class WithdrawPayAdjustment(WireStruct):
    reason: Reason


class PayAdjustmentRead(WireStruct):
    id: UUID
    month: str
    kind: PayAdjustmentKind
    amount: Decimal
    reason: str
    status: str
    corrects_pay_record_id: UUID | None
    corrects_month: str | None
    entered_by: str
    entered_at: datetime


class PayEventRead(WireStruct):
    id: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


class PayRecordRead(WireStruct):
    """One pay slip: every line with how it was computed, the totals, the rule version and the history."""

    id: UUID
    centre_code: str
    month: str
    status: str
    staff_employee_no: str
    staff_name: str
    skill_level: int
    grade: Grade
    grade_label_zh: str
    rule_code: str
    rule_version: int
    days_worked: int
    working_days: int
    lines: list[PayLineRead]
    gross_amount: Decimal
    deductions_amount: Decimal
    carried_over_amount: Decimal
    net_amount: Decimal
    adjustments: list[PayAdjustmentRead]
    assessment_id: UUID
    computed_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    locked_at: datetime | None
    locked_by: str | None
    history: list[PayEventRead]


class PayRecordRow(WireStruct):
    id: UUID
    staff_employee_no: str
    staff_name: str
    status: str
    grade: Grade
    grade_label_zh: str
    days_worked: int
    working_days: int
    gross_amount: Decimal
    deductions_amount: Decimal
    net_amount: Decimal


class CentrePayRead(WireStruct):
    centre_code: str
    month: str
    rule_code: str | None
    rule_version: int | None
    records: list[PayRecordRow]
    status_counts: dict[str, int]
    gross_total: Decimal
    deductions_total: Decimal
    net_total: Decimal


class PayActionNote(WireStruct):
    note: Note = ""


class RecomputationLine(WireStruct):
    what: str
    stored: str
    recomputed: str


class RecomputationRead(WireStruct):
    """The stored month recomputed from its stored inputs and rule versions; ``matches`` when equal to the fen."""

    centre_code: str
    month: str
    assessments_checked: int
    pay_records_checked: int
    matches: bool
    differences: list[RecomputationLine]


class PrepareResult(WireStruct):
    centre_code: str
    month: str
    assessed: int
    pay_drafts: int
    skipped: list[str]


class RatingPage(WireStruct):
    items: list[RatingRead]
    total: int
    limit: int
    offset: int
