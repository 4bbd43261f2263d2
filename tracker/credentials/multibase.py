"""Multibase and multicodec encodings used by Data Integrity and did:key: base58-btc (`z`),
base64url without padding (`u`), and the Multikey headers of Ed25519 keys."""

from __future__ import annotations

import base64

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
# Multicodec headers (varint-encoded): ed25519-pub 0xed, ed25519-priv 0x1300.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) of `data`, leading zero bytes kept as '1'."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = _ALPHABET[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def b58decode(text: str) -> bytes:
    """The bytes of a base58 (Bitcoin alphabet) string; ValueError on other characters."""
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError("not base58")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def encode_z(data: bytes) -> str:
    """Multibase base58-btc: 'z' and the base58 text."""
    return "z" + b58encode(data)


def decode_z(text: str) -> bytes:
    """The bytes of a multibase base58-btc string; ValueError when it is not one."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ValueError("not a multibase base58-btc value")
    return b58decode(text[1:])


def encode_u(data: bytes) -> str:
    """Multibase base64url without padding: 'u' and the text."""
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_u(text: str) -> bytes:
    """The bytes of a multibase base64url string (padding optional); ValueError otherwise."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise ValueError("not a multibase base64url value")
    body = text[1:]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def public_key_multibase(raw: bytes) -> str:
    """The Multikey `publicKeyMultibase` of a 32-byte Ed25519 public key (z6Mk...)."""
    return encode_z(ED25519_PUB + raw)


def public_key_from_multibase(text: str) -> bytes:
    """The 32-byte Ed25519 public key in a Multikey `publicKeyMultibase`; ValueError otherwise."""
    data = decode_z(text)
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey public key")
    return data[2:]


def secret_key_multibase(raw: bytes) -> str:
    """The Multikey `secretKeyMultibase` of a 32-byte Ed25519 private key."""
    return encode_z(ED25519_PRIV + raw)


def secret_key_from_multibase(text: str) -> bytes:
    """The 32-byte Ed25519 private key in a Multikey `secretKeyMultibase`; ValueError otherwise."""
    data = decode_z(text)
    if not data.startswith(ED25519_PRIV) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey secret key")
    return data[2:]
