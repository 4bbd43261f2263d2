"""A certificate's stored status history: each change (issued, revoked, reinstated, and the
engine's rule: lapsed, valid again, expired) is a row of `certificate_status_changes` with its
date and reason, and an audit event; `certificates.status` keeps the last one.

The status a person sees is always the engine's verdict today; the history says since when it
holds. A change by rule is recorded when a staff act touches the certificate (in the same
transaction) and by the worker (`follow_rules`, below): a renewal cycle closes short at
midnight with no write at all. Services flush; the caller commits. A read never records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.certificates.issuer import public_base
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.certificates.notices import notify_lapse
from tracker.certificates.status_lists import follow_status
from tracker.core.clock import local_time
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress import CertificateStatus
from tracker.progress.certification_rules import cycles
from tracker.standing import Standing as EnrollmentStanding
from tracker.webhooks.events import emit

# Why the rule changed a status, as the history and the audit trail say it.
RULE_REASONS = {
    CertificateStatus.LAPSED: "A renewal cycle closed (grace period over) short of its "
    "continuing education.",
    CertificateStatus.VALID: "Approved continuing education now covers every closed renewal cycle.",
    CertificateStatus.EXPIRED: "The certificate passed its expiry date.",
    CertificateStatus.REVOKED: "The certificate was revoked.",
}
CHANGED = "certificate.status_changed"


def history(certificate_id: int) -> list[CertificateStatusChange]:
    """The certificate's status changes, oldest first."""
    return list(
        db.session.scalars(
            select(CertificateStatusChange)
            .where(CertificateStatusChange.certificate_id == certificate_id)
            .order_by(CertificateStatusChange.id)
        )
    )


def latest(certificate_id: int) -> CertificateStatusChange | None:
    """The certificate's last status change (its current stored status), or None."""
    return db.session.scalar(
        select(CertificateStatusChange)
        .where(CertificateStatusChange.certificate_id == certificate_id)
        .order_by(CertificateStatusChange.id.desc())
        .limit(1)
    )


def revoked_on(cert: Certificate) -> date | None:
    """The day the certificate was revoked, in its program's time zone (None if it is not)."""
    if cert.revoked_at is None:
        return None
    return local_time(cert.revoked_at, cert.enrollment.program.timezone).date()


def rule_since(
    cert: Certificate, status: CertificateStatus, loaded: EnrollmentStanding | None, today: date
) -> date:
    """The day since which the engine's `status` holds by its rule: lapsed since the first day
    after the grace period of the earliest closed renewal cycle still short; expired since the
    day after the expiry date; revoked since the day of revocation; valid again today."""
    if status == CertificateStatus.REVOKED:
        return revoked_on(cert) or today
    if status == CertificateStatus.EXPIRED and cert.expires_on is not None:
        return cert.expires_on + timedelta(days=1)
    if status == CertificateStatus.LAPSED and loaded is not None and loaded.spec is not None:
        spec = loaded.spec
        grace = timedelta(days=spec.ce_grace_days)
        lapsed = [
            c.ends_on + grace + timedelta(days=1)
            for c in cycles(loaded.facts, spec, today)
            if c.ends_on < today - grace
            and (
                c.ce < spec.ce_credits_per_cycle
                or c.consultation < spec.consultation_hours_per_cycle
            )
        ]
        return min(lapsed, default=today)
    return today


def add_change(
    cert: Certificate,
    status: str,
    since: date,
    kind: str,
    reason: str,
    by_id: int | None,
    previous: CertificateStatusChange | None = None,
) -> CertificateStatusChange:
    """Append a status change to the certificate's history and keep it as its current status,
    with its audit event. `since` is never before the last change's (the history reads in
    order)."""
    previous = previous if previous is not None else latest(cert.id)
    if previous is not None and since < previous.since:
        since = previous.since
    change = CertificateStatusChange(
        certificate_id=cert.id,
        status=str(status),
        since=since,
        kind=kind,
        reason=reason,
        by_id=by_id,
        recorded_at=utcnow(),
    )
    db.session.add(change)
    cert.status = str(status)
    db.session.flush()
    record(
        CHANGED,
        change,
        after=audited(change),
        actor_id=by_id,
        subject_user_id=cert.enrollment.trainee_id,
    )
    # The credential's status bits follow the record, in the same transaction.
    follow_status(cert.id, str(status), cert.revoked_at is not None, public_base())
    return change


def follow_rule(
    cert: Certificate, loaded: EnrollmentStanding | None
) -> CertificateStatusChange | None:
    """Record the engine's verdict on the certificate when it differs from its stored status
    (a change by rule: lapsed, valid again, expired); None when nothing changed. A lapse also
    mails the holder (once per cycle)."""
    if loaded is None or loaded.progress is None or loaded.progress.certificate_status is None:
        return None
    verdict = loaded.progress.certificate_status
    if cert.status == str(verdict):
        return None
    since = rule_since(cert, verdict, loaded, loaded.today)
    change = add_change(cert, verdict, since, "rule", RULE_REASONS[verdict], None)
    if verdict == CertificateStatus.LAPSED:
        notify_lapse(cert, loaded)
        emit("certificate.lapsed", certificate_event(cert))
    return change


def certificate_event(cert: Certificate) -> dict[str, Any]:
    """What a webhook is told of a certificate: its ids, number, status and dates (the
    verification address is public; no name, no reason)."""
    return {
        "certificate_id": cert.id,
        "enrollment_id": cert.enrollment_id,
        "number": cert.number,
        "status": cert.status,
        "issued_on": cert.issued_on.isoformat(),
        "verification_url": cert.verification_url,
    }


def current_since(
    cert: Certificate,
    status: CertificateStatus,
    loaded: EnrollmentStanding | None,
    today: date,
    changes: Sequence[CertificateStatusChange],
) -> date | None:
    """The day since which `status` (the engine's verdict today) holds: the last stored change's
    date when it records that status; else (the worker has not recorded the change yet) the day
    the rule gives, which is what it will record."""
    last = changes[-1] if changes else None
    if last is not None and last.status == str(status):
        return last.since
    since = rule_since(cert, status, loaded, today)
    if last is not None and since < last.since:
        return last.since
    return since


def signed_content(cert: Certificate, change: CertificateStatusChange) -> dict[str, Any]:
    """What a staff member's signature on a status change binds: the certificate as issued
    (number, holder, credential, issue date, verification code's digest) and the change."""
    return {
        "entry_type": "certificate",
        "id": change.id,
        "certificate_id": cert.id,
        "enrollment_id": cert.enrollment_id,
        "number": cert.number,
        "printed_name": cert.printed_name,
        "credential": cert.credential,
        "issued_on": cert.issued_on.isoformat(),
        "code_sha256": hashlib.sha256(cert.verification_code.encode()).hexdigest(),
        "status": change.status,
        "since": change.since.isoformat(),
        "kind": change.kind,
        "reason": change.reason,
    }
