"""What the reference verifiers refuse in JSON-LD "safe mode" is neither signed nor accepted:
a type or id that stays a relative IRI, or a property no context defines, would be dropped by
expansion and could then change without breaking the proof."""

from __future__ import annotations

import copy
from datetime import UTC
from datetime import datetime

import pytest

from tracker.credentials import integrity
from tracker.credentials.jsonld import OB_V3P0
from tracker.credentials.jsonld import VC_V2
from tracker.credentials.jsonld import UnsafeDocument
from tracker.credentials.keys import key_of_did_key
from tracker.credentials.keys import new_private_key_pem
from tracker.credentials.keys import private_key_from_text
from tracker.credentials.keys import public_key
from tracker.credentials.keys import signing_key

DOCUMENT = {
    "@context": [VC_V2],
    "id": "urn:uuid:6a9a4e0e-1d8c-4a53-9a4c-5e0d3c1b8f11",
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject", "name": "Example"},
}


def _resolve(method):
    return public_key(key_of_did_key(method))


@pytest.fixture
def key():
    return signing_key(private_key_from_text(new_private_key_pem().decode()))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(credentialSchema=[{"id": "https://x.example/s", "type": "Relative"}]),
        lambda d: d["credentialSubject"].update(id="relative/subject"),
    ],
)
def test_relative_iris_are_neither_signed_nor_accepted(key, change):
    unsafe = copy.deepcopy(DOCUMENT)
    change(unsafe)
    with pytest.raises(UnsafeDocument, match="relative"):
        integrity.sign(unsafe, key, datetime.now(UTC))
    signed = integrity.sign(DOCUMENT, key, datetime.now(UTC))
    assert integrity.verify(signed, _resolve).ok
    tampered = copy.deepcopy(signed)
    change(tampered)
    check = integrity.verify(tampered, _resolve)
    assert not check.ok and "not safe JSON-LD" in check.reason


def test_the_ob_schema_validator_type_is_left_relative_by_the_shipped_contexts(key):
    """Open Badges 3.0.3 names the credentialSchema type 1EdTechJsonSchemaValidator2019, but
    neither the VC 2.0 context nor 1EdTech's 3.0.3 context defines that term: it would stay a
    relative IRI, so our credentials carry no credentialSchema. Should a shipped context come
    to define it, this fails and the credential can name its schema."""
    document = copy.deepcopy(DOCUMENT)
    document["@context"] = [VC_V2, OB_V3P0]
    document["credentialSchema"] = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    with pytest.raises(UnsafeDocument, match="relative @type '1EdTechJsonSchemaValidator2019'"):
        integrity.sign(document, key, datetime.now(UTC))
