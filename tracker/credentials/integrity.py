"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa, section 3.3):
the proof configuration and the document are each canonicalized with RDFC-1.0 and hashed with
SHA-256; the Ed25519 signature covers the proof hash followed by the document hash, and is the
proof's `proofValue` in multibase base58-btc."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from tracker.credentials.jsonld import UnknownContext
from tracker.credentials.jsonld import UnsafeDocument
from tracker.credentials.jsonld import canonical_nquads
from tracker.credentials.jsonld import check_safe
from tracker.credentials.keys import KeyProblem
from tracker.credentials.keys import SigningKey
from tracker.credentials.multibase import decode_z
from tracker.credentials.multibase import encode_z

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"


def xsd_datetime(moment: datetime) -> str:
    """A UTC time as an XML Schema dateTime with a Z and whole seconds."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_config(document: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The proof configuration of the cryptosuite: the proof options (without proofValue) with
    the document's @context."""
    config = {k: copy.deepcopy(v) for k, v in options.items() if k != "proofValue"}
    config["@context"] = copy.deepcopy(document["@context"])
    return config


def hash_data(
    document: dict[str, Any],
    options: dict[str, Any],
    extra: Mapping[str, dict[str, Any]] | None = None,
) -> bytes:
    """SHA-256 of the canonical proof configuration followed by SHA-256 of the canonical
    document (without its proof): the 64 bytes the Ed25519 signature covers."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(
        canonical_nquads(proof_config(unsecured, options), extra).encode()
    ).digest()
    document_hash = hashlib.sha256(canonical_nquads(unsecured, extra).encode()).digest()
    return proof_hash + document_hash


def sign(
    document: dict[str, Any],
    key: SigningKey,
    created: datetime,
    extra: Mapping[str, dict[str, Any]] | None = None,
    *,
    as_set: bool = False,
) -> dict[str, Any]:
    """A copy of `document` with an embedded DataIntegrityProof (eddsa-rdfc-2022, purpose
    assertionMethod) made with `key` at `created`; with `as_set`, `proof` is a list holding the
    one proof (Open Badges 3.0 defines `proof` as an array)."""
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    check_safe(unsecured, extra)  # never sign what safe-mode verifiers would refuse
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(hash_data(unsecured, options, extra))
    proof = {**options, "proofValue": encode_z(signature)}
    return {**unsecured, "proof": [proof] if as_set else proof}


@dataclass(frozen=True)
class ProofCheck:
    """Whether a document's proof verifies, why (a sentence), and the verification method."""

    ok: bool
    reason: str
    verification_method: str | None = None


def verify(
    document: dict[str, Any],
    resolve: Callable[[str], Ed25519PublicKey],
    extra: Mapping[str, dict[str, Any]] | None = None,
) -> ProofCheck:
    """Verify the document's single eddsa-rdfc-2022 proof (an object, or a list holding one);
    `resolve` turns the proof's verification method into a public key (raising KeyProblem when
    it cannot)."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        return ProofCheck(False, "It has no proof, or more than one.")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, f"Its proof is not a {PROOF_TYPE} with {CRYPTOSUITE}.")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, "Its proof's purpose is not assertionMethod.")
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ProofCheck(False, "Its proof names no verification method.")
    if "@context" in proof:
        contexts = document.get("@context")
        wanted = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        if not isinstance(contexts, list) or contexts[: len(wanted)] != wanted:
            return ProofCheck(False, "Its proof's @context does not match the document's.", method)
    try:
        signature = decode_z(proof.get("proofValue"))
    except (ValueError, TypeError):
        return ProofCheck(False, "Its proofValue is not multibase base58-btc.", method)
    try:
        public = resolve(method)
    except KeyProblem as error:
        return ProofCheck(False, f"Its verification method cannot be used: {error}", method)
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    try:
        check_safe(document, extra)
        data = hash_data(document, options, extra)
    except UnknownContext as error:
        return ProofCheck(False, f"It uses a JSON-LD context we do not know: {error}.", method)
    except UnsafeDocument as error:
        return ProofCheck(False, f"It is not safe JSON-LD ({error}): verifiers refuse it.", method)
    except jsonld.JsonLdError:
        return ProofCheck(
            False, "It is not valid JSON-LD (a term no context defines, for one).", method
        )
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(
            False, "The signature does not match the content: it was changed after signing.", method
        )
    return ProofCheck(True, "The Ed25519 signature over the canonical content verifies.", method)
