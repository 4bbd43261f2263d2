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
from tracker.enrollments.models import AdmissionReversal
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.services import notify
from tracker.notifications.services import path_for
from tracker.progress import OutstandingItem
from tracker.progress.admission_rules import admission_missing
from tracker.standing import assess_one
from tracker.webhooks.events import emit

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


def missing_reviews(enrollment: Enrollment) -> tuple[OutstandingItem, ...]:
    """The reviews admission still waits on, as the engine says (documents, licence,
    insurance, health clearance, each done or waived): empty when the applicant may be
    admitted."""
    standing = assess_one(enrollment.id)
    if standing is None or standing.progress is None:
        return ()
    return admission_missing(standing.progress)


def admit(enrollment: Enrollment, staff: User, note: str = "") -> Enrollment:
    """Admit a submitted application: status admitted, the track's current requirement-set
    version pinned, who decided, when, and an optional note; the applicant's e-mail is queued
    in the same transaction. Refused while a review the requirement set names is neither done
    nor waived (the refusal lists them)."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status != "submitted":
        raise Refused(_not_decidable(enrollment))
    text = _text(note, "note", required=False)
    requirements = newest_requirements(enrollment.track_id)
    if requirements is None:
        raise Refused("The chosen track has no requirements yet: define them first.")
    missing = missing_reviews(enrollment)
    if missing:
        raise Refused(
            "Not admitted: these reviews are neither done nor waived: "
            + " ".join(item.message for item in missing)
        )
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
    emit(
        "enrollment.admitted",
        {
            "enrollment_id": enrollment.id,
            "program_id": enrollment.program_id,
            "track_id": enrollment.track_id,
            "cohort_id": enrollment.cohort_id,
        },
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


def training_signed(enrollment: Enrollment) -> bool:
    """True once anything of the training was signed or verified (a didactic or experiential
    entry verified, a supervised session signed), or the final assessment or the certificate
    was recorded: from then on the admission stands."""
    standing = assess_one(enrollment.id)
    if standing is None:
        return False
    facts = standing.facts
    return (
        any(e.status == "verified" for e in (*facts.didactic, *facts.experiential))
        or any(s.status == "signed" for s in facts.sessions)
        or any(not a.voided for a in facts.exam_attempts)
        or facts.case_evaluation is not None
        or facts.competency is not None
        or facts.certificate is not None
    )


def reverse_decision(enrollment: Enrollment, staff: User, reason: str) -> AdmissionReversal:
    """Reverse an admission decision (admitted or declined) with a reason: the enrollment
    returns to submitted, waiting for a new decision; the decision reversed is kept as an
    AdmissionReversal and the applicant is e-mailed the reason. An admission is reversed only
    while no training has been signed."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status not in ("admitted", "declined"):
        raise Refused(
            f"This enrollment is {enrollment.status}: only an admission or a decline is reversed."
        )
    text = _text(reason, "reason", required=True)
    _lock(enrollment)
    if enrollment.status == "admitted" and training_signed(enrollment):
        raise Refused(
            "The admission cannot be reversed: training was already signed or verified for "
            "this trainee. Withdraw the enrollment instead."
        )
    was = enrollment.status
    reversal = AdmissionReversal(
        enrollment_id=enrollment.id,
        reversed_status=was,
        decided_at=enrollment.decided_at,
        decided_by_id=enrollment.decided_by_id,
        decision_note=enrollment.decision_note or "",
        reason=text,
        reversed_by_id=staff.id,
        reversed_at=utcnow(),
    )
    db.session.add(reversal)
    db.session.flush()
    decided(
        enrollment,
        "enrollment.decision_reversed",
        Enrollment.status == was,
        values={
            "status": "submitted",
            "requirement_set_id": None,
            "decided_at": None,
            "decided_by_id": None,
            "decision_note": "",
        },
        before={"status": was, "requirement_set_id": enrollment.requirement_set_id},
        after={
            "status": "submitted",
            "requirement_set_id": None,
            "reversal_id": reversal.id,
            "reason": text,
        },
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused="The enrollment changed meanwhile: look at it again.",
    )
    _queue_reversal_mail(enrollment, reversal)
    return reversal


def _queue_reversal_mail(enrollment: Enrollment, reversal: AdmissionReversal) -> None:
    """Queue the e-mail that tells the applicant the decision was reversed, and why."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    reversed_at = local_time(reversal.reversed_at, enrollment.program.timezone)
    notify(
        enrollment.trainee,
        "admission.decision",
        f"The decision on your application to {enrollment.program.name} was reversed: it "
        "waits for a new decision.",
        path_for("core.home"),
        subject=f"Your application to {enrollment.program.name}: decision reversed",
        mail_template="mail/admission_reversed.txt",
        trainee=enrollment.trainee,
        program=enrollment.program,
        reversal=reversal,
        reversed_on=reversed_at.date().isoformat() if reversed_at else "",
        link=f"{base}/home",
    )


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
        notify(
            trainee,
            "admission.decision",
            f"You were admitted to {enrollment.program.name}.",
            path_for("core.home"),
            subject=f"Admitted to {enrollment.program.name}",
            mail_template="mail/admission_admitted.txt",
            **context,
        )
    elif enrollment.status == "declined":
        notify(
            trainee,
            "admission.decision",
            f"Your application to {enrollment.program.name} was declined.",
            path_for("core.home"),
            subject=f"Your application to {enrollment.program.name}",
            mail_template="mail/admission_declined.txt",
            **context,
        )
