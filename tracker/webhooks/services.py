"""Registering, disabling, enabling and deleting webhook endpoints, and redelivering: staff acts,
each with its audit event. They flush; the request commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from tracker.accounts.models import User
from tracker.audit import keys
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.text import text_problem
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.services import enqueue
from tracker.webhooks import signing
from tracker.webhooks import targets
from tracker.webhooks.events import DELIVER_JOB
from tracker.webhooks.events import EVENT_KINDS
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.models import WebhookEndpoint

MAX_DESCRIPTION = 200


def _require_staff(actor: User) -> None:
    if not actor.has_role("staff"):
        raise Refused("Only program staff manage webhooks.")


def register_endpoint(
    actor: User, url: str | None, events: Iterable[str], description: str | None = ""
) -> tuple[WebhookEndpoint, str]:
    """Register `url` for `events`; returns the endpoint and its secret (`whsec_...`), which is
    shown this once. Refused for an address that may not receive webhooks (see `targets`), no
    or unknown events, or a description that is too long or holds control characters."""
    _require_staff(actor)
    url = (url or "").strip()
    try:
        targets.check(url)
    except targets.TargetRefused as refused:
        raise Refused(str(refused), "url") from None
    chosen = sorted(set(events or ()))
    if not chosen:
        raise Refused("Choose at least one event.", "events")
    unknown = [kind for kind in chosen if kind not in EVENT_KINDS]
    if unknown:
        raise Refused("Choose events from the list.", "events")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Refused(f"Keep the description to {MAX_DESCRIPTION} characters.", "description")
    problem = text_problem(description)
    if problem:
        raise Refused(problem, "description")
    endpoint = WebhookEndpoint(
        url=url,
        description=description,
        events=chosen,
        salt=secrets.token_hex(16),
        key_id=keys.current_key_id(),
        enabled=True,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    added("webhook.registered", endpoint, actor_id=actor.id)
    return endpoint, signing.shown_secret(endpoint.salt, endpoint.key_id)


def set_enabled(actor: User, endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Enable or disable the endpoint: a disabled one gets no new deliveries, and its queued
    ones are skipped."""
    _require_staff(actor)
    if endpoint.enabled == enabled:
        raise Refused("This endpoint is already " + ("enabled." if enabled else "disabled."))
    changed(
        "webhook.enabled" if enabled else "webhook.disabled",
        endpoint,
        {"enabled": enabled},
        actor_id=actor.id,
    )


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log."""
    _require_staff(actor)
    deleted("webhook.deleted", endpoint, actor_id=actor.id)


def redeliver(actor: User, delivery: WebhookDelivery) -> None:
    """Queue one more attempt of the delivery now (same message id and body)."""
    _require_staff(actor)
    if not delivery.endpoint.enabled:
        raise Refused("Enable the endpoint before redelivering.")
    delivery.status = "pending" if delivery.delivered_at is None else delivery.status
    delivery.next_attempt_at = utcnow()
    db.session.flush()
    enqueue(DELIVER_JOB, {"delivery_id": delivery.id, "manual": True})
    record(
        "webhook.redelivered",
        delivery,
        after={"message_id": delivery.message_id, "event": delivery.event},
        actor_id=actor.id,
    )
