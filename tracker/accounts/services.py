"""Account rules: registration, sign-in with a per-account limit, server-side sessions,
invitations, password resets, roles and deactivation. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from tracker.accounts.models import JOB_TITLE_MAX
from tracker.accounts.models import LoginSession
from tracker.accounts.models import User
from tracker.accounts.models import normalise_email
from tracker.accounts.passwords import hash_password
from tracker.accounts.passwords import needs_rehash
from tracker.accounts.passwords import password_problem
from tracker.accounts.passwords import verify_password
from tracker.audit.services import added
from tracker.audit.services import audited
from tracker.audit.services import changed
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.text import one_line
from tracker.extensions import db
from tracker.extensions import utcnow

ROLE_NAMES = ("trainee", "supervisor", "staff", "admin")


# -- registration and invitations ---------------------------------------------------------------

ALREADY_REGISTERED = (
    "An account with this e-mail address already exists: sign in, or reset your password."
)


@dataclass(frozen=True)
class Registration:
    """A registration asked for by e-mail and not yet completed (it lives only in its link)."""

    email: str
    full_name: str


def find_by_email(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_applicant(email: str, full_name: str, password: str) -> User:
    """Create a trainee account for a self-registering applicant (from the link of their
    registration e-mail, so they have shown that the address is theirs)."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise Refused(ALREADY_REGISTERED)
    problem = password_problem(password, email=email, name=full_name)
    if problem:
        raise Refused(problem, "password")
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
        is_trainee=True,
    )
    added("account.registered", user, actor_id=user.id, subject_user_id=user.id)
    return user


def invite(email: str, full_name: str, roles: set[str], invited_by: User) -> User:
    """Create an account without a password for an invited person (they set it from the link)."""
    email = normalise_email(email)
    roles = _clean_roles(roles, invited_by)
    if not roles:
        raise Refused("Choose at least one role.", "roles")
    if find_by_email(email) is not None:
        raise Refused("An account with this e-mail address already exists.", "email")
    user = User(email=email, full_name=full_name.strip(), password_hash=None)
    for role in ROLE_NAMES:
        setattr(user, f"is_{role}", role in roles)
    added("account.invited", user, subject_user_id=user.id)
    return user


def _clean_roles(roles: set[str], actor: User) -> set[str]:
    unknown = roles - set(ROLE_NAMES)
    if unknown:
        raise Refused("Unknown role.", "roles")
    if "admin" in roles and not actor.is_admin:
        raise Refused("Only an administrator may grant the admin capability.", "roles")
    if ({"staff", "supervisor"} & roles) and not actor.is_staff and not actor.is_admin:
        raise Refused("Only staff may invite staff or supervisors.", "roles")
    return roles


# -- tokens for invitations and resets ------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"kap-{purpose}")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, so a used or outdated link stops working.
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    """A signed, expiring, single-use token for `purpose` ('invite' or 'reset')."""
    return _serializer(purpose).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_token(token: str, purpose: str) -> User:
    """The user a valid token belongs to; Refused when it is invalid, used or expired."""
    hours = current_app.config[
        "INVITATION_MAX_AGE_HOURS" if purpose == "invite" else "RESET_MAX_AGE_HOURS"
    ]
    try:
        data = _serializer(purpose).loads(token[:500], max_age=hours * 3600)
    except SignatureExpired:
        raise Refused("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise Refused("This link is not valid.") from None
    if not isinstance(data, dict):
        raise Refused("This link is not valid.")
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("p") != _password_fingerprint(user):
        raise Refused("This link has already been used or is no longer valid.")
    return user


def make_registration_token(email: str, full_name: str) -> str:
    """The signed, expiring token of a registration link: the address and the name asked for.
    Nothing is stored until the link is used, so an address nobody confirms leaves no trace."""
    return _serializer("register").dumps({"e": normalise_email(email), "n": full_name.strip()})


def registration_for_token(token: str) -> Registration:
    """The registration a valid link asks for; Refused when the link is invalid, expired or
    already used (the account exists)."""
    hours = current_app.config["REGISTRATION_MAX_AGE_HOURS"]
    try:
        data = _serializer("register").loads(token[:1000], max_age=hours * 3600)
    except SignatureExpired:
        raise Refused("This link has expired. Register again for a new one.") from None
    except BadSignature:
        raise Refused("This link is not valid.") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "en"):
        raise Refused("This link is not valid.")
    if find_by_email(data["e"]) is not None:
        raise Refused(
            "This link has already been used: the account exists. Sign in, or reset your password."
        )
    return Registration(email=data["e"], full_name=data["n"])


