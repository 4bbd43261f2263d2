"""Home pages: the trainee's nine steps and to-do list."""

from __future__ import annotations

import os

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask import send_file
from flask_login import current_user

from tracker.audit.services import record
from tracker.core import navigation
from tracker.core.csvexport import iter_csv
from tracker.dashboard.actions import step_link
from tracker.dashboard.actions import trainee_link
from tracker.dashboard.cohort import ACTOR_LABELS
from tracker.dashboard.cohort import ACTORS
from tracker.dashboard.cohort import ENROLLMENT_STATUS_LABELS
from tracker.dashboard.cohort import SORTS
from tracker.dashboard.cohort import STEP_STATUS_LABELS
from tracker.dashboard.cohort import STEP_STATUSES
from tracker.dashboard.cohort import CohortFilters
from tracker.dashboard.cohort import cohort_rows
from tracker.dashboard.cohort import matching
from tracker.dashboard.cohort import page_rows
from tracker.dashboard.cohort import state_counts
from tracker.dashboard.lines import cohort_lines
from tracker.dashboard.queries import filter_options
from tracker.enrollments.models import ENROLLMENT_STATUSES
from tracker.enrollments.queries import current_enrollment_id
from tracker.enrollments.queries import withdrawn_enrollment_id
from tracker.privacy.export import build_zip
from tracker.progress import ITEM_CODES
from tracker.progress import Actor
from tracker.progress import Severity
from tracker.progress.life_rules import LIFE_STATE_LABELS
from tracker.reports.catalogue import pace_sentence
from tracker.reports.catalogue import standing_pace
from tracker.security.access import Staff
from tracker.security.access import Trainee
from tracker.security.access import allow
from tracker.standing import assess_one

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
navigation.register("My progress", "dashboard.trainee", Trainee, order=5)
navigation.register("Cohort", "dashboard.cohort", Staff, order=60)
PER_PAGE = 50

ACTOR_HEADINGS = (
    (Actor.TRAINEE, "Waiting on you"),
    (Actor.SUPERVISOR, "Waiting on your supervisor"),
    (Actor.STAFF, "Waiting on program staff"),
)
SEVERITY_ORDER = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


@bp.get("/trainee")
@allow(Trainee)
def trainee():
    """The nine steps with progress, the outstanding items by who must act, next actions."""
    enrollment_id = current_enrollment_id(current_user.id) or withdrawn_enrollment_id(
        current_user.id
    )
    loaded = assess_one(enrollment_id)
    if loaded is None or loaded.progress is None:
        return render_template("dashboard/trainee_start.html", loaded=loaded)
    today = loaded.today
    progress = loaded.progress
    items = sorted(
        progress.current_items,
        key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), i.due_on or today, int(i.step)),
    )
    groups = [
        (heading, [i for i in items if i.actor == actor]) for actor, heading in ACTOR_HEADINGS
    ]
    # The leave and the withdrawal show as a banner of their own, not as something to do.
    shown_apart = ("leave.current", "enrollment.withdrawn")
    next_actions = [
        (i, trainee_link(i))
        for i in items
        if i.actor == Actor.TRAINEE and i.code not in shown_apart
    ][:5]
    pace = standing_pace(loaded)
    return render_template(
        "dashboard/trainee.html",
        pace=pace,
        pace_sentence=pace_sentence(pace) if pace is not None else "",
        loaded=loaded,
        progress=progress,
        groups=groups,
        next_actions=next_actions,
        upcoming=progress.upcoming_items,
        today=today,
        step_link=step_link,
    )


@bp.post("/export.zip")
@allow(Trainee)
def export():
    """Everything the tracker holds about the signed-in trainee, as one ZIP download (streamed
    from a temporary file that is gone once the response is closed)."""
    user = current_user._get_current_object()
    archive = build_zip(user)
    record("privacy.exported", user, subject_user_id=user.id)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name="my-kap-tracker-data.zip",
        max_age=0,
    )
    response.content_length = os.fstat(archive.fileno()).st_size  # a progress bar for the browser
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _choice_arg(name: str, allowed) -> str | None:
    value = request.args.get(name, "").strip()
    return value if value in allowed else None


