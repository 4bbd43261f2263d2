"""Staff add and edit tracks: format, tuition in dollars stored as cents, the credential the
track leads to (the program's certificate unless named), version 1 of the requirements from the
format's defaults."""

from __future__ import annotations

import pytest

from tests.conftest import post_form
from tests.programs.conftest import count_rows
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec


def _error(page: str, field: str) -> str:
    assert f'id="{field}-error"' in page, page
    return page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]


def test_add_track(client, staff, make_program):
    program = make_program()
    response = post_form(
        client,
        f"/programs/{program.id}/tracks/new",
        {
            "name": "Retreat",
            "format": "retreat",
            "tuition": "$8,450.50",
            "description": "Intensive",
        },
    )
    assert response.status_code == 302
    track = db.session.scalar(db.select(Track).where(Track.name == "Retreat"))
    assert (track.format, track.tuition_cents) == ("retreat", 845050)
    assert track.current_requirements.version == 1
    assert track.current_requirements.spec == RequirementSpec.default("retreat")
    assert track.credential_name == "Fluence KAP certificate"  # left blank: the default
    assert "$8,450.50" in client.get(f"/programs/{program.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tuition": "abc"}, "tuition", "amount in dollars"),
        ({"tuition": "-100"}, "tuition", "amount in dollars"),
        ({"tuition": "12.345"}, "tuition", "amount in dollars"),
        ({"tuition": "100000.01"}, "tuition", "between $0.00 and $100,000.00"),
        ({"tuition": ""}, "tuition", "Enter the tuition."),
        ({"format": "weekend"}, "format", "Not a valid choice"),
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "online"}, "name", "already has a track"),
        ({"credential_name": "x" * 201}, "credential_name", "at most 200 characters"),
        ({"credential_name": "Certified\x07"}, "credential_name", "control characters"),
    ],
)
def test_add_track_refused(client, staff, make_program, data, field, message):
    program = make_program()
    before = count_rows()
    payload = {"name": "Hybrid", "format": "hybrid", "tuition": "6000", "description": ""}
    payload.update(data)
    response = post_form(client, f"/programs/{program.id}/tracks/new", payload)
    assert response.status_code == 200
    assert message in _error(response.get_data(as_text=True), field)
    assert count_rows() == before


def test_edit_track(client, staff, make_program):
    track = make_program().tracks[0]
    page = client.get(f"/programs/tracks/{track.id}/edit").get_data(as_text=True)
    assert 'value="9875.00"' in page
    response = post_form(
        client,
        f"/programs/tracks/{track.id}/edit",
        {"name": "Online plus", "format": "hybrid", "tuition": "5500", "description": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (track.name, track.format, track.tuition_cents) == ("Online plus", "hybrid", 550000)
    assert [rs.version for rs in track.requirement_sets] == [1]


def test_edit_track_refused(client, staff, make_program):
    track = make_program().tracks[0]
    before = count_rows()
    response = post_form(
        client,
        f"/programs/tracks/{track.id}/edit",
        {"name": "Online", "format": "online", "tuition": "200000", "description": ""},
    )
    assert "between $0.00 and $100,000.00" in _error(response.get_data(as_text=True), "tuition")
    db.session.expire_all()
    assert track.tuition_cents == 987500
    assert count_rows() == before


def test_the_credential_name_is_shown_and_edited_on_the_track_form(client, staff, make_program):
    track = make_program().tracks[0]
    page = client.get(f"/programs/tracks/{track.id}/edit").get_data(as_text=True)
    assert 'value="Fluence KAP certificate"' in page  # left blank when added: the default
    response = post_form(
        client,
        f"/programs/tracks/{track.id}/edit",
        {
            "name": "Online",
            "credential_name": "  Certified KAP Practitioner ",
            "format": "online",
            "tuition": "9875",
            "description": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert track.credential_name == "Certified KAP Practitioner"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "track.updated"))
    assert '"credential_name":"Certified KAP Practitioner"' in event.after
