"""Issuing and revoking certificates, and matching a public look-up. Services flush; the caller
commits.

Issue is allowed only when the progress engine says the enrollment is ready (nothing blocking in
steps 1-8). At most one certificate per enrollment holds even when two staff members press the
button at the same moment: the database's UNIQUE constraint refuses the second row, and the
refusal is caught inside a SAVEPOINT so the rest of the request's transaction stays usable.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.accounts.models import User
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.certificates import queries
from tracker.certificates.badges import issue_credential
from tracker.certificates.history import add_change
from tracker.certificates.history import certificate_event
from tracker.certificates.history import follow_rule
from tracker.certificates.history import signed_content
from tracker.certificates.issuer import key_problem
from tracker.certificates.issuer import public_base
from tracker.certificates.models import REASON_MAX
from tracker.certificates.models import REASON_MIN
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.core.clock import today_in
from tracker.core.duties import not_own
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.services import notify
from tracker.notifications.services import path_for
from tracker.programs.models import Program
from tracker.programs.models import Track
from tracker.programs.models import default_credential_name
from tracker.signoffs.services import check_password
from tracker.signoffs.services import sign_record
from tracker.standing import assess_one
from tracker.webhooks.events import emit

MAX_VALID_YEARS = 20
NUMBER_PATTERN = re.compile(r"^KAP-\d{4}-\d{6,}$")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME_PUNCTUATION = re.compile(r"[.,;:()\"]+")


def new_verification_code() -> str:
    """An unguessable verification code: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


def format_number(year: int, serial: int) -> str:
    """The readable certificate number, e.g. KAP-2026-000042."""
    return f"KAP-{year:04d}-{serial:06d}"


def _require_staff(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_staff):
        raise Refused("Only program staff issue or revoke certificates.")


def blocking_messages(enrollment_id: int) -> list[str]:
    """Why the enrollment is not ready for a certificate today (empty when it is ready)."""
    judged = queries.progress_of(enrollment_id)
    if judged is None:
        return ["The enrollment has no requirement set to judge it by."]
    loaded, progress = judged
    if progress.ready_for_certificate:
        return []
    if not loaded.facts.admitted:
        return ["Only an admitted enrollment can be certified."]
    messages = [i.message for i in progress.blocking_items if i.code != "certificate.issue"]
    if not messages:
        messages = [f"{s.title}: {s.summary}" for s in progress.steps[:8] if not s.done]
    return messages or ["The enrollment is not ready for a certificate."]


def _check_expiry(expires_on: date | None, issued_on: date) -> date | None:
    if expires_on is None:
        return None
    if expires_on <= issued_on:
        raise Refused("The expiry date must be after today.", "expires_on")
    if expires_on.year - issued_on.year > MAX_VALID_YEARS:
        raise Refused(f"The expiry date must be within {MAX_VALID_YEARS} years.", "expires_on")
    return expires_on


