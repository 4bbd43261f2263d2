"""Rules for the records an applicant keeps about themselves: licences, insurance, the
experience attestation and the health screening. Services flush; the caller commits.

Only the person's own entries are written here. Verification and clearance belong to staff and
are never taken from the trainee's input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import IO
from typing import Any
from typing import Protocol
from typing import TypeVar

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.documents.models import StoredFile
from tracker.documents.storage import release
from tracker.documents.storage import save_upload
from tracker.eligibility import queries
from tracker.eligibility import validation
from tracker.eligibility.models import EXPERIENCE_STATEMENT
from tracker.eligibility.models import SCREENING_QUESTIONS
from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.eligibility.validation import ValidationProblem
from tracker.extensions import db
from tracker.extensions import utcnow

C = TypeVar("C", Licence, Insurance)


class Upload(Protocol):
    """An uploaded file as the web layer hands it over (a werkzeug FileStorage fits)."""

    stream: IO[bytes]
    filename: str | None


@dataclass(frozen=True)
class LicenceInput:
    """What the trainee enters about a licence."""

    licence_type: str
    number: str
    jurisdiction: str
    expires_on: date | None
    issued_on: date | None = None


@dataclass(frozen=True)
class InsuranceInput:
    """What the trainee enters about an insurance policy."""

    carrier: str
    policy_number: str
    starts_on: date | None
    ends_on: date | None
    coverage: str = ""


def _check(field: str, check, *args: Any, **kwargs: Any) -> Any:
    """Run a validation helper; turn its problem into a refusal on `field`."""
    try:
        return check(*args, **kwargs)
    except ValidationProblem as problem:
        raise Refused(problem.message, field) from None


def store_upload(upload: Upload | None, owner: User, field: str = "document") -> StoredFile | None:
    """Save an optional upload for `owner`; a refused upload becomes a message on `field`."""
    if upload is None or not upload.filename:
        return None
    try:
        return save_upload(upload.stream, upload.filename, owner.id, owner.id)
    except Refused as error:
        raise Refused(str(error), field) from None


# -- licences -------------------------------------------------------------------------------------


def _licence_values(trainee: User, data: LicenceInput, today: date, current: Licence | None):
    allowed = queries.accepted_licence_types(trainee.id)
    if data.licence_type not in allowed:
        raise Refused(
            f"Choose one of the accepted licence types: {', '.join(allowed)}.", "licence_type"
        )
    number = _check("number", validation.identifier, data.number, "licence number")
    jurisdiction = _check("jurisdiction", validation.jurisdiction, data.jurisdiction)
    issued_on = None
    if data.issued_on is not None:
        issued_on = _check(
            "issued_on", validation.sane_date, data.issued_on, today, not_future=True
        )
    expires_on = _check("expires_on", validation.sane_date, data.expires_on, today)
    if issued_on is not None and expires_on <= issued_on:
        raise Refused("The expiry date must come after the issue date.", "expires_on")
    duplicate = db.session.scalar(
        select(Licence.id).where(
            Licence.trainee_id == trainee.id,
            Licence.licence_type == data.licence_type,
            Licence.number == number,
            Licence.jurisdiction == jurisdiction,
            Licence.expires_on == expires_on,
        )
    )
    if duplicate is not None and (current is None or duplicate != current.id):
        raise Refused("You have already recorded this licence.", "number")
    return {
        "licence_type": data.licence_type,
        "number": number,
        "jurisdiction": jurisdiction,
        "issued_on": issued_on,
        "expires_on": expires_on,
    }


def add_licence(trainee: User, data: LicenceInput, upload: Upload | None, today: date) -> Licence:
    """Record a licence of the trainee's (an expired one is accepted and shown as expired)."""
    values = _licence_values(trainee, data, today, None)
    return _add_credential(Licence, "licence.added", values, upload, trainee)


def _add_credential(
    model: type[C], action: str, values: dict[str, Any], upload: Upload | None, trainee: User
) -> C:
    stored = store_upload(upload, trainee)
    credential = model(
        trainee_id=trainee.id,
        document_id=stored.id if stored is not None else None,
        created_at=utcnow(),
        **values,
    )
    added(action, credential, subject_user_id=trainee.id)
    return credential


def _refuse_when_verified(item: Licence | Insurance, what: str) -> None:
    if item.is_verified:
        raise Refused(
            f"This {what} was verified by program staff and can no longer be changed or deleted. "
            "Ask the program staff if something in it is wrong."
        )


def update_licence(
    licence: Licence, trainee: User, data: LicenceInput, upload: Upload | None, today: date
) -> Licence:
    """Change a licence the trainee recorded, until staff verified it."""
    _refuse_when_verified(licence, "licence")
    values = _licence_values(trainee, data, today, licence)
    _change_credential("licence.changed", licence, values, upload, trainee)
    return licence


def _change_credential(
    action: str,
    credential: Licence | Insurance,
    values: dict[str, Any],
    upload: Upload | None,
    trainee: User,
) -> None:
    # A new scan replaces the one on file (removed when nothing else refers to it); without one
    # the old scan stays.
    replaced = credential.document_id
    stored = store_upload(upload, trainee)
    if stored is not None:
        values = {**values, "document_id": stored.id}
    changed(action, credential, {**values, "updated_at": utcnow()}, subject_user_id=trainee.id)
    if stored is not None:
        release(replaced)


