"""好差评: capturing one rating per visit, the defaulted ratings, the metrics, and the 差评 work orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from uuid_utils.compat import uuid7

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from staffing import schemas as s
from staffing.domain.negative_cases import (
    DeadlineKind,
    NegativeCase,
    NegativeCaseStatus,
    open_negative_case,
    overdue,
    possible_moves,
    rating_validity,
    transition,
)
from staffing.domain.periods import Month
from staffing.domain.rating_counts import rating_metrics
from staffing.domain.ratings import (
    NegativeReason,
    Rating,
    RatingChannel,
    RatingDimension,
    RatingLevel,
    RatingOrigin,
    RatingRules,
    defaulted_level,
    may_rate,
    rating_period_ends_on,
)
from staffing.domain.worktime import month_bounds
from staffing.models import NegativeCaseModel, RatingModel
from staffing.ports import CentreFacts, ServiceContact, StaffFacts
from staffing.services._base import PEOPLE, StaffingService, parse_month
from staffing.services._convert import apply_case, case_to_domain, metrics_read, rating_to_domain

CHANNEL_BY_ROLE = {None: RatingChannel.QR, Role.KIOSK: RatingChannel.PAD}
"""Anonymous callers rate from their phone (the QR code), pads are kiosk-role devices; people enter paper forms."""

CLOSED_STATUSES = frozenset({NegativeCaseStatus.CLOSED})


def rating_form() -> s.RatingFormRead:
    """The options of the rating form (GB/T 39734 levels and in-person dimensions, 附录A-style reasons)."""
    return s.RatingFormRead(
        levels=[
            s.LevelOption(
                value=int(level),
                stars=level.stars,
                label_zh=level.label_zh,
                label_en=level.label_en,
                is_negative=level.is_negative,
            )
            for level in sorted(RatingLevel, reverse=True)
        ],
        dimensions=[
            s.OptionRead(value=d.value, label_zh=d.label_zh)
            for d in RatingDimension
            if d is not RatingDimension.OVERALL
        ],
        negative_reasons=[s.OptionRead(value=r.value, label_zh=r.label_zh) for r in NegativeReason],
        channels=[
            s.OptionRead(value=c.value, label_zh=c.label_zh) for c in RatingChannel if c is not RatingChannel.SYSTEM
        ],
    )


class RatingService(StaffingService):
    """One rating per service contact (一次一评), from a phone, a pad or a paper form, within the rating period."""

    async def _rating_of(self, ticket_id: UUID) -> RatingModel | None:
        row: RatingModel | None = await self.session.scalar(
            select(RatingModel).where(RatingModel.ticket_id == ticket_id)
        )
        return row

    async def _contact(self, public_code: str) -> ServiceContact:
        contact = await self.sources.contact(public_code)
        if contact is None:
            raise NotFoundError("publicCode", "no ticket with this code")
        return contact

    async def ticket_rating(self, public_code: str) -> s.TicketRatingRead:
        """Whether the visit of this ticket was rated and may still be rated, with the form's options."""
        contact = await self._contact(public_code)
        centre = await self.sources.centre_by_id(contact.centre_id)
        existing = await self._rating_of(contact.ticket_id)
        staff = (
            (await self.sources.staff_by_ids([contact.staff_id])).get(contact.staff_id) if contact.staff_id else None
        )
        served_at = contact.ended_at if contact.status == "completed" else None
        rate_until: date | None = None
        reason: str | None = None
        if served_at is None or contact.staff_id is None:
            reason = "not_completed"
        else:
            served_on = centre.local(served_at).date()
            rules = await self.rating_rules_for(centre, Month.of(served_on))
            rate_until = rating_period_ends_on(served_on, rules)
            if existing is not None:
                reason = "already_rated"
            elif not may_rate(served_on, self.today(centre), rules):
                reason = "period_ended"
        summary = None
        if existing is not None:
            level = RatingLevel(existing.level)
            summary = s.RatingSummary(
                level=existing.level,
                level_label_zh=level.label_zh,
                channel=RatingChannel(existing.channel),
                origin=RatingOrigin(existing.origin),
                rated_at=existing.rated_at,
            )
        return s.TicketRatingRead(
            public_code=contact.public_code,
            ticket_number=contact.number,
            centre_code=centre.code,
            centre_name_zh=centre.name_zh,
            ticket_status=contact.status,
            served_at=served_at,
            staff_name=staff.name if staff else None,
            window_number=contact.window_number,
            item_codes=list(contact.item_codes),
            is_rated=existing is not None,
            is_rateable=reason is None,
            not_rateable_reason=reason,
            rate_until=rate_until,
            rating=summary,
            form=rating_form(),
        )

    def _check_channel(self, centre: CentreFacts, contact: ServiceContact, channel: RatingChannel) -> None:
        role = self.principal.role
        if role is not None and not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("publicCode", f"this visit was at {centre.code}, outside your centres")
        expected = CHANNEL_BY_ROLE.get(role, RatingChannel.PAPER)
        if channel is not expected:
            who = {None: "a visitor's phone", Role.KIOSK: "a rating pad"}.get(role, "staff entering a paper form")
            raise DomainRuleViolation("channel", f"{who} rates on the {expected.value} channel, not {channel.value}")
        if role is not None and self.principal.staff_id is not None and self.principal.staff_id == contact.staff_id:
            raise PermissionDeniedError("publicCode", "a staff member may not enter a rating of their own service")

    @staticmethod
    def _check_content(data: s.SubmitRating) -> tuple[RatingLevel, dict[RatingDimension, RatingLevel]]:
        level = RatingLevel(data.level)
        if level.is_negative and not data.reasons:
            raise DomainRuleViolation("reasons", "a 差评 (1 or 2 stars) needs at least one reason")
        if not level.is_negative and data.reasons:
            raise DomainRuleViolation("reasons", "reasons are given only with a 差评 (1 or 2 stars)")
        if len(set(data.reasons)) != len(data.reasons):
            raise DomainRuleViolation("reasons", "a reason is listed twice")
        dimensions = {k: RatingLevel(v) for k, v in data.dimensions.items()}
        overall = dimensions.get(RatingDimension.OVERALL)
        if overall is not None and overall is not level:
            raise DomainRuleViolation("dimensions.overall", "the overall dimension must equal the level")
        dimensions[RatingDimension.OVERALL] = level
        if data.is_named and data.callback_phone is None and level.is_negative:
            raise DomainRuleViolation("callbackPhone", "a real-name 差评 needs a number to call back")
        return level, dimensions

    async def submit(self, data: s.SubmitRating) -> s.RatingReceipt:
        """Record the rating of a completed visit; a 差评 opens its work order with the deadlines fixed."""
        if data.channel is RatingChannel.SYSTEM:
            raise DomainRuleViolation("channel", "the system channel is for defaulted ratings only")
        contact = await self._contact(data.public_code)
        centre = await self.sources.centre_by_id(contact.centre_id)
        self._check_channel(centre, contact, data.channel)
        if contact.status != "completed" or contact.ended_at is None or contact.staff_id is None:
            raise ConflictError("publicCode", "the visit is not completed; a visit is rated once it is served")
        if contact.window_id is None:  # pragma: no cover - a completed visit has a window
            raise ConflictError("publicCode", "the visit has no window")
        existing = await self._rating_of(contact.ticket_id)
        if existing is not None:
            raise ConflictError("publicCode", f"this visit was already rated ({existing.rated_at:%Y-%m-%d}); 一次一评")
        now = self.now()
        served_on = centre.local(contact.ended_at).date()
        rules = await self.rating_rules_for(centre, Month.of(served_on))
        if not may_rate(served_on, self.today(centre), rules):
            ends = rating_period_ends_on(served_on, rules)
            raise ConflictError(
                "publicCode", f"the rating period of this visit ended on {ends} ({rules.rating_period_days} days)"
            )
        level, dimensions = self._check_content(data)
        row = RatingModel(
            centre_id=centre.id,
            ticket_id=contact.ticket_id,
            staff_id=contact.staff_id,
            window_id=contact.window_id,
            item_codes=list(contact.item_codes),
            service_record_ids=[str(r) for r in contact.record_ids],
            level=int(level),
            dimension_levels={k.value: int(v) for k, v in dimensions.items()},
            reasons=[r.value for r in data.reasons],
            comment=data.comment,
            channel=data.channel.value,
            origin=RatingOrigin.ACTIVE.value,
            is_named=data.is_named,
            callback_phone=data.callback_phone,
            device_id=self.principal.device_id,
            entered_by=self.principal.name,
            served_at=contact.ended_at,
            rated_at=max(now, contact.ended_at),
        )
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            raise ConflictError("publicCode", "this visit was rated at the same moment; 一次一评") from None
        self.record_event(
            "rating",
            row.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=Month.of(served_on),
            action="submit",
            details={"level": row.level, "channel": row.channel, "ticket": contact.number},
        )
        case_row = await self.open_case(centre, row, rating_to_domain(row), rules) if level.is_negative else None
        return s.RatingReceipt(
            rating_id=row.id,
            public_code=contact.public_code,
            level=row.level,
            level_label_zh=level.label_zh,
            channel=data.channel,
            rated_at=row.rated_at,
            is_negative=level.is_negative,
            negative_case_id=case_row.id if case_row else None,
            message_zh="感谢您的评价！" + ("我们将在1个工作日内与您联系核实。" if level.is_negative else ""),
        )

    async def open_case(
        self, centre: CentreFacts, row: RatingModel, rating: Rating, rules: RatingRules
    ) -> NegativeCaseModel:
        opened_on = self.today(centre)
        case = open_negative_case(
            case_id="new",
            rating=rating,
            opened_on=opened_on,
            is_named=row.is_named,
            rules=rules,
            calendar=centre.calendar,
        )
        case_row = NegativeCaseModel(
            centre_id=centre.id,
            rating_id=row.id,
            staff_id=row.staff_id,
            status=case.status.value,
            is_named=case.is_named,
            is_complex=case.is_complex,
            has_callback=False,
            opened_on=opened_on,
            verify_due_on=case.verify_due_on,
            reply_due_on=case.reply_due_on,
        )
        self.session.add(case_row)
        await self.session.flush()
        self.record_event(
            "negative_case",
            case_row.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=Month.of(centre.local(row.served_at).date()),
            action="open",
            to_status=case.status.value,
            details={
                "on": opened_on.isoformat(),
                "verifyDueOn": case.verify_due_on.isoformat(),
                "replyDueOn": case.reply_due_on.isoformat(),
            },
        )
        return case_row

    # --- defaulted ratings ------------------------------------------------------------------------------------
    async def apply_defaults(self, centre: CentreFacts, *, lookback_days: int = 62) -> int:
        """Give every visit left unrated after its rating period the default rating, if the rule is on.

        Defaulted ratings are kept apart (origin ``defaulted``, channel ``system``) and count in assessment only
        if the rating rules say so. Idempotent: a visit gets at most one rating.
        """
        now = self.now()
        today = self.today(centre)
        start = now - timedelta(days=lookback_days)
        contacts = await self.sources.contacts_ended(centre.id, start, now)
        if not contacts:
            return 0
        rated = set(
            await self.session.scalars(
                select(RatingModel.ticket_id).where(
                    RatingModel.centre_id == centre.id, RatingModel.served_at >= start - timedelta(days=1)
                )
            )
        )
        rules_by_month: dict[Month, RatingRules] = {}
        rows: list[RatingModel] = []
        for contact in contacts:
            if contact.ticket_id in rated or contact.ended_at is None or contact.staff_id is None:
                continue
            if contact.window_id is None:  # pragma: no cover - a completed visit has a window
                continue
            served_on = centre.local(contact.ended_at).date()
            month = Month.of(served_on)
            if month not in rules_by_month:
                rules_by_month[month] = await self.rating_rules_for(centre, month)
            rules = rules_by_month[month]
            level = defaulted_level(served_on, today, has_rating=False, rules=rules)
            if level is None:
                continue
            row = RatingModel(
                id=uuid7(),
                centre_id=centre.id,
                ticket_id=contact.ticket_id,
                staff_id=contact.staff_id,
                window_id=contact.window_id,
                item_codes=list(contact.item_codes),
                service_record_ids=[str(r) for r in contact.record_ids],
                level=int(level),
                dimension_levels={},
                reasons=[],
                comment="",
                channel=RatingChannel.SYSTEM.value,
                origin=RatingOrigin.DEFAULTED.value,
                is_named=False,
                callback_phone=None,
                device_id=None,
                entered_by=self.principal.name,
                served_at=contact.ended_at,
                rated_at=max(now, contact.ended_at),
            )
            rows.append(row)
            self.record_event(
                "rating",
                row.id,
                centre_id=centre.id,
                staff_id=row.staff_id,
                month=month,
                action="default",
                details={"level": row.level, "periodEndedOn": rating_period_ends_on(served_on, rules).isoformat()},
            )
        self.session.add_all(rows)
        await self.session.flush()
        return len(rows)

    # --- reading ---------------------------------------------------------------------------------------------
    async def ratings_of_month(
        self, centre_code: str, month_text: str, *, employee_no: str | None, limit: int, offset: int
    ) -> tuple[list[s.RatingRead], int]:
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        start, end = month_bounds(month, centre.zone)
        statement = select(RatingModel).where(
            RatingModel.centre_id == centre.id, RatingModel.served_at >= start, RatingModel.served_at < end
        )
        if employee_no is not None:
            staff = await self.sources.staff(employee_no)
            statement = statement.where(RatingModel.staff_id == staff.id)
        total = int(await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
        page = await self.session.scalars(
            statement.order_by(RatingModel.served_at, RatingModel.id).limit(limit).offset(offset)
        )
        return await self.rating_reads(list(page)), total

    async def rating_reads(self, rows: Sequence[RatingModel]) -> list[s.RatingRead]:
        staff = await self.sources.staff_by_ids({r.staff_id for r in rows})
        contacts = await self.sources.contacts([r.ticket_id for r in rows])
        cases = {
            c.rating_id: c
            for c in await self.session.scalars(
                select(NegativeCaseModel).where(NegativeCaseModel.rating_id.in_([r.id for r in rows]))
            )
        }
        reads = []
        for row in rows:
            case = cases.get(row.id)
            rating = rating_to_domain(row)
            member = staff[row.staff_id]
            contact = contacts.get(row.ticket_id)
            reads.append(
                s.RatingRead(
                    id=row.id,
                    ticket_number=contact.number if contact else None,
                    staff_employee_no=member.employee_no,
                    staff_name=member.name,
                    window_number=contact.window_number if contact else None,
                    item_codes=list(row.item_codes),
                    service_record_ids=[UUID(x) for x in row.service_record_ids],
                    level=row.level,
                    level_label_zh=rating.level.label_zh,
                    dimensions=dict(row.dimension_levels),
                    reasons=list(row.reasons),
                    reason_labels_zh=[NegativeReason(r).label_zh for r in row.reasons],
                    comment=row.comment,
                    channel=RatingChannel(row.channel),
                    origin=RatingOrigin(row.origin),
                    is_named=row.is_named,
                    served_at=row.served_at,
                    rated_at=row.rated_at,
                    entered_by=row.entered_by,
                    validity=rating_validity(rating, case_to_domain(case) if case else None).value,
                    negative_case_id=case.id if case else None,
                )
            )
        return reads

    async def metrics_of_month(self, centre_code: str, month_text: str) -> s.CentreRatingMetricsRead:
        """好评率, 主动评价率 and 未评价率 of the centre and of each staff member, for visits served in the month."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(month_text)
        start, end = month_bounds(month, centre.zone)
        rows = list(
            await self.session.scalars(
                select(RatingModel).where(
                    RatingModel.centre_id == centre.id, RatingModel.served_at >= start, RatingModel.served_at < end
                )
            )
        )
        cases = {
            str(c.rating_id): case_to_domain(c)
            for c in await self.session.scalars(
                select(NegativeCaseModel)
                .join(RatingModel, RatingModel.id == NegativeCaseModel.rating_id)
                .where(RatingModel.centre_id == centre.id, RatingModel.served_at >= start, RatingModel.served_at < end)
            )
        }
        counts = await self.sources.contact_counts(centre.id, start, end)
        ratings = [rating_to_domain(r) for r in rows]
        by_staff: defaultdict[str, list[Rating]] = defaultdict(list)
        for rating in ratings:
            by_staff[rating.staff_id].append(rating)
        contacts_by_staff: defaultdict[str, int] = defaultdict(int, {str(k): v for k, v in counts.items()})
        staff = await self.sources.staff_by_ids({UUID(x) for x in {*by_staff, *contacts_by_staff}})
        per_staff = [
            s.StaffRatingMetricsRead(
                staff_employee_no=member.employee_no,
                staff_name=member.name,
                metrics=metrics_read(
                    rating_metrics(
                        by_staff[str(member.id)],
                        cases,
                        contacts_count=max(contacts_by_staff[str(member.id)], len(active(by_staff[str(member.id)]))),
                    )
                ),
            )
            for member in sorted(staff.values(), key=lambda m: m.employee_no)
        ]
        return s.CentreRatingMetricsRead(
            centre_code=centre.code,
            month=str(month),
            centre=metrics_read(
                rating_metrics(ratings, cases, contacts_count=max(sum(counts.values()), len(active(ratings))))
            ),
            staff=per_staff,
        )


def active(ratings: Sequence[Rating]) -> list[Rating]:
    return [r for r in ratings if r.origin is RatingOrigin.ACTIVE]


class NegativeCaseService(StaffingService):
    """The 差评 work orders: verify and classify, rectify, reply, close, appeal and review, on working days."""

    async def _row(self, case_id: UUID) -> NegativeCaseModel:
        row = await self.session.get(NegativeCaseModel, case_id)
        if row is None:
            raise NotFoundError("caseId", f"no 差评 case {case_id}")
        return row

    async def _check_access(self, row: NegativeCaseModel) -> tuple[CentreFacts, StaffFacts]:
        self.require_roles(*PEOPLE)
        centre = await self.sources.centre_by_id(row.centre_id)
        staff = (await self.sources.staff_by_ids([row.staff_id]))[row.staff_id]
        if self.principal.role is Role.STAFF:
            if self.principal.staff_id != row.staff_id:
                raise NotFoundError("caseId", f"no 差评 case {row.id}")
        elif not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("caseId", f"the case belongs to {centre.code}, outside your centres")
        return centre, staff

    async def get(self, case_id: UUID) -> s.NegativeCaseRead:
        row = await self._row(case_id)
        centre, staff = await self._check_access(row)
        return (await self.reads([row], centre, {staff.id: staff}))[0]

    async def reads(
        self, rows: Sequence[NegativeCaseModel], centre: CentreFacts, staff: dict[UUID, StaffFacts] | None = None
    ) -> list[s.NegativeCaseRead]:
        if not rows:
            return []
        staff = dict(staff or {})
        missing = {r.staff_id for r in rows} - set(staff)
        staff.update(await self.sources.staff_by_ids(missing))
        ratings = {
            r.id: r
            for r in await self.session.scalars(
                select(RatingModel).where(RatingModel.id.in_([c.rating_id for c in rows]))
            )
        }
        today = self.today(centre)
        reads = []
        for row in rows:
            events = await self.history("negative_case", row.id)
            case = case_to_domain(row, events)
            rating = ratings[row.rating_id]
            late = {d.kind for d in overdue(case, today)}
            deadlines = [
                _deadline(
                    DeadlineKind.VERIFY.value,
                    DeadlineKind.VERIFY.label_zh,
                    case.verify_due_on,
                    case.verified_on,
                    DeadlineKind.VERIFY in late,
                ),
                _deadline(
                    DeadlineKind.REPLY.value,
                    DeadlineKind.REPLY.label_zh,
                    case.reply_due_on,
                    case.replied_on or case.closed_on,
                    DeadlineKind.REPLY in late,
                ),
            ]
            if case.appeal_due_on is not None:
                deadlines.append(_deadline("appeal", "申诉期限", case.appeal_due_on, case.appealed_on, False))
            if case.review_due_on is not None:
                deadlines.append(
                    _deadline(
                        DeadlineKind.REVIEW.value,
                        DeadlineKind.REVIEW.label_zh,
                        case.review_due_on,
                        case.reviewed_on,
                        DeadlineKind.REVIEW in late,
                    )
                )
            member = staff[row.staff_id]
            reads.append(
                s.NegativeCaseRead(
                    id=row.id,
                    rating_id=row.rating_id,
                    centre_code=centre.code,
                    staff_employee_no=member.employee_no,
                    staff_name=member.name,
                    status=case.status,
                    status_label_zh=case.status.label_zh,
                    classification=case.classification,
                    classification_label_zh=case.classification.label_zh if case.classification else None,
                    is_named=case.is_named,
                    is_complex=case.is_complex,
                    has_callback=case.has_callback,
                    level=rating.level,
                    reasons=list(rating.reasons),
                    comment=rating.comment,
                    served_at=rating.served_at,
                    opened_on=case.opened_on,
                    deadlines=deadlines,
                    overdue=[d for d in deadlines if d.is_overdue],
                    next_moves=self._next_moves(case, row, today),
                    validity=rating_validity(rating_to_domain(rating), case).value,
                    history=[
                        s.CaseStepRead(
                            id=e.id,
                            at=e.at,
                            actor=e.actor,
                            from_status=e.from_status,
                            to_status=e.to_status,
                            action=e.action,
                            note=str(e.details.get("note", "")),
                        )
                        for e in events
                    ],
                    callback_phone=rating.callback_phone if self.is_manager else None,
                )
            )
        return reads

    def _next_moves(self, case: NegativeCase, row: NegativeCaseModel, today: date) -> list[NegativeCaseStatus]:
        moves = list(possible_moves(case, today))
        if self.principal.role is Role.STAFF:
            return [m for m in moves if m is NegativeCaseStatus.APPEALED and self.principal.staff_id == row.staff_id]
        return moves

    async def of_centre(
        self, centre_code: str, *, status: NegativeCaseStatus | None, overdue_only: bool, month_text: str | None
    ) -> list[s.NegativeCaseRead]:
        """The centre's 差评 cases: open ones by default, or by status, overdue ones, or those of a month."""
        centre = await self.managed_centre(centre_code)
        statement = select(NegativeCaseModel).where(NegativeCaseModel.centre_id == centre.id)
        if status is not None:
            statement = statement.where(NegativeCaseModel.status == status.value)
        elif month_text is None:
            statement = statement.where(NegativeCaseModel.closed_on.is_(None))
        if month_text is not None:
            start, end = month_bounds(parse_month(month_text), centre.zone)
            statement = statement.join(RatingModel, RatingModel.id == NegativeCaseModel.rating_id).where(
                RatingModel.served_at >= start, RatingModel.served_at < end
            )
        rows = list(await self.session.scalars(statement.order_by(NegativeCaseModel.opened_on, NegativeCaseModel.id)))
        reads = await self.reads(rows, centre)
        if overdue_only:
            reads = [r for r in reads if r.overdue]
        return reads

    async def move(self, case_id: UUID, data: s.MoveNegativeCase) -> s.NegativeCaseRead:
        """Move the case one step; staff may only appeal their own valid 差评, managers do every other step."""
        row = await self._row(case_id)
        centre, staff = await self._check_access(row)
        if self.principal.role is Role.STAFF and data.to is not NegativeCaseStatus.APPEALED:
            raise PermissionDeniedError("to", "staff may only appeal; the other steps are a manager's")
        events = await self.history("negative_case", row.id)
        case = case_to_domain(row, events)
        rules = await self.rating_rules_for(centre, Month.of(row.opened_on))
        today = self.today(centre)
        moved = transition(
            case,
            data.to,
            on=today,
            rules=rules,
            calendar=centre.calendar,
            classification=data.classification,
            is_complex=data.is_complex,
            has_callback=data.has_callback,
            note=data.note,
        )
        before = case.status
        apply_case(row, moved)
        rating = await self.session.get(RatingModel, row.rating_id)
        assert rating is not None
        self.record_event(
            "negative_case",
            row.id,
            centre_id=centre.id,
            staff_id=row.staff_id,
            month=Month.of(centre.local(rating.served_at).date()),
            action=data.to.value,
            from_status=before.value,
            to_status=moved.status.value,
            details={
                "on": today.isoformat(),
                "note": data.note,
                **({"classification": data.classification.value} if data.classification else {}),
                **({"isComplex": data.is_complex} if data.is_complex is not None else {}),
                **({"hasCallback": True} if data.has_callback else {}),
            },
        )
        await self.session.flush()
        return (await self.reads([row], centre, {staff.id: staff}))[0]

    async def pending_of_month(self, centre: CentreFacts, month: Month) -> list[NegativeCaseModel]:
        """The month's 差评 whose validity is not settled yet (unverified, or under appeal)."""
        start, end = month_bounds(month, centre.zone)
        rows = await self.session.scalars(
            select(NegativeCaseModel)
            .join(RatingModel, RatingModel.id == NegativeCaseModel.rating_id)
            .where(
                NegativeCaseModel.centre_id == centre.id,
                RatingModel.served_at >= start,
                RatingModel.served_at < end,
                NegativeCaseModel.status.in_(
                    [
                        NegativeCaseStatus.OPEN.value,
                        NegativeCaseStatus.APPEALED.value,
                        NegativeCaseStatus.UNDER_REVIEW.value,
                    ]
                ),
            )
        )
        return list(rows)


def _deadline(kind: str, label: str, due_on: date, done_on: date | None, is_overdue: bool) -> s.DeadlineRead:
    return s.DeadlineRead(kind=kind, label_zh=label, due_on=due_on, done_on=done_on, is_overdue=is_overdue)
