"""Rows of the staffing tables ↔ values of the pure core, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from staffing import schemas as s
from staffing.domain.negative_cases import (
    CaseStep,
    Classification,
    NegativeCase,
    NegativeCaseStatus,
)
from staffing.domain.rating_counts import RatingMetrics
from staffing.domain.ratings import (
    NegativeReason,
    Rating,
    RatingChannel,
    RatingDimension,
    RatingLevel,
    RatingOrigin,
)
from staffing.models import NegativeCaseModel, RatingModel, StaffingEventModel

CASE_DATE_FIELDS = (
    "verify_due_on",
    "reply_due_on",
    "appeal_due_on",
    "review_due_on",
    "verified_on",
    "replied_on",
    "closed_on",
    "appealed_on",
    "reviewed_on",
)


def rating_to_domain(row: RatingModel) -> Rating:
    return Rating(
        rating_id=str(row.id),
        staff_id=str(row.staff_id),
        level=RatingLevel(row.level),
        origin=RatingOrigin(row.origin),
        channel=RatingChannel(row.channel),
        served_at=row.served_at,
        rated_at=row.rated_at,
        device_id=str(row.device_id) if row.device_id else None,
        dimension_levels={RatingDimension(k): RatingLevel(v) for k, v in row.dimension_levels.items()},
        reasons=tuple(NegativeReason(r) for r in row.reasons),
    )


def case_steps(events: Sequence[StaffingEventModel]) -> tuple[CaseStep, ...]:
    steps = []
    for event in events:
        if event.to_status is None:
            continue
        on = date.fromisoformat(event.details["on"]) if "on" in event.details else event.at.date()
        steps.append(
            CaseStep(
                from_status=NegativeCaseStatus(event.from_status) if event.from_status else None,
                to_status=NegativeCaseStatus(event.to_status),
                on=on,
                note=str(event.details.get("note", "")),
            )
        )
    return tuple(steps)


def case_to_domain(row: NegativeCaseModel, events: Sequence[StaffingEventModel] = ()) -> NegativeCase:
    return NegativeCase(
        case_id=str(row.id),
        rating_id=str(row.rating_id),
        staff_id=str(row.staff_id),
        opened_on=row.opened_on,
        is_named=row.is_named,
        is_complex=row.is_complex,
        status=NegativeCaseStatus(row.status),
        classification=Classification(row.classification) if row.classification else None,
        verify_due_on=row.verify_due_on,
        reply_due_on=row.reply_due_on,
        appeal_due_on=row.appeal_due_on,
        review_due_on=row.review_due_on,
        verified_on=row.verified_on,
        replied_on=row.replied_on,
        closed_on=row.closed_on,
        appealed_on=row.appealed_on,
        reviewed_on=row.reviewed_on,
        has_callback=row.has_callback,
        history=case_steps(events),
    )


def apply_case(row: NegativeCaseModel, case: NegativeCase) -> None:
    """Copy a moved case onto its row (the move itself is recorded as a history row by the caller)."""
    row.status = case.status.value
    row.classification = case.classification.value if case.classification else None
    row.is_complex = case.is_complex
    row.has_callback = case.has_callback
    for name in CASE_DATE_FIELDS:
        setattr(row, name, getattr(case, name))


def metrics_read(metrics: RatingMetrics) -> s.RatingMetricsRead:
    return s.RatingMetricsRead(
        contacts_count=metrics.contacts_count,
        ratings_count=metrics.ratings_count,
        active_count=metrics.active_count,
        excluded_count=metrics.excluded_count,
        positive_rate=metrics.positive_rate,
        active_positive_rate=metrics.active_positive_rate,
        negative_rate=metrics.negative_rate,
        active_rate=metrics.active_rate,
        unrated_rate=metrics.unrated_rate,
    )
