"""A report as the page, the exports and the PDF show it: labelled tables and charts, in one language.

The page, the CSV and XLSX files and the PDF are all made from the same :class:`Table` objects, so a figure is
rounded once, here (minutes and percentages to one decimal), and the file holds exactly the number on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from itertools import pairwise
from typing import Final

from markupsafe import Markup

from hall.domain.catalogue import ServiceDomain
from hall.domain.skills import SkillLevel
from hall.pages import labels
from hall.pages.charts import Series, bar_chart
from hall.pages.i18n import N_, gettext
from hall.reports import WAIT_BUCKETS, CentreReport, PeriodKind, WaitStats
from queueing.domain.tickets import CaseOutcome

Cell = str | int | float | None
DASH: Final = "—"

PERIOD_NAMES: Final = {
    PeriodKind.DAY: N_("Day"),
    PeriodKind.WEEK: N_("Week"),
    PeriodKind.MONTH: N_("Month"),
}


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a report: its export name, title, column headers and rows (first cell heads the row)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""


def cell_text(value: Cell) -> str:
    """How a cell reads on the page and in the PDF (the files hold the same value, unformatted)."""
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percent(share: float | Decimal | None) -> float | None:
    return None if share is None else round(100 * float(share), 1)


class Labeller:
    """The names of domains, items, levels and outcomes in one language."""

    def __init__(self, lang: str, report: CentreReport) -> None:
        self.lang = lang
        self.items = report.items

    def _(self, message: str, **variables: object) -> str:
        return gettext(self.lang, message, **variables)

    def domain(self, value: str) -> str:
        known = {d.value: d for d in ServiceDomain}
        return self._(labels.DOMAINS[known[value]]) if value in known else (value or self._(N_("Unknown")))

    def item(self, code: str) -> str:
        item = self.items.get(code)
        if item is None:
            return code
        name = item.name_en if self.lang == "en" and item.name_en else item.name_zh
        return f"{code} {name}"

    def level(self, level: int) -> str:
        return self._(labels.SKILL_LEVELS[SkillLevel(level)]) if level in {x.value for x in SkillLevel} else str(level)

    def outcome(self, value: str) -> str:
        return self._(labels.OUTCOMES[CaseOutcome(value)])


def _wait_row(label: str, stats: WaitStats) -> list[Cell]:
    return [
        label,
        stats.count,
        minutes(stats.mean_minutes),
        minutes(stats.p90_minutes),
        percent(stats.within_share),
    ]


def _wait_headers(_: Callable[..., str], first: str, within_minutes: int) -> list[str]:
    return [
        first,
        _(N_("Tickets called")),
        _(N_("Mean wait (min)")),
        _(N_("P90 wait (min)")),
        _(N_("Within %(minutes)s min (%%)"), minutes=within_minutes),
    ]


def bucket_labels() -> list[str]:
    edges = list(WAIT_BUCKETS)
    return [f"{lo}–{hi}" for lo, hi in pairwise(edges)] + [f"{edges[-1]}+"]


def slot_label(slot: time) -> str:
    return f"{slot:%H:%M}"


def report_tables(report: CentreReport, lang: str) -> list[Table]:
    """Every table of a centre's report, labelled in ``lang``."""
    names = Labeller(lang, report)
    _ = names._
    flows = report.flows
    ratings = report.ratings
    committed_due = sum(r.due for r in report.committed)
    summary = Table(
        "summary",
        _(N_("Key figures")),
        [_(N_("Figure")), _(N_("Value"))],
        [
            [_(N_("Visitors (tickets issued)")), report.tickets],
            [_(N_("Tickets called")), flows.called],
            [_(N_("Items served")), report.served_items],
            [_(N_("Mean wait (min)")), minutes(report.waits.mean_minutes)],
            [_(N_("P90 wait (min)")), minutes(report.waits.p90_minutes)],
            [
                _(N_("Called within the promised %(minutes)s min (%%)"), minutes=report.promise_within_minutes),
                percent(report.waits.within_share),
            ],
            [_(N_("Promised share within the promise (%)")), percent(report.promise_share)],
            [_(N_("Missed calls (no-shows)")), flows.no_shows],
            [_(N_("Transfers")), flows.transfers],
            [_(N_("Cancelled")), flows.cancelled],
            [_(N_("Expired unserved at day close")), flows.expired],
            [_(N_("Committed cases due")), committed_due],
            [_(N_("Committed cases overdue and unfinished")), sum(r.overdue_open for r in report.committed)],
            [_(N_("Positive rating rate (%)")), percent(ratings.positive_rate)],
            [_(N_("Active rating rate (%)")), percent(ratings.active_rate)],
            [_(N_("Unrated rate (%)")), percent(ratings.unrated_rate)],
        ],
    )
    tables = [summary]
    tables.append(
        Table(
            "half-hours",
            _(N_("Visitors and tickets per half hour")),
            [_(N_("Half hour")), _(N_("Visitors arrived")), _(N_("Tickets called")), _(N_("Items served"))],
            [[slot_label(r.slot), r.arrivals, r.calls, r.served_items] for r in report.half_hours],
            note=_(N_("Totals over the period, by the local half hour of the day."))
            if report.period.kind is not PeriodKind.DAY
            else "",
        )
    )
    if report.days:
        tables.append(
            Table(
                "days",
                _(N_("Day by day")),
                [
                    _(N_("Day")),
                    _(N_("Visitors (tickets issued)")),
                    _(N_("Tickets called")),
                    _(N_("Items served")),
                    _(N_("Mean wait (min)")),
                    _(N_("Within %(minutes)s min (%%)"), minutes=report.promise_within_minutes),
                    _(N_("Missed calls (no-shows)")),
                ],
                [
                    [
                        r.on.isoformat(),
                        r.tickets,
                        r.called,
                        r.served_items,
                        minutes(r.waits.mean_minutes),
                        percent(r.waits.within_share),
                        r.no_shows,
                    ]
                    for r in report.days
                ],
            )
        )
    tables.append(
        Table(
            "wait-distribution",
            _(N_("Distribution of waits")),
            [_(N_("Wait (min)")), _(N_("Tickets called"))],
            [[label, count] for label, count in zip(bucket_labels(), report.wait_histogram, strict=True)],
        )
    )
    wait_headers = _wait_headers(_, _(N_("Domain")), report.promise_within_minutes)
    tables.append(
        Table(
            "waits-by-domain",
            _(N_("Waits per domain")),
            wait_headers,
            [_wait_row(names.domain(d), stats) for d, stats in report.waits_by_domain.items()]
            + [_wait_row(_(N_("All domains")), report.waits)],
        )
    )
    tables.append(
        Table(
            "waits-by-item",
            _(N_("Waits per item")),
            _wait_headers(_, _(N_("Item")), report.promise_within_minutes),
            [_wait_row(names.item(code), stats) for code, stats in report.waits_by_item.items()],
            note=_(N_("A ticket counts under the first item it was taken for.")),
        )
    )
    levels = sorted(report.service_by_level)
    tables.append(
        Table(
            "service-by-level",
            _(N_("Service time per skill level")),
            [_(N_("Skill level")), _(N_("Items served")), _(N_("Mean service (min)")), _(N_("P90 service (min)"))],
            [
                [names.level(level), s.count, minutes(s.mean_minutes), minutes(s.p90_minutes)]
                for level, s in report.service_by_level.items()
            ],
        )
    )
    item_rows: list[list[Cell]] = []
    for code, stats in report.service_by_item.items():
        row: list[Cell] = [names.item(code), stats.count, minutes(stats.mean_minutes)]
        for level in levels:
            by_level = report.service_by_item_level.get((code, level))
            row.append(minutes(by_level.mean_minutes) if by_level else None)
        item_rows.append(row)
    tables.append(
        Table(
            "service-by-item",
            _(N_("Service time per item")),
            [_(N_("Item")), _(N_("Items served")), _(N_("Mean service (min)"))]
            + [_(N_("Mean at %(level)s (min)"), level=names.level(level)) for level in levels],
            item_rows,
        )
    )
    outcome_keys = [o.value for o in CaseOutcome]
    outcome_rows: list[list[Cell]] = [
        [names.domain(d), *(counts[o] for o in outcome_keys), sum(counts.values())]
        for d, counts in report.outcomes_by_domain.items()
    ]
    outcome_rows.append([_(N_("All domains")), *(report.outcomes[o] for o in outcome_keys), report.served_items])
    tables.append(
        Table(
            "outcomes",
            _(N_("Outcomes")),
            [_(N_("Domain")), *(names.outcome(o) for o in outcome_keys), _(N_("Total"))],
            outcome_rows,
        )
    )
    tables.append(
        Table(
            "flows",
            _(N_("No-shows, transfers and unserved tickets")),
            [
                _(N_("Domain")),
                _(N_("Visitors (tickets issued)")),
                _(N_("Tickets called")),
                _(N_("Completed")),
                _(N_("Missed calls (no-shows)")),
                _(N_("Reinstated")),
                _(N_("Still missed")),
                _(N_("Transfers")),
                _(N_("Cancelled")),
                _(N_("Expired")),
            ],
            [
                [
                    names.domain(f.key) if f.key else _(N_("All domains")),
                    f.tickets,
                    f.called,
                    f.completed,
                    f.no_shows,
                    f.reinstated,
                    f.still_missed,
                    f.transfers,
                    f.cancelled,
                    f.expired,
                ]
                for f in [*report.flows_by_domain, report.flows]
            ],
        )
    )
    tables.append(
        Table(
            "committed",
            _(N_("Committed cases by due working day")),
            [
                _(N_("Due on")),
                _(N_("Due")),
                _(N_("Finished on time")),
                _(N_("Finished late")),
                _(N_("Overdue, unfinished")),
                _(N_("Not yet due")),
            ],
            [[r.due_on.isoformat(), r.due, r.on_time, r.late, r.overdue_open, r.open] for r in report.committed],
            note=_(
                N_("Committed (承诺件) and conditionally accepted (容缺受理) cases, judged as of %(day)s."),
                day=report.as_of.isoformat(),
            ),
        )
    )
    tables.append(
        Table(
            "ratings",
            _(N_("Ratings (好差评)")),
            [_(N_("Figure")), _(N_("Value"))],
            [
                [_(N_("Service contacts")), ratings.contacts_count],
                [_(N_("Ratings given by visitors")), ratings.active_count],
                [_(N_("Ratings that count")), ratings.ratings_count],
                [_(N_("Positive rating rate (%)")), percent(ratings.positive_rate)],
                [_(N_("Negative rating rate (%)")), percent(ratings.negative_rate)],
                [_(N_("Active rating rate (%)")), percent(ratings.active_rate)],
                [_(N_("Unrated rate (%)")), percent(ratings.unrated_rate)],
            ],
        )
    )
    return tables


