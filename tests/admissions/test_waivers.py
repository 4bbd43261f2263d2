"""Staff waive a step or an item code with a written reason and revoke a waiver with a reason;
the trainee's home page shows a waived step as "Waived"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.admissions.factories import enroll
from tests.admissions.factories import fresh
from tests.admissions.factories import make_program
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import login
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.enrollments.models import Waiver
from tracker.extensions import db

REASON = "Completed the equivalent module at another accredited program."


def _waive(client, enrollment, target: str, reason: str = REASON, **kwargs):
    return post_form(
        client,
        review_url(enrollment, "/waivers"),
        {"waiver-target": target, "waiver-reason": reason},
        **kwargs,
    )


def _revoke(client, enrollment, waiver, reason: str, **kwargs):
    return post_form(
        client,
        review_url(enrollment, f"/waivers/{waiver.id}/revoke"),
        {f"revoke{waiver.id}-reason": reason},
        **kwargs,
    )


def _home(app, trainee) -> str:
    client = app.test_client()
    login(client, trainee)
    return client.get("/dashboard/trainee").get_data(as_text=True)


def test_a_waived_step_shows_as_waived_on_the_trainees_home(app, as_staff, submitted, trainee):
    assert "Waived" not in _home(app, trainee)
    response = _waive(as_staff, submitted, "step:1", follow_redirects=True)
    assert "Waived: Step 1: Eligibility." in response.get_data(as_text=True)
    waiver = db.session.scalar(select(Waiver))
    assert (waiver.target, waiver.reason) == ("step:1", REASON)
    home = _home(app, trainee)
    assert "Waived" in home
    assert home.count(REASON) == 1  # the reason once, not twice


def test_an_item_code_can_be_waived_and_is_named_in_words(as_staff, submitted):
    response = _waive(as_staff, submitted, "license.expired", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Waived: The licence has expired (step 1)." in page
    assert "license.expired" not in page.split('<main id="main"', 1)[1].split("<select", 1)[0]
    assert db.session.scalar(select(Waiver.target)) == "license.expired"


@pytest.mark.parametrize(
    ("target", "reason", "message"),
    [
        ("step:1", "", "Write the reason"),
        ("step:1", "Too short", "Use 10 to 2000 characters."),
        ("step:1", "x" * 2001, "Use 10 to 2000 characters."),
        ("step:10", REASON, "Choose a step or an item that can be waived."),
        ("certificate.issue", REASON, "Choose a step or an item that can be waived."),
        ("", REASON, "Choose a step or an item that can be waived."),
    ],
)
def test_invalid_waivers_are_refused(as_staff, submitted, target, reason, message):
    before = snapshot()
    response = _waive(as_staff, submitted, target, reason)
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_reason_of_exactly_the_limits_is_accepted(as_staff, submitted):
    assert _waive(as_staff, submitted, "step:5", "x" * 10).status_code == 303
    assert _waive(as_staff, submitted, "step:6", "y" * 2000).status_code == 303


def test_waiving_the_same_thing_twice_is_refused(as_staff, submitted):
    _waive(as_staff, submitted, "step:5")
    before = snapshot()
    response = _waive(as_staff, submitted, "step:5")
    assert "already waived" in response.get_data(as_text=True)
    assert snapshot() == before


def test_revoking_a_waiver_keeps_it_on_file(app, as_staff, submitted, trainee):
    _waive(as_staff, submitted, "step:1")
    waiver = db.session.scalar(select(Waiver))
    before = snapshot()
    response = _revoke(as_staff, submitted, waiver, "")
    assert "Write the reason" in response.get_data(as_text=True)
    assert snapshot() == before

    response = _revoke(
        as_staff,
        submitted,
        waiver,
        "The other program's module did not cover dosing.",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Waiver revoked: Step 1: Eligibility." in page
    assert "did not cover dosing" in page
    waiver = fresh(waiver)
    assert waiver.revoked_at is not None
    assert waiver.reason == REASON
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "waiver.revoked"))
    assert "did not cover dosing" in json.loads(event.after)["revocation_reason"]
    assert "Waived" not in _home(app, trainee)

    before = snapshot()
    response = _revoke(
        as_staff, submitted, waiver, "Revoking a second time.", follow_redirects=True
    )
    assert "already revoked" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_waiver_of_another_enrollment_is_not_found(as_staff, submitted, create_user):
    other = enroll(create_user("trainee"), make_program())
    foreign = Waiver(enrollment_id=other.id, target="step:5", reason=REASON)
    db.session.add(foreign)
    db.session.commit()
    before = snapshot()
    response = _revoke(as_staff, submitted, foreign, "A reason that is long enough.")
    assert response.status_code == 404
    assert snapshot() == before
