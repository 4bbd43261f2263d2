"""Another trainee's records are not found (404) and never changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import post_form
from tests.training.factories import add_ce
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

EDITS = {
    "didactic": {"topic_code": "ethics", "hours": "5", "provider": "Mine now"},
    "experiential": {"kind": "monitoring", "hours": "5", "facilitator": "Mine now"},
    "ce": {"kind": "ce", "title": "Mine now", "provider": "Mine now", "amount": "5"},
}
RECORDS = [
    ("didactic", add_didactic, DidacticEntry, "hours"),
    ("experiential", add_experiential, ExperientialEntry, "hours"),
    ("ce", add_ce, ContinuingEducation, "amount"),
]


@pytest.fixture
def intruder(client, auth, create_user):
    """A second admitted trainee, signed in."""
    other = create_user("trainee", name="Ivo Intruder")
    make_enrollment(other)
    auth.login(other)
    return client


@pytest.mark.parametrize(("kind", "add", "model", "amount"), RECORDS)
def test_other_trainees_record_is_not_found(intruder, enrollment, kind, add, model, amount):
    item = add(enrollment)
    before = getattr(item, amount)
    edit_url = f"/training/{kind}/{item.id}/edit"
    assert intruder.get(edit_url).status_code == 404
    data = {**EDITS[kind], "on": iso(yesterday())}
    assert post_form(intruder, edit_url, data).status_code == 404
    assert post_form(intruder, f"/training/{kind}/{item.id}/delete").status_code == 404
    assert count(model) == 1
    db.session.refresh(item)
    assert getattr(item, amount) == before


@pytest.mark.parametrize(("kind", "add", "model", "amount"), RECORDS)
def test_unknown_ids_are_not_found(signed_in, kind, add, model, amount):
    assert signed_in.get(f"/training/{kind}/999999/edit").status_code == 404
    assert post_form(signed_in, f"/training/{kind}/999999/delete").status_code == 404


def test_lists_show_only_the_trainees_own_entries(intruder, enrollment):
    add_didactic(enrollment, provider="Secret provider of Tara")
    add_ce(enrollment, title="Secret CE of Tara")
    assert "Secret provider of Tara" not in intruder.get("/training/").get_data(as_text=True)
    assert "Secret CE of Tara" not in intruder.get("/training/ce").get_data(as_text=True)


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_pages_are_for_trainees(client, auth, create_user, role):
    auth.login(create_user(role))
    for url in ("/training/", "/training/ce", "/training/didactic/new"):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/training/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_amount_is_unchanged_by_a_refused_edit(intruder, enrollment):
    item = add_didactic(enrollment, hours="3")
    post_form(intruder, f"/training/didactic/{item.id}/edit", {**EDITS["didactic"]})
    db.session.refresh(item)
    assert item.hours == Decimal("3.00")
