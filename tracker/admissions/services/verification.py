"""Checking what an applicant sent: application documents, licence and insurance
verification, and health-screening clearance."""

from __future__ import annotations

from typing import Any

from tracker.accounts.models import User
from tracker.admissions.services.common import CLEARANCE_DECISIONS
from tracker.admissions.services.common import DOCUMENT_DECISIONS
from tracker.admissions.services.common import INSURANCE_METHODS
from tracker.admissions.services.common import LICENCE_METHODS
from tracker.admissions.services.common import _not_own
from tracker.admissions.services.common import _require_open
from tracker.admissions.services.common import _text
from tracker.admissions.services.common import decided
from tracker.applications.models import ApplicationDocument
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.extensions import utcnow
from tracker.progress.requirements import DOCUMENT_LABELS

# -- application documents ------------------------------------------------------------------------


def review_document(
    enrollment: Enrollment,
    document: ApplicationDocument,
    staff: User,
    decision: str,
    note: str,
) -> ApplicationDocument:
    """Accept or reject a current application document with a note (required to reject: the
    trainee reads it). A decision can be changed, never repeated."""
    if document.enrollment_id != enrollment.id:
        raise Refused("This document belongs to another enrollment.")
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    if decision not in DOCUMENT_DECISIONS:
        raise Refused("Choose to accept or to reject the document.", "decision")
    if document.superseded_at is not None:
        raise Refused("This document was replaced by a newer upload: review that one.")
    label = DOCUMENT_LABELS.get(document.kind, document.kind)
    if document.status == decision:
        raise Refused(f"The {label.lower()} is already {decision}.", "decision")
    text = _text(note, "note", required=decision == "rejected", what="note for the trainee")
    before = {
        "kind": document.kind,
        "status": document.status,
        "review_note": document.review_note,
        "reviewed_by_id": document.reviewed_by_id,
    }
    values = {
        "status": decision,
        "review_note": text,
        "reviewed_by_id": staff.id,
        "reviewed_at": utcnow(),
    }
    decided(
        document,
        f"application_document.{decision}",
        ApplicationDocument.status == document.status,
        ApplicationDocument.superseded_at.is_(None),
        values=values,
        before=before,
        after={"kind": document.kind, **values},
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused="This document changed meanwhile: look at it again.",
    )
    return document


# -- licence and insurance verification -----------------------------------------------------------


def _kind(credential: Licence | Insurance) -> str:
    return "licence" if isinstance(credential, Licence) else "insurance"


def methods_for(credential: Licence | Insurance) -> tuple[str, ...]:
    """The verification methods that make sense for a licence or for an insurance policy."""
    return LICENCE_METHODS if isinstance(credential, Licence) else INSURANCE_METHODS


def _verification(credential: Licence | Insurance) -> dict[str, Any]:
    return {
        "trainee_id": credential.trainee_id,
        "verified_at": credential.verified_at,
        "verified_by_id": credential.verified_by_id,
        "verification_method": credential.verification_method,
        "verification_note": credential.verification_note,
    }


def _set_verification(
    credential: Licence | Insurance, verified: bool, values: dict[str, Any]
) -> None:
    model = type(credential)
    condition = model.verified_at.is_(None) if verified else model.verified_at.is_not(None)
    update_if(
        credential,
        condition,
        values=values,
        refused="This record changed meanwhile: look at it again.",
    )


def verify_credential(
    credential: Licence | Insurance, staff: User, method: str, note: str
) -> Licence | Insurance:
    """Record that staff checked a licence or insurance policy: who, when (now, UTC), how, and a
    note (required when the method is "other")."""
    kind = _kind(credential)
    _not_own(staff, credential.trainee_id)
    if credential.verified_at is not None:
        raise Refused(f"This {kind} is already verified.")
    if method not in methods_for(credential):
        raise Refused("Choose how the record was checked.", "method")
    text = _text(note, "note", required=method == "other", what="note on how it was checked")
    before = _verification(credential)
    _set_verification(
        credential,
        True,
        {
            "verified_at": utcnow(),
            "verified_by_id": staff.id,
            "verification_method": method,
            "verification_note": text,
        },
    )
    record(
        f"{kind}.verified",
        credential,
        before=before,
        after=_verification(credential),
        actor_id=staff.id,
        subject_user_id=credential.trainee_id,
    )
    return credential


def unverify_credential(
    credential: Licence | Insurance, staff: User, reason: str
) -> Licence | Insurance:
    """Withdraw a verification, with a reason (kept as the record's note and in the audit)."""
    kind = _kind(credential)
    _not_own(staff, credential.trainee_id)
    if credential.verified_at is None:
        raise Refused(f"This {kind} is not verified.")
    text = _text(reason, "reason", required=True)
    before = _verification(credential)
    _set_verification(
        credential,
        False,
        {
            "verified_at": None,
            "verified_by_id": None,
            "verification_method": "",
            "verification_note": f"Verification withdrawn: {text}",
        },
    )
    record(
        f"{kind}.unverified",
        credential,
        before=before,
        after={**_verification(credential), "reason": text},
        actor_id=staff.id,
        subject_user_id=credential.trainee_id,
    )
    return credential


# -- health screening ---------------------------------------------------------------------------


def set_health_clearance(
    screening: HealthScreening, staff: User, clearance: str
) -> HealthScreening:
    """Clear or not clear the current health-screening attestation (no medical detail is kept:
    the decision, who and when)."""
    _not_own(staff, screening.trainee_id)
    if clearance not in CLEARANCE_DECISIONS:
        raise Refused("Choose cleared or not cleared.", "clearance")
    if screening.superseded_at is not None:
        raise Refused("A newer screening replaced this one: decide on that one.")
    if screening.clearance == clearance:
        raise Refused(
            f"The screening is already {CLEARANCE_DECISIONS[clearance].lower()}.", "clearance"
        )
    before = {
        "clearance": screening.clearance,
        "cleared_by_id": screening.cleared_by_id,
        "cleared_at": screening.cleared_at,
    }
    values = {"clearance": clearance, "cleared_by_id": staff.id, "cleared_at": utcnow()}
    decided(
        screening,
        f"health_screening.{clearance}",
        HealthScreening.clearance == screening.clearance,
        HealthScreening.superseded_at.is_(None),
        values=values,
        before=before,
        after=values,
        staff=staff,
        trainee_id=screening.trainee_id,
        refused="The screening changed meanwhile: look at it again.",
    )
    return screening
