"""Shared plumbing of the staffing services: the caller's scope, months, history rows and rule versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.domain.access import Principal
from hall.domain.errors import DomainRuleViolation, NotFoundError, PermissionDeniedError
from hall.domain.people import Role
from hall.domain.skills import SkillLevel
from hall.lib.clock import Clock
from staffing.codec import decode, encode
from staffing.domain.assessment import DEFAULT_LEVEL_TIME_FACTORS, AssessmentScheme, EfficiencyRules
from staffing.domain.integrity import IntegrityRules
from staffing.domain.pay import PayRule
from staffing.domain.periods import Month
from staffing.domain.promotion import PromotionRules
from staffing.domain.ratings import RatingRules
from staffing.models import RuleSetModel, StaffingEventModel
from staffing.ports import CentreFacts, ManagerNotifier, StaffFacts, StaffingSources

MANAGERS = (Role.ADMIN, Role.MANAGER)
PEOPLE = (Role.ADMIN, Role.MANAGER, Role.STAFF)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class RuleKind(StrEnum):
    ASSESSMENT_SCHEME = "assessment_scheme"
    PAY_RULE = "pay_rule"
    RATING_RULES = "rating_rules"


DEFAULT_CODE = "hall-default"
DEFAULT_VERSION = 1
DEFAULT_EFFECTIVE_FROM = "2000-01"

HALL_DEFAULT_SCHEME = AssessmentScheme(
    code=DEFAULT_CODE,
    version=DEFAULT_VERSION,
    efficiency=EfficiencyRules(
        level_time_factors={
            **DEFAULT_LEVEL_TIME_FACTORS,
            SkillLevel.L5: Decimal("1.10"),
            SkillLevel.L1: Decimal("0.70"),
        }
    ),
)
"""The installation default: the §4.10 [D] scheme, with expected-time factors for every level.

