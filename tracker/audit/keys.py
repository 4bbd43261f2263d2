"""The audit keys: secrets held in configuration, outside the database, that key the audit chain,
the signatures' bindings and the chain's checkpoints (HMAC-SHA256).

Each key has an id, stored beside every value it keyed, so the key can rotate: new values use
the current key (AUDIT_KEY_ID, else the last one listed in AUDIT_KEYS) and older values are
checked with the key they name. A value naming a key that is no longer configured cannot be
checked, and counts as a failure. Every use has its own label (`purpose`), so a value keyed for
one use is never valid for another.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app

KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
PRODUCTION_MIN_LENGTH = 32


def _keys() -> dict[str, str]:
    return current_app.config.get("AUDIT_KEYS") or {}


def current_key_id() -> str:
    """The id of the key new events, signatures and checkpoints use."""
    keys = _keys()
    key_id = current_app.config.get("AUDIT_KEY_ID") or (list(keys)[-1] if keys else None)
    if not key_id or key_id not in keys:
        raise RuntimeError("AUDIT_KEY_ID must name one of the keys in AUDIT_KEYS")
    return key_id


def is_known(key_id: str | None) -> bool:
    """True when `key_id` names a configured key."""
    return bool(key_id) and key_id in _keys()


def mac(purpose: str, key_id: str, data: str) -> str | None:
    """HMAC-SHA256 (hex) of `data` for `purpose` with the key `key_id`; None for an unknown key."""
    secret = _keys().get(key_id)
    if not secret:
        return None
    message = purpose.encode() + b"\x00" + data.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def current_mac(purpose: str, data: str) -> tuple[str, str]:
    """The current key's id and its HMAC-SHA256 (hex) of `data` for `purpose`."""
    key_id = current_key_id()
    return key_id, mac(purpose, key_id, data) or ""


def problems(config: dict, *, production: bool) -> list[str]:
    """What is wrong with the audit keys in `config` (empty when they can be used)."""
    keys = config.get("AUDIT_KEYS") or {}
    if not keys:
        return ["AUDIT_KEYS must be set (comma-separated id:secret pairs)"]
    found = []
    for key_id, secret in keys.items():
        if not KEY_ID.fullmatch(key_id):
            found.append(
                f"AUDIT_KEYS: key id {key_id!r} must be 1-32 letters, digits, '.', '_' or '-'"
            )
        if not secret:
            found.append(f"AUDIT_KEYS: key {key_id!r} has no secret")
        elif production and len(secret) < PRODUCTION_MIN_LENGTH:
            found.append(
                f"AUDIT_KEYS: key {key_id!r} must be at least {PRODUCTION_MIN_LENGTH} characters"
            )
    current = config.get("AUDIT_KEY_ID")
    if current and current not in keys:
        found.append(f"AUDIT_KEY_ID {current!r} is not one of the keys in AUDIT_KEYS")
    return found