def set_password(user: User, password: str, *, reason: str, keep_token: str | None = None) -> None:
    """Set a new password (policy-checked) and end every existing sign-in session (but the one
    of `keep_token`, when given: the person changing it while signed in stays signed in)."""
    problem = password_problem(password, email=user.email, name=user.full_name)
    if problem:
        raise Refused(problem, "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    revoke_all_sessions(user, except_token=keep_token)
    db.session.flush()
    record(f"account.password_{reason}", user, subject_user_id=user.id)


def confirm_password(user: User, password: str, field: str = "current_password") -> None:
    """Refuse (beside `field`) unless `password` is `user`'s, under the shared failure limit.
    (The check commits the attempt's count; see `check_password_counted`.)"""
    outcome = check_password_counted(user, password or "")
    if outcome is PasswordCheck.LOCKED:
        raise Refused(lock_refusal(), field)
    if outcome is not PasswordCheck.RIGHT:
        raise Refused("This is not your current password.", field)


def change_password(user: User, current: str, new: str, keep_token: str | None) -> None:
    """A signed-in person changes their password: the current one first, then the new one
    (policy-checked); every other sign-in session ends, this one stays."""
    problem = password_problem(new, email=user.email, name=user.full_name)
    if problem:
        raise Refused(problem, "password")
    if current == new:
        raise Refused("Choose a password different from the current one.", "password")
    confirm_password(user, current)
    set_password(user, new, reason="changed", keep_token=keep_token)


# -- changing the e-mail address -------------------------------------------------------------------


@dataclass(frozen=True)
class EmailChange:
    """A change of address asked for and not yet confirmed (it lives only in its link)."""

    user: User
    new_email: str


def _email_fingerprint(user: User) -> str:
    # Changes when the address does, so a used link, or one for an older address, stops working.
    return hashlib.sha256(user.email.encode()).hexdigest()[:16]


def ask_email_change(user: User, new_email: str, password: str) -> str:
    """Check the password and that the new address is free; return the normalised address
    (the caller queues the confirmation to it). Nothing changes until the link is used."""
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise Refused("This is already your address.", "email")
    confirm_password(user, password, "password")
    if find_by_email(new_email) is not None:
        raise Refused("Another account uses this address.", "email")
    return new_email


def make_email_change_token(user: User, new_email: str) -> str:
    """The signed, expiring token of a confirmation link sent to `new_email`."""
    return _serializer("email").dumps(
        {"u": user.id, "e": normalise_email(new_email), "f": _email_fingerprint(user)}
    )


def email_change_for_token(token: str, user: User) -> EmailChange:
    """The change a valid link asks for, for the signed-in `user`; Refused when it is invalid,
    expired, used, someone else's, or the address has been taken since."""
    hours = current_app.config["EMAIL_CHANGE_MAX_AGE_HOURS"]
    try:
        data = _serializer("email").loads(token[:1000], max_age=hours * 3600)
    except SignatureExpired:
        raise Refused("This link has expired. Ask for a new one from your account page.") from None
    except BadSignature:
        raise Refused("This link is not valid.") from None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("e"), str):
        raise Refused("This link is not valid for the account you are signed in to.")
    if data.get("f") != _email_fingerprint(user):
        raise Refused("This link has already been used or is no longer valid.")
    if find_by_email(data["e"]) is not None:
        raise Refused("Another account uses this address now.")
    return EmailChange(user=user, new_email=data["e"])


def change_email(change: EmailChange) -> str:
    """Make the confirmed address the account's; return the old one (to be told)."""
    user = change.user
    old = user.email
    changed("account.email_changed", user, {"email": change.new_email}, subject_user_id=user.id)
    return old