def report_charts(report: CentreReport, lang: str) -> dict[str, Markup]:
    """The report's charts, by the key of the table they illustrate."""
    names = Labeller(lang, report)
    _ = names._
    empty = _(N_("No data in this period"))
    slots = [slot_label(r.slot) for r in report.half_hours]
    levels = list(report.service_by_level)
    return {
        "half-hours": bar_chart(
            "chart-half-hours",
            _(N_("Visitors and tickets per half hour")),
            slots,
            [
                Series(_(N_("Visitors arrived")), [r.arrivals for r in report.half_hours]),
                Series(_(N_("Tickets called")), [r.calls for r in report.half_hours]),
            ],
            unit=_(N_("people")),
            empty_text=empty,
        ),
        "wait-distribution": bar_chart(
            "chart-waits",
            _(N_("Distribution of waits")),
            bucket_labels(),
            [Series(_(N_("Tickets called")), report.wait_histogram)],
            unit=_(N_("tickets")),
            empty_text=empty,
        ),
        "service-by-level": bar_chart(
            "chart-service",
            _(N_("Service time per skill level")),
            [names.level(level) for level in levels],
            [Series(_(N_("Mean service (min)")), [minutes(report.service_by_level[lv].mean_minutes) for lv in levels])],
            unit=_(N_("min")),
            empty_text=empty,
        ),
    }


