"""The working-day calendar: holidays and make-up working days, one at a time or a year at once."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar
from hall.domain.errors import DomainRuleViolation, NotFoundError
from hall.models import (
    CalendarDayModel,
    CalendarModel,
)
from hall.services._base import BaseService, diff


async def load_calendar(session: AsyncSession, calendar_id: UUID) -> WorkingCalendar:
    rows = (await session.scalars(select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar_id))).all()
    return WorkingCalendar.of(CalendarDay(r.on, DayKind(r.kind), r.name) for r in rows)


class CalendarService(BaseService):
    async def _calendar(self, code: str) -> CalendarModel:
        calendar = await self.session.scalar(select(CalendarModel).where(CalendarModel.code == code))
        if calendar is None:
            raise NotFoundError("calendarCode", f"no calendar with code {code!r}")
        return calendar

    async def get(self, code: str, year: int | None) -> s.CalendarRead:
        calendar = await self._calendar(code)
        statement = select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id)
        if year is not None:
            statement = statement.where(
                CalendarDayModel.on >= date(year, 1, 1), CalendarDayModel.on <= date(year, 12, 31)
            )
        rows = (await self.session.scalars(statement.order_by(CalendarDayModel.on))).all()
        return s.CalendarRead(
            code=calendar.code,
            name=calendar.name,
            days=[s.CalendarDayWire(on=r.on, kind=DayKind(r.kind), name=r.name) for r in rows],
        )

    async def put_day(self, code: str, day: s.CalendarDayWire) -> s.CalendarDayWire:
        calendar = await self._calendar(code)
        _check_day(day)
        row = await self.session.scalar(
            select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id, CalendarDayModel.on == day.on)
        )
        before = {"kind": row.kind, "name": row.name} if row else {}
        if row is None:
            row = CalendarDayModel(calendar_id=calendar.id, on=day.on, kind=day.kind.value, name=day.name)
            self.session.add(row)
        else:
            row.kind, row.name = day.kind.value, day.name
        await self.flush()
        after = {"kind": day.kind.value, "name": day.name}
        self.log("calendar_day", f"{code}:{day.on.isoformat()}", "update" if before else "create", diff(before, after))
        return day

    async def delete_day(self, code: str, on: date) -> None:
        calendar = await self._calendar(code)
        row = await self.session.scalar(
            select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar.id, CalendarDayModel.on == on)
        )
        if row is None:
            raise NotFoundError("on", f"{on.isoformat()} is not an entry of calendar {code}")
        self.log("calendar_day", f"{code}:{on.isoformat()}", "delete", diff({"kind": row.kind, "name": row.name}, {}))
        await self.session.delete(row)
        await self.flush()

    async def import_year(self, code: str, data: s.CalendarYearImport) -> s.CalendarRead:
        calendar = await self._calendar(code)
        seen: set[date] = set()
        for index, day in enumerate(data.days):
            if day.on.year != data.year:
                raise DomainRuleViolation(f"days[{index}].on", f"{day.on.isoformat()} is not in {data.year}")
            if day.on in seen:
                raise DomainRuleViolation(f"days[{index}].on", f"{day.on.isoformat()} is listed twice")
            seen.add(day.on)
            _check_day(day, f"days[{index}]")
        before = {d.on.isoformat(): [d.kind.value, d.name] for d in (await self.get(code, data.year)).days}
        await self.session.execute(
            delete(CalendarDayModel).where(
                CalendarDayModel.calendar_id == calendar.id,
                CalendarDayModel.on >= date(data.year, 1, 1),
                CalendarDayModel.on <= date(data.year, 12, 31),
            )
        )
        self.session.add_all(
            CalendarDayModel(calendar_id=calendar.id, on=d.on, kind=d.kind.value, name=d.name) for d in data.days
        )
        await self.flush()
        after = {d.on.isoformat(): [d.kind.value, d.name] for d in data.days}
        self.log("calendar", f"{code}:{data.year}", "import", diff(before, after))
        return await self.get(code, data.year)


def _check_day(day: s.CalendarDayWire, field: str = "") -> None:
    prefix = f"{field}." if field else ""
    weekend = day.on.weekday() >= 5
    if day.kind is DayKind.WORKDAY and not weekend:
        raise DomainRuleViolation(
            f"{prefix}kind", f"{day.on.isoformat()} is a weekday; only a weekend day can be a make-up workday"
        )
    if day.kind is DayKind.HOLIDAY and weekend and not day.name:
        raise DomainRuleViolation(f"{prefix}name", "a weekend holiday entry needs the holiday's name")
