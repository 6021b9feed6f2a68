"""Versioned rules per centre (or inherited from the centre above): assessment scheme, pay rule, rating rules.

A version is never changed: publishing makes a new version, effective from a month. A version may not take effect
in a month that is already approved (the past stays as it was assessed and paid).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import func, select

from hall.domain.errors import ConflictError, DomainRuleViolation, NotFoundError
from hall.domain.skills import SkillLevel
from staffing import schemas as s
from staffing.codec import decode, encode
from staffing.domain.assessment import (
    AssessmentScheme,
    DisciplineRules,
    EfficiencyRules,
    GradeBand,
    QualityRules,
    SatisfactionRules,
    WorkloadRules,
)
from staffing.domain.integrity import IntegrityRules
from staffing.domain.pay import PayRule
from staffing.domain.periods import Month
from staffing.domain.promotion import PromotionRules
from staffing.domain.ratings import RatingLevel, RatingRules
from staffing.models import AssessmentMonthModel, PayRecordModel, RuleSetModel
from staffing.ports import CentreFacts
from staffing.services._base import (
    PEOPLE,
    RuleKind,
    StaffingService,
    parse_month,
    scheme_body,
    scheme_from_body,
)


def _level(value: int, field: str) -> SkillLevel:
    try:
        return SkillLevel(value)
    except ValueError:
        raise DomainRuleViolation(field, f"{value} is not a skill level (1 to 5)") from None


def _renamed(exc: DomainRuleViolation, prefix: str, strip: str = "") -> DomainRuleViolation:
    field = exc.field.removeprefix(strip) if strip else exc.field
    return DomainRuleViolation(f"{prefix}.{field}", exc.reason)


def scheme_from_wire(
    body: s.AssessmentSchemeBody, code: str, version: int
) -> tuple[AssessmentScheme, IntegrityRules, PromotionRules]:
    """Build and check the scheme a manager publishes; a broken rule is refused naming its field."""
    try:
        scheme = AssessmentScheme(
            code=code,
            version=version,
            weights=dict(body.weights),
            bonus_cap=body.bonus_cap,
            veto_kinds=frozenset(body.veto_kinds),
            bands=tuple(GradeBand(grade=b.grade, min_score=b.min_score) for b in body.bands),
            excellent_quota=body.excellent_quota,
            workload=WorkloadRules(score_at_median=body.workload.score_at_median),
            efficiency=EfficiencyRules(
                on_time_points=body.efficiency.on_time_points,
                service_time_points=body.efficiency.service_time_points,
                overdue_penalty_points=body.efficiency.overdue_penalty_points,
                penalty_per_percent_over=body.efficiency.penalty_per_percent_over,
                level_time_factors={
                    _level(k, "scheme.efficiency.levelTimeFactors"): v
                    for k, v in body.efficiency.level_time_factors.items()
                },
            ),
            satisfaction=SatisfactionRules(**msgspec.structs.asdict(body.satisfaction)),
            quality=QualityRules(deduction_points=dict(body.quality_deduction_points)),
            discipline=DisciplineRules(deduction_points=dict(body.discipline_deduction_points)),
        )
        integrity = IntegrityRules(**msgspec.structs.asdict(body.integrity))
        promotion_fields = msgspec.structs.asdict(body.promotion)
        promotion = PromotionRules(
            **{
                **promotion_fields,
                "highest_level": _level(body.promotion.highest_level, "scheme.promotion.highestLevel"),
                "lowest_level": _level(body.promotion.lowest_level, "scheme.promotion.lowestLevel"),
            }
        )
    except DomainRuleViolation as exc:
        if exc.field.startswith("scheme."):
            raise
        raise _renamed(exc, "scheme", "scheme.") from None
    return scheme, integrity, promotion


def scheme_to_wire(scheme: AssessmentScheme, integrity: IntegrityRules, promotion: PromotionRules) -> dict[str, Any]:
    body = s.AssessmentSchemeBody(
        weights=dict(scheme.weights),
        bands=[s.GradeBandWire(grade=b.grade, min_score=b.min_score) for b in scheme.bands],
        bonus_cap=scheme.bonus_cap,
        veto_kinds=sorted(scheme.veto_kinds),
        excellent_quota=scheme.excellent_quota,
        workload=s.WorkloadRulesWire(score_at_median=scheme.workload.score_at_median),
        efficiency=s.EfficiencyRulesWire(
            on_time_points=scheme.efficiency.on_time_points,
            service_time_points=scheme.efficiency.service_time_points,
            overdue_penalty_points=scheme.efficiency.overdue_penalty_points,
            penalty_per_percent_over=scheme.efficiency.penalty_per_percent_over,
            level_time_factors={int(k): v for k, v in sorted(scheme.efficiency.level_time_factors.items())},
        ),
        satisfaction=s.SatisfactionRulesWire(**encode_fields(scheme.satisfaction)),
        quality_deduction_points=dict(scheme.quality.deduction_points),
        discipline_deduction_points=dict(scheme.discipline.deduction_points),
        integrity=s.IntegrityRulesWire(**encode_fields(integrity)),
        promotion=s.PromotionRulesWire(
            window_months=promotion.window_months,
            demotion_fail_months=promotion.demotion_fail_months,
            demotion_basic_pass_months=promotion.demotion_basic_pass_months,
            promotion_excellent_months=promotion.promotion_excellent_months,
            highest_level=int(promotion.highest_level),
            lowest_level=int(promotion.lowest_level),
        ),
    )
    return msgspec.to_builtins(body)  # type: ignore[no-any-return]


def encode_fields(value: Any) -> dict[str, Any]:
    """Return a dataclass's fields by name (values unchanged), to fill a wire struct of the same shape."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def pay_rule_from_wire(body: s.PayRuleBody, code: str, version: int) -> PayRule:
    try:
        return PayRule(
            code=code,
            version=version,
            level_pay_amounts={_level(k, "rule.levelPayAmounts"): v for k, v in body.level_pay_amounts.items()},
            post_allowance_amount=body.post_allowance_amount,
            performance_base_amount=body.performance_base_amount,
            grade_coefficients=dict(body.grade_coefficients),
            is_level_pay_prorated=body.is_level_pay_prorated,
            is_post_allowance_prorated=body.is_post_allowance_prorated,
            is_performance_pay_prorated=body.is_performance_pay_prorated,
            attendance_deduction_amounts=dict(body.attendance_deduction_amounts),
        )
    except DomainRuleViolation as exc:
        raise _renamed(exc, "rule", "payRule.") from None


