"""Checks shared by the applicant's records: text without control characters, sane dates,
identifiers (licence and policy numbers) and licensing jurisdictions."""

from __future__ import annotations

import re
from datetime import date

EARLIEST_DATE = date(1950, 1, 1)
YEARS_AHEAD = 20
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/ .]{0,39}$")
# Control characters: none in one-line fields; only line breaks and tabs in free text.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_PLACE_NAME = re.compile(r"^[^\W\d_]+(?:[ .,'()\-]+[^\W\d_]+)*[.)]?$")

US_JURISDICTIONS = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}
_US_BY_NAME = {name.casefold(): code for code, name in US_JURISDICTIONS.items()}
_US_BY_NAME["us virgin islands"] = "VI"
_US_BY_NAME["virgin islands"] = "VI"
_US_BY_NAME["washington dc"] = "DC"
_US_BY_NAME["washington d.c."] = "DC"
_WHOLE_US = {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america", "america"}


class ValidationProblem(ValueError):
    """A value is not acceptable; `message` tells the person what to enter instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(
    value: str | None, *, max_length: int, min_length: int = 1, multiline: bool = False
) -> str:
    """Strip `value` and check its length and characters; raise ValidationProblem."""
    value = (value or "").strip()
    if multiline:
        value = value.replace("\r\n", "\n")
    if len(value) < min_length:
        if min_length <= 1:
            raise ValidationProblem("This field is required.")
        raise ValidationProblem(f"Use at least {min_length} characters.")
    if len(value) > max_length:
        raise ValidationProblem(f"Use at most {max_length} characters.")
    pattern = _CONTROL_TEXT if multiline else _CONTROL_LINE
    if pattern.search(value):
        raise ValidationProblem("Remove the control characters from this text.")
    if "<" in value and not multiline:
        raise ValidationProblem("Use letters, digits and ordinary punctuation only.")
    return value


def identifier(value: str | None, what: str) -> str:
    """A licence or policy number: 1-40 letters, digits, hyphens, slashes, spaces or dots."""
    value = " ".join((value or "").split())
    if not value:
        raise ValidationProblem(f"Enter the {what}.")
    if len(value) > 40:
        raise ValidationProblem(f"The {what} has at most 40 characters.")
    if not _IDENTIFIER.match(value):
        raise ValidationProblem(
            f"The {what} may contain letters, digits, hyphens, slashes, spaces and dots only."
        )
    return value


def latest_date(today: date) -> date:
    """The furthest date accepted ahead of `today`."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def sane_date(value: date | None, today: date, *, not_future: bool = False) -> date:
    """A date between 1950 and 20 years ahead (or today when `not_future`)."""
    if value is None:
        raise ValidationProblem("Enter a date.")
    if value < EARLIEST_DATE:
        raise ValidationProblem(f"Enter a date on or after {EARLIEST_DATE.isoformat()}.")
    if not_future and value > today:
        raise ValidationProblem("This date cannot be in the future.")
    if value > latest_date(today):
        raise ValidationProblem(f"Enter a date at most {YEARS_AHEAD} years ahead.")
    return value


def jurisdiction(value: str | None) -> str:
    """A US state or territory (as its two-letter code) or a country's name.

    "ca", "California" and "CA" all give "CA"; a country name is kept as entered, tidied.
    """
    text = " ".join((value or "").split())
    if not text:
        raise ValidationProblem("Enter the state (for example CA) or the country.")
    if len(text) > 60:
        raise ValidationProblem("Use at most 60 characters.")
    if len(text) == 2:
        code = text.upper()
        if code in US_JURISDICTIONS:
            return code
        raise ValidationProblem(
            "This is not a US state or territory code; for another country, enter its name."
        )
    folded = text.casefold()
    if folded in _US_BY_NAME:
        return _US_BY_NAME[folded]
    if folded in _WHOLE_US:
        raise ValidationProblem(
            "For a US licence, enter the state that issued it (for example CA)."
        )
    if len(text) < 3 or _CONTROL_LINE.search(text) or not _PLACE_NAME.match(text):
        raise ValidationProblem(
            "Enter a US state code (for example CA) or a country's name in letters."
        )
    return text
