"""Request ids from outside: a plain one is kept for tracing but cut to what the audit trail
holds, anything else is replaced; an audited write succeeds whatever the header says."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.core.web import REQUEST_ID_MAX
from tracker.extensions import db

LONG_ID = "0123456789abcdef" * 4  # 64 characters, as some proxies and tracers send


def _sign_in_with(client, user, request_id: str):
    """Sign in (an audited write) with `request_id` in the X-Request-ID header."""
    return post_form(
        client,
        "/account/login",
        {"email": user.email, "password": PASSWORD},
        headers={"X-Request-ID": request_id},
    )


def _signed_in_event() -> AuditEvent:
    return db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.signed_in"))


def test_the_limit_is_the_audit_column():
    assert AuditEvent.__table__.c.request_id.type.length == REQUEST_ID_MAX


def test_a_64_character_id_is_cut_to_the_column_and_the_write_succeeds(client, create_user):
    user = create_user("trainee")
    response = _sign_in_with(client, user, LONG_ID)
    assert response.status_code == 302
    assert response.headers["X-Request-ID"] == LONG_ID[:REQUEST_ID_MAX]
    assert _signed_in_event().request_id == LONG_ID[:REQUEST_ID_MAX]


@pytest.mark.parametrize(
    "incoming",
    ["req id with spaces", "<script>alert(1)</script>", "caf\u00e9-1234567", "x" * 201, "short"],
)
def test_an_odd_id_is_replaced_and_the_write_succeeds(client, create_user, incoming):
    user = create_user("trainee")
    response = _sign_in_with(client, user, incoming)
    assert response.status_code == 302
    stored = _signed_in_event().request_id
    assert stored == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", stored)


def test_a_plain_id_within_the_limit_is_kept(client, create_user):
    user = create_user("trainee")
    _sign_in_with(client, user, "edge-7f3a9c21")
    assert _signed_in_event().request_id == "edge-7f3a9c21"
