"""A staff member's month as the pages explain it: the same view for the staff member and for their manager.

Everything shown comes from ``GetStaffAssessment`` (each component's weight, score, explanation lines, source ids
and the centre comparison) and ``GetPayRecord`` (each pay line with its basis); the pages add the drill-down
tables (:mod:`hall.pages.grade_records`) and a chart of the component scores against the centre's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final

from litestar.exceptions import NotFoundException
from markupsafe import Markup

from hall.pages import labels
from hall.pages.charts import Series, bar_chart
from hall.pages.grade_records import EntryRow
from hall.pages.i18n import N_, gettext
from staffing import schemas as s
from staffing.domain.assessment import Component

COMPONENT_KEYS: Final = tuple((c.value, labels.COMPONENTS[c]) for c in Component)
"""Each component's key and label (message id), in the scheme's order: the drill-down's menu."""


def component_of(read: s.StaffAssessmentRead, key: str) -> s.ComponentRead:
    """The component ``key`` of the month (404 for an unknown one)."""
    found = next((c for c in read.components if c.component.value == key), None)
    if found is None:
        raise NotFoundException(detail=f"no component {key!r}")
    return found


def comparison_chart(read: s.StaffAssessmentRead, lang: str) -> Markup:
    """The component scores of the month next to the centre's mean and median the same month."""
    names = [gettext(lang, labels.COMPONENTS[c.component]) for c in read.components]
    return bar_chart(
        "chart-components",
        gettext(lang, N_("Component scores compared with the centre")),
        names,
        [
            Series(read.staff_name, [float(c.score) for c in read.components]),
            Series(
                gettext(lang, N_("Centre mean")),
                [float(c.centre.centre_mean) if c.centre else None for c in read.components],
            ),
            Series(
                gettext(lang, N_("Centre median")),
                [float(c.centre.centre_median) if c.centre else None for c in read.components],
            ),
        ],
        unit=gettext(lang, N_("points")),
    )


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One kind of record a component cites, and how many."""

    label: str
    count: int


def source_counts(component: s.ComponentRead) -> list[SourceCount]:
    """What a component was computed from, by kind (the drill-down lists each of them)."""
    cited = component.sources
    counts = [
        (N_("service records"), len(cited.service_record_ids)),
        (N_("ratings that count"), len(cited.rating_ids)),
        (N_("ratings pending"), len(cited.pending_rating_ids)),
        (N_("ratings excluded"), len(cited.excluded_rating_ids)),
        (N_("manager entries"), len(cited.entry_ids)),
        (N_("committed cases finished late"), len(cited.late_case_record_ids)),
        (N_("committed cases still open"), len(cited.open_case_record_ids)),
    ]
    return [SourceCount(label, count) for label, count in counts if count]


def entry_labeller(lang: str) -> Callable[[EntryRow], str]:
    """Name a manager entry in ``lang``: its category and kind, and the points of a bonus."""
    kinds: dict[str, Mapping[Any, str]] = {
        "quality": labels.QUALITY_EVENTS,
        "attendance": labels.ATTENDANCE_EVENTS,
        "veto": labels.VETOES,
    }

    def label(entry: EntryRow) -> str:
        category = gettext(lang, labels.ENTRY_CATEGORIES.get(entry.category, entry.category))
        names = kinds.get(entry.category, {})
        kind = gettext(lang, names[entry.kind]) if entry.kind in names else entry.kind
        points = f" ({entry.points:+})" if entry.points is not None else ""
        return f"{category}: {kind}{points}"

    return label


def lines_total(lines: Sequence[s.ExplanationLineRead]) -> Decimal:
    return sum((line.points for line in lines), Decimal(0))


def month_context(read: s.StaffAssessmentRead, lang: str, *, base: str, zone: tzinfo) -> dict[str, Any]:
    """The variables ``grades/explained.html`` needs; ``base`` is the month page's URL (drill-downs below it)."""
    return {
        "read": read,
        "zone": zone,
        "chart": comparison_chart(read, lang),
        "source_counts": {c.component.value: source_counts(c) for c in read.components},
        "lines_total": lines_total,
        "base": base,
    }
