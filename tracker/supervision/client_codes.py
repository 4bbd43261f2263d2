"""De-identified client codes: never a name, contact detail, date or record number, never
derived from the client (HIPAA 45 CFR 164.514(c)). The tracker offers random codes and refuses
anything that looks like an identifier.

A code is read in its NFKC form (full-width and compatibility letters become plain ones: a long
s, U+017F, is read as "s") and must then be plain ASCII: letters such as the dotless i (U+0131),
which upper-case to a plain "I", would otherwise slip a name past the checks.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from tracker.privacy.identifiers import find_identifiers
from tracker.privacy.identifiers import holds_names

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read back
CODE_PREFIX = "KC-"
CODE_LENGTH = 6

_ALLOWED = re.compile(r"^[A-Z0-9-]{4,16}$")
_EMAIL = re.compile(r"\S+@\S+|\b[\w.+-]+\s*(\(at\)|\[at\])\s*[\w-]+", re.IGNORECASE)
# 7 or more digits, optionally separated by spaces, dots, dashes, slashes or brackets.
_PHONE = re.compile(r"\+?\(?\d(?:[\s.\-/()]*\d){6,}")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE_PATTERNS = (
    # 1985-03-02, 1985/3/2, 1985.03.02
    re.compile(r"(?<!\d)(1[89]|20)\d\d[\s./-]\d{1,2}[\s./-]\d{1,2}(?!\d)"),
    # 03/02/1985, 2.3.85, 02-03-1985
    re.compile(r"(?<!\d)\d{1,2}[\s./-]\d{1,2}[\s./-](\d{4}|\d{2})(?!\d)"),
    # 2 Mar 1985, 2-mar-85, 2nd March 1985
    re.compile(rf"(?<![a-z0-9])\d{{1,2}}(st|nd|rd|th)?[\s./,-]*({_MONTHS})(?![a-z])", re.I),
    # Mar 2 1985, March 2nd, 1985, MAR85, March 1985
    re.compile(rf"(?<![a-z])({_MONTHS})[\s./,-]*\d{{1,4}}", re.I),
)
# Date parts separated by letters (DOB1985X03X02, 02M03Y1985) read as a date too.
_LETTER_SEPARATED_DATES = (
    re.compile(r"(?<!\d)(1[89]|20)\d\d[A-Z]\d{1,2}[A-Z]\d{1,2}(?!\d)", re.I),
    re.compile(r"(?<!\d)\d{1,2}[A-Z]\d{1,2}[A-Z](1[89]|20)\d\d(?!\d)", re.I),
)
_DATE_MARKER = re.compile(r"(?<![A-Z])(DOB|DOD)(?![A-Z])", re.I)  # date of birth, of death
_RECORD_MARKER = re.compile(r"(?<![A-Z])(MRN|SSN|NHS)(?![A-Z])", re.I)
_LONG_NUMBER = re.compile(r"\d{6,}")
_TWO_CAPITALISED = re.compile(r"\b[A-Z][a-z]+[\s.\-_']+[A-Z][a-z]+\b")
_LETTERS_ONLY = re.compile(r"^[^\W\d_][^\W\d_\s'.-]*([\s'.-]+[^\W\d_]+)*$")

NAME_MESSAGE = (
    "This looks like a name. Use a de-identified code (such as the one offered), never the "
    "client's name or initials."
)
INITIALS_MESSAGE = (
    "This looks like initials. Use a de-identified code (such as the one offered), never the "
    "client's initials, with or without digits."
)
EMAIL_MESSAGE = "This looks like an e-mail address. Use a de-identified code instead."
PHONE_MESSAGE = "This looks like a phone number. Use a de-identified code instead."
DATE_MESSAGE = "This looks like a date (such as a date of birth). Use a de-identified code instead."
RECORD_MESSAGE = (
    "This looks like a record number (a medical record or social security number, or 6 or more "
    "digits in a row). Use a de-identified code instead."
)
ASCII_MESSAGE = (
    "Use only the letters A-Z, digits 0-9 and '-': accented, dotless or look-alike letters are "
    "not accepted (they can hide a name)."
)
FORMAT_MESSAGE = (
    "Use 4 to 16 characters: capital letters A-Z, digits 0-9 and '-', with at least one "
    "letter and one digit."
)


def _plausible_date(digits: str) -> bool:
    """True when a run of 6-8 digits reads as a calendar date in a common order."""
    candidates: list[tuple[int, int, int]] = []
    if len(digits) == 8:
        candidates += [
            (int(digits[:4]), int(digits[4:6]), int(digits[6:])),  # YYYYMMDD
            (int(digits[4:]), int(digits[2:4]), int(digits[:2])),  # DDMMYYYY
            (int(digits[4:]), int(digits[:2]), int(digits[2:4])),  # MMDDYYYY
        ]
    elif len(digits) == 6:
        for year in (1900 + int(digits[4:]), 2000 + int(digits[4:])):
            candidates += [
                (year, int(digits[2:4]), int(digits[:2])),  # DDMMYY
                (year, int(digits[:2]), int(digits[2:4])),  # MMDDYY
            ]
        for year in (1900 + int(digits[:2]), 2000 + int(digits[:2])):
            candidates.append((year, int(digits[2:4]), int(digits[4:])))  # YYMMDD
    for year, month, day in candidates:
        if not 1900 <= year <= 2100:
            continue
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _looks_like_date(text: str) -> bool:
    if any(p.search(text) for p in (*_DATE_PATTERNS, *_LETTER_SEPARATED_DATES)):
        return True
    if _DATE_MARKER.search(text):
        return True
    for run in re.finditer(r"\d+", text):
        digits = run.group()
        if len(digits) in (6, 8) and _plausible_date(digits):
            return True
    return False


def _name_shaped(code: str) -> bool:
    """True when an upper-case code reads as words and a number (JOHN-SMITH-7, SMITH-1): two
    letters-only parts of 3 or more letters, or one beside a digits-only part."""
    parts = code.split("-")
    words = [i for i, part in enumerate(parts) if len(part) >= 3 and part.isalpha()]
    if len(words) >= 2:
        return True
    numbers = {i for i, part in enumerate(parts) if part.isdigit()}
    return any(i - 1 in numbers or i + 1 in numbers for i in words)


# Initials alone or beside a number: JD01, JD-01, 01JD, J.D., J.D.7 (after the tracker's own
# "KC-" prefix, which is no one's initials).
_INITIALS = (
    re.compile(r"^[A-Z]{2,3}[-. ]?\d{1,4}$"),
    re.compile(r"^\d{1,4}[-. ]?[A-Z]{2,3}$"),
    re.compile(r"^([A-Z]\.\s?){1,3}[A-Z]\.?[-. ]?\d{0,4}$"),
)
_FINDING_MESSAGES = {
    "name": NAME_MESSAGE,
    "initials": INITIALS_MESSAGE,
    "email": EMAIL_MESSAGE,
    "phone": PHONE_MESSAGE,
    "date": DATE_MESSAGE,
    "dob": DATE_MESSAGE,
    "address": RECORD_MESSAGE,
    "record": RECORD_MESSAGE,
}


def _initials(code: str) -> bool:
    """True when an upper-case code reads as initials, with or without digits."""
    body = code.removeprefix(CODE_PREFIX)
    return any(pattern.match(body) for pattern in _INITIALS)


def _holds_a_name(code: str) -> bool:
    """True when a run of 3 or more letters of an upper-case code is a common first name or
    surname, or two of them run together (MARIALOPEZ1), in the bundled list."""
    body = code.removeprefix(CODE_PREFIX)
    return any(holds_names(run) for run in re.findall(r"[A-Z]{3,}", body))


def code_problem(value: str | None) -> str | None:
    """Why `value` cannot be a client code, or None when it is acceptable."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return "Enter the client code."
    if len(text) > 64:
        return FORMAT_MESSAGE
    if not text.isascii():
        return ASCII_MESSAGE
    if _EMAIL.search(text):
        return EMAIL_MESSAGE
    if _looks_like_date(text):
        return DATE_MESSAGE
    if _PHONE.search(text):
        return PHONE_MESSAGE
    if _RECORD_MARKER.search(text) or _LONG_NUMBER.search(text):
        return RECORD_MESSAGE
    code = text.upper()
    if _initials(code):
        return INITIALS_MESSAGE
    if _TWO_CAPITALISED.search(text) or _LETTERS_ONLY.match(text) or _name_shaped(code):
        return NAME_MESSAGE
    if _holds_a_name(code):
        return NAME_MESSAGE
    findings = find_identifiers(text)
    if findings:
        return _FINDING_MESSAGES[findings[0].kind]
    if not _ALLOWED.match(code):
        return FORMAT_MESSAGE
    if not re.search(r"\d", code) or not re.search(r"[A-Z]", code):
        return FORMAT_MESSAGE
    return None


def normalise(value: str) -> str:
    """The stored form of an acceptable code (NFKC, trimmed, upper case)."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def new_client_code() -> str:
    """A random code such as KC-7QX4M2, drawn with `secrets` and never from client data."""
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = CODE_PREFIX + body
        if code_problem(code) is None:
            return code
