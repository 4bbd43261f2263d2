"""The trainee's pages for logging didactic hours, experiential activities and continuing
education, with totals against the requirement set."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.core import navigation
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.extensions import db
from tracker.programs.requirements import EXPERIENTIAL_KINDS, EXPERIENTIAL_LABELS
from tracker.security.access import Trainee, allow
from tracker.training import queries, services
from tracker.training.forms import (
    ConfirmForm,
    ContinuingEducationForm,
    DidacticForm,
    ExperientialForm,
)
from tracker.training.models import ContinuingEducation, DidacticEntry, ExperientialEntry

bp = Blueprint("training", __name__, url_prefix="/training")
navigation.register("Hours", "training.hours", Trainee, order=30)
navigation.register("CE", "training.ce", Trainee, order=50)


# -- helpers ------------------------------------------------------------------------------------


def _enrollment() -> Enrollment | None:
    return current_enrollment(current_user.id)


def _is_open(enrollment: Enrollment | None) -> bool:
    return (
        enrollment is not None
        and enrollment.status == "admitted"
        and enrollment.requirements is not None
    )


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


def _owned_or_404(model, record_id: int):
    item = queries.owned_record(model, record_id, current_user.id)
    if item is None:
        abort(404)
    return item


def _confirm_or_400() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _refused(error: services.TrainingError, enrollment: Enrollment | None, back: str):
    db.session.rollback()
    if isinstance(error, services.LoggingClosed):
        return closed_page(enrollment)
    flash(error.message, "danger")
    return redirect(url_for(back))


# -- hours: didactic and experiential -----------------------------------------------------------


@bp.get("/")
@allow(Trainee)
def hours():
    """Didactic and experiential entries with totals against the requirement."""
    enrollment = _enrollment()
    if not _is_open(enrollment):
        return closed_page(enrollment)
    spec = enrollment.requirements.spec
    didactic = queries.didactic_entries(enrollment.id)
    experiential = queries.experiential_entries(enrollment.id)
    didactic_totals = queries.didactic_totals(spec, didactic)
    return render_template(
        "training/hours.html",
        enrollment=enrollment,
        spec=spec,
        didactic=didactic,
        experiential=experiential,
        didactic_totals=didactic_totals,
        experiential_totals=queries.experiential_totals(
            spec, experiential, didactic_totals.verified
        ),
        topic_names={t.code: t.name for t in spec.didactic_topics},
        confirm=ConfirmForm(),
    )


def _didactic_form(enrollment: Enrollment, entry: DidacticEntry | None = None) -> DidacticForm:
    form = DidacticForm(obj=entry if request.method == "GET" else None)
    form.topic_code.choices = [
        SelectChoice(t.code, t.name) for t in enrollment.requirements.spec.didactic_topics
    ]
    return form


def _didactic_input(form: DidacticForm) -> services.DidacticInput:
    return services.DidacticInput(
        on=form.on.data,
        topic_code=form.topic_code.data or "",
        hours=form.hours.data,
        provider=form.provider.data or "",
        note=form.note.data or "",
    )


@bp.route("/didactic/new", methods=["GET", "POST"])
@allow(Trainee)
def new_didactic():
    """Log didactic hours."""
    enrollment = _enrollment()
    if not _is_open(enrollment):
        return closed_page(enrollment)
    form = _didactic_form(enrollment)
    if form.validate_on_submit():
        try:
            services.log_didactic(enrollment, _didactic_input(form))
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment)
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Didactic hours logged; they wait for verification.", "success")
            return redirect(url_for("training.hours"))
    return render_template(
        "training/form.html", form=form, title="Log didactic hours", kind="didactic"
    )


@bp.route("/didactic/<int:entry_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_didactic(entry_id: int):
    """Change a didactic entry until it is verified."""
    entry = _owned_or_404(DidacticEntry, entry_id)
    enrollment = entry.enrollment
    if not _is_open(enrollment):
        return closed_page(enrollment)
    if entry.is_verified:
        flash("This entry is verified and can no longer be changed.", "danger")
        return redirect(url_for("training.hours"))
    form = _didactic_form(enrollment, entry)
    if form.validate_on_submit():
        try:
            services.update_didactic(entry, _didactic_input(form))
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment)
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Didactic entry updated.", "success")
            return redirect(url_for("training.hours"))
    return render_template(
        "training/form.html", form=form, title="Edit didactic hours", kind="didactic", entry=entry
    )


@bp.post("/didactic/<int:entry_id>/delete")
@allow(Trainee)
def delete_didactic(entry_id: int):
    """Delete a didactic entry until it is verified."""
    entry = _owned_or_404(DidacticEntry, entry_id)
    _confirm_or_400()
    try:
        services.delete_didactic(entry)
    except services.TrainingError as error:
        return _refused(error, entry.enrollment, "training.hours")
    flash("Didactic entry deleted.", "success")
    return redirect(url_for("training.hours"))


def _experiential_form(
    enrollment: Enrollment, entry: ExperientialEntry | None = None
) -> ExperientialForm:
    form = ExperientialForm(obj=entry if request.method == "GET" else None)
    spec = enrollment.requirements.spec
    kinds = [
        k
        for k in EXPERIENTIAL_KINDS
        if k != "personal_session" or spec.personal_session_policy != "none"
    ]
    form.kind.choices = [SelectChoice(k, EXPERIENTIAL_LABELS[k]) for k in kinds]
    if request.method == "GET" and entry is not None and entry.kind == "personal_session":
        form.attest.data = True
    return form


def _experiential_input(form: ExperientialForm) -> services.ExperientialInput:
    return services.ExperientialInput(
        kind=form.kind.data or "",
        on=form.on.data,
        hours=form.hours.data,
        facilitator=form.facilitator.data or "",
        note=form.note.data or "",
        attested=bool(form.attest.data),
    )


def _experiential_page(form: ExperientialForm, enrollment: Enrollment, title: str, entry=None):
    return render_template(
        "training/form.html",
        form=form,
        title=title,
        kind="experiential",
        entry=entry,
        personal_policy=enrollment.requirements.spec.personal_session_policy,
    )


@bp.route("/experiential/new", methods=["GET", "POST"])
@allow(Trainee)
def new_experiential():
    """Log an experiential activity."""
    enrollment = _enrollment()
    if not _is_open(enrollment):
        return closed_page(enrollment)
    form = _experiential_form(enrollment)
    if form.validate_on_submit():
        try:
            services.log_experiential(enrollment, _experiential_input(form))
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment)
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Experiential activity logged; it waits for verification.", "success")
            return redirect(url_for("training.hours"))
    return _experiential_page(form, enrollment, "Log an experiential activity")


@bp.route("/experiential/<int:entry_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_experiential(entry_id: int):
    """Change an experiential entry until it is verified."""
    entry = _owned_or_404(ExperientialEntry, entry_id)
    enrollment = entry.enrollment
    if not _is_open(enrollment):
        return closed_page(enrollment)
    if entry.is_verified:
        flash("This entry is verified and can no longer be changed.", "danger")
        return redirect(url_for("training.hours"))
    form = _experiential_form(enrollment, entry)
    if form.validate_on_submit():
        try:
            services.update_experiential(entry, _experiential_input(form))
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment)
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Experiential entry updated.", "success")
            return redirect(url_for("training.hours"))
    return _experiential_page(form, enrollment, "Edit an experiential activity", entry)


@bp.post("/experiential/<int:entry_id>/delete")
@allow(Trainee)
def delete_experiential(entry_id: int):
    """Delete an experiential entry until it is verified."""
    entry = _owned_or_404(ExperientialEntry, entry_id)
    _confirm_or_400()
    try:
        services.delete_experiential(entry)
    except services.TrainingError as error:
        return _refused(error, entry.enrollment, "training.hours")
    flash("Experiential entry deleted.", "success")
    return redirect(url_for("training.hours"))


# -- continuing education -----------------------------------------------------------------------


@bp.get("/ce")
@allow(Trainee)
def ce():
    """CE credits and consultation hours, with the current window's totals."""
    enrollment = _enrollment()
    if not _is_open(enrollment):
        return closed_page(enrollment, "continuing education")
    spec = enrollment.requirements.spec
    records = queries.ce_records(enrollment.id)
    return render_template(
        "training/ce.html",
        enrollment=enrollment,
        records=records,
        totals=queries.ce_totals(spec, records, services.program_today(enrollment)),
        confirm=ConfirmForm(),
    )