def delete_licence(licence: Licence) -> None:
    """Delete a licence the trainee recorded, until staff verified it, with its scan."""
    _refuse_when_verified(licence, "licence")
    document_id = licence.document_id
    deleted("licence.deleted", licence, subject_user_id=licence.trainee_id)
    release(document_id)


# -- insurance ------------------------------------------------------------------------------------


def _insurance_values(data: InsuranceInput, today: date) -> dict[str, Any]:
    carrier = _check("carrier", validation.clean_text, data.carrier, max_length=120, min_length=2)
    policy = _check("policy_number", validation.identifier, data.policy_number, "policy number")
    starts_on = _check("starts_on", validation.sane_date, data.starts_on, today)
    ends_on = _check("ends_on", validation.sane_date, data.ends_on, today)
    if ends_on <= starts_on:
        raise Refused("The end date must come after the start date.", "ends_on")
    coverage = ""
    if (data.coverage or "").strip():
        coverage = _check(
            "coverage", validation.clean_text, data.coverage, max_length=500, multiline=True
        )
    return {
        "carrier": carrier,
        "policy_number": policy,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "coverage": coverage,
    }


def add_insurance(
    trainee: User, data: InsuranceInput, upload: Upload | None, today: date
) -> Insurance:
    """Record a professional liability insurance policy of the trainee's."""
    values = _insurance_values(data, today)
    return _add_credential(Insurance, "insurance.added", values, upload, trainee)


def update_insurance(
    insurance: Insurance, trainee: User, data: InsuranceInput, upload: Upload | None, today: date
) -> Insurance:
    """Change a policy the trainee recorded, until staff verified it."""
    _refuse_when_verified(insurance, "insurance policy")
    values = _insurance_values(data, today)
    _change_credential("insurance.changed", insurance, values, upload, trainee)
    return insurance


def delete_insurance(insurance: Insurance) -> None:
    """Delete a policy the trainee recorded, until staff verified it, with its document."""
    _refuse_when_verified(insurance, "insurance policy")
    document_id = insurance.document_id
    deleted("insurance.deleted", insurance, subject_user_id=insurance.trainee_id)
    release(document_id)


# -- experience attestation ---------------------------------------------------------------------


def replace_current(
    current: Any,
    new: Any,
    now: datetime,
    action: str,
    *,
    kept: tuple[str, ...],
    after: dict[str, Any],
    **event: Any,
) -> None:
    """Put `new` in the place of `current` (when there is one, it is kept, superseded at `now`)
    and record `action`: the replaced row's id and `kept` fields before, `after` after."""
    before = None
    if current is not None:
        before = {"id": current.id, **{name: getattr(current, name) for name in kept}}
        current.superseded_at = now
        db.session.flush()  # the partial unique index allows one current row at a time
    db.session.add(new)
    db.session.flush()
    record(action, new, before=before, after=after, **event)


def attest_experience(
    trainee: User, years_practice: int | None, practice_settings: str, attested: bool
) -> ExperienceAttestation:
    """Record the trainee's attestation of experience; it replaces the current one (kept)."""
    if years_practice is None or isinstance(years_practice, bool):
        raise Refused("Enter the number of years as a whole number.", "years_practice")
    if not 0 <= years_practice <= 70:
        raise Refused("Enter a number of years between 0 and 70.", "years_practice")
    settings = _check(
        "practice_settings",
        validation.clean_text,
        practice_settings,
        max_length=1000,
        min_length=2,
        multiline=True,
    )
    if attested is not True:
        raise Refused("Tick the statement to attest your experience.", "attest")
    now = utcnow()
    attestation = ExperienceAttestation(
        trainee_id=trainee.id,
        years_practice=years_practice,
        practice_settings=settings,
        statement=EXPERIENCE_STATEMENT,
        attested_at=now,
    )
    replace_current(
        queries.current_attestation(trainee.id),
        attestation,
        now,
        "experience.attested",
        kept=("years_practice",),
        after={"years_practice": years_practice, "practice_settings": settings},
        subject_user_id=trainee.id,
    )
    return attestation


# -- health screening ---------------------------------------------------------------------------


def _same_name(typed: str, full_name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(full_name.split()).casefold()


def sign_health_screening(
    trainee: User, answers: Mapping[str, bool | None], signature: str
) -> HealthScreening:
    """Record the trainee's signed yes/no screening; it replaces the current one and waits for
    staff clearance again. Only the answers are stored, never medical detail."""
    clean: dict[str, bool] = {}
    for column, _question in SCREENING_QUESTIONS:
        value = answers.get(column)
        if not isinstance(value, bool):
            raise Refused("Answer yes or no.", column)
        clean[column] = value
    typed = _check("signature", validation.clean_text, signature, max_length=120)
    if not _same_name(typed, trainee.full_name):
        raise Refused(
            "Type your full name exactly as it appears on your account to sign.", "signature"
        )
    now = utcnow()
    screening = HealthScreening(
        trainee_id=trainee.id,
        signature=typed,
        signed_at=now,
        clearance="pending",
        **clean,
    )
    replace_current(
        queries.current_screening(trainee.id),
        screening,
        now,
        "health_screening.signed",
        kept=("clearance",),
        after={"signed_at": now, "clearance": "pending"},
        subject_user_id=trainee.id,
    )
    return screening
