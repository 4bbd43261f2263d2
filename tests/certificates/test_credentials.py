"""Certificates as Open Badges 3.0 credentials: issued and signed with the certificate, served
to anyone with the code, private about the holder's e-mail; their revocation and suspension bits
follow the record in signed status lists; any change to the credential, its proof or a status
list fails the check; the key comes from configuration, and a rotation keeps old credentials
ours."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.certificates.factories import add_ce
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tracker.certificates import services
from tracker.certificates.badges import check_credential
from tracker.certificates.issuer import NO_KEY
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateCredential
from tracker.certificates.models import StatusEntry
from tracker.certificates.models import StatusList
from tracker.core.errors import Refused
from tracker.credentials import status_list as bitstring
from tracker.credentials.keys import new_private_key_pem
from tracker.credentials.keys import private_key_from_text
from tracker.credentials.keys import public_multibase_of
from tracker.extensions import db
from tracker.factories import certificates
from tracker.progress.certification_rules import add_months
from tracker.standing.snapshots import refresh

REASON = "Recorded against the wrong graduate by mistake."


def _credential(client, cert) -> dict:
    response = client.get(f"/verify/{cert.verification_code}/credential.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.get_data(as_text=True))


def _bit(client, document: dict, purpose: str) -> bool:
    """The credential's bit of `purpose`, read from the status list the app serves."""
    entry = next(e for e in document["credentialStatus"] if e["statusPurpose"] == purpose)
    path = entry["statusListCredential"].removeprefix("http://localhost")
    listed = json.loads(client.get(path).get_data(as_text=True))
    assert listed["credentialSubject"]["statusPurpose"] == purpose
    bits = bitstring.decode(listed["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    return bitstring.bit(bits, int(entry["statusListIndex"]))


def _findings(document) -> dict[str, bool]:
    return {f.label: f.ok for f in check_credential(document).findings}


def test_an_issued_certificate_has_a_signed_open_badge_credential(client, certificate, trainee):
    document = _credential(client, certificate)
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"].startswith("urn:uuid:")
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert document["issuer"]["type"] == ["Profile"]
    assert document["issuer"]["name"] == certificate.program_name
    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["licenseNumber"] == certificate.number
    achievement = subject["achievement"]
    assert achievement["name"] == certificate.credential
    assert "supervised KAP sessions" in achievement["criteria"]["narrative"]
    assert "Didactic training" in achievement["criteria"]["narrative"]
    image = client.get(achievement["image"]["id"].removeprefix("http://localhost"))
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    # The e-mail only as a salted SHA-256 hash.
    (identity,) = subject["identifier"]
    salted = (trainee.email + identity["salt"]).encode()
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert trainee.email not in json.dumps(document)
    assert [e["statusPurpose"] for e in document["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    (proof,) = document["proof"]  # Open Badges 3.0: an array
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith(document["issuer"]["id"] + "#")
    assert _findings(document) == dict.fromkeys(
        ["Proof", "Issuer key", "Status (revocation)", "Status (suspension)", "Our record"], True
    )
    assert not _bit(client, document, "revocation")
    assert not _bit(client, document, "suspension")


def test_an_unknown_code_has_no_credential(client, certificate):
    assert client.get("/verify/not-a-code/credential.json").status_code == 404


def test_revocation_bit_follows_revoke_and_reinstate(client, certificate, staff):
    document = _credential(client, certificate)
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    assert _bit(client, document, "revocation")
    assert not _bit(client, document, "suspension")
    findings = check_credential(document).findings
    revocation = next(f for f in findings if f.label == "Status (revocation)")
    assert not revocation.ok and "revoked" in revocation.reason
    services.reinstate_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    assert not _bit(client, document, "revocation")
    assert check_credential(document).ok
    # The credential itself never changes: the status lists do.
    assert _credential(client, certificate) == document


def test_suspension_bit_follows_a_lapse_and_the_cycle_met_again(client, ready, staff):
    cert = certificates.issued_on_day(
        ready, "Jordan Avery", ready.program.name, today() - timedelta(days=800), staff
    )
    db.session.commit()
    document = _credential(client, cert)
    assert not _bit(client, document, "suspension")
    refresh()  # the engine finds the first cycle closed short: lapsed
    assert db.session.get(Certificate, cert.id).status == "lapsed"
    assert _bit(client, document, "suspension")
    assert not _bit(client, document, "revocation")
    first_end = add_months(cert.issued_on, 24) - timedelta(days=1)
    add_ce(ready, first_end - timedelta(days=5), "ce", "40")
    add_ce(ready, first_end - timedelta(days=5), "consultation", "12")
    refresh()
    assert db.session.get(Certificate, cert.id).status == "valid"
    assert not _bit(client, document, "suspension")


def test_indexes_are_random_and_never_reused(create_user, issue):
    from tests.certificates.factories import ready_enrollment

    certs = [
        issue(ready_enrollment(create_user("trainee"), program_name=f"Program {i}"))
        for i in range(4)
    ]
    entries = db.session.scalars(select(StatusEntry)).all()
    assert len(entries) == 2 * len(certs)
    for purpose_list in db.session.scalars(select(StatusList)):
        indexes = [e.list_index for e in entries if e.status_list_id == purpose_list.id]
        assert len(set(indexes)) == len(indexes) == len(certs)
        assert purpose_list.size >= 131_072
        assert indexes != sorted(indexes) or max(indexes) > len(certs)
    taken = entries[0]
    db.session.add(
        StatusEntry(
            status_list_id=taken.status_list_id,
            list_index=taken.list_index,
            certificate_id=certs[-1].id,
        )
    )
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.flush()
    db.session.rollback()


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*path, index))
    else:
        yield path


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        return value.replace("Z", ".5Z") if "." not in value else value.replace(".5", "")
    return f"{value}0"


def _set(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def test_changing_any_field_of_the_credential_fails_its_proof(client, certificate):
    document = _credential(client, certificate)
    paths = [p for p in _leaf_paths(document) if p[0] != "proof"]
    assert len(paths) > 30
    for path in paths:
        tampered = copy.deepcopy(document)
        original = tampered
        for key in path:
            original = original[key]
        _set(tampered, path, _changed(original))
        report = check_credential(tampered)
        proof = report.findings[0]
        assert proof.label == "Proof" and not proof.ok, path
        assert not report.ok, path
    # Adding or removing a field fails as well.
    added = copy.deepcopy(document)
    added["credentialSubject"]["role"] = "Supervisor"
    assert not check_credential(added).findings[0].ok
    removed = copy.deepcopy(document)
    del removed["credentialSubject"]["licenseNumber"]
    assert not check_credential(removed).findings[0].ok


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("proofValue", None, "changed after signing"),
        ("created", "2020-01-01T00:00:00Z", "changed after signing"),
        ("proofPurpose", "authentication", "assertionMethod"),
        ("cryptosuite", "eddsa-jcs-2022", "eddsa-rdfc-2022"),
        ("type", "Ed25519Signature2020", "DataIntegrityProof"),
        ("verificationMethod", None, "not one of ours"),
    ],
)
def test_changing_the_proof_fails(client, certificate, field, value, reason):
    document = _credential(client, certificate)
    (proof,) = document["proof"]
    if field == "proofValue":
        value = proof["proofValue"][:-2] + ("A" if proof["proofValue"][-2] != "A" else "B") + "z"
    if field == "verificationMethod":
        other = public_multibase_of(private_key_from_text(new_private_key_pem().decode()))
        value = f"did:key:{other}#{other}"
    proof[field] = value
    report = check_credential(document)
    assert not report.ok
    texts = " ".join(f.reason for f in report.findings if not f.ok)
    assert reason in texts


def test_a_changed_status_list_fails_its_own_proof(client, certificate, staff):
    document = _credential(client, certificate)
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    entry = db.session.scalars(
        select(StatusEntry).where(StatusEntry.certificate_id == certificate.id)
    ).first()
    status_list = db.session.get(StatusList, entry.status_list_id)
    listed = json.loads(status_list.document)
    # Someone clears the revoked bit in the stored list without the key.
    listed["credentialSubject"]["encodedList"] = bitstring.encode([])
    status_list.document = json.dumps(listed)
    db.session.commit()
    findings = {f.label: f for f in check_credential(document).findings}
    assert not findings["Status (revocation)"].ok
    assert "status list's own proof fails" in findings["Status (revocation)"].reason


def test_a_credential_differing_from_our_record_is_reported(client, certificate):
    document = _credential(client, certificate)
    other = copy.deepcopy(document)
    other["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    findings = {f.label: f for f in check_credential(other).findings}
    assert not findings["Our record"].ok
    assert "no record" in findings["Our record"].reason


def test_production_refuses_to_issue_without_a_key(app, ready, staff):
    app.config.update(CREDENTIAL_DEVELOPMENT_KEY=False, CREDENTIAL_KEY=None)
    with pytest.raises(Refused, match="No credential signing key"):
        services.issue_certificate(ready.id, staff, password=PASSWORD)
    db.session.rollback()
    assert db.session.scalar(select(Certificate.id)) is None
    assert NO_KEY.startswith("No credential signing key")


def test_keygen_writes_a_private_key_file_and_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "signing.pem"
    result = runner.invoke(args=["credentials", "keygen", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    public = public_multibase_of(private_key_from_text(path.read_text()))
    assert public in result.output
    again = runner.invoke(args=["credentials", "keygen", str(path)])
    assert again.exit_code != 0 and "exists" in again.output


def test_rotation_signs_new_credentials_with_the_new_key_and_keeps_old_ones_ours(
    app, client, runner, tmp_path, create_user, issue, certificate
):
    from tests.certificates.factories import ready_enrollment

    old = _credential(client, certificate)
    old_key = old["proof"][0]["verificationMethod"].partition("#")[2]
    path = tmp_path / "new.pem"
    runner.invoke(args=["credentials", "keygen", str(path)])
    app.config.update(CREDENTIAL_KEY_FILE=str(path))
    second = ready_enrollment(create_user("trainee"), program_name="Second Program")
    new = _credential(client, issue(second))
    assert new["issuer"]["id"] != old["issuer"]["id"]
    assert check_credential(new).ok
    # The old key is no longer configured: its credential's proof holds, but it is not ours ...
    findings = {f.label: f.ok for f in check_credential(old).findings}
    assert findings["Proof"] and not findings["Issuer key"]
    # ... until it is listed as retired.
    app.config.update(CREDENTIAL_RETIRED_KEYS=[old_key])
    assert check_credential(old).ok
    # Every status list signed again with the new key: the old key may then be forgotten.
    result = runner.invoke(args=["credentials", "sign-lists"])
    assert result.exit_code == 0, result.output
    signers = {
        json.loads(d)["proof"]["verificationMethod"]
        for d in db.session.scalars(select(StatusList.document))
    }
    assert signers == {new["proof"][0]["verificationMethod"]}


def test_did_web_issuer_and_its_did_document(app, client, certificate, create_user, issue):
    from tests.certificates.factories import ready_enrollment

    assert client.get("/.well-known/did.json").status_code == 404  # did:key by default
    old_key = _credential(client, certificate)["proof"][0]["verificationMethod"].partition("#")[2]
    app.config.update(
        CREDENTIAL_ISSUER_DID="web",
        PUBLIC_BASE_URL="https://tracker.example.org",
        CREDENTIAL_KEY=new_private_key_pem().decode(),
        CREDENTIAL_RETIRED_KEYS=[old_key],
    )
    cert = issue(ready_enrollment(create_user("trainee"), program_name="Second Program"))
    document = json.loads(
        db.session.scalar(
            select(CertificateCredential.document).where(
                CertificateCredential.certificate_id == cert.id
            )
        )
    )
    assert document["issuer"]["id"] == "did:web:tracker.example.org"
    assert check_credential(document).ok
    did = json.loads(client.get("/.well-known/did.json").get_data(as_text=True))
    assert did["id"] == "did:web:tracker.example.org"
    keys = [m["publicKeyMultibase"] for m in did["verificationMethod"]]
    assert old_key in keys and len(keys) == 2
    assert did["assertionMethod"] == [m["id"] for m in did["verificationMethod"]]


# -- the holder's page and the public check ----------------------------------------------------


def test_the_holder_page_offers_the_credential_linkedin_and_the_badge(
    client, auth, trainee, certificate
):
    auth.login(trainee)
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert f"/verify/{certificate.verification_code}/credential.json" in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert f"certId={certificate.number}" in html
    assert "organizationName=" in html and "issueYear=" in html and "certUrl=" in html
    assert f"/credentials/programs/{certificate.enrollment.program_id}/badge.svg" in html


def _check(client, data, **kwargs):
    payload = {"csrf_token": csrf_token(client), **data}
    return client.post(
        "/verify/credential", data=payload, content_type="multipart/form-data", **kwargs
    )


def test_verify_accepts_an_uploaded_or_pasted_credential(client, certificate):
    document = _credential(client, certificate)
    text = json.dumps(document)
    upload = _check(client, {"upload": (io.BytesIO(text.encode()), "credential.json")})
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200
    assert "This credential is genuine and current" in html
    assert certificate.number in html
    pasted = _check(client, {"pasted": text}).get_data(as_text=True)
    assert "This credential is genuine and current" in pasted
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["licenseNumber"] = "KAP-2000-000001"
    html = _check(client, {"pasted": json.dumps(tampered)}).get_data(as_text=True)
    assert "This credential does not verify" in html
    assert "changed after signing" in html
    as_json = _check(client, {"pasted": text}, headers={"Accept": "application/json"})
    assert as_json.get_json()["verified"] is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pasted": ""}, "Paste the credential or upload its file."),
        ({"pasted": "{not json"}, "This is not JSON"),
        ({"pasted": "x" * (256 * 1024 + 1)}, "Use at most 256 KB."),
        (
            {"upload": (io.BytesIO(b" " * (256 * 1024 + 1)), "big.json")},
            "The file is larger than 256 KB.",
        ),
    ],
)
def test_verify_refuses_bad_input_with_a_clear_message(client, certificate, data, message):
    response = _check(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_credential_check_needs_the_csrf_token(client, certificate):
    response = client.post("/verify/credential", data={"pasted": "{}"})
    assert response.status_code == 400


def test_credential_checks_are_limited_to_10_a_minute(make_app, certificate):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    token = csrf_token(client)
    codes = [
        client.post("/verify/credential", data={"csrf_token": token, "pasted": "{}"}).status_code
        for _ in range(11)
    ]
    assert codes == [200] * 10 + [429]


def test_the_demo_certificates_each_have_a_credential_with_the_right_bits(app, client, monkeypatch):
    from tracker.demo import data as demo
    from tracker.demo.certificates import add_demo

    monkeypatch.setattr(demo, "_extensions", lambda: [add_demo])
    summary = demo.load_demo(password=demo.DEFAULT_PASSWORD)
    db.session.commit()
    certs = {c.printed_name: c for c in db.session.scalars(select(Certificate))}
    bits = {}
    for name, cert in certs.items():
        document = _credential(client, cert)
        assert _findings(document)["Proof"] and _findings(document)["Our record"]
        bits[name] = (_bit(client, document, "revocation"), _bit(client, document, "suspension"))
    assert bits["Dr. Elena Vasquez"] == (False, False)  # valid
    assert bits["Dr. Marcus Bell"] == (False, True)  # lapsed
    assert bits["Dr. Ivy Tran"] == (True, False)  # revoked
    assert bits["Dr. Samuel Okafor"] == (False, False)  # revoked by mistake, reinstated
    assert check_credential(_credential(client, certs["Dr. Elena Vasquez"])).ok
    valid = certs["Dr. Elena Vasquez"]
    address = f"http://localhost/verify/{valid.verification_code}/credential.json"
    assert any(address in note for note in summary.notes)


def test_did_web_needs_an_https_address(app, ready, staff):
    app.config.update(CREDENTIAL_ISSUER_DID="web", PUBLIC_BASE_URL="http://tracker.example.org")
    with pytest.raises(Refused, match="needs PUBLIC_BASE_URL to be an https address"):
        services.issue_certificate(ready.id, staff, password=PASSWORD)
    db.session.rollback()
    assert db.session.scalar(select(Certificate.id)) is None


def test_issue_missing_signs_credentials_for_older_certificates(client, runner, certificate):
    # A certificate issued before credentials existed: no credential, no status entries.
    db.session.execute(
        StatusEntry.__table__.delete().where(StatusEntry.certificate_id == certificate.id)
    )
    db.session.execute(
        CertificateCredential.__table__.delete().where(
            CertificateCredential.certificate_id == certificate.id
        )
    )
    db.session.commit()
    assert client.get(f"/verify/{certificate.verification_code}/credential.json").status_code == 404
    result = runner.invoke(args=["credentials", "issue-missing"])
    assert result.exit_code == 0, result.output
    assert "1 credential(s) issued." in result.output
    assert check_credential(_credential(client, certificate)).ok
    again = runner.invoke(args=["credentials", "issue-missing"])
    assert "0 credential(s) issued." in again.output
