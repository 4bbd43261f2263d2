"""Declared access rules: every view says who may reach it; anything undeclared is refused.

Rules are small composable checks (`Anyone`, `SignedIn`, `HasRole("staff")`, `AnyOf(...)`).
A view declares one with `@allow(rule)`; `enforce_access` runs before every request and refuses
a route that declared nothing, so a forgotten rule fails closed and the route-rule test catches it.
Object-level checks (whose record is this?) live in the services and queries, not here.
`Sessionless` routes (static files, the health check) are for anyone and never load the user;
`WithToken` routes (a calendar feed) are too, and the view checks the secret token in the address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort
from flask import current_app
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

ROLES = ("trainee", "supervisor", "staff", "admin")
ACCESS_ATTRIBUTE = "__access_rule__"
# Endpoints registered by Flask and extensions: static files only.
PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
# The JSON API: a refused anonymous request is a 401 there, never a redirect to the sign-in page.
API_PREFIX = "/api/"


class Rule:
    """A check on the current user; `describe()` names it for the route table."""

    def allows(self, user: Any) -> bool:
        """Return True when `user` may reach the route."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short name for listings."""
        return type(self).__name__


@dataclass(frozen=True)
class _Anyone(Rule):
    def allows(self, user: Any) -> bool:
        return True

    def describe(self) -> str:
        return "anyone"


@dataclass(frozen=True)
class _AnonymousOnly(_Anyone):
    """Pages for signed-out visitors (sign-in, registration); signed-in users may see them too,
    so the check is Anyone's: only the name differs, for the route table."""

    def describe(self) -> str:
        return "anonymous"


@dataclass(frozen=True)
class _Sessionless(_Anyone):
    """Routes that answer without reading who is signed in (static files, the health check):
    they need nobody's account, and must answer even when the database does not."""

    def describe(self) -> str:
        return "anyone (session not read)"


@dataclass(frozen=True)
class _WithToken(_Sessionless):
    """Public routes whose address carries a secret token (a calendar feed): anyone holding
    the address may fetch it, without a session (a calendar client has none); the view finds
    the token's owner, and answers 404 for any token it does not know."""

    def describe(self) -> str:
        return "anyone with the address's token (session not read)"


@dataclass(frozen=True)
class _SignedIn(Rule):
    def allows(self, user: Any) -> bool:
        return bool(user.is_authenticated)

    def describe(self) -> str:
        return "signed-in"


@dataclass(frozen=True)
class HasRole(Rule):
    """The signed-in user holds `role`."""

    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role}")

    def allows(self, user: Any) -> bool:
        return bool(user.is_authenticated) and user.has_role(self.role)

    def describe(self) -> str:
        return self.role


@dataclass(frozen=True)
class AnyOf(Rule):
    """Any one of the rules allows."""

    rules: tuple[Rule, ...]

    def allows(self, user: Any) -> bool:
        return any(rule.allows(user) for rule in self.rules)

    def describe(self) -> str:
        return " or ".join(rule.describe() for rule in self.rules)


Anyone = _Anyone()
Anonymous = _AnonymousOnly()
Sessionless = _Sessionless()
WithToken = _WithToken()
SignedIn = _SignedIn()
Trainee = HasRole("trainee")
Supervisor = HasRole("supervisor")
Staff = HasRole("staff")
Admin = HasRole("admin")
SupervisorOrStaff = AnyOf((Supervisor, Staff))


def allow(rule: Rule) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare who may reach a view."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view

    return decorate


def rule_for(endpoint: str) -> Rule | None:
    """The declared rule of an endpoint, or None when it declared none."""
    if endpoint in PUBLIC_ENDPOINTS:
        return Sessionless
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def enforce_access() -> Any:
    """Refuse the request unless the endpoint's declared rule allows the current user."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 / 405 are answered by Flask itself
    rule = rule_for(endpoint)
    if rule is None:
        current_app.logger.error("route %s has no declared access rule; refused", endpoint)
        abort(403)
    if isinstance(rule, _Sessionless):
        return None
    # Load the user now, before any view code runs: the loader may commit the session's
    # last-seen refresh, which must never commit a view's unfinished work later on.
    user = current_user._get_current_object()
    if rule.allows(user):
        return None
    if not current_user.is_authenticated:
        current_app.logger.info("anonymous request to %s refused", endpoint)
        if request.method == "GET" and not request.path.startswith(API_PREFIX):
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        abort(401)
    current_app.logger.warning(
        "user %s refused at %s (needs %s)", current_user.get_user_id(), endpoint, rule.describe()
    )
    abort(403)
