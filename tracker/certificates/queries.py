"""Named reads of certificates: by id, code, number or enrollment; a certificate's standing (its
status and renewal cycles, judged by the progress engine); the staff list and its search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.certificates.models import Certificate
from tracker.core.clock import today_in
from tracker.core.search import contains
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.progress import CertificateStatus
from tracker.progress import OutstandingItem
from tracker.progress import Progress
from tracker.progress.certification_rules import current_cycle
from tracker.progress.certification_rules import cycles
from tracker.standing import Standing as EnrollmentStanding
from tracker.standing import assess
from tracker.standing import assess_one
from tracker.standing.snapshots import out_of_date
from tracker.standing.snapshots import program_zones

MAX_LISTED = 200
STATUS_LABELS = {
    CertificateStatus.VALID: "Valid",
    CertificateStatus.LAPSED: "Lapsed",
    CertificateStatus.EXPIRED: "Expired",
    CertificateStatus.REVOKED: "Revoked",
}


def verification_url(code: str) -> str:
    """The public address of a certificate's verification page (printed and in the QR code)."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/verify/{code}"


def _with_enrollment():
    return (
        joinedload(Certificate.enrollment).joinedload(Enrollment.program),
        joinedload(Certificate.enrollment).joinedload(Enrollment.trainee),
    )


def certificate(certificate_id: int) -> Certificate | None:
    """The certificate with its enrollment, program and trainee, or None."""
    return db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id).options(*_with_enrollment())
    )


def for_enrollment(enrollment_id: int) -> Certificate | None:
    """The enrollment's certificate (there is at most one), or None."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.enrollment_id == enrollment_id)
        .options(*_with_enrollment())
    )


def by_code(code: str) -> Certificate | None:
    """The certificate whose verification code is exactly `code`, or None."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def by_number(number: str) -> Certificate | None:
    """The certificate with this number (already normalised to upper case), or None."""
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def trainee_certificates(trainee_id: int) -> list[Certificate]:
    """The trainee's own certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
            .where(Enrollment.trainee_id == trainee_id)
            .options(*_with_enrollment())
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def progress_of(enrollment_id: int) -> tuple[EnrollmentStanding, Progress] | None:
    """The enrollment's facts and its Progress today (program time zone); None without a
    requirement set to judge it by."""
    found = assess_one(enrollment_id)
    if found is None or found.progress is None:
        return None
    return found, found.progress


@dataclass(frozen=True)
class CycleView:
    """One renewal cycle against what the requirement set asks of it."""

    starts_on: date
    ends_on: date
    ce: Decimal
    ce_required: Decimal
    consultation: Decimal
    consultation_required: Decimal

    @property
    def met(self) -> bool:
        """True when both CE credits and consultation hours reach the requirement."""
        return self.ce >= self.ce_required and self.consultation >= self.consultation_required


@dataclass(frozen=True)
class Standing:
    """A certificate's status today, its current renewal cycle and the past cycles left short."""

    status: CertificateStatus
    today: date
    current_cycle: CycleView | None = None
    short_cycles: tuple[CycleView, ...] = ()
    items: tuple[OutstandingItem, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """The status as a word a person reads."""
        return STATUS_LABELS[self.status]


def _row_status(cert: Certificate, today: date) -> CertificateStatus:
    """The status from the row alone (no requirement set to judge renewal cycles by)."""
    if cert.revoked:
        return CertificateStatus.REVOKED
    if cert.expires_on is not None and today > cert.expires_on:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID


def standing(cert: Certificate) -> Standing:
    """The certificate's status (revoked, else expired, else lapsed, else valid) and cycles."""
    loaded = assess_one(cert.enrollment_id)
    if loaded is None or loaded.progress is None:
        today = today_in(cert.enrollment.program.timezone)
        return Standing(_row_status(cert, today), today)
    today = loaded.today
    progress = loaded.progress
    status = progress.certificate_status or _row_status(cert, today)
    spec = loaded.spec
    views = [
        CycleView(
            c.starts_on,
            c.ends_on,
            c.ce,
            spec.ce_credits_per_cycle,
            c.consultation,
            spec.consultation_hours_per_cycle,
        )
        for c in cycles(loaded.facts, spec, today)
    ]
    under_way = current_cycle(loaded.facts, spec, today)
    current = next((v for v in views if under_way and v.starts_on == under_way.starts_on), None)
    short = tuple(v for v in views if v.ends_on < today and not v.met)
    return Standing(status, today, current, short, progress.step(9).items)


def public_status(cert: Certificate) -> CertificateStatus:
    """The status a public verification shows, judged by the engine now (a read: nothing is
    stored, so a revocation shows at once)."""
    return standing(cert).status


def statuses(certificates: Sequence[Certificate]) -> dict[int, CertificateStatus]:
    """Each certificate's status by certificate id, with the enrollments loaded in bulk."""
    if not certificates:
        return {}
    by_enrollment = {c.enrollment_id: c for c in certificates}
    ids = select(Certificate.enrollment_id).where(Certificate.id.in_([c.id for c in certificates]))
    result: dict[int, CertificateStatus] = {}
    for loaded in assess(ids):
        cert = by_enrollment[loaded.row.id]
        status = loaded.progress.certificate_status if loaded.progress is not None else None
        result[cert.id] = status or _row_status(cert, loaded.today)
    return result


def search(term: str = "", limit: int = MAX_LISTED) -> list[Certificate]:
    """Certificates whose number or printed name contains `term` (any case), newest first."""
    stmt = select(Certificate).options(*_with_enrollment())
    term = term.strip()
    if term:
        stmt = stmt.where(contains(term, Certificate.number, Certificate.printed_name))
    stmt = stmt.order_by(Certificate.issued_on.desc(), Certificate.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def ready_for_certificate() -> list[EnrollmentStanding]:
    """Admitted enrollments without a certificate that the engine finds ready for one today.

    A read: the candidates (admitted, uncertified) whose stored progress snapshot says ready
    are selected in SQL, with those whose snapshot is out of date (written since the last
    refresh, or computed before the program's today), and only those are loaded. The engine
    judges each now, so a list never offers one that stopped being ready a moment ago, and one
    that became ready since the refresh is offered too.
    """
    candidates = (
        select(Enrollment.id)
        .where(Enrollment.status == "admitted")
        .where(~exists().where(Certificate.enrollment_id == Enrollment.id))
    )
    ids = (
        select(Enrollment.id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(
            Enrollment.id.in_(candidates),
            or_(ProgressSnapshot.ready.is_(True), out_of_date(program_zones())),
        )
    )
    ready = []
    for loaded in assess(ids):
        if loaded.progress is not None and loaded.progress.ready_for_certificate:
            ready.append(loaded)
    return ready
