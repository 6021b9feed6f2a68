"""Ticket numbers: prefix plus the zero-padded daily sequence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.domain import DomainRuleViolation
from queueing.domain import check_ticket_prefix, format_ticket_number

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("prefix", "sequence", "expected"),
    [
        ("A", 1, "A001"),
        ("A", 42, "A042"),
        ("Z", 999, "Z999"),
        ("A", 1000, "A1000"),
        ("AB", 7, "AB007"),
        ("GD", 12345, "GD12345"),
    ],
)
def test_ticket_number_is_the_prefix_and_the_sequence_padded_to_three_digits(
    prefix: str, sequence: int, expected: str
) -> None:
    assert format_ticket_number(prefix, sequence) == expected


@pytest.mark.parametrize("prefix", ["", "a", "ABC", "A1", "1", "-", "Ä", "Ａ", " A"])
def test_a_prefix_that_is_not_one_or_two_uppercase_letters_is_refused(prefix: str) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        format_ticket_number(prefix, 1)
    assert caught.value.field == "prefix"


@pytest.mark.parametrize("sequence", [0, -1])
def test_a_sequence_below_one_is_refused(sequence: int) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        format_ticket_number("A", sequence)
    assert caught.value.field == "sequence"


def test_a_valid_prefix_is_returned_unchanged() -> None:
    assert check_ticket_prefix("GD") == "GD"


@given(sequence=st.integers(1, 10**6))
def test_the_number_always_reads_back_to_its_sequence(sequence: int) -> None:
    number = format_ticket_number("B", sequence)
    assert number[0] == "B"
    assert int(number[1:]) == sequence
    assert len(number) == 1 + max(3, len(str(sequence)))
