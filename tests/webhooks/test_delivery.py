"""Webhook deliveries: queued with the act, sent by the worker to a real local receiver,
signed as Standard Webhooks says (checked with the reference library), retried with backoff,
redelivered by hand, skipped when disabled, and never waited for by a page."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks import WebhookVerificationError

from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tracker.certificates import services as certificates
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.models import Job
from tracker.webhooks import jobs as webhook_jobs
from tracker.webhooks import services
from tracker.webhooks.events import emit
from tracker.webhooks.models import WebhookDelivery


def _issue(create_user, staff):
    holder = create_user("trainee", name="Jordan Avery", email="jordan.avery@example.org")
    enrollment = ready_enrollment(holder)
    cert = certificates.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.commit()
    return holder, cert


def _delivery() -> WebhookDelivery:
    db.session.rollback()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).one()


def test_an_issued_certificate_is_delivered_signed(
    create_user, staff, endpoint, receiver, run_jobs
):
    _, secret = endpoint
    holder, cert = _issue(create_user, staff)
    assert receiver.requests == []  # queued with the act, sent by the worker
    assert _delivery().status == "pending"
    run_jobs()
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert sent.path == "/hooks/kap?source=tracker"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["webhook-signature"].startswith("v1,")
    payload = Webhook(secret).verify(sent.body, sent.headers)
    assert payload["type"] == "certificate.issued"
    assert payload["data"] == {
        "certificate_id": cert.id,
        "enrollment_id": cert.enrollment_id,
        "number": cert.number,
        "status": "valid",
        "issued_on": cert.issued_on.isoformat(),
        "verification_url": cert.verification_url,
    }
    # No more personal data than needed: neither the holder's name nor their address.
    text = sent.body.decode()
    assert "Jordan" not in text and "Avery" not in text and holder.email not in text
    delivery = _delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert sent.headers["webhook-id"] == delivery.message_id


def test_a_signature_with_another_secret_or_a_changed_body_fails(
    create_user, staff, endpoint, receiver, run_jobs
):
    _issue(create_user, staff)
    run_jobs()
    sent = receiver.requests[0]
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(sent.body, sent.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint[1]).verify(sent.body.replace(b"valid", b"VALID"), sent.headers)


def test_a_failure_is_retried_later_with_the_same_message(
    create_user, staff, endpoint, receiver, run_jobs
):
    receiver.answers = [500]
    _issue(create_user, staff)
    before = utcnow()
    run_jobs()
    delivery = _delivery()
    assert delivery.status == "retrying"
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_error == "The endpoint answered 500."
    assert before + timedelta(seconds=29) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= utcnow() + timedelta(seconds=31)
    run_jobs()  # not due yet
    assert len(receiver.requests) == 1
    run_jobs(now=utcnow() + timedelta(seconds=31))
    assert len(receiver.requests) == 2
    delivery = _delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.body == second.body
    Webhook(endpoint[1]).verify(second.body, second.headers)


def test_retries_back_off_and_give_up(app, staff, endpoint, receiver, run_jobs):
    receiver.answers = [503] * 20
    emit("enrollment.withdrawn", {"enrollment_id": 1, "program_id": 1, "on": "2026-11-30"})
    db.session.commit()
    waits = []
    moment = utcnow()
    for _ in range(webhook_jobs.MAX_ATTEMPTS):
        run_jobs(now=moment)
        delivery = _delivery()
        if delivery.next_attempt_at is None:
            break
        waits.append(round((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()))
        moment = delivery.next_attempt_at + timedelta(seconds=1)
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == ("failed", webhook_jobs.MAX_ATTEMPTS)
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert len(receiver.requests) == webhook_jobs.MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_logged_and_retried(app, staff, run_jobs):
    app.config["WEBHOOK_ALLOW_LOCAL"] = True
    services.register_endpoint(staff, "http://127.0.0.1:9/nothing-listens", ["entry.signed"])
    emit("entry.signed", {"entry_type": "session", "entry_id": 1, "enrollment_id": 1})
    db.session.commit()
    run_jobs()
    delivery = _delivery()
    assert delivery.status == "retrying"
    assert delivery.last_status_code is None
    assert "ConnectionRefusedError" in delivery.last_error


def test_a_slow_endpoint_times_out_in_the_worker_not_the_page(
    app, client, create_user, staff, endpoint, receiver, run_jobs
):
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.5
    receiver.delay = 3
    _, cert = _issue(create_user, staff)
    login(client, staff)
    started = time.monotonic()
    response = post_form(
        client,
        f"/certificates/{cert.id}/revoke",
        {"reason": "Issued to the wrong enrollment.", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert time.monotonic() - started < 2
    assert receiver.requests == []
    started = time.monotonic()
    run_jobs()
    assert time.monotonic() - started < 2.5  # two deliveries, each cut off at 0.5 s
    events = db.session.scalars(select(WebhookDelivery.event).order_by(WebhookDelivery.id)).all()
    assert events == ["certificate.issued", "certificate.revoked"]
    errors = db.session.scalars(select(WebhookDelivery.last_error)).all()
    assert all("timed out" in (error or "") for error in errors)


def test_staff_redeliver_from_the_log(client, create_user, staff, endpoint, receiver, run_jobs):
    _issue(create_user, staff)
    run_jobs()
    delivery = _delivery()
    login(client, staff)
    page = client.get(f"/webhooks/{endpoint[0].id}").get_data(as_text=True)
    assert delivery.message_id in page and "Delivered" in page
    response = post_form(
        client,
        f"/webhooks/{endpoint[0].id}/deliveries/{delivery.id}/redeliver",
        follow_redirects=True,
    )
    assert "Redelivery queued" in response.get_data(as_text=True)
    run_jobs()
    assert len(receiver.requests) == 2
    assert receiver.requests[1].headers["webhook-id"] == delivery.message_id
    assert _delivery().attempts == 2
    wrong = post_form(client, f"/webhooks/{endpoint[0].id + 1}/deliveries/{delivery.id}/redeliver")
    assert wrong.status_code == 404


def test_a_disabled_endpoint_gets_nothing_and_queued_deliveries_are_skipped(
    client, create_user, staff, endpoint, receiver, run_jobs
):
    _issue(create_user, staff)  # queued while enabled
    login(client, staff)
    response = post_form(client, f"/webhooks/{endpoint[0].id}/disable", follow_redirects=True)
    assert "Endpoint disabled." in response.get_data(as_text=True)
    run_jobs()
    assert receiver.requests == []
    assert _delivery().status == "skipped"
    assert emit("entry.signed", {"entry_id": 1}) == 0
    refused = post_form(
        client,
        f"/webhooks/{endpoint[0].id}/deliveries/{_delivery().id}/redeliver",
        follow_redirects=True,
    )
    assert "Enable the endpoint before redelivering." in refused.get_data(as_text=True)
    post_form(client, f"/webhooks/{endpoint[0].id}/enable")
    assert emit("entry.signed", {"entry_id": 1}) == 1


def test_an_endpoint_that_turns_private_is_refused_at_delivery(
    app, create_user, staff, endpoint, receiver, run_jobs
):
    _issue(create_user, staff)
    app.config["WEBHOOK_ALLOW_LOCAL"] = False  # as in production
    run_jobs()
    assert receiver.requests == []
    delivery = _delivery()
    assert delivery.status == "retrying"
    assert "must start with https" in delivery.last_error


def test_nothing_is_queued_when_the_act_rolls_back(create_user, staff, endpoint):
    holder = create_user("trainee")
    enrollment = ready_enrollment(holder)
    certificates.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.rollback()
    assert db.session.scalars(select(WebhookDelivery)).all() == []
    assert db.session.scalars(select(Job).where(Job.kind == "webhook.deliver")).all() == []


def test_payload_is_the_documented_json(create_user, staff, endpoint, receiver, run_jobs):
    emit("enrollment.admitted", {"enrollment_id": 5, "program_id": 2})
    db.session.commit()
    run_jobs()
    body = json.loads(receiver.requests[0].body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "enrollment.admitted"
