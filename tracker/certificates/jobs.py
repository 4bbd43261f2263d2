"""The worker's periodic work on certificates: record status changes by rule (a renewal cycle
closing short happens at midnight, with no write to notice it) and mail the warnings before a
lapse. The status changes a write makes (approved CE covering a closed cycle) are recorded as
soon as that write's snapshots are refreshed, at the end of its request. Each finds its
certificates in one SQL query over the stored progress snapshots (which the worker keeps fresh)
and loads only those, so they stay cheap with 100,000 enrollments.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.certificates.history import follow_rule
from tracker.certificates.models import Certificate
from tracker.certificates.notices import send_warnings
from tracker.database import writing
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.jobs.services import periodic
from tracker.standing import assess
from tracker.standing.snapshots import follows_refresh

BATCH = 200


def differing():
    """The certificates whose stored status differs from the verdict of their current (not
    stale) progress snapshot: a select of certificate ids, oldest first."""
    return (
        select(Certificate.id)
        .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Certificate.enrollment_id)
        .where(
            ProgressSnapshot.stale.is_(False),
            ProgressSnapshot.certificate_status.is_not(None),
            ProgressSnapshot.certificate_status != Certificate.status,
        )
        .order_by(Certificate.id)
    )


def record_rule_changes(ids=None) -> int:
    """Record by rule the engine's verdict on certificates whose stored status differs from it
    (those `differing()` finds, or only `ids`), judged now; how many changed. Flushes only."""
    wanted = differing() if ids is None else select(Certificate.id).where(Certificate.id.in_(ids))
    certs = {
        c.enrollment_id: c
        for c in db.session.scalars(
            select(Certificate)
            .where(Certificate.id.in_(list(db.session.scalars(wanted.limit(BATCH)))))
            .options(
                joinedload(Certificate.enrollment).joinedload(Enrollment.trainee),
                joinedload(Certificate.enrollment).joinedload(Enrollment.program),
            )
        )
    }
    if not certs:
        return 0
    changed = 0
    for loaded in assess(select(Enrollment.id).where(Enrollment.id.in_(list(certs)))):
        changed += int(follow_rule(certs[loaded.row.id], loaded) is not None)
    return changed


@follows_refresh
def follow_fresh_verdicts(enrollment_ids: list[int]) -> int:
    """In the transaction that refreshed these enrollments' snapshots (at the end of the write
    request that changed them, or in the worker), record the status changes their new verdicts
    make; one query when none changed."""
    ids = list(db.session.scalars(differing().where(Certificate.enrollment_id.in_(enrollment_ids))))
    return record_rule_changes(ids) if ids else 0


@periodic(every=timedelta(minutes=5), batch=BATCH)
def follow_rules() -> int:
    """The worker's share: record the status changes the rule made since the last round."""
    db.session.rollback()
    with writing():
        changed = record_rule_changes()
        db.session.commit()
    return changed


@periodic(every=timedelta(hours=6))
def warn_holders() -> int:
    """The worker's share: mail the warnings due before a lapse (each once)."""
    db.session.rollback()
    with writing():
        sent = send_warnings()
        db.session.commit()
    return sent
