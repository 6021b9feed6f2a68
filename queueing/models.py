"""Database rows of the queueing context.

Tickets, their items and history, window sessions, service records, appointments, daily counters and day
summaries.

History tables (``ticket_event``, ``window_state_event``) and ``service_record`` are append-only: the services
never update or delete them, and the database refuses it too (triggers, see the migration).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.db.base import DateTimeUTC, DefaultBase, EventId, JsonB, UUIDv7AuditBase


class TicketModel(UUIDv7AuditBase):
    """A visitor's ticket for one visit (one or more items)."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("centre_id", "service_day", "prefix", "sequence", name="uq_ticket_number"),
        UniqueConstraint("centre_id", "idempotency_key", name="uq_ticket_idempotency_key"),
        Index("ix_ticket_centre_status", "centre_id", "status"),
        Index("ix_ticket_centre_day", "centre_id", "service_day"),
    )

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    service_day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(2))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    public_code: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    priority_group: Mapped[str | None] = mapped_column(String(32))
    priority_verified: Mapped[bool | None] = mapped_column(Boolean)
    appointment_id: Mapped[UUID | None] = mapped_column(ForeignKey("appointment.id", ondelete="RESTRICT"))
    arrived_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    called_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    no_show_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    window_id: Mapped[UUID | None] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    reserved_window_id: Mapped[UUID | None] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    notify_to: Mapped[str | None] = mapped_column(String(100))
    almost_turn_notified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    items: Mapped[list[TicketItemModel]] = relationship(
        back_populates="ticket", lazy="selectin", order_by="TicketItemModel.position", cascade="all, delete-orphan"
    )


class TicketItemModel(UUIDv7AuditBase):
    """One catalogue item of a ticket, in the order the visitor chose them."""

    __tablename__ = "ticket_item"
    __table_args__ = (UniqueConstraint("ticket_id", "position"),)

    ticket_id: Mapped[UUID] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("service_item.id", ondelete="RESTRICT"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    ticket: Mapped[TicketModel] = relationship(back_populates="items", lazy="noload")


class TicketEventModel(DefaultBase):
    """One transition of a ticket (who, when, window, from → to, details); never updated or deleted.

    The integer id orders a centre's events and is the id of the live event sent for it.
    """

    __tablename__ = "ticket_event"
    __table_args__ = (
        Index("ix_ticket_event_centre", "centre_id", "id"),
        Index("ix_ticket_event_ticket", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[UUID] = mapped_column(ForeignKey("ticket.id", ondelete="RESTRICT"))
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    window_id: Mapped[UUID | None] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class DailyCounterModel(UUIDv7AuditBase):
    """A per-centre, per-day counter, for ticket numbers and daily caps.

    Keys: ticket sequences per prefix (``prefix:A``), tickets per item (``item:SB001``), all tickets (``all``).
    """

    __tablename__ = "daily_counter"
    __table_args__ = (UniqueConstraint("centre_id", "service_day", "key"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(48))
    value: Mapped[int] = mapped_column(Integer, default=0)


class WindowSessionModel(UUIDv7AuditBase):
    """A staff member signed in at a window, from sign-in to sign-out; their skills define what it may call."""

    __tablename__ = "window_session"
    __table_args__ = (
        Index(
            "uq_window_session_open_window",
            "window_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(
            "uq_window_session_open_staff",
            "staff_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
    )

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    window_id: Mapped[UUID] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    skill_level: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    state: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    priority_calls_in_row: Mapped[int] = mapped_column(Integer, default=0)
    current_ticket_id: Mapped[UUID | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))


class WindowStateEventModel(DefaultBase):
    """One change of a window session's staff state (idle / serving / paused / signed out), timed."""

    __tablename__ = "window_state_event"
    __table_args__ = (Index("ix_window_state_event_session", "session_id", "id"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    session_id: Mapped[UUID] = mapped_column(ForeignKey("window_session.id", ondelete="RESTRICT"))
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    window_id: Mapped[UUID] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")


class ServiceRecordModel(UUIDv7AuditBase):
    """The fact of one served item: who served it, at which skill level, when, and with what outcome.

    The simulation fits its service times from these rows and the assessment scores them. Never edited: a
    correction is a later row whose ``corrects_id`` names the row it replaces.
    """

    __tablename__ = "service_record"
    __table_args__ = (
        Index("ix_service_record_centre_ended", "centre_id", "ended_at"),
        Index("ix_service_record_staff_ended", "staff_id", "ended_at"),
    )

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    ticket_id: Mapped[UUID] = mapped_column(ForeignKey("ticket.id", ondelete="RESTRICT"), index=True)
    ticket_item_id: Mapped[UUID] = mapped_column(ForeignKey("ticket_item.id", ondelete="RESTRICT"))
    item_code: Mapped[str] = mapped_column(String(32), index=True)
    domain: Mapped[str] = mapped_column(String(32))
    window_id: Mapped[UUID] = mapped_column(ForeignKey("window.id", ondelete="RESTRICT"))
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    skill_level: Mapped[int] = mapped_column(Integer)
    arrived_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    called_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    items_in_visit: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[str] = mapped_column(String(32))
    outcome_details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    due_on: Mapped[date | None] = mapped_column(Date)
    supplement_due_on: Mapped[date | None] = mapped_column(Date)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    corrects_id: Mapped[UUID | None] = mapped_column(ForeignKey("service_record.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")


class AppointmentSlotModel(UUIDv7AuditBase):
    """Bookable capacity for one item at one centre in one time slot."""

    __tablename__ = "appointment_slot"
    __table_args__ = (UniqueConstraint("centre_id", "item_id", "starts_at"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("service_item.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class AppointmentModel(UUIDv7AuditBase):
    """A booked appointment (预约). The visitor's identity number is stored only as a keyed hash."""

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_identity", "identity_hash", "status"),)

    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[UUID] = mapped_column(ForeignKey("appointment_slot.id", ondelete="RESTRICT"), index=True)
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("service_item.id", ondelete="RESTRICT"))
    visitor_name: Mapped[str] = mapped_column(String(100))
    identity_hash: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    no_show_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class DaySummaryModel(UUIDv7AuditBase):
    """What a centre's day came to, stored when the day is closed."""

    __tablename__ = "day_summary"
    __table_args__ = (UniqueConstraint("centre_id", "service_day"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
