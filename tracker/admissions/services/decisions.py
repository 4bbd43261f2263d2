"""The decisions on an application: the eligibility pathway, admission or decline, and the
e-mail that tells the applicant."""

from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.accounts.models import User
from tracker.admissions.services.common import ALTERNATIVE_BASES
from tracker.admissions.services.common import PATHWAY_DECISIONS
from tracker.admissions.services.common import _lock
from tracker.admissions.services.common import _not_own
from tracker.admissions.services.common import _require_open
from tracker.admissions.services.common import _text
from tracker.admissions.services.common import decided
from tracker.admissions.services.common import newest_requirements
from tracker.audit.services import record
from tracker.core.clock import local_time
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.mail import queue

# -- eligibility pathway ------------------------------------------------------------------------


def decide_pathway(
    enrollment: Enrollment, staff: User, pathway: str, basis: str, reason: str
) -> Enrollment:
    """Set the eligibility pathway: standard, or the alternative (advanced student, practising
    under supervision) approved or refused with a required reason."""
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    if pathway not in PATHWAY_DECISIONS:
        raise Refused("Choose a pathway decision.", "pathway")
    if pathway == "standard":
        stored = _text(reason, "reason", required=False)
        basis = ""
    else:
        if basis not in ALTERNATIVE_BASES:
            raise Refused("Choose the basis of the alternative pathway.", "basis")
        stored = f"{ALTERNATIVE_BASES[basis]}: {_text(reason, 'reason', required=True)}"
    if pathway == enrollment.pathway and stored == enrollment.pathway_reason:
        raise Refused("This is already the recorded decision.", "pathway")
    _lock(enrollment)
    before = {"pathway": enrollment.pathway, "pathway_reason": enrollment.pathway_reason}
    enrollment.pathway = pathway
    enrollment.pathway_reason = stored
    db.session.flush()
    record(
        "enrollment.pathway_decided",
        enrollment,
        before=before,
        after={"pathway": pathway, "basis": basis, "pathway_reason": stored},
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return enrollment


# -- admission ----------------------------------------------------------------------------------


def _decide(
    enrollment: Enrollment,
    staff: User,
    action: str,
    values: dict[str, Any],
    before: dict[str, Any],
    **shown: Any,
) -> None:
    """Apply the decision only if the application is still submitted (one decision wins) and
    record `action`: its values, and what else is `shown`, as the after."""
    decided(
        enrollment,
        action,
        Enrollment.status == "submitted",
        values=values,
        before=before,
        after={**values, **shown},
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused=_not_decidable,
    )


def _not_decidable(enrollment: Enrollment) -> str:
    if enrollment.status == "applicant":
        return "The application has not been submitted yet: there is nothing to decide."
    if enrollment.status in ("admitted", "declined"):
        return f"The application was already {enrollment.status}: it is decided only once."
    return f"This enrollment is {enrollment.status}: there is nothing to decide."


def admit(enrollment: Enrollment, staff: User, note: str = "") -> Enrollment:
    """Admit a submitted application: status admitted, the track's current requirement-set
    version pinned, who decided, when, and an optional note; the applicant's e-mail is queued
    in the same transaction."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status != "submitted":
        raise Refused(_not_decidable(enrollment))
    text = _text(note, "note", required=False)
    requirements = newest_requirements(enrollment.track_id)
    if requirements is None:
        raise Refused("The chosen track has no requirements yet: define them first.")
    _decide(
        enrollment,
        staff,
        "enrollment.admitted",
        {
            "status": "admitted",
            "requirement_set_id": requirements.id,
            "decided_at": utcnow(),
            "decided_by_id": staff.id,
            "decision_note": text,
        },
        before={"status": "submitted", "requirement_set_id": None},
        requirement_version=requirements.version,
    )
    _queue_decision_mail(enrollment)
    return enrollment


def decline(enrollment: Enrollment, staff: User, reason: str) -> Enrollment:
    """Decline a submitted application with a reason (the applicant receives it by e-mail,
    queued in the same transaction)."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status != "submitted":
        raise Refused(_not_decidable(enrollment))
    text = _text(reason, "reason", required=True)
    _decide(
        enrollment,
        staff,
        "enrollment.declined",
        {
            "status": "declined",
            "decided_at": utcnow(),
            "decided_by_id": staff.id,
            "decision_note": text,
        },
        before={"status": "submitted"},
    )
    _queue_decision_mail(enrollment)
    return enrollment


def _queue_decision_mail(enrollment: Enrollment) -> None:
    """Queue the e-mail that tells the applicant the decision (sent once it has committed)."""
    trainee = enrollment.trainee
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    decided = local_time(enrollment.decided_at, enrollment.program.timezone)
    context = {
        "trainee": trainee,
        "enrollment": enrollment,
        "program": enrollment.program,
        "track": enrollment.track,
        "cohort": enrollment.cohort,
        "decided_on": decided.date().isoformat() if decided else "",
        "link": f"{base}/home",
    }
    if enrollment.status == "admitted":
        queue(
            trainee.email,
            f"Admitted to {enrollment.program.name}",
            "mail/admission_admitted.txt",
            **context,
        )
    elif enrollment.status == "declined":
        queue(
            trainee.email,
            f"Your application to {enrollment.program.name}",
            "mail/admission_declined.txt",
            **context,
        )
