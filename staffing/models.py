"""Database rows of the staffing context: ratings, 差评 cases, rule versions, assessment and pay.

Facts are kept, never overwritten:

* ``rating``, ``case_completion``, ``staffing_rule_set`` and ``staffing_event`` are append-only (the services never
  update or delete them; the database refuses updates on both engines and deletes on PostgreSQL, see the
  migration);
* the rows with a status (``negative_case``, ``assessment_entry``, ``assessment_month``, ``assessment``,
  ``pay_record``, ``pay_adjustment``) record every change of status as a ``staffing_event`` row in the same
  transaction;
* an approved ``assessment`` and a locked ``pay_record`` are refused any change by the database as well.

Months are stored as ``YYYY-MM`` strings; money as ``Numeric(12, 2)`` (yuan, two decimals); points as
``Numeric(7, 2)``. Enumerations are stored as their string values, like the other contexts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hall.db.base import GUID, DateTimeUTC, DefaultBase, EventId, JsonB, UUIDv7AuditBase

Money = Numeric(12, 2)
Points = Numeric(7, 2)


class RatingModel(UUIDv7AuditBase):
    """One 好差评 rating of one service contact (一次一评: one completed ticket visit); never changed.

    Whether it counts is derived from its 差评 case, never stored here.
    """

    __tablename__ = "rating"
    __table_args__ = (
        Index("ix_rating_staff_served", "staff_id", "served_at"),
        Index("ix_rating_centre_served", "centre_id", "served_at"),
    )

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    ticket_id: Mapped[UUID] = mapped_column(ForeignKey("ticket.id", ondelete="RESTRICT"), unique=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    window_id: Mapped[UUID] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    item_codes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    service_record_ids: Mapped[list[str]] = mapped_column(JsonB, default=list)
    level: Mapped[int] = mapped_column(Integer)
    dimension_levels: Mapped[dict[str, int]] = mapped_column(JsonB, default=dict)
    reasons: Mapped[list[str]] = mapped_column(JsonB, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    is_named: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_phone: Mapped[str | None] = mapped_column(String(32))
    device_id: Mapped[UUID | None] = mapped_column(ForeignKey("device.id", ondelete="RESTRICT"))
    entered_by: Mapped[str] = mapped_column(String(100))
    served_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    rated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class NegativeCaseModel(UUIDv7AuditBase):
    """The work order of one 差评 as it stands now; every move is a ``staffing_event`` row."""

    __tablename__ = "negative_case"
    __table_args__ = (Index("ix_negative_case_centre_status", "centre_id", "status"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    rating_id: Mapped[UUID] = mapped_column(ForeignKey("rating.id", ondelete="RESTRICT"), unique=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    classification: Mapped[str | None] = mapped_column(String(24))
    is_named: Mapped[bool] = mapped_column(Boolean, default=False)
    is_complex: Mapped[bool] = mapped_column(Boolean, default=False)
    has_callback: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_on: Mapped[date] = mapped_column(Date)
    verify_due_on: Mapped[date] = mapped_column(Date)
    reply_due_on: Mapped[date] = mapped_column(Date)
    appeal_due_on: Mapped[date | None] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    appealed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date)


class StaffingEventModel(DefaultBase):
    """One change in the staffing context (who, when, what, from → to, details); never updated or deleted."""

    __tablename__ = "staffing_event"
    __table_args__ = (
        Index("ix_staffing_event_entity", "entity", "entity_id", "id"),
        Index("ix_staffing_event_centre", "centre_id", "id"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[UUID] = mapped_column(GUID(length=16))
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    month: Mapped[str | None] = mapped_column(String(7))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class RuleSetModel(UUIDv7AuditBase):
    """One published version of a centre's rules: assessment scheme, pay rule or rating rules; never changed.

    ``centre_id`` is empty for the installation-wide defaults. A centre without rules of its own uses its parent
    centre's, up the hierarchy, then the defaults. ``effective_from`` is the first month (``YYYY-MM``) the version
    applies to; the version in force for a month is the latest published whose ``effective_from`` is not after it.
    """

    __tablename__ = "staffing_rule_set"
    __table_args__ = (
        UniqueConstraint("kind", "code", "version"),
        Index("ix_staffing_rule_set_centre_kind", "centre_id", "kind", "effective_from"),
    )

    centre_id: Mapped[UUID | None] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(24))
    code: Mapped[str] = mapped_column(String(48))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[str] = mapped_column(String(7))
    body: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    published_by: Mapped[str] = mapped_column(String(100))


class AssessmentEntryModel(UUIDv7AuditBase):
    """A fact a manager enters with evidence: a quality or attendance event, a bonus, a veto, a paid leave.

    Entries are withdrawn (with a reason), never deleted; both moves are ``staffing_event`` rows.
    """

    __tablename__ = "assessment_entry"
    __table_args__ = (Index("ix_assessment_entry_staff_on", "staff_id", "on"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    half_days: Mapped[int] = mapped_column(Integer, default=1)
    days: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[Decimal | None] = mapped_column(Points)
    evidence: Mapped[str] = mapped_column(Text)
    service_record_id: Mapped[UUID | None] = mapped_column(ForeignKey("service_record.id", ondelete="RESTRICT"))
    rating_id: Mapped[UUID | None] = mapped_column(ForeignKey("rating.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(100))


class CaseCompletionModel(UUIDv7AuditBase):
    """That a committed case (承诺件) accepted at a window was finished, and on which day; never changed."""

    __tablename__ = "case_completion"

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    service_record_id: Mapped[UUID] = mapped_column(ForeignKey("service_record.id", ondelete="RESTRICT"), unique=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    finished_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100))


class AssessmentMonthModel(UUIDv7AuditBase):
    """A centre's assessment of one month: the scheme version, the centre baseline, draft or approved."""

    __tablename__ = "assessment_month"
    __table_args__ = (UniqueConstraint("centre_id", "month"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    scheme_id: Mapped[UUID] = mapped_column(ForeignKey("staffing_rule_set.id", ondelete="RESTRICT"))
    baseline: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    staff_count: Mapped[int] = mapped_column(Integer, default=0)
    excellent_places: Mapped[int] = mapped_column(Integer, default=0)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))


