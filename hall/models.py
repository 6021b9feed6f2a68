"""Database rows of the hall context: centres, calendar, departments, catalogue, windows, staff, users, devices.

Enumerations are stored as their string (or integer) values, not as database enum types, so that adding a value
needs no schema migration on PostgreSQL and the schema is the same on both engines.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.db.base import DateTimeUTC, JsonB, UUIDv7AuditBase


class CalendarModel(UUIDv7AuditBase):
    """A working-day calendar; centres share the national one unless they keep their own."""

    __tablename__ = "calendar"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    days: Mapped[list[CalendarDayModel]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", lazy="noload"
    )


class CalendarDayModel(UUIDv7AuditBase):
    """A day that overrides the Monday–Friday week: a public holiday or a make-up working day (调休)."""

    __tablename__ = "calendar_day"
    __table_args__ = (UniqueConstraint("calendar_id", "on"),)

    calendar_id: Mapped[UUID] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    calendar: Mapped[CalendarModel] = relationship(back_populates="days", lazy="noload")


class CentreModel(UUIDv7AuditBase):
    """A service centre (政务服务中心 / 便民服务中心 / 便民服务站)."""

    __tablename__ = "centre"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[UUID | None] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    calendar_id: Mapped[UUID] = mapped_column(ForeignKey("calendar.id", ondelete="RESTRICT"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    address: Mapped[str] = mapped_column(String(300), default="")
    promise_share_within: Mapped[float] = mapped_column(Float, default=0.8)
    promise_within_minutes: Mapped[int] = mapped_column(Integer, default=15)
    promise_mean_minutes: Mapped[int | None] = mapped_column(Integer, default=10)
    rules: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    sessions: Mapped[list[OpeningSessionModel]] = relationship(
        back_populates="centre", cascade="all, delete-orphan", lazy="selectin", order_by="OpeningSessionModel.weekday"
    )


class OpeningSessionModel(UUIDv7AuditBase):
    """One opening period of a centre on one weekday (local time)."""

    __tablename__ = "opening_session"
    __table_args__ = (UniqueConstraint("centre_id", "weekday", "opens_at"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)
    centre: Mapped[CentreModel] = relationship(back_populates="sessions", lazy="noload")


class DepartmentModel(UUIDv7AuditBase):
    """A department stationed in the hall (进驻部门)."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")


class ServiceItemModel(UUIDv7AuditBase):
    """An item of the service catalogue (政务服务事项)."""

    __tablename__ = "service_item"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[UUID] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    domain: Mapped[str] = mapped_column(String(32), index=True)
    standard_minutes: Mapped[float] = mapped_column(Float)
    statutory_limit_days: Mapped[int | None] = mapped_column(Integer)
    committed_limit_days: Mapped[int | None] = mapped_column(Integer)
    is_instant: Mapped[bool] = mapped_column(Boolean, default=False)
    min_skill_level: Mapped[int] = mapped_column(Integer, default=5)
    allows_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    allows_conditional_acceptance: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_prefix: Mapped[str | None] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    department: Mapped[DepartmentModel] = relationship(lazy="joined", innerjoin=True)


class CentreItemModel(UUIDv7AuditBase):
    """That a centre offers a catalogue item, with an optional daily ticket cap for it."""

    __tablename__ = "centre_item"
    __table_args__ = (UniqueConstraint("centre_id", "item_id"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("service_item.id", ondelete="RESTRICT"), index=True)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    item: Mapped[ServiceItemModel] = relationship(lazy="joined", innerjoin=True)


class WindowModel(UUIDv7AuditBase):
    """A service window (窗口) of a centre."""

    __tablename__ = "window"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="in_service")
    domains: Mapped[list[str]] = mapped_column(JsonB, default=list)
    item_codes: Mapped[list[str]] = mapped_column(JsonB, default=list)


class StaffModel(UUIDv7AuditBase):
    """A window staff member (窗口工作人员) with their current skill level and qualifications."""

    __tablename__ = "staff"

    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    skill_level: Mapped[int] = mapped_column(Integer)
    certified_on: Mapped[date | None] = mapped_column(Date)
    cert_body: Mapped[str] = mapped_column(String(200), default="")
    employment_type: Mapped[str] = mapped_column(String(32))
    qualified_domains: Mapped[list[str]] = mapped_column(JsonB, default=list)
    qualified_items: Mapped[list[str]] = mapped_column(JsonB, default=list)
    hired_on: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffLevelHistoryModel(UUIDv7AuditBase):
    """One certification of a staff member's skill level; rows are only ever added."""

    __tablename__ = "staff_level_history"

    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    skill_level: Mapped[int] = mapped_column(Integer)
    certified_on: Mapped[date | None] = mapped_column(Date)
    cert_body: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")


class UserModel(UUIDv7AuditBase):
    """A person who signs in: an administrator, a centre manager or a staff member."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    centre_id: Mapped[UUID | None] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    staff_id: Mapped[UUID | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class AuthTokenModel(UUIDv7AuditBase):
    """A sign-in: a page session cookie or an API bearer token, stored only as its SHA-256 hash."""

    __tablename__ = "auth_token"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class DeviceModel(UUIDv7AuditBase):
    """A kiosk or display-board device of a centre, with its token stored only as a SHA-256 hash."""

    __tablename__ = "device"

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ChangeLogModel(UUIDv7AuditBase):
    """Who changed what and when (old → new) on the catalogue, windows, staff, users, devices and calendar."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity", "entity_key"),)

    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    centre_id: Mapped[UUID | None] = mapped_column(ForeignKey("centre.id", ondelete="SET NULL"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class CentreCalendarDayModel(UUIDv7AuditBase):
    """A local holiday or make-up working day set by a centre; it applies to that centre and every centre below.

    Local days are laid over the national calendar; where centres at several levels set the same date, the
    nearest centre's entry wins.
    """

    __tablename__ = "centre_calendar_day"
    __table_args__ = (UniqueConstraint("centre_id", "on", name="uq_centre_calendar_day"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
