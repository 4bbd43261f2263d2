"""Registering webhook endpoints through the staff pages: the secret shown once, bad addresses
and private networks refused with a reason and nothing kept, staff only, delete with its log."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.webhooks import services
from tracker.webhooks import targets
from tracker.webhooks.events import emit
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.models import WebhookEndpoint


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def public_dns(monkeypatch):
    """Host names resolve as the test says (no network): example.org to a public address."""
    table = {
        "hooks.example.org": "93.184.215.14",
        "internal.example.org": "10.1.2.3",
        "rebind.example.org": "93.184.215.14",
    }
    real = targets.socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            return [(2, 1, 6, "", (table[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)
    return table


def test_staff_register_an_endpoint_and_see_its_secret_once(client, staff, public_dns):
    login(client, staff)
    response = post_form(
        client,
        "/webhooks/new",
        {
            "url": "https://hooks.example.org/kap",
            "description": "Our LMS",
            "events": ["certificate.issued", "entry.signed"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Copy the signing secret now" in page
    secret = page.split('value="whsec_')[1].split('"')[0]
    assert len(secret) == 44  # 32 bytes in base64
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.events == ["certificate.issued", "entry.signed"]
    assert secret not in endpoint.salt
    listing = client.get("/webhooks").get_data(as_text=True)
    assert "https://hooks.example.org/kap" in listing and "Our LMS" in listing
    detail = client.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert secret not in detail and "whsec_" not in detail
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "webhook.registered"))
        == 1
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Give the endpoint&#39;s address."),
        ("hooks.example.org/kap", "must start with https://"),
        ("ftp://hooks.example.org/kap", "must start with https://"),
        ("http://hooks.example.org/kap", "must start with https://"),
        ("https://user:secret@hooks.example.org/kap", "Leave the user name and password out"),
        ("https://hooks.example.org:99999/kap", "not a valid address"),
        ("https://hooks.example.org/k ap", "spaces or control characters"),
        ("https://" + "a" * 2100 + ".org/", "At most 2000 characters."),
        ("https://127.0.0.1/kap", "private, loopback or link-local"),
        ("https://localhost/kap", "private, loopback or link-local"),
        ("https://[::1]/kap", "private, loopback or link-local"),
        ("https://10.0.0.8/kap", "private, loopback or link-local"),
        ("https://192.168.1.20/kap", "private, loopback or link-local"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
        ("https://[::ffff:127.0.0.1]/kap", "private, loopback or link-local"),
        ("https://internal.example.org/kap", "private, loopback or link-local"),
        ("https://no-such-host.invalid/kap", "could not be found"),
    ],
)
def test_a_bad_or_private_address_is_refused(client, staff, public_dns, url, message):
    login(client, staff)
    events = _count(AuditEvent)
    response = post_form(client, "/webhooks/new", {"url": url, "events": ["entry.signed"]})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(WebhookEndpoint) == 0
    assert _count(AuditEvent) == events


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"events": []}, "Choose at least one event."),
        ({"events": ["certificate.deleted"]}, "Choose events from the list."),
        ({"events": ["entry.signed"], "description": "x" * 201}, "At most 200 characters."),
        ({"events": ["entry.signed"], "description": "LMS\u202eevil"}, "direction"),
    ],
)
def test_bad_events_or_description_are_refused(client, staff, public_dns, data, message):
    login(client, staff)
    response = post_form(client, "/webhooks/new", {"url": "https://hooks.example.org/kap", **data})
    assert message in response.get_data(as_text=True)
    assert _count(WebhookEndpoint) == 0


def test_local_http_receivers_need_the_setting(app, staff):
    with pytest.raises(Refused, match="https"):
        services.register_endpoint(staff, "http://127.0.0.1:8080/hook", ["entry.signed"])
    app.config["WEBHOOK_ALLOW_LOCAL"] = True
    services.register_endpoint(staff, "http://127.0.0.1:8080/hook", ["entry.signed"])


def test_only_staff_reach_the_webhook_pages(client, create_user, public_dns):
    trainee = create_user("trainee")
    supervisor = create_user("supervisor")
    for person in (trainee, supervisor):
        login(client, person)
        assert client.get("/webhooks").status_code == 403
        assert client.get("/webhooks/new").status_code == 403
        response = post_form(
            client,
            "/webhooks/new",
            {"url": "https://hooks.example.org/kap", "events": ["entry.signed"]},
        )
        assert response.status_code == 403
        post_form(client, "/account/logout")
    assert _count(WebhookEndpoint) == 0
    assert client.get("/webhooks").status_code == 302  # anonymous: to sign-in


def test_the_forms_need_the_csrf_token(client, staff, public_dns):
    login(client, staff)
    response = client.post(
        "/webhooks/new", data={"url": "https://hooks.example.org/kap", "events": "entry.signed"}
    )
    assert response.status_code == 400
    assert _count(WebhookEndpoint) == 0


def test_deleting_an_endpoint_asks_first_and_removes_its_log(client, staff, public_dns):
    endpoint, _ = services.register_endpoint(
        staff, "https://hooks.example.org/kap", ["entry.signed"]
    )
    emit("entry.signed", {"entry_type": "session", "entry_id": 1, "enrollment_id": 1})
    db.session.commit()
    login(client, staff)
    asked = client.get(f"/webhooks/{endpoint.id}/delete").get_data(as_text=True)
    assert "Delete this webhook endpoint?" in asked
    assert _count(WebhookEndpoint) == 1
    response = post_form(client, f"/webhooks/{endpoint.id}/delete", follow_redirects=True)
    assert "Endpoint deleted" in response.get_data(as_text=True)
    assert _count(WebhookEndpoint) == 0
    assert _count(WebhookDelivery) == 0
    assert client.get(f"/webhooks/{endpoint.id}").status_code == 404
