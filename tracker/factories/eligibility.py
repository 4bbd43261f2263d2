"""Builders of licences, insurance policies, experience attestations and health screenings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.accounts.models import User
from tracker.eligibility.models import (
    EXPERIENCE_STATEMENT,
    ExperienceAttestation,
    HealthScreening,
    Insurance,
    Licence,
)
from tracker.extensions import utcnow
from tracker.factories import added, at, day
from tracker.factories.documents import stored_file, uploaded_pdf


def add_licence(
    trainee: User, verified: bool = False, verified_by: User | None = None, **values
) -> Licence:
    """A current LCSW licence of `trainee` (any column can be given), verified now when
    `verified`, or by `verified_by` at the licensing board."""
    defaults = {
        "licence_type": "LCSW",
        "number": "LCS-12345",
        "jurisdiction": "CA",
        "issued_on": day(-2000),
        "expires_on": day(700),
    }
    verification = _verification(verified, verified_by, "primary_source")
    return added(Licence(trainee_id=trainee.id, **defaults | verification | values))


def add_insurance(
    trainee: User, verified: bool = False, verified_by: User | None = None, **values
) -> Insurance:
    """A current insurance policy of `trainee` (any column can be given), verified now when
    `verified`, or by `verified_by` with the carrier."""
    defaults = {
        "carrier": "CPH & Associates",
        "policy_number": "POL-778899",
        "starts_on": day(-100),
        "ends_on": day(265),
    }
    verification = _verification(verified, verified_by, "carrier_confirmation")
    return added(Insurance(trainee_id=trainee.id, **defaults | verification | values))


def _verification(verified: bool, staff: User | None, method: str) -> dict[str, Any]:
    """The verification columns of a credential: none, verified now, or verified by `staff`
    with `method` (the moment can still be given with the other columns)."""
    if staff is not None:
        return {"verified_at": utcnow(), "verified_by_id": staff.id, "verification_method": method}
    return {"verified_at": utcnow()} if verified else {}


def add_attestation(
    trainee: User,
    years: int = 8,
    settings: str = "Private practice",
    statement: str = EXPERIENCE_STATEMENT,
) -> ExperienceAttestation:
    """A current experience attestation of `trainee`."""
    return added(
        ExperienceAttestation(
            trainee_id=trainee.id,
            years_practice=years,
            practice_settings=settings,
            statement=statement,
        )
    )


def add_screening(trainee: User, clearance: str = "pending", **values) -> HealthScreening:
    """A current health-screening attestation of `trainee` with no risk ticked."""
    for question in ("contraindication", "psychosis_history", "cardiovascular", "pregnancy"):
        values.setdefault(question, False)
    values.setdefault("willing_to_discuss", True)
    return added(
        HealthScreening(
            trainee_id=trainee.id, signature=trainee.full_name, clearance=clearance, **values
        )
    )


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
        verified_by=staff,
        verified_at=verified,
        verification_note="Board look-up",
    )
    add_insurance(
        trainee,
        carrier="Allied Professional Mutual",
        policy_number="APM-55821",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=300),
        document_id=uploaded_pdf(trainee, "insurance.pdf").id,
        verified_by=staff,
        verified_at=verified,
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
