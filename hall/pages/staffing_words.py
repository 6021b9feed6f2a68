"""The staffing explanations in the reader's language: score lines, integrity evidence, pay bases, pay history.

The services serve each explanation as the domain wrote it, in English (``staffing.domain.wording``). A page
finds the phrase and its numbers again and writes them through gettext; a text that is no phrase (a formula of
numbers, a reason a manager typed, a row written before a phrase existed) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from hall.pages import labels
from hall.pages.i18n import N_, gettext
from staffing.domain.assessment import Component, Grade
from staffing.domain.wording import NESTED, read_phrase

PHRASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "served": N_("%(items)s items, %(minutes)s standard min"),
        "hours": N_("%(hours)s h"),
        "rate_flat": N_("%(rate)s standard min/h; centre median is 0, so the median score applies to a rate of 0"),
        "rate": N_("%(score)s × %(rate)s / %(median)s (centre median standard min/h)"),
        "no_committed": N_("no committed cases: nothing to deduct"),
        "no_items": N_("no items served: nothing to deduct"),
        "service_time": N_(
            "actual %(actual)s min vs expected %(expected)s min (%(standard)s standard × %(factor)s for %(level)s)"
        ),
        "over": N_("%(over)s over × −%(penalty)s per percentage point"),
        "shrunk_fallback": N_(
            "(%(count)s + %(k)s × %(prior)s (no centre ratings: configured fallback)) / (%(n)s + %(k)s)"
            " = %(rate)s × %(points)s"
        ),
        "pending": N_("%(count)s, not counted"),
        "half_days_points": N_("%(count)s half-day(s) × −%(points)s"),
        "floor": N_("not below %(low)s"),
        "cap": N_("at most %(high)s"),
        "rate_flag": N_(
            "%(count)s/%(n)s = %(share)s vs centre %(centre)s; chance of this or higher at the centre rate %(p)s"
            " < %(significance)s"
        ),
        "quick_pad": N_(
            "pad %(device)s: %(quick)s/%(total)s (%(share)s) ratings within %(seconds)s s of the end of service"
        ),
        "easy_mix": N_(
            "mean %(mean)s standard min per item over %(items)s items vs centre %(centre)s (below %(ratio)s of it)"
        ),
        "performance_prorated": N_("%(base)s × %(coefficient)s (%(grade)s) × %(worked)s/%(working)s days = %(amount)s"),
        "prorated": N_("%(amount)s × %(worked)s/%(working)s days = %(value)s"),
        "level_pay": N_("%(level)s %(level_zh)s: %(basis)s"),
        "half_days_pay": N_("%(units)s half-days × %(price)s"),
        "carried_in": N_("deductions not covered in %(month)s"),
        "carried_over": N_(
            "deductions %(deductions)s exceed gross %(gross)s; net pay is not negative, so %(carried)s is deducted"
            " in %(month)s"
        ),
    }
)
DETAILS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "net": N_("Net pay"),
        "previousNet": N_("Net pay before"),
        "grade": N_("Grade"),
        "rule": N_("Pay rule"),
        "note": N_("Note"),
        "kind": N_("Kind"),
        "amount": N_("Amount (yuan)"),
        "reason": N_("Reason"),
        "in": N_("Paid with the month"),
        "of": N_("Corrected month"),
        "record": N_("Pay record"),
        "adjustment": N_("Adjustment"),
        "corrects": N_("Corrected record"),
    }
)
"""The parts of a pay history entry, by the key the pay service stores."""


class Words:
    """The explanations of one page, in its language (passed to the templates as ``words``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def text(self, text: str) -> str:
        """An explanation the domain wrote (a score line's value, a flag's evidence, a pay line's basis)."""
        found = read_phrase(text)
        if found is None:
            return text
        key, parts = found
        for name in NESTED & parts.keys():
            parts[name] = self.text(parts[name])
        return gettext(self.lang, PHRASES[key], **parts)

    def part(self, label_zh: str, label_en: str) -> str:
        """A score line's part: a component by the name its section has on the page, else the line's own label."""
        for component in Component:
            if (label_zh, label_en) == (component.label_zh, component.label_en):
                return gettext(self.lang, labels.COMPONENTS[component])
        return label_en if self.lang == "en" and label_en else label_zh

    def detail(self, key: str, value: object) -> str:
        """One part of a pay history entry: its name and value in the reader's words (unknown keys as stored)."""
        shown = str(value)
        if key == "grade" and shown in {g.value for g in Grade}:
            shown = gettext(self.lang, labels.GRADES[Grade(shown)])
        elif key == "kind" and shown in labels.PAY_ADJUSTMENT_KINDS:
            shown = gettext(self.lang, labels.PAY_ADJUSTMENT_KINDS[shown])
        name = gettext(self.lang, DETAILS[key]) if key in DETAILS else key
        return gettext(self.lang, N_("%(field)s: %(reason)s"), field=name, reason=shown)
