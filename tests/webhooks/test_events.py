"""Each act the webhooks announce queues its event, from the service where it happens: a
certificate issued, revoked, reinstated or lapsed, an enrollment admitted or withdrawn, an entry
signed. Payloads hold ids, numbers, statuses and dates, never a name, an address or a reason."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admissions.factories import enroll
from tests.admissions.factories import make_program
from tests.admissions.factories import waive_reviews
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.signoffs.factories import give_credentials
from tracker.admissions.services import decisions
from tracker.certificates import services as certificates
from tracker.extensions import db
from tracker.factories import certificates as certificate_factories
from tracker.factories.enrollments import assign
from tracker.factories.enrollments import make_enrollment
from tracker.factories.signoffs import waiting_session
from tracker.lifecycle import services as lifecycle
from tracker.signoffs import services as signoffs
from tracker.webhooks import services
from tracker.webhooks.events import EVENT_KINDS
from tracker.webhooks.events import emit
from tracker.webhooks.models import WebhookDelivery

REASON = "Recorded against the wrong graduate by mistake."


@pytest.fixture
def subscribed(app, staff):
    """An endpoint subscribed to every event (never reached: the tests read the queue)."""
    app.config["WEBHOOK_ALLOW_LOCAL"] = True
    services.register_endpoint(staff, "http://127.0.0.1:9/hook", list(EVENT_KINDS))
    db.session.commit()


def _queued() -> list[tuple[str, dict]]:
    db.session.rollback()
    return [
        (event, json.loads(body)["data"])
        for event, body in db.session.execute(
            select(WebhookDelivery.event, WebhookDelivery.body).order_by(WebhookDelivery.id)
        )
    ]


def _no_personal_data(person, *texts: str) -> None:
    raw = json.dumps(_queued())
    for text in (person.full_name, person.email, *texts):
        assert text not in raw


def test_certificate_issued_revoked_reinstated_and_lapsed(subscribed, create_user, staff):
    holder = create_user("trainee", name="Jordan Avery", email="jordan@example.org")
    enrollment = ready_enrollment(holder)
    # Issued 800 days ago (the first renewal cycle closed short): reinstating lapses it.
    cert = certificate_factories.issued_on_day(
        enrollment, holder.full_name, "Pacific KAP Institute", today() - timedelta(800), staff
    )
    db.session.commit()
    certificates.revoke_certificate(cert.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    certificates.reinstate_certificate(
        cert.id, staff, "Revoked by mistake: another graduate.", password=PASSWORD
    )
    db.session.commit()
    queued = _queued()
    assert [event for event, _ in queued] == [
        "certificate.revoked",
        "certificate.reinstated",
        "certificate.lapsed",
    ]
    assert [data["status"] for _, data in queued] == ["revoked", "valid", "lapsed"]
    assert {data["certificate_id"] for _, data in queued} == {cert.id}
    _no_personal_data(holder, REASON)


def test_certificate_issued(subscribed, create_user, staff):
    holder = create_user("trainee", name="Jordan Avery", email="jordan@example.org")
    cert = certificates.issue_certificate(
        ready_enrollment(holder).id, staff, None, password=PASSWORD
    )
    db.session.commit()
    assert _queued() == [
        (
            "certificate.issued",
            {
                "certificate_id": cert.id,
                "enrollment_id": cert.enrollment_id,
                "number": cert.number,
                "status": "valid",
                "issued_on": cert.issued_on.isoformat(),
                "verification_url": cert.verification_url,
            },
        )
    ]


def test_enrollment_admitted_then_withdrawn(subscribed, create_user, staff):
    applicant = create_user("trainee", name="Tara Applicant", email="tara@example.org")
    enrollment = enroll(applicant, make_program(), "submitted", days_ago=3)
    waive_reviews(enrollment)
    decisions.admit(enrollment, staff, "Welcome aboard.")
    db.session.commit()
    on = lifecycle.program_today(enrollment)
    lifecycle.withdraw(enrollment, staff, on, "dismissed", "Did not attend the intensives.")
    db.session.commit()
    queued = _queued()
    assert [event for event, _ in queued] == ["enrollment.admitted", "enrollment.withdrawn"]
    admitted, withdrawn = (data for _, data in queued)
    assert admitted == {
        "enrollment_id": enrollment.id,
        "program_id": enrollment.program_id,
        "track_id": enrollment.track_id,
        "cohort_id": enrollment.cohort_id,
    }
    assert withdrawn["enrollment_id"] == enrollment.id
    assert withdrawn["on"] == on.isoformat()
    _no_personal_data(applicant, "Did not attend", "Welcome aboard")


def test_entry_signed(subscribed, create_user):
    trainee = create_user("trainee", name="Tess Trainee", email="tess@example.org")
    supervisor = create_user("supervisor", name="Dr. Sue Signer", email="sue@example.org")
    give_credentials(supervisor)
    enrollment = make_enrollment(trainee)
    assign(enrollment, supervisor)
    entry = waiting_session(enrollment, supervisor)
    db.session.commit()
    signoffs.sign([entry], supervisor, PASSWORD)
    db.session.commit()
    [(event, data)] = _queued()
    assert event == "entry.signed"
    assert {k: data[k] for k in ("entry_type", "entry_id", "enrollment_id")} == {
        "entry_type": "session",
        "entry_id": entry.id,
        "enrollment_id": enrollment.id,
    }
    _no_personal_data(trainee, supervisor.full_name, entry.client_code)


def test_an_unknown_event_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown webhook event"):
        emit("certificate.deleted", {})
