"""The public verification page and look-up: the credential, holder, issuing program, issue date,
current cycle end, status and the date since which it holds (and a revocation's date, never its
reason), nothing else; the same facts as JSON when asked for; an unknown code is a 404 that says
so; a look-up needs both the number and the last name."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from sqlalchemy import select

from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.certificates import services
from tracker.certificates.models import Certificate
from tracker.eligibility.models import Licence
from tracker.extensions import db
from tracker.progress.certification_rules import add_months

LICENCE_NUMBER = "PSY-778812"
REASON = "Licence suspended by the state board on review."


def _page(client, cert):
    response = client.get(f"/verify/{cert.verification_code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _main(html: str) -> str:
    """The page's main content, without the layout around it."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_anyone_sees_name_program_issue_date_and_valid(client, certificate):
    html = _page(client, certificate)
    assert "Jordan Avery" in html
    assert "Pacific KAP Institute" in html
    assert certificate.issued_on.isoformat() in html
    assert "Valid" in html


def test_only_what_an_employer_needs_is_shown(client, issue, staff):
    # A distinctive id, so that its absence from the page means something.
    holder = User(
        id=48151, email="casey.holder@example.org", full_name="Casey Holder", is_trainee=True
    )
    db.session.add(holder)
    db.session.add(
        Licence(
            trainee_id=holder.id,
            licence_type="PsyD",
            number=LICENCE_NUMBER,
            jurisdiction="CA",
            expires_on=today() + timedelta(days=400),
        )
    )
    db.session.commit()
    cert = issue(ready_enrollment(holder))
    lookup = post_form(client, "/verify", {"number": cert.number, "last_name": "Holder"})
    for html in (_page(client, cert), lookup.get_data(as_text=True)):
        main = _main(html)
        assert "Casey Holder" in main
        assert cert.issued_on.isoformat() in main
        assert holder.email not in html
        assert LICENCE_NUMBER not in html
        assert "48151" not in html
        assert staff.full_name not in html
        assert f"enrollment {cert.enrollment_id}" not in main
        assert cert.number not in main
        assert "Online" not in main  # not even the track, only the credential it leads to
        assert "Pacific KAP Institute certificate" in main


def test_revoked_shows_only_the_word(client, certificate, staff):
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    html = _page(client, certificate)
    assert _facts(html)["Status"].startswith(f"Revoked since {today().isoformat()}")
    assert REASON not in html
    assert "suspended" not in html


def test_expired_shows_as_expired(client, certificate):
    certificate.issued_on = today() - timedelta(days=40)
    certificate.expires_on = today() - timedelta(days=1)
    db.session.commit()
    assert _facts(_page(client, certificate))["Status"].startswith(
        f"Expired since {today().isoformat()}"  # the day after the expiry date
    )


def test_lapsed_shows_as_lapsed(client, certificate):
    backdate(certificate, today() - timedelta(days=800))  # the first 24-month cycle has ended
    html = _page(client, certificate)
    assert _facts(html)["Status"].startswith("Lapsed since")


def test_an_unknown_code_is_a_404_saying_no_such_certificate(client, certificate):
    response = client.get("/verify/" + "A" * 43)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No such certificate" in html
    assert "Jordan Avery" not in html


def test_the_verification_page_is_not_indexed_or_cached(client, certificate):
    response = client.get(f"/verify/{certificate.verification_code}")
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["Cache-Control"] == "no-store"


