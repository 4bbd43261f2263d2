"""Named reads of an application, and its checklist: what is required and what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.applications.models import (
    APPLICATION_DOCUMENT_KINDS,
    ApplicationDocument,
    Reference,
    ScenarioAnswer,
)
from tracker.eligibility import queries as eligibility
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs.requirements import DOCUMENT_LABELS, RequirementSpec

LICENCE_NOT_NEEDED = ("alternative_pending", "alternative_approved")


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


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement of the application: whether it is met and what to do if it is not."""

    label: str
    done: bool
    detail: str
    endpoint: str | None = None
    args: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Checklist:
    """Everything an application needs before it can be submitted."""

    items: list[ChecklistItem]

    @property
    def missing(self) -> list[ChecklistItem]:
        """The items not yet met."""
        return [item for item in self.items if not item.done]

    @property
    def complete(self) -> bool:
        """True when every item is met."""
        return not self.missing


def _document_item(kind: str, doc: ApplicationDocument | None) -> ChecklistItem:
    label = DOCUMENT_LABELS[kind]
    link = {"endpoint": "applications.upload_document", "args": {"kind": kind}}
    if doc is None:
        return ChecklistItem(label, False, "Not uploaded yet.", **link)
    if doc.status == "rejected":
        note = f" ({doc.review_note})" if doc.review_note else ""
        return ChecklistItem(
            label, False, f"Rejected by program staff{note}: upload a new one.", **link
        )
    if doc.status == "accepted":
        return ChecklistItem(label, True, "Accepted by program staff.")
    return ChecklistItem(
        label,
        True,
        f"Uploaded on {doc.submitted_at.date().isoformat()}; waiting for review.",
        **link,
    )


def checklist(enrollment: Enrollment) -> Checklist:
    """The application's checklist from the enrollment's requirement set and the records."""
    spec = eligibility.spec_for(enrollment)
    items: list[ChecklistItem] = []
    chosen = enrollment.track is not None and enrollment.cohort is not None
    items.append(
        ChecklistItem(
            "Program track and cohort",
            chosen,
            f"{enrollment.track.name}, {enrollment.cohort.name}."
            if chosen
            else "Choose a track and a cohort.",
            None if chosen else "enrollments.program",
        )
    )
    if spec is None:
        return Checklist(items)
    trainee_id = enrollment.trainee_id
    today = eligibility.today_for(trainee_id, enrollment)
    documents = current_documents(enrollment.id)
    for kind in required_document_kinds(spec):
        items.append(_document_item(kind, documents.get(kind)))

    licences = [
        lic
        for lic in eligibility.licences_of(trainee_id)
        if lic.licence_type in spec.accepted_licence_types
    ]
    current_licences = [lic for lic in licences if lic.expires_on >= today]
    insurances = eligibility.insurances_of(trainee_id)
    current_insurances = [ins for ins in insurances if ins.ends_on >= today]
    to_eligibility = "eligibility.overview"
    if enrollment.pathway in LICENCE_NOT_NEEDED:
        items.append(
            ChecklistItem(
                "Licence", True, "Alternative pathway: program staff decide on eligibility."
            )
        )
    else:
        items.append(
            ChecklistItem(
                "Licence of an accepted type, not expired",
                bool(current_licences),
                "Recorded."
                if current_licences
                else f"Record a current licence ({', '.join(spec.accepted_licence_types)}).",
                None if current_licences else to_eligibility,
            )
        )
        if "licence" in spec.documents_required:
            with_document = any(lic.document_id for lic in current_licences)
            items.append(
                ChecklistItem(
                    DOCUMENT_LABELS["licence"],
                    with_document,
                    "Uploaded with the licence."
                    if with_document
                    else "Upload the licence document with your licence record.",
                    None if with_document else to_eligibility,
                )
            )
    items.append(
        ChecklistItem(
            "Professional liability insurance, not expired",
            bool(current_insurances),
            "Recorded." if current_insurances else "Record your current insurance policy.",
            None if current_insurances else to_eligibility,
        )
    )
    if "insurance" in spec.documents_required:
        with_document = any(ins.document_id for ins in current_insurances)
        items.append(
            ChecklistItem(
                DOCUMENT_LABELS["insurance"],
                with_document,
                "Uploaded with the policy."
                if with_document
                else "Upload the certificate of insurance with your policy record.",
                None if with_document else to_eligibility,
            )
        )
    attested = eligibility.current_attestation(trainee_id) is not None
    items.append(
        ChecklistItem(
            "Psychotherapy experience attested",
            attested,
            "Attested." if attested else "Attest your psychotherapy experience.",
            None if attested else "eligibility.experience",
        )
    )
    if spec.health_screening_required:
        screened = eligibility.current_screening(trainee_id) is not None
        items.append(
            ChecklistItem(
                "Health screening signed",
                screened,
                "Signed." if screened else "Answer and sign the health screening.",
                None if screened else "eligibility.health_screening",
            )
        )
    if spec.references_required:
        given = len(references_of(enrollment.id))
        enough = given >= spec.references_required
        items.append(
            ChecklistItem(
                "Professional references",
                enough,
                f"{given} of {spec.references_required} given."
                + ("" if enough else f" Add {spec.references_required - given} more."),
                None if enough else "applications.add_reference",
            )
        )
    answers = answers_of(enrollment.id)
    for number, scenario in enumerate(spec.ethical_scenarios, start=1):
        answered = scenario.code in answers
        items.append(
            ChecklistItem(
                f"Ethical scenario {number}",
                answered,
                "Answered." if answered else "Not answered yet.",
                "applications.answer_scenario",
                {"code": scenario.code},
            )
        )
    return Checklist(items)
