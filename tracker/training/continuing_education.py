"""Continuing education and peer consultation: what a trainee logs to keep up their
practice, with the certificate of attendance when they have one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO
from typing import Any

from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.core.errors import Refused
from tracker.documents.storage import release
from tracker.documents.storage import save_upload
from tracker.enrollments.models import Enrollment
from tracker.training.models import CE_KINDS
from tracker.training.models import ContinuingEducation
from tracker.training.services import CE_YEARS_BACK
from tracker.training.services import clean_line
from tracker.training.services import parse_quarter_hours
from tracker.training.services import program_today
from tracker.training.services import require_admitted
from tracker.training.services import years_before

MAX_CE_AMOUNT = Decimal(40)


@dataclass(frozen=True)
class ContinuingEducationInput:
    """What the trainee typed for a CE or consultation record."""

    kind: str
    on: date | None
    title: str
    provider: str
    amount: Any


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its stream and the name the browser gave."""

    stream: IO[bytes]
    filename: str | None


def _ce_values(enrollment: Enrollment, data: ContinuingEducationInput) -> dict[str, Any]:
    if data.kind not in CE_KINDS:
        raise Refused("Choose CE credits or peer consultation hours.", "kind")
    if data.on is None:
        raise Refused("Enter the date.", "on")
    today = program_today(enrollment)
    if data.on > today:
        raise Refused(
            f"The date cannot be in the future (today is {today.isoformat()} in the program's "
            "time zone).",
            "on",
        )
    earliest = years_before(today, CE_YEARS_BACK)
    if data.on < earliest:
        raise Refused(
            f"The date is more than {CE_YEARS_BACK} years ago (before {earliest.isoformat()}).",
            "on",
        )
    unit = "credits" if data.kind == "ce" else "hours"
    return {
        "kind": data.kind,
        "on": data.on,
        "title": clean_line(data.title, "title", "title"),
        "provider": clean_line(data.provider, "provider", "provider"),
        "amount": parse_quarter_hours(data.amount, "amount", MAX_CE_AMOUNT, unit),
    }


def _store_certificate(
    enrollment: Enrollment, upload: Upload | None, uploaded_by_id: int | None
) -> int | None:
    if upload is None:
        return None
    try:
        stored = save_upload(upload.stream, upload.filename, enrollment.trainee_id, uploaded_by_id)
    except Refused as error:
        raise Refused(str(error), "certificate") from None
    return stored.id


def _require_ce_open(enrollment: Enrollment | None) -> Enrollment:
    # Certified trainees log CE too; certificates come with a later feature, so admitted for now.
    return require_admitted(enrollment)


def log_ce(
    enrollment: Enrollment | None,
    data: ContinuingEducationInput,
    upload: Upload | None = None,
    uploaded_by_id: int | None = None,
) -> ContinuingEducation:
    """Record CE credits or consultation hours, storing the certificate when one is given."""
    enrollment = _require_ce_open(enrollment)
    values = _ce_values(enrollment, data)
    # The upload is stored last, once everything else passed, so a refusal leaves no file.
    file_id = _store_certificate(enrollment, upload, uploaded_by_id)
    item = ContinuingEducation(enrollment_id=enrollment.id, file_id=file_id, **values)
    item.enrollment = enrollment
    added("ce.logged", item, subject_user_id=enrollment.trainee_id)
    return item


def update_ce(
    item: ContinuingEducation,
    data: ContinuingEducationInput,
    upload: Upload | None = None,
    uploaded_by_id: int | None = None,
) -> ContinuingEducation:
    """Change a CE record; a new certificate replaces the old one, which is removed."""
    enrollment = _require_ce_open(item.enrollment)
    values = _ce_values(enrollment, data)
    replaced = item.file_id
    file_id = _store_certificate(enrollment, upload, uploaded_by_id)
    if file_id is not None:
        values["file_id"] = file_id
    changed("ce.updated", item, values, subject_user_id=enrollment.trainee_id)
    if file_id is not None:
        release(replaced)
    return item


def delete_ce(item: ContinuingEducation) -> None:
    """Remove a CE record with its certificate file."""
    enrollment = _require_ce_open(item.enrollment)
    file_id = item.file_id
    deleted("ce.deleted", item, subject_user_id=enrollment.trainee_id)
    release(file_id)
