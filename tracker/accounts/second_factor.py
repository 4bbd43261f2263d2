"""The second factor: a time-based code from an authenticator app (RFC 6238, by pyotp), with
single-use recovery codes for a lost phone. Services flush; the caller commits.

A code is accepted once: the account keeps the last accepted 30-second time step, and a code of
that step or an earlier one is refused (a conditional UPDATE, so two requests racing with the
same code cannot both pass). Recovery codes are kept as keyed hashes (HMAC with SECRET_KEY), so
the database alone does not give them away. SECOND_FACTOR_REQUIRED makes staff and supervisors,
whose accounts sign records and issue certificates, enrol before anything else; signing and
issuing ask for a code again once the session's last check is older than its idle limit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import segno
from flask import current_app
from flask import flash
from flask import redirect
from flask import url_for
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from tracker.accounts.models import LoginSession
from tracker.accounts.models import RecoveryCode
from tracker.accounts.models import User
from tracker.accounts.services import _token_hash
from tracker.accounts.services import confirm_password
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.extensions import utcnow

ISSUER = "KAP Certification Tracker"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is accepted too (clocks drift)
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = (
    "That code is not right, or it was used already. Enter the 6-digit code your authenticator "
    "app shows now, or one of your recovery codes."
)


def new_secret() -> str:
    """A fresh shared secret for an authenticator app (base32, 160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: address for an <img> (drawn by the app, nothing
    fetched; the page's CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is (within the allowed drift), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _recovery_hash(code: str) -> str:
    plain = re.sub(r"[\s-]", "", (code or "").lower())
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes with a fresh set; return them (shown once, never kept)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    db.session.flush()
    record("account.recovery_codes_made", user, subject_user_id=user.id)
    return codes


def recovery_codes_left(user: User) -> int:
    """How many of `user`'s recovery codes are unused."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Enrol the authenticator app holding `secret`, proven by a code it shows now; return the
    new recovery codes."""
    if user.has_second_factor:
        raise Refused("An authenticator app is already set up for this account.")
    now = utcnow()
    step = _step_of(secret, code, now)
    if step is None:
        raise Refused(
            "That code is not right. Scan the QR code again and enter the 6-digit code the app "
            "shows now.",
            "code",
        )
    user.totp_secret = secret
    user.totp_enrolled_at = now
    user.totp_last_step = step
    db.session.flush()
    record("account.second_factor_enrolled", user, subject_user_id=user.id)
    return new_recovery_codes(user)


def check_code(user: User, code: str) -> str:
    """Accept a current authenticator code not used before, or an unused recovery code (then
    used up); return which it was ("app" or "recovery"). Refused (on the `code` field) else."""
    if not user.has_second_factor:
        raise Refused("No authenticator app is set up for this account.")
    step = _step_of(user.totp_secret or "", code, utcnow())
    if step is not None:
        taken = db.session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            user.totp_last_step = step
            return "app"
        raise Refused(WRONG_CODE, "code")  # a replay of an accepted code
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount == 1:
        record("account.recovery_code_used", user, subject_user_id=user.id)
        return "recovery"
    raise Refused(WRONG_CODE, "code")


def turn_off(user: User, password: str) -> None:
    """Remove the authenticator app and the recovery codes (the password first)."""
    confirm_password(user, password, "password")
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    record("account.second_factor_removed", user, subject_user_id=user.id)


def required_for(user: User) -> bool:
    """True when this deployment requires a second factor of `user` (staff and supervisors,
    with SECOND_FACTOR_REQUIRED on)."""
    return bool(current_app.config.get("SECOND_FACTOR_REQUIRED")) and bool(
        user.is_staff or user.is_supervisor
    )


def passed(token: str | None) -> None:
    """Note that the session of `token` has just passed the second factor."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _token_hash(token))
            .values(second_factor_at=utcnow())
        )


def fresh(user: User) -> bool:
    """True when `user` needs no code now: no app enrolled, or this session passed the second
    factor within the session's idle limit."""
    if not user.has_second_factor:
        return True
    token = getattr(user, "session_token", None)
    if not token:
        return False
    at = db.session.scalar(
        select(LoginSession.second_factor_at).where(LoginSession.token_hash == _token_hash(token))
    )
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return at is not None and utcnow() - at <= idle


def ask_again(back: str | None, doing: str):
    """The answer to an act (signing, issuing) whose session's last check is too old: the code
    page, which returns to `back` (a path on this site) once a code is accepted."""
    parts = urlsplit(back or "")
    path = back if back and not parts.scheme and not parts.netloc and back.startswith("/") else None
    flash(f"Enter a code from your authenticator app to {doing}.", "info")
    return redirect(url_for("accounts.second_factor_check", next=path))
