"""The certificate PDF: printed name, program, number, and the verification address both as a
QR code and as text; an attachment for staff and the certificate's own trainee only."""

from __future__ import annotations

from datetime import date

from tests.certificates.factories import ready_enrollment
from tracker.certificates import services
from tracker.certificates.pdf import qr_png
from tracker.certificates.pdf import render_certificate
from tracker.certificates.queries import verification_url
from tracker.extensions import db


def test_the_pdf_renders_and_holds_the_verification_address(app, certificate):
    url = verification_url(certificate.verification_code)
    assert url == f"http://localhost/verify/{certificate.verification_code}"
    content = render_certificate(certificate, url, compress=False)
    assert content.startswith(b"%PDF")
    assert url.encode() in content
    assert b"/Subtype /Image" in content  # the QR code
    assert f"Certificate {certificate.number}".encode() in content  # the document title


def test_the_base_address_comes_from_the_configuration(make_app, certificate):
    other = make_app(PUBLIC_BASE_URL="https://certs.example.org/")
    with other.app_context():
        url = verification_url(certificate.verification_code)
    assert url == f"https://certs.example.org/verify/{certificate.verification_code}"


def test_the_qr_code_is_a_png_of_the_address():
    png = qr_png("https://certs.example.org/verify/abc")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_names_outside_latin1_render(app, create_user, issue):
    holder = create_user("trainee", name="Nguyễn Thị Minh-Łukasiewicz")
    cert = issue(ready_enrollment(holder, "Programme d'études"))
    content = render_certificate(cert, verification_url(cert.verification_code), compress=False)
    assert content.startswith(b"%PDF")


def test_an_expiry_date_is_printed(app, ready, issue):
    cert = issue(ready, expires_on=date(date.today().year + 3, 1, 31))
    content = render_certificate(cert, verification_url(cert.verification_code))
    assert content.startswith(b"%PDF")


def test_the_trainee_downloads_their_own_certificate(client, auth, trainee, certificate):
    auth.login(trainee)
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"certificate-{certificate.number}.pdf" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    response.close()


def test_staff_download_any_certificate(client, auth, staff, certificate):
    auth.login(staff)
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    response.close()


def test_another_trainee_gets_404(client, auth, create_user, certificate):
    auth.login(create_user("trainee"))
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404
    assert client.get("/certificates/999999/certificate.pdf").status_code == 404


def test_supervisors_and_visitors_cannot_download(client, auth, create_user, certificate):
    path = f"/certificates/{certificate.id}/certificate.pdf"
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    auth.login(create_user("supervisor"))
    assert client.get(path).status_code == 403


def test_a_revoked_certificate_is_no_longer_handed_to_the_trainee(
    client, auth, trainee, staff, certificate
):
    services.revoke_certificate(certificate.id, staff, "Issued in error to this enrollment.")
    db.session.commit()
    auth.login(trainee)
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404
    content = render_certificate(
        certificate, verification_url(certificate.verification_code), compress=False
    )
    assert b"(REVOKED)" in content  # staff's copy says so, in a core font
