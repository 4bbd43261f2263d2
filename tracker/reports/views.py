"""The reports area for staff: a page per report with its summary, chart and table, the chart
as an SVG image and the table as CSV, all filtered by program, track, cohort and date range."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy import select

from tracker.core import navigation
from tracker.core.clock import today_in
from tracker.core.csvexport import iter_csv
from tracker.documents.access import may_see_trainee
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.reports.catalogue import REPORTS
from tracker.reports.catalogue import Built
from tracker.reports.catalogue import Report
from tracker.reports.catalogue import pace_chart
from tracker.reports.catalogue import standing_pace
from tracker.reports.pdf import program_report
from tracker.reports.queries import ReportFilters
from tracker.reports.queries import filter_choices
from tracker.reports.queries import updating
from tracker.security.access import SignedIn
from tracker.security.access import Staff
from tracker.security.access import allow
from tracker.standing import assess_one

bp = Blueprint("reports", __name__, url_prefix="/reports")
navigation.register("Reports", "reports.index", Staff, order=62)
EARLIEST = date(2000, 1, 1)
# The chart is a still image: its own styles, no script, nothing loaded from anywhere.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _id_arg(name: str, allowed: set[int], errors: list[str], label: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and len(raw) < 10 and int(raw) in allowed:
        return int(raw)
    errors.append(f"{label}: choose one from the list.")
    return None


def _date_arg(name: str, errors: list[str], label: str, today: date) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        errors.append(f"{label}: write the date as YYYY-MM-DD, for example {today.isoformat()}.")
    elif not EARLIEST <= value <= date(today.year + 1, 12, 31):
        errors.append(f"{label}: give a date between 2000 and next year.")
        value = None
    return value


def _filters() -> tuple[ReportFilters, list[str], dict, date]:
    """The filters of the query string, the messages about any that could not be used, the
    choices offered, and the program's today."""
    choices = filter_choices()
    errors: list[str] = []
    program_id = _id_arg("program", {i for i, _ in choices.programs}, errors, "Program")
    zone = None
    if program_id is not None:
        zone = db.session.scalar(select(Program.timezone).where(Program.id == program_id))
    today = today_in(zone or current_app.config.get("PROGRAM_TIMEZONE"))
    filters = ReportFilters(
        program_id=program_id,
        track_id=_id_arg("track", {i for i, _ in choices.tracks}, errors, "Track"),
        cohort_id=_id_arg("cohort", {i for i, _ in choices.cohorts}, errors, "Cohort"),
        since=_date_arg("since", errors, "From", today),
        until=_date_arg("until", errors, "To", today),
    )
    if filters.since and filters.until and filters.since > filters.until:
        errors.append("To: the end of the range comes before its start.")
        filters = ReportFilters(filters.program_id, filters.track_id, filters.cohort_id)
    return filters, errors, choices, today


def _report(key: str) -> Report:
    report = REPORTS.get(key)
    if report is None:
        abort(404)
    return report


def _built(key: str) -> tuple[Report, Built]:
    """The report of `key` (404 when unknown), built for the query string's filters (those that
    cannot be used are left out, as the page says)."""
    report = _report(key)
    filters, _errors, _choices, today = _filters()
    return report, report.build(filters, today, utcnow())


def _args() -> dict[str, str]:
    keys = ("program", "track", "cohort", "since", "until")
    return {k: v for k, v in request.args.items() if k in keys and v and len(v) <= 10}


@bp.get("/")
@allow(Staff)
def index():
    """The list of reports, with the filters they share."""
    filters, errors, choices, _today = _filters()
    return render_template(
        "reports/index.html",
        reports=REPORTS.values(),
        filters=filters,
        errors=errors,
        choices=choices,
        args=_args(),
    )


@bp.get("/<key>")
@allow(Staff)
def show(key: str):
    """One report: its summary, chart, table and notes."""
    report = _report(key)
    filters, errors, choices, today = _filters()
    built = report.build(filters, today, utcnow())
    return render_template(
        "reports/report.html",
        updating=updating(filters),
        report=report,
        reports=REPORTS.values(),
        built=built,
        filters=filters,
        errors=errors,
        choices=choices,
        args=_args(),
    )


@bp.get("/<key>.svg")
@allow(Staff)
def chart(key: str):
    """The report's chart as an SVG image."""
    response = Response(_built(key)[1].chart().svg(), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


@bp.get("/<key>.csv")
@allow(Staff)
def table_csv(key: str):
    """The report's table as CSV (cells that could start a formula are neutralised)."""
    report, built = _built(key)
    response = Response(iter_csv(built.header, built.rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="report-{report.key}.csv"'
    return response


@bp.get("/enrollments/<int:enrollment_id>/pace.svg")
@allow(SignedIn)
def enrollment_pace(enrollment_id: int):
    """One trainee's pace chart: for the trainee, their current supervisors and staff (anyone
    else: 404)."""
    standing = assess_one(enrollment_id)
    if standing is None or not may_see_trainee(current_user, standing.row.trainee_id):
        abort(404)
    pace = standing_pace(standing)
    if pace is None:
        abort(404)
    response = Response(pace_chart(pace).svg(), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


@bp.get("/cohorts/<int:cohort_id>/report.pdf")
@allow(Staff)
def cohort_pdf(cohort_id: int):
    """The printable program report of a cohort, for accreditors."""
    found = db.session.execute(
        select(Cohort.name, Program.name, Program.timezone)
        .join(Program, Program.id == Cohort.program_id)
        .where(Cohort.id == cohort_id)
    ).first()
    if found is None:
        abort(404)
    name, program, zone = found
    document = program_report(name, program, cohort_id, today_in(zone), utcnow())
    response = Response(document, mimetype="application/pdf")
    safe = "".join(c if c.isalnum() else "-" for c in name)[:60].strip("-") or "cohort"
    response.headers["Content-Disposition"] = f'attachment; filename="program-report-{safe}.pdf"'
    return response
