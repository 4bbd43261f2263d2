"""The applicant's application: checklist, documents, references, scenario answers, submission."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from tracker.accounts.forms import ConfirmForm
from tracker.applications import queries
from tracker.applications import services
from tracker.applications.forms import DocumentForm
from tracker.applications.forms import ReferenceForm
from tracker.applications.forms import ScenarioAnswerForm
from tracker.applications.models import APPLICATION_DOCUMENT_KINDS
from tracker.applications.models import Reference
from tracker.core import navigation
from tracker.core.flow import confirmed
from tracker.core.flow import or_404
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.eligibility.queries import spec_for
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.progress.requirements import DOCUMENT_LABELS
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("applications", __name__, url_prefix="/applications")
navigation.register("Application", "applications.overview", Trainee, order=30)


def _me():
    return current_user._get_current_object()


def _enrollment() -> Enrollment | None:
    """The trainee's current enrollment with a track chosen, or None."""
    enrollment = current_enrollment(current_user.id)
    if enrollment is None or enrollment.track is None:
        return None
    return enrollment


def _choose_first():
    flash("Choose a program track and cohort first.", "info")
    return redirect(url_for("enrollments.program"))


@bp.get("/")
@allow(Trainee)
def overview():
    """The application checklist and its parts, with the submit button."""
    enrollment = _enrollment()
    if enrollment is None:
        return render_template("applications/overview.html", enrollment=None)
    spec = spec_for(enrollment)
    return render_template(
        "applications/overview.html",
        enrollment=enrollment,
        spec=spec,
        checklist=queries.checklist(enrollment),
        documents=queries.current_documents(enrollment.id),
        document_kinds=queries.required_document_kinds(spec) if spec else (),
        references=queries.references_of(enrollment.id),
        answers=queries.answers_of(enrollment.id),
        labels=DOCUMENT_LABELS,
        confirm=ConfirmForm(),
        is_open=enrollment.status == "applicant",
    )


@bp.route("/documents/<kind>", methods=["GET", "POST"])
@allow(Trainee)
def upload_document(kind: str):
    """Upload or replace the CV or the personal statement."""
    if kind not in APPLICATION_DOCUMENT_KINDS:
        abort(404)
    enrollment = _enrollment()
    if enrollment is None:
        return _choose_first()
    current = queries.current_documents(enrollment.id).get(kind)
    form = DocumentForm()
    return save(
        form,
        lambda: services.upload_document(enrollment, _me(), kind, form.document.data),
        f"{DOCUMENT_LABELS[kind]} uploaded.",
        url_for("applications.overview"),
        refused_back=url_for("applications.overview"),
    ) or render_template(
        "applications/document.html",
        form=form,
        kind=kind,
        label=DOCUMENT_LABELS[kind],
        current=current,
    )


# -- references -----------------------------------------------------------------------------------


def _reference_input(form: ReferenceForm) -> services.ReferenceInput:
    return services.ReferenceInput(
        name=form.name.data or "",
        email=form.email.data or "",
        relationship=form.relationship.data or "",
        phone=form.phone.data or "",
    )


def _own_reference(reference_id: int) -> tuple[Enrollment, Reference]:
    """The current enrollment and its reference `reference_id`; a 404 for anything else."""
    enrollment = or_404(_enrollment())
    return enrollment, owned_or_404(Reference, reference_id, enrollment_id=enrollment.id)


@bp.route("/references/new", methods=["GET", "POST"])
@allow(Trainee)
def add_reference():
    """Name a professional reference."""
    enrollment = _enrollment()
    if enrollment is None:
        return _choose_first()
    form = ReferenceForm()
    return save(
        form,
        lambda: services.add_reference(enrollment, _me(), _reference_input(form)),
        "Reference added.",
        url_for("applications.overview"),
        refused_back=url_for("applications.overview"),
    ) or render_template("applications/reference.html", form=form, reference=None)


@bp.route("/references/<int:reference_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_reference(reference_id: int):
    """Change a reference until the application is submitted."""
    enrollment, reference = _own_reference(reference_id)
    form = ReferenceForm(obj=reference if request.method == "GET" else None)
    return save(
        form,
        lambda: services.update_reference(reference, enrollment, _me(), _reference_input(form)),
        "Reference updated.",
        url_for("applications.overview"),
        refused_back=url_for("applications.overview"),
    ) or render_template("applications/reference.html", form=form, reference=reference)


@bp.post("/references/<int:reference_id>/delete")
@allow(Trainee)
def delete_reference(reference_id: int):
    """Remove a reference until the application is submitted."""
    enrollment, reference = _own_reference(reference_id)
    return confirmed(
        ConfirmForm(),
        lambda: services.delete_reference(reference, enrollment),
        "Reference removed.",
        url_for("applications.overview"),
    )


# -- scenarios and submission ---------------------------------------------------------------------


@bp.route("/scenarios/<code>", methods=["GET", "POST"])
@allow(Trainee)
def answer_scenario(code: str):
    """Answer one ethical scenario."""
    enrollment = _enrollment()
    if enrollment is None:
        return _choose_first()
    spec = spec_for(enrollment)
    scenarios = list(spec.ethical_scenarios) if spec else []
    scenario = next((s for s in scenarios if s.code == code), None)
    if scenario is None:
        abort(404)
    current = queries.answers_of(enrollment.id).get(code)
    form = ScenarioAnswerForm(obj=current if request.method == "GET" else None)
    return save(
        form,
        lambda: services.answer_scenario(enrollment, _me(), code, form.answer.data or ""),
        "Answer saved.",
        url_for("applications.overview"),
        refused_back=url_for("applications.overview"),
    ) or render_template(
        "applications/scenario.html",
        form=form,
        scenario=scenario,
        number=scenarios.index(scenario) + 1,
        current=current,
        is_open=enrollment.status == "applicant",
    )


@bp.post("/submit")
@allow(Trainee)
def submit():
    """Submit the application when everything on the checklist is there."""
    enrollment = _enrollment()
    if enrollment is None:
        return _choose_first()
    return confirmed(
        ConfirmForm(),
        lambda: services.submit_application(enrollment, _me()),
        "Application submitted. Program staff will review it.",
        url_for("applications.overview"),
    )
