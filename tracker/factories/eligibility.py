"""Builders of licences, insurance policies, experience attestations and health screenings."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.accounts.models import User
from tracker.eligibility.models import (
    EXPERIENCE_STATEMENT,
    ExperienceAttestation,
    HealthScreening,
    Insurance,
    Licence,
)
from tracker.extensions import db, utcnow
from tracker.factories import at, day
from tracker.factories.documents import stored_file, uploaded_pdf


def add_licence(trainee: User, verified: bool = False, **values) -> Licence:
    """A current LCSW licence of `trainee` (any column can be given)."""
    values.setdefault("licence_type", "LCSW")
    values.setdefault("number", "LCS-12345")
    values.setdefault("jurisdiction", "CA")
    values.setdefault("issued_on", day(-2000))
    values.setdefault("expires_on", day(700))
    if verified:
        values.setdefault("verified_at", utcnow())
    licence = Licence(trainee_id=trainee.id, **values)
    db.session.add(licence)
    db.session.flush()
    return licence


def add_insurance(trainee: User, verified: bool = False, **values) -> Insurance:
    """A current insurance policy of `trainee` (any column can be given)."""
    values.setdefault("carrier", "CPH & Associates")
    values.setdefault("policy_number", "POL-778899")
    values.setdefault("starts_on", day(-100))
    values.setdefault("ends_on", day(265))
    if verified:
        values.setdefault("verified_at", utcnow())
    insurance = Insurance(trainee_id=trainee.id, **values)
    db.session.add(insurance)
    db.session.flush()
    return insurance


def add_attestation(
    trainee: User,
    years: int = 8,
    settings: str = "Private practice",
    statement: str = EXPERIENCE_STATEMENT,
) -> ExperienceAttestation:
    """A current experience attestation of `trainee`."""
    row = ExperienceAttestation(
        trainee_id=trainee.id,
        years_practice=years,
        practice_settings=settings,
        statement=statement,
    )
    db.session.add(row)
    db.session.flush()
    return row


def add_screening(trainee: User, clearance: str = "pending", **values) -> HealthScreening:
    """A current health-screening attestation of `trainee` with no risk ticked."""
    for question in ("contraindication", "psychosis_history", "cardiovascular", "pregnancy"):
        values.setdefault(question, False)
    values.setdefault("willing_to_discuss", True)
    row = HealthScreening(
        trainee_id=trainee.id, signature=trainee.full_name, clearance=clearance, **values
    )
    db.session.add(row)
    db.session.flush()
    return row


def complete_eligibility(trainee: User) -> None:
    """A current licence and policy with documents, an attestation and a screening."""
    add_licence(trainee, document_id=stored_file(trainee).id)
    add_insurance(trainee, document_id=stored_file(trainee).id)
    add_attestation(trainee)
    add_screening(trainee)


def verified_eligibility(
    trainee: User, today: date, staff: User, *, licence_days: int = 400
) -> None:
    """Uploaded licence and insurance verified by `staff` months ago, experience attested and
    the screening cleared: a trainee admitted long ago."""
    verified = at(today - timedelta(days=260))
    add_licence(
        trainee,
        licence_type="LMFT",
        number="LMFT 104233",
        issued_on=today - timedelta(days=2000),
        expires_on=today + timedelta(days=licence_days),
        document_id=uploaded_pdf(trainee, "licence.pdf").id,
        verified_at=verified,
        verified_by_id=staff.id,
        verification_method="primary_source",
        verification_note="Board look-up",
    )
    add_insurance(
        trainee,
        carrier="Allied Professional Mutual",
        policy_number="APM-55821",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=300),
        document_id=uploaded_pdf(trainee, "insurance.pdf").id,
        verified_at=verified,
        verified_by_id=staff.id,
        verification_method="carrier_confirmation",
    )
    add_attestation(
        trainee,
        settings="Community mental health; private practice",
        statement="I attest that the above is accurate.",
    )
    add_screening(trainee, "cleared", cleared_by_id=staff.id, cleared_at=verified)


def give_credentials(
    person: User,
    *,
    licence_days: int = 300,
    insurance_days: int = 300,
    verified: bool = True,
) -> None:
    """A licence and an insurance for `person` (a supervisor signs with them), valid
    `..._days` more days (negative: lapsed)."""
    today = day(0)
    add_licence(
        person,
        verified=verified,
        licence_type="PsyD",
        number="PSY 1234",
        issued_on=today - timedelta(days=2000),
        expires_on=today + timedelta(days=licence_days),
    )
    add_insurance(
        person,
        verified=verified,
        carrier="Carrier",
        policy_number="P-1",
        starts_on=today - timedelta(days=400),
        ends_on=today + timedelta(days=insurance_days),
    )
