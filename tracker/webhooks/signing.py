"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Each endpoint's secret is 32 bytes derived from its random salt with an audit key (HMAC-SHA256,
the key named by the endpoint's `key_id`), shown once as `whsec_<base64>`. A request carries
`webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`:
`v1,<base64 of HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from tracker.audit import keys

PURPOSE = "webhook-secret"
PREFIX = "whsec_"


def secret_bytes(salt: str, key_id: str) -> bytes:
    """The endpoint's signing secret; LookupError when its audit key is no longer configured."""
    derived = keys.mac(PURPOSE, key_id, salt)
    if derived is None:
        raise LookupError(f"the audit key {key_id!r} that derives this endpoint's secret is gone")
    return bytes.fromhex(derived)


def shown_secret(salt: str, key_id: str) -> str:
    """The secret as the receiver configures it: `whsec_` and its base64."""
    return PREFIX + base64.b64encode(secret_bytes(salt, key_id)).decode()


def signature(secret: bytes, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header's value for one attempt."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: bytes, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "KAP-Certification-Tracker-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
