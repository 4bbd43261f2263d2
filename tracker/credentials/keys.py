"""Ed25519 signing keys and the decentralized identifiers that name them.

A key is read from a PEM file (PKCS#8, as `flask credentials keygen` writes it) or from text (PEM
or a Multikey `secretKeyMultibase`). Its DID is `did:key:<publicKeyMultibase>` (self-contained:
anyone can read the public key from it) or, for a deployment that configures it,
`did:web:<host>`, whose DID document the app serves at /.well-known/did.json.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tracker.credentials.multibase import public_key_from_multibase
from tracker.credentials.multibase import public_key_multibase
from tracker.credentials.multibase import secret_key_from_multibase


class KeyProblem(ValueError):
    """The configured key cannot be read, or a verification method cannot be resolved."""


@dataclass(frozen=True)
class SigningKey:
    """A private Ed25519 key with the DID and verification method that name its public key."""

    private: Ed25519PrivateKey
    did: str
    verification_method: str

    @property
    def public_multibase(self) -> str:
        """The key's `publicKeyMultibase` (z6Mk...)."""
        return public_multibase_of(self.private)

    def sign(self, data: bytes) -> bytes:
        """The Ed25519 signature of `data`."""
        return self.private.sign(data)


def public_multibase_of(private: Ed25519PrivateKey) -> str:
    """The Multikey `publicKeyMultibase` of a private key's public half."""
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return public_key_multibase(raw)


def did_key(public_multibase: str) -> str:
    """The did:key DID of an Ed25519 public key."""
    return f"did:key:{public_multibase}"


def did_web(host: str) -> str:
    """The did:web DID of a host (a port, if any, percent-encoded as the method requires)."""
    return "did:web:" + host.replace(":", "%3A")


def signing_key(private: Ed25519PrivateKey, web_host: str | None = None) -> SigningKey:
    """The key named by did:key, or by did:web of `web_host` when given; its verification method
    is the DID and the key's publicKeyMultibase as the fragment."""
    public = public_multibase_of(private)
    did = did_web(web_host) if web_host else did_key(public)
    return SigningKey(private=private, did=did, verification_method=f"{did}#{public}")


@lru_cache(maxsize=8)
def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or a Multikey secretKeyMultibase."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise KeyProblem("The credential signing key is not an Ed25519 key.")
            return key
        return Ed25519PrivateKey.from_private_bytes(secret_key_from_multibase(text))
    except KeyProblem:
        raise
    except ValueError as error:
        raise KeyProblem(f"The credential signing key cannot be read: {error}") from None


def private_key_from_file(path: str) -> Ed25519PrivateKey:
    """The Ed25519 private key in a file (PEM or secretKeyMultibase)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return private_key_from_text(handle.read())
    except OSError as error:
        raise KeyProblem(f"The credential signing key file cannot be read: {error}") from None


def new_private_key_pem() -> bytes:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_new_key(path: str) -> str:
    """Write a new key to `path` readable by its owner only (mode 0600, refused when the file
    exists); the new key's publicKeyMultibase."""
    pem = new_private_key_pem()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return public_multibase_of(private_key_from_text(pem.decode()))


def public_key(raw_multibase: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a publicKeyMultibase."""
    try:
        return Ed25519PublicKey.from_public_bytes(public_key_from_multibase(raw_multibase))
    except ValueError as error:
        raise KeyProblem(str(error)) from None


def key_of_did_key(verification_method: str) -> str:
    """The publicKeyMultibase of a did:key verification method (did:key:z6Mk...#z6Mk...)."""
    did, _, fragment = verification_method.partition("#")
    if not did.startswith("did:key:"):
        raise KeyProblem("Not a did:key verification method.")
    multibase = did[len("did:key:") :]
    if fragment and fragment != multibase:
        raise KeyProblem("The did:key fragment does not name the DID's own key.")
    public_key(multibase)
    return multibase
