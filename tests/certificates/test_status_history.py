"""The certificate's status as a stored history: issue, revoke and reinstate each add a row, an
audit event and a signature; the renewal rule adds lapsed and valid-again rows (in the same
transaction as a staff act, and from the worker with no write at all); the warnings before a
lapse are mailed once each; the trail still reconciles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.certificates.factories import add_ce
from tests.certificates.factories import backdate
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.audit.reconcile import reconcile
from tracker.certificates import services
from tracker.certificates.history import history
from tracker.certificates.jobs import follow_rules
from tracker.certificates.jobs import warn_holders
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateNotice
from tracker.certificates.notices import warning_kind
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.factories import certificates
from tracker.progress.certification_rules import add_months
from tracker.signoffs.models import Signature
from tracker.standing import snapshots
from tracker.standing.snapshots import refresh

REASON = "Recorded against the wrong graduate by mistake."


def _rows(cert) -> list[tuple[str, str, str]]:
    db.session.rollback()
    return [(c.status, c.since.isoformat(), c.kind) for c in history(cert.id)]


def _meanings(cert) -> list[str]:
    return list(
        db.session.scalars(
            select(Signature.meaning)
            .where(
                Signature.entry_type == "certificate", Signature.enrollment_id == cert.enrollment_id
            )
            .order_by(Signature.id)
        )
    )


def _events(action: str) -> int:
    return len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_issue_starts_the_history_signed_as_issued(certificate):
    assert _rows(certificate) == [("valid", certificate.issued_on.isoformat(), "issued")]
    assert _meanings(certificate) == ["issued"]
    assert _events("certificate.status_changed") == 1
    assert db.session.get(Certificate, certificate.id).status == "valid"
    assert reconcile() == []


def test_revoke_then_reinstate_keeps_number_and_code_with_both_in_the_history(certificate, staff):
    number, code = certificate.number, certificate.verification_code
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    services.reinstate_certificate(
        certificate.id, staff, "Revoked by mistake: another graduate.", password=PASSWORD
    )
    db.session.commit()
    day = today().isoformat()
    assert _rows(certificate) == [
        ("valid", certificate.issued_on.isoformat(), "issued"),
        ("revoked", day, "revoked"),
        ("valid", day, "reinstated"),
    ]
    cert = db.session.get(Certificate, certificate.id)
    assert (cert.number, cert.verification_code, cert.status) == (number, code, "valid")
    assert not cert.revoked
    assert _meanings(certificate) == ["issued", "revoked", "reinstated"]
    assert _events("certificate.reinstated") == 1
    assert _events("certificate.status_changed") == 3
    assert reconcile() == []


def _issued_days_ago(enrollment, staff, days: int) -> Certificate:
    """A certificate issued `days` ago (signed then, as the service would have)."""
    cert = certificates.issued_on_day(
        enrollment,
        enrollment.trainee.full_name,
        enrollment.program.name,
        today() - timedelta(days=days),
        staff,
    )
    db.session.commit()
    return cert


def test_reinstating_a_certificate_with_a_short_closed_cycle_lapses_it_by_rule(ready, staff):
    certificate = _issued_days_ago(ready, staff, 800)
    services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
    db.session.commit()
    services.reinstate_certificate(
        certificate.id, staff, "Revoked by mistake: another graduate.", password=PASSWORD
    )
    db.session.commit()
    rows = _rows(certificate)
    assert [r[0] for r in rows] == ["valid", "revoked", "valid", "lapsed"]
    assert rows[-1][2] == "rule"
    assert db.session.get(Certificate, certificate.id).status == "lapsed"
    assert reconcile() == []


@pytest.mark.parametrize("act", ["revoke", "reinstate"])
def test_wrong_password_or_short_reason_changes_nothing(certificate, staff, act):
    if act == "reinstate":
        services.revoke_certificate(certificate.id, staff, REASON, password=PASSWORD)
        db.session.commit()
    before = _rows(certificate)
    do = getattr(services, f"{act}_certificate")
    with pytest.raises(Refused, match="password"):
        do(certificate.id, staff, REASON, password="not the password")
    db.session.rollback()
    with pytest.raises(Refused, match="10 characters"):
        do(certificate.id, staff, "too short", password=PASSWORD)
    db.session.rollback()
    assert _rows(certificate) == before


def test_nobody_revokes_or_reinstates_their_own_certificate(create_user, issue):
    from tests.certificates.factories import ready_enrollment

    both = create_user("staff", "trainee", name="Casey Both")
    cert = issue(ready_enrollment(both))
    with pytest.raises(Refused, match="own certificate"):
        services.revoke_certificate(cert.id, both, REASON, password=PASSWORD)
    db.session.rollback()
    assert _rows(cert) == [("valid", cert.issued_on.isoformat(), "issued")]


def test_the_worker_records_a_lapse_with_no_write_then_valid_again_once_ce_covers_it(
    ready, staff, mail_outbox, run_jobs, monkeypatch
):
    certificate = _issued_days_ago(ready, staff, 800)
    issued = certificate.issued_on
    # The worker's periodic pass, alone: the snapshots say lapsed, the stored status valid.
    monkeypatch.setattr(snapshots, "FOLLOWERS", [])
    refresh()
    assert _rows(certificate)[-1][0] == "valid"
    assert follow_rules() == 1
    first_end = add_months(issued, 24) - timedelta(days=1)
    lapsed_on = first_end + timedelta(days=61)  # the day after the 60-day grace period
    assert _rows(certificate)[-1] == ("lapsed", lapsed_on.isoformat(), "rule")
    assert follow_rules() == 0  # recorded once
    run_jobs()
    lapse_mail = [m for m in mail_outbox if "has lapsed" in m.subject]
    assert [m.to for m in lapse_mail] == ["jordan.avery@example.org"]

    enrollment = certificate.enrollment
    add_ce(enrollment, first_end - timedelta(days=5), "ce", "40")
    add_ce(enrollment, first_end - timedelta(days=5), "consultation", "12")
    db.session.commit()
    monkeypatch.undo()
    # The refresh that follows the write records the change in its own transaction.
    refresh()
    assert _rows(certificate)[-1] == ("valid", today().isoformat(), "rule")
    assert follow_rules() == 0
    assert reconcile() == []
    # A lapse again later would mail again only for another cycle: this one was told once.
    assert db.session.scalar(select(CertificateNotice.kind)) == "lapsed"


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [(120, None), (90, "due_90"), (80, "due_90"), (30, "due_30"), (7, "due_7"), (0, "due_7")],
)
def test_the_warning_due_is_the_tightest_window(days_left, kind):
    assert warning_kind(days_left) == kind


def _cycle_ending_in(certificate, days: int) -> None:
    backdate(certificate, add_months(today() + timedelta(days=days + 1), -24))


def _notices_sent_days_ago(days: int) -> None:
    """Date every notice sent so far `days` days back (so the next one is due)."""
    db.session.execute(
        CertificateNotice.__table__.update().values(sent_on=today() - timedelta(days=days))
    )
    db.session.commit()


def test_warnings_at_90_30_and_7_days_each_sent_once(certificate, mail_outbox, run_jobs):
    _cycle_ending_in(certificate, 80)
    refresh()
    assert warn_holders() == 1
    assert warn_holders() == 0  # once
    _cycle_ending_in(certificate, 25)
    # The day after (a notice sent since yesterday waits a day): the 30-day warning.
    _notices_sent_days_ago(5)
    refresh()
    assert warn_holders() == 1
    _cycle_ending_in(certificate, 5)
    _notices_sent_days_ago(5)
    refresh()
    assert warn_holders() == 1
    assert warn_holders() == 0
    run_jobs()
    subjects = [m.subject for m in mail_outbox if "renewal cycle ends" in m.subject]
    assert len(subjects) == 3
    kinds = sorted(db.session.scalars(select(CertificateNotice.kind)))
    assert kinds == ["due_30", "due_7", "due_90"]


def test_a_met_cycle_is_not_warned(certificate):
    _cycle_ending_in(certificate, 20)
    enrollment = certificate.enrollment
    add_ce(enrollment, today() - timedelta(days=3), "ce", "40")
    add_ce(enrollment, today() - timedelta(days=3), "consultation", "12")
    db.session.commit()
    refresh()
    assert warn_holders() == 0


def test_a_refresh_with_no_write_records_the_lapse_in_its_own_transaction(ready, staff):
    certificate = _issued_days_ago(ready, staff, 800)
    refresh()  # what the worker does after midnight, with no write at all
    assert _rows(certificate)[-1][0::2] == ("lapsed", "rule")
    assert follow_rules() == 0
    assert reconcile() == []
