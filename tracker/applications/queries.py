"""Named reads of an application, and its checklist: what is required and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.applications.models import APPLICATION_DOCUMENT_KINDS
from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.progress.application_rules import DONE
from tracker.progress.application_rules import MISSING
from tracker.progress.application_rules import ApplicationPart
from tracker.progress.application_rules import application_parts
from tracker.progress.application_rules import parts_summary
from tracker.progress.application_rules import submission_checks
from tracker.progress.requirements import RequirementSpec
from tracker.standing import assess_one


def current_documents(enrollment_id: int) -> dict[str, ApplicationDocument]:
    """The current (not superseded) application documents by kind."""
    stmt = (
        select(ApplicationDocument)
        .where(
            ApplicationDocument.enrollment_id == enrollment_id,
            ApplicationDocument.superseded_at.is_(None),
        )
        .options(joinedload(ApplicationDocument.file))
    )
    return {doc.kind: doc for doc in db.session.scalars(stmt)}


def references_of(enrollment_id: int) -> list[Reference]:
    """The references named in the application, in the order given."""
    stmt = select(Reference).where(Reference.enrollment_id == enrollment_id).order_by(Reference.id)
    return list(db.session.scalars(stmt))


def answers_of(enrollment_id: int) -> dict[str, ScenarioAnswer]:
    """The scenario answers by scenario code."""
    stmt = select(ScenarioAnswer).where(ScenarioAnswer.enrollment_id == enrollment_id)
    return {answer.scenario_code: answer for answer in db.session.scalars(stmt)}


def required_document_kinds(spec: RequirementSpec) -> tuple[str, ...]:
    """The application documents (CV, personal statement) the requirement set asks for."""
    return tuple(kind for kind in APPLICATION_DOCUMENT_KINDS if kind in spec.documents_required)


ENDPOINTS = {
    "selection": ("enrollments.program", {}),
    "licence": ("eligibility.overview", {}),
    "insurance": ("eligibility.overview", {}),
    "document:licence": ("eligibility.overview", {}),
    "document:insurance": ("eligibility.overview", {}),
    "experience": ("eligibility.experience", {}),
    "health": ("eligibility.health_screening", {}),
    "references": ("applications.add_reference", {}),
}


@dataclass(frozen=True)
class ChecklistItem:
    """One part of the application (or a record needed before submitting) as the engine
    judges it: done, waiting on staff, or missing, and where to go to act on it."""

    label: str
    state: str
    detail: str
    endpoint: str | None = None
    args: dict[str, object] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """True when the part is complete."""
        return self.state == DONE

    @property
    def missing(self) -> bool:
        """True when the trainee must act on it before submitting."""
        return self.state == MISSING

    @property
    def message(self) -> str:
        """The part's label and where it stands, as every page words it."""
        return f"{self.label}: {self.detail}."


@dataclass(frozen=True)
class Checklist:
    """The application's parts (what the engine counts for step 3), with their summary, and the
    records the submission also needs."""

    items: list[ChecklistItem]
    before_submitting: list[ChecklistItem] = field(default_factory=list)
    summary: str = ""

    @property
    def missing(self) -> list[ChecklistItem]:
        """What the trainee must still do before the application can be submitted."""
        parts = [i for i in self.items if i.label != "Admission"]
        return [i for i in (*self.before_submitting, *parts) if i.missing]

    @property
    def complete(self) -> bool:
        """True when nothing is missing for the submission."""
        return not self.missing


def _item(part: ApplicationPart, review_notes: dict[str, str]) -> ChecklistItem:
    endpoint, args = ENDPOINTS.get(part.key, (None, {}))
    detail = part.detail
    if part.key.startswith("document:"):
        kind = part.key.split(":", 1)[1]
        if kind in APPLICATION_DOCUMENT_KINDS:
            endpoint, args = "applications.upload_document", {"kind": kind}
        if part.state == MISSING and review_notes.get(kind):
            detail += f" ({review_notes[kind]})"
    elif part.key.startswith("scenario:"):
        endpoint, args = "applications.answer_scenario", {"code": part.key.split(":", 1)[1]}
    return ChecklistItem(part.label, part.state, detail, endpoint, args)


def checklist(enrollment: Enrollment) -> Checklist:
    """The application's parts as the engine counts them (`application_rules.application_parts`,
    the same count the home page shows), and the records the submission also needs."""
    standing = assess_one(enrollment.id)
    if standing is None or standing.spec is None:
        chosen = ChecklistItem(
            "Program track and cohort",
            MISSING,
            "choose a track and a cohort",
            *ENDPOINTS["selection"],
        )
        return Checklist([], [chosen])
    notes = {
        kind: doc.review_note
        for kind, doc in current_documents(enrollment.id).items()
        if doc.status == "rejected"
    }
    parts = application_parts(standing.facts, standing.spec, standing.today)
    checks = submission_checks(standing.facts, standing.spec, standing.today)
    return Checklist(
        [_item(p, notes) for p in parts],
        [_item(c, notes) for c in checks],
        parts_summary(parts),
    )
