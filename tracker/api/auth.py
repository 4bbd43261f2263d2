"""How an API request says who it is: a personal access token in `Authorization: Bearer`,
and nothing else. A sign-in cookie is never read under /api/, so a page's session cannot be
borrowed by a cross-site request (which is why CSRF tokens do not apply there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Request
from flask import g
from flask import request

from tracker.accounts.services import load_session_user
from tracker.api.services import Caller
from tracker.api.services import caller_for
from tracker.security.access import API_PREFIX
from tracker.security.access import Rule

BEARER = "bearer "


def is_api_request() -> bool:
    """True for a request under /api/."""
    return request.path.startswith(API_PREFIX)


def session_user(token: str | None) -> Any:
    """Flask-Login's user loader: the sign-in session's user, except under /api/."""
    if is_api_request():
        return None
    return load_session_user(token)


def token_user(req: Request) -> Any:
    """Flask-Login's request loader: under /api/, the owner of the bearer token (with the
    scopes the token may use now, in `api_scopes`), or None."""
    if not req.path.startswith(API_PREFIX):
        return None
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith(BEARER):
        return None
    caller = caller_for(header[len(BEARER) :].strip())
    if caller is None:
        return None
    g.api_caller = caller
    caller.user.api_scopes = caller.scopes
    return caller.user


def current_caller() -> Caller | None:
    """The token behind this request, once the user was loaded."""
    return g.get("api_caller")


@dataclass(frozen=True)
class TokenScope(Rule):
    """An API route: a token whose owner's roles, now, allow `scope`, and which grants it (and,
    when `role` is given, an owner who holds that role: the supervisor's queue, the cohort)."""

    scope: str
    role: str | None = None

    def allows(self, user: Any) -> bool:
        """True when the request's token may use the scope."""
        return (
            bool(user.is_authenticated)
            and self.scope in getattr(user, "api_scopes", ())
            and (self.role is None or user.has_role(self.role))
        )

    def describe(self) -> str:
        """The scope's name, for the route table."""
        return f"token:{self.scope}" + (f" ({self.role})" if self.role else "")