# --- the centres side by side -------------------------------------------------------------------------------------
COMPARED: Final[tuple[tuple[str, Callable[[CentreReport], Cell]], ...]] = (
    (N_("Visitors (tickets issued)"), lambda r: r.tickets),
    (N_("Tickets called"), lambda r: r.flows.called),
    (N_("Items served"), lambda r: r.served_items),
    (N_("Mean wait (min)"), lambda r: minutes(r.waits.mean_minutes)),
    (N_("P90 wait (min)"), lambda r: minutes(r.waits.p90_minutes)),
    (N_("Called within the promise (%)"), lambda r: percent(r.waits.within_share)),
    (N_("Promised wait (min)"), lambda r: r.promise_within_minutes),
    (N_("Mean service (min)"), lambda r: minutes(_mean_service(r))),
    (N_("Missed calls (no-shows)"), lambda r: r.flows.no_shows),
    (N_("Transfers"), lambda r: r.flows.transfers),
    (N_("Done on the spot"), lambda r: r.outcomes[CaseOutcome.INSTANT.value]),
    (N_("Accepted, committed deadline"), lambda r: r.outcomes[CaseOutcome.COMMITTED.value]),
    (N_("Accepted with pending documents"), lambda r: r.outcomes[CaseOutcome.CONDITIONAL.value]),
    (N_("One-time notice"), lambda r: r.outcomes[CaseOutcome.RETURNED_WITH_NOTICE.value]),
    (N_("Rejected"), lambda r: r.outcomes[CaseOutcome.REJECTED.value]),
    (N_("Committed cases due"), lambda r: sum(x.due for x in r.committed)),
    (N_("Committed cases overdue and unfinished"), lambda r: sum(x.overdue_open for x in r.committed)),
    (N_("Positive rating rate (%)"), lambda r: percent(r.ratings.positive_rate)),
    (N_("Active rating rate (%)"), lambda r: percent(r.ratings.active_rate)),
    (N_("Unrated rate (%)"), lambda r: percent(r.ratings.unrated_rate)),
)


