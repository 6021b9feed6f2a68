"""The staffing services (one module per use-case family, re-exported here)."""

from staffing.services._assessment import AssessmentService
from staffing.services._base import RuleKind, StaffingService, parse_month
from staffing.services._entries import EntryService
from staffing.services._pay import PayDocuments, PayService
from staffing.services._ratings import NegativeCaseService, RatingService
from staffing.services._rules import RuleService

__all__ = [
    "AssessmentService",
    "EntryService",
    "NegativeCaseService",
    "PayDocuments",
    "PayService",
    "RatingService",
    "RuleKind",
    "RuleService",
    "StaffingService",
    "parse_month",
]
