"""Creating, revoking and checking personal access tokens.

A token's secret is `kap_` and 43 random URL-safe characters; only its SHA-256 is stored, so
the secret is shown once. Functions flush and record an audit event; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update

from tracker.accounts.models import User
from tracker.api.models import TOKEN_NAME_MAX
from tracker.api.models import TOKEN_PREFIX
from tracker.api.models import ApiToken
from tracker.api.scopes import SCOPES
from tracker.api.scopes import allowed_scopes
from tracker.api.scopes import effective_scopes
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.core.clock import program_zone
from tracker.core.errors import Refused
from tracker.core.text import text_problem
from tracker.extensions import db
from tracker.extensions import utcnow

SECRET_MAX = 100
# last_used_at is written at most this often, so reading the API does not write each time.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just created and its secret, which is never shown again."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Caller:
    """Who a request's token speaks for, and what it may do now."""

    user: User
    token: ApiToken
    scopes: frozenset[str]


def token_hash(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_on: date | None = None,
    today: date | None = None,
) -> NewToken:
    """A new token of `user` named `name` with `scopes`, valid until the end of `expires_on`
    (UTC) when given. Refused (naming the field) for an empty or overlong name, no scope, a
    scope the person's roles do not allow, or an expiry in the past."""
    name = (name or "").strip()
    if not name:
        raise Refused("Give the token a name, so you can tell it apart later.", "name")
    if len(name) > TOKEN_NAME_MAX:
        raise Refused(f"Keep the name to {TOKEN_NAME_MAX} characters.", "name")
    problem = text_problem(name, multiline=False)
    if problem:
        raise Refused(problem, "name")
    wanted = set(scopes)
    if not wanted:
        raise Refused("Choose at least one scope.", "scopes")
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise Refused(f"Unknown scope: {', '.join(unknown)}.", "scopes")
    beyond = sorted(wanted - allowed_scopes(user))
    if beyond:
        raise Refused(
            f"Your roles do not allow the scope {', '.join(beyond)}: a token can do only what "
            "you can do yourself.",
            "scopes",
        )
    expires_at = None
    if expires_on is not None:
        if expires_on < (today or utcnow().date()):
            raise Refused("The expiry date is in the past.", "expires_on")
        expires_at = datetime.combine(expires_on + timedelta(days=1), time(), program_zone(None))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_hash(secret),
        hint=secret[: len(TOKEN_PREFIX) + 4],
        scopes=" ".join(sorted(wanted)),
        expires_at=expires_at,
    )
    added("api_token.created", token, subject_user_id=user.id)
    return NewToken(token, secret)


def user_tokens(user_id: int) -> list[ApiToken]:
    """The person's tokens that are not revoked, newest first (expired ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke the person's own token `token_id`; refused when it is not theirs or already
    revoked (so another person's token looks like no token at all)."""
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        raise Refused("No such token (it may be revoked already).")
    changed("api_token.revoked", token, {"revoked_at": utcnow()}, subject_user_id=user.id)
    return token


def caller_for(secret: str | None) -> Caller | None:
    """The caller a bearer secret speaks for: None when it matches no live token or its owner
    is deactivated. `last_used_at` is written at most once a minute."""
    if not secret or len(secret) > SECRET_MAX or not secret.startswith(TOKEN_PREFIX):
        return None
    now = utcnow()
    row = db.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if not token.live(now) or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        # As the sign-in session's last-seen time: the read ends first, and the write commits
        # on its own, before any of the request's own work starts.
        token_id = token.id
        db.session.commit()
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    return Caller(user, token, effective_scopes(user, token.scopes.split()))
