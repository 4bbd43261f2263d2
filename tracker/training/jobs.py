"""The worker's housekeeping for logged training: one-time submission tokens are forgotten once
no browser could still send their form again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from tracker.database import writing
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.services import periodic
from tracker.training.models import SubmissionToken

# A form resent later than this (a tab left open for a week) is no longer recognised as a resend;
# an identical entry still asks for confirmation (the duplicate check), so nothing slips in.
KEEP_TOKENS = timedelta(days=7)


@periodic(every=timedelta(hours=1))
def forget_old_tokens() -> int:
    """Delete the submission tokens older than KEEP_TOKENS; returns how many."""
    db.session.rollback()
    with writing():
        result = db.session.execute(
            delete(SubmissionToken).where(SubmissionToken.created_at < utcnow() - KEEP_TOKENS)
        )
        db.session.commit()
    return result.rowcount or 0
