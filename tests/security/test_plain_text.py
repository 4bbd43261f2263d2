"""Typed text never holds control characters or the invisible characters that change the
direction of text (after a right-to-left override, U+202E, the rest of a name displays
reversed): every form refuses them with one message, and so do the services' text checks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from sqlalchemy import func
from sqlalchemy import select
from wtforms import Form

import tracker
from tests.accounts.test_registration import REGISTER
from tests.accounts.test_registration import form as registration
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.core.errors import Refused
from tracker.core.forms import RowForm
from tracker.core.forms import TrackerForm
from tracker.core.text import CONTROL_MESSAGE
from tracker.core.text import DIRECTION_MESSAGE
from tracker.core.text import one_line
from tracker.core.text import paragraphs
from tracker.core.text import text_problem
from tracker.extensions import db
from tracker.programs import services as programs
from tracker.programs.models import Program

DIRECTION = [
    "\u202a",  # left-to-right embedding
    "\u202b",  # right-to-left embedding
    "\u202c",  # pop directional formatting
    "\u202d",  # left-to-right override
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2067",  # right-to-left isolate
    "\u2068",  # first strong isolate
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
]
CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("character", DIRECTION + CONTROL)
def test_the_one_check(character):
    expected = DIRECTION_MESSAGE if character in DIRECTION else CONTROL_MESSAGE
    assert text_problem(f"Robin{character}Bell") == expected
    assert text_problem(f"Robin{character}Bell", multiline=True) == expected
    assert text_problem("Robin Bell") is None
    assert text_problem("Ren\u00e9e \u05e9\u05dc\u05d5\u05dd O'Brien-Smith") is None  # any script


def test_a_multi_line_text_keeps_its_line_breaks_and_tabs():
    assert text_problem("one\r\ntwo\tthree", multiline=True) is None
    assert text_problem("one\ntwo") == CONTROL_MESSAGE


@pytest.mark.parametrize("character", ["\u202e", "\u2067", "\u200f"])
def test_registration_refuses_a_name_with_a_direction_character(client, character):
    before = _count(User)
    response = post_form(client, REGISTER, registration(full_name=f"Robin{character}Bell"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = page.split('id="full_name-error"', 1)[1].split("</div>", 1)[0]
    assert DIRECTION_MESSAGE in error
    assert _count(User) == before


@pytest.fixture
def staff_client(client, auth, create_user):
    """The client, signed in as staff."""
    auth.login(create_user("staff"))
    return client


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "KAP \u202ecimedacA"}, "name", DIRECTION_MESSAGE),
        ({"name": "KAP\u2066 Academy\u2069"}, "name", DIRECTION_MESSAGE),
        ({"name": "KAP\x85Academy"}, "name", CONTROL_MESSAGE),
        (
            {"name": "KAP Academy", "description": "Ten\nmonths\u202e."},
            "description",
            DIRECTION_MESSAGE,
        ),
    ],
)
def test_a_program_name_or_description_refuses_them(staff_client, data, field, message):
    payload = {"timezone": "UTC", **data}
    response = post_form(staff_client, "/programs/new", payload)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert _count(Program) == 0


def test_a_program_description_keeps_its_line_breaks(staff_client):
    response = post_form(
        staff_client,
        "/programs/new",
        {"name": "KAP Academy", "timezone": "UTC", "description": "Ten months.\r\n\tOnline."},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Program.description)) == "Ten months.\n\tOnline."


def test_the_services_refuse_them_too(app):
    with pytest.raises(Refused) as refused:
        one_line("name", "Robin\u202eBell", 120)
    assert (refused.value.message, refused.value.field) == (DIRECTION_MESSAGE, "name")
    with pytest.raises(Refused) as refused:
        paragraphs("note", "line\n\u2067two", 500)
    assert refused.value.message == DIRECTION_MESSAGE
    with pytest.raises(Refused) as refused:
        programs.create_program("KAP \u202eAcademy", "", "UTC", None)
    assert refused.value.message == DIRECTION_MESSAGE


def _tracker_forms() -> list[type]:
    """Every form class the application defines."""
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        if module.name.endswith(".forms") or module.name.endswith(".views"):
            importlib.import_module(module.name)
    found, pending = [], [Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if (
                subclass.__module__.startswith("tracker.")
                and subclass.__module__ != "tracker.core.forms"
            ):
                found.append(subclass)
    return found


def test_every_form_gets_the_check():
    forms = _tracker_forms()
    assert len(forms) > 40
    strays = [
        f"{f.__module__}.{f.__qualname__}"
        for f in forms
        if not issubclass(f, TrackerForm | RowForm)
    ]
    assert strays == []
