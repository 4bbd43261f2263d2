"""Ongoing education after certification: a past renewal cycle left short makes the certificate
lapsed; CE and consultation logged by the certified trainee on the training pages, dated inside
that cycle, make it valid again once staff approved them (entries of a closed cycle always wait
for review). The trainee's page shows the current cycle."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from tests.certificates.factories import add_ce
from tests.certificates.factories import backdate
from tests.certificates.factories import today
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tracker.certificates import queries
from tracker.extensions import db
from tracker.progress import CertificateStatus
from tracker.progress.certification_rules import add_months
from tracker.training.models import ContinuingEducation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _status(client, cert) -> str:
    html = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    # The status badge (the history below it names earlier statuses too).
    found = re.findall(r'class="badge status-badge[^"]*">(\w+)<', html)
    assert len(found) == 1, found
    return found[0]


def _log(client, on, kind, amount):
    response = post_form(
        client,
        "/training/ce/new",
        {
            "kind": kind,
            "on": on.isoformat(),
            "title": "Ketamine safety update",
            "provider": "Psychedelic Medicine Society",
            "amount": amount,
            "certificate": (io.BytesIO(PDF), "attendance.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_a_new_certificate_is_valid(client, certificate):
    assert _status(client, certificate) == "Valid"
    assert queries.standing(certificate).status == CertificateStatus.VALID


def test_ce_logged_by_the_certified_trainee_brings_a_lapsed_certificate_back_once_approved(
    client, auth, trainee, staff, certificate
):
    issued = today() - timedelta(days=800)
    backdate(certificate, issued)
    assert _status(client, certificate) == "Lapsed"

    auth.login(trainee)
    inside_first_cycle = issued + timedelta(days=100)
    _log(client, inside_first_cycle, "ce", "12")
    _log(client, inside_first_cycle, "consultation", "6")
    # Dated inside a closed cycle: both wait for staff, and the certificate stays lapsed.
    entries = db.session.scalars(select(ContinuingEducation)).all()
    assert {(e.status, e.review_basis) for e in entries} == {("pending", "closed_cycle")}
    assert _status(client, certificate) == "Lapsed"

    auth.logout()
    auth.login(staff)
    keys = [f"ce:{e.id}" for e in entries]
    post_form(client, "/signoffs/sign", sign_form(keys[0], back="signoffs.ce_review"))
    assert _status(client, certificate) == "Lapsed"  # one of the two still pending
    post_form(client, "/signoffs/sign", sign_form(keys[1], back="signoffs.ce_review"))
    assert _status(client, certificate) == "Valid"
    assert queries.standing(certificate).status == CertificateStatus.VALID


def test_ce_dated_in_the_current_cycle_does_not_make_up_a_past_one(client, certificate):
    issued = today() - timedelta(days=800)
    backdate(certificate, issued)
    add_ce(certificate.enrollment, today() - timedelta(days=1), "ce", "20")
    add_ce(certificate.enrollment, today() - timedelta(days=1), "consultation", "10")
    assert _status(client, certificate) == "Lapsed"


def test_the_trainee_page_shows_status_and_current_cycle(client, auth, trainee, certificate):
    issued = today() - timedelta(days=800)
    backdate(certificate, issued)
    add_ce(certificate.enrollment, today() - timedelta(days=2), "ce", "3.5")
    auth.login(trainee)
    response = client.get("/certificates/mine")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert certificate.number in html
    assert "Lapsed" in html
    start = add_months(issued, 24)
    end = add_months(issued, 48) - timedelta(days=1)
    assert f"Current renewal cycle: {start.isoformat()} to {end.isoformat()}" in html
    assert "<td>3.5</td><td>12</td>" in html  # CE credits against the requirement
    assert "<td>0</td><td>6</td>" in html  # consultation hours against the requirement
    assert "Past cycles left short" in html
    assert f"/certificates/{certificate.id}/certificate.pdf" in html
    assert f"/verify/{certificate.verification_code}" in html
    assert client.get(f"/certificates/{certificate.id}").status_code == 200


def test_a_trainee_without_a_certificate_is_told_so(client, auth, create_user):
    auth.login(create_user("trainee"))
    response = client.get("/certificates/mine")
    assert response.status_code == 200
    assert "You have no certificate yet." in response.get_data(as_text=True)


def test_a_trainee_cannot_open_another_trainees_certificate(client, auth, create_user, certificate):
    auth.login(create_user("trainee", name="Other Person"))
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert certificate.number not in html