# -- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """A right password: the user and the new session token for the cookie (None while the
    second factor is still to be checked)."""

    user: User
    token: str | None


def sign_in_refusal() -> str:
    """The one message for a wrong password, an unknown address and a locked account."""
    config = current_app.config
    return (
        "The e-mail or password is not correct, or sign-in is paused for "
        f"{config['LOGIN_LOCK_MINUTES']} minutes after {config['LOGIN_MAX_FAILURES']} failed "
        "attempts. You can reset your password."
    )


def authenticate(email: str, password: str, user_agent: str = "") -> SignInResult:
    """Check the credentials under the per-account failure limit and open a session.

    The failure count lives in the database, so the limit holds across every worker. A wrong
    password, an unknown address and a locked account get the same message and the same
    hashing cost, so neither the text nor the time of the answer tells which accounts exist or
    which are locked (only the log, which visitors do not see, says which it was). No hashing
    happens inside a transaction: on SQLite a sign-in's transaction holds the database's one
    write lock, which every other writer would wait for during the hash.
    """
    user = find_by_email(email)
    refused = Refused(sign_in_refusal())
    if user is None:
        db.session.rollback()  # only the lookup: end it before the slow check
        verify_password(None, password)  # same cost as a real check
        current_app.logger.info("sign-in failed: unknown account")
        raise refused
    user_id = user.id
    outcome, verified_hash = _check_counted(user, password)
    if outcome is not PasswordCheck.RIGHT:
        if outcome is PasswordCheck.WRONG:
            current_app.logger.warning("sign-in failed for account %s", user_id)
        raise refused
    # The upgraded hash is computed before the next transaction begins, for the same reason.
    upgraded = hash_password(password) if needs_rehash(verified_hash or "") else None
    if not user.active:
        current_app.logger.warning("sign-in refused: account %s is deactivated", user_id)
        raise Refused("This account is deactivated. Contact the program office.")
    if upgraded is not None and user.password_hash == verified_hash:
        user.password_hash = upgraded
    if user.has_second_factor:
        # The password was right; the session opens once a code is too (`open_session`).
        return SignInResult(user=user, token=None)
    return open_session(user, user_agent)


def open_session(user: User, user_agent: str = "", *, second_factor: bool = False) -> SignInResult:
    """Sign `user` in: a new server-side session (marked as having passed the second factor
    when it did), recorded."""
    user.last_login_at = utcnow()
    token = start_session(user, user_agent, second_factor=second_factor)
    record("account.signed_in", user, actor_id=user.id, subject_user_id=user.id)
    return SignInResult(user=user, token=token)


class PasswordCheck(Enum):
    """What checking a password under the account's failure limit found."""

    RIGHT = "right"
    WRONG = "wrong"  # counted as a failure
    LOCKED = "locked"  # the account is locked: the password was not checked


def check_password_counted(user: User, password: str) -> PasswordCheck:
    """Check `user`'s password under the failure limit shared by sign-in and signing.

    The attempt is counted before the password is checked, by one conditional UPDATE that
    refuses a locked account, adds one to the recent failures and sets the lock when the count
    reaches the limit, all in the same statement: parallel guesses queue on the row, so no more
    than the limit are ever checked (reading the count and writing it later let 7 guesses
    through against a limit of 5). The count is committed at once, so it stands whatever the
    rest of the request does, and that commit also ends the transaction before the password is
    hashed: on SQLite a writing request's transaction holds the database's one write lock, and
    the argon2 check (tens to hundreds of milliseconds) would keep every other writer waiting.
    A right password then takes its attempt back in a second short transaction (below).
    """
    return _check_counted(user, password)[0]


