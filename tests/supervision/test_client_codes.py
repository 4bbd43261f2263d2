"""Client codes: read in their NFKC form and then plain ASCII only; anything that looks like a
name, e-mail, phone number, date or record number is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import REFLECTION
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.supervision.client_codes import ASCII_MESSAGE
from tracker.supervision.client_codes import DATE_MESSAGE
from tracker.supervision.client_codes import EMAIL_MESSAGE
from tracker.supervision.client_codes import FORMAT_MESSAGE
from tracker.supervision.client_codes import INITIALS_MESSAGE
from tracker.supervision.client_codes import NAME_MESSAGE
from tracker.supervision.client_codes import PHONE_MESSAGE
from tracker.supervision.client_codes import RECORD_MESSAGE
from tracker.supervision.client_codes import code_problem
from tracker.supervision.client_codes import new_client_code
from tracker.supervision.models import SupervisedSession

REFUSED = [
    # names
    ("John Smith", NAME_MESSAGE),
    ("john smith", NAME_MESSAGE),
    ("JOHNSMITH", NAME_MESSAGE),
    ("Smith", NAME_MESSAGE),
    ("Mary-Jane", NAME_MESSAGE),
    ("O'Brien", NAME_MESSAGE),
    ("Jane Doe 42", NAME_MESSAGE),
    ("ABCD", NAME_MESSAGE),
    # e-mail addresses
    ("jane@example.org", EMAIL_MESSAGE),
    ("j.doe+kap@mail.example.com", EMAIL_MESSAGE),
    ("KC@1", EMAIL_MESSAGE),
    # phone numbers
    ("5551234567", PHONE_MESSAGE),
    ("555-123-4567", PHONE_MESSAGE),
    ("(555) 123 4567", PHONE_MESSAGE),
    ("+1 555 123 4567", PHONE_MESSAGE),
    ("555.1234", PHONE_MESSAGE),
    ("1234567", PHONE_MESSAGE),
    ("KC-5551234", PHONE_MESSAGE),
    # dates
    ("1985-03-02", DATE_MESSAGE),
    ("03/02/1985", DATE_MESSAGE),
    ("3/2/85", DATE_MESSAGE),
    ("19850302", DATE_MESSAGE),
    ("02031985", DATE_MESSAGE),
    ("2 Mar 1985", DATE_MESSAGE),
    ("March 2, 1985", DATE_MESSAGE),
    ("2-MAR-85", DATE_MESSAGE),
    ("KC-1985-03-02", DATE_MESSAGE),
    ("DOB020385", DATE_MESSAGE),
    # format
    ("", "Enter the client code."),
    ("A1", FORMAT_MESSAGE),
    ("KC-7QX4M2-ABCDEFGHJ", FORMAT_MESSAGE),
    ("KC_7QX4", FORMAT_MESSAGE),
    ("KC 7QX4", FORMAT_MESSAGE),
    ("1234", FORMAT_MESSAGE),
    ("x" * 10_000, FORMAT_MESSAGE),
    # names written as a code: words and a number, or two words
    ("john-smith-7", NAME_MESSAGE),
    ("JOHN-SMITH-X7", NAME_MESSAGE),
    ("7-JOHN-SMITH", NAME_MESSAGE),
    ("SMITH-1", NAME_MESSAGE),
    ("KC-SMITH-42", NAME_MESSAGE),
    ("\u017fMITH-1", NAME_MESSAGE),  # long s: NFKC reads it as a plain s
    ("\uff2a\uff2f\uff28\uff2e-\uff33\uff2d\uff29\uff34\uff28-7", NAME_MESSAGE),  # full-width
    # letters outside ASCII: a dotless i upper-cases to a plain I
    ("Al\u0131ce-Sm\u0131th-7", ASCII_MESSAGE),
    ("KC-7Q\u00c94", ASCII_MESSAGE),
    ("KC-7QX4M2\u200b", ASCII_MESSAGE),  # a zero-width space
    # dates of birth and record numbers
    ("DOB1985X03X02", DATE_MESSAGE),
    ("02M03Y1985", DATE_MESSAGE),
    ("DOB-7QX4", DATE_MESSAGE),
    ("MRN-123456", RECORD_MESSAGE),
    ("MRN7QX4", RECORD_MESSAGE),
    ("ssn-4k7q", RECORD_MESSAGE),
    ("KC-123456", RECORD_MESSAGE),
    ("A-123456-B", RECORD_MESSAGE),
    # names from the bundled list, in any case, with or without digits
    ("MariaLopez1", NAME_MESSAGE),
    ("marialopez1", NAME_MESSAGE),
    ("MARIALOPEZ", NAME_MESSAGE),
    ("MARIA7", NAME_MESSAGE),
    ("Lopez-12", NAME_MESSAGE),
    ("7NGUYEN", NAME_MESSAGE),
    ("KC-PATEL2", NAME_MESSAGE),
    ("Maria.Lopez", NAME_MESSAGE),
    # initials with digits, or dotted
    ("JD01", INITIALS_MESSAGE),
    ("jd-01", INITIALS_MESSAGE),
    ("01JD", INITIALS_MESSAGE),
    ("J.D.", INITIALS_MESSAGE),
    ("J.D.7", INITIALS_MESSAGE),
    ("KC-JD01", INITIALS_MESSAGE),
    ("KC-ABC234", INITIALS_MESSAGE),
]
CODE_INPUT = re.compile(r'<input[^>]*name="client_code"[^>]*value="(KC-[A-Z0-9]{6})"')
ACCEPTED = [
    "KC-7QX4M2",
    "kc-7qx4m2",
    "A1B2",
    "C-42",
    "P7-AX9K",
    "ZZ9-PLURAL-Z9",
    "KC-12345",
    "\uff2b\uff23-7QX4M2",  # full-width KC: NFKC makes it plain
    # the demo's codes
    "KC-4RT8M2",
    "KC-9PL2X7",
    "KC-3HW6Q1",
    "KC-7ZN5D4",
    "KC-6TB3R8",
    "KC-2MV9H5",
]


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_identifying_codes_refused(value, message):
    assert code_problem(value) == message


@pytest.mark.parametrize("value", ACCEPTED)
def test_deidentified_codes_accepted(value):
    assert code_problem(value) is None


def test_generated_codes_are_random_and_acceptable():
    codes = {new_client_code() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert code.startswith("KC-") and len(code) == 9
        assert code_problem(code) is None


def _session(code):
    return {
        "on": iso(yesterday()),
        "client_code": code,
        "setting": "clinic",
        "route": "im",
        "trainee_role": "observer",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "90",
        "reflection": REFLECTION,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("John Smith", "looks like a name"),
        ("jane@example.org", "looks like an e-mail address"),
        ("555-123-4567", "looks like a phone number"),
        ("1985-03-02", "looks like a date"),
        ("john-smith-7", "looks like a name"),
        ("\u017fMITH-1", "looks like a name"),
        ("Al\u0131ce-Sm\u0131th-7", "accented, dotless or look-alike letters"),
        ("DOB1985X03X02", "looks like a date"),
        ("MRN-123456", "looks like a record number"),
        ("MariaLopez1", "looks like a name"),
        ("JD01", "looks like initials"),
        ("J.D.", "looks like initials"),
    ],
)
def test_the_form_refuses_identifying_codes(signed_in, value, message):
    response = post_form(signed_in, "/supervision/sessions/new", _session(value))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(SupervisedSession) == 0


def test_the_form_stores_an_accepted_code_in_capitals(signed_in):
    response = post_form(signed_in, "/supervision/sessions/new", _session("kc-7qx4m2"))
    assert response.status_code == 302
    session = db.session.scalars(select(SupervisedSession)).one()
    assert session.client_code == "KC-7QX4M2"


def test_the_form_stores_the_plain_form_of_a_full_width_code(signed_in):
    code = "\uff2b\uff23-\uff17\uff31\uff38\uff14\uff2d\uff12"
    response = post_form(signed_in, "/supervision/sessions/new", _session(code))
    assert response.status_code == 302
    assert db.session.scalars(select(SupervisedSession.client_code)).one() == "KC-7QX4M2"


def test_new_session_form_offers_a_random_code(signed_in):
    first = signed_in.get("/supervision/sessions/new").get_data(as_text=True)
    second = signed_in.get("/supervision/sessions/new").get_data(as_text=True)
    codes = [CODE_INPUT.search(page) for page in (first, second)]
    assert all(codes)
    assert codes[0].group(1) != codes[1].group(1)
