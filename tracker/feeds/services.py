"""Making, regenerating and revoking a person's calendar feed, and finding a feed's owner by
the token in its address. Only the token's SHA-256 is stored: the address is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.feeds.models import CalendarFeed

# token_urlsafe(32): 43 characters of [A-Za-z0-9_-]. Anything else is no token of ours.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    """The feed's address under PUBLIC_BASE_URL."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/calendar/{token}.ics"


def feed_of(user: User) -> CalendarFeed | None:
    """The person's feed, or None when they have none (never made, or revoked)."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def make_feed(user: User) -> str:
    """Give the person a feed with a new secret token, replacing the old one (whose address
    stops working at once); returns the token, which is not stored and is shown this once."""
    token = secrets.token_urlsafe(32)
    existing = feed_of(user)
    if existing is None:
        feed = CalendarFeed(user_id=user.id, token_hash=token_hash(token), created_at=utcnow())
        added("calendar_feed.created", feed, actor_id=user.id, subject_user_id=user.id)
    else:
        changed(
            "calendar_feed.regenerated",
            existing,
            {"token_hash": token_hash(token), "created_at": utcnow()},
            actor_id=user.id,
            subject_user_id=user.id,
        )
    return token


def revoke_feed(user: User) -> None:
    """Delete the person's feed: its address answers 404 from now on."""
    feed = feed_of(user)
    if feed is None:
        raise Refused("You have no calendar feed to revoke.")
    deleted("calendar_feed.revoked", feed, actor_id=user.id, subject_user_id=user.id)


def owner_of(token: str) -> User | None:
    """The active person whose feed the token opens, or None (unknown, revoked, malformed, or
    the account is deactivated). Reads only."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    user = db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == token_hash(token))
    )
    if user is None or not user.active:
        return None
    return user
