"""Professional references: adding, changing, removing, refusals, ownership, and the lock after
submission."""

from __future__ import annotations

import pytest

from tests.applications.conftest import submitted
from tests.applications.factories import add_reference
from tests.conftest import post_form
from tests.enrollments.factories import count
from tracker.applications.models import Reference
from tracker.extensions import db

VALID = {
    "name": "Dr Rae Reference",
    "email": "Rae@Clinic.example.org",
    "relationship": "supervisor",
    "phone": "+1 (503) 555-0100",
}


def test_a_reference_is_added(signed_in, enrollment):
    assert post_form(signed_in, "/applications/references/new", VALID).status_code == 302
    ref = db.session.query(Reference).one()
    assert ref.enrollment_id == enrollment.id
    assert (ref.name, ref.email, ref.relationship) == (
        "Dr Rae Reference",
        "rae@clinic.example.org",
        "supervisor",
    )
    page = signed_in.get("/applications/").get_data(as_text=True)
    assert "Dr Rae Reference" in page and "Clinical supervisor" in page
    assert "1 of 2 given" in page


def test_the_phone_is_optional(signed_in):
    post_form(signed_in, "/applications/references/new", {**VALID, "phone": ""})
    assert db.session.query(Reference).one().phone is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the reference&#39;s name."),
        ({"name": "R"}, "Use at least 2 characters."),
        ({"name": "Rae\x1bRef"}, "Remove the control characters"),
        ({"name": "x" * 121}, "Use at most 120 characters."),
        ({"email": ""}, "Enter the reference&#39;s e-mail address."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"email": "tara@example.org"}, "A reference must be someone other than you."),
        ({"relationship": ""}, "Choose how you know this person."),
        ({"relationship": "friend"}, "Choose how you know this person."),
        ({"phone": "call me"}, "Enter a phone number"),
        ({"phone": "12"}, "Enter a phone number"),
    ],
)
def test_invalid_references_are_refused(signed_in, changes, message):
    response = post_form(signed_in, "/applications/references/new", {**VALID, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Reference) == 0


def test_the_same_person_twice_is_refused(signed_in):
    post_form(signed_in, "/applications/references/new", VALID)
    response = post_form(signed_in, "/applications/references/new", VALID)
    assert "You already named this person as a reference." in response.get_data(as_text=True)
    assert count(Reference) == 1


def test_edit_and_remove(signed_in, enrollment):
    ref = add_reference(enrollment)
    url = f"/applications/references/{ref.id}/edit"
    assert "Rae Reference" in signed_in.get(url).get_data(as_text=True)
    assert post_form(signed_in, url, {**VALID, "name": "Renamed"}).status_code == 302
    db.session.refresh(ref)
    assert ref.name == "Renamed" and ref.updated_at is not None
    assert post_form(signed_in, f"/applications/references/{ref.id}/delete").status_code == 302
    assert count(Reference) == 0


def test_another_trainees_reference_is_not_found(other_client, enrollment):
    ref = add_reference(enrollment)
    url = f"/applications/references/{ref.id}"
    assert other_client.get(f"{url}/edit").status_code == 404
    assert post_form(other_client, f"{url}/edit", {**VALID, "name": "Hijacked"}).status_code == 404
    assert post_form(other_client, f"{url}/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(Reference, ref.id).name == "Rae Reference"


def test_references_are_locked_after_submission(signed_in, enrollment):
    ref = add_reference(enrollment)
    submitted(enrollment)
    page = signed_in.get("/applications/").get_data(as_text=True)
    assert "Add a reference" not in page
    for url, data in (
        ("/applications/references/new", VALID),
        (f"/applications/references/{ref.id}/edit", {**VALID, "name": "Changed"}),
        (f"/applications/references/{ref.id}/delete", {}),
    ):
        response = post_form(signed_in, url, data, follow_redirects=True)
        assert "Your application has been submitted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Reference) == 1
    assert db.session.get(Reference, ref.id).name == "Rae Reference"