def _ce_input(form: ContinuingEducationForm) -> services.ContinuingEducationInput:
    return services.ContinuingEducationInput(
        kind=form.kind.data or "",
        on=form.on.data,
        title=form.title.data or "",
        provider=form.provider.data or "",
        amount=form.amount.data,
    )


def _upload(form: ContinuingEducationForm) -> services.Upload | None:
    file = form.certificate.data
    if file is None or not getattr(file, "filename", ""):
        return None
    return services.Upload(file.stream, file.filename)


def _ce_page(form: ContinuingEducationForm, title: str, item=None):
    return render_template(
        "training/form.html", form=form, title=title, kind="ce", entry=item, multipart=True
    )


@bp.route("/ce/new", methods=["GET", "POST"])
@allow(Trainee)
def new_ce():
    """Log CE credits or consultation hours."""
    enrollment = _enrollment()
    if not _is_open(enrollment):
        return closed_page(enrollment, "continuing education")
    form = ContinuingEducationForm()
    if form.validate_on_submit():
        try:
            services.log_ce(enrollment, _ce_input(form), _upload(form), current_user.id)
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment, "continuing education")
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Continuing education logged.", "success")
            return redirect(url_for("training.ce"))
    return _ce_page(form, "Log continuing education")


@bp.route("/ce/<int:record_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_ce(record_id: int):
    """Change a CE or consultation record."""
    item = _owned_or_404(ContinuingEducation, record_id)
    enrollment = item.enrollment
    if not _is_open(enrollment):
        return closed_page(enrollment, "continuing education")
    form = ContinuingEducationForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_ce(item, _ce_input(form), _upload(form), current_user.id)
        except services.LoggingClosed:
            db.session.rollback()
            return closed_page(enrollment, "continuing education")
        except services.TrainingError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash("Continuing education updated.", "success")
            return redirect(url_for("training.ce"))
    return _ce_page(form, "Edit continuing education", item)


@bp.post("/ce/<int:record_id>/delete")
@allow(Trainee)
def delete_ce(record_id: int):
    """Delete a CE or consultation record."""
    item = _owned_or_404(ContinuingEducation, record_id)
    _confirm_or_400()
    try:
        services.delete_ce(item)
    except services.TrainingError as error:
        return _refused(error, item.enrollment, "training.ce")
    flash("Continuing education record deleted.", "success")
    return redirect(url_for("training.ce"))
