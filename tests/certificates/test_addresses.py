"""A certificate keeps the verification address it was issued with: its pages and PDF show that
address even after PUBLIC_BASE_URL changes, the page answers under any address (the code is what
is looked up), and staff are warned of certificates carrying another base address."""

from __future__ import annotations

from tests.certificates.factories import ready_enrollment
from tests.certificates.pdfs import qr_codes
from tracker.extensions import db

WARNING = "a verification address under another base address than the current one"


def _certificates_page(client) -> str:
    response = client.get("/certificates")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_certificate_stores_its_address_when_issued(app, certificate):
    assert (
        certificate.verification_url == f"http://localhost/verify/{certificate.verification_code}"
    )


def test_after_the_base_address_changes_old_addresses_keep_working(
    app, client, auth, trainee, certificate
):
    printed = certificate.verification_url
    app.config["PUBLIC_BASE_URL"] = "https://tracker.example.org"
    # The printed address's path still verifies: the code is what is looked up.
    response = client.get(printed.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert "Jordan Avery" in response.get_data(as_text=True)
    # The certificate still carries the address it was issued with, on its page and its PDF.
    auth.login(trainee)
    assert printed in client.get("/certificates/mine").get_data(as_text=True)
    pdf = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert qr_codes(pdf.data) == [printed]
    pdf.close()


def test_staff_are_warned_of_certificates_under_another_base_address(
    app, client, auth, staff, create_user, issue, certificate
):
    auth.login(staff)
    assert WARNING not in _certificates_page(client)
    app.config["PUBLIC_BASE_URL"] = "https://tracker.example.org"
    other = ready_enrollment(create_user("trainee", name="Casey Holder"), "Other Program")
    issue(other)  # under the new base
    html = _certificates_page(client)
    assert f"1 certificate carries {WARNING}" in html
    assert "https://tracker.example.org" in html  # the current one
    assert "http://localhost</span>: 1" in html  # the other one, with its count
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5123"
    assert f"2 certificates carry {WARNING}" in _certificates_page(client)


def test_a_certificate_issued_before_addresses_were_kept_uses_the_current_one(
    app, client, auth, trainee, staff, certificate
):
    certificate.verification_url = None  # as the migration leaves certificates issued before
    db.session.commit()
    app.config["PUBLIC_BASE_URL"] = "https://tracker.example.org"
    current = f"https://tracker.example.org/verify/{certificate.verification_code}"
    auth.login(trainee)
    assert current in client.get("/certificates/mine").get_data(as_text=True)
    auth.logout()
    auth.login(staff)
    assert WARNING not in _certificates_page(client)
