"""The shared checks: jurisdictions, identifiers, dates and text."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.eligibility.validation import ValidationProblem
from tracker.eligibility.validation import clean_text
from tracker.eligibility.validation import identifier
from tracker.eligibility.validation import jurisdiction
from tracker.eligibility.validation import sane_date

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("ca", "CA"),
        (" California ", "CA"),
        ("pr", "PR"),
        ("District of Columbia", "DC"),
        ("Canada", "Canada"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),
        ("United   Kingdom", "United Kingdom"),
    ],
)
def test_jurisdictions_accepted(entered, stored):
    assert jurisdiction(entered) == stored


@pytest.mark.parametrize(
    "entered", ["", "XX", "US", "United States", "C4nada", "<b>Canada</b>", "x" * 61]
)
def test_jurisdictions_refused(entered):
    with pytest.raises(ValidationProblem):
        jurisdiction(entered)


def test_identifiers_are_tidied_and_bounded():
    assert identifier("  AB  12.3/4-5 ", "number") == "AB 12.3/4-5"
    assert identifier("X" * 40, "number") == "X" * 40
    for bad in ("", "X" * 41, "A_1", "#1", "A\x001"):
        with pytest.raises(ValidationProblem):
            identifier(bad, "number")


def test_dates_between_1950_and_twenty_years_ahead():
    assert sane_date(date(1950, 1, 1), TODAY) == date(1950, 1, 1)
    assert sane_date(date(2046, 11, 27), TODAY) == date(2046, 11, 27)
    for bad in (date(1949, 12, 31), date(2046, 11, 28), None):
        with pytest.raises(ValidationProblem):
            sane_date(bad, TODAY)
    with pytest.raises(ValidationProblem):
        sane_date(date(2026, 11, 28), TODAY, not_future=True)
    assert sane_date(date(2028, 2, 29), date(2028, 2, 29)) == date(2028, 2, 29)


def test_text_refuses_control_characters_but_keeps_line_breaks_where_allowed():
    assert clean_text("a\r\nb", max_length=10, multiline=True) == "a\nb"
    with pytest.raises(ValidationProblem):
        clean_text("a\nb", max_length=10)
    with pytest.raises(ValidationProblem):
        clean_text("a\x1bb", max_length=10, multiline=True)
    with pytest.raises(ValidationProblem):
        clean_text("abc", max_length=2)