§2.5 gives L4 1.00, L3 0.90, L2 0.80 (enabled for 综窗). Demo and real centres also employ L5 trainees and may
have an L1, so Hall extends the ladder by the same steps: L5 1.10, L1 0.70 (Hall design defaults, configurable).
"""


FIRST_MONTH, LAST_MONTH = Month(2000, 1), Month(2100, 12)
"""The months Hall assesses and pays (the neighbours of each can be shown and shifted to without overflow)."""


def parse_month(text: str, field: str = "month") -> Month:
    """Read ``YYYY-MM`` from 2000-01 to 2100-12; anything else is refused naming ``field``."""
    match = _MONTH.match(text)
    if match is None:
        raise DomainRuleViolation(field, f"must be a month written YYYY-MM, not {text!r}")
    month = Month(int(match.group(1)), int(match.group(2)))
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise DomainRuleViolation(field, f"must be a month from {FIRST_MONTH} to {LAST_MONTH}, not {text!r}")
    return month


@dataclass(frozen=True, slots=True)
class SchemeVersion:
    """The assessment scheme in force for a centre-month, with its integrity and promotion rules."""

    row: RuleSetModel | None
    scheme: AssessmentScheme
    integrity: IntegrityRules
    promotion: PromotionRules


def scheme_body(scheme: AssessmentScheme, integrity: IntegrityRules, promotion: PromotionRules) -> dict[str, Any]:
    return {"scheme": encode(scheme), "integrity": encode(integrity), "promotion": encode(promotion)}


def scheme_from_body(body: Mapping[str, Any]) -> tuple[AssessmentScheme, IntegrityRules, PromotionRules]:
    return (
        decode(AssessmentScheme, body["scheme"], path="scheme"),
        decode(IntegrityRules, body.get("integrity", {}), path="integrity"),
        decode(PromotionRules, body.get("promotion", {}), path="promotion"),
    )


class StaffingService:
    """The session, the caller, the facts port and the clock; scope checks, history rows and rule lookups."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        sources: StaffingSources,
        clock: Clock,
        notifier: ManagerNotifier | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.sources = sources
        self.clock = clock
        self.notifier = notifier

    # --- who may do what ----------------------------------------------------------------------------------------
    def require_roles(self, *roles: Role) -> None:
        if self.principal.role is None:
            raise PermissionDeniedError("authorization", "sign in first")
        if self.principal.role not in roles:
            raise PermissionDeniedError("role", f"the {self.principal.role} role may not do this")

    def require_centre(self, centre: CentreFacts, *roles: Role) -> None:
        if roles:
            self.require_roles(*roles)
        if not self.principal.may_access_centre(centre.id):
            raise PermissionDeniedError("centreCode", f"centre {centre.code} is outside your centres")

    async def managed_centre(self, code: str) -> CentreFacts:
        """Return a centre the caller manages (admin, or a manager of it or of a centre above it)."""
        centre = await self.sources.centre(code)
        self.require_centre(centre, *MANAGERS)
        return centre

    def require_staff_access(self, staff: StaffFacts) -> None:
        """Staff see only their own records; managers the staff of their centres; admins everyone."""
        self.require_roles(*PEOPLE)
        if self.principal.role is Role.STAFF:
            if self.principal.staff_id != staff.id:
                raise PermissionDeniedError("employeeNo", "staff may see only their own records")
            return
        if not self.principal.may_access_centre(staff.centre_id):
            raise PermissionDeniedError("employeeNo", f"{staff.employee_no} works at a centre outside yours")

    @property
    def is_manager(self) -> bool:
        return self.principal.role in MANAGERS

    # --- time --------------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def today(self, centre: CentreFacts) -> date:
        return centre.today(self.now())

    # --- history -------------------------------------------------------------------------------------------------
    def record_event(
        self,
        entity: str,
        entity_id: UUID,
        *,
        centre_id: UUID,
        action: str,
        from_status: str | None = None,
        to_status: str | None = None,
        staff_id: UUID | None = None,
        month: Month | str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> StaffingEventModel:
        """Append one history row (append-only table) in the current transaction."""
        event = StaffingEventModel(
            entity=entity,
            entity_id=entity_id,
            centre_id=centre_id,
            staff_id=staff_id,
            month=str(month) if month is not None else None,
            at=self.now(),
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=self.principal.name,
            details=dict(details or {}),
        )
        self.session.add(event)
        return event

    async def history(self, entity: str, entity_id: UUID) -> list[StaffingEventModel]:
        rows = await self.session.scalars(
            select(StaffingEventModel)
            .where(StaffingEventModel.entity == entity, StaffingEventModel.entity_id == entity_id)
            .order_by(StaffingEventModel.id)
        )
        return list(rows)

    # --- rule versions -------------------------------------------------------------------------------------------
    async def rule_row(self, centre: CentreFacts, kind: RuleKind, month: Month) -> RuleSetModel | None:
        """Return the version in force for ``month``, or ``None`` if none was ever stored.

        The centre's own version, else the nearest centre above's, else the installation's stored default.
        """
        chain = [c.id for c in await self.sources.centre_chain(centre.id)]
        rows = (
            await self.session.scalars(
                select(RuleSetModel)
                .where(
                    RuleSetModel.kind == kind.value,
                    RuleSetModel.effective_from <= str(month),
                    (RuleSetModel.centre_id.in_(chain)) | (RuleSetModel.centre_id.is_(None)),
                )
                .order_by(RuleSetModel.effective_from.desc(), RuleSetModel.version.desc())
            )
        ).all()
        for centre_id in [*chain, None]:
            for row in rows:
                if row.centre_id == centre_id:
                    return row
        return None

    async def default_row(self, kind: RuleKind) -> RuleSetModel:
        """Return the stored installation default of ``kind``, storing Hall's built-in default on first use.

        Stored, not only in code, so that a month assessed under the default can be recomputed from the stored
        version even after a later Hall release changes its defaults (it would publish a new version).
        """
        row = await self.session.scalar(
            select(RuleSetModel).where(
                RuleSetModel.kind == kind.value,
                RuleSetModel.code == DEFAULT_CODE,
                RuleSetModel.version == DEFAULT_VERSION,
            )
        )
        if row is not None:
            return row
        if kind is RuleKind.ASSESSMENT_SCHEME:
            body = scheme_body(HALL_DEFAULT_SCHEME, IntegrityRules(), PromotionRules())
        elif kind is RuleKind.RATING_RULES:
            body = encode(RatingRules())
        else:
            raise DomainRuleViolation("payRule", "pay amounts are a local budget decision: publish a pay rule first")
        row = RuleSetModel(
            centre_id=None,
            kind=kind.value,
            code=DEFAULT_CODE,
            version=DEFAULT_VERSION,
            effective_from=DEFAULT_EFFECTIVE_FROM,
            body=body,
            note="Hall's built-in default (shared/domain.md §1.3–1.4, §4.10 [D])",
            published_by="hall",
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def scheme_for(self, centre: CentreFacts, month: Month, *, store_default: bool) -> SchemeVersion:
        row = await self.rule_row(centre, RuleKind.ASSESSMENT_SCHEME, month)
        if row is None and store_default:
            row = await self.default_row(RuleKind.ASSESSMENT_SCHEME)
        if row is None:
            return SchemeVersion(None, HALL_DEFAULT_SCHEME, IntegrityRules(), PromotionRules())
        return SchemeVersion(row, *scheme_from_body(row.body))

    async def scheme_of_row(self, rule_id: UUID) -> SchemeVersion:
        row = await self.session.get(RuleSetModel, rule_id)
        if row is None:  # pragma: no cover - foreign key
            raise NotFoundError("schemeId", f"no scheme version {rule_id}")
        return SchemeVersion(row, *scheme_from_body(row.body))

    async def rating_rules_for(self, centre: CentreFacts, month: Month) -> RatingRules:
        row = await self.rule_row(centre, RuleKind.RATING_RULES, month)
        return RatingRules() if row is None else decode(RatingRules, row.body, path="ratingRules")

    async def pay_rule_for(self, centre: CentreFacts, month: Month) -> tuple[RuleSetModel, PayRule]:
        row = await self.rule_row(centre, RuleKind.PAY_RULE, month)
        if row is None:
            raise DomainRuleViolation(
                "payRule", f"no pay rule is published for {centre.code} (or a centre above it) for {month}"
            )
        return row, decode(PayRule, row.body, path="payRule")
