"""What the trainee's logging pages (training's and supervision's) share: the page shown while
logging is closed, and a service's refusal shown on its form."""

from __future__ import annotations

from flask import flash, render_template, request

from tracker.enrollments.models import Enrollment
from tracker.training import services


def closed_page(enrollment: Enrollment | None, what: str = "training"):
    """Explain that logging opens after admission; a refused POST answers 403."""
    status = 200 if request.method == "GET" else 403
    return (
        render_template("training/closed.html", enrollment=enrollment, what=what),
        status,
    )


def attach_error(form, error: services.TrainingError) -> None:
    """Show a service's refusal next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")
