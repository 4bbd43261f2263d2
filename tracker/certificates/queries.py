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
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.certificates.facts import certificate_fact
from tracker.certificates.history import current_since
from tracker.certificates.history import history
from tracker.certificates.history import revoked_on
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.core.clock import today_in
from tracker.core.search import contains
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.progress import CertificateStatus
from tracker.progress import OutstandingItem
from tracker.progress import Progress
from tracker.progress.certification_rules import current_cycle
from tracker.progress.certification_rules import current_cycle_ends_on
from tracker.progress.certification_rules import cycles
from tracker.standing import Standing as EnrollmentStanding
from tracker.standing import assess
from tracker.standing import assess_one
from tracker.standing.snapshots import fresh_verdict
from tracker.standing.snapshots import out_of_date
from tracker.standing.snapshots import program_zones

MAX_LISTED = 200
STATUS_LABELS = {
    CertificateStatus.VALID: "Valid",
    CertificateStatus.LAPSED: "Lapsed",
    CertificateStatus.EXPIRED: "Expired",
    CertificateStatus.REVOKED: "Revoked",
}


def base_url() -> str:
    """The configured public address of the tracker, without a trailing slash."""
    return str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def verification_url(code: str) -> str:
    """The address of the verification page of the certificate with `code`, under the current
    PUBLIC_BASE_URL (what a certificate issued now stores, prints and puts in its QR code)."""
    return f"{base_url()}/verify/{code}"


def address_of(cert: Certificate) -> str:
    """The verification address `cert` carries: the one stored when it was issued (even if the
    base address changed since; /verify/<code> answers under any address that reaches the
    tracker), else, for a certificate issued before addresses were stored, the current one."""
    return cert.verification_url or verification_url(cert.verification_code)


@dataclass(frozen=True)
class OtherAddress:
    """Certificates whose stored verification address is under another base address."""

    base: str
    count: int


def other_base_addresses() -> list[OtherAddress]:
    """The base addresses, other than the current PUBLIC_BASE_URL, that issued certificates
    carry, with how many carry each (most first); empty when all carry the current one."""
    prefix = f"{base_url()}/verify/"
    # The stored address less "/verify/<code>" is the base it was issued under.
    base = func.substr(
        Certificate.verification_url,
        1,
        func.length(Certificate.verification_url)
        - func.length(Certificate.verification_code)
        - len("/verify/"),
    ).label("base")
    rows = db.session.execute(
        select(base, func.count().label("n"))
        .where(
            Certificate.verification_url.is_not(None),
            Certificate.verification_url != prefix + Certificate.verification_code,
        )
        .group_by(base)
        .order_by(func.count().desc(), base)
    )
    return [OtherAddress(row.base, row.n) for row in rows]


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
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.verification_code == code)
        .options(*_with_enrollment())
    )


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
    """A certificate's status today and the day since which it holds, its current renewal cycle
    and the past cycles left short."""

    status: CertificateStatus
    today: date
    current_cycle: CycleView | None = None
    short_cycles: tuple[CycleView, ...] = ()
    items: tuple[OutstandingItem, ...] = field(default_factory=tuple)
    since: date | None = None
    history: tuple[CertificateStatusChange, ...] = ()
    at_risk: bool = False

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


def standing(
    cert: Certificate, changes: tuple[CertificateStatusChange, ...] | None = None
) -> Standing:
    """The certificate's status today (the engine's verdict: revoked, else expired, else lapsed,
    else valid), the day since which it holds and its stored history (read unless given), and
    its cycles."""
    loaded = assess_one(cert.enrollment_id)
    if changes is None:
        changes = tuple(history(cert.id))
    if loaded is None or loaded.progress is None:
        today = today_in(cert.enrollment.program.timezone)
        status = _row_status(cert, today)
        since = current_since(cert, status, None, today, changes)
        return Standing(status, today, since=since, history=changes)
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
    since = current_since(cert, status, loaded, today, changes)
    return Standing(
        status,
        today,
        current,
        short,
        progress.step(9).items,
        since,
        changes,
        progress.certificate_at_risk,
    )


@dataclass(frozen=True)
class PublicRecord:
    """What anyone verifying a certificate is told, on the page, in JSON and on the PDF: what
    was certified, to whom, by whom and when, and its status today (never why it was revoked)."""

    credential: str
    holder: str
    issuer: str
    issued_on: date
    cycle_ends_on: date | None
    status: CertificateStatus
    since: date | None
    revoked_on: date | None
    verification_url: str
    today: date
    # The status history: (status, since) pairs, oldest first; never a reason.
    history: tuple[tuple[CertificateStatus, date], ...] = ()

    @property
    def label(self) -> str:
        """The status as a word a person reads."""
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, object]:
        """The record as JSON-ready values (dates as YYYY-MM-DD)."""

        def iso(day: date | None) -> str | None:
            return day.isoformat() if day is not None else None

        return {
            "credential": self.credential,
            "holder": self.holder,
            "issuer": self.issuer,
            "issued_on": iso(self.issued_on),
            "cycle_ends_on": iso(self.cycle_ends_on),
            "status": self.status.value,
            "status_label": self.label,
            "status_since": iso(self.since),
            "revoked_on": iso(self.revoked_on),
            "verification_url": self.verification_url,
            "checked_on": iso(self.today),
            "history": [
                {"status": status.value, "since": iso(since)} for status, since in self.history
            ],
        }

    def label_of(self, status: CertificateStatus) -> str:
        """A status of the history as a word a person reads."""
        return STATUS_LABELS[status]


