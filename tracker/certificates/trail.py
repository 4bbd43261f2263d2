"""Certificates as the audit trail records them: issued, then perhaps revoked and reinstated,
and each change of their stored status, for `flask audit verify` to check the live rows against
(see `tracker.audit.reconcile`); and the content a staff member's signature on a status change
binds, for the signatures' own check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.reconcile import Discrepancy
from tracker.audit.reconcile import StatusReplay
from tracker.audit.reconcile import compare
from tracker.audit.reconcile import replays
from tracker.audit.reconcile import stream
from tracker.certificates.history import signed_content
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.signoffs.binding import signs_records
from tracker.signoffs.models import Signature

ISSUED = "issued"
REVOKED = "revoked"


def recorded_status(after: Any) -> str | None:
    """The status an event's after gives a certificate (None when it says nothing of it)."""
    if not isinstance(after, dict):
        return None
    if "revoked_at" in after:
        return REVOKED if after["revoked_at"] is not None else ISSUED
    if "revoked" in after:  # the short form some earlier events used
        return REVOKED if after["revoked"] else ISSUED
    return None


@replays
class CertificateStatuses(StatusReplay):
    """`certificate.issued` and `certificate.revoked` record the certificate's fields; the live
    certificate must be revoked exactly when the last of them says so."""

    object_types = ("certificates",)

    def recorded(self, after: Any) -> str | None:
        """Issued or revoked, as the event's after says."""
        return recorded_status(after)

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Certificates revoked or reinstated without an event, or that no event records."""
        rows = (
            (row.id, REVOKED if row.revoked_at is not None else ISSUED)
            for row in stream(
                session, select(Certificate.id, Certificate.revoked_at).order_by(Certificate.id)
            )
        )
        yield from compare("certificates", self.status, rows, str, "status")


@replays
class StatusChanges(StatusReplay):
    """`certificate.status_changed` records each row of a certificate's status history when it
    is added; no row is written, changed or removed without one."""

    object_types = ("certificate_status_changes",)

    def recorded(self, after: Any) -> str | None:
        """The status the change recorded."""
        return after.get("status") if isinstance(after, dict) else None

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Status changes written or altered behind the application."""
        rows = (
            (row.id, row.status)
            for row in stream(
                session,
                select(CertificateStatusChange.id, CertificateStatusChange.status).order_by(
                    CertificateStatusChange.id
                ),
            )
        )
        yield from compare("certificate_status_changes", self.status, rows, str, "status")


@signs_records("certificate")
def _signed_changes(session: Session) -> dict[int, dict[str, Any]]:
    """The content each live signature on a certificate's status change bound, as the change
    and its certificate are now, by change id (one query)."""
    rows = session.execute(
        select(CertificateStatusChange, Certificate)
        .join(Certificate, Certificate.id == CertificateStatusChange.certificate_id)
        .where(
            CertificateStatusChange.id.in_(
                select(Signature.entry_id).where(
                    Signature.entry_type == "certificate", Signature.voided_at.is_(None)
                )
            )
        )
    )
    return {change.id: signed_content(cert, change) for change, cert in rows}
