"""Request-wide wiring: request ids, access enforcement, headers, error pages, the health check
and the home page that sends each person to their own to-do list. (The app factory gives
Flask-Login the accounts' user loader: core sits below the accounts and never imports them.)"""

from __future__ import annotations

import contextlib
import math
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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

from tracker.core import limits
from tracker.core import navigation
from tracker.core import transaction
from tracker.core.text import megabytes
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.extensions import login_manager
from tracker.security.access import API_PREFIX
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


PROBLEM_JSON = "application/problem+json"


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str, detail: str | None = None, **extra: Any):
    """An RFC 9457 problem details response (`application/problem+json`)."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _render_error(error: HTTPException):
    code = error.code or 500
    g.error_page = True
    if _is_api():
        response = problem(
            code, ERROR_TITLES.get(code, error.name), error.description if code != 500 else None
        )
        for name in ("Retry-After", "Allow"):
            value = error.get_response().headers.get(name)
            if value:
                response.headers[name] = value
        return response
    if code == 413:
        return _too_large()
    if code == 429:
        return _too_many()
    if _wants_json():
        return jsonify(error=ERROR_TITLES.get(code, error.name)), code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, error.name),
            description=error.description if code == 400 else None,
        ),
        code,
    )


def _way_back() -> str | None:
    """Where the person was: the page itself when it answers a GET (a form posted to its own
    address), else the page they came from on this site."""
    rule = request.url_rule
    if (
        rule is not None
        and "GET" in (rule.methods or ())
        and not rule.arguments - set(request.view_args or {})
    ):
        return request.full_path.rstrip("?") if request.method == "GET" else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def _too_large():
    """A body over MAX_CONTENT_LENGTH (files within it are cut short and refused by the form
    itself): the limits in words, and the way back to the form."""
    files = megabytes(current_app.config.get("UPLOAD_MAX_BYTES") or 0)
    body = megabytes(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    message = f"Files may be up to {files}; a form with its files may send up to {body} in all."
    if _wants_json():
        return jsonify(error=message), 413
    page = render_template(
        "errors/limit.html",
        code=413,
        title="The upload is too large",
        message=message,
        advice="Nothing was saved. Go back, choose a smaller file, and send the form again.",
        back=_way_back(),
    )
    return page, 413


def _too_many():
    """A rate limit reached: what was counted, the limit and when to try again, in words."""
    reset_at = getattr(limiter.current_limit, "reset_at", None)
    wait = max(1.0, reset_at - time.time()) if reset_at else 60.0
    noun = limits.counted(current_app.view_functions.get(request.endpoint or ""))
    message = f"Too many {noun}: try again in {limits.wait_in_words(wait)}."
    headers = {"Retry-After": str(math.ceil(wait))}
    if _wants_json():
        return jsonify(error=message), 429, headers
    page = render_template(
        "errors/limit.html",
        code=429,
        title=f"Too many {noun}",
        message=message,
        advice=_limit_advice(),
        back=_way_back(),
    )
    return page, 429, headers


def _limit_advice() -> str:
    limit = getattr(limiter.current_limit, "limit", None)
    if limit is None:
        return "Nothing was done this time."
    unit = limit.GRANULARITY.name
    window = unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"
    return f"The limit is {limit.amount} per {window}. Nothing was done this time."


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
    if _is_api():
        response = problem(code, ERROR_TITLES[code], incident=incident)
        response.headers.update(headers)
        return response
    if _wants_json():
        return jsonify(error=ERROR_TITLES[code], incident=incident), code, headers
    page = render_template("errors/500.html", incident=incident, unavailable=code == 503)
    return page, code, headers


def _shutdown_session(_exc: BaseException | None = None) -> None:
    db.session.remove()


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number from 1 to 2**31 - 1 (PostgreSQL's integer),
    so an id that no row can have answers 404 on every database, never an overflow (500).
    The pattern itself holds only 1 to 2**31 - 1: a number out of range matches no route, so a
    PUT to such an id is a 404 even where a GET shares the path (not a 405)."""

    regex = (
        r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
        r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

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


def addresses(endpoint: str, key: str = "enrollment_id", **values: Any) -> Callable[[int], str]:
    """`url_for(endpoint, **values, key=id)` for many ids (a list page links hundreds): the
    address is built once and each id put in its place."""
    marker = str(ID_MAX)
    head, found, tail = url_for(endpoint, **values, **{key: ID_MAX}).partition(marker)
    if not found or marker in tail:
        return lambda id_: url_for(endpoint, **values, **{key: id_})
    return lambda id_: f"{head}{int(id_)}{tail}"
