"""The domain's explanation phrases: written once, read back to their parts, and each one has a page message."""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal

import pytest

from hall.pages.staffing_words import PHRASES as PAGE_PHRASES
from hall.pages.staffing_words import Words
from staffing.domain.assessment import Component
from staffing.domain.wording import PHRASES, read_phrase, say

pytestmark = pytest.mark.unit


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_phrase_has_a_page_message_with_the_same_parts() -> None:
    assert PAGE_PHRASES.keys() == PHRASES.keys()
    for key, template in PHRASES.items():
        assert set(re.findall(r"%\((\w+)\)s", PAGE_PHRASES[key])) == _names(template), key
        # the message id is the phrase itself: an English page shows exactly what the API serves
        assert re.sub(r"%\((\w+)\)s", r"{\1}", PAGE_PHRASES[key]) == template, key


def _example(name: str) -> str:
    return {"level": "L3", "month": "2026-10", "basis": "3,000.00 × 18/20 days = 2,700.00"}.get(
        name, f"4,9{len(name)}.5"
    )


def test_a_phrase_is_read_back_to_its_key_and_parts() -> None:
    for key, template in PHRASES.items():
        parts = {name: _example(name) for name in _names(template)}
        text = say(key, **parts)
        assert read_phrase(text) == (key, parts), key


def test_texts_written_before_the_phrases_existed_are_read_and_others_are_left_alone() -> None:
    # as stored by the assessments and pay records computed before this module (the review's database)
    assert read_phrase("511 items, 4,939.00 standard min") == ("served", {"items": "511", "minutes": "4,939.00"})
    assert read_phrase("3,000.00 × 18/18 days = 3,000.00") == (
        "prorated",
        {"amount": "3,000.00", "worked": "18", "working": "18", "value": "3,000.00"},
    )
    level = read_phrase("L3 三级: 3,000.00 × 18/18 days = 3,000.00")
    assert level is not None
    assert level[0] == "level_pay"
    assert level[1]["basis"] == "3,000.00 × 18/18 days = 3,000.00"
    for other in ("3 × −2", "100", "(12 + 20 × 95.00%) / (14 + 20) = 91.18% × 60", "更正 2026-10: 漏发", "迟到 2 次"):
        assert read_phrase(other) is None, other


def test_a_chinese_page_shows_the_explanation_with_its_numbers_and_an_english_page_as_served() -> None:
    served = say("served", items=511, minutes="4,939.00")
    assert Words("zh_CN").text(served) == "511 件事项，标准工时 4,939.00 分钟"
    assert Words("en").text(served) == served
    nested = say("level_pay", level="L3", level_zh="三级", basis=say("prorated", amount="3,000.00", worked=18,
                                                                     working=20, value="2,700.00"))  # fmt: skip
    assert Words("zh_CN").text(nested) == "L3 三级：3,000.00 × 18/20 天 = 2,700.00"
    assert Words("zh_CN").text("工牌遗失") == "工牌遗失"  # a manager's reason as typed


def test_a_pay_history_entry_names_its_parts_in_the_readers_words() -> None:
    zh = Words("zh_CN")
    assert zh.detail("net", "4080.00") == "实发金额：4080.00"
    assert zh.detail("grade", "good") == "等次：良好"
    assert zh.detail("unknownKey", "x") == "unknownKey：x"  # stored by a later version: shown as stored
    assert Words("en").detail("previousNet", Decimal("1.00")) == "Net pay before: 1.00"
    assert Words("en").detail("in", date(2026, 11, 1)) == "Paid with the month: 2026-11-01"


def test_a_score_line_of_a_component_is_named_as_the_components_section() -> None:
    efficiency = Component.EFFICIENCY
    assert Words("zh_CN").part(efficiency.label_zh, efficiency.label_en) == "服务效率"  # not the stored "效率"
    satisfaction = Component.SATISFACTION
    assert Words("en").part(satisfaction.label_zh, satisfaction.label_en) == "Satisfaction (service ratings)"
    assert Words("en").part("加分", "Bonus") == "Bonus"
    assert Words("zh_CN").part("加分", "Bonus") == "加分"


def test_integrity_evidence_and_pay_bases_read_in_chinese() -> None:
    zh = Words("zh_CN")
    evidence = say("rate_flag", count=108, n=128, share="84.38%", centre="61.20%", p="1.20e-05", significance="0.01")
    assert zh.text(evidence) == "108/128 = 84.38%，中心为 61.20%；按中心比率出现该值或更高的概率 1.20e-05 < 0.01"
    pad = say("quick_pad", device="PAD-3", quick=9, total=10, share="90.00%", seconds="3")
    assert zh.text(pad) == "评价器 PAD-3：9/10（90.00%）的评价在办结后 3 秒内作出"
    assert zh.text(say("carried_in", month="2026-09")) == "2026-09 未扣完的扣款"
    assert zh.text(say("half_days_pay", units=2, price="50.00")) == "2 个半天 × 50.00"
