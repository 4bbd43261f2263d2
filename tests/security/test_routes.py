"""Every route declares who may reach it, and the declared rule is what the app enforces: a
matrix of every route in the URL map against every persona (new routes join automatically)."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.routing import AnyConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Rule as UrlRule
from werkzeug.routing import UUIDConverter

from config import TestingConfig
from tests.conftest import csrf_token
from tests.security.conftest import PERSONAS
from tracker import create_app
from tracker.api.scopes import allowed_scopes
from tracker.api.services import create_token
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.security.access import PUBLIC_ENDPOINTS
from tracker.security.access import Anyone
from tracker.security.access import Rule
from tracker.security.access import Sessionless
from tracker.security.access import allow
from tracker.security.access import rule_for


def is_static(endpoint: str) -> bool:
    """Flask's and extensions' static-file endpoints: the only routes left out of the matrix."""
    return endpoint == "static" or endpoint.endswith(".static")


@dataclass(frozen=True)
class Route:
    """One URL rule of the app, as listed at collection time."""

    endpoint: str
    rule: str
    methods: frozenset[str]

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.endpoint}:{self.method}"

    @property
    def method(self) -> str:
        """GET where the route has it, otherwise its state-changing method (POST first)."""
        if "GET" in self.methods:
            return "GET"
        changing = sorted(self.methods - {"HEAD", "OPTIONS"})
        return "POST" if "POST" in changing else changing[0]


def _listed_routes() -> list[Route]:
    """Every non-static route of an app built only to read its URL map."""
    with tempfile.TemporaryDirectory() as instance:
        listing = create_app(
            TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": instance}
        )
        routes = [
            Route(rule.endpoint, rule.rule, frozenset(rule.methods or ()))
            for rule in listing.url_map.iter_rules()
            if not is_static(rule.endpoint)
        ]
        with listing.app_context():
            db.engine.dispose()
    return sorted(routes, key=lambda route: (route.endpoint, route.rule))


ROUTES = _listed_routes()


def _dummy(converter: object) -> object:
    if isinstance(converter, IntegerConverter):
        return 999999
    if isinstance(converter, FloatConverter):
        return 999999.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=999999)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]  # "x" is not one of its words
    return "x"


def _url_rule(app: Flask, route: Route) -> UrlRule:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == route.endpoint and rule.rule == route.rule:
            return rule
    raise AssertionError(f"{route.rule} is not in the app's URL map")


def _path(rule: UrlRule) -> str:
    """The rule's URL with a dummy value for each argument (ints 999999, strings "x")."""
    values = {name: _dummy(rule._converters.get(name)) for name in rule.arguments}
    values.update(rule.defaults or {})
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule}"
    return built[1]


def test_routes_were_found():
    endpoints = {route.endpoint for route in ROUTES}
    assert {"accounts.login", "core.home", "admin.users", "core.healthz"} <= endpoints


def test_every_route_declares_an_access_rule(app):
    undeclared = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not is_static(rule.endpoint) and not isinstance(rule_for(rule.endpoint), Rule)
    )
    assert undeclared == [], f"routes without @allow(...): {undeclared}"


def test_static_files_are_the_only_exceptions(app):
    """Only static files skip the declaration (they are public by nature, and answer without
    reading the session)."""
    assert all(is_static(endpoint) for endpoint in PUBLIC_ENDPOINTS)
    for endpoint in PUBLIC_ENDPOINTS:
        assert rule_for(endpoint) is Sessionless


def test_a_route_without_a_rule_is_refused(make_app, caplog):
    app = make_app()

    @app.get("/undeclared")
    def undeclared():
        return "should never be served"

    @app.get("/declared")
    @allow(Anyone)
    def declared():
        return "served"

    client = app.test_client()
    with app.app_context():
        assert rule_for("undeclared") is None
    assert client.get("/undeclared").status_code == 403
    assert client.get("/declared").status_code == 200
    assert "route undeclared has no declared access rule" in caplog.text


def _is_api(route: Route) -> bool:
    return route.rule.startswith("/api/")


def _request(client, route: Route, path: str, api_token: str | None = None):
    if _is_api(route):
        # The API reads no cookie: each persona calls it with a token holding every scope its
        # roles allow, and no CSRF token (it does not apply there).
        headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
        return client.open(path, method=route.method, json={}, headers=headers)
    if route.method == "GET":
        return client.get(path)
    token = csrf_token(client)
    return client.open(
        path, method=route.method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
    )


def _verdict(declared: Rule, persona: str, user, route: Route, response) -> str | None:
    """None when the response is what the declared rule promises, else what went wrong."""
    if user is not None and _is_api(route):
        user.api_scopes = allowed_scopes(user)
    allowed = declared.allows(user if user is not None else AnonymousUserMixin())
    status = response.status_code
    if not allowed and user is None and _is_api(route):
        return None if status == 401 else f"{persona}: expected 401, got {status}"
    if not allowed and user is None and route.method == "GET":
        location = urlsplit(response.headers.get("Location", "")).path
        if status == 302 and location == "/account/login":
            return None
        return f"{persona}: expected a redirect to sign-in, got {status} {location}"
    if not allowed and user is None:
        return None if status == 401 else f"{persona}: expected 401, got {status}"
    if not allowed:
        return None if status == 403 else f"{persona}: expected 403, got {status}"
    if status in (401, 403) or status >= 500:
        return f"{persona}: allowed by '{declared.describe()}' but got {status}"
    return None


def _audit_events() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_personas_are_who_they_claim(app, personas):
    for persona in PERSONAS:
        client = app.test_client()
        personas.sign_in(client, persona)
        response = client.get("/account/sessions")
        user = personas.user(persona)
        if user is None:
            assert response.status_code == 302
        else:
            assert response.status_code == 200
            assert user.full_name in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=[route.id for route in ROUTES])
def test_route_access_matrix(app, personas, route):
    """Each persona, signed in once on its own client, gets what the route's rule promises,
    and a GET changes nothing (no audit event)."""
    declared = rule_for(route.endpoint)
    assert declared is not None, f"{route.endpoint} declares no access rule"
    path = _path(_url_rule(app, route))
    problems = []
    for persona in PERSONAS:
        client = app.test_client()
        personas.sign_in(client, persona)
        user = personas.user(persona)
        api_token = None
        if user is not None and _is_api(route):
            api_token = create_token(user, "Every scope", allowed_scopes(user)).secret
            db.session.commit()
        events = _audit_events()
        response = _request(client, route, path, api_token)
        response.close()  # a sent file (a download, the export) stays open until then
        problem = _verdict(declared, persona, personas.user(persona), route, response)
        if problem:
            problems.append(problem)
        if route.method == "GET" and _audit_events() != events:
            problems.append(f"{persona}: a GET changed state")
    assert problems == [], f"{route.method} {path}: " + "; ".join(problems)
