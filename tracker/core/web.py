"""Request-wide wiring: request ids, access enforcement, headers, error pages, the health check
and the home page that sends each person to their own to-do list. (The app factory gives
Flask-Login the accounts' user loader: core sits below the accounts and never imports them.)"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

from tracker.core import navigation
from tracker.core import transaction
from tracker.extensions import db
from tracker.extensions import login_manager
from tracker.security.access import Anyone
from tracker.security.access import Sessionless
from tracker.security.access import SignedIn
from tracker.security.access import allow
from tracker.security.access import enforce_access
from tracker.security.headers import add_security_headers

bp = Blueprint("core", __name__)
# An incoming X-Request-ID is kept (for tracing across a proxy) when it is plain: letters,
# digits and '-', 8 to 200 of them, cut to what the audit trail's request_id column holds.
# Anything else gets an id of our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9\-]{8,200}")
REQUEST_ID_MAX = 40
ID_MAX = 2**31 - 1  # the largest id an integer primary key holds (PostgreSQL)
ERROR_TITLES = {
    400: "The request could not be understood",
    401: "Please sign in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This action is not allowed here",
    413: "The upload is too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "The tracker is briefly unavailable",
}
# The database not answering (down, restarting, a full connection pool, SQLite locked by a long
# write): a temporary state, answered 503 with Retry-After, not the 500 of a fault in the code.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


@bp.get("/")
@allow(Anyone)
def index():
    """Send a signed-in person to their home page, anyone else to sign-in."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(url_for("core.home"))


@bp.get("/home")
@allow(SignedIn)
def home():
    """Each person's own to-do list: staff the cohort, a trainee their progress; several roles
    without one of those see links to each of their pages."""
    if current_user.is_staff:
        return redirect(url_for("dashboard.cohort"))
    if current_user.is_trainee and not current_user.is_supervisor:
        return redirect(url_for("dashboard.trainee"))
    if current_user.is_supervisor and not (current_user.is_trainee or current_user.is_staff):
        return redirect(url_for("signoffs.queue"))
    return render_template("core/home.html")


@bp.get("/healthz")
@allow(Sessionless)
def healthz():
    """200 when the app and its database answer, 503 when the database does not. The session
    is not read, so the answer is the same with or without a sign-in cookie."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    plain = _REQUEST_ID.fullmatch(incoming)
    g.request_id = incoming[:REQUEST_ID_MAX] if plain else uuid.uuid4().hex


def _finish(response):
    if "request_id" not in g:  # refused before our hook ran (a missing CSRF token, say)
        _assign_request_id()
    response.headers["X-Request-ID"] = g.request_id
    return add_security_headers(response)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render_error(error: HTTPException):
    code = error.code or 500
    g.error_page = True
    if _wants_json():
        return jsonify(error=ERROR_TITLES.get(code, error.name)), code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, error.name),
            description=error.description if code in (400, 413, 429) else None,
        ),
        code,
    )


def _handle_unexpected(error: Exception):
    incident = uuid.uuid4().hex[:12]
    current_app.logger.exception(
        "incident %s (request %s): unhandled error", incident, g.get("request_id")
    )
    g.error_page = True
    with contextlib.suppress(Exception):  # the database may be what failed
        db.session.rollback()
    code = 503 if isinstance(error, UNAVAILABLE) else 500
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    if _wants_json():
        return jsonify(error=ERROR_TITLES[code], incident=incident), code, headers
    page = render_template("errors/500.html", incident=incident, unavailable=code == 503)
    return page, code, headers


def _shutdown_session(_exc: BaseException | None = None) -> None:
    db.session.remove()


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number from 1 to 2**31 - 1 (PostgreSQL's integer),
    so an id that no row can have answers 404 on every database, never an overflow (500)."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int = 1, max: int = ID_MAX, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_core(app: Flask) -> None:
    """Attach the request hooks, error handlers, sign-in settings and core routes to `app`
    (first, so that every route's `int` is the bounded `IdConverter`)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_assign_request_id)
    app.before_request(enforce_access)
    app.after_request(_finish)
    transaction.register(app)  # runs before _finish: after_request hooks run last-in first
    app.register_error_handler(HTTPException, _render_error)
    app.register_error_handler(Exception, _handle_unexpected)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = None  # server-side sessions replace Flask-Login's check
    app.register_blueprint(bp)

    @app.template_filter("zip_self")
    def _zip_self(values):
        """Pairs (value, value) for select options whose label is the value."""
        return [(v, v) for v in values]

    @app.context_processor
    def _navigation() -> dict[str, object]:
        # `current_user` stays lazy (Flask-Login's own processor, which loads the user for every
        # template, is off): an error page must render whether or not the database answers.
        badges: dict[str, int] = {}
        if g.get("error_page"):
            person = _person_in_memory()
            links = navigation.links_for(person) if person is not None else []
        else:
            person = current_user if current_user.is_authenticated else None
            links = navigation.links_for(current_user)
            badges = navigation.badges_for(current_user, links)
        return {
            "current_user": current_user,
            "nav_user": person,
            "nav_items": links,
            "nav_badges": badges,
        }


def _person_in_memory() -> Any:
    """The signed-in person when already loaded for this request and still in memory, else
    None: an error page never queries the database for the navigation (it may be what failed,
    and an unrouted URL never loaded anyone)."""
    person = g.get("_login_user")  # Flask-Login's per-request cache, set once loaded
    state = sa_inspect(person, raiseerr=False) if person is not None else None
    if state is None or state.expired_attributes:  # anonymous, or expired by a rollback
        return None
    return person


navigation.register("Home", "core.home", SignedIn, order=0)
