"""Logging experiential activities; personal sessions are attestations within the policy."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.training import services
from tracker.training.models import ExperientialEntry

URL = "/training/experiential/new"


def valid(**changes):
    data = {
        "kind": "observation",
        "on": iso(yesterday()),
        "hours": "3",
        "facilitator": "Dr Mira Facilitator",
        "note": "Observed a full IM session",
    }
    data.update(changes)
    return data


def personal(**changes):
    data = valid(kind="personal_session", note="", attest="y")
    data.update(changes)
    return data


@pytest.mark.parametrize("kind", ["observation", "role_play", "monitoring", "integration"])
def test_each_activity_is_saved_pending(signed_in, enrollment, kind):
    assert post_form(signed_in, URL, valid(kind=kind)).status_code == 302
    entry = db.session.scalars(select(ExperientialEntry)).one()
    assert (entry.kind, entry.hours, entry.status) == (kind, Decimal("3.00"), "pending")
    assert entry.enrollment_id == enrollment.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "sightseeing"}, "Choose one of the listed activities"),
        ({"kind": ""}, "Choose one of the listed activities"),
        ({"hours": "0"}, "must be more than 0"),
        ({"hours": "-2"}, "must be more than 0"),
        ({"hours": "12.5"}, "At most 12 hours"),
        ({"hours": "0.3"}, "quarter hours"),
        ({"facilitator": ""}, "Enter the facilitator"),
        ({"facilitator": "f" * 201}, "at most 200 characters"),
        ({"note": "n" * 2001}, "at most 2000 characters"),
        ({"on": iso(today_in("UTC") + timedelta(days=1))}, "cannot be in the future"),
        ({"on": "1999-12-31"}, "before your cohort started"),
    ],
)
def test_invalid_activity_refused(signed_in, changes, message):
    response = post_form(signed_in, URL, valid(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 0


def test_form_explains_personal_sessions_are_attestations(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "attestation of completion only" in page
    assert "Personal ketamine session (attestation)" in page


def test_personal_session_attestation_saved(signed_in):
    assert post_form(signed_in, URL, personal()).status_code == 302
    entry = db.session.scalars(select(ExperientialEntry)).one()
    assert entry.kind == "personal_session"
    assert entry.note == ""


def test_personal_session_needs_the_attestation(signed_in):
    data = personal()
    del data["attest"]
    response = post_form(signed_in, URL, data)
    assert "Confirm that you completed" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 0


def test_personal_session_refuses_clinical_notes(signed_in):
    response = post_form(signed_in, URL, personal(note="150 mg IM, felt dissociated"))
    assert "attestation of completion only" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 0


def test_personal_sessions_beyond_the_maximum_refused(client, auth, trainee):
    make_enrollment(trainee, personal_sessions_max=2)
    auth.login(trainee)
    for day in (1, 2):
        data = personal(on=iso(yesterday() - timedelta(days=day)))
        assert post_form(client, URL, data).status_code == 302
    response = post_form(client, URL, personal())
    assert "at most 2 personal sessions" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 2


def test_personal_session_refused_when_policy_is_none(client, auth, trainee):
    make_enrollment(trainee, personal_session_policy="none", personal_sessions_max=0)
    auth.login(trainee)
    page = client.get(URL).get_data(as_text=True)
    assert "does not include personal ketamine sessions" in page
    assert 'value="personal_session"' not in page
    response = post_form(client, URL, personal())
    assert "does not include personal ketamine sessions" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 0


def test_policy_none_refused_by_the_service_even_with_sessions_allowed(app, trainee):
    enrollment = make_enrollment(trainee, personal_session_policy="none", personal_sessions_max=3)
    data = services.ExperientialInput(
        kind="personal_session", on=yesterday(), hours="2", facilitator="F", attested=True
    )
    with pytest.raises(Refused, match="does not include personal"):
        services.log_experiential(enrollment, data)
    db.session.rollback()
    assert count(ExperientialEntry) == 0


def test_changing_an_activity_into_an_extra_personal_session_refused(client, auth, trainee):
    enrollment = make_enrollment(trainee, personal_sessions_max=1)
    add_experiential(enrollment, kind="personal_session")
    other = add_experiential(enrollment, kind="role_play", note="")
    auth.login(trainee)
    url = f"/training/experiential/{other.id}/edit"
    response = post_form(client, url, personal())
    assert "at most 1 personal sessions" in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.kind == "role_play"
