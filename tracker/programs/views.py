"""Staff pages for programs, tracks, cohorts and requirement sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.flow import save
from tracker.core.transaction import discard
from tracker.enrollments.queries import pinned_counts
from tracker.programs import queries
from tracker.programs import services
from tracker.programs.forms import COUNTED_KINDS
from tracker.programs.forms import DOMAIN_LABELS
from tracker.programs.forms import POLICY_LABELS
from tracker.programs.forms import CohortForm
from tracker.programs.forms import ProgramForm
from tracker.programs.forms import RequirementSetForm
from tracker.programs.forms import TrackForm
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import DOCUMENT_LABELS
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.progress.requirements import RequirementError
from tracker.security.access import Staff
from tracker.security.access import allow

bp = Blueprint("programs", __name__, url_prefix="/programs")
navigation.register("Programs", "programs.index", Staff, order=80)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "dollars": services.format_dollars,
        "local_time": _local_time,
        "experiential_labels": EXPERIENTIAL_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "policy_labels": POLICY_LABELS,
        "domain_labels": DOMAIN_LABELS,
        "counted_kinds": COUNTED_KINDS,
    }


def _local_time(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return ""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _program_or_404(program_id: int) -> Program:
    program = queries.program(program_id)
    if program is None:
        abort(404)
    return program


def _track_or_404(track_id: int) -> Track:
    track = queries.track(track_id)
    if track is None:
        abort(404)
    return track


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = queries.cohort(cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _version_or_404(track: Track, number: int) -> RequirementSet:
    version = queries.version(track.id, number)
    if version is None:
        abort(404)
    return version


# -- programs ---------------------------------------------------------------------------------


@bp.get("/")
@allow(Staff)
def index():
    """Every program with its tracks and cohorts."""
    return render_template("programs/index.html", programs=queries.programs_overview())


@bp.route("/new", methods=["GET", "POST"])
@allow(Staff)
def new_program():
    """Create a program."""
    form = ProgramForm()
    return _form_page(
        form,
        "program",
        None,
        None,
        lambda: services.create_program(*form.values(), current_user),
        lambda program: f"Program {program.name} created.",
        lambda program: url_for("programs.program_detail", program_id=program.id),
    )


@bp.get("/<int:program_id>")
@allow(Staff)
def program_detail(program_id: int):
    """A program with its tracks (format, tuition, current requirements) and cohorts."""
    program = _program_or_404(program_id)
    return render_template("programs/program_detail.html", program=program)


@bp.route("/<int:program_id>/edit", methods=["GET", "POST"])
@allow(Staff)
def edit_program(program_id: int):
    """Edit a program's name, description and time zone."""
    program = _program_or_404(program_id)
    form = ProgramForm(obj=program if request.method == "GET" else None)
    return _form_page(
        form,
        "program",
        program,
        program,
        lambda: services.update_program(program, *form.values(), current_user),
        "Program saved.",
    )


# -- tracks -----------------------------------------------------------------------------------


@bp.route("/<int:program_id>/tracks/new", methods=["GET", "POST"])
@allow(Staff)
def new_track(program_id: int):
    """Add a track; it starts with the format's default requirements as version 1."""
    program = _program_or_404(program_id)
    form = TrackForm()
    return _form_page(
        form,
        "track",
        None,
        program,
        lambda: services.add_track(program, *form.values(), current_user),
        lambda track: f"Track {track.name} added with the default requirements.",
    )


