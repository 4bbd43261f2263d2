"""Recording, changing and deleting a licence: valid entries, each refusal with its message
next to the field and nothing written, and the verified-is-read-only rule."""

from __future__ import annotations

import pytest

from tests.conftest import post_form
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import day
from tests.eligibility.factories import iso
from tests.enrollments.factories import count
from tests.enrollments.factories import enroll
from tracker.audit.models import AuditEvent
from tracker.eligibility.models import Licence
from tracker.eligibility.queries import today_for
from tracker.extensions import db

VALID = {
    "licence_type": "LCSW",
    "number": "LCS 12345",
    "jurisdiction": "ca",
    "issued_on": iso(-3000),
    "expires_on": iso(400),
}


def test_a_valid_licence_is_recorded(signed_in, trainee):
    events = count(AuditEvent)
    response = post_form(signed_in, "/eligibility/licences/new", VALID)
    assert response.status_code == 302
    licence = db.session.query(Licence).one()
    assert licence.trainee_id == trainee.id
    assert (licence.licence_type, licence.number, licence.jurisdiction) == (
        "LCSW",
        "LCS 12345",
        "CA",
    )
    assert licence.expires_on == day(400)
    assert licence.verified_at is None
    assert count(AuditEvent) == events + 1
    page = signed_in.get("/eligibility/").get_data(as_text=True)
    assert "LCS 12345" in page
    assert "Waiting for verification by program staff" in page


def test_issue_date_is_optional_and_a_state_name_becomes_its_code(signed_in):
    data = {**VALID, "issued_on": "", "jurisdiction": "New York"}
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 302
    licence = db.session.query(Licence).one()
    assert licence.issued_on is None
    assert licence.jurisdiction == "NY"


def test_a_country_is_accepted_by_name(signed_in):
    data = {**VALID, "jurisdiction": "Canada"}
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 302
    assert db.session.query(Licence).one().jurisdiction == "Canada"


def test_an_expired_licence_is_recorded_and_shown_as_expired(signed_in):
    data = {**VALID, "issued_on": iso(-4000), "expires_on": iso(-10)}
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 302
    page = signed_in.get("/eligibility/").get_data(as_text=True)
    assert "Expired on " + iso(-10) in page


def test_a_licence_expiring_soon_says_so(app, signed_in, trainee):
    data = {**VALID, "expires_on": iso(30)}
    post_form(signed_in, "/eligibility/licences/new", data)
    with app.app_context():
        # Counted from the program's today, which is a day behind UTC's for some hours a day.
        left = (day(30) - today_for(trainee.id)).days
    assert f"Expires in {left} days" in signed_in.get("/eligibility/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": ""}, "Enter the licence number."),
        ({"number": "AB<script>"}, "letters, digits, hyphens, slashes, spaces and dots only"),
        ({"number": "X" * 41}, "at most 40 characters"),
        ({"number": "-123"}, "letters, digits, hyphens, slashes, spaces and dots only"),
        ({"jurisdiction": ""}, "Enter the state (for example CA) or the country."),
        ({"jurisdiction": "ZZ"}, "not a US state or territory code"),
        ({"jurisdiction": "USA"}, "enter the state that issued it"),
        ({"jurisdiction": "12345"}, "country&#39;s name in letters"),
        ({"jurisdiction": "Canada\x07"}, "Remove the control characters."),
        ({"licence_type": ""}, "Choose one of the accepted licence types"),
        ({"licence_type": "RN"}, "Choose one of the licence types."),
        ({"expires_on": ""}, "Enter the expiry date."),
        ({"expires_on": "31/12/2030"}, "Enter the date as YYYY-MM-DD."),
        ({"expires_on": "1949-12-31", "issued_on": ""}, "on or after 1950-01-01"),
        ({"expires_on": iso(365 * 21)}, "at most 20 years ahead"),
        ({"issued_on": iso(5)}, "cannot be in the future"),
        ({"issued_on": "1900-01-01"}, "on or after 1950-01-01"),
        ({"issued_on": iso(-10), "expires_on": iso(-20)}, "must come after the issue date"),
    ],
)
def test_invalid_licences_are_refused_with_a_message_and_nothing_written(
    signed_in, changes, message
):
    events = count(AuditEvent)
    response = post_form(signed_in, "/eligibility/licences/new", {**VALID, **changes})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="invalid-feedback d-block"' in page
    assert count(Licence) == 0
    assert count(AuditEvent) == events