def _check_counted(user: User, password: str) -> tuple[PasswordCheck, str | None]:
    """`check_password_counted`, with the stored hash a right password was verified against."""
    config = current_app.config
    now = utcnow()
    lock = timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    user_id = user.id  # read before the commits: reading it later would begin a transaction
    # A failure long after the previous one starts a fresh count.
    count = case(
        (
            or_(User.last_failed_login_at.is_(None), User.last_failed_login_at <= now - lock),
            1,
        ),
        else_=User.failed_logins + 1,
    )
    claimed = db.session.execute(
        update(User)
        .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(
            failed_logins=count,
            last_failed_login_at=now,
            locked_until=case((count >= config["LOGIN_MAX_FAILURES"], now + lock), else_=None),
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()  # nothing was written: end the transaction before the check
        verify_password(None, password)  # same cost as a real check
        current_app.logger.warning("password not checked: account %s is locked", user_id)
        return PasswordCheck.LOCKED, None
    # The row is ours until the commit: this attempt's count and the hash it is checked against.
    attempts, stored_hash = db.session.execute(
        select(User.failed_logins, User.password_hash).where(User.id == user_id)
    ).one()
    # The count must outlive a rollback of the request's other work (a refused signature).
    db.session.commit()
    right = len(password) <= 1024 and verify_password(stored_hash, password)
    if not right:
        return PasswordCheck.WRONG, None
    # Take the attempt back, and with it the failures before it, as when the check ran under
    # the lock. Attempts counted while the hash was computed keep counting (with their lock,
    # when they reached the limit), as if they had come after this one. A password changed
    # meanwhile (a reset) makes this one no longer right.
    later = User.failed_logins - attempts
    taken_back = db.session.execute(
        update(User)
        .where(User.id == user_id, User.password_hash == stored_hash)
        .values(
            failed_logins=case((later > 0, later), else_=0),
            last_failed_login_at=case((later > 0, User.last_failed_login_at), else_=None),
            locked_until=case(
                (later >= config["LOGIN_MAX_FAILURES"], User.locked_until), else_=None
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken_back.rowcount != 1:
        current_app.logger.warning("password of account %s changed during its check", user_id)
        return PasswordCheck.WRONG, None
    return PasswordCheck.RIGHT, stored_hash


def lock_refusal() -> str:
    """What a signed-in person is told when their account's password checks are locked."""
    config = current_app.config
    return (
        f"Your password was entered wrongly {config['LOGIN_MAX_FAILURES']} times, so this "
        f"account is locked for {config['LOGIN_LOCK_MINUTES']} minutes: you cannot sign or sign "
        "in until then. Resetting your password lifts the lock."
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str = "", *, second_factor: bool = False) -> str:
    """Open a server-side sign-in session and return its token (kept only in the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user=user,
            token_hash=_token_hash(token),
            user_agent=user_agent[:200] or None,
            second_factor_at=utcnow() if second_factor else None,
        )
    )
    db.session.flush()
    user.session_token = token
    return token


# Figures read with the signed-in person in the user loader's one query, by name: each a
# function giving a scalar subquery correlated to `User` (the navigation's unread notices).
_SESSION_FIGURES: dict[str, Callable[[], Any]] = {}


def read_with_session(name: str, subquery: Callable[[], Any]) -> None:
    """Read `subquery()` (a scalar subquery correlated to `User`) with the signed-in person on
    every request, into `user.session_figures[name]`: no query of its own."""
    _SESSION_FIGURES[name] = subquery


def load_session_user(token: str | None) -> User | None:
    """The active user of a live session token, or None (revoked, idle, too old, deactivated).

    `last_seen_at` is written at most once a minute, so reading pages does not write each time.
    """
    if not token or len(token) > 100:
        return None
    config = current_app.config
    now = utcnow()
    names = list(_SESSION_FIGURES)
    row = db.session.execute(
        select(
            LoginSession,
            User,
            *(_SESSION_FIGURES[name]().label(f"figure_{n}") for n, name in enumerate(names)),
        )
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    login_session, user, *figures = row
    user.session_figures = dict(zip(names, figures, strict=True))
    if not user.active:
        return None
    if now - login_session.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return None
    if now - login_session.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return None
    if now - login_session.last_seen_at > timedelta(minutes=1):
        # The read above ends first: on SQLite a transaction that has read cannot start writing
        # once another worker has written since ("database is locked" at once, whatever the
        # busy timeout), while one whose first statement writes waits its turn for the lock.
        # (The id is taken before the commit expires the row: reading it again would be a read.)
        session_id = login_session.id
        db.session.commit()
        db.session.execute(
            update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now)
        )
        db.session.commit()
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Revoke one sign-in session (sign-out)."""
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all_sessions(user: User, except_token: str | None = None) -> int:
    """Revoke every sign-in session of `user` (sign out everywhere), but the one of
    `except_token` when given; return how many."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if except_token:
        stmt = stmt.where(LoginSession.token_hash != _token_hash(except_token))
    result = db.session.execute(stmt.values(revoked_at=utcnow()))
    return result.rowcount or 0


# -- administration ------------------------------------------------------------------------------


def change_roles(user: User, roles: set[str], actor: User) -> None:
    """Replace `user`'s roles; an administrator cannot remove their own admin capability."""
    roles = _clean_roles(roles, actor)
    if user.id == actor.id and "admin" not in roles and user.is_admin:
        raise Refused("You cannot remove your own admin capability.", "roles")
    before = audited(user)
    for role in ROLE_NAMES:
        setattr(user, f"is_{role}", role in roles)
    db.session.flush()
    record(
        "account.roles_changed", user, before=before, after=audited(user), subject_user_id=user.id
    )


def set_job_title(user: User, job_title: str | None, actor: User) -> None:
    """Set the title printed under `user`'s name on the certificates they issue (blank: none);
    recorded only when it changes."""
    if not actor.is_admin:
        raise Refused("Only an administrator changes job titles.")
    title = one_line("job_title", job_title, JOB_TITLE_MAX, required=False)
    changed(
        "account.job_title_changed",
        user,
        {"job_title": title},
        unless_same=True,
        subject_user_id=user.id,
    )


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if user.id == actor.id and not active:
        raise Refused("You cannot deactivate your own account.")
    if user.active == active:
        return
    before = audited(user)
    user.active = active
    if not active:
        revoke_all_sessions(user)
    db.session.flush()
    record(
        "account.activated" if active else "account.deactivated",
        user,
        before=before,
        after=audited(user),
        subject_user_id=user.id,
    )


def search_users(text: str = "", role: str = "", page: int = 1, per_page: int = 50):
    """Users matching `text` in name or e-mail and holding `role`, paginated."""
    stmt = select(User).order_by(User.full_name, User.id)
    text = text.strip()[:100]
    if text:
        pattern = f"%{text.lower().replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern)))
    if role in ROLE_NAMES:
        stmt = stmt.where(getattr(User, f"is_{role}").is_(True))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
