"""Staff decisions that turn an applicant into an admitted trainee: document review, licence and
insurance verification, health-screening clearance, the eligibility pathway, admission or
decline, waivers, the requirement-set version and supervisor assignments.

Services flush, never commit; each change is audited here, once. A refused change raises
Refused before anything is written. Once-only changes are conditional UPDATEs whose row
count is checked, so two staff members acting at the same moment cannot both win.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select, update

from tracker.accounts.models import User
from tracker.applications.models import ApplicationDocument
from tracker.audit.services import record
from tracker.core.clock import local_time
from tracker.core.errors import Refused
from tracker.eligibility import validation
from tracker.eligibility.models import HealthScreening, Insurance, Licence
from tracker.enrollments.models import Enrollment, SupervisorAssignment, Waiver
from tracker.extensions import db, utcnow
from tracker.mail import send
from tracker.programs.models import RequirementSet
from tracker.programs.requirements import DOCUMENT_LABELS
from tracker.progress import ITEM_CODES, Step

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
    if staff.id == trainee_id:
        raise Refused("You cannot decide on your own records: ask another staff member.")


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
    now = utcnow()
    changed = db.session.execute(
        update(ApplicationDocument)
        .where(
            ApplicationDocument.id == document.id,
            ApplicationDocument.status == document.status,
            ApplicationDocument.superseded_at.is_(None),
        )
        .values(status=decision, review_note=text, reviewed_by_id=staff.id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused("This document changed meanwhile: look at it again.")
    db.session.refresh(document)
    record(
        f"application_document.{decision}",
        document,
        before=before,
        after={
            "kind": document.kind,
            "status": decision,
            "review_note": text,
            "reviewed_by_id": staff.id,
            "reviewed_at": now,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
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
    changed = db.session.execute(
        update(model)
        .where(model.id == credential.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused("This record changed meanwhile: look at it again.")
    db.session.refresh(credential)


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
    now = utcnow()
    changed = db.session.execute(
        update(HealthScreening)
        .where(
            HealthScreening.id == screening.id,
            HealthScreening.clearance == screening.clearance,
            HealthScreening.superseded_at.is_(None),
        )
        .values(clearance=clearance, cleared_by_id=staff.id, cleared_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused("The screening changed meanwhile: look at it again.")
    db.session.refresh(screening)
    record(
        f"health_screening.{clearance}",
        screening,
        before=before,
        after={"clearance": clearance, "cleared_by_id": staff.id, "cleared_at": now},
        actor_id=staff.id,
        subject_user_id=screening.trainee_id,
    )
    return screening


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


def _decide(enrollment: Enrollment, values: dict[str, Any]) -> None:
    """Apply the decision only if the application is still submitted (one decision wins)."""
    changed = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == "submitted")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.refresh(enrollment)
        raise Refused(_not_decidable(enrollment))
    db.session.refresh(enrollment)


def _not_decidable(enrollment: Enrollment) -> str:
    if enrollment.status == "applicant":
        return "The application has not been submitted yet: there is nothing to decide."
    if enrollment.status in ("admitted", "declined"):
        return f"The application was already {enrollment.status}: it is decided only once."
    return f"This enrollment is {enrollment.status}: there is nothing to decide."


def admit(enrollment: Enrollment, staff: User, note: str = "") -> Enrollment:
    """Admit a submitted application: status admitted, the track's current requirement-set
    version pinned, who decided, when, and an optional note."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status != "submitted":
        raise Refused(_not_decidable(enrollment))
    text = _text(note, "note", required=False)
    requirements = newest_requirements(enrollment.track_id)
    if requirements is None:
        raise Refused("The chosen track has no requirements yet: define them first.")
    now = utcnow()
    _decide(
        enrollment,
        {
            "status": "admitted",
            "requirement_set_id": requirements.id,
            "decided_at": now,
            "decided_by_id": staff.id,
            "decision_note": text,
        },
    )
    record(
        "enrollment.admitted",
        enrollment,
        before={"status": "submitted", "requirement_set_id": None},
        after={
            "status": "admitted",
            "requirement_set_id": requirements.id,
            "requirement_version": requirements.version,
            "decided_at": now,
            "decided_by_id": staff.id,
            "decision_note": text,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return enrollment


def decline(enrollment: Enrollment, staff: User, reason: str) -> Enrollment:
    """Decline a submitted application with a reason (the applicant receives it by e-mail)."""
    _not_own(staff, enrollment.trainee_id)
    if enrollment.status != "submitted":
        raise Refused(_not_decidable(enrollment))
    text = _text(reason, "reason", required=True)
    now = utcnow()
    _decide(
        enrollment,
        {"status": "declined", "decided_at": now, "decided_by_id": staff.id, "decision_note": text},
    )
    record(
        "enrollment.declined",
        enrollment,
        before={"status": "submitted"},
        after={
            "status": "declined",
            "decided_at": now,
            "decided_by_id": staff.id,
            "decision_note": text,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return enrollment


def send_decision_mail(enrollment: Enrollment) -> None:
    """E-mail the applicant the admission decision; call it after the decision is committed."""
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
        send(
            trainee.email,
            f"Admitted to {enrollment.program.name}",
            "mail/admission_admitted.txt",
            **context,
        )
    elif enrollment.status == "declined":
        send(
            trainee.email,
            f"Your application to {enrollment.program.name}",
            "mail/admission_declined.txt",
            **context,
        )


# -- waivers --------------------------------------------------------------------------------------


def waiver_targets() -> dict[str, str]:
    """What staff may waive: each step ("step:N") and each waivable item code, with a label."""
    targets = {f"step:{step.value}": f"Step {step.value}: {step.title}" for step in Step}
    for code, entry in sorted(ITEM_CODES.items(), key=lambda pair: (pair[1].steps[0], pair[0])):
        if entry.waivable:
            targets[code] = f"{code}: {entry.description}"
    return targets


def target_label(target: str) -> str:
    """A waiver's target as a person reads it."""
    return waiver_targets().get(target, target)


def grant_waiver(enrollment: Enrollment, staff: User, target: str, reason: str) -> Waiver:
    """Waive a step (1-9) or an item code for this enrollment, with a written reason."""
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    if target not in waiver_targets():
        raise Refused("Choose a step or an item that can be waived.", "target")
    text = _text(reason, "reason", required=True)
    _lock(enrollment)
    existing = db.session.scalar(
        select(Waiver.id).where(
            Waiver.enrollment_id == enrollment.id,
            Waiver.target == target,
            Waiver.revoked_at.is_(None),
        )
    )
    if existing is not None:
        raise Refused(
            "This is already waived: revoke the current waiver first to change it.", "target"
        )
    waiver = Waiver(
        enrollment_id=enrollment.id,
        target=target,
        reason=text,
        granted_by_id=staff.id,
        granted_at=utcnow(),
    )
    db.session.add(waiver)
    db.session.flush()
    record(
        "waiver.granted",
        waiver,
        after={"enrollment_id": enrollment.id, "target": target, "reason": text},
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return waiver


def revoke_waiver(enrollment: Enrollment, waiver: Waiver, staff: User, reason: str) -> Waiver:
    """Revoke a waiver (it stays on file with its revocation time), with a reason."""
    if waiver.enrollment_id != enrollment.id:
        raise Refused("This waiver belongs to another enrollment.")
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    if waiver.revoked_at is not None:
        raise Refused("This waiver is already revoked.")
    text = _text(reason, "reason", required=True)
    now = utcnow()
    changed = db.session.execute(
        update(Waiver)
        .where(Waiver.id == waiver.id, Waiver.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused("This waiver changed meanwhile: look at it again.")
    db.session.refresh(waiver)
    record(
        "waiver.revoked",
        waiver,
        before={"target": waiver.target, "reason": waiver.reason, "revoked_at": None},
        after={"target": waiver.target, "revoked_at": now, "revocation_reason": text},
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return waiver


# -- requirement-set version ----------------------------------------------------------------------


def move_to_newest_requirements(
    enrollment: Enrollment, staff: User, expected_id: int | None, note: str = ""
) -> RequirementSet:
    """Move an admitted enrollment to its track's newest requirement-set version. `expected_id`
    is the version staff saw when they confirmed: a newer one added since is refused."""
    if enrollment.status != "admitted":
        raise Refused(
            "Only an admitted enrollment is pinned to a version; until admission it follows the "
            "track's current requirements."
        )
    _not_own(staff, enrollment.trainee_id)
    text = _text(note, "note", required=False)
    newest = newest_requirements(enrollment.track_id)
    current = enrollment.pinned_requirements
    if newest is None or (current is not None and newest.id == current.id):
        raise Refused("The enrollment already follows the newest version.")
    if current is not None and newest.version < current.version:
        raise Refused("The enrollment already follows the newest version.")
    if expected_id is not None and expected_id != newest.id:
        raise Refused(
            f"Version {newest.version} was added meanwhile: review the change and confirm again."
        )
    old_id = enrollment.requirement_set_id
    changed = db.session.execute(
        update(Enrollment)
        .where(
            Enrollment.id == enrollment.id,
            Enrollment.status == "admitted",
            Enrollment.requirement_set_id.is_(None)
            if old_id is None
            else Enrollment.requirement_set_id == old_id,
        )
        .values(requirement_set_id=newest.id)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused("The enrollment changed meanwhile: look at it again.")
    db.session.refresh(enrollment)
    record(
        "enrollment.requirements_moved",
        enrollment,
        before={
            "requirement_set_id": old_id,
            "requirement_version": current.version if current is not None else None,
        },
        after={
            "requirement_set_id": newest.id,
            "requirement_version": newest.version,
            "note": text,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return newest


# -- supervisor assignments -----------------------------------------------------------------------


def _supervisor(user_id: int | None, enrollment: Enrollment, field: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_supervisor or not user.active:
        raise Refused("Choose a person who holds the supervisor role.", field)
    if user.id == enrollment.trainee_id:
        raise Refused("A trainee cannot supervise themself.", field)
    return user


def assign_supervisors(
    enrollment: Enrollment, staff: User, primary_id: int | None, backup_id: int | None
) -> list[SupervisorAssignment]:
    """Assign the primary supervisor and optionally a backup. A change ends the current row
    (ended_at) and adds a new one, so the history stays; no backup ends the current backup.
    Returns the rows added."""
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    primary = _supervisor(primary_id, enrollment, "primary")
    backup = _supervisor(backup_id, enrollment, "backup") if backup_id else None
    if backup is not None and backup.id == primary.id:
        raise Refused("The backup must be someone other than the primary.", "backup")
    _lock(enrollment)
    current = list(
        db.session.scalars(
            select(SupervisorAssignment).where(
                SupervisorAssignment.enrollment_id == enrollment.id,
                SupervisorAssignment.ended_at.is_(None),
            )
        )
    )
    wanted = {"primary": primary, "backup": backup}
    now = utcnow()
    added: list[SupervisorAssignment] = []
    changes = 0
    for kind in ASSIGNMENT_KINDS:
        person = wanted[kind]
        rows = [row for row in current if row.kind == kind]
        if person is not None and [row.supervisor_id for row in rows] == [person.id]:
            continue
        if person is None and not rows:
            continue
        for row in rows:
            row.ended_at = now
        row_added = None
        if person is not None:
            row_added = SupervisorAssignment(
                enrollment_id=enrollment.id,
                supervisor_id=person.id,
                kind=kind,
                assigned_at=now,
                assigned_by_id=staff.id,
            )
            db.session.add(row_added)
            added.append(row_added)
        db.session.flush()
        changes += 1
        record(
            "supervisor_assignment.changed",
            row_added or rows[0],
            before={"kind": kind, "supervisor_ids": [row.supervisor_id for row in rows]},
            after={"kind": kind, "supervisor_id": person.id if person is not None else None},
            actor_id=staff.id,
            subject_user_id=enrollment.trainee_id,
        )
    if not changes:
        raise Refused("These supervisors are already assigned.", "primary")
    return added
