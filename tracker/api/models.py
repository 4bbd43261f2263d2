"""Personal access tokens: a person's named, scoped credentials for the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

TOKEN_NAME_MAX = 80
TOKEN_PREFIX = "kap_"  # noqa: S105 (the prefix that marks a token, not a secret)


class ApiToken(db.Model):
    """A personal access token. Only the SHA-256 of the secret is stored: the secret is shown
    once, when the token is created. `scopes` is a space-separated list (`tracker.api.scopes`)."""

    __tablename__ = "api_tokens"
    __audited__ = ("name", "scopes", "expires_at", "revoked_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown in the list so a person can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        """The granted scopes, in a stable order."""
        return sorted(self.scopes.split())

    def live(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
