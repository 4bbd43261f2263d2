"""Rules of the application: documents, references, scenario answers and submission.
Services flush; the caller commits.

Until the application is submitted the applicant may change everything except what staff
accepted. After submission only a document that staff rejected may be replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tracker.accounts.models import User
from tracker.applications import queries
from tracker.applications.models import ANSWER_MAX_LENGTH
from tracker.applications.models import ANSWER_MIN_LENGTH
from tracker.applications.models import APPLICATION_DOCUMENT_KINDS
from tracker.applications.models import REFERENCE_RELATIONSHIPS
from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.documents.storage import save_upload
from tracker.eligibility import queries as eligibility_queries
from tracker.eligibility import validation
from tracker.eligibility.services import Upload
from tracker.eligibility.services import replace_current
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress.requirements import DOCUMENT_LABELS

MAX_REFERENCES = 10
_EMAIL = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,30}$")
LOCKED = (
    "Your application has been submitted, so this can no longer be changed. Please contact the "
    "program staff if something needs correcting."
)


class ApplicationIncomplete(Refused):
    """Submission refused: `missing` lists what is still needed, as sentences."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "The application cannot be submitted yet. Still missing: " + "; ".join(missing) + "."
        )
        self.missing = missing


@dataclass(frozen=True)
class ReferenceInput:
    """What the applicant enters about a reference."""

    name: str
    email: str
    relationship: str
    phone: str = ""


def _check(field: str, check, *args: Any, **kwargs: Any) -> Any:
    try:
        return check(*args, **kwargs)
    except validation.ValidationProblem as problem:
        raise Refused(problem.message, field) from None


def _require_open(enrollment: Enrollment) -> None:
    if enrollment.status != "applicant":
        raise Refused(LOCKED)


# -- documents ------------------------------------------------------------------------------------


def upload_document(
    enrollment: Enrollment, trainee: User, kind: str, upload: Upload | None
) -> ApplicationDocument:
    """Upload (or replace) the CV or personal statement. A replacement is allowed while the
    current one is rejected, or not yet reviewed and the application not yet submitted; the old
    row is kept as superseded. Accepted documents are read-only."""
    if kind not in APPLICATION_DOCUMENT_KINDS:
        raise Refused("This is not an application document.")
    if enrollment.status not in ("applicant", "submitted", "admitted"):
        raise Refused(LOCKED)
    current = queries.current_documents(enrollment.id).get(kind)
    label = DOCUMENT_LABELS[kind]
    if current is not None and current.status == "accepted":
        raise Refused(f"Your {label.lower()} was accepted and can no longer be replaced.")
    if enrollment.status != "applicant" and (current is None or current.status != "rejected"):
        raise Refused(
            "Your application has been submitted: a document can be replaced only when program "
            "staff reject it."
        )
    if upload is None or not upload.filename:
        raise Refused("Choose a file to upload.", "document")
    try:
        stored = save_upload(upload.stream, upload.filename, trainee.id, trainee.id)
    except Refused as error:
        raise Refused(str(error), "document") from None
    now = utcnow()
    document = ApplicationDocument(
        enrollment_id=enrollment.id,
        kind=kind,
        file_id=stored.id,
        status="submitted",
        submitted_at=now,
    )
    # One current document per kind: the one it replaces is kept, superseded.
    replace_current(
        current,
        document,
        now,
        "application_document.uploaded",
        kept=("file_id", "status"),
        after={"kind": kind, "file_id": stored.id, "status": "submitted"},
        subject_user_id=trainee.id,
    )
    return document


# -- references -----------------------------------------------------------------------------------


def _reference_values(
    enrollment: Enrollment, trainee: User, data: ReferenceInput, current: Reference | None
) -> dict[str, Any]:
    name = _check("name", validation.clean_text, data.name, max_length=120, min_length=2)
    email = (data.email or "").strip().lower()
    if not email:
        raise Refused("Enter the reference's e-mail address.", "email")
    if len(email) > 254 or not _EMAIL.match(email):
        raise Refused("Enter a valid e-mail address.", "email")
    if email == trainee.email.lower():
        raise Refused("A reference must be someone other than you.", "email")
    for other in queries.references_of(enrollment.id):
        if other.email == email and (current is None or other.id != current.id):
            raise Refused("You already named this person as a reference.", "email")
    if data.relationship not in REFERENCE_RELATIONSHIPS:
        raise Refused("Choose how you know this person.", "relationship")
    phone = " ".join((data.phone or "").split()) or None
    if phone is not None and (not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7):
        raise Refused(
            "Enter a phone number of digits, spaces, +, -, ( and ) (at least 7 digits).", "phone"
        )
    return {"name": name, "email": email, "relationship": data.relationship, "phone": phone}


