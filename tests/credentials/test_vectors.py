"""The W3C test vectors of the eddsa-rdfc-2022 cryptosuite (w3c/vc-di-eddsa), reproduced with our
canonicalization, hashing and signing: same canonical proof configuration, same hashes, same
proofValue from the published key; and the published signed credential verifies."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from tracker.credentials import integrity
from tracker.credentials.jsonld import UnknownContext
from tracker.credentials.jsonld import canonical_nquads
from tracker.credentials.keys import SigningKey
from tracker.credentials.keys import key_of_did_key
from tracker.credentials.keys import private_key_from_text
from tracker.credentials.keys import public_key
from tracker.credentials.keys import signing_key
from tracker.credentials.multibase import public_key_multibase

VECTORS = Path(__file__).parent / "vectors"
SUITE = VECTORS / "eddsa-rdfc-2022"
EXAMPLES = {
    "https://www.w3.org/ns/credentials/examples/v2": json.loads(
        (VECTORS / "credentials-examples-v2.jsonld").read_text()
    )
}


def _text(name: str) -> str:
    return (SUITE / name).read_text()


@pytest.fixture
def signed():
    return json.loads(_text("signedDataInt.json"))


@pytest.fixture
def key_pair():
    return json.loads((VECTORS / "keyPair.json").read_text())


def test_canonical_proof_configuration_and_hashes(signed):
    config = json.loads(_text("proofConfigDataInt.json"))
    assert canonical_nquads(config, EXAMPLES) == _text("proofCanonDataInt.txt")
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    assert integrity.proof_config(unsecured, options) == config
    combined = integrity.hash_data(unsecured, options, EXAMPLES)
    assert combined[:32].hex() == _text("proofHashDataInt.txt")
    assert combined.hex() == _text("combinedHashDataInt.txt")
    # The document's hash (the second half) is SHA-256 of its canonical form.
    canonical = canonical_nquads(unsecured, EXAMPLES)
    assert hashlib.sha256(canonical.encode()).hexdigest() == combined[32:].hex()


def test_same_signature_and_proof_value_from_the_published_key(signed, key_pair):
    private = private_key_from_text(key_pair["privateKeyMultibase"])
    raw_public = private.public_key().public_bytes_raw()
    assert public_key_multibase(raw_public) == key_pair["publicKeyMultibase"]
    # The vector names its key under an https issuer: sign with that verification method.
    key = SigningKey(private, signed["issuer"], signed["proof"]["verificationMethod"])
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    created = datetime.fromisoformat(signed["proof"]["created"].replace("Z", "+00:00"))
    ours = integrity.sign(unsecured, key, created, EXAMPLES)
    assert ours["proof"]["proofValue"] == _text("sigBTC58DataInt.txt")
    assert ours == signed
    signature = key.sign(bytes.fromhex(_text("combinedHashDataInt.txt")))
    assert signature.hex() == _text("sigHexDataInt.txt")


def _resolve_published(key_pair):
    return lambda method: public_key(key_pair["publicKeyMultibase"])


def test_the_published_credential_verifies_and_a_changed_one_does_not(signed, key_pair):
    check = integrity.verify(signed, _resolve_published(key_pair), EXAMPLES)
    assert check.ok, check.reason
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["alumniOf"] = "Another School"
    check = integrity.verify(changed, _resolve_published(key_pair), EXAMPLES)
    assert not check.ok
    assert "changed after signing" in check.reason


def test_unknown_contexts_are_refused_without_fetching(signed):
    with pytest.raises(UnknownContext):
        canonical_nquads({k: v for k, v in signed.items() if k != "proof"})
    check = integrity.verify(signed, lambda m: public_key(key_of_did_key(m)))
    assert not check.ok


def test_did_key_of_the_published_key(key_pair):
    private = private_key_from_text(key_pair["privateKeyMultibase"])
    key = signing_key(private)
    assert key.did == "did:key:" + key_pair["publicKeyMultibase"]
    assert key.verification_method == f"{key.did}#{key_pair['publicKeyMultibase']}"
    assert key_of_did_key(key.verification_method) == key_pair["publicKeyMultibase"]


def test_a_proof_set_of_one_proof_signs_and_verifies_the_same(signed, key_pair):
    """Open Badges 3.0 writes `proof` as an array: one proof in a list is the same proof (the
    proof is not part of what is signed), and a second proof beside it is refused."""
    key = SigningKey(
        private_key_from_text(key_pair["privateKeyMultibase"]),
        signed["issuer"],
        signed["proof"]["verificationMethod"],
    )
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    created = datetime.fromisoformat(signed["proof"]["created"].replace("Z", "+00:00"))
    as_set = integrity.sign(unsecured, key, created, EXAMPLES, as_set=True)
    assert as_set == {**signed, "proof": [signed["proof"]]}
    check = integrity.verify(as_set, _resolve_published(key_pair), EXAMPLES)
    assert check.ok, check.reason
    two = {**signed, "proof": [signed["proof"], signed["proof"]]}
    assert not integrity.verify(two, _resolve_published(key_pair), EXAMPLES).ok