def pay_rule_to_wire(rule: PayRule) -> dict[str, Any]:
    return msgspec.to_builtins(  # type: ignore[no-any-return]
        s.PayRuleBody(
            level_pay_amounts={int(k): v for k, v in sorted(rule.level_pay_amounts.items())},
            post_allowance_amount=rule.post_allowance_amount,
            performance_base_amount=rule.performance_base_amount,
            grade_coefficients=dict(rule.grade_coefficients),
            is_level_pay_prorated=rule.is_level_pay_prorated,
            is_post_allowance_prorated=rule.is_post_allowance_prorated,
            is_performance_pay_prorated=rule.is_performance_pay_prorated,
            attendance_deduction_amounts=dict(rule.attendance_deduction_amounts),
        )
    )


def rating_rules_from_wire(body: s.RatingRulesBody) -> RatingRules:
    try:
        fields = msgspec.structs.asdict(body)
        return RatingRules(**{**fields, "default_level": RatingLevel(body.default_level)})
    except DomainRuleViolation as exc:
        raise _renamed(exc, "rules", "ratingRules.") from None


def rating_rules_to_wire(rules: RatingRules) -> dict[str, Any]:
    return msgspec.to_builtins(  # type: ignore[no-any-return]
        s.RatingRulesBody(**{**encode_fields(rules), "default_level": int(rules.default_level)})
    )


def body_to_wire(kind: RuleKind, body: Mapping[str, Any]) -> dict[str, Any]:
    if kind is RuleKind.ASSESSMENT_SCHEME:
        return scheme_to_wire(*scheme_from_body(body))
    if kind is RuleKind.PAY_RULE:
        return pay_rule_to_wire(decode(PayRule, body, path="payRule"))
    return rating_rules_to_wire(decode(RatingRules, body, path="ratingRules"))


