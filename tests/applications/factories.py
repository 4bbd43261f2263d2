"""Builders for the application tests: stored files, documents, references, answers, and a
complete set of eligibility records."""

from __future__ import annotations

import secrets

from tests.eligibility.factories import add_attestation, add_insurance, add_licence, add_screening
from tracker.applications.models import ApplicationDocument, Reference, ScenarioAnswer
from tracker.documents.models import StoredFile
from tracker.extensions import db
from tracker.progress.requirements import DEFAULT_SCENARIOS

ANSWER = (
    "I would decline, explain the boundary kindly, make sure the client is safe to go home with "
    "their support person, and document the request and my response in the session notes."
)


def stored_file(owner) -> StoredFile:
    """A stored-file row (no bytes on disk) owned by `owner`."""
    row = StoredFile(
        owner_id=owner.id,
        uploaded_by_id=owner.id,
        storage_name=f"{secrets.token_hex(20)}.bin",
        original_name="scan.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(row)
    db.session.flush()
    return row


def add_document(enrollment, kind: str = "cv", status: str = "submitted", note: str = ""):
    """Insert a current application document directly."""
    doc = ApplicationDocument(
        enrollment_id=enrollment.id,
        kind=kind,
        file_id=stored_file(enrollment.trainee).id,
        status=status,
        review_note=note,
    )
    db.session.add(doc)
    db.session.commit()
    return doc


def add_reference(enrollment, name: str = "Rae Reference", email: str | None = None):
    """Insert a reference directly."""
    ref = Reference(
        enrollment_id=enrollment.id,
        name=name,
        email=email or f"{secrets.token_hex(4)}@example.org",
        relationship="colleague",
    )
    db.session.add(ref)
    db.session.commit()
    return ref


def answer(enrollment, code: str, text: str = ANSWER) -> ScenarioAnswer:
    """Insert a scenario answer directly."""
    row = ScenarioAnswer(enrollment_id=enrollment.id, scenario_code=code, answer=text)
    db.session.add(row)
    db.session.commit()
    return row


def complete_eligibility(trainee) -> None:
    """A current licence and policy with documents, an attestation and a screening."""
    add_licence(trainee, document_id=stored_file(trainee).id)
    add_insurance(trainee, document_id=stored_file(trainee).id)
    add_attestation(trainee)
    add_screening(trainee)


def complete_application(enrollment, skip: tuple[str, ...] = ()) -> None:
    """Everything the default requirements ask for, except the parts named in `skip`."""
    trainee = enrollment.trainee
    if "eligibility" not in skip:
        complete_eligibility(trainee)
    for kind in ("cv", "personal_statement"):
        if kind not in skip:
            add_document(enrollment, kind)
    if "references" not in skip:
        add_reference(enrollment, "First Reference")
        add_reference(enrollment, "Second Reference")
    for code, _prompt in DEFAULT_SCENARIOS:
        if code not in skip:
            answer(enrollment, code)
