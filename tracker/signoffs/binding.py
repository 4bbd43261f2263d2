"""What a signature binds: the canonical content of an entry, keyed with an audit key.

The canonical content is the entry's own fields (what the trainee recorded), never its status,
timestamps or verification columns, serialised as JSON with sorted keys and no spaces.
`content_hash` is its plain SHA-256: a digest anyone can recompute, to tell whether an entry
changed between two readings. A signature stores `binding_mac`, an HMAC-SHA256 of the same
content with an audit key held outside the database, and the key's id: whoever can write to the
database but does not hold the key cannot change a signed entry and make its binding match
again. `verify_binding` tells whether the record is still exactly what was signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tracker.audit import keys
from tracker.audit.services import recorded_before_keys
from tracker.signoffs.entries import Entry
from tracker.signoffs.entries import entry_type_of

CENT = Decimal("0.01")
BINDING_PURPOSE = "signature-binding"


def _hours(value: Any) -> str:
    return str(Decimal(str(value)).quantize(CENT))


def canonical_content(entry: Entry) -> dict[str, Any]:
    """The entry's content fields as plain JSON values (status and timestamps excluded)."""
    entry_type = entry_type_of(entry)
    content: dict[str, Any] = {
        "entry_type": entry_type,
        "id": entry.id,
        "enrollment_id": entry.enrollment_id,
        "on": entry.on.isoformat(),
    }
    if entry_type == "session":
        content.update(
            client_code=entry.client_code,
            setting=entry.setting,
            route=entry.route,
            trainee_role=entry.trainee_role,
            supervision_mode=entry.supervision_mode,
            covers_preparation=bool(entry.covers_preparation),
            covers_dosing=bool(entry.covers_dosing),
            covers_integration=bool(entry.covers_integration),
            duration_minutes=int(entry.duration_minutes),
            reflection=entry.reflection,
        )
    elif entry_type == "ce":
        # The evidence is bound by its content's digest: a replaced file breaks the binding.
        evidence = entry.certificate
        content.update(
            kind=entry.kind,
            title=entry.title,
            provider=entry.provider,
            amount=_hours(entry.amount),
            evidence_sha256=evidence.sha256 if evidence is not None else "",
        )
    elif entry_type == "didactic":
        content.update(
            topic_code=entry.topic_code,
            hours=_hours(entry.hours),
            provider=entry.provider,
            note=entry.note or "",
        )
    else:
        content.update(
            kind=entry.kind,
            hours=_hours(entry.hours),
            facilitator=entry.facilitator,
            note=entry.note or "",
        )
    return content


def canonical_json(entry: Entry) -> str:
    """The canonical content as the exact text that is hashed."""
    return json.dumps(
        canonical_content(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def content_hash(entry: Entry) -> str:
    """SHA-256 (hex) of the entry's canonical JSON: unkeyed, for telling whether it changed."""
    return hashlib.sha256(canonical_json(entry).encode("utf-8")).hexdigest()


def binding_mac(entry: Entry, key_id: str) -> str | None:
    """HMAC-SHA256 (hex) of the entry's canonical JSON with the audit key `key_id` (None when
    that key is not configured): what a signature stores."""
    return keys.mac(BINDING_PURPOSE, key_id, canonical_json(entry))


def bind(entry: Entry) -> dict[str, str]:
    """A new signature's binding of `entry`: its keyed hash and the current key's id."""
    key_id, mac = keys.current_mac(BINDING_PURPOSE, canonical_json(entry))
    return {"content_hash": mac, "key_id": key_id}


def verify_binding(signature: Any, entry: Entry) -> bool:
    """True when the entry still hashes to what the signature bound, with the signature's key.

    A signature without a key id was given before the keys came in: its plain SHA-256 counts
    only while the trail recorded that same hash when it was signed, in an event from before the
    keys; a later signature set back to no key is not trusted.
    """
    if signature.entry_type != entry_type_of(entry) or signature.entry_id != entry.id:
        return False
    if signature.key_id is None:
        signed = recorded_before_keys("signature.signed", signature)
        return (
            signed is not None
            and signed.get("content_hash") == signature.content_hash
            and hmac.compare_digest(signature.content_hash, content_hash(entry))
        )
    expected = binding_mac(entry, signature.key_id)
    return expected is not None and hmac.compare_digest(signature.content_hash, expected)


# Records other than the trainee's entries that staff sign (a certificate issued, revoked or
# reinstated): for each signature type, the function giving the canonical content of every
# record of that type a live signature is on, by id (one query), registered by the domain that
# keeps those records.
SignedContent = Callable[[Any], "dict[int, dict[str, Any]]"]
SIGNED_RECORDS: dict[str, SignedContent] = {}


def signs_records(entry_type: str) -> Callable[[SignedContent], SignedContent]:
    """Register how to read the canonical content of the signed records of `entry_type` (a
    decorator of a function taking the session)."""

    def register(function: SignedContent) -> SignedContent:
        SIGNED_RECORDS[entry_type] = function
        return function

    return register


def _record_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def bind_record(content: dict[str, Any]) -> dict[str, str]:
    """A new signature's binding of a record's canonical `content` (a registered type)."""
    key_id, mac = keys.current_mac(BINDING_PURPOSE, _record_json(content))
    return {"content_hash": mac, "key_id": key_id}


def verify_record_binding(signature: Any, content: dict[str, Any]) -> bool:
    """True when the record's canonical `content` is still what the signature bound."""
    if signature.key_id is None:
        return False
    expected = keys.mac(BINDING_PURPOSE, signature.key_id, _record_json(content))
    return expected is not None and hmac.compare_digest(signature.content_hash, expected)