def _mean_service(report: CentreReport) -> float | None:
    stats = list(report.service_by_item.values())
    total = sum(s.count for s in stats)
    if not total:
        return None
    return sum((s.mean_minutes or 0.0) * s.count for s in stats) / total


def compare_table(reports: Sequence[CentreReport], centre_names: Sequence[str], lang: str) -> Table:
    """Key figures of several centres, side by side (one column per centre)."""
    return Table(
        "centres",
        gettext(lang, N_("The centres side by side")),
        [gettext(lang, N_("Figure")), *centre_names],
        [[gettext(lang, label), *(value(r) for r in reports)] for label, value in COMPARED],
    )


def compare_charts(reports: Sequence[CentreReport], centre_names: Sequence[str], lang: str) -> dict[str, Markup]:
    empty = gettext(lang, N_("No data in this period"))
    return {
        "tickets": bar_chart(
            "chart-compare-tickets",
            gettext(lang, N_("Visitors and items served per centre")),
            list(centre_names),
            [
                Series(gettext(lang, N_("Visitors (tickets issued)")), [r.tickets for r in reports]),
                Series(gettext(lang, N_("Items served")), [r.served_items for r in reports]),
            ],
            unit=gettext(lang, N_("people")),
            empty_text=empty,
        ),
        "waits": bar_chart(
            "chart-compare-waits",
            gettext(lang, N_("Waits per centre")),
            list(centre_names),
            [
                Series(gettext(lang, N_("Mean wait (min)")), [minutes(r.waits.mean_minutes) for r in reports]),
                Series(gettext(lang, N_("P90 wait (min)")), [minutes(r.waits.p90_minutes) for r in reports]),
            ],
            unit=gettext(lang, N_("min")),
            empty_text=empty,
        ),
    }


def period_title(lang: str, kind: PeriodKind, first: date, last: date) -> str:
    """The period as a heading: one date, or first – last."""
    name = gettext(lang, PERIOD_NAMES[kind])
    return f"{name} {first.isoformat()}" if first == last else f"{name} {first.isoformat()} – {last.isoformat()}"
