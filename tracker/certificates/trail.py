"""Certificates as the audit trail records them: issued, then perhaps revoked, for
`flask audit verify` to check the live rows against (see `tracker.audit.reconcile`)."""

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
from tracker.certificates.models import Certificate

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
