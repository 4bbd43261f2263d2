"""Issuing, revoking and reinstating through the pages: each shows a confirmation page first and
needs the staff member's password; a wrong password, a short reason or one's own certificate
is refused with nothing changed; the public page follows each step. And the staff list's
"at risk" filter and count, with a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.certificates import services
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.extensions import db
from tracker.progress.certification_rules import add_months
from tracker.signoffs.models import Signature
from tracker.standing.snapshots import refresh

REASON = "Recorded against the wrong graduate by mistake."


def _changes() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(CertificateStatusChange))


def _signatures() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.entry_type == "certificate")
    )


def _public_status(client, cert) -> str:
    return client.get(
        f"/verify/{cert.verification_code}", headers={"Accept": "application/json"}
    ).get_json()["status"]


def test_issue_shows_a_confirmation_page_then_needs_the_password(client, auth, staff, ready):
    auth.login(staff)
    page = client.get(f"/certificates/enrollments/{ready.id}")
    assert f"/certificates/enrollments/{ready.id}/issue" in page.get_data(as_text=True)
    confirm = client.get(f"/certificates/enrollments/{ready.id}/issue")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Issue the certificate" in html
    assert 'type="password"' in html
    wrong = post_form(
        client, f"/certificates/enrollments/{ready.id}/issue", {"password": "wrong password"}
    )
    assert wrong.status_code == 200
    assert "password is not correct" in wrong.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    done = post_form(client, f"/certificates/enrollments/{ready.id}/issue", {"password": PASSWORD})
    assert done.status_code == 302
    assert _changes() == 1
    assert _signatures() == 1


def test_revoke_and_reinstate_through_the_pages_the_public_page_following(
    client, auth, staff, certificate
):
    code = certificate.verification_code
    auth.login(staff)
    assert client.get(f"/certificates/{certificate.id}/revoke").status_code == 200
    short = post_form(
        client,
        f"/certificates/{certificate.id}/revoke",
        {"reason": "too short", "password": PASSWORD},
    )
    assert short.status_code == 200
    assert "Use 10 to 2000 characters." in short.get_data(as_text=True)
    wrong = post_form(
        client,
        f"/certificates/{certificate.id}/revoke",
        {"reason": REASON, "password": "wrong password"},
    )
    assert wrong.status_code == 200
    assert _changes() == 1
    assert _public_status(client, certificate) == "valid"

    assert (
        post_form(
            client,
            f"/certificates/{certificate.id}/revoke",
            {"reason": REASON, "password": PASSWORD},
        ).status_code
        == 302
    )
    answer = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert answer["status"] == "revoked"
    assert answer["revoked_on"] == today().isoformat()
    assert REASON not in str(answer)

    page = client.get(f"/certificates/enrollments/{certificate.enrollment_id}")
    assert f"/certificates/{certificate.id}/reinstate" in page.get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.id}/reinstate").status_code == 200
    assert (
        post_form(
            client,
            f"/certificates/{certificate.id}/reinstate",
            {"reason": "Revoked by mistake: another graduate.", "password": PASSWORD},
        ).status_code
        == 302
    )
    answer = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert answer["status"] == "valid"
    assert answer["revoked_on"] is None
    assert [h["status"] for h in answer["history"]] == ["valid", "revoked", "valid"]
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Status history" in html
    assert "Revoked by mistake" not in html
    assert _signatures() == 3


@pytest.mark.parametrize("act", ["revoke", "reinstate"])
def test_nothing_changes_on_a_refusal_of_ones_own_certificate(client, auth, create_user, act):
    both = create_user("staff", "trainee", name="Casey Both")
    other = create_user("staff", name="Other Staff")
    cert = services.issue_certificate(ready_enrollment(both).id, other, password=PASSWORD)
    db.session.commit()
    if act == "reinstate":
        services.revoke_certificate(cert.id, other, REASON, password=PASSWORD)
        db.session.commit()
    before = _changes()
    auth.login(both)
    response = post_form(
        client, f"/certificates/{cert.id}/{act}", {"reason": REASON, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "own certificate" in response.get_data(as_text=True)
    assert _changes() == before


def test_ones_own_enrollment_cannot_be_issued(client, auth, create_user):
    both = create_user("staff", "trainee", name="Casey Both")
    enrollment = ready_enrollment(both)
    auth.login(both)
    response = post_form(
        client, f"/certificates/enrollments/{enrollment.id}/issue", {"password": PASSWORD}
    )
    assert response.status_code == 200
    assert "own certificate" in response.get_data(as_text=True)
    assert _changes() == 0


def _at_risk(certificate) -> None:
    """The certificate's current cycle ends in 40 days with nothing logged."""
    backdate(certificate, add_months(today() + timedelta(days=41), -24))


def test_at_risk_filter_and_count_on_the_staff_list(client, auth, staff, create_user, certificate):
    other = services.issue_certificate(
        ready_enrollment(create_user("trainee", name="Riley Nakamura"), "Second Program").id,
        staff,
        password=PASSWORD,
    )
    db.session.commit()
    _at_risk(certificate)
    refresh()
    auth.login(staff)
    html = client.get("/certificates").get_data(as_text=True)
    assert "At risk: 1" in html
    filtered = client.get("/certificates", query_string={"at_risk": "1"}).get_data(as_text=True)
    assert certificate.number in filtered
    assert other.number not in filtered
    assert "At risk</span>" in filtered
    # The cohort page filters on the same engine item code.
    cohort = client.get("/dashboard/cohort", query_string={"code": "certificate.at_risk"})
    text = cohort.get_data(as_text=True)
    assert "Jordan Avery" in text
    assert "Riley Nakamura" not in text


def test_the_staff_list_reads_a_fixed_number_of_queries(
    client, auth, staff, create_user, count_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            user = create_user("trainee")
            enrollment = ready_enrollment(user, f"Program of {user.full_name}")
            services.issue_certificate(enrollment.id, staff, password=PASSWORD)
            db.session.commit()

    add(1)
    auth.login(staff)
    client.get("/certificates")
    with count_queries() as few:
        assert client.get("/certificates").status_code == 200
    add(4)
    client.get("/certificates")
    with count_queries() as many:
        assert client.get("/certificates").status_code == 200
    assert many.count == few.count
