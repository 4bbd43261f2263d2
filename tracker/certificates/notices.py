"""Warnings to a certificate's holder, as notices (in the inbox, and e-mailed unless they chose
otherwise): 90, 30 and 7 days before the current renewal cycle ends while it is short, and when
a closed cycle makes the certificate lapse.

Each is sent once: its `CertificateNotice` row (certificate, cycle, kind) is inserted with the
mail in one transaction, and the UNIQUE constraint refuses a second. The worker finds the
certificates to warn cheaply: only those whose stored progress snapshot carries the engine's
`certificate.at_risk` item (short with under 90 days left) are loaded.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateNotice
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.services import notify
from tracker.notifications.services import path_for
from tracker.progress.certification_rules import Cycle
from tracker.progress.certification_rules import current_cycle
from tracker.progress.certification_rules import cycles
from tracker.progress.requirements import RequirementSpec
from tracker.standing import Standing as EnrollmentStanding
from tracker.standing import assess

# Days before the cycle's end at which the holder is warned, widest first.
WARNING_DAYS = (90, 30, 7)
BATCH = 500


def _once(cert: Certificate, cycle_starts_on: date, kind: str, today: date) -> bool:
    """Note that the notice `kind` about the cycle is sent; False when it already was."""
    try:
        with db.session.begin_nested():
            db.session.add(
                CertificateNotice(
                    certificate_id=cert.id,
                    cycle_starts_on=cycle_starts_on,
                    kind=kind,
                    sent_on=today,
                )
            )
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _tell_holder(
    cert: Certificate,
    kind: str,
    message: str,
    subject: str,
    template: str,
    cycle: Cycle,
    spec: RequirementSpec,
    **context: object,
) -> None:
    """Notice the certificate's holder about `cycle` (in their inbox, and by e-mail unless
    they chose otherwise for `kind`), with a link to their certificates."""
    notify(
        cert.enrollment.trainee,
        kind,
        message,
        path_for("certificates.mine"),
        subject=subject,
        mail_template=template,
        cert=cert,
        cycle=cycle,
        spec=spec,
        **context,
    )


def notify_lapse(cert: Certificate, loaded: EnrollmentStanding) -> bool:
    """Mail the holder that the certificate lapsed (once per short cycle); True if queued."""
    spec = loaded.spec
    if spec is None:
        return False
    today = loaded.today
    grace = timedelta(days=spec.ce_grace_days)
    short = [
        c
        for c in cycles(loaded.facts, spec, today)
        if c.ends_on < today - grace
        and (c.ce < spec.ce_credits_per_cycle or c.consultation < spec.consultation_hours_per_cycle)
    ]
    if not short or not _once(cert, short[0].starts_on, "lapsed", today):
        return False
    cycle = short[0]
    _tell_holder(
        cert,
        "certificate.lapsed",
        f"Your certificate {cert.number} has lapsed: its renewal cycle ending "
        f"{cycle.ends_on.isoformat()} closed short of its continuing education.",
        f"Your certificate {cert.number} has lapsed",
        "mail/certificate_lapsed.txt",
        cycle,
        spec,
    )
    return True


def warning_kind(days_left: int) -> str | None:
    """The warning due with `days_left` days left in a short cycle (the tightest window it is
    in: due_90, due_30 or due_7), or None beyond 90 days or once the cycle ended."""
    if days_left < 0:
        return None
    inside = [d for d in WARNING_DAYS if days_left <= d]
    return f"due_{min(inside)}" if inside else None


def warn(cert: Certificate, loaded: EnrollmentStanding) -> bool:
    """Mail the holder the warning due today about the current short cycle, if not sent yet;
    a tighter warning already sent stands for the wider ones."""
    spec = loaded.spec
    if spec is None or loaded.progress is None or not loaded.progress.certificate_at_risk:
        return False
    cycle = current_cycle(loaded.facts, spec, loaded.today)
    if cycle is None:
        return False
    days_left = (cycle.ends_on - loaded.today).days
    kind = warning_kind(days_left)
    if kind is None:
        return False
    window = int(kind.removeprefix("due_"))
    tighter = [f"due_{d}" for d in WARNING_DAYS if d <= window]
    sent = db.session.scalar(
        select(CertificateNotice.id).where(
            CertificateNotice.certificate_id == cert.id,
            CertificateNotice.cycle_starts_on == cycle.starts_on,
            CertificateNotice.kind.in_(tighter),
        )
    )
    if sent is not None or not _once(cert, cycle.starts_on, kind, loaded.today):
        return False
    _tell_holder(
        cert,
        "certificate.lapsing",
        f"Your certificate {cert.number}'s renewal cycle ends in {days_left} days "
        f"({cycle.ends_on.isoformat()}) and is short of continuing education.",
        f"Your certificate's renewal cycle ends in {days_left} days",
        "mail/certificate_warning.txt",
        cycle,
        spec,
        days_left=days_left,
    )
    return True


def at_risk_certificates():
    """The certificates whose stored snapshot says at risk and which have not had today's
    warning yet (a select of certificate ids)."""
    # A notice sent since yesterday (in any time zone) leaves the certificate alone for now.
    yesterday = utcnow().date() - timedelta(days=1)
    return (
        select(Certificate.id)
        .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Certificate.enrollment_id)
        .where(
            Certificate.revoked_at.is_(None),
            ProgressSnapshot.codes.like("% certificate.at_risk %"),
            ~exists().where(
                and_(
                    CertificateNotice.certificate_id == Certificate.id,
                    CertificateNotice.kind != "lapsed",
                    CertificateNotice.sent_on >= yesterday,
                )
            ),
        )
        .order_by(Certificate.id)
    )


def send_warnings() -> int:
    """Warn the holders of certificates at risk (each warning once), a chunk at a time; how
    many were mailed. Only certificates the snapshots say are at risk are loaded."""
    ids = list(db.session.scalars(at_risk_certificates()))
    sent = 0
    for start in range(0, len(ids), BATCH):
        sent += _warn_chunk(ids[start : start + BATCH])
    return sent


def _warn_chunk(ids: list[int]) -> int:
    """Warn the holders of these certificates where a warning is due."""
    certs = {
        c.enrollment_id: c
        for c in db.session.scalars(
            select(Certificate)
            .where(Certificate.id.in_(ids))
            .options(joinedload(Certificate.enrollment).joinedload(Enrollment.trainee))
        )
    }
    sent = 0
    for loaded in assess(select(Enrollment.id).where(Enrollment.id.in_(list(certs)))):
        cert = certs[loaded.row.id]
        sent += int(warn(cert, loaded))
    return sent