def test_only_the_tracks_accepted_types_are_offered_and_accepted(signed_in, trainee):
    enroll(trainee, accepted_licence_types=["MD", "DO"])
    page = signed_in.get("/eligibility/licences/new").get_data(as_text=True)
    assert '<option value="MD">' in page
    assert '<option value="LCSW">' not in page
    response = post_form(signed_in, "/eligibility/licences/new", VALID)
    assert response.status_code == 200
    assert "Choose one of the licence types." in response.get_data(as_text=True)
    assert count(Licence) == 0
    assert (
        post_form(
            signed_in, "/eligibility/licences/new", {**VALID, "licence_type": "MD"}
        ).status_code
        == 302
    )


def test_the_same_licence_twice_is_refused(signed_in):
    post_form(signed_in, "/eligibility/licences/new", VALID)
    response = post_form(signed_in, "/eligibility/licences/new", VALID)
    assert "You have already recorded this licence." in response.get_data(as_text=True)
    assert count(Licence) == 1


def test_huge_input_is_refused(signed_in):
    response = post_form(signed_in, "/eligibility/licences/new", {**VALID, "number": "9" * 5000})
    assert response.status_code == 200
    assert count(Licence) == 0


def test_edit_changes_an_unverified_licence(signed_in, trainee):
    licence = add_licence(trainee)
    form = signed_in.get(f"/eligibility/licences/{licence.id}/edit").get_data(as_text=True)
    assert 'value="LCS-12345"' in form
    data = {**VALID, "number": "NEW-1", "jurisdiction": "OR"}
    assert post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data).status_code == 302
    db.session.refresh(licence)
    assert (licence.number, licence.jurisdiction) == ("NEW-1", "OR")
    assert licence.updated_at is not None


def test_an_invalid_edit_changes_nothing(signed_in, trainee):
    licence = add_licence(trainee)
    data = {**VALID, "number": "bad*number"}
    response = post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data)
    assert response.status_code == 200
    db.session.refresh(licence)
    assert licence.number == "LCS-12345"


def test_delete_removes_an_unverified_licence(signed_in, trainee):
    licence = add_licence(trainee)
    response = post_form(signed_in, f"/eligibility/licences/{licence.id}/delete")
    assert response.status_code == 302
    assert count(Licence) == 0


def test_a_verified_licence_is_read_only(signed_in, trainee):
    licence = add_licence(trainee, verified=True)
    page = signed_in.get("/eligibility/").get_data(as_text=True)
    assert "Verified by program staff on" in page
    assert "Read-only (verified)" in page
    assert f"/eligibility/licences/{licence.id}/edit" not in page

    response = signed_in.get(f"/eligibility/licences/{licence.id}/edit", follow_redirects=True)
    assert "verified by program staff and can no longer be changed" in response.get_data(
        as_text=True
    )
    data = {**VALID, "number": "CHANGED-1"}
    response = post_form(
        signed_in, f"/eligibility/licences/{licence.id}/edit", data, follow_redirects=True
    )
    assert "can no longer be changed" in response.get_data(as_text=True)
    response = post_form(
        signed_in, f"/eligibility/licences/{licence.id}/delete", follow_redirects=True
    )
    assert "can no longer be changed or deleted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Licence) == 1
    assert db.session.get(Licence, licence.id).number == "LCS-12345"


def test_delete_needs_the_csrf_token(signed_in, trainee):
    licence = add_licence(trainee)
    response = signed_in.post(f"/eligibility/licences/{licence.id}/delete")
    assert response.status_code == 400
    assert count(Licence) == 1