def test_look_up_by_number_and_last_name_any_case(client, certificate):
    response = post_form(
        client, "/verify", {"number": certificate.number.lower(), "last_name": "  aVeRy "}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Jordan Avery" in html
    assert "Valid" in html
    assert "No certificate matches" not in html


def test_look_up_misses_without_saying_which_part_failed(client, certificate, create_user):
    other = ready_enrollment(create_user("trainee", name="Casey Morgan"), "Other Program")
    services.issue_certificate(other.id, create_user("staff"), None, password=PASSWORD)
    db.session.commit()
    answers = [
        post_form(client, "/verify", data).get_data(as_text=True)
        for data in (
            {"number": certificate.number, "last_name": "Morgan"},  # wrong last name
            {"number": "KAP-1999-999999", "last_name": "Avery"},  # wrong number
            {"number": certificate.number, "last_name": "Jordan"},  # the first name
            {"number": certificate.number, "last_name": "very"},  # part of the last name
        )
    ]
    for html in answers:
        assert "No certificate matches that number and last name." in html
        assert "Jordan Avery" not in html
        assert "Casey Morgan" not in html
    # The same answer whichever part failed (apart from the typed values kept in the form).
    assert len({re.sub(r'value="[^"]*"', "", _main(a)) for a in answers}) == 1


def test_look_up_form_checks_its_fields(client):
    html = post_form(client, "/verify", {"number": "", "last_name": "x" * 101}).get_data(
        as_text=True
    )
    assert "Enter the certificate number." in html
    assert "Use at most 100 characters." in html


def test_verification_code_has_at_least_128_bits(certificate, ready, create_user):
    codes = [services.new_verification_code() for _ in range(200)]
    assert len(set(codes)) == 200
    for code in [*codes, certificate.verification_code]:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        assert len(raw) * 8 >= 128
        assert re.fullmatch(r"[A-Za-z0-9_-]+", code)
    stored = db.session.scalars(select(Certificate.verification_code)).one()
    assert len(stored) >= 22


def _facts(html: str) -> dict[str, str]:
    """The page's facts, term by term: {"Credential": "...", "Status": "..."}."""
    main = _main(html)
    terms = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", main, re.S)
    return {term.strip(): " ".join(re.sub(r"<[^>]+>", " ", value).split()) for term, value in terms}


def _json(client, cert_or_code, accept="application/json"):
    code = getattr(cert_or_code, "verification_code", cert_or_code)
    return client.get(f"/verify/{code}", headers={"Accept": accept})


def test_a_valid_certificate_says_what_was_certified(client, certificate, ready):
    ready.track.credential_name = "Certified KAP Practitioner"
    db.session.commit()
    # The credential is printed as it was on the day of issue: a later rename changes nothing.
    assert "Certified" not in _facts(_page(client, certificate))["Credential"]
    cert = certificate
    facts = _facts(_page(client, cert))
    cycle_end = add_months(cert.issued_on, 24) - timedelta(days=1)  # the default 24-month cycle
    assert facts == {
        "Credential": "Pacific KAP Institute certificate",
        "Holder": "Jordan Avery",
        "Issued by": "Pacific KAP Institute",
        "Issued on": cert.issued_on.isoformat(),
        "Current cycle ends": cycle_end.isoformat(),
        "Status": f"Valid since {cert.issued_on.isoformat()} The certificate is current.",
    }
    answer = _json(client, cert)
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Accept" in answer.headers["Vary"]
    assert answer.get_json() == {
        "credential": "Pacific KAP Institute certificate",
        "holder": "Jordan Avery",
        "issuer": "Pacific KAP Institute",
        "issued_on": cert.issued_on.isoformat(),
        "cycle_ends_on": cycle_end.isoformat(),
        "status": "valid",
        "status_label": "Valid",
        "status_since": cert.issued_on.isoformat(),
        "revoked_on": None,
        "verification_url": f"http://localhost/verify/{cert.verification_code}",
        "checked_on": today().isoformat(),
        "history": [{"status": "valid", "since": cert.issued_on.isoformat()}],
    }


def test_a_new_certificate_carries_the_tracks_credential_name(client, create_user, issue):
    enrollment = ready_enrollment(create_user("trainee", name="Robin Ellis"))
    enrollment.track.credential_name = "Certified KAP Practitioner"
    db.session.commit()
    cert = issue(enrollment)
    assert _facts(_page(client, cert))["Credential"] == "Certified KAP Practitioner"
    assert _json(client, cert).get_json()["credential"] == "Certified KAP Practitioner"


def test_a_lapsed_certificate_says_since_when(client, certificate):
    # Issued 800 days ago: the first 24-month cycle ended short, then its 60-day grace passed.
    backdate(certificate, today() - timedelta(days=800))
    first_end = add_months(certificate.issued_on, 24) - timedelta(days=1)
    lapsed_on = first_end + timedelta(days=61)
    second_end = add_months(certificate.issued_on, 48) - timedelta(days=1)
    facts = _facts(_page(client, certificate))
    assert facts["Status"].startswith(f"Lapsed since {lapsed_on.isoformat()}")
    assert facts["Current cycle ends"] == second_end.isoformat()
    answer = _json(client, certificate).get_json()
    assert answer["status"] == "lapsed"
    assert answer["status_since"] == lapsed_on.isoformat()
    assert answer["cycle_ends_on"] == second_end.isoformat()


def test_a_revoked_certificate_gives_the_date_but_not_the_reason(client, certificate, staff):
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    revoked_on = today().isoformat()
    facts = _facts(_page(client, certificate))
    assert facts["Revoked on"] == revoked_on
    assert facts["Status"].startswith(f"Revoked since {revoked_on}")
    assert "Current cycle ends" not in facts  # no cycle runs on a revoked certificate
    answer = _json(client, certificate)
    data = answer.get_json()
    assert data["status"] == "revoked"
    assert data["revoked_on"] == revoked_on
    assert data["status_since"] == revoked_on
    assert data["cycle_ends_on"] is None
    assert REASON not in answer.get_data(as_text=True)
    assert "suspended" not in answer.get_data(as_text=True)


def test_json_only_when_the_request_prefers_it(client, certificate):
    for accept in ("text/html", "*/*", "text/html, application/json;q=0.9", ""):
        response = _json(client, certificate, accept)
        assert response.mimetype == "text/html", accept
    for accept in ("application/json", "application/json, text/html;q=0.5"):
        assert _json(client, certificate, accept).mimetype == "application/json", accept


def test_an_unknown_code_answers_404_json(client, certificate):
    response = _json(client, "A" * 43)
    assert response.status_code == 404
    assert response.get_json() == {"error": "No such certificate"}
    assert response.headers["Cache-Control"] == "no-store"
