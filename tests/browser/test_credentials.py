"""The digital credential in a real browser, on a 360 px phone: the holder's certificate page
offers the credential download, LinkedIn's add-to-profile link and the badge; someone who
received the credential uploads it at /verify and is told it is genuine, then pastes a changed
copy and is told the proof fails. Neither page scrolls sideways and axe-core finds nothing
serious."""

from __future__ import annotations

import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from tests.browser.conftest import PHONE
from tests.browser.test_journey import sign_in
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.extensions import db


def test_the_holder_downloads_the_credential_and_a_verifier_checks_it(
    app, create_user, person, accessibility
):
    staff = create_user("staff", name="Morgan Staff", email="morgan.staff@example.org")
    trainee = create_user("trainee", name="Jordan Avery", email="jordan.avery@example.org")
    holder = person(PHONE)  # the live server runs: credentials carry its address
    cert = services.issue_certificate(ready_enrollment(trainee).id, staff, password=PASSWORD)
    db.session.commit()

    sign_in(holder, trainee.email)
    holder.open("/certificates/mine")
    text = holder.main_text()
    assert "Digital credential" in text
    download = holder.page.get_by_role("link", name="Download the credential (.json)")
    response = holder.page.request.get(download.get_attribute("href"))
    assert response.ok
    credential = response.json()
    assert credential["credentialSubject"]["licenseNumber"] == cert.number
    linkedin = holder.page.get_by_role("link", name="Add to LinkedIn profile")
    query = parse_qs(urlsplit(linkedin.get_attribute("href")).query)
    assert query["certId"] == [cert.number]
    assert query["name"] == [cert.credential]
    assert query["certUrl"][0].endswith(f"/verify/{cert.verification_code}")
    assert holder.page.locator("main img[alt$='certification badge']").is_visible()
    assert max(overflow(holder).values()) <= TOLERANCE

    verifier = person(PHONE)
    verifier.open("/verify")
    verifier.follow("check the digital credential")
    verifier.attach(
        "Or upload the credential file (.json)",
        "credential.json",
        json.dumps(credential).encode(),
        "application/json",
    )
    verifier.press("Check the credential")
    text = verifier.main_text()
    assert "This credential is genuine and current" in text
    assert cert.number in text
    assert max(overflow(verifier).values()) <= TOLERANCE

    changed = dict(credential, name="Master Practitioner")
    verifier.fill("Paste the credential (JSON)", json.dumps(changed))
    verifier.press("Check the credential")
    text = verifier.main_text()
    assert "This credential does not verify" in text
    assert "changed after signing" in text
    assert max(overflow(verifier).values()) <= TOLERANCE
    accessibility.assert_clean()
