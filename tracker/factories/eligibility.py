"""Builders of licences, insurance policies, experience attestations and health screenings."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any
from typing import TypeVar

from tracker.accounts.models import User
from tracker.eligibility.models import EXPERIENCE_STATEMENT
from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import utcnow
from tracker.factories import added
from tracker.factories import at
from tracker.factories import day
from tracker.factories.documents import stored_file
from tracker.factories.documents import uploaded_pdf

C = TypeVar("C", Licence, Insurance)


def add_licence(
    trainee: User,
    verified: bool = False,
    verified_by: User | None = None,
    days: tuple[int, int] | None = None,
    **values,
) -> Licence:
    """A current LCSW licence of `trainee` (any column can be given), verified now when
    `verified`, or by `verified_by` at the licensing board; `days` (issued, expires) dates it in
    days from today."""
    return _credential(Licence, trainee, verified, verified_by, days, values)


def add_insurance(
    trainee: User,
    verified: bool = False,
    verified_by: User | None = None,
    days: tuple[int, int] | None = None,
    **values,
) -> Insurance:
    """A current insurance policy of `trainee` (any column can be given), verified now when
    `verified`, or by `verified_by` with the carrier; `days` (starts, ends) dates it in days
    from today."""
    return _credential(Insurance, trainee, verified, verified_by, days, values)


# Each credential's usual columns, its dates as days from today, and how staff verify it.
CREDENTIALS: dict[type, tuple[dict[str, str], dict[str, int], str]] = {
    Licence: (
        {"licence_type": "LCSW", "number": "LCS-12345", "jurisdiction": "CA"},
        {"issued_on": -2000, "expires_on": 700},
        "primary_source",
    ),
    Insurance: (
        {"carrier": "CPH & Associates", "policy_number": "POL-778899"},
        {"starts_on": -100, "ends_on": 265},
        "carrier_confirmation",
    ),
}


def _credential(
    model: type[C],
    trainee: User,
    verified: bool,
    staff: User | None,
    days: tuple[int, int] | None,
    values: dict[str, Any],
) -> C:
    """A `model` credential of `trainee`: its usual columns under `values`, with no
    verification, verified now, or verified by `staff` in the credential's usual way."""
    columns, dates, method = CREDENTIALS[model]
    offsets = zip(dates, days or dates.values(), strict=True)
    defaults: dict[str, Any] = columns | {name: day(offset) for name, offset in offsets}
    if staff is not None:
        defaults |= {"verified_by_id": staff.id, "verification_method": method}
    if verified or staff is not None:
        defaults["verified_at"] = utcnow()
    return added(model(trainee_id=trainee.id, **defaults | values))


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
    add_licence(
        person, verified, days=(-2000, licence_days), licence_type="PsyD", number="PSY 1234"
    )
    add_insurance(
        person, verified, days=(-400, insurance_days), carrier="Carrier", policy_number="P-1"
    )