def issue_certificate(
    enrollment_id: int, actor: User, expires_on: date | None = None, *, password: str | None
) -> Certificate:
    """Issue the enrollment's certificate, dated today in the program's time zone, with the
    track's credential name and its verification address under the current PUBLIC_BASE_URL,
    both kept as they are today; its history starts "valid since the issue date", signed by
    the staff member with the meaning "issued"; and its Open Badges credential, signed with the
    configured key (refused when there is none).

    Refused unless the staff member's `password` is right, the progress engine finds the
    enrollment ready (the refusal lists what still blocks), when the enrollment already has one
    (even one issued a moment ago by someone else), and by anyone but staff.
    """
    _require_staff(actor)
    problem = key_problem()
    if problem:
        raise Refused(problem)
    row = db.session.execute(
        select(Enrollment, User.full_name, Program.name, Program.timezone, Track.credential_name)
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .where(Enrollment.id == enrollment_id)
    ).one_or_none()
    if row is None:
        raise Refused("This enrollment does not exist.")
    enrollment, full_name, program_name, timezone, credential_name = row
    not_own(actor.id, enrollment.trainee_id, "Nobody may issue their own certificate.")
    existing = db.session.scalar(
        select(Certificate.number).where(Certificate.enrollment_id == enrollment.id)
    )
    if existing is not None:
        raise Refused(f"This enrollment already has certificate {existing}.")
    blocking = blocking_messages(enrollment.id)
    if blocking:
        raise Refused(
            "The certificate cannot be issued yet: " + " ".join(_sentence(m) for m in blocking),
        )
    issued_on = today_in(timezone)
    expires_on = _check_expiry(expires_on, issued_on)
    check_password(actor, password)
    code = new_verification_code()
    cert = Certificate(
        enrollment_id=enrollment.id,
        # A placeholder unique to this row until its id gives the readable number (below).
        number=f"pending-{code[:24]}",
        verification_code=code,
        printed_name=full_name.strip(),
        program_name=program_name.strip(),
        credential_name=(credential_name or "").strip() or default_credential_name(program_name),
        verification_url=queries.verification_url(code),
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by_id=actor.id,
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(cert)
            db.session.flush()
    except IntegrityError:
        # Another request issued this enrollment's certificate after our check: one only.
        raise Refused("This enrollment already has a certificate (issued a moment ago).") from None
    cert.number = format_number(issued_on.year, cert.id)
    db.session.flush()
    record_issue(cert, actor.id, enrollment.trainee_id)
    sign_change(cert, start_history(cert, actor.id), actor, "issued")
    emit("certificate.issued", certificate_event(cert))
    issue_credential(cert, public_base())
    _tell_holder(cert, f"Your certificate {cert.number} ({cert.credential_name}) was issued.")
    return cert


def _tell_holder(cert: Certificate, message: str, kind: str = "certificate.issued") -> None:
    """Notice the certificate's holder, linking to their certificates."""
    notify(cert.enrollment.trainee, kind, message, path_for("certificates.mine"))


def start_history(cert: Certificate, actor_id: int | None) -> CertificateStatusChange:
    """The first row of a new certificate's history: valid since its issue date."""
    return add_change(
        cert, "valid", cert.issued_on, "issued", "Certificate issued.", actor_id, previous=None
    )


def sign_change(
    cert: Certificate, change: CertificateStatusChange, actor: User, meaning: str
) -> None:
    """The staff member's signature on a status change of theirs (issued, revoked,
    reinstated), binding the certificate and the change."""
    sign_record(
        "certificate",
        change.id,
        cert.enrollment_id,
        signed_content(cert, change),
        actor,
        meaning,
        subject_user_id=cert.enrollment.trainee_id,
    )


def record_issue(cert: Certificate, actor_id: int, trainee_id: int) -> None:
    """The audit event of an issued certificate (also written for certificates the demo
    issues on past days)."""
    record(
        "certificate.issued",
        cert,
        after=audited(cert),
        actor_id=actor_id,
        subject_user_id=trainee_id,
    )


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else f"{message}."


def clean_reason(reason: str | None) -> str:
    """A revocation reason: trimmed, 10 to 2000 characters, no control characters."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise Refused(f"Give the reason in at least {REASON_MIN} characters.", "reason")
    if len(reason) > REASON_MAX:
        raise Refused(f"Use at most {REASON_MAX} characters.", "reason")
    if _CONTROL_MULTILINE.search(reason):
        raise Refused("Remove the control characters.", "reason")
    return reason


def _certificate_for_act(certificate_id: int, actor: User, what: str) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        raise Refused("This certificate does not exist.")
    not_own(actor.id, cert.enrollment.trainee_id, f"Nobody may {what} their own certificate.")
    return cert


def _set_revoked(cert: Certificate, actor: User, reason: str, *, revoked: bool) -> None:
    """Revoke the certificate (`revoked`) or reinstate it: write its revocation columns
    (refused if another request did so meanwhile), audit it, and add the status change dated
    today in the program's time zone, signed by `actor` with its meaning."""
    before = audited(cert)
    if revoked:
        update_if(
            cert,
            Certificate.revoked_at.is_(None),
            values={"revoked_at": utcnow(), "revoked_by_id": actor.id, "revocation_reason": reason},
            refused="This certificate is already revoked.",
        )
    else:
        update_if(
            cert,
            Certificate.revoked_at.is_not(None),
            values={"revoked_at": None, "revoked_by_id": None, "revocation_reason": None},
            refused="This certificate was reinstated a moment ago.",
        )
    meaning = "revoked" if revoked else "reinstated"
    record(
        f"certificate.{meaning}",
        cert,
        before=before,
        after=audited(cert),
        actor_id=actor.id,
        subject_user_id=cert.enrollment.trainee_id,
    )
    today = today_in(cert.enrollment.program.timezone)
    change = add_change(cert, "revoked" if revoked else "valid", today, meaning, reason, actor.id)
    sign_change(cert, change, actor, meaning)
    emit(f"certificate.{meaning}", certificate_event(cert))
    _tell_holder(
        cert, f"Your certificate {cert.number} was {meaning}: {reason}", f"certificate.{meaning}"
    )


def revoke_certificate(
    certificate_id: int, actor: User, reason: str, *, password: str | None
) -> Certificate:
    """Revoke a certificate with a written reason, signed by the staff member (meaning
    "revoked"), and add "revoked since today" to its history.

    The conditional update (only while not revoked) makes a second, concurrent revocation find
    nothing to change, on every database. Refused for one's own certificate and without the
    staff member's password.
    """
    _require_staff(actor)
    reason = clean_reason(reason)
    cert = _certificate_for_act(certificate_id, actor, "revoke")
    if cert.revoked:
        raise Refused("This certificate is already revoked.")
    check_password(actor, password)
    _set_revoked(cert, actor, reason, revoked=True)
    return cert


def reinstate_certificate(
    certificate_id: int, actor: User, reason: str, *, password: str | None
) -> Certificate:
    """Reinstate a revoked certificate (revoked by mistake): the same number and verification
    code, valid again since today in its history with the reason, signed by the staff member
    (meaning "reinstated"). The engine's rule then applies at once: a certificate whose closed
    renewal cycle is short shows as lapsed again.

    Refused unless the certificate is revoked, for one's own certificate, and without the staff
    member's password.
    """
    _require_staff(actor)
    reason = clean_reason(reason)
    cert = _certificate_for_act(certificate_id, actor, "reinstate")
    if not cert.revoked:
        raise Refused("This certificate is not revoked.")
    check_password(actor, password)
    _set_revoked(cert, actor, reason, revoked=False)
    follow_rule(cert, assess_one(cert.enrollment_id))
    return cert


# -- the public look-up -------------------------------------------------------------------------


def normalise_number(number: str | None) -> str:
    """A certificate number as typed, trimmed and in upper case ("kap-2026-000042")."""
    return re.sub(r"\s+", "", number or "").upper()


def _name_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold()
    return _NAME_PUNCTUATION.sub(" ", text).split()


def last_name_matches(printed_name: str, last_name: str) -> bool:
    """True when `last_name` (any case) is the final word or words of the printed name."""
    wanted = _name_words(last_name)
    words = _name_words(printed_name)
    return bool(wanted) and len(wanted) <= len(words) and words[-len(wanted) :] == wanted


def look_up(number: str | None, last_name: str | None) -> Certificate | None:
    """The certificate matching both the number and the holder's last name, else None.

    A miss does not say which part failed, so the form cannot be used to confirm a number.
    """
    number = normalise_number(number)
    if not NUMBER_PATTERN.match(number) or not (last_name or "").strip():
        return None
    cert = queries.by_number(number)
    if cert is None or not last_name_matches(cert.printed_name, last_name or ""):
        return None
    return cert
