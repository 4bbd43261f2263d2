"""Continuing education and peer consultation: what a certificate holder logs to keep up their
practice, with the certificate of attendance as evidence, and whether staff must review it.

Review on submission. An entry dated inside a closed cycle (`in_closed_cycle`: its end plus the
grace period is past) always waits for staff. Otherwise the requirement set's audit sample
decides: the entry's draw (0-99) is an HMAC, keyed with the application's secret, of what the
entry claims (enrollment, kind, date, provider, title, amount); below `ce_audit_percent` it
waits for staff review, else it is approved on submission by rule. The draw and the reason are
stored on the entry. Resubmitting cannot re-draw: an entry that waits or was rejected stays
selected whatever it is changed to, an approved one is read-only, logging the same content again
draws the same number, and deleting an entry that waits for or failed review carries its
selection over to the holder's next submission (`Enrollment.ce_reviews_owed`), whatever that
one says.

Locks. The holder may change or delete an entry only while it is pending or rejected and not
dated inside a closed cycle; an approved entry is read-only (a change would need a new review),
and so is every entry of a closed cycle. A rejected entry's answer sends it back for review
(`tracker.signoffs.services.answer`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO
from typing import Any

from flask import current_app

from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.core.errors import Refused
from tracker.core.guarded import lock_if
from tracker.documents.storage import release
from tracker.documents.storage import save_upload
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.progress.certification_rules import in_closed_cycle
from tracker.standing import assess_one
from tracker.training.models import CE_KINDS
from tracker.training.models import ContinuingEducation
from tracker.training.services import CE_YEARS_BACK
from tracker.training.services import ReadOnly
from tracker.training.services import clean_line
from tracker.training.services import lock_enrollment
from tracker.training.services import parse_quarter_hours
from tracker.training.services import program_today
from tracker.training.services import require_admitted
from tracker.training.services import years_before

MAX_CE_AMOUNT = Decimal(40)
CHANGEABLE = ("pending", "rejected")
DRAW_PURPOSE = b"kap-ce-audit-sample"
APPROVED_READ_ONLY = (
    "This entry is approved and can no longer be changed or deleted. If it is wrong, ask program "
    "staff to reopen it."
)
CLOSED_CYCLE_READ_ONLY = (
    "This entry is dated inside a renewal cycle that has closed (its end and grace period are "
    "past): it can no longer be changed or deleted. Log a new entry for that cycle instead; it "
    "will wait for staff review."
)
EVIDENCE_REQUIRED = (
    "Attach the certificate of attendance (PDF, PNG or JPEG): your program reviews CE against it."
)


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
    # Certified trainees log CE too: their enrollment stays admitted once certified.
    return require_admitted(enrollment)


def _norm(text: str) -> str:
    """Text as the draw reads it: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def audit_draw(enrollment_id: int, values: dict[str, Any]) -> int:
    """The entry's sampling draw, 0 to 99: an HMAC of what it claims, keyed with the
    application's secret, so the same content always draws the same number and the holder
    cannot predict it."""
    message = "|".join(
        (
            str(enrollment_id),
            values["kind"],
            values["on"].isoformat(),
            _norm(values["provider"]),
            _norm(values["title"]),
            format(Decimal(values["amount"]).quantize(Decimal("0.01")), "f"),
        )
    )
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(secret, DRAW_PURPOSE + b"|" + message.encode("utf-8"), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") % 100


@dataclass(frozen=True)
class CeRules:
    """What the requirement set and the certificate's cycles say about an enrollment's CE today."""

    evidence_required: bool
    audit_percent: int
    closed: Callable[[date], bool]  # True for a date inside a closed cycle

    def in_closed_cycle(self, on: date) -> bool:
        """True when `on` lies inside a closed renewal cycle."""
        return bool(self.closed(on))


def ce_rules(enrollment: Enrollment) -> CeRules:
    """The enrollment's CE rules: evidence, audit sample and closed cycles, from the engine."""
    standing = assess_one(enrollment.id)
    spec = standing.spec if standing is not None else None
    if standing is None or spec is None:
        return CeRules(True, 100, lambda _on: False)
    return CeRules(
        spec.ce_evidence_required,
        spec.ce_audit_percent,
        lambda on: in_closed_cycle(on, standing.facts, spec, standing.today),
    )


def _hold_owed(enrollment: Enrollment) -> None:
    """Hold the enrollment's row and re-read its carried-over selections, so that a deletion
    and a submission at the same moment neither lose nor spend one twice."""
    lock_enrollment(enrollment)
    db.session.refresh(enrollment, ["ce_reviews_owed"])


def _review_on_submission(
    enrollment: Enrollment, values: dict[str, Any], rules: CeRules
) -> dict[str, Any]:
    """Status, basis and draw of a newly submitted entry."""
    draw = audit_draw(enrollment.id, values)
    owed = enrollment.ce_reviews_owed
    if owed:  # this submission takes the place of a selected entry deleted before review
        enrollment.ce_reviews_owed = owed - 1
    if rules.in_closed_cycle(values["on"]):
        return {"status": "pending", "review_basis": "closed_cycle", "audit_draw": draw}
    if draw < rules.audit_percent:
        return {"status": "pending", "review_basis": "sampled", "audit_draw": draw}
    if owed:
        return {"status": "pending", "review_basis": "carried", "audit_draw": draw}
    return {"status": "approved", "review_basis": "not_sampled", "audit_draw": draw}


def lock_problem(item: ContinuingEducation, rules: CeRules | None = None) -> str | None:
    """Why the holder may not change or delete the entry now, or None when they may."""
    if item.is_approved:
        return APPROVED_READ_ONLY
    rules = rules or ce_rules(item.enrollment)
    if rules.in_closed_cycle(item.on):
        return CLOSED_CYCLE_READ_ONLY
    return None


def _hold_changeable(item: ContinuingEducation) -> CeRules:
    """Refuse (ReadOnly) unless the holder may change the entry; then hold the enrollment and
    the entry's row while it is still pending or rejected (an approval that got there first
    wins)."""
    enrollment = _require_ce_open(item.enrollment)
    rules = ce_rules(enrollment)
    problem = lock_problem(item, rules)
    if problem:
        raise ReadOnly(problem)
    lock_enrollment(enrollment)
    try:
        lock_if(
            item,
            ContinuingEducation.status.in_(CHANGEABLE),
            refused="This entry was approved meanwhile and can no longer be changed; nothing "
            "was saved. Look at it again.",
        )
    except Refused as error:
        raise ReadOnly(error.message) from None
    return rules


def log_ce(
    enrollment: Enrollment | None,
    data: ContinuingEducationInput,
    upload: Upload | None = None,
    uploaded_by_id: int | None = None,
) -> ContinuingEducation:
    """Record CE credits or consultation hours with their evidence: pending review when the audit
    sample selects it or it is dated inside a closed cycle, approved by rule otherwise."""
    enrollment = _require_ce_open(enrollment)
    values = _ce_values(enrollment, data)
    rules = ce_rules(enrollment)
    if rules.evidence_required and upload is None:
        raise Refused(EVIDENCE_REQUIRED, "certificate")
    _hold_owed(enrollment)
    review = _review_on_submission(enrollment, values, rules)
    # The upload is stored last, once everything else passed, so a refusal leaves no file.
    file_id = _store_certificate(enrollment, upload, uploaded_by_id)
    item = ContinuingEducation(enrollment_id=enrollment.id, file_id=file_id, **values, **review)
    item.enrollment = enrollment
    added("ce.logged", item, subject_user_id=enrollment.trainee_id)
    return item


def update_ce(
    item: ContinuingEducation,
    data: ContinuingEducationInput,
    upload: Upload | None = None,
    uploaded_by_id: int | None = None,
) -> ContinuingEducation:
    """Change a pending or rejected CE record outside a closed cycle; it waits for review again
    (it stays selected: its draw is not taken again). A new certificate replaces the old one."""
    rules = _hold_changeable(item)
    enrollment = item.enrollment
    values = _ce_values(enrollment, data)
    if rules.evidence_required and upload is None and item.file_id is None:
        raise Refused(EVIDENCE_REQUIRED, "certificate")
    values["status"] = "pending"
    if rules.in_closed_cycle(values["on"]):
        values["review_basis"] = "closed_cycle"
    replaced = item.file_id
    file_id = _store_certificate(enrollment, upload, uploaded_by_id)
    if file_id is not None:
        values["file_id"] = file_id
    changed("ce.updated", item, values, subject_user_id=enrollment.trainee_id)
    if file_id is not None:
        release(replaced)
    return item


def delete_ce(item: ContinuingEducation) -> None:
    """Remove a pending or rejected CE record outside a closed cycle, with its certificate file."""
    _hold_changeable(item)
    file_id = item.file_id
    # Only pending or rejected entries get here: their selection passes to the next submission.
    _hold_owed(item.enrollment)
    item.enrollment.ce_reviews_owed += 1
    deleted("ce.deleted", item, subject_user_id=item.enrollment.trainee_id)
    release(file_id)
