"""Staff create and edit programs through the pages; the list and detail pages show them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.programs.conftest import count_rows
from tracker.extensions import db
from tracker.programs.models import Program


def test_list_and_detail_show_tracks_and_cohorts(client, staff, make_program):
    program = make_program("Fluence KAP")
    page = client.get("/programs/").get_data(as_text=True)
    assert "Fluence KAP" in page
    assert "Online (v1)" in page
    detail = client.get(f"/programs/{program.id}").get_data(as_text=True)
    assert "Online (self-paced modules)" in detail
    assert "$9,875.00" in detail
    assert "2026-03-01" in detail and "2026-12-15" in detail
    assert "Version 1" in detail
    assert "America/Denver" in detail


def test_create_program(client, staff):
    response = post_form(
        client,
        "/programs/new",
        {"name": "CIIS certificate", "description": "Ten months.", "timezone": "America/Chicago"},
    )
    program = db.session.scalar(select(Program).where(Program.name == "CIIS certificate"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/programs/{program.id}")
    assert program.timezone == "America/Chicago"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "timezone": "UTC"}, "name", "Enter a name."),
        ({"name": "x" * 121, "timezone": "UTC"}, "name", "at most 120"),
        ({"name": "Bell\x07", "timezone": "UTC"}, "name", "control characters"),
        ({"name": "Good", "timezone": "Mars/Base"}, "timezone", "Not a valid choice"),
        ({"name": "Good", "timezone": "UTC", "description": "d" * 5001}, "description", "5000"),
        ({"name": "Existing", "timezone": "UTC"}, "name", "already has this name"),
    ],
)
def test_create_program_refused(client, staff, make_program, data, field, message):
    make_program("Existing")
    before = count_rows()
    response = post_form(client, "/programs/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert count_rows() == before


def test_edit_program(client, staff, make_program):
    program = make_program()
    form = client.get(f"/programs/{program.id}/edit").get_data(as_text=True)
    assert 'value="Fluence KAP"' in form
    response = post_form(
        client,
        f"/programs/{program.id}/edit",
        {"name": "Fluence", "description": "New text", "timezone": "Europe/London"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (program.name, program.timezone) == ("Fluence", "Europe/London")


def test_edit_program_refused(client, staff, make_program):
    program = make_program()
    make_program("Taken name", track_name="T")
    before = count_rows()
    response = post_form(
        client, f"/programs/{program.id}/edit", {"name": "Taken name", "timezone": "UTC"}
    )
    assert "already has this name" in response.get_data(as_text=True)
    db.session.expire_all()
    assert program.name == "Fluence KAP"
    assert count_rows() == before


def test_names_are_shown_as_text(client, staff):
    post_form(client, "/programs/new", {"name": "<script>alert(1)</script>", "timezone": "UTC"})
    page = client.get("/programs/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_unknown_ids_give_404(client, staff):
    assert client.get("/programs/999").status_code == 404
    assert client.get("/programs/999/edit").status_code == 404
    assert client.get("/programs/999/tracks/new").status_code == 404
    assert client.get("/programs/tracks/999/edit").status_code == 404
    assert client.get("/programs/cohorts/999/edit").status_code == 404
    assert client.get("/programs/tracks/999/requirements").status_code == 404
