"""One transaction per request: views and services never commit; the request commits once
when it succeeded and rolls back on any error, and a refused action keeps nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask import Response
from flask import flash
from flask import g
from flask_wtf import FlaskForm

from tracker.core.errors import Refused
from tracker.extensions import db


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the request's work has committed; a request that rolls back never
    runs it. (Not for e-mail or other slow work: queue a job, `tracker.jobs.services.enqueue`.)"""
    g.setdefault("after_commit", []).append(callback)


def discard() -> None:
    """Undo what this request has written so far (a refused action re-shows its form)."""
    db.session.rollback()
    g.pop("after_commit", None)


def _end(response: Response) -> Response:
    # A redirect or page is a success: keep its work. An error page keeps nothing, whether a
    # view aborted or a handler turned an exception into it.
    if response.status_code >= 400:
        discard()
        return response
    db.session.commit()
    for callback in g.pop("after_commit", ()):
        callback()
    return response


def register(app: Flask) -> None:
    """Commit or roll back at the end of each request of `app`."""
    app.after_request(_end)


def refuse(error: Refused, form: FlaskForm | None = None) -> bool:
    """Undo the request's writes and show a refusal beside the form field it names (True), or
    at the top of the page (False)."""
    discard()
    field = form._fields.get(error.field) if form is not None and error.field else None
    if field is None:
        flash(error.message, "danger")
        return False
    field.errors = [*field.errors, error.message]
    return True
