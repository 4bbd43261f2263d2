"""The applicant's eligibility pages: licences, insurance, experience and health screening."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.accounts.forms import ConfirmForm
from tracker.core import navigation
from tracker.eligibility import queries, services
from tracker.eligibility.forms import (
    ExperienceForm,
    HealthScreeningForm,
    InsuranceForm,
    LicenceForm,
)
from tracker.eligibility.models import SCREENING_QUESTIONS, Insurance, Licence
from tracker.extensions import db
from tracker.security.access import Trainee, allow

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")
navigation.register("Eligibility", "eligibility.overview", Trainee, order=20)


def _me():
    return current_user._get_current_object()


def show_error(form, error: services.EligibilityError) -> None:
    """Put a refused change's message next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


@bp.get("/")
@allow(Trainee)
def overview():
    """The trainee's licences, insurance, experience attestation and health screening."""
    return render_template(
        "eligibility/overview.html",
        view=queries.overview(current_user.id),
        confirm=ConfirmForm(),
        questions=SCREENING_QUESTIONS,
    )


# -- licences -------------------------------------------------------------------------------------


def _licence_form(obj: Licence | None = None) -> LicenceForm:
    form = LicenceForm(obj=obj if request.method == "GET" else None)
    types = queries.accepted_licence_types(current_user.id)
    form.licence_type.choices = [
        SelectChoice("", "Choose a licence type"),
        *[SelectChoice(t) for t in types],
    ]
    return form


def _licence_input(form: LicenceForm) -> services.LicenceInput:
    return services.LicenceInput(
        licence_type=form.licence_type.data or "",
        number=form.number.data or "",
        jurisdiction=form.jurisdiction.data or "",
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
    )


def _own_licence(licence_id: int) -> Licence:
    licence = queries.owned_licence(current_user.id, licence_id)
    if licence is None:
        abort(404)
    return licence


@bp.route("/licences/new", methods=["GET", "POST"])
@allow(Trainee)
def add_licence():
    """Record a licence."""
    form = _licence_form()
    if form.validate_on_submit():
        try:
            services.add_licence(
                _me(), _licence_input(form), form.document.data, queries.today_for(current_user.id)
            )
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Licence recorded. Program staff will verify it.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/licence_form.html", form=form, licence=None)


@bp.route("/licences/<int:licence_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_licence(licence_id: int):
    """Change a licence until staff verified it."""
    licence = _own_licence(licence_id)
    if licence.is_verified:
        flash("This licence was verified by program staff and can no longer be changed.", "warning")
        return redirect(url_for("eligibility.overview"))
    form = _licence_form(licence)
    if form.validate_on_submit():
        try:
            services.update_licence(
                licence,
                _me(),
                _licence_input(form),
                form.document.data,
                queries.today_for(current_user.id),
            )
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Licence updated.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/licence_form.html", form=form, licence=licence)


@bp.post("/licences/<int:licence_id>/delete")
@allow(Trainee)
def delete_licence(licence_id: int):
    """Delete a licence until staff verified it."""
    licence = _own_licence(licence_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_licence(licence)
    except services.EligibilityError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash("Licence deleted.", "success")
    return redirect(url_for("eligibility.overview"))


# -- insurance ------------------------------------------------------------------------------------


def _insurance_input(form: InsuranceForm) -> services.InsuranceInput:
    return services.InsuranceInput(
        carrier=form.carrier.data or "",
        policy_number=form.policy_number.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        coverage=form.coverage.data or "",
    )


def _own_insurance(insurance_id: int) -> Insurance:
    insurance = queries.owned_insurance(current_user.id, insurance_id)
    if insurance is None:
        abort(404)
    return insurance


@bp.route("/insurance/new", methods=["GET", "POST"])
@allow(Trainee)
def add_insurance():
    """Record a professional liability insurance policy."""
    form = InsuranceForm()
    if form.validate_on_submit():
        try:
            services.add_insurance(
                _me(),
                _insurance_input(form),
                form.document.data,
                queries.today_for(current_user.id),
            )
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Insurance recorded. Program staff will verify it.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/insurance_form.html", form=form, insurance=None)


@bp.route("/insurance/<int:insurance_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_insurance(insurance_id: int):
    """Change an insurance policy until staff verified it."""
    insurance = _own_insurance(insurance_id)
    if insurance.is_verified:
        flash(
            "This insurance policy was verified by program staff and can no longer be changed.",
            "warning",
        )
        return redirect(url_for("eligibility.overview"))
    form = InsuranceForm(obj=insurance if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_insurance(
                insurance,
                _me(),
                _insurance_input(form),
                form.document.data,
                queries.today_for(current_user.id),
            )
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Insurance updated.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/insurance_form.html", form=form, insurance=insurance)


@bp.post("/insurance/<int:insurance_id>/delete")
@allow(Trainee)
def delete_insurance(insurance_id: int):
    """Delete an insurance policy until staff verified it."""
    insurance = _own_insurance(insurance_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_insurance(insurance)
    except services.EligibilityError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash("Insurance policy deleted.", "success")
    return redirect(url_for("eligibility.overview"))


# -- attestations ---------------------------------------------------------------------------------


@bp.route("/experience", methods=["GET", "POST"])
@allow(Trainee)
def experience():
    """Attest (or attest again) the years and settings of psychotherapy practice."""
    current = queries.current_attestation(current_user.id)
    form = ExperienceForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.attest.data = False
    if form.validate_on_submit():
        try:
            services.attest_experience(
                _me(), form.years_practice.data, form.practice_settings.data or "", form.attest.data
            )
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Experience attested.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/experience.html", form=form, current=current)


@bp.route("/health-screening", methods=["GET", "POST"])
@allow(Trainee)
def health_screening():
    """Answer the yes/no health-screening questions and sign them."""
    current = queries.current_screening(current_user.id)
    form = HealthScreeningForm()
    if form.validate_on_submit():
        try:
            services.sign_health_screening(_me(), form.answers(), form.signature.data or "")
        except services.EligibilityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Health screening signed. Program staff will review it for clearance.", "success")
            return redirect(url_for("eligibility.overview"))
    return render_template("eligibility/health_screening.html", form=form, current=current)
