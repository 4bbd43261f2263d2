"""The trainee record a supervisor (or staff) opens for one trainee, the trainee's transcripts
(generated through a POST, downloaded through a read-only GET) and the public check of a
transcript's verification code."""

from __future__ import annotations

import io

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy import select

from tracker.assessment.forms import domain_label
from tracker.assessment.models import RATING_LABELS
from tracker.certificates.queries import base_url
from tracker.core.flow import save
from tracker.core.forms import TrackerForm
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment_id
from tracker.enrollments.queries import loaded_enrollment
from tracker.enrollments.queries import withdrawn_enrollment_id
from tracker.extensions import limiter
from tracker.records import queries
from tracker.records import transcripts
from tracker.records.models import TranscriptRecord
from tracker.records.pdf import render_transcript
from tracker.reports.catalogue import pace_sentence
from tracker.reports.catalogue import standing_pace
from tracker.security.access import AnyOf
from tracker.security.access import Anyone
from tracker.security.access import Staff
from tracker.security.access import Supervisor
from tracker.security.access import SupervisorOrStaff
from tracker.security.access import Trainee
from tracker.security.access import allow
from tracker.signoffs.forms import SignForm
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import VERIFICATION_MEANING
from tracker.signoffs.queries import queue_view
from tracker.signoffs.queries import waiting_entries

bp = Blueprint("records", __name__)
TraineeSupervisorOrStaff = AnyOf((Trainee, Supervisor, Staff))


def _me():
    return current_user._get_current_object()


# -- the trainee record -------------------------------------------------------------------------


@bp.get("/signoffs/trainees/<int:enrollment_id>")
@allow(SupervisorOrStaff)
def trainee(enrollment_id: int):
    """One trainee's whole record for their supervisor (or staff): entries and sessions with
    status and signature, hours against the requirement, threads, evaluations and outstanding
    items, with their waiting entries ready to sign. Anyone else's trainee answers 404."""
    enrollment = loaded_enrollment(enrollment_id)
    if enrollment is None or not queries.may_open_record(_me(), enrollment):
        abort(404)
    record = queries.trainee_record(enrollment_id)
    if record is None:
        abort(404)
    chosen = request.args.get("select", "")[:10]
    view = queue_view(
        waiting_entries(_only(enrollment_id)), select="all" if chosen == "all" else None
    )
    waiting = [w for w in view.waiting if w.trainee_id != _me().id]
    pace = standing_pace(record.standing)
    return render_template(
        "records/trainee.html",
        pace=pace,
        pace_sentence=pace_sentence(pace, you=False) if pace is not None else "",
        record=record,
        view=view,
        waiting=waiting,
        form=SignForm(),
        back=f"record:{enrollment_id}",
        session_meaning=SESSION_MEANING,
        verification_meaning=VERIFICATION_MEANING,
        today=record.standing.today,
        # What the assessment's result macros name a competency domain and a rating with.
        domain_label=domain_label,
        rating_labels=RATING_LABELS,
    )


def _only(enrollment_id: int) -> Select:
    return select(Enrollment.id).where(Enrollment.id == enrollment_id)


# -- transcripts --------------------------------------------------------------------------------


def _transcript_enrollment_or_404(enrollment_id: int) -> Enrollment:
    enrollment = loaded_enrollment(enrollment_id)
    if enrollment is None or not queries.may_have_transcript(_me(), enrollment):
        abort(404)
    return enrollment


@bp.get("/transcripts/mine")
@allow(Trainee)
def mine():
    """The signed-in trainee's transcripts (of their current enrollment, else the withdrawn
    one)."""
    enrollment_id = current_enrollment_id(current_user.id) or withdrawn_enrollment_id(
        current_user.id
    )
    if enrollment_id is None:  # nothing to transcribe yet: the home page says where they stand
        return redirect(url_for("dashboard.trainee"))
    return redirect(url_for("records.transcripts_page", enrollment_id=enrollment_id))


@bp.get("/transcripts/enrollments/<int:enrollment_id>")
@allow(TraineeSupervisorOrStaff)
def transcripts_page(enrollment_id: int):
    """The enrollment's transcripts made so far, each to download, and the button that makes a
    new one of the record as it stands now."""
    enrollment = _transcript_enrollment_or_404(enrollment_id)
    return render_template(
        "records/transcripts.html",
        enrollment=enrollment,
        transcripts=transcripts.transcripts_of(enrollment_id),
        form=TrackerForm(),
        may_open_record=queries.may_open_record(_me(), enrollment),
    )


@bp.post("/transcripts/enrollments/<int:enrollment_id>/generate")
@allow(TraineeSupervisorOrStaff)
def generate(enrollment_id: int):
    """Make a new transcript record of the enrollment as it stands now; then download it."""
    _transcript_enrollment_or_404(enrollment_id)
    form = TrackerForm()
    page = save(
        form,
        lambda: transcripts.generate(enrollment_id, _me()),
        "Transcript generated: download it below. Its code is printed on every page.",
        lambda made: url_for("records.transcripts_page", enrollment_id=enrollment_id, made=made.id),
        refused_back=url_for("records.transcripts_page", enrollment_id=enrollment_id),
    )
    if form.csrf_token.errors:
        abort(400)
    return page or redirect(url_for("records.transcripts_page", enrollment_id=enrollment_id))


def _address(transcript: TranscriptRecord) -> str:
    return f"{base_url()}{url_for('records.verify', code=transcript.code)}"


@bp.get("/transcripts/<int:record_id>/transcript.pdf")
@allow(TraineeSupervisorOrStaff)
def download(record_id: int):
    """A stored transcript as a PDF attachment (drawn from its stored content: a read)."""
    found = transcripts.transcript(record_id)
    if found is None:
        abort(404)
    _transcript_enrollment_or_404(found.enrollment_id)
    content = render_transcript(found, _address(found))
    response = send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"transcript-{found.enrollment_id}-{found.id}.pdf",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- public verification --------------------------------------------------------------------------


def _public(body, status: int = 200):
    headers = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}
    return body, status, headers


@bp.get("/verify/transcripts/<code>")
@allow(Anyone)
@limiter.limit("60 per minute")
def verify(code: str):
    """The public check of a transcript's code: who generated it and when, what it states in
    summary, and whether the trainee's record still states the same today."""
    found = transcripts.by_code(code)
    if found is None:
        return _public(render_template("records/verify_missing.html"), 404)
    return _public(render_template("records/verify.html", result=transcripts.check(found)))


@bp.get("/verify/transcripts")
@allow(Anyone)
def verify_lookup():
    """The code typed into the verification page's transcript form: its check page."""
    code = request.args.get("code", "").strip()[:40]
    if not code:
        return redirect(url_for("certificates.lookup"))
    return redirect(url_for("records.verify", code=code))
