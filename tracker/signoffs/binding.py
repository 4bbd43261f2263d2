"""What a signature binds: the canonical content of an entry and its SHA-256 hash.

The canonical content is the entry's own fields (what the trainee recorded), never its status,
timestamps or verification columns, serialised as JSON with sorted keys and no spaces. Any later
change to a bound field gives another hash, so `verify_binding` tells whether the record is still
exactly what was signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from tracker.signoffs.entries import Entry
from tracker.signoffs.entries import entry_type_of

CENT = Decimal("0.01")


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
    """SHA-256 (hex) of the entry's canonical JSON."""
    return hashlib.sha256(canonical_json(entry).encode("utf-8")).hexdigest()


def verify_binding(signature: Any, entry: Entry) -> bool:
    """True when the entry still hashes to what the signature bound."""
    if signature.entry_type != entry_type_of(entry) or signature.entry_id != entry.id:
        return False
    return hmac.compare_digest(signature.content_hash, content_hash(entry))
