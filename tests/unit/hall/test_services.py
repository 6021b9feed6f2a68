"""Pure helpers of the hall services: the change-log diff and a centre's rules read back from stored JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall import schemas as s
from hall.domain.calendar import DayKind
from hall.domain.centres import DEFAULT_PRIORITY_GROUPS, HallRules
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from hall.domain.windows import WindowStatus
from hall.services import diff, rules_from_json
from hall.services._centres import _rules_json

pytestmark = pytest.mark.unit

DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)
CENTRE = UUID("01890a5d-ac96-774b-bcce-b302099a8057")
OTHER_CENTRE = UUID("01890a5d-ac96-774b-bcce-b302099a8058")


# --- diff ---------------------------------------------------------------------------------------------------------
def test_only_changed_fields_are_in_the_diff_as_old_and_new() -> None:
    before = {"name_zh": "综合窗口1", "is_active": True, "number": 1}
    after = {"name_zh": "综合窗口一", "is_active": True, "number": 1}

    assert diff(before, after) == {"name_zh": ["综合窗口1", "综合窗口一"]}


def test_identical_records_have_an_empty_diff() -> None:
    record = {"kind": "holiday", "name": "国庆节", "on": date(2026, 10, 1)}

    assert diff(record, dict(record)) == {}


def test_a_field_present_on_one_side_only_changes_from_or_to_none() -> None:
    assert diff({}, {"kind": "holiday"}) == {"kind": [None, "holiday"]}
    assert diff({"kind": "holiday"}, {}) == {"kind": ["holiday", None]}


def test_a_field_that_is_none_on_both_sides_is_unchanged() -> None:
    assert diff({"daily_ticket_cap": None}, {}) == {}


def test_diff_keys_come_out_sorted() -> None:
    before = {"zeta": 1, "alpha": 1, "mid": 1}
    after = {"mid": 2, "zeta": 2, "alpha": 2, "beta": 2}

    assert list(diff(before, after)) == ["alpha", "beta", "mid", "zeta"]


@pytest.mark.parametrize(
    ("old", "new", "plain"),
    [
        (WindowStatus.IN_SERVICE, WindowStatus.OUT_OF_SERVICE, ["in_service", "out_of_service"]),
        (DayKind.HOLIDAY, DayKind.WORKDAY, ["holiday", "workday"]),
        (SkillLevel.L4, SkillLevel.L3, [4, 3]),
        (date(2026, 9, 30), date(2026, 10, 8), ["2026-09-30", "2026-10-08"]),
        (
            datetime(2026, 10, 8, 1, 0, tzinfo=UTC),
            datetime(2026, 10, 8, 2, 30, tzinfo=UTC),
            ["2026-10-08T01:00:00+00:00", "2026-10-08T02:30:00+00:00"],
        ),
        (time(9, 0), time(8, 30), ["09:00:00", "08:30:00"]),
        (CENTRE, OTHER_CENTRE, [str(CENTRE), str(OTHER_CENTRE)]),
        (
            (PriorityGroup.EMERGENCY,),
            [PriorityGroup.EMERGENCY, PriorityGroup.ELDERLY],
            [["emergency"], ["emergency", "elderly"]],
        ),
        ({"on": date(2026, 1, 1)}, {"on": date(2026, 1, 2)}, [{"on": "2026-01-01"}, {"on": "2026-01-02"}]),
    ],
    ids=["str enum", "day kind", "int enum", "date", "datetime", "time", "uuid", "tuple of enums", "nested dict"],
)
def test_diff_values_are_json_safe(old: Any, new: Any, plain: list[Any]) -> None:
    changes = diff({"field": old}, {"field": new})

    assert changes == {"field": plain}
    assert json.loads(json.dumps(changes)) == changes


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"status": WindowStatus.IN_SERVICE}, {"status": "in_service"}),
        ({"level": SkillLevel.L3}, {"level": 3}),
        ({"on": date(2026, 10, 1)}, {"on": "2026-10-01"}),
        ({"centre": CENTRE}, {"centre": str(CENTRE)}),
        ({"groups": ("emergency", "elderly")}, {"groups": ["emergency", "elderly"]}),
    ],
    ids=["enum vs value", "int enum vs int", "date vs iso text", "uuid vs text", "tuple vs list"],
)
def test_a_row_value_and_its_wire_form_count_as_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert diff(before, after) == {}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
RECORDS = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), JSONISH, max_size=4)


@DETERMINISTIC
@given(before=RECORDS, after=RECORDS)
def test_diff_swapped_is_the_same_fields_with_old_and_new_swapped(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    forward, backward = diff(before, after), diff(after, before)

    assert list(forward) == list(backward)
    assert all(backward[key] == [new, old] for key, (old, new) in forward.items())


@DETERMINISTIC
@given(record=RECORDS)
def test_a_record_never_differs_from_itself(record: dict[str, Any]) -> None:
    assert diff(record, record) == {}


# --- rules_from_json ----------------------------------------------------------------------------------------------
def test_empty_stored_rules_are_the_defaults() -> None:
    assert rules_from_json({}) == HallRules()


def test_stored_rules_keep_their_values_and_missing_keys_take_defaults() -> None:
    rules = rules_from_json({"elderly_age": 80, "daily_ticket_cap": 300, "calling_policy": "fifo"})

    assert (rules.elderly_age, rules.daily_ticket_cap, rules.calling_policy) == (80, 300, "fifo")
    assert rules.max_recalls == HallRules().max_recalls
    assert rules.priority_groups == DEFAULT_PRIORITY_GROUPS


def test_unknown_stored_keys_are_ignored_including_camel_case_spellings() -> None:
    rules = rules_from_json({"elderly_age": 75, "elderlyAge": 60, "retired_rule": True, "": 1})

    assert rules.elderly_age == 75


def test_stored_priority_groups_are_parsed_into_a_tuple_of_groups_in_order() -> None:
    rules = rules_from_json({"priority_groups": ["emergency", "military", "elderly"]})

    assert rules.priority_groups == (PriorityGroup.EMERGENCY, PriorityGroup.MILITARY, PriorityGroup.ELDERLY)
    assert all(isinstance(g, PriorityGroup) for g in rules.priority_groups)


def test_stored_null_for_the_daily_cap_means_no_cap() -> None:
    assert rules_from_json({"daily_ticket_cap": None}).daily_ticket_cap is None


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        ({"elderly_age": 40}, "rules.elderlyAge"),
        ({"daily_ticket_cap": 0}, "rules.dailyTicketCap"),
        ({"priority_groups": ["elderly"]}, "rules.priorityGroups"),
        ({"priority_groups": []}, "rules.priorityGroups"),
    ],
)
def test_stored_rules_are_validated_like_new_ones(stored: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        rules_from_json(stored)

    assert caught.value.field == field


@pytest.mark.parametrize(
    "wire",
    [
        s.HallRulesWire(),
        s.HallRulesWire(
            calling_policy="fifo",
            elderly_age=80,
            daily_ticket_cap=250,
            priority_groups=[PriorityGroup.EMERGENCY, PriorityGroup.DISABLED],
            appointment_ban_days=0,
        ),
    ],
    ids=["defaults", "customised"],
)
def test_rules_survive_being_stored_as_json_and_read_back(wire: s.HallRulesWire) -> None:
    stored = json.loads(json.dumps(_rules_json(wire)))

    rules = rules_from_json(stored)

    expected = {f: getattr(wire, f) for f in wire.__struct_fields__}
    assert {f: getattr(rules, f) for f in wire.__struct_fields__} == {
        **expected,
        "priority_groups": tuple(wire.priority_groups),
    }


def test_the_default_wire_rules_match_the_default_domain_rules() -> None:
    assert rules_from_json(_rules_json(s.HallRulesWire())) == HallRules()


def test_the_wire_rules_carry_exactly_the_domain_rules_fields_and_defaults() -> None:
    from hall.domain.centres import HallRules
    from hall.schemas import HallRulesWire

    wire = HallRulesWire()
    domain = HallRules()
    assert set(wire.__struct_fields__) == set(HallRules.__dataclass_fields__)
    for name in HallRules.__dataclass_fields__:
        expected = getattr(domain, name)
        actual = getattr(wire, name)
        assert (list(expected) if isinstance(expected, tuple) else expected) == actual, name
