"""Database rows of planning: fitted parameters, weekly forecasts, staffing plans, rosters and their shifts.

Results are stored as the JSON the API serves (they are read whole and never queried inside); what is looked up
or edited — a centre's fits by date, a roster's shifts by staff and day — has its own columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.db.base import DateTimeUTC, JsonB, UUIDv7AuditBase


class PlanningFitModel(UUIDv7AuditBase):
    """A centre's fitted arrival and service-time parameters, with when and from which days they were fitted."""

    __tablename__ = "planning_fit"
    __table_args__ = (Index("ix_planning_fit_centre_fitted", "centre_id", "fitted_at"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    fitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    fitted_on: Mapped[date] = mapped_column(Date)
    data_from: Mapped[date] = mapped_column(Date)
    data_to: Mapped[date] = mapped_column(Date)
    open_days: Mapped[int] = mapped_column(Integer)
    tickets: Mapped[int] = mapped_column(Integer)
    service_records: Mapped[int] = mapped_column(Integer)
    synthetic_share: Mapped[float] = mapped_column(Float, default=0.0)
    fitted_by: Mapped[str] = mapped_column(String(100), default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class PlanningForecastModel(UUIDv7AuditBase):
    """The visitors expected in each slot of one week, from one fit."""

    __tablename__ = "planning_forecast"
    __table_args__ = (UniqueConstraint("centre_id", "week_start", "fit_id"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    fit_id: Mapped[UUID] = mapped_column(ForeignKey("planning_fit.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    days: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)


class StaffingPlanModel(UUIDv7AuditBase):
    """One day's staffing plans, Erlang C and simulated, side by side with their simulated figures."""

    __tablename__ = "staffing_plan"
    __table_args__ = (Index("ix_staffing_plan_centre_day", "centre_id", "on"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    fit_id: Mapped[UUID | None] = mapped_column(ForeignKey("planning_fit.id", ondelete="SET NULL"), index=True)
    on: Mapped[date] = mapped_column(Date)
    replications: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    arrivals_factor: Mapped[float] = mapped_column(Float, default=1.0)
    erlang_staff_hours: Mapped[float] = mapped_column(Float)
    simulated_staff_hours: Mapped[float] = mapped_column(Float)
    erlang_failing_slots: Mapped[int] = mapped_column(Integer)
    simulated_failing_slots: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class RosterModel(UUIDv7AuditBase):
    """A week's roster of a centre: the shift templates and rules it was built with, and its simulated figures."""

    __tablename__ = "roster"
    __table_args__ = (UniqueConstraint("centre_id", "week_start"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    rules: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    requirements: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    solver: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    edited_by: Mapped[str] = mapped_column(String(100), default="")
    shifts: Mapped[list[RosterShiftModel]] = relationship(
        back_populates="roster",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(RosterShiftModel.on, RosterShiftModel.staff_employee_no)",
    )


class RosterShiftModel(UUIDv7AuditBase):
    """One staff member's shift on one day of a roster, with the window they sit at in each slot."""

    __tablename__ = "roster_shift"
    __table_args__ = (UniqueConstraint("roster_id", "staff_id", "on"),)

    roster_id: Mapped[UUID] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    staff_employee_no: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    template: Mapped[str] = mapped_column(String(32))
    segments: Mapped[list[list[str]]] = mapped_column(JsonB, default=list)
    hours: Mapped[float] = mapped_column(Float)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    windows: Mapped[dict[str, int]] = mapped_column(JsonB, default=dict)
    roster: Mapped[RosterModel] = relationship(back_populates="shifts", lazy="noload")


class SyntheticDayModel(UUIDv7AuditBase):
    """A centre-day of synthetic (twin-generated) history.

    Its tickets carry the idempotency key ``synthetic:…`` and its service records ``is_synthetic``; listing the day
    makes the demo history generator idempotent.
    """

    __tablename__ = "planning_synthetic_day"
    __table_args__ = (UniqueConstraint("centre_id", "service_day"),)

    centre_id: Mapped[UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    service_day: Mapped[date] = mapped_column(Date)
    tickets: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