class RuleService(StaffingService):
    """Read the rules in force, list their versions, publish a new version."""

    async def _read(self, row: RuleSetModel, centre: CentreFacts) -> s.RuleVersionRead:
        owner = await self.sources.centre_by_id(row.centre_id) if row.centre_id else None
        return s.RuleVersionRead(
            id=row.id,
            kind=row.kind,
            code=row.code,
            version=row.version,
            effective_from=row.effective_from,
            centre_code=owner.code if owner else None,
            is_inherited=row.centre_id != centre.id,
            published_by=row.published_by,
            published_at=row.created_at,
            note=row.note,
            body=body_to_wire(RuleKind(row.kind), row.body),
        )

    async def _centre(self, code: str) -> CentreFacts:
        centre = await self.sources.centre(code)
        self.require_centre(centre, *PEOPLE)
        return centre

    async def current(self, centre_code: str, kind: RuleKind, month_text: str | None) -> s.RuleVersionRead:
        """The version in force for the month (this month by default): the centre's own or inherited."""
        centre = await self._centre(centre_code)
        month = parse_month(month_text) if month_text else Month.of(self.today(centre))
        row = await self.rule_row(centre, kind, month)
        if row is None:
            if kind is RuleKind.PAY_RULE:
                raise NotFoundError("payRule", f"no pay rule is published for {centre.code} for {month}")
            row = await self.default_row(kind)
        return await self._read(row, centre)

    async def versions(self, centre_code: str, kind: RuleKind) -> list[s.RuleVersionRead]:
        """Every version the centre can inherit or owns, newest first."""
        centre = await self.managed_centre(centre_code)
        chain = [c.id for c in await self.sources.centre_chain(centre.id)]
        rows = await self.session.scalars(
            select(RuleSetModel)
            .where(
                RuleSetModel.kind == kind.value,
                RuleSetModel.centre_id.in_(chain) | RuleSetModel.centre_id.is_(None),
            )
            .order_by(RuleSetModel.effective_from.desc(), RuleSetModel.version.desc(), RuleSetModel.created_at.desc())
        )
        return [await self._read(row, centre) for row in rows]

    async def _check_not_final(self, centre: CentreFacts, kind: RuleKind, month: Month) -> None:
        if kind is RuleKind.PAY_RULE:
            latest = await self.session.scalar(
                select(func.max(PayRecordModel.month)).where(
                    PayRecordModel.centre_id == centre.id, PayRecordModel.status.in_(("approved", "locked"))
                )
            )
        else:
            latest = await self.session.scalar(
                select(func.max(AssessmentMonthModel.month)).where(
                    AssessmentMonthModel.centre_id == centre.id, AssessmentMonthModel.status == "approved"
                )
            )
        if latest is not None and str(month) <= latest:
            raise ConflictError("effectiveFrom", f"{latest} is already approved at {centre.code}; start after it")

    async def publish(
        self, centre_code: str, kind: RuleKind, body: Any, effective_from: str, note: str
    ) -> s.RuleVersionRead:
        """Publish a new version of the centre's rules, effective from a month that is not approved yet."""
        centre = await self.managed_centre(centre_code)
        month = parse_month(effective_from, "effectiveFrom")
        await self._check_not_final(centre, kind, month)
        latest = await self.session.scalar(
            select(func.max(RuleSetModel.version)).where(
                RuleSetModel.kind == kind.value, RuleSetModel.code == centre.code
            )
        )
        version = (latest or 0) + 1
        if kind is RuleKind.ASSESSMENT_SCHEME:
            stored = scheme_body(*scheme_from_wire(body, centre.code, version))
        elif kind is RuleKind.PAY_RULE:
            stored = encode(pay_rule_from_wire(body, centre.code, version))
        else:
            stored = encode(rating_rules_from_wire(body))
        row = RuleSetModel(
            centre_id=centre.id,
            kind=kind.value,
            code=centre.code,
            version=version,
            effective_from=str(month),
            body=stored,
            note=note,
            published_by=self.principal.name,
        )
        self.session.add(row)
        await self.session.flush()
        self.record_event(
            "rule_set",
            row.id,
            centre_id=centre.id,
            month=month,
            action="publish",
            details={"kind": kind.value, "code": row.code, "version": version, "note": note},
        )
        return await self._read(row, centre)
