"""Named reads of a person's eligibility records, and their state in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from tracker.core.clock import today_in
from tracker.core.listing import newest_first
from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.extensions import db
from tracker.progress.requirements import LICENCE_TYPES
from tracker.progress.requirements import RequirementSpec

EXPIRY_WARNING_DAYS = 60  # used only when the person has no requirement set yet


def spec_for(enrollment: Enrollment | None) -> RequirementSpec | None:
    """The requirement spec of an enrollment's track (None before a track is chosen)."""
    if enrollment is None:
        return None
    requirements = enrollment.requirements
    return requirements.spec if requirements is not None else None


def today_for(trainee_id: int, enrollment: Enrollment | None = None) -> date:
    """Today in the time zone of the person's program (the configured default without one)."""
    enrollment = enrollment or current_enrollment(trainee_id)
    if enrollment is not None:
        return today_in(enrollment.program.timezone)
    return today_in(current_app.config.get("PROGRAM_TIMEZONE"))


def accepted_licence_types(
    trainee_id: int, enrollment: Enrollment | None = None
) -> tuple[str, ...]:
    """Licence types the person may record: their track's accepted list, else every known type."""
    spec = spec_for(enrollment or current_enrollment(trainee_id))
    return spec.accepted_licence_types if spec is not None else LICENCE_TYPES


def licences_of(trainee_id: int) -> list[Licence]:
    """The person's licences, latest expiry first."""
    return newest_first(Licence, "expires_on", "document", trainee_id=trainee_id)


def insurances_of(trainee_id: int) -> list[Insurance]:
    """The person's insurance policies, latest end first."""
    return newest_first(Insurance, "ends_on", "document", trainee_id=trainee_id)


def current_attestation(trainee_id: int) -> ExperienceAttestation | None:
    """The person's current experience attestation, if any."""
    return db.session.scalar(
        select(ExperienceAttestation).where(
            ExperienceAttestation.trainee_id == trainee_id,
            ExperienceAttestation.superseded_at.is_(None),
        )
    )


def current_screening(trainee_id: int) -> HealthScreening | None:
    """The person's current health screening, if any."""
    return db.session.scalar(
        select(HealthScreening).where(
            HealthScreening.trainee_id == trainee_id, HealthScreening.superseded_at.is_(None)
        )
    )


# -- state in words ------------------------------------------------------------------------------


def verification_text(record: Licence | Insurance) -> str:
    """ "Verified by program staff on …" or "Waiting for verification by program staff"."""
    if record.verified_at is not None:
        return f"Verified by program staff on {record.verified_at.date().isoformat()}"
    return "Waiting for verification by program staff"


def validity_text(
    ends_on: date, today: date, warning_days: int, starts_on: date | None = None
) -> str:
    """Whether a licence or policy is current, expiring soon, expired or not yet in force."""
    if starts_on is not None and starts_on > today:
        return f"Not yet in force (starts {starts_on.isoformat()})"
    if ends_on < today:
        return f"Expired on {ends_on.isoformat()}"
    left = (ends_on - today).days
    if left <= warning_days:
        days = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
        return f"Expires {days} ({ends_on.isoformat()})"
    return f"Current until {ends_on.isoformat()}"


@dataclass(frozen=True)
class RecordRow:
    """A licence or insurance policy with its state in words, ready for a table."""

    record: Licence | Insurance
    verification: str
    validity: str
    expired: bool
    accepted: bool = True

    @property
    def editable(self) -> bool:
        """The trainee may still change or delete it (staff have not verified it)."""
        return not self.record.is_verified


@dataclass(frozen=True)
class EligibilityOverview:
    """Everything the eligibility page shows for one person."""

    today: date
    licences: list[RecordRow]
    insurances: list[RecordRow]
    attestation: ExperienceAttestation | None
    screening: HealthScreening | None
    screening_required: bool
    accepted_types: tuple[str, ...]


def overview(trainee_id: int) -> EligibilityOverview:
    """The person's eligibility records with their verification and validity in words."""
    enrollment = current_enrollment(trainee_id)
    spec = spec_for(enrollment)
    today = today_for(trainee_id, enrollment)
    warning = spec.expiry_warning_days if spec is not None else EXPIRY_WARNING_DAYS
    accepted = spec.accepted_licence_types if spec is not None else LICENCE_TYPES
    licences = [
        RecordRow(
            record=lic,
            verification=verification_text(lic),
            validity=validity_text(lic.expires_on, today, warning),
            expired=lic.expires_on < today,
            accepted=lic.licence_type in accepted,
        )
        for lic in licences_of(trainee_id)
    ]
    insurances = [
        RecordRow(
            record=ins,
            verification=verification_text(ins),
            validity=validity_text(ins.ends_on, today, warning, ins.starts_on),
            expired=ins.ends_on < today,
        )
        for ins in insurances_of(trainee_id)
    ]
    return EligibilityOverview(
        today=today,
        licences=licences,
        insurances=insurances,
        attestation=current_attestation(trainee_id),
        screening=current_screening(trainee_id),
        screening_required=spec.health_screening_required if spec is not None else True,
        accepted_types=accepted,
    )
