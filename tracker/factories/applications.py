"""Builders of application documents, references and scenario answers."""

from __future__ import annotations

import secrets
from datetime import date
from datetime import timedelta

from tracker.accounts.models import User
from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.enrollments.models import Enrollment
from tracker.factories import added
from tracker.factories import at
from tracker.factories import id_of
from tracker.factories.documents import stored_file
from tracker.factories.documents import uploaded_pdf
from tracker.factories.eligibility import complete_eligibility
from tracker.progress.requirements import DEFAULT_SCENARIOS

ANSWER = (
    "I would decline, explain the boundary kindly, make sure the client is safe to go home with "
    "their support person, and document the request and my response in the session notes."
)


def add_document(
    enrollment: Enrollment, kind: str = "cv", status: str = "submitted", note: str = "", **values
) -> ApplicationDocument:
    """A current application document of the enrollment (a stored file with no bytes unless
    `file_id` is given)."""
    if "file_id" not in values:
        values["file_id"] = stored_file(enrollment.trainee).id
    return added(
        ApplicationDocument(
            enrollment_id=enrollment.id, kind=kind, status=status, review_note=note, **values
        )
    )


def add_reference(
    enrollment: Enrollment,
    name: str = "Rae Reference",
    email: str | None = None,
    relationship: str = "colleague",
) -> Reference:
    """A reference named by the applicant."""
    return added(
        Reference(
            enrollment_id=enrollment.id,
            name=name,
            email=email or f"{secrets.token_hex(4)}@example.org",
            relationship=relationship,
        )
    )


def answer(enrollment: Enrollment, code: str, text: str = ANSWER) -> ScenarioAnswer:
    """An answer to one ethical scenario."""
    return added(ScenarioAnswer(enrollment_id=enrollment.id, scenario_code=code, answer=text))


def complete_application(enrollment: Enrollment, skip: tuple[str, ...] = ()) -> None:
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


def filed_application(
    enrollment: Enrollment,
    trainee: User,
    today: date,
    reviewer: User | None,
    scenarios: tuple[str, ...],
    references: int,
    text: str = ANSWER,
) -> None:
    """An application sent 280 days before `today`: uploaded CV and statement (accepted by
    `reviewer` when given), `references` references and answers to `scenarios`."""
    for kind in ("cv", "personal_statement"):
        add_document(
            enrollment,
            kind,
            "accepted" if reviewer else "submitted",
            file_id=uploaded_pdf(trainee, f"{kind}.pdf").id,
            reviewed_by_id=id_of(reviewer),
            reviewed_at=at(today - timedelta(days=265)) if reviewer else None,
            submitted_at=at(today - timedelta(days=280)),
        )
    for n in range(references):
        add_reference(enrollment, f"Dr. Reference {n + 1}", f"reference{n + 1}@example.net")
    for code in scenarios:
        answer(enrollment, code, text)
