"""The working-day calendar: holidays and make-up working days, one at a time or a year at once."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import schemas as s
from hall.domain.calendar import CalendarDay, DayKind, WorkingCalendar, national_years_missing
from hall.domain.errors import DomainRuleViolation, NotFoundError
from hall.domain.people import Role
from hall.models import (
    CalendarDayModel,
    CalendarModel,
    CentreCalendarDayModel,
    CentreModel,
)
from hall.services._base import BaseService, diff


async def centre_chain(session: AsyncSession, centre: CentreModel) -> list[CentreModel]:
    """The centre and the centres above it, the topmost first."""
    chain = [centre]
    while chain[0].parent_id is not None and len(chain) < 16:
        parent = await session.get(CentreModel, chain[0].parent_id)
        if parent is None:
            break
        chain.insert(0, parent)
    return chain


async def effective_days(session: AsyncSession, centre: CentreModel) -> dict[date, tuple[CalendarDay, str]]:
    """Return the centre's calendar entries by date, each with its source.

    The source is "national" or the code of the centre that set the local day. Local days of the centres above
    apply below them; the nearest centre's entry wins.
    """
    days: dict[date, tuple[CalendarDay, str]] = {}
    national = await session.scalars(select(CalendarDayModel).where(CalendarDayModel.calendar_id == centre.calendar_id))
    for national_day in national:
        days[national_day.on] = (
            CalendarDay(national_day.on, DayKind(national_day.kind), national_day.name),
            "national",
        )
    chain = await centre_chain(session, centre)
    codes = {c.id: c.code for c in chain}
    local = await session.scalars(
        select(CentreCalendarDayModel).where(CentreCalendarDayModel.centre_id.in_(list(codes)))
    )
    depth = {c.id: i for i, c in enumerate(chain)}
    for row in sorted(local, key=lambda r: depth[r.centre_id]):
        days[row.on] = (CalendarDay(row.on, DayKind(row.kind), row.name), codes[row.centre_id])
    return days


async def load_centre_calendar(session: AsyncSession, centre: CentreModel) -> WorkingCalendar:
    """The working-day calendar a centre runs on: the national one with the local days laid over it."""
    return WorkingCalendar.of(day for day, _ in (await effective_days(session, centre)).values())


async def load_calendar(session: AsyncSession, calendar_id: UUID) -> WorkingCalendar:
    rows = (await session.scalars(select(CalendarDayModel).where(CalendarDayModel.calendar_id == calendar_id))).all()
    return WorkingCalendar.of(CalendarDay(r.on, DayKind(r.kind), r.name) for r in rows)


async def years_missing(session: AsyncSession, calendar_id: UUID, today: date) -> tuple[int, ...]:
    """The years a national calendar should hold by ``today`` and holds no day of (``national_years_missing``)."""
    days = await session.scalars(
        select(CalendarDayModel.on).where(
            CalendarDayModel.calendar_id == calendar_id,
            CalendarDayModel.on >= date(today.year, 1, 1),
            CalendarDayModel.on <= date(today.year + 1, 12, 31),
        )
    )
    return national_years_missing(today, {on.year for on in days})


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

    async def years_missing(self, code: str, today: date) -> tuple[int, ...]:
        """The years the calendar ``code`` should hold by ``today`` and holds no day of (``national_years_missing``)."""
        return await years_missing(self.session, (await self._calendar(code)).id, today)

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


class CentreCalendarService(BaseService):
    """Local calendar days of a centre (a local holiday, a local make-up working day), kept by its managers."""

    async def effective(self, centre_code: str, year: int | None) -> s.CentreCalendarRead:
        centre = await self.centre_by_code(centre_code)
        days = await effective_days(self.session, centre)
        return s.CentreCalendarRead(
            centre_code=centre.code,
            days=[
                s.EffectiveCalendarDay(on=day.on, kind=day.kind, name=day.name, source=source)
                for on, (day, source) in sorted(days.items())
                if year is None or on.year == year
            ],
        )

    async def national_years_missing(self, centre_code: str, today: date) -> tuple[int, ...]:
        """The years the centre's national calendar should hold by ``today`` and holds no day of."""
        return await years_missing(self.session, (await self.centre_by_code(centre_code)).calendar_id, today)

    async def _local(self, centre: CentreModel, on: date) -> CentreCalendarDayModel | None:
        row: CentreCalendarDayModel | None = await self.session.scalar(
            select(CentreCalendarDayModel).where(
                CentreCalendarDayModel.centre_id == centre.id, CentreCalendarDayModel.on == on
            )
        )
        return row

    async def put_day(self, centre_code: str, day: s.CalendarDayWire) -> s.CentreCalendarRead:
        self.require_roles(Role.ADMIN, Role.MANAGER)
        centre = await self.centre_by_code(centre_code)
        _check_day(day)
        row = await self._local(centre, day.on)
        before = {"kind": row.kind, "name": row.name} if row else {}
        if row is None:
            self.session.add(CentreCalendarDayModel(centre_id=centre.id, on=day.on, kind=day.kind.value, name=day.name))
        else:
            row.kind, row.name = day.kind.value, day.name
        await self.flush()
        after = {"kind": day.kind.value, "name": day.name}
        key = f"{centre.code}:{day.on.isoformat()}"
        self.log("centre_calendar_day", key, "update" if before else "create", diff(before, after), centre_id=centre.id)
        return await self.effective(centre_code, day.on.year)

    async def delete_day(self, centre_code: str, on: date) -> s.CentreCalendarRead:
        self.require_roles(Role.ADMIN, Role.MANAGER)
        centre = await self.centre_by_code(centre_code)
        row = await self._local(centre, on)
        if row is None:
            raise NotFoundError("on", f"{on.isoformat()} is not a local day of {centre.code}")
        before = {"kind": row.kind, "name": row.name}
        await self.session.delete(row)
        await self.flush()
        self.log(
            "centre_calendar_day", f"{centre.code}:{on.isoformat()}", "delete", diff(before, {}), centre_id=centre.id
        )
        return await self.effective(centre_code, on.year)
