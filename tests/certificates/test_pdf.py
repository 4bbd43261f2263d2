"""The certificate PDF: the credential, the holder's printed name, the issuing program, the dates,
number and status, the signatory with their job title, and the verification address both as a
QR code (decoded here as a phone would) and as text; an attachment for staff and the
certificate's own trainee only."""

from __future__ import annotations

from datetime import date

from tests.certificates.factories import ready_enrollment
from tests.certificates.pdfs import pdf_text
from tests.certificates.pdfs import qr_codes
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.certificates.pdf import qr_png
from tracker.certificates.pdf import render_certificate
from tracker.certificates.queries import public_record
from tracker.certificates.queries import verification_url
from tracker.extensions import db


def _render(cert, compress: bool = False) -> bytes:
    return render_certificate(cert, public_record(cert), compress=compress)


def test_the_pdf_says_what_was_certified_and_who_signed_it(app, staff, ready, issue):
    staff.job_title = "Director of Training"
    ready.track.credential_name = "Certified KAP Practitioner"
    db.session.commit()
    cert = issue(ready)
    content = _render(cert, compress=True)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for printed in (
        "Pacific KAP Institute",  # the issuing organisation
        "Certified KAP Practitioner",  # the credential
        "Jordan Avery",  # the holder
        f"certificate number {cert.number}",
        f"Valid since {cert.issued_on.day} {cert.issued_on:%B} {cert.issued_on.year}",
        "current renewal cycle ends",
        "Morgan Staff",  # the signatory, who issued it
        "Director of Training",  # and their title
        f"http://localhost/verify/{cert.verification_code}",  # the address as text
    ):
        assert printed in text, printed
    assert qr_codes(content) == [f"http://localhost/verify/{cert.verification_code}"]


def test_the_pdf_holds_the_address_as_plain_text(app, certificate):
    url = verification_url(certificate.verification_code)
    assert url == f"http://localhost/verify/{certificate.verification_code}"
    content = _render(certificate)
    assert url.encode() in content  # in a core font, readable in the file itself
    assert b"/Subtype /Image" in content  # the QR code
    assert f"Certificate {certificate.number}".encode() in content  # the document title


def test_the_qr_code_leads_to_the_configured_port(make_app, create_user):
    """A server on port 5123 (PUBLIC_BASE_URL set by `PORT=5123 make run`) issues certificates
    whose QR code, read back from the PDF, opens its verification page on port 5123."""
    other = make_app(PUBLIC_BASE_URL="http://127.0.0.1:5123")
    with other.app_context():
        staff = create_user("staff")
        enrollment = ready_enrollment(create_user("trainee", name="Quinn Harper"))
        cert = services.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
        db.session.commit()
        url = f"http://127.0.0.1:5123/verify/{cert.verification_code}"
        assert cert.verification_url == url
        content = render_certificate(cert, public_record(cert))
        assert qr_codes(content) == [url]
        assert url in pdf_text(content)
        response = other.test_client().get(url.removeprefix("http://127.0.0.1:5123"))
        assert "Quinn Harper" in response.get_data(as_text=True)


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
    content = _render(cert)
    assert content.startswith(b"%PDF")
    # As written with a Unicode font installed; with the core fonts, without the accents.
    text = pdf_text(content)
    assert "Nguyễn Thị Minh-Łukasiewicz" in text or "Nguyen Thi Minh-Lukasiewicz" in text


def test_an_expiry_date_is_printed(app, ready, issue):
    cert = issue(ready, expires_on=date(date.today().year + 3, 1, 31))
    text = pdf_text(_render(cert, compress=True))
    assert f"Valid until 31 January {date.today().year + 3}" in text


def test_without_a_job_title_the_signatory_is_named_alone(app, staff, certificate):
    assert staff.job_title == ""
    assert "Morgan Staff" in pdf_text(_render(certificate))


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
    services.revoke_certificate(
        certificate.id, staff, "Issued in error to this enrollment.", password=PASSWORD
    )
    db.session.commit()
    auth.login(trainee)
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404
    content = _render(certificate)
    assert b"(REVOKED)" in content  # staff's copy says so, in a core font
    assert "Status on" in pdf_text(content)
    assert "Revoked since" in pdf_text(content)
