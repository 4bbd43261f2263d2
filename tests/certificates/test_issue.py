"""Issuing: refused while anything blocks (the refusal says what), issued once nothing does,
once only, by staff only, with an optional expiry after today; every issue is audited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from tests.certificates.factories import make_enrollment
from tests.certificates.factories import pass_final_assessment
from tests.certificates.factories import today
from tests.certificates.factories import waive_steps
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.certificates.models import Certificate
from tracker.extensions import db


def _certificates() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Certificate))


def _issue(client, enrollment, **data):
    data.setdefault("password", PASSWORD)
    return post_form(client, f"/certificates/enrollments/{enrollment.id}/issue", data)


def test_refused_while_anything_blocks_and_issued_once_nothing_does(client, auth, staff, trainee):
    enrollment = make_enrollment(trainee)
    waive_steps(enrollment, 1, 2, 3, 4, 5, 6)
    auth.login(staff)

    page = client.get(f"/certificates/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "Not ready for a certificate" in page
    assert "Issue the certificate" not in page

    response = _issue(client, enrollment)  # supervised practice still open
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "cannot be issued yet" in text
    assert "supervised" in text.lower()
    assert _certificates() == 0

    waive_steps(enrollment, 7)  # only the final assessment is left
    text = _issue(client, enrollment).get_data(as_text=True)
    assert "cannot be issued yet" in text
    assert "Knowledge exam: not taken yet" in text
    assert _certificates() == 0

    pass_final_assessment(enrollment)
    page = client.get(f"/certificates/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "Ready: nothing blocks the certificate." in page
    response = _issue(client, enrollment)
    assert response.status_code == 302
    cert = db.session.scalars(select(Certificate)).one()
    assert re.fullmatch(rf"KAP-{today().year}-\d{{6}}", cert.number)
    assert cert.issued_on == today()
    assert cert.printed_name == "Jordan Avery"
    assert cert.program_name == "Pacific KAP Institute"
    assert cert.issued_by_id == staff.id
    assert cert.expires_on is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Certificate {cert.number} issued." in page
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.issued")
    ).one()
    assert event.subject_user_id == trainee.id
    assert cert.verification_code not in (event.after or "")


def test_a_second_issue_is_refused(client, auth, staff, ready):
    auth.login(staff)
    assert _issue(client, ready).status_code == 302
    response = _issue(client, ready)
    assert response.status_code == 200
    assert "already has certificate" in response.get_data(as_text=True)
    assert _certificates() == 1


def test_expiry_must_come_after_today(client, auth, staff, ready):
    auth.login(staff)
    text = _issue(client, ready, expires_on=today().isoformat()).get_data(as_text=True)
    assert "The expiry date must be after today." in text
    assert _certificates() == 0
    text = _issue(client, ready, expires_on="2999-01-01").get_data(as_text=True)
    assert "within 20 years" in text
    assert _certificates() == 0
    later = today() + timedelta(days=730)
    assert _issue(client, ready, expires_on=later.isoformat()).status_code == 302
    assert db.session.scalars(select(Certificate)).one().expires_on == later


def test_name_and_dates_are_never_read_from_the_form(client, auth, staff, ready):
    auth.login(staff)
    response = _issue(
        client,
        ready,
        printed_name="Someone Else",
        issued_on="2001-01-01",
        number="KAP-2001-000001",
        enrollment_id="999",
    )
    assert response.status_code == 302
    cert = db.session.scalars(select(Certificate)).one()
    assert (cert.printed_name, cert.issued_on, cert.enrollment_id) == (
        "Jordan Avery",
        today(),
        ready.id,
    )
    assert cert.number != "KAP-2001-000001"


def test_trainees_and_supervisors_cannot_issue(client, auth, trainee, create_user, ready):
    auth.login(trainee)
    assert _issue(client, ready).status_code == 403
    auth.logout()
    auth.login(create_user("supervisor"))
    assert _issue(client, ready).status_code == 403
    assert _certificates() == 0


def test_an_unknown_enrollment_is_404(client, auth, staff):
    auth.login(staff)
    assert client.get("/certificates/enrollments/999999").status_code == 404
    assert _issue(client, type("E", (), {"id": 999999})).status_code == 404


def test_a_withdrawn_enrollment_cannot_be_certified(client, auth, staff, ready):
    ready.status = "withdrawn"
    db.session.commit()
    auth.login(staff)
    text = _issue(client, ready).get_data(as_text=True)
    assert "Only an admitted enrollment can be certified." in text
    assert _certificates() == 0
