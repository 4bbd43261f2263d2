"""Staff record and verify a supervisor's own licence and insurance; a supervisor without them
cannot sign and shows on staff's list."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import count
from tracker.core.clock import today_in
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import db
from tracker.signoffs.models import Signature


def test_staff_record_credentials_and_the_supervisor_can_sign(
    as_user, enrollment, staff, create_user
):
    newcomer = create_user("supervisor", name="Dr. New Supervisor")
    assign(enrollment, newcomer)
    session = waiting_session(enrollment, newcomer)
    listing = as_user(staff).get("/signoffs/supervisors").get_data(as_text=True)
    assert "Supervisors who cannot sign now (1)" in listing
    today = today_in("UTC")
    client = as_user(staff)
    url = f"/signoffs/supervisors/{newcomer.id}"
    response = post_form(
        client,
        url,
        {
            "kind": "licence",
            "licence-licence_type": "LCSW",
            "licence-number": "LCSW 5521",
            "licence-jurisdiction": "OR",
            "licence-expires_on": (today + timedelta(days=200)).isoformat(),
            "licence-method": "primary_source",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post_form(
        client,
        url,
        {
            "kind": "insurance",
            "insurance-carrier": "Carrier Mutual",
            "insurance-policy_number": "CM-1",
            "insurance-starts_on": (today - timedelta(days=10)).isoformat(),
            "insurance-ends_on": (today + timedelta(days=300)).isoformat(),
            "insurance-method": "carrier_confirmation",
        },
    )
    assert response.status_code == 302
    licence = db.session.scalar(select(Licence).where(Licence.trainee_id == newcomer.id))
    assert licence.verified_by_id == staff.id
    assert (
        db.session.scalar(select(Insurance.verified_at).where(Insurance.trainee_id == newcomer.id))
        is not None
    )
    assert "Supervisors who cannot sign now (0)" in client.get("/signoffs/supervisors").get_data(
        as_text=True
    )
    post_form(
        as_user(newcomer),
        "/signoffs/sign",
        sign_form(f"session:{session.id}"),
    )
    assert count(Signature) == 1


def test_bad_credential_input_saves_nothing(as_user, staff, create_user):
    person = create_user("supervisor")
    response = post_form(
        as_user(staff),
        f"/signoffs/supervisors/{person.id}",
        {
            "kind": "licence",
            "licence-licence_type": "XYZ",
            "licence-number": "",
            "licence-jurisdiction": "OR",
            "licence-expires_on": "not a date",
            "licence-method": "primary_source",
        },
    )
    assert response.status_code == 422
    assert count(Licence) == 0


def test_only_staff_and_only_for_supervisors(as_user, staff, supervisor, trainee):
    assert as_user(supervisor).get(f"/signoffs/supervisors/{supervisor.id}").status_code == 403
    assert as_user(staff).get(f"/signoffs/supervisors/{trainee.id}").status_code == 404
    assert as_user(staff).get(f"/signoffs/supervisors/{supervisor.id}").status_code == 200
