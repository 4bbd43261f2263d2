"""Revoking: staff only, with a reason of 10 to 2000 characters, once; audited; the record
keeps who, when and why."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.certificates import services
from tracker.certificates.models import Certificate
from tracker.core.errors import Refused
from tracker.extensions import db

REASON = "Issued in error: the final exam result was recorded for the wrong trainee."


def _revoke(client, cert, reason):
    return post_form(
        client, f"/certificates/{cert.id}/revoke", {"reason": reason, "password": PASSWORD}
    )


def _fresh(cert) -> Certificate:
    db.session.rollback()
    return db.session.get(Certificate, cert.id)


def test_staff_revoke_with_a_reason(client, auth, staff, trainee, certificate):
    auth.login(staff)
    response = _revoke(client, certificate, REASON)
    assert response.status_code == 302
    cert = _fresh(certificate)
    assert cert.revoked
    assert cert.revocation_reason == REASON
    assert cert.revoked_by_id == staff.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Certificate {cert.number} revoked." in page
    assert REASON in page  # staff see the reason
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
    ).one()
    assert event.subject_user_id == trainee.id
    assert REASON in event.after


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason."),
        ("too short", "Use 10 to 2000 characters."),
        ("x" * 2001, "Use 10 to 2000 characters."),
        ("a reason\x07 with a bell", "Remove the control characters."),
    ],
)
def test_a_reason_is_required(client, auth, staff, certificate, reason, message):
    auth.login(staff)
    response = _revoke(client, certificate, reason)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert not _fresh(certificate).revoked


def test_revoking_twice_is_refused(client, auth, staff, certificate):
    auth.login(staff)
    assert _revoke(client, certificate, REASON).status_code == 302
    with pytest.raises(Refused, match="already revoked"):
        services.revoke_certificate(
            certificate.id, staff, "A second, different reason.", password=PASSWORD
        )
    db.session.rollback()
    assert _fresh(certificate).revocation_reason == REASON
    events = select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
    assert len(db.session.scalars(events).all()) == 1


def test_the_trainee_sees_the_reason_on_their_own_page(client, auth, staff, trainee, certificate):
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    auth.login(trainee)
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert "Revoked" in html
    assert REASON in html
    assert "Download the certificate" not in html


def test_only_staff_revoke(client, auth, trainee, create_user, certificate):
    auth.login(trainee)
    assert _revoke(client, certificate, REASON).status_code == 403
    auth.logout()
    auth.login(create_user("supervisor"))
    assert _revoke(client, certificate, REASON).status_code == 403
    assert not _fresh(certificate).revoked


def test_an_unknown_certificate_is_404(client, auth, staff):
    auth.login(staff)
    assert post_form(client, "/certificates/999999/revoke", {"reason": REASON}).status_code == 404
