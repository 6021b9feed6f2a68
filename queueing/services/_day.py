"""Closing a centre's day: unserved tickets expire with a history entry; the summary comes from the records."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hall.domain.errors import ConflictError, DomainRuleViolation
from hall.domain.people import Role
from queueing.domain.tickets import (
    TicketAction,
    TicketStatus,
)
from queueing.models import (
    DaySummaryModel,
    ServiceRecordModel,
    TicketModel,
    WindowSessionModel,
)
from queueing.ports import CentreInfo
from queueing.services._base import QueueBase


class DayMixin(QueueBase):
    """Closing a centre's day: unserved tickets expire with a history entry; the summary comes from the records."""

    # --- the day ----------------------------------------------------------------------------------------------------
    async def close_day_of(self, centre_code: str, day: date) -> dict[str, Any]:
        """Close a centre's day by hand (managers); the scheduler does it by itself after closing time."""
        centre = await self.directory.centre(centre_code)
        self._require_centre(centre, Role.ADMIN, Role.MANAGER)
        today = centre.local(self.clock.now()).date()
        if day > today:
            raise DomainRuleViolation("day", "a day in the future cannot be closed")
        if day == today and centre.is_open(self.clock.now()):
            raise ConflictError("day", "the centre is still open; close the day after its last session")
        return await self.close_day(centre, day)

    async def close_day(self, centre: CentreInfo, day: date) -> dict[str, Any]:
        """Expire the day's unserved tickets (history kept) and store the day's summary; idempotent.

        Tickets still being served are left to their window; a later run finishes the day.
        """
        now = self.clock.now()
        open_tickets = list(
            await self.session.scalars(
                select(TicketModel)
                .where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.service_day <= day,
                    TicketModel.status.in_(
                        [TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.PARKED.value]
                    ),
                )
                .with_for_update(skip_locked=True)
            )
        )
        for ticket in open_tickets:
            window_row = None
            if ticket.status == TicketStatus.CALLED.value:
                window_row = await self.session.scalar(
                    select(WindowSessionModel).where(
                        WindowSessionModel.current_ticket_id == ticket.id, WindowSessionModel.closed_at.is_(None)
                    )
                )
            before = self._move(ticket, TicketAction.EXPIRE)
            if window_row is not None:
                await self._release(window_row, now)
            await self._event(
                ticket, centre, TicketAction.EXPIRE, before, details={"reason": "unserved at day close"}, now=now
            )
        summary = await self._day_counts(centre, day)
        summary["expiredNow"] = len(open_tickets)
        row = await self.session.scalar(
            select(DaySummaryModel).where(DaySummaryModel.centre_id == centre.id, DaySummaryModel.service_day == day)
        )
        if row is None:
            self.session.add(DaySummaryModel(centre_id=centre.id, service_day=day, closed_at=now, counts=summary))
        else:  # a later run (a ticket was still in service) recomputes the derived summary
            row.closed_at, row.counts = now, summary
        return summary

    async def _day_counts(self, centre: CentreInfo, day: date) -> dict[str, Any]:
        """The day's figures, computed from the tickets and service records (never from counters)."""
        by_status = dict(
            (
                await self.session.execute(
                    select(TicketModel.status, func.count())
                    .where(TicketModel.centre_id == centre.id, TicketModel.service_day == day)
                    .group_by(TicketModel.status)
                )
            )
            .tuples()
            .all()
        )
        waits = (
            await self.session.execute(
                select(TicketModel.arrived_at, TicketModel.called_at).where(
                    TicketModel.centre_id == centre.id,
                    TicketModel.service_day == day,
                    TicketModel.called_at.is_not(None),
                )
            )
        ).all()
        minutes = sorted((called - arrived).total_seconds() / 60 for arrived, called in waits if called >= arrived)
        within = centre.promise.within_minutes
        outcomes = dict(
            (
                await self.session.execute(
                    select(ServiceRecordModel.outcome, func.count())
                    .where(
                        ServiceRecordModel.centre_id == centre.id,
                        ServiceRecordModel.started_at >= _day_start(centre, day),
                        ServiceRecordModel.started_at < _day_start(centre, day + timedelta(days=1)),
                    )
                    .group_by(ServiceRecordModel.outcome)
                )
            )
            .tuples()
            .all()
        )
        return {
            "tickets": sum(by_status.values()),
            "byStatus": by_status,
            "servedItems": sum(outcomes.values()),
            "outcomes": outcomes,
            "meanWaitMinutes": round(sum(minutes) / len(minutes), 2) if minutes else None,
            "p90WaitMinutes": round(minutes[int(0.9 * (len(minutes) - 1))], 2) if minutes else None,
            "shareWithinPromise": round(sum(m <= within for m in minutes) / len(minutes), 4) if minutes else None,
        }


def _day_start(centre: CentreInfo, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=centre.zone)