class AssessmentModel(UUIDv7AuditBase):
    """One staff member's assessment of one month: the stored facts, the scored result and the final grade.

    ``facts`` holds every input of the score (with the ids of the records, ratings and entries it came from), so
    the month can be recomputed from what was stored; ``result`` holds the components and their explanation lines.
    """

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("staff_id", "month"), Index("ix_assessment_month_row", "assessment_month_id"))

    assessment_month_id: Mapped[UUID] = mapped_column(ForeignKey("assessment_month.id", ondelete="RESTRICT"))
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    skill_level: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Points)
    band_grade: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    excellent_rank: Mapped[int | None] = mapped_column(Integer)
    note_zh: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class PayRecordModel(UUIDv7AuditBase):
    """One staff member's pay record of one month: stored inputs, the rule version, the lines and the totals.

    draft (computed) → in_review → approved → locked. The services refuse any change once approved (except
    locking it); the database refuses any change of a locked record (PostgreSQL: update and delete; SQLite:
    update). Corrections are adjustments in a later month's record.
    """

    __tablename__ = "pay_record"
    __table_args__ = (UniqueConstraint("staff_id", "month"), Index("ix_pay_record_centre_month", "centre_id", "month"))

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    assessment_id: Mapped[UUID] = mapped_column(ForeignKey("assessment.id", ondelete="RESTRICT"))
    rule_id: Mapped[UUID] = mapped_column(ForeignKey("staffing_rule_set.id", ondelete="RESTRICT"))
    grade: Mapped[str] = mapped_column(String(16))
    skill_level: Mapped[int] = mapped_column(Integer)
    days_worked: Mapped[int] = mapped_column(Integer)
    working_days: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    gross_amount: Mapped[Decimal] = mapped_column(Money)
    deductions_amount: Mapped[Decimal] = mapped_column(Money)
    carried_over_amount: Mapped[Decimal] = mapped_column(Money)
    net_amount: Mapped[Decimal] = mapped_column(Money)
    computed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(100))


class PayAdjustmentModel(UUIDv7AuditBase):
    """An adjustment or deduction a manager adds to one month's pay, always with a reason.

    A correction of an approved or locked month is an adjustment here on a later month, naming the record it
    corrects. Withdrawn (with a reason) while the month's record is still open, never deleted.
    """

    __tablename__ = "pay_adjustment"
    __table_args__ = (Index("ix_pay_adjustment_staff_month", "staff_id", "month"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    corrects_pay_record_id: Mapped[UUID | None] = mapped_column(ForeignKey("pay_record.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(100))