def add_reference(enrollment: Enrollment, trainee: User, data: ReferenceInput) -> Reference:
    """Name a professional reference, while the application is not yet submitted."""
    _require_open(enrollment)
    if len(queries.references_of(enrollment.id)) >= MAX_REFERENCES:
        raise Refused(f"You can name at most {MAX_REFERENCES} references.")
    values = _reference_values(enrollment, trainee, data, None)
    reference = Reference(enrollment_id=enrollment.id, created_at=utcnow(), **values)
    added("reference.added", reference, subject_user_id=trainee.id)
    return reference


def update_reference(
    reference: Reference, enrollment: Enrollment, trainee: User, data: ReferenceInput
) -> Reference:
    """Change a reference, while the application is not yet submitted."""
    _require_open(enrollment)
    values = _reference_values(enrollment, trainee, data, reference)
    changed(
        "reference.changed",
        reference,
        {**values, "updated_at": utcnow()},
        subject_user_id=trainee.id,
    )
    return reference


def delete_reference(reference: Reference, enrollment: Enrollment) -> None:
    """Remove a reference, while the application is not yet submitted."""
    _require_open(enrollment)
    deleted("reference.deleted", reference, subject_user_id=enrollment.trainee_id)


# -- scenario answers -----------------------------------------------------------------------------


def answer_scenario(
    enrollment: Enrollment, trainee: User, scenario_code: str, answer: str
) -> ScenarioAnswer:
    """Answer (or change the answer to) one ethical scenario of the requirement set."""
    _require_open(enrollment)
    spec = eligibility_queries.spec_for(enrollment)
    if spec is None or scenario_code not in {s.code for s in spec.ethical_scenarios}:
        raise Refused("This scenario is not part of your program's application.")
    text = _check(
        "answer",
        validation.clean_text,
        answer,
        max_length=ANSWER_MAX_LENGTH,
        min_length=ANSWER_MIN_LENGTH,
        multiline=True,
    )
    current = queries.answers_of(enrollment.id).get(scenario_code)
    now = utcnow()
    if current is None:
        current = ScenarioAnswer(
            enrollment_id=enrollment.id, scenario_code=scenario_code, answer=text, created_at=now
        )
        db.session.add(current)
        db.session.flush()
        record(
            "scenario_answer.added",
            current,
            after={"scenario_code": scenario_code, "answer": text},
            subject_user_id=trainee.id,
        )
        return current
    before = {"scenario_code": scenario_code, "answer": current.answer}
    current.answer = text
    current.updated_at = now
    db.session.flush()
    record(
        "scenario_answer.changed",
        current,
        before=before,
        after={"scenario_code": scenario_code, "answer": text},
        subject_user_id=trainee.id,
    )
    return current


# -- submission -----------------------------------------------------------------------------------


def submit_application(enrollment: Enrollment, trainee: User) -> Enrollment:
    """Submit a complete application: the enrollment becomes `submitted`; refused with the list
    of what is missing otherwise."""
    _require_open(enrollment)
    checklist = queries.checklist(enrollment)
    if not checklist.complete:
        raise ApplicationIncomplete([f"{item.label} ({item.detail})" for item in checklist.missing])
    now = utcnow()
    # Conditional on the status so that two submissions (or a racing change) cannot both win.
    update_if(
        enrollment,
        Enrollment.status == "applicant",
        values={"status": "submitted", "submitted_at": now},
        refused=LOCKED,
    )
    record(
        "application.submitted",
        enrollment,
        before={"status": "applicant"},
        after={"status": "submitted", "submitted_at": now},
        subject_user_id=trainee.id,
    )
    return enrollment
