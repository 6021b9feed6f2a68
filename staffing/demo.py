"""A demo month for the staffing shell: a plausible month of work at the demo county centre, seeded and repeatable.

``python -m staffing.demo --month 2026-10`` (on the configured database, after ``hall seed demo``) fills one month
so that it can be assessed and paid end to end:

* **visits** (tickets, items, history, ``is_synthetic`` service records) and **window sessions**, unless the month
  already has service records at the centre (e.g. synthetic history from the planning twin): then those are used
  and only missing sessions are added around them;
* **ratings** (一次一评) for about half the visits, pad and phone, mostly 好评 with a few 差评 that go through the
  work-order workflow (verified and classified, rectified, replied, closed) on their real dates;
* **finished dates** of committed cases (98 % on time, 1.5 % late, 0.5 % still open);
* **manager entries**: late arrivals, an absence, an error, a bonus for Saturday service, a paid leave;
* a **pay rule** for the county centre (demo amounts, not a recommendation).

One staff member (SFX006) taps the pad at once after most services, so the quick-rating integrity check has
something to show. Everything is marked: tickets on channel ``synthetic``, service records ``is_synthetic``,
entries and ratings entered by ``seed:demo-month``. Idempotent per centre-month: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from hall.domain.access import Principal
from hall.domain.people import Role
from hall.lib.clock import FixedClock
from hall.models import CentreItemModel, DeviceModel, ServiceItemModel, StaffModel, WindowModel
from queueing.models import (
    ServiceRecordModel,
    TicketEventModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
    WindowStateEventModel,
)
from staffing import schemas as s
from staffing.adapters import SqlStaffingSources
from staffing.codec import encode
from staffing.domain.negative_cases import Classification, NegativeCaseStatus
from staffing.domain.pay import PayRule
from staffing.domain.periods import Month
from staffing.domain.ratings import NegativeReason, RatingChannel, RatingDimension, RatingLevel, RatingOrigin
from staffing.models import (
    AssessmentEntryModel,
    CaseCompletionModel,
    RatingModel,
    RuleSetModel,
    StaffingEventModel,
)
from staffing.ports import CentreFacts
from staffing.services import NegativeCaseService, RatingService

ACTOR = "seed:demo-month"
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SEED_PRINCIPAL = Principal(role=Role.ADMIN, name=ACTOR, centre_scope=None)
MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 0))
QUICK_TAPPER = "SFX006"
ON_LEAVE = "SFX004"  # three days of paid leave in the month
DEMO_PAY_AMOUNTS = {5: "2600.00", 4: "3000.00", 3: "3450.00", 2: "3900.00", 1: "4400.00"}


@dataclass
class DemoReport:
    month: str
    centre_code: str
    visits: int = 0
    service_records: int = 0
    sessions: int = 0
    ratings: int = 0
    negative_cases: int = 0
    completions: int = 0
    entries: int = 0
    pay_rule: bool = False
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Item:
    id: UUID
    code: str
    domain: str
    standard_minutes: float
    is_instant: bool
    committed_limit_days: int | None
    allows_conditional: bool
    min_level: int


def demo_pay_rule(code: str, version: int) -> PayRule:
    """The demo pay rule: level pay by L5…L1, post allowance 200, performance base 800, 20 yuan per late arrival."""
    from hall.domain.skills import SkillLevel
    from staffing.domain.assessment import AttendanceEventKind

    return PayRule(
        code=code,
        version=version,
        level_pay_amounts={SkillLevel(k): Decimal(v) for k, v in DEMO_PAY_AMOUNTS.items()},
        post_allowance_amount=Decimal("200.00"),
        performance_base_amount=Decimal("800.00"),
        attendance_deduction_amounts={
            AttendanceEventKind.LATE: Decimal("20.00"),
            AttendanceEventKind.EARLY_LEAVE: Decimal("20.00"),
            AttendanceEventKind.ABSENCE: Decimal("25.00"),
        },
    )


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


class DemoMonth:
    """Seeds one centre-month; every random choice comes from one ``random.Random(seed)``."""

    def __init__(self, session: AsyncSession, centre_code: str, month: Month, seed: int) -> None:
        self.session = session
        self.centre_code = centre_code
        self.month = month
        self.rng = random.Random(f"{seed}:{centre_code}:{month}")  # noqa: S311 - demo data, not security
        self.sources = SqlStaffingSources(session)
        self.report = DemoReport(month=str(month), centre_code=centre_code)

    async def run(self, *, today: date) -> DemoReport:
        centre = await self.sources.centre(self.centre_code)
        zone = centre.zone
        start = datetime.combine(self.month.first_day, time.min, tzinfo=zone)
        end = datetime.combine(self.month.shifted(1).first_day, time.min, tzinfo=zone)
        if await self.session.scalar(
            select(func.count())
            .select_from(RatingModel)
            .where(RatingModel.centre_id == centre.id, RatingModel.served_at >= start, RatingModel.served_at < end)
        ):
            self.report.skipped.append("ratings already present: the month was seeded before")
            return self.report
        existing = await self.session.scalar(
            select(func.count())
            .select_from(ServiceRecordModel)
            .where(
                ServiceRecordModel.centre_id == centre.id,
                ServiceRecordModel.ended_at >= start,
                ServiceRecordModel.ended_at < end,
            )
        )
        staff = list(
            await self.session.scalars(
                select(StaffModel)
                .where(StaffModel.centre_id == centre.id, StaffModel.is_active.is_(True))
                .order_by(StaffModel.employee_no)
            )
        )
        if existing:
            self.report.skipped.append(f"{existing} service records already in {self.month}: visits not generated")
            await self._sessions_around_records(centre, staff, start, end)
        else:
            await self._visits(centre, staff, today)
        await self.session.flush()
        await self._ratings(centre, start, end, today)
        await self._completions(centre, staff, today)
        await self._entries(centre, staff, today)
        await self._pay_rule(centre)
        await self.session.flush()
        return self.report

    # --- visits -----------------------------------------------------------------------------------------------
    async def _items(self, centre: CentreFacts) -> list[_Item]:
        rows = await self.session.scalars(
            select(ServiceItemModel)
            .join(CentreItemModel, CentreItemModel.item_id == ServiceItemModel.id)
            .where(CentreItemModel.centre_id == centre.id, ServiceItemModel.is_active.is_(True))
            .order_by(ServiceItemModel.code)
        )
        return [
            _Item(
                id=r.id,
                code=r.code,
                domain=r.domain,
                standard_minutes=r.standard_minutes,
                is_instant=r.is_instant,
                committed_limit_days=r.committed_limit_days,
                allows_conditional=r.allows_conditional_acceptance,
                min_level=r.min_skill_level,
            )
            for r in rows
        ]

    async def _assign_windows(
        self, centre: CentreFacts, staff: Sequence[StaffModel]
    ) -> dict[UUID, tuple[WindowModel, list[tuple[time, time]]]]:
        windows = list(
            await self.session.scalars(
                select(WindowModel).where(WindowModel.centre_id == centre.id).order_by(WindowModel.number)
            )
        )
        taken: defaultdict[UUID, list[StaffModel]] = defaultdict(list)
        for member in staff:
            domains = set(member.qualified_domains)
            fitting = [
                w
                for w in windows
                if w.type not in {"guide_desk", "result_pickup"} and (not w.domains or domains & set(w.domains))
            ] or [w for w in windows if w.type == "guide_desk"]
            choice = min(fitting, key=lambda w: (len(taken[w.id]), bool(not w.domains), w.number), default=None)
            if choice is not None and len(taken[choice.id]) < 2:
                taken[choice.id].append(member)
        assignment: dict[UUID, tuple[WindowModel, list[tuple[time, time]]]] = {}
        by_id = {w.id: w for w in windows}
        for window_id, members in taken.items():
            if len(members) == 1:
                assignment[members[0].id] = (by_id[window_id], [MORNING, AFTERNOON])
            else:
                assignment[members[0].id] = (by_id[window_id], [MORNING])
                assignment[members[1].id] = (by_id[window_id], [AFTERNOON])
        return assignment

    async def _visits(self, centre: CentreFacts, staff: Sequence[StaffModel], today: date) -> None:
        items = await self._items(centre)
        assignment = await self._assign_windows(centre, staff)
        speed = {m.id: self.rng.uniform(0.85, 1.25) for m in staff}
        level_factor = {5: 1.1, 4: 1.0, 3: 0.9, 2: 0.8, 1: 0.7}
        tickets: list[dict[str, Any]] = []
        ticket_items: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        sessions: list[dict[str, Any]] = []
        state_events: list[dict[str, Any]] = []
        day = self.month.first_day
        absent = {m.id for m in staff if m.employee_no == ON_LEAVE}
        leave_days = self._leave_days(centre)
        while day <= self.month.last_day and day < today:  # the past only
            if not centre.calendar.is_working_day(day):
                day += timedelta(days=1)
                continue
            sequence = 0
            for member in staff:
                if member.id not in assignment:
                    continue
                if (member.id in absent and day in leave_days) or self.rng.random() < 0.03:  # leave, sick
                    continue
                window, slots = assignment[member.id]
                menu = [
                    i
                    for i in items
                    if (i.domain in member.qualified_domains or i.code in member.qualified_items)
                    and member.skill_level <= i.min_level
                ]
                if not menu:
                    continue
                for opens, closes in slots:
                    slot_start = datetime.combine(day, opens, tzinfo=centre.zone)
                    slot_end = datetime.combine(day, closes, tzinfo=centre.zone)
                    session_id = uuid7()
                    sessions.append(
                        {
                            "id": session_id,
                            "centre_id": centre.id,
                            "window_id": window.id,
                            "staff_id": member.id,
                            "skill_level": member.skill_level,
                            "opened_at": slot_start - timedelta(minutes=self.rng.randint(2, 8)),
                            "closed_at": slot_end + timedelta(minutes=self.rng.randint(0, 6)),
                            "state": "signed_out",
                            "state_since": slot_end,
                            "priority_calls_in_row": 0,
                        }
                    )
                    state_events += [
                        {
                            "session_id": session_id,
                            "centre_id": centre.id,
                            "window_id": window.id,
                            "staff_id": member.id,
                            "at": sessions[-1]["opened_at"],
                            "from_state": None,
                            "to_state": "idle",
                            "reason": "",
                        },
                        {
                            "session_id": session_id,
                            "centre_id": centre.id,
                            "window_id": window.id,
                            "staff_id": member.id,
                            "at": sessions[-1]["closed_at"],
                            "from_state": "idle",
                            "to_state": "signed_out",
                            "reason": "",
                        },
                    ]
                    cursor = slot_start + timedelta(minutes=self.rng.uniform(1, 6))
                    while True:
                        chosen = [self.rng.choices(menu, weights=[1 / i.standard_minutes for i in menu])[0]]
                        if self.rng.random() < 0.08:
                            second = self.rng.choice(menu)
                            if second.code != chosen[0].code:
                                chosen.append(second)
                        minutes = (
                            sum(
                                _lognormal(self.rng, i.standard_minutes * level_factor[member.skill_level], 0.45)
                                for i in chosen
                            )
                            * speed[member.id]
                        )
                        called = cursor
                        started = called + timedelta(seconds=self.rng.randint(20, 120))
                        ended = started + timedelta(minutes=max(minutes, 1.0))
                        if ended > slot_end:
                            break
                        sequence += 1
                        ticket_id = uuid7()
                        arrived = called - timedelta(minutes=self.rng.uniform(1, 25))
                        tickets.append(
                            {
                                "id": ticket_id,
                                "centre_id": centre.id,
                                "service_day": day,
                                "prefix": "Z",
                                "sequence": sequence,
                                "number": f"Z{sequence:03d}",
                                "public_code": "".join(self.rng.choices(CODE_ALPHABET, k=16)),
                                "status": "completed",
                                "channel": "synthetic",
                                "arrived_at": arrived,
                                "called_at": called,
                                "started_at": started,
                                "ended_at": ended,
                                "window_id": window.id,
                                "staff_id": member.id,
                                "recalls": 0,
                            }
                        )
                        events += [
                            _event(ticket_id, centre.id, arrived, "issue", None, "waiting", None),
                            _event(ticket_id, centre.id, called, "call", "waiting", "called", window.id),
                            _event(ticket_id, centre.id, started, "start", "called", "serving", window.id),
                            _event(ticket_id, centre.id, ended, "complete", "serving", "completed", window.id),
                        ]
                        total = sum(i.standard_minutes for i in chosen)
                        part_start = started
                        for position, item in enumerate(chosen):
                            item_row_id = uuid7()
                            ticket_items.append(
                                {
                                    "id": item_row_id,
                                    "ticket_id": ticket_id,
                                    "item_id": item.id,
                                    "item_code": item.code,
                                    "position": position,
                                    "is_active": False,
                                }
                            )
                            part_end = part_start + (ended - started) * (item.standard_minutes / total)
                            outcome, due_on = self._outcome(centre, item, day)
                            records.append(
                                {
                                    "id": uuid7(),
                                    "centre_id": centre.id,
                                    "ticket_id": ticket_id,
                                    "ticket_item_id": item_row_id,
                                    "item_code": item.code,
                                    "domain": item.domain,
                                    "window_id": window.id,
                                    "staff_id": member.id,
                                    "skill_level": member.skill_level,
                                    "arrived_at": arrived,
                                    "called_at": called,
                                    "started_at": part_start,
                                    "ended_at": part_end,
                                    "items_in_visit": len(chosen),
                                    "outcome": outcome,
                                    "outcome_details": {},
                                    "due_on": due_on,
                                    "supplement_due_on": None,
                                    "is_synthetic": True,
                                    "corrects_id": None,
                                    "note": "",
                                }
                            )
                            part_start = part_end
                        cursor = ended + timedelta(minutes=_lognormal(self.rng, 3.0, 0.8))
            day += timedelta(days=1)
        for table, rows in (
            (TicketModel, tickets),
            (TicketItemModel, ticket_items),
            (TicketEventModel, events),
            (WindowSessionModel, sessions),
            (WindowStateEventModel, state_events),
            (ServiceRecordModel, records),
        ):
            for chunk in range(0, len(rows), 2000):
                await self.session.execute(insert(table), rows[chunk : chunk + 2000])
        self.report.visits = len(tickets)
        self.report.service_records = len(records)
        self.report.sessions = len(sessions)

    def _working_days(self, centre: CentreFacts) -> list[date]:
        days = (self.month.first_day + timedelta(days=i) for i in range(31))
        return [d for d in days if d.month == self.month.month and centre.calendar.is_working_day(d)]

    def _leave_days(self, centre: CentreFacts) -> set[date]:
        """The three working days of the demo paid leave (from the month's fourth working day)."""
        working = self._working_days(centre)
        return set(working[3:6])

    def _outcome(self, centre: CentreFacts, item: _Item, day: date) -> tuple[str, date | None]:
        roll = self.rng.random()
        if item.is_instant or item.committed_limit_days is None:
            return ("consultation" if roll < 0.1 else "instant"), None
        if roll < 0.12:
            return "returned_with_notice", None
        if roll < 0.15:
            return "rejected", None
        outcome = "conditional" if item.allows_conditional and roll < 0.25 else "committed"
        return outcome, centre.calendar.add_working_days(day, item.committed_limit_days)

    async def _sessions_around_records(
        self, centre: CentreFacts, staff: Sequence[StaffModel], start: datetime, end: datetime
    ) -> None:
        """Add a closed session per staff-day that has service records but no signed-in time (twin history)."""
        ids = [m.id for m in staff]
        covered = {
            (r.staff_id, r.opened_at.astimezone(centre.zone).date())
            for r in await self.session.scalars(
                select(WindowSessionModel).where(
                    WindowSessionModel.staff_id.in_(ids),
                    WindowSessionModel.opened_at >= start,
                    WindowSessionModel.opened_at < end,
                )
            )
        }
        spans: dict[tuple[UUID, date], list[Any]] = defaultdict(list)
        for record in await self.session.scalars(
            select(ServiceRecordModel).where(
                ServiceRecordModel.staff_id.in_(ids),
                ServiceRecordModel.ended_at >= start,
                ServiceRecordModel.ended_at < end,
            )
        ):
            spans[(record.staff_id, record.called_at.astimezone(centre.zone).date())].append(record)
        levels = {m.id: m.skill_level for m in staff}
        rows = []
        for (staff_id, day), records in spans.items():
            if (staff_id, day) in covered:
                continue
            rows.append(
                {
                    "id": uuid7(),
                    "centre_id": centre.id,
                    "window_id": records[0].window_id,
                    "staff_id": staff_id,
                    "skill_level": levels[staff_id],
                    "opened_at": min(r.called_at for r in records) - timedelta(minutes=5),
                    "closed_at": max(r.ended_at for r in records) + timedelta(minutes=5),
                    "state": "signed_out",
                    "state_since": max(r.ended_at for r in records) + timedelta(minutes=5),
                    "priority_calls_in_row": 0,
                }
            )
        if rows:
            await self.session.execute(insert(WindowSessionModel), rows)
        self.report.sessions = len(rows)

    # --- ratings and 差评 ----------------------------------------------------------------------------------
    async def _ratings(self, centre: CentreFacts, start: datetime, end: datetime, today: date) -> None:
        contacts = await self.sources.contacts_ended(centre.id, start, end)
        staff_nos = dict((await self.session.execute(select(StaffModel.id, StaffModel.employee_no))).tuples().all())
        pad = await self.session.scalar(
            select(DeviceModel.id).where(DeviceModel.centre_id == centre.id, DeviceModel.kind == "kiosk").limit(1)
        )
        taste: dict[UUID, tuple[float, float, float]] = {}
        rows: list[dict[str, Any]] = []
        negatives: list[dict[str, Any]] = []
        for contact in sorted(contacts, key=lambda c: (c.ended_at or start, c.number)):
            if contact.staff_id is None or contact.ended_at is None or contact.window_id is None:
                continue
            if self.rng.random() > 0.55:
                continue  # left unrated: defaulted after the rating period, if the rule is on
            very, good, bad = taste.setdefault(
                contact.staff_id,
                (self.rng.uniform(0.55, 0.85), self.rng.uniform(0.08, 0.25), self.rng.uniform(0.002, 0.02)),
            )
            roll = self.rng.random()
            if roll < bad:
                level = RatingLevel.DISSATISFIED if self.rng.random() < 0.6 else RatingLevel.VERY_DISSATISFIED
            elif roll < bad + very:
                level = RatingLevel.VERY_SATISFIED
            elif roll < bad + very + good:
                level = RatingLevel.SATISFIED
            else:
                level = RatingLevel.BASICALLY_SATISFIED
            quick = staff_nos.get(contact.staff_id) == QUICK_TAPPER and self.rng.random() < 0.8
            channel = RatingChannel.PAD if quick or self.rng.random() < 0.7 else RatingChannel.QR
            delay = (
                timedelta(seconds=self.rng.uniform(0.4, 1.8))
                if quick
                else timedelta(seconds=self.rng.uniform(4, 60))
                if channel is RatingChannel.PAD
                else timedelta(minutes=self.rng.uniform(2, 600))
            )
            row = {
                "id": uuid7(),
                "centre_id": centre.id,
                "ticket_id": contact.ticket_id,
                "staff_id": contact.staff_id,
                "window_id": contact.window_id,
                "item_codes": list(contact.item_codes),
                "service_record_ids": [str(r) for r in contact.record_ids],
                "level": int(level),
                "dimension_levels": {
                    RatingDimension.OVERALL.value: int(level),
                    RatingDimension.EFFICIENCY.value: int(level),
                    RatingDimension.COMPETENCE.value: int(level),
                    RatingDimension.ATTITUDE.value: int(level),
                },
                "reasons": [],
                "comment": "",
                "channel": channel.value,
                "origin": RatingOrigin.ACTIVE.value,
                "is_named": False,
                "callback_phone": None,
                "device_id": pad if channel is RatingChannel.PAD else None,
                "entered_by": "device:评价器" if channel is RatingChannel.PAD else "anonymous",
                "served_at": contact.ended_at,
                "rated_at": contact.ended_at + delay,
            }
            if level.is_negative:
                reasons = self.rng.sample(list(NegativeReason), k=self.rng.randint(1, 2))
                row["reasons"] = [r.value for r in reasons]
                row["comment"] = (
                    "等候时间太长，窗口解释不清楚" if NegativeReason.LONG_WAIT in reasons else "办理过程不满意"
                )
                row["is_named"] = self.rng.random() < 0.5
                row["callback_phone"] = f"139{self.rng.randint(10_000_000, 99_999_999)}" if row["is_named"] else None
                negatives.append(row)
            rows.append(row)
        for chunk in range(0, len(rows), 2000):
            await self.session.execute(insert(RatingModel), rows[chunk : chunk + 2000])
        await self.session.execute(
            insert(StaffingEventModel),
            [
                {
                    "entity": "rating",
                    "entity_id": r["id"],
                    "centre_id": centre.id,
                    "staff_id": r["staff_id"],
                    "month": str(self.month),
                    "at": r["rated_at"],
                    "action": "submit",
                    "from_status": None,
                    "to_status": None,
                    "actor": r["entered_by"],
                    "details": {"level": r["level"], "channel": r["channel"]},
                }
                for r in rows
            ],
        )
        self.report.ratings = len(rows)
        for row in negatives:
            await self._work_order(centre, row, today)

    async def _work_order(self, centre: CentreFacts, row: dict[str, Any], today: date) -> None:
        """Open the 差评's work order on its day and move it through the workflow on working days after."""
        rating = await self.session.get(RatingModel, row["id"])
        assert rating is not None
        opened = centre.local(rating.rated_at)
        clock = FixedClock(opened)
        ratings = RatingService(self.session, SEED_PRINCIPAL, self.sources, clock)
        from staffing.services._convert import rating_to_domain

        rules = await ratings.rating_rules_for(centre, self.month)
        case_row = await ratings.open_case(centre, rating, rating_to_domain(rating), rules)
        self.report.negative_cases += 1
        roll = self.rng.random()
        classification = (
            Classification.VALID
            if roll < 0.6
            else Classification.MISTAKEN
            if roll < 0.8
            else Classification.MALICIOUS
            if roll < 0.9
            else Classification.NOT_SERVICE_RELATED
        )
        day = opened.date()
        steps: list[tuple[NegativeCaseStatus, dict[str, Any]]] = [
            (
                NegativeCaseStatus.VERIFIED,
                {"classification": classification, "has_callback": True, "note": "已电话回访核实"},
            ),
        ]
        if classification is Classification.VALID:
            steps += [
                (NegativeCaseStatus.RECTIFYING, {"note": "窗口整改：一次性告知清单张贴"}),
                (NegativeCaseStatus.REPLIED, {"note": "已向评价人反馈整改情况", "has_callback": True}),
                (NegativeCaseStatus.CLOSED, {"note": "办结"}),
            ]
        else:
            steps.append((NegativeCaseStatus.CLOSED, {"note": "经核实不计入", "has_callback": True}))
        for to, options in steps:
            day = centre.calendar.add_working_days(day, 1)
            if day > today:
                break
            clock.set(datetime.combine(day, time(10, 0), tzinfo=centre.zone))
            cases = NegativeCaseService(self.session, SEED_PRINCIPAL, self.sources, clock)
            await cases.move(case_row.id, s.MoveNegativeCase(to=to, **options))

    # --- completions, entries, pay rule ----------------------------------------------------------------------
    async def _completions(self, centre: CentreFacts, staff: Sequence[StaffModel], today: date) -> None:
        records = await self.sources.committed_records(
            [m.id for m in staff], self.month.first_day, self.month.shifted(2).last_day
        )
        done = set(
            await self.session.scalars(
                select(CaseCompletionModel.service_record_id).where(
                    CaseCompletionModel.service_record_id.in_([r.id for r in records])
                )
            )
        )
        rows = []
        for record in records:
            if record.id in done or record.due_on is None:
                continue
            accepted = centre.local(record.ended_at).date()
            roll = self.rng.random()
            if roll < 0.005:
                continue  # still open
            if roll < 0.02:
                finished = centre.calendar.add_working_days(record.due_on, self.rng.randint(1, 3))
            else:
                earliest = centre.calendar.working_days_between(accepted, record.due_on)
                finished = centre.calendar.add_working_days(accepted, self.rng.randint(0, max(earliest, 0)))
            if finished > today or finished < accepted:
                continue
            rows.append(
                {
                    "id": uuid7(),
                    "centre_id": centre.id,
                    "service_record_id": record.id,
                    "staff_id": record.staff_id,
                    "finished_on": finished,
                    "note": "",
                    "entered_by": ACTOR,
                }
            )
        if rows:
            await self.session.execute(insert(CaseCompletionModel), rows)
        self.report.completions = len(rows)

    async def _entries(self, centre: CentreFacts, staff: Sequence[StaffModel], today: date) -> None:
        by_no = {m.employee_no: m for m in staff}
        working = self._working_days(centre)
        if len(working) < 10:
            return
        saturday = next((d for d in working if d.weekday() == 5), None)
        plan: list[tuple[str, str, str, date, dict[str, Any], str]] = [
            (
                ON_LEAVE,
                "leave",
                "paid_leave",
                working[min(3, len(working) - 1)],
                {"days": 3},
                "年休假，已批准（请假单 2026-117）",
            ),
            ("SFX008", "attendance", "late", working[1], {}, "考勤机记录 09:14 到岗，迟到 14 分钟"),
            ("SFX008", "attendance", "late", working[6 % len(working)], {}, "考勤机记录 09:09 到岗"),
            (
                "SFX019",
                "attendance",
                "absence",
                working[9 % len(working)],
                {"half_days": 1},
                "下午未到岗且未请假，旷工半天",
            ),
            (
                "SFX015",
                "quality",
                "error",
                working[4 % len(working)],
                {},
                "税务登记信息录入差错，已更正（工单 GD-1031）",
            ),
            ("SFX011", "attendance", "uniform", working[2], {}, "明查暗访：未佩戴工牌"),
        ]
        if saturday is not None:
            plan.append(
                ("SFX002", "bonus", "extended_service", saturday, {"points": Decimal("2.00")}, "调休日（周六）延时服务")
            )
        rows = []
        for employee_no, category, kind, on, extra, evidence in plan:
            member = by_no.get(employee_no)
            if member is None or on >= today:
                continue
            rows.append(
                AssessmentEntryModel(
                    centre_id=centre.id,
                    staff_id=member.id,
                    category=category,
                    kind=kind,
                    on=on,
                    half_days=int(extra.get("half_days", 1)),
                    days=int(extra.get("days", 1)),
                    points=extra.get("points"),
                    evidence=evidence,
                    status="active",
                    entered_by=ACTOR,
                )
            )
        self.session.add_all(rows)
        await self.session.flush()
        for row in rows:
            self.session.add(
                StaffingEventModel(
                    entity="assessment_entry",
                    entity_id=row.id,
                    centre_id=centre.id,
                    staff_id=row.staff_id,
                    month=str(self.month),
                    at=datetime.combine(row.on, time(17, 30), tzinfo=centre.zone),
                    action="record",
                    from_status=None,
                    to_status="active",
                    actor=ACTOR,
                    details={"category": row.category, "kind": row.kind, "evidence": row.evidence},
                )
            )
        self.report.entries = len(rows)

    async def _pay_rule(self, centre: CentreFacts) -> None:
        if await self.session.scalar(
            select(RuleSetModel.id).where(RuleSetModel.centre_id == centre.id, RuleSetModel.kind == "pay_rule")
        ):
            return
        rule = demo_pay_rule(centre.code, 1)
        self.session.add(
            RuleSetModel(
                centre_id=centre.id,
                kind="pay_rule",
                code=centre.code,
                version=1,
                effective_from=f"{self.month.year:04d}-01",
                body=encode(rule),
                note="示范数据：演示用金额，不是建议标准 (demo amounts, not a recommendation)",
                published_by=ACTOR,
            )
        )
        self.report.pay_rule = True


def _event(
    ticket_id: UUID, centre_id: UUID, at: datetime, action: str, before: str | None, after: str, window: UUID | None
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "centre_id": centre_id,
        "at": at,
        "action": action,
        "from_status": before,
        "to_status": after,
        "actor": ACTOR,
        "window_id": window,
        "details": {"synthetic": True},
    }


async def seed_demo_month(
    session: AsyncSession, *, centre_code: str = "SFX", month: Month, today: date, seed: int = 20261031
) -> DemoReport:
    """Seed one centre-month of demo work (see the module docstring); idempotent."""
    return await DemoMonth(session, centre_code, month, seed).run(today=today)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed a demo month of staffing facts (after `hall seed demo`).")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--centre", default="SFX")
    parser.add_argument("--seed", type=int, default=20261031)
    args = parser.parse_args(argv)
    from hall.db.engine import make_engine, make_session_maker
    from hall.settings import get_settings
    from staffing.services import parse_month

    settings = get_settings()

    async def run() -> DemoReport:
        engine = make_engine(settings.database_url)
        try:
            async with make_session_maker(engine)() as session, session.begin():
                return await seed_demo_month(
                    session,
                    centre_code=args.centre,
                    month=parse_month(args.month),
                    today=datetime.now(ZoneInfo(settings.timezone)).date(),
                    seed=args.seed,
                )
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    print(report)  # noqa: T201 - a command-line tool's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
