"""The events webhooks are told of, and `emit`, the one call a service makes when one happens.

`emit` writes a delivery row per subscribed endpoint and queues its job in the caller's
transaction, so a delivery exists only if the act committed, and the page never waits for an
endpoint: the worker sends it. Payloads carry ids, numbers, statuses and dates, never a name,
an e-mail address or a reason.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.services import enqueue
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.models import WebhookEndpoint

EVENT_KINDS = {
    "certificate.issued": "Certificate issued",
    "certificate.revoked": "Certificate revoked",
    "certificate.reinstated": "Certificate reinstated",
    "certificate.lapsed": "Certificate lapsed",
    "enrollment.admitted": "Enrollment admitted",
    "enrollment.withdrawn": "Enrollment withdrawn",
    "entry.signed": "Entry signed",
}

DELIVER_JOB = "webhook.deliver"


def new_message_id() -> str:
    """A Standard Webhooks message id: the same on every attempt of one delivery."""
    return f"msg_{secrets.token_urlsafe(18)}"


def emit(kind: str, data: dict[str, Any]) -> int:
    """Queue the event `kind` with `data` (plain JSON) for every enabled endpoint subscribed to
    it, in the caller's transaction (flushed, not committed); returns how many were queued."""
    return emit_each(kind, [data])


def emit_each(kind: str, items: list[dict[str, Any]]) -> int:
    """Queue one event `kind` per item of `items` (a batch of acts: one look-up of the
    endpoints, whatever the number of items); returns how many deliveries were queued."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown webhook event {kind!r}")
    if not items:
        return 0
    endpoints = [
        endpoint
        for endpoint in db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))
        )
        if kind in (endpoint.events or ())
    ]
    queued = 0
    for data in items:
        body = json.dumps(
            {"type": kind, "timestamp": utcnow().isoformat(timespec="seconds"), "data": data},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        for endpoint in endpoints:
            delivery = WebhookDelivery(
                endpoint_id=endpoint.id,
                message_id=new_message_id(),
                event=kind,
                body=body,
                status="pending",
                attempts=0,
                created_at=utcnow(),
            )
            db.session.add(delivery)
            db.session.flush()
            enqueue(DELIVER_JOB, {"delivery_id": delivery.id})
            queued += 1
    return queued