def _cohort_filters() -> CohortFilters:
    step = _int_arg("step")
    return CohortFilters(
        program_id=_int_arg("program"),
        cohort_id=_int_arg("cohort"),
        status=_choice_arg("status", ENROLLMENT_STATUSES),
        state=_choice_arg("state", LIFE_STATE_LABELS),
        supervisor_id=_int_arg("supervisor"),
        step=step if step is not None and 1 <= step <= 9 else None,
        step_status=_choice_arg("step_status", STEP_STATUSES),
        item_code=_choice_arg("code", ITEM_CODES),
        actor=_choice_arg("actor", ACTORS),
        sort=_choice_arg("sort", SORTS) or "name",
        text=(request.args.get("q") or "").strip()[:100],
    )


def item_code_labels() -> dict[str, str]:
    """Every item code with what people read for it (its catalogue description), by label."""
    labels = {code: entry.description.rstrip(".") for code, entry in ITEM_CODES.items()}
    return dict(sorted(labels.items(), key=lambda pair: pair[1].lower()))


@bp.get("/cohort")
@allow(Staff)
def cohort():
    """Every enrollment with its nine statuses, blocking items and next due date."""
    filters = _cohort_filters()
    figures = state_counts(filters)
    total = matching(figures, filters)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    # Past the end (the list shrank, or a hand-made URL): the last page.
    page = min(max(_int_arg("page") or 1, 1), pages)
    rows = page_rows(filters, page, PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and len(v) < 60}
    return render_template(
        "dashboard/cohort.html",
        rows=cohort_lines(rows, _review_endpoint()),
        any_updating=any(row.updating for row in rows),
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=args,
        options=filter_options(),
        sorts=SORTS,
        step_statuses=STEP_STATUS_LABELS,
        actors=ACTOR_LABELS,
        statuses=ENROLLMENT_STATUS_LABELS,
        state_labels=LIFE_STATE_LABELS,
        figures=figures,
        item_codes=item_code_labels(),
    )


def _review_endpoint() -> str | None:
    endpoint = "admissions.review"
    return endpoint if endpoint in current_app.view_functions else None


@bp.get("/cohort.csv")
@allow(Staff)
def cohort_csv():
    """The filtered cohort as CSV (cells that could start a formula are neutralised)."""
    rows = cohort_rows(_cohort_filters())
    header = ["enrollment", "trainee", "email", "program", "track", "cohort", "status"]
    header += ["status label", "state", "state label"]
    header += [f"step {n}" for n in range(1, 10)]
    # "updating": the row changed since the last refresh; its figures are computed now, but it
    # was filtered and sorted on the stored ones. The codes stay beside their labels, for
    # spreadsheets that filter on them.
    header += ["blocking items", "next due", "item codes", "items", "updating"]
    labels = item_code_labels()
    body = (
        [
            row.id,
            row.trainee_name,
            row.trainee_email,
            row.program_name,
            row.track_name or "",
            row.cohort_name or "",
            row.status,
            ENROLLMENT_STATUS_LABELS.get(row.status, row.status),
            row.state,
            LIFE_STATE_LABELS.get(row.state, row.state),
            *(row.steps or [""] * 9),
            row.blocking,
            row.next_due_on.isoformat() if row.next_due_on else "",
            " ".join(row.codes),
            "; ".join(labels.get(code, code) for code in row.codes),
            "yes" if row.updating else "",
        ]
        for row in rows
    )
    # No request context needed while streaming (the rows have a connection of their own), so
    # none is kept: a download dropped unread no longer pops a context out of order.
    return Response(
        iter_csv(header, body),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="cohort.csv"'},
    )