@bp.route("/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@allow(Staff)
def edit_track(track_id: int):
    """Edit a track's name, format, tuition and description."""
    track = _track_or_404(track_id)
    form = TrackForm(data=TrackForm.initial(track) if request.method == "GET" else None)
    return _form_page(
        form,
        "track",
        track,
        track.program,
        lambda: services.update_track(track, *form.values(), current_user),
        "Track saved.",
    )


# -- cohorts ----------------------------------------------------------------------------------


@bp.route("/<int:program_id>/cohorts/new", methods=["GET", "POST"])
@allow(Staff)
def new_cohort(program_id: int):
    """Add a cohort with its start and end dates."""
    program = _program_or_404(program_id)
    form = CohortForm()
    return _form_page(
        form,
        "cohort",
        None,
        program,
        lambda: services.add_cohort(program, *form.values(), current_user),
        lambda cohort: f"Cohort {cohort.name} added.",
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@allow(Staff)
def edit_cohort(cohort_id: int):
    """Edit a cohort's name and dates."""
    cohort = _cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort if request.method == "GET" else None)
    return _form_page(
        form,
        "cohort",
        cohort,
        cohort.program,
        lambda: services.update_cohort(cohort, *form.values(), current_user),
        "Cohort saved.",
    )


def _form_page(
    form: ProgramForm | TrackForm | CohortForm,
    noun: str,
    record: Program | Track | Cohort | None,
    program: Program | None,
    action: Callable[[], Any],
    done: str | Callable[[Any], str],
    then: Callable[[Any], str] | None = None,
):
    """Save a program, track or cohort (`record`, None when new) through `action`, then go to
    `then` (default: its program's page); or show the one form page of the three."""
    back = (
        url_for("programs.program_detail", program_id=program.id)
        if program is not None
        else url_for("programs.index")
    )
    return save(form, action, done, then or back) or render_template(
        "programs/record_form.html",
        form=form,
        noun=noun,
        record=record,
        program=program,
        back=back,
    )


# -- requirement sets -------------------------------------------------------------------------


@bp.get("/tracks/<int:track_id>/requirements")
@allow(Staff)
def requirements(track_id: int):
    """The track's current requirement set and the history of its versions."""
    track = _track_or_404(track_id)
    history = queries.version_history(track.id)
    return render_template(
        "programs/requirements.html",
        track=track,
        program=track.program,
        current=history[0][0] if history else None,
        history=history,
        pinned=pinned_counts(track.id),
    )


@bp.get("/tracks/<int:track_id>/requirements/<int:number>")
@allow(Staff)
def requirement_version(track_id: int, number: int):
    """One version of the track's requirement set, in full."""
    track = _track_or_404(track_id)
    version = _version_or_404(track, number)
    return render_template(
        "programs/requirement_version.html",
        track=track,
        program=track.program,
        version=version,
        spec=version.spec,
        is_current=track.current_requirements is version,
    )


@bp.get("/tracks/<int:track_id>/requirements/<int:number>/download")
@allow(Staff)
def download_requirements(track_id: int, number: int):
    """One version as a TOML file."""
    track = _track_or_404(track_id)
    version = _version_or_404(track, number)
    filename = f"requirements-track{track.id}-v{version.version}.toml"
    return Response(
        services.export_toml(version),
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/tracks/<int:track_id>/requirements/edit", methods=["GET", "POST"])
@allow(Staff)
def edit_requirements(track_id: int):
    """Edit every field of the requirement set; saving stores a new version with a note."""
    track = _track_or_404(track_id)
    current = track.current_requirements
    if current is None:
        abort(404)
    if request.method == "GET":
        form = RequirementSetForm(data=RequirementSetForm.initial(current.spec, current.version))
    else:
        form = RequirementSetForm()
    if form.validate_on_submit():
        if form.base_version.data != str(current.version):
            form.general_errors.append(
                f"Version {current.version} was saved while you were editing, so your changes "
                "were not saved. Open the editor again to start from it."
            )
        else:
            try:
                saved = services.new_requirement_version(
                    track, form.requirement_data(), form.note.data, current_user
                )
            except (RequirementError, Refused) as error:
                discard()
                form.attach_error(error.field, error.message)
            else:
                if saved.version == current.version:
                    flash(f"Nothing changed: version {current.version} is still current.", "info")
                else:
                    flash(f"Version {saved.version} saved.", "success")
                return redirect(url_for("programs.requirements", track_id=track.id))
    form.add_blank_rows()
    return render_template(
        "programs/requirements_form.html",
        form=form,
        track=track,
        program=track.program,
        current=current,
    )
