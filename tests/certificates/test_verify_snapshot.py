"""Verification reads the engine's stored verdict while the enrollment's progress snapshot is up
to date (three queries), and asks the engine when it is stale, due or missing: the answer is
the same either way, and always the engine's verdict of today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.certificates.factories import add_ce
from tests.certificates.factories import backdate
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.certificates.models import Certificate
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.progress import CertificateStatus
from tracker.standing import assess_one
from tracker.standing.snapshots import refresh

JSON = {"Accept": "application/json"}
REASON = "Issued in error: the final assessment was recorded against the wrong person."


def _answer(client, cert: Certificate) -> dict:
    """The verification's facts as JSON, the status history aside (a refresh's rule records a
    lapse or an expiry in it)."""
    response = client.get(f"/verify/{cert.verification_code}", headers=JSON)
    assert response.status_code == 200
    return {key: value for key, value in response.get_json().items() if key != "history"}


def _snapshot(cert: Certificate) -> ProgressSnapshot:
    db.session.expire_all()
    return db.session.get(ProgressSnapshot, cert.enrollment_id)


def _engine_verdict(cert: Certificate) -> CertificateStatus:
    standing = assess_one(cert.enrollment_id)
    return standing.progress.certificate_status


def _as_issued(cert: Certificate, staff) -> None:
    """Nothing more: valid."""


def _revoked(cert: Certificate, staff) -> None:
    services.revoke_certificate(cert.id, staff, REASON, password=PASSWORD)
    db.session.commit()


def _expired(cert: Certificate, staff) -> None:
    backdate(cert, today() - timedelta(days=40))
    cert.expires_on = today() - timedelta(days=3)
    db.session.commit()


def _lapsed(cert: Certificate, staff) -> None:
    backdate(cert, today() - timedelta(days=800))  # the first 24-month cycle closed short


def _lapsed_then_made_up(cert: Certificate, staff) -> None:
    backdate(cert, today() - timedelta(days=800))
    add_ce(cert.enrollment, today() - timedelta(days=700), "ce", "40")
    add_ce(cert.enrollment, today() - timedelta(days=700), "consultation", "10")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (_as_issued, "valid"),
        (_revoked, "revoked"),
        (_expired, "expired"),
        (_lapsed, "lapsed"),
        (_lapsed_then_made_up, "valid"),
    ],
)
def test_the_stored_verdict_and_the_engine_give_the_same_answer(
    client, certificate, staff, count_queries, change, status
):
    change(certificate, staff)
    assert _snapshot(certificate).stale  # the writes left it for the next refresh
    judged_now = _answer(client, certificate)
    assert judged_now["status"] == status == _engine_verdict(certificate)
    # A refresh that records a change by rule (lapsed, expired) writes the certificate, which
    # marks its snapshot stale again: the next refresh finds the verdict unchanged.
    refresh()
    refresh()
    assert not _snapshot(certificate).stale
    with count_queries() as counted:
        stored = _answer(client, certificate)
    assert stored == judged_now
    assert counted.count <= 3, counted.statements


def test_a_stale_snapshot_is_not_trusted(client, certificate):
    refresh()  # stored: valid
    backdate(certificate, today() - timedelta(days=40))
    certificate.expires_on = today() - timedelta(days=1)
    db.session.commit()
    snapshot = _snapshot(certificate)
    assert snapshot.stale
    assert snapshot.certificate_status == "valid"
    answer = _answer(client, certificate)
    assert answer["status"] == "expired" == _engine_verdict(certificate)
    assert answer["status_since"] == today().isoformat()


def test_a_snapshot_whose_day_has_come_is_not_trusted(client, certificate):
    """A snapshot due today (a rule of time may change its verdict) is judged again now: here
    its stored verdict is made wrong, and it is not what the page says."""
    refresh()
    db.session.execute(
        update(ProgressSnapshot)
        .where(ProgressSnapshot.enrollment_id == certificate.enrollment_id)
        .values(certificate_status="expired", holds_until=today())
    )
    db.session.commit()
    snapshot = _snapshot(certificate)
    assert not snapshot.stale
    assert _answer(client, certificate)["status"] == "valid" == _engine_verdict(certificate)


def test_without_a_snapshot_the_engine_judges(client, certificate):
    db.session.execute(
        ProgressSnapshot.__table__.delete().where(
            ProgressSnapshot.enrollment_id == certificate.enrollment_id
        )
    )
    db.session.commit()
    answer = _answer(client, certificate)
    assert answer["status"] == "valid" == _engine_verdict(certificate)
    assert answer["cycle_ends_on"] is not None
