"""What the trainee's logging pages (training's and supervision's) share: the page shown while
logging is closed, and the answer to a refusal because it is closed or the record became
read-only."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request

from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.training import services


def closed_page(enrollment: Enrollment | None, what: str = "training"):
    """Explain that logging opens after admission; a refused POST answers 403."""
    status = 200 if request.method == "GET" else 403
    return (
        render_template("training/closed.html", enrollment=enrollment, what=what),
        status,
    )


def when_closed(enrollment: Enrollment | None, what: str = "training", back: str | None = None):
    """Answer a refusal because logging is closed with the page that explains it; given `back`,
    answer one because the record became read-only meanwhile (signed or verified while the
    trainee was editing) by going back there with the message, not by offering the form again."""

    def page(error: Refused):
        if isinstance(error, services.LoggingClosed):
            return closed_page(enrollment, what)
        if back is not None and isinstance(error, services.ReadOnly):
            flash(error.message, "danger")
            return redirect(back)
        return None

    return page
