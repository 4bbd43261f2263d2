"""The worker's half of webhooks: one attempt to deliver, and the next one scheduled.

A failed attempt is recorded on the delivery and a new job is queued for later (30 s, 1 min,
2 min ... as `tracker.jobs.services.retry_delay` spaces them) until MAX_ATTEMPTS; the job itself
ends normally, so that what the attempt recorded is kept. A manual redelivery is one attempt.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app

from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.services import enqueue
from tracker.jobs.services import handler
from tracker.jobs.services import retry_delay
from tracker.webhooks import signing
from tracker.webhooks import targets
from tracker.webhooks.events import DELIVER_JOB
from tracker.webhooks.models import WebhookDelivery

MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT_SECONDS = 5.0


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """Send the delivery once: (status code, None) when it was answered, else (None, why)."""
    endpoint = delivery.endpoint
    try:
        target = targets.check(endpoint.url)
        secret = signing.secret_bytes(endpoint.salt, endpoint.key_id)
    except (targets.TargetRefused, LookupError) as refused:
        return None, str(refused)
    timestamp = int(time.time())
    headers = signing.headers(secret, delivery.message_id, timestamp, delivery.body)
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    try:
        return targets.post(target, delivery.body.encode(), headers, timeout), None
    except (OSError, ValueError) as error:  # refused, timed out, TLS, a broken answer
        return None, f"{type(error).__name__}: {error}"[:500]


@handler(DELIVER_JOB)
def deliver(payload: dict[str, Any]) -> None:
    """Attempt the delivery named in `payload` and record the outcome."""
    delivery = db.session.get(WebhookDelivery, payload["delivery_id"])
    manual = bool(payload.get("manual"))
    if delivery is None:
        return  # its endpoint was deleted
    if delivery.status in ("delivered", "failed", "skipped") and not manual:
        return
    if not delivery.endpoint.enabled:
        delivery.status = "skipped"
        delivery.last_error = "The endpoint is disabled."
        delivery.next_attempt_at = None
        db.session.flush()
        return
    status_code, error = _attempt(delivery)
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.last_error = None
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error or f"The endpoint answered {status_code}."
        if manual or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "delivered" if delivery.delivered_at else "failed"
            delivery.next_attempt_at = None
        else:
            delivery.status = "retrying"
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            enqueue(DELIVER_JOB, {"delivery_id": delivery.id}, run_after=delivery.next_attempt_at)
    db.session.flush()
