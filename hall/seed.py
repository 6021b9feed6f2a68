"""Seed the demo centre through the same services (and so the same validation and change log) as the API.

Idempotent: every record is looked up by its code first and created only when missing, so a second run
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import demo
from hall import schemas as s
from hall.domain.access import Principal
from hall.domain.calendar import DayKind
from hall.domain.catalogue import ServiceDomain
from hall.domain.centres import CentreLevel
from hall.domain.people import EmploymentType, Role
from hall.domain.windows import WindowType
from hall.models import (
    CalendarDayModel,
    CalendarModel,
    CentreItemModel,
    CentreModel,
    DepartmentModel,
    DeviceModel,
    ServiceItemModel,
    StaffModel,
    UserModel,
    WindowModel,
)
from hall.security import hash_token
from hall.services import (
    CalendarService,
    CatalogueService,
    CentreService,
    DeviceService,
    StaffService,
    UserService,
    WindowService,
)

SEED_PRINCIPAL = Principal(role=Role.ADMIN, name="seed:demo", centre_scope=None)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.created.values())


async def ensure_national_calendar(session: AsyncSession) -> CalendarModel:
    """Return the national working-day calendar ``CN``, creating it if this installation has none yet."""
    calendar = await session.scalar(select(CalendarModel).where(CalendarModel.code == "CN"))
    if calendar is None:
        calendar = CalendarModel(code="CN", name="全国法定节假日与调休")
        session.add(calendar)
        await session.flush()
    return calendar


async def seed_demo(session: AsyncSession) -> SeedReport:
    report = SeedReport()
    p = SEED_PRINCIPAL
    calendar = await ensure_national_calendar(session)
    if not await session.scalar(
        select(CalendarDayModel.id).where(
            CalendarDayModel.calendar_id == calendar.id, CalendarDayModel.on == demo.HOLIDAYS_2026[0][0]
        )
    ):
        days = [s.CalendarDayWire(on=on, kind=DayKind(kind), name=name) for on, kind, name in demo.HOLIDAYS_2026]
        await CalendarService(session, p).import_year("CN", s.CalendarYearImport(year=2026, days=days))
        report.add("calendar days", len(days))

    catalogue = CatalogueService(session, p)
    have = set((await session.scalars(select(DepartmentModel.code))).all())
    for code, zh, en in demo.DEPARTMENTS:
        if code not in have:
            await catalogue.create_department(s.DepartmentCreate(code=code, name_zh=zh, name_en=en))
            report.add("departments")
    have = set((await session.scalars(select(ServiceItemModel.code))).all())
    for code, zh, en, dept, domain, minutes, statutory, committed, instant, min_level, appt, conditional in demo.ITEMS:
        if code in have:
            continue
        await catalogue.create_item(
            s.ServiceItemCreate(
                code=code,
                name_zh=zh,
                name_en=en,
                department_code=dept,
                domain=ServiceDomain(domain),
                standard_minutes=minutes,
                statutory_limit_days=statutory,
                committed_limit_days=committed,
                is_instant=instant,
                min_skill_level=min_level,
                allows_appointment=appt,
                allows_conditional_acceptance=conditional,
            )
        )
        report.add("catalogue items")

    centres = CentreService(session, p)
    for centre_code, centre_zh, centre_en, level, parent, address in demo.CENTRES:
        if await session.scalar(select(CentreModel.id).where(CentreModel.code == centre_code)):
            continue
        sessions = demo.COUNTY_SESSIONS if level == "county" else demo.TOWNSHIP_SESSIONS
        await centres.create(
            s.CentreCreate(
                code=centre_code,
                name_zh=centre_zh,
                name_en=centre_en,
                level=CentreLevel(level),
                parent_code=parent,
                address=address,
                sessions=[s.OpeningSessionWire(weekday=d, opens_at=a, closes_at=b) for d, a, b in sessions],
            )
        )
        report.add("centres")
    for offer_centre, item_codes in (
        (demo.COUNTY, [i[0] for i in demo.ITEMS]),
        *((t, demo.TOWNSHIP_ITEMS) for t in demo.TOWNSHIPS),
    ):
        centre = await centres.centre_by_code(offer_centre)
        if not await session.scalar(select(CentreItemModel.id).where(CentreItemModel.centre_id == centre.id).limit(1)):
            await centres.replace_offered_items(
                offer_centre, s.OfferedItemsReplace(items=[s.OfferedItem(item_code=c) for c in item_codes])
            )
            report.add("offered items", len(item_codes))

    windows = WindowService(session, p)
    for window_centre, layout in (
        (demo.COUNTY, demo.COUNTY_WINDOWS),
        *((t, demo.TOWNSHIP_WINDOWS) for t in demo.TOWNSHIPS),
    ):
        centre = await centres.centre_by_code(window_centre)
        have_numbers = set(
            (await session.scalars(select(WindowModel.number).where(WindowModel.centre_id == centre.id))).all()
        )
        for number, type_, label, domains, items in layout:
            if number in have_numbers:
                continue
            await windows.create(
                window_centre,
                s.WindowCreate(
                    number=number,
                    type=WindowType(type_),
                    label=label,
                    domains=[ServiceDomain(d) for d in domains],
                    item_codes=items,
                ),
            )
            report.add("windows")

    staff = StaffService(session, p)
    have = set((await session.scalars(select(StaffModel.employee_no))).all())
    for staff_centre, employee_no, name, skill_level, employment, domains, certified_on in demo.STAFF:
        if employee_no in have:
            continue
        await staff.create(
            s.StaffCreate(
                employee_no=employee_no,
                name=name,
                centre_code=staff_centre,
                skill_level=skill_level,
                employment_type=EmploymentType(employment),
                certified_on=certified_on,
                cert_body=demo.CERT_BODY if certified_on else "",
                qualified_domains=[ServiceDomain(d) for d in domains],
            )
        )
        report.add("staff")

    users = UserService(session, p)
    have = set((await session.scalars(select(UserModel.username))).all())
    for username, display, role, user_centre, staff_no in demo.USERS:
        if username in have:
            continue
        await users.create(
            s.UserCreate(
                username=username,
                display_name=display,
                password=demo.DEMO_PASSWORD,
                role=Role(role),
                centre_code=user_centre,
                staff_employee_no=staff_no,
            )
        )
        report.add("users")

    county = await centres.centre_by_code(demo.COUNTY)
    for token, kind, name in (
        (demo.DEMO_KIOSK_TOKEN, Role.KIOSK, "大厅入口取号机 1"),
        (demo.DEMO_DISPLAY_TOKEN, Role.DISPLAY, "大厅叫号大屏"),
    ):
        if await session.scalar(select(DeviceModel.id).where(DeviceModel.token_hash == hash_token(token))):
            continue
        session.add(
            DeviceModel(
                centre_id=county.id,
                kind=kind.value,
                name=name,
                token_hash=hash_token(token),
                token_hint=token[-4:],
                created_by=p.name,
            )
        )
        DeviceService(session, p).log("device", name, "create", {"kind": kind.value, "name": name}, centre_id=county.id)
        report.add("devices")
    await session.flush()
    return report


def demo_logins() -> list[tuple[str, str, str]]:
    """Return (who, username, password) rows for the README and the `make demo` banner."""
    return [(display, username, demo.DEMO_PASSWORD) for username, display, _, _, _ in demo.USERS]
