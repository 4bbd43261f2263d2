"""Amounts typed as dollars become integer cents through Decimal; anything odd is refused."""

import pytest

from tracker.core.errors import Refused
from tracker.finance.services import parse_amount


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,250.00", 125_000),
        ("1250.5", 125_050),
        ("1250", 125_000),
        ("$80", 8_000),
        (" 0.01 ", 1),
        ("100,000.00", 10_000_000),
        ("0.10", 10),
    ],
)
def test_amounts_read_as_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount."),
        ("-5", "minus sign"),
        ("$-5.00", "minus sign"),
        ("0", "above zero"),
        ("0.00", "above zero"),
        ("1.234", "two decimal places"),
        ("12.", "such as"),
        ("abc", "such as"),
        ("1e3", "such as"),
        ("NaN", "such as"),
        ("Infinity", "such as"),
        ("12,50", "such as"),
        ("1 250", "such as"),
        ("100000.01", "at most $100,000.00"),
        ("99999999999", "at most $100,000.00"),
        ("9" * 40, "such as"),
    ],
)
def test_odd_amounts_are_refused(text, message):
    with pytest.raises(Refused) as caught:
        parse_amount(text)
    assert message in caught.value.message
