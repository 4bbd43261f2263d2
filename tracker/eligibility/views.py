"""The applicant's eligibility pages: licences, insurance, experience and health screening."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.accounts.forms import ConfirmForm
from tracker.core import navigation
from tracker.core.flow import RecordFlow
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.eligibility import queries
from tracker.eligibility import services
from tracker.eligibility.forms import ExperienceForm
from tracker.eligibility.forms import HealthScreeningForm
from tracker.eligibility.forms import InsuranceForm
from tracker.eligibility.forms import LicenceForm
from tracker.eligibility.models import SCREENING_QUESTIONS
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")
navigation.register("Eligibility", "eligibility.overview", Trainee, order=20)


def _me():
    return current_user._get_current_object()


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


def _licence_form(_me, licence: Licence | None = None) -> LicenceForm:
    form = LicenceForm(obj=licence if request.method == "GET" else None)
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


def _unverified(what: str):
    def blocked(_me, record) -> object | None:
        if record is None or not record.is_verified:
            return None
        message = f"This {what} was verified by program staff and can no longer be changed."
        flash(message, "warning")
        return redirect(url_for("eligibility.overview"))

    return blocked


def _credential_flow(model, name: str, form, to_input, actions, what: str, said: tuple[str, ...]):
    """A licence or insurance policy: recorded, changed and deleted by its holder until staff
    verified it; `form.document` carries the optional scan."""
    add, update, delete = actions
    return RecordFlow(
        owner=lambda _record: _me(),
        find=lambda record_id: owned_or_404(model, record_id, trainee_id=current_user.id),
        form=form,
        add=lambda me, form: add(me, to_input(form), form.document.data, queries.today_for(me.id)),
        change=lambda record, form: update(
            record, _me(), to_input(form), form.document.data, queries.today_for(_me().id)
        ),
        remove=delete,
        page=lambda form, _me, record: render_template(
            f"eligibility/{name}_form.html", form=form, **{name: record}
        ),
        back="eligibility.overview",
        added=said[0],
        changed=said[1],
        removed=said[2],
        blocked=_unverified(what),
    )


LICENCE = _credential_flow(
    Licence,
    "licence",
    _licence_form,
    _licence_input,
    (services.add_licence, services.update_licence, services.delete_licence),
    "licence",
    ("Licence recorded. Program staff will verify it.", "Licence updated.", "Licence deleted."),
)


LICENCE.routes(
    bp,
    Trainee,
    "/licences",
    "licence_id",
    ("add_licence", "edit_licence", "delete_licence"),
    (
        "Record a licence.",
        "Change a licence until staff verified it.",
        "Delete a licence until staff verified it.",
    ),
)


# -- insurance ------------------------------------------------------------------------------------


def _insurance_input(form: InsuranceForm) -> services.InsuranceInput:
    return services.InsuranceInput(
        carrier=form.carrier.data or "",
        policy_number=form.policy_number.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        coverage=form.coverage.data or "",
    )


INSURANCE = _credential_flow(
    Insurance,
    "insurance",
    lambda _me, insurance: InsuranceForm(obj=insurance if request.method == "GET" else None),
    _insurance_input,
    (services.add_insurance, services.update_insurance, services.delete_insurance),
    "insurance policy",
    (
        "Insurance recorded. Program staff will verify it.",
        "Insurance updated.",
        "Insurance policy deleted.",
    ),
)


INSURANCE.routes(
    bp,
    Trainee,
    "/insurance",
    "insurance_id",
    ("add_insurance", "edit_insurance", "delete_insurance"),
    (
        "Record a professional liability insurance policy.",
        "Change an insurance policy until staff verified it.",
        "Delete an insurance policy until staff verified it.",
    ),
)


# -- attestations ---------------------------------------------------------------------------------


@bp.route("/experience", methods=["GET", "POST"])
@allow(Trainee)
def experience():
    """Attest (or attest again) the years and settings of psychotherapy practice."""
    current = queries.current_attestation(current_user.id)
    form = ExperienceForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.attest.data = False
    return save(
        form,
        lambda: services.attest_experience(
            _me(), form.years_practice.data, form.practice_settings.data or "", form.attest.data
        ),
        "Experience attested.",
        url_for("eligibility.overview"),
    ) or render_template("eligibility/experience.html", form=form, current=current)


@bp.route("/health-screening", methods=["GET", "POST"])
@allow(Trainee)
def health_screening():
    """Answer the yes/no health-screening questions and sign them."""
    current = queries.current_screening(current_user.id)
    form = HealthScreeningForm()
    return save(
        form,
        lambda: services.sign_health_screening(_me(), form.answers(), form.signature.data or ""),
        "Health screening signed. Program staff will review it for clearance.",
        url_for("eligibility.overview"),
    ) or render_template("eligibility/health_screening.html", form=form, current=current)
