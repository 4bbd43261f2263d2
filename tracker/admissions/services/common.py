"""Shared by every admissions decision: the choices staff pick from and the checks each
decision makes first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import record
from tracker.core.duties import not_own
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.eligibility import validation
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs.models import RequirementSet

REASON_MIN = 10
REASON_MAX = 2000
NOTE_MAX = 2000
OPEN_STATUSES = ("applicant", "submitted", "admitted")

DOCUMENT_DECISIONS = {"accepted": "Accept", "rejected": "Reject (the trainee uploads a new one)"}
VERIFICATION_METHODS = {
    "primary_source": "Primary-source look-up with the licensing board",
    "carrier_confirmation": "Confirmation from the insurance carrier",
    "document_inspection": "Inspection of the document",
    "other": "Other (explain in the note)",
}
LICENCE_METHODS = ("primary_source", "document_inspection", "other")
INSURANCE_METHODS = ("carrier_confirmation", "document_inspection", "other")
CLEARANCE_DECISIONS = {"cleared": "Cleared", "not_cleared": "Not cleared"}
PATHWAY_DECISIONS = {
    "standard": "Standard pathway (licensed clinician)",
    "alternative_approved": "Alternative pathway approved",
    "alternative_refused": "Alternative pathway refused",
}
PATHWAY_LABELS = {
    **PATHWAY_DECISIONS,
    "alternative_pending": "Alternative pathway requested, waiting for a decision",
}
ALTERNATIVE_BASES = {
    "advanced_student": "Advanced student",
    "under_supervision": "Practising under supervision",
}
ASSIGNMENT_KINDS = ("primary", "backup")


# -- shared checks --------------------------------------------------------------------------------


def decided(
    row: Any,
    action: str,
    *conditions: Any,
    values: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    staff: User,
    trainee_id: int,
    refused: str | Callable[[Any], str],
) -> None:
    """Write staff's decision `values` to `row` only while `conditions` still hold (of two
    staff deciding at once, one wins and the other is `refused`), and record `action`."""
    update_if(row, *conditions, values=values, refused=refused)
    record(action, row, before=before, after=after, actor_id=staff.id, subject_user_id=trainee_id)


def _text(value: str | None, field: str, *, required: bool, what: str = "reason") -> str:
    """Free text (line breaks allowed) of REASON_MIN..REASON_MAX characters, or optional."""
    text = (value or "").strip()
    if not text:
        if required:
            raise Refused(f"Write the {what} (at least {REASON_MIN} characters).", field)
        return ""
    try:
        return validation.clean_text(
            text,
            max_length=REASON_MAX if required else NOTE_MAX,
            min_length=REASON_MIN if required else 1,
            multiline=True,
        )
    except validation.ValidationProblem as problem:
        raise Refused(problem.message, field) from None


def _require_open(enrollment: Enrollment) -> None:
    if enrollment.status not in OPEN_STATUSES:
        raise Refused(
            f"This enrollment is {enrollment.status}: its application can no longer be changed."
        )


def _lock(enrollment: Enrollment) -> None:
    """Take the enrollment's row lock (PostgreSQL) so that concurrent changes queue up."""
    db.session.execute(
        select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )


def _not_own(staff: User, trainee_id: int) -> None:
    not_own(
        staff.id, trainee_id, "You cannot decide on your own records: ask another staff member."
    )


def newest_requirements(track_id: int | None) -> RequirementSet | None:
    """The track's newest requirement-set version (None without a track or a version)."""
    if track_id is None:
        return None
    return db.session.scalar(
        select(RequirementSet)
        .where(RequirementSet.track_id == track_id)
        .order_by(RequirementSet.version.desc())
        .limit(1)
    )
