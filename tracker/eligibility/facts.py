"""A trainee's licences, insurance, experience attestation and health screening as the progress
engine reads them. They belong to the person, so every enrollment of the trainee sees them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select
from sqlalchemy import select

from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.standing.contributors import watch

HEALTH_STATES = {"pending": "attested", "cleared": "cleared", "not_cleared": "not_cleared"}

for _table in ("licences", "insurances", "experience_attestations", "health_screenings"):
    watch(_table, ("trainee_id", Enrollment.__table__.c.trainee_id))


def credential_documents(
    licences: tuple[f.Licence, ...],
    insurances: tuple[f.Insurance, ...],
    has_docs: tuple[bool, bool],
) -> tuple[f.ApplicationDocument, ...]:
    """Licence and insurance documents come from the eligibility records: accepted once staff
    verified a record that carries a document, submitted while one waits for verification."""
    documents = []
    for kind, records, has_doc in (
        ("licence", licences, has_docs[0]),
        ("insurance", insurances, has_docs[1]),
    ):
        if not has_doc:
            continue
        accepted = any(r.verified for r in records)
        documents.append(
            f.ApplicationDocument(kind=kind, status="accepted" if accepted else "submitted")
        )
    return tuple(documents)


def _licences(selection: Selection) -> Select:
    return select(
        Licence.trainee_id,
        Licence.id,
        Licence.licence_type,
        Licence.jurisdiction,
        Licence.expires_on,
        Licence.verified_at,
        Licence.number,
        Licence.issued_on,
        Licence.document_id,
    ).where(Licence.trainee_id.in_(selection.trainees))


def _insurances(selection: Selection) -> Select:
    return select(
        Insurance.trainee_id,
        Insurance.id,
        Insurance.starts_on,
        Insurance.ends_on,
        Insurance.verified_at,
        Insurance.document_id,
    ).where(Insurance.trainee_id.in_(selection.trainees))


def _attestations(selection: Selection) -> Select:
    return select(ExperienceAttestation.trainee_id).where(
        ExperienceAttestation.trainee_id.in_(selection.trainees),
        ExperienceAttestation.superseded_at.is_(None),
    )


def _screenings(selection: Selection) -> Select:
    return select(HealthScreening.trainee_id, HealthScreening.clearance).where(
        HealthScreening.trainee_id.in_(selection.trainees),
        HealthScreening.superseded_at.is_(None),
    )


@contributor(_licences, _insurances, _attestations, _screenings)
def eligibility_facts(
    selection: Selection,
    licence_rows: Rows,
    insurance_rows: Rows,
    attestation_rows: Rows,
    screening_rows: Rows,
) -> Contribution:
    """`licences`, `insurances`, `experience_attested`, `health_screening` and the credential
    `documents` of each selected enrollment's trainee, from four statements."""
    licences: dict[int, list[f.Licence]] = defaultdict(list)
    insurances: dict[int, list[f.Insurance]] = defaultdict(list)
    licence_docs: set[int] = set()
    insurance_docs: set[int] = set()
    # In id order, as each trainee entered them (the statements themselves are not ordered).
    for lic in sorted(licence_rows, key=lambda row: row.id):
        licences[lic.trainee_id].append(
            f.Licence(
                type=lic.licence_type,
                jurisdiction=lic.jurisdiction,
                expires_on=lic.expires_on,
                verified=lic.verified_at is not None,
                number_present=bool(lic.number),
                issued_on=lic.issued_on,
                id=lic.id,
                has_document=lic.document_id is not None,
            )
        )
        if lic.document_id is not None:
            licence_docs.add(lic.trainee_id)
    for ins in sorted(insurance_rows, key=lambda row: row.id):
        insurances[ins.trainee_id].append(
            f.Insurance(
                starts_on=ins.starts_on,
                ends_on=ins.ends_on,
                verified=ins.verified_at is not None,
                id=ins.id,
                has_document=ins.document_id is not None,
            )
        )
        if ins.document_id is not None:
            insurance_docs.add(ins.trainee_id)
    attested = {row.trainee_id for row in attestation_rows}
    health: dict[int, str] = {}
    for trainee_id, clearance in screening_rows:
        health[trainee_id] = HEALTH_STATES.get(clearance, "attested")
    found: Contribution = {}
    for enrollment_id, trainee_id in selection.trainee_of.items():
        own_licences = tuple(licences.get(trainee_id, ()))
        own_insurances = tuple(insurances.get(trainee_id, ()))
        found[enrollment_id] = {
            "licences": own_licences,
            "insurances": own_insurances,
            "experience_attested": trainee_id in attested,
            "health_screening": health.get(trainee_id, "none"),
            "documents": credential_documents(
                own_licences,
                own_insurances,
                (trainee_id in licence_docs, trainee_id in insurance_docs),
            ),
        }
    return found
