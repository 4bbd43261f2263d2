"""The program's credential issuer: its signing key (from configuration, never the database), the
DID naming it (did:key by default, did:web when configured), every key it ever signed with (the
current one and the retired ones), and the resolution of a verification method to a public key
without any network access."""

from __future__ import annotations

import contextlib
import hashlib
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app

from tracker.credentials.jsonld import DID_V1
from tracker.credentials.jsonld import MULTIKEY_V1
from tracker.credentials.keys import KeyProblem
from tracker.credentials.keys import SigningKey
from tracker.credentials.keys import did_web
from tracker.credentials.keys import key_of_did_key
from tracker.credentials.keys import private_key_from_file
from tracker.credentials.keys import private_key_from_text
from tracker.credentials.keys import public_key
from tracker.credentials.keys import signing_key

NO_KEY = (
    "No credential signing key is configured: set CREDENTIAL_KEY_FILE (see `flask credentials "
    "keygen`) or CREDENTIAL_KEY before issuing certificates."
)


def _private_key() -> Ed25519PrivateKey:
    config = current_app.config
    if config.get("CREDENTIAL_KEY_FILE"):
        return private_key_from_file(str(config["CREDENTIAL_KEY_FILE"]))
    if config.get("CREDENTIAL_KEY"):
        return private_key_from_text(str(config["CREDENTIAL_KEY"]))
    if config.get("CREDENTIAL_DEVELOPMENT_KEY") and config.get("SECRET_KEY"):
        # Development and tests only: every process derives the same key from SECRET_KEY.
        seed = hashlib.sha256(b"credential-signing-key:" + str(config["SECRET_KEY"]).encode())
        return Ed25519PrivateKey.from_private_bytes(seed.digest())
    raise KeyProblem(NO_KEY)


def public_base() -> str:
    """PUBLIC_BASE_URL without a trailing slash: the base of the addresses credentials carry."""
    return str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def web_host() -> str | None:
    """The host of the did:web DID when CREDENTIAL_ISSUER_DID is "web" (None for did:key).

    Raises KeyProblem when did:web is asked for but PUBLIC_BASE_URL is not an https address
    of a host without a path (the DID document must be at https://<host>/.well-known/did.json).
    """
    if current_app.config.get("CREDENTIAL_ISSUER_DID", "key") != "web":
        return None
    parts = urlsplit(str(current_app.config.get("PUBLIC_BASE_URL") or ""))
    if parts.scheme != "https" or not parts.hostname or parts.path.strip("/"):
        raise KeyProblem(
            "CREDENTIAL_ISSUER_DID=web needs PUBLIC_BASE_URL to be an https address of a host "
            "without a path."
        )
    return parts.netloc


def current_key() -> SigningKey:
    """The key that signs new credentials and status lists, named by the issuer's DID.
    KeyProblem when none is configured (production) or it cannot be read."""
    return signing_key(_private_key(), web_host())


def key_problem() -> str | None:
    """Why no credential can be signed now (no key configured, an unreadable key, did:web
    without an https address), or None when one can."""
    try:
        current_key()
    except KeyProblem as problem:
        return str(problem)
    return None


def our_public_keys() -> list[str]:
    """The publicKeyMultibase of every key the issuer signs or signed with: the current one
    first (when there is one), then the retired ones."""
    keys = []
    with contextlib.suppress(KeyProblem):
        keys.append(current_key().public_multibase)
    for retired in current_app.config.get("CREDENTIAL_RETIRED_KEYS") or []:
        if retired not in keys:
            keys.append(retired)
    return keys


def resolve(verification_method: str) -> Ed25519PublicKey:
    """The public key of a verification method, with no network access: any did:key (the key
    is in the DID itself), and our own did:web's keys. KeyProblem for anything else."""
    if verification_method.startswith("did:key:"):
        return public_key(key_of_did_key(verification_method))
    did, _, fragment = verification_method.partition("#")
    if did.startswith("did:web:"):
        host = web_host()
        if host is None or did != did_web(host):
            raise KeyProblem(f"{did} is not our DID, and we look up no other did:web.")
        if fragment not in our_public_keys():
            raise KeyProblem(f"Our DID document lists no key {fragment}.")
        return public_key(fragment)
    raise KeyProblem("Only did:key and our own did:web verification methods are resolved.")


def is_ours(verification_method: str) -> bool:
    """True when the verification method names one of our keys under our DID (did:key of that
    key, or our did:web)."""
    did, _, fragment = verification_method.partition("#")
    try:
        if did.startswith("did:key:"):
            return key_of_did_key(verification_method) in our_public_keys()
        host = web_host()
    except KeyProblem:
        return False
    return host is not None and did == did_web(host) and fragment in our_public_keys()


def did_document() -> dict[str, Any] | None:
    """Our did:web DID document, listing every key (current and retired) as a Multikey for
    assertions; None when the issuer is not did:web."""
    host = web_host()
    if host is None:
        return None
    did = did_web(host)
    methods = [
        {"id": f"{did}#{key}", "type": "Multikey", "controller": did, "publicKeyMultibase": key}
        for key in our_public_keys()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def issuer_email() -> str:
    """The issuer Profile's e-mail: CREDENTIAL_ISSUER_EMAIL, else MAIL_SENDER's address."""
    configured = current_app.config.get("CREDENTIAL_ISSUER_EMAIL")
    if configured:
        return str(configured)
    return parseaddr(str(current_app.config.get("MAIL_SENDER") or ""))[1]
