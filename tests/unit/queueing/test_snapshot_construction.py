"""The fast constructors build the very objects the dataclass constructors build, with the same checks."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from hall.domain import ItemRequirement, ServiceDomain
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup
from queueing.domain import (
    AppointmentSlot,
    CallDecision,
    CallReason,
    WaitingTicket,
    new_call_decision,
    new_waiting_ticket,
)

pytestmark = pytest.mark.unit

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
DEED = ItemRequirement("RE-DEED", ServiceDomain.REAL_ESTATE)
SLOT = AppointmentSlot(NOW, NOW + timedelta(minutes=30))

TICKETS = [
    ("T1", "A001", (DEED,), NOW, 1),
    ("T2", "A002", (DEED,), NOW, 2, PriorityGroup.ELDERLY, SLOT, "W3", timedelta(minutes=20)),
    ("T3", "A003", (DEED,), NOW, 3, None, None, None, None),
]


@pytest.mark.parametrize("fields", TICKETS)
def test_a_fast_waiting_ticket_equals_the_constructed_one_field_by_field(fields: tuple[object, ...]) -> None:
    fast = new_waiting_ticket(*fields)  # type: ignore[arg-type]
    slow = WaitingTicket(*fields)  # type: ignore[arg-type]
    assert type(fast) is WaitingTicket
    assert fast == slow
    assert hash(fast) == hash(slow)
    for field in dataclasses.fields(WaitingTicket):
        assert getattr(fast, field.name) == getattr(slow, field.name), field.name


def test_a_fast_waiting_ticket_is_immutable_and_replaceable() -> None:
    fast = new_waiting_ticket("T1", "A001", (DEED,), NOW, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.number = "B001"  # type: ignore[misc]
    assert dataclasses.replace(fast, number="B001").number == "B001"


@pytest.mark.parametrize(
    ("items", "promise_wait", "field"),
    [((), None, "items"), ((DEED,), timedelta(0), "promiseWait"), ((DEED,), timedelta(minutes=-1), "promiseWait")],
)
def test_the_fast_constructor_refuses_what_the_dataclass_refuses(
    items: tuple[ItemRequirement, ...], promise_wait: timedelta | None, field: str
) -> None:
    for build in (WaitingTicket, new_waiting_ticket):
        with pytest.raises(DomainRuleViolation) as refused:
            build("T1", "A001", items, NOW, 1, promise_wait=promise_wait)
        assert refused.value.field == field


def test_a_fast_call_decision_equals_the_constructed_one() -> None:
    fast = new_call_decision("T1", CallReason.FAIRNESS, "fairness: waited 21 min", False)
    slow = CallDecision("T1", CallReason.FAIRNESS, "fairness: waited 21 min", False)
    assert type(fast) is CallDecision
    assert fast == slow
    assert [getattr(fast, f.name) for f in dataclasses.fields(CallDecision)] == [
        "T1",
        CallReason.FAIRNESS,
        "fairness: waited 21 min",
        False,
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.detail = "x"  # type: ignore[misc]