def public_record(cert: Certificate) -> PublicRecord:
    """The facts a public verification shows: the status judged by the engine (its stored
    verdict while the enrollment's snapshot is up to date, else judged now), the day since
    which it holds and the history from the stored status changes (a read: nothing is
    written). A fixed number of queries: three while the snapshot is up to date."""
    changes = tuple(history(cert.id))
    judged = _stored_judgement(cert, changes) or _live_judgement(cert, changes)
    status, today, since, cycle_ends_on = judged
    return PublicRecord(
        credential=cert.credential,
        holder=cert.printed_name,
        issuer=cert.program_name,
        issued_on=cert.issued_on,
        cycle_ends_on=cycle_ends_on,
        status=status,
        since=since,
        revoked_on=revoked_on(cert),
        verification_url=address_of(cert),
        today=today,
        history=tuple((CertificateStatus(c.status), c.since) for c in changes),
    )


# A verification's judgement: the status, the day judged, the day since which the status holds,
# the end of the renewal cycle under way.
Judgement = tuple[CertificateStatus, date, date | None, date | None]


def _live_judgement(cert: Certificate, changes: tuple[CertificateStatusChange, ...]) -> Judgement:
    """The certificate judged now by the engine over the enrollment's facts."""
    judged = standing(cert, changes)
    cycle = judged.current_cycle
    return judged.status, judged.today, judged.since, cycle.ends_on if cycle else None


def _stored_judgement(
    cert: Certificate, changes: tuple[CertificateStatusChange, ...]
) -> Judgement | None:
    """The certificate judged by the engine's stored verdict, while the enrollment's snapshot is
    up to date (as the lists read it); None when it is not, or when the day since which the
    status holds needs the facts (a lapse the history does not record yet)."""
    enrollment = cert.enrollment
    stored = fresh_verdict(enrollment.id, enrollment.program_id, enrollment.program.timezone)
    if stored is None:
        return None
    today = stored.today
    status = (
        CertificateStatus(stored.certificate_status)
        if stored.certificate_status
        else _row_status(cert, today)
    )
    last = changes[-1] if changes else None
    if status == CertificateStatus.LAPSED and (last is None or last.status != str(status)):
        return None
    since = current_since(cert, status, None, today, changes)
    facts = certificate_fact(cert)
    return status, today, since, current_cycle_ends_on(facts, stored.spec, today)


@dataclass(frozen=True)
class RowStanding:
    """A listed certificate's status today and whether it is at risk (the engine's)."""

    status: CertificateStatus
    at_risk: bool = False


def row_standings(certificates: Sequence[Certificate]) -> dict[int, RowStanding]:
    """Each listed certificate's status and risk by certificate id, judged by the engine now
    with the enrollments loaded in bulk (a fixed number of queries)."""
    if not certificates:
        return {}
    by_enrollment = {c.enrollment_id: c for c in certificates}
    ids = select(Certificate.enrollment_id).where(Certificate.id.in_([c.id for c in certificates]))
    result: dict[int, RowStanding] = {}
    for loaded in assess(ids):
        cert = by_enrollment[loaded.row.id]
        progress = loaded.progress
        status = progress.certificate_status if progress is not None else None
        at_risk = progress.certificate_at_risk if progress is not None else False
        result[cert.id] = RowStanding(status or _row_status(cert, loaded.today), at_risk)
    return result


def statuses(certificates: Sequence[Certificate]) -> dict[int, CertificateStatus]:
    """Each certificate's status by certificate id, with the enrollments loaded in bulk."""
    return {cid: row.status for cid, row in row_standings(certificates).items()}


AT_RISK_CODE = "% certificate.at_risk %"


def _at_risk():
    """Certificates whose stored progress snapshot says at risk (the engine's
    `certificate.at_risk`: the current cycle short with under 90 days left)."""
    return exists().where(
        ProgressSnapshot.enrollment_id == Certificate.enrollment_id,
        ProgressSnapshot.codes.like(AT_RISK_CODE),
    )


def at_risk_count() -> int:
    """How many certificates are at risk, as the stored snapshots say (one query)."""
    return db.session.scalar(select(func.count(Certificate.id)).where(_at_risk())) or 0


def search(term: str = "", limit: int = MAX_LISTED, at_risk: bool = False) -> list[Certificate]:
    """Certificates whose number or printed name contains `term` (any case), newest first;
    with `at_risk`, only those at risk."""
    stmt = select(Certificate).options(*_with_enrollment())
    term = term.strip()
    if at_risk:
        stmt = stmt.where(_at_risk())
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
