"""Another trainee's licence or policy is not found (404) and never changed; non-trainees do not
reach the pages."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.conftest import post_form
from tests.eligibility.factories import add_insurance
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import iso
from tests.enrollments.factories import count
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import db

LICENCE = {"licence_type": "MD", "number": "STOLEN-1", "jurisdiction": "NY", "expires_on": iso(300)}
INSURANCE = {
    "carrier": "Stolen",
    "policy_number": "STOLEN-1",
    "starts_on": iso(-1),
    "ends_on": iso(300),
}


@pytest.mark.parametrize(
    ("path", "add", "model", "data", "column"),
    [
        ("licences", add_licence, Licence, LICENCE, "number"),
        ("insurance", add_insurance, Insurance, INSURANCE, "policy_number"),
    ],
)
def test_another_trainees_record_is_not_found(
    other_client, trainee, path, add, model, data, column
):
    item = add(trainee)
    before = getattr(item, column)
    assert other_client.get(f"/eligibility/{path}/{item.id}/edit").status_code == 404
    assert post_form(other_client, f"/eligibility/{path}/{item.id}/edit", data).status_code == 404
    assert post_form(other_client, f"/eligibility/{path}/{item.id}/delete").status_code == 404
    assert count(model) == 1
    db.session.expire_all()
    assert getattr(db.session.get(model, item.id), column) == before
    assert before not in other_client.get("/eligibility/").get_data(as_text=True)


def test_unknown_ids_are_not_found(signed_in):
    assert signed_in.get("/eligibility/licences/999999/edit").status_code == 404
    assert post_form(signed_in, "/eligibility/insurance/999999/delete").status_code == 404


def test_a_supervisor_without_the_trainee_role_is_refused(app, create_user):
    supervisor = create_user("supervisor")
    client = app.test_client()
    login(client, supervisor)
    assert client.get("/eligibility/").status_code == 403
    assert post_form(client, "/eligibility/licences/new", LICENCE).status_code == 403
    assert count(Licence) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/eligibility/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
