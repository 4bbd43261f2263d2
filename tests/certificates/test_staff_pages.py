"""The staff pages: the list of certificates (number, name, status, issue date) with a search,
the enrollments ready for one, and the per-enrollment page."""

from __future__ import annotations

from datetime import timedelta

from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.extensions import db


def test_the_list_shows_number_name_status_and_issue_date(
    client, auth, staff, create_user, certificate
):
    lapsed = services.issue_certificate(
        ready_enrollment(create_user("trainee", name="Riley Nakamura"), "Second Program").id,
        staff,
        password=PASSWORD,
    )
    db.session.commit()
    backdate(lapsed, today() - timedelta(days=800))
    auth.login(staff)
    html = client.get("/certificates").get_data(as_text=True)
    for text in (certificate.number, "Jordan Avery", "Valid", certificate.issued_on.isoformat()):
        assert text in html
    assert lapsed.number in html
    assert "Riley Nakamura" in html
    assert "Lapsed" in html
    assert '<th scope="col">Status</th>' in html


def test_search_by_number_or_name(client, auth, staff, create_user, certificate):
    other = services.issue_certificate(
        ready_enrollment(create_user("trainee", name="Riley Nakamura"), "Second Program").id,
        staff,
        password=PASSWORD,
    )
    db.session.commit()
    auth.login(staff)
    html = client.get("/certificates", query_string={"q": "nakamura"}).get_data(as_text=True)
    assert other.number in html
    assert certificate.number not in html
    html = client.get("/certificates", query_string={"q": certificate.number.lower()}).get_data(
        as_text=True
    )
    assert certificate.number in html
    assert other.number not in html
    html = client.get("/certificates", query_string={"q": "%"}).get_data(as_text=True)
    assert "No certificate matches." in html


def test_enrollments_ready_for_a_certificate_are_listed(client, auth, staff, ready):
    auth.login(staff)
    html = client.get("/certificates").get_data(as_text=True)
    assert "Ready for a certificate" in html
    assert f"/certificates/enrollments/{ready.id}" in html


def test_the_enrollment_page_shows_the_certificate_and_the_revoke_form(
    client, auth, staff, certificate
):
    auth.login(staff)
    html = client.get(f"/certificates/enrollments/{certificate.enrollment_id}").get_data(
        as_text=True
    )
    assert certificate.number in html
    assert "Valid" in html
    assert "Revoke the certificate" in html
    assert f"/verify/{certificate.verification_code}" in html


def test_trainees_and_supervisors_cannot_see_staff_pages(
    client, auth, trainee, create_user, certificate
):
    for person in (trainee, create_user("supervisor")):
        auth.login(person)
        assert client.get("/certificates").status_code == 403
        assert (
            client.get(f"/certificates/enrollments/{certificate.enrollment_id}").status_code == 403
        )
        auth.logout()
