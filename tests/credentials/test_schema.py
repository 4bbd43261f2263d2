"""Our credentials against 1EdTech's Open Badges 3.0 JSON schema for AchievementCredential (the
VC 2.0 version that goes with the 3.0.3 context, kept in schema/, see its README): the demo's
valid, lapsed, revoked and reinstated certificates and a freshly issued one, as the verification
page serves them, validated with draft 2019-09 and its formats (date-time)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import jsonschema_rs
import pytest
from sqlalchemy import select

from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.certificates.badges import check_credential
from tracker.certificates.models import Certificate
from tracker.demo import data as demo
from tracker.demo.certificates import add_demo
from tracker.extensions import db

SCHEMA = Path(__file__).parent / "schema" / "ob_v3p0_achievementcredential_schema.json"
PUBLISHED_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/"
    "ob_v3p0_achievementcredential_schema.json"
)
# Open Badges 3.0.3 allows one credentialStatus (the schema: a single CredentialStatus object);
# ours carries two BitstringStatusListEntry, revocation and suspension (lapse), as the design
# asks. That one difference is set aside below, and the strict xfail says it is still there.
TWO_STATUS_ENTRIES = "credentialStatus"


@pytest.fixture(scope="module")
def validator():
    """The schema's draft 2019-09 validator, formats checked, never reaching the network."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema_rs.Draft201909Validator(schema, validate_formats=True, offline=True)


def _errors(validator, document, *, set_aside: tuple[str, ...] = ()) -> list[str]:
    """Each schema error as 'where: what', leaving out those under a top-level `set_aside`."""
    return [
        f"/{'/'.join(map(str, error.instance_path))}: {error.message[:300]}"
        for error in validator.iter_errors(document)
        if not (error.instance_path and error.instance_path[0] in set_aside)
    ]


def _served(client, cert: Certificate) -> dict:
    response = client.get(f"/verify/{cert.verification_code}/credential.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


@pytest.fixture
def fresh(client, create_user, staff):
    """A credential issued just now, through the service, as the app serves it."""
    trainee = create_user("trainee", name="Jordan Avery", email="jordan.avery@example.org")
    enrollment = ready_enrollment(trainee)
    cert = services.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.commit()
    return _served(client, cert)


def test_the_schema_is_the_published_file():
    text = SCHEMA.read_text(encoding="utf-8")
    assert len(text) == 63_198
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert digest == "86a141ff0c1b1a6b4e08460f786a8ffe0f737d8256a86243d134a2e6450efe4d"
    schema = json.loads(text)
    assert schema["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    assert schema["$id"] == PUBLISHED_ID
    assert "validFrom" in schema["required"]


def test_the_demo_credentials_validate(app, client, validator, monkeypatch):
    monkeypatch.setattr(demo, "_extensions", lambda: [add_demo])
    demo.load_demo(password=demo.DEFAULT_PASSWORD)
    db.session.commit()
    certs = {c.printed_name: c for c in db.session.scalars(select(Certificate))}
    names = ["Dr. Elena Vasquez", "Dr. Marcus Bell", "Dr. Ivy Tran", "Dr. Samuel Okafor"]
    assert set(names) <= set(certs)  # valid, lapsed, revoked, reinstated
    errors = {
        name: _errors(validator, _served(client, certs[name]), set_aside=(TWO_STATUS_ENTRIES,))
        for name in names
    }
    assert errors == {name: [] for name in names}, json.dumps(errors, indent=2)


def test_a_freshly_issued_credential_validates_and_verifies(validator, fresh):
    errors = _errors(validator, fresh, set_aside=(TWO_STATUS_ENTRIES,))
    assert errors == [], "\n".join(errors)
    assert isinstance(fresh["proof"], list) and len(fresh["proof"]) == 1
    assert check_credential(fresh).ok


@pytest.mark.xfail(
    strict=True,
    reason="Two credentialStatus entries (revocation, suspension); Open Badges 3.0.3 allows one.",
)
def test_a_freshly_issued_credential_validates_with_nothing_set_aside(validator, fresh):
    errors = _errors(validator, fresh)
    assert errors == [], "\n".join(errors)


def _without_valid_from(document):
    del document["validFrom"]


def _identity_type_wrong(document):
    document["credentialSubject"]["identifier"][0]["type"] = "EmailIdentity"


def _plain_email_as_identity_type(document):
    document["credentialSubject"]["identifier"][0]["identityType"] = "email"


def _proof_as_one_object(document):
    document["proof"] = document["proof"][0]


def _valid_from_without_zone(document):
    document["validFrom"] = "2026-01-01 10:00"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (_without_valid_from, "/"),
        (_identity_type_wrong, "/credentialSubject/identifier/0/type"),
        (_plain_email_as_identity_type, "/credentialSubject/identifier/0/identityType"),
        (_proof_as_one_object, "/proof"),
        (_valid_from_without_zone, "/validFrom"),
    ],
)
def test_the_schema_refuses_a_credential_that_breaks_it(validator, fresh, change, where):
    broken = copy.deepcopy(fresh)
    change(broken)
    errors = _errors(validator, broken, set_aside=(TWO_STATUS_ENTRIES,))
    assert any(error.startswith(f"{where}:") for error in errors), errors
