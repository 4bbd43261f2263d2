"""The trainee's pages for supervised sessions and case presentations."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.flow import confirmed
from tracker.core.flow import delete_page
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.core.signoff_reader import signoffs_of
from tracker.core.transaction import refuse
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.security.access import Trainee
from tracker.security.access import allow
from tracker.standing import assess_one
from tracker.supervision import queries
from tracker.supervision import services
from tracker.supervision.client_codes import new_client_code
from tracker.supervision.forms import PresentationForm
from tracker.supervision.forms import SessionForm
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession
from tracker.training.forms import ConfirmForm
from tracker.training.pages import closed_page
from tracker.training.pages import when_closed
from tracker.training.services import LoggingClosed
from tracker.training.services import logging_open

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
navigation.register("Sessions", "supervision.sessions", Trainee, order=40)

WHAT = "supervised sessions"


def _enrollment() -> Enrollment | None:
    return current_enrollment(current_user.id)


def _session_or_404(session_id: int) -> SupervisedSession:
    return owned_or_404(SupervisedSession, session_id, trainee_id=current_user.id)


def _session_url(session: SupervisedSession) -> str:
    return url_for("supervision.view_session", session_id=session.id)


def _confirm_or_400() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
        on=form.on.data,
        client_code=form.client_code.data or "",
        setting=form.setting.data or "",
        route=form.route.data or "",
        trainee_role=form.trainee_role.data or "",
        supervision_mode=form.supervision_mode.data or "",
        covers_preparation=bool(form.covers_preparation.data),
        covers_dosing=bool(form.covers_dosing.data),
        covers_integration=bool(form.covers_integration.data),
        duration_minutes=form.duration_minutes.data,
        reflection=form.reflection.data or "",
    )


def _form_page(form: SessionForm, title: str, session: SupervisedSession | None = None):
    return render_template(
        "supervision/session_form.html",
        form=form,
        title=title,
        session=session,
        suggestion=new_client_code(),
    )


# -- sessions -----------------------------------------------------------------------------------


@bp.get("/")
@allow(Trainee)
def sessions():
    """The trainee's sessions with their status, and counts against the requirement."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment, WHAT)
    standing = assess_one(enrollment.id)
    spec = standing.spec
    items = queries.sessions_of(enrollment.id)
    presentations = queries.presentations_of(enrollment.id)
    return render_template(
        "supervision/sessions.html",
        sessions=items,
        signoffs=signoffs_of("session", items),
        counts=queries.session_counts(standing.facts, spec),
        presentations_count=len(presentations),
        presentations_required=spec.case_presentations_required,
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow(Trainee)
def new_session():
    """Record a supervised session as a draft; the client code is pre-filled at random."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment, WHAT)
    form = SessionForm()
    if request.method == "GET":
        form.client_code.data = new_client_code()
    return save(
        form,
        lambda: services.create_session(enrollment, _session_input(form)),
        "Session saved as a draft. Submit it when it is ready for sign-off.",
        _session_url,
        when_closed(enrollment, WHAT),
    ) or _form_page(form, "Record a supervised session")


@bp.get("/sessions/<int:session_id>")
@allow(Trainee)
def view_session(session_id: int):
    """One session, with what the trainee can do with it now."""
    session = _session_or_404(session_id)
    return render_template(
        "supervision/session.html",
        session=session,
        signoff=signoffs_of("session", [session])[session.id],
        confirm=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(Trainee)
def edit_session(session_id: int):
    """Change a draft or returned session."""
    session = _session_or_404(session_id)
    enrollment = session.enrollment
    if not logging_open(enrollment):
        return closed_page(enrollment, WHAT)
    if not session.is_editable:
        flash(
            "This session cannot be changed now: only a draft or a returned session can be "
            "edited (withdraw a submitted one first; a signed one is final).",
            "danger",
        )
        return redirect(url_for("supervision.view_session", session_id=session.id))
    form = SessionForm(obj=session if request.method == "GET" else None)
    return save(
        form,
        lambda: services.update_session(session, _session_input(form)),
        "Session updated.",
        _session_url(session),
        when_closed(enrollment, WHAT, _session_url(session)),
    ) or _form_page(form, "Edit a supervised session", session)


def _transition(session_id: int, action, done: str):
    session = _session_or_404(session_id)
    _confirm_or_400()
    enrollment = session.enrollment
    try:
        action(session)
    except LoggingClosed:
        return closed_page(enrollment, WHAT)
    except Refused as error:
        refuse(error)
        return redirect(url_for("supervision.view_session", session_id=session_id))
    flash(done, "success")
    return None


@bp.post("/sessions/<int:session_id>/submit")
@allow(Trainee)
def submit_session(session_id: int):
    """Submit a session for sign-off by the assigned primary supervisor."""
    refused = _transition(session_id, services.submit_session, "Session submitted for sign-off.")
    return refused or redirect(url_for("supervision.view_session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/withdraw")
@allow(Trainee)
def withdraw_session(session_id: int):
    """Take a submitted session back to draft."""
    refused = _transition(
        session_id, services.withdraw_session, "Session withdrawn; it is a draft again."
    )
    return refused or redirect(url_for("supervision.view_session", session_id=session_id))


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@allow(Trainee)
def delete_session(session_id: int):
    """Ask before deleting a draft session (GET), delete it (POST)."""
    if request.method == "GET":
        session = _session_or_404(session_id)
        if session.status != "draft":
            flash("Only a draft session can be deleted.", "danger")
            return redirect(_session_url(session))
        return delete_page(
            "Delete this draft session?",
            [
                ("Date", session.on.isoformat()),
                ("Client code", session.client_code),
                ("Duration", f"{session.duration_minutes} minutes"),
            ],
            _session_url(session),
            "Delete draft",
        )
    refused = _transition(session_id, services.delete_session, "Draft session deleted.")
    return refused or redirect(url_for("supervision.sessions"))


# -- case presentations -------------------------------------------------------------------------


@bp.get("/presentations")
@allow(Trainee)
def presentations():
    """The trainee's case presentations against the requirement."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment, "case presentations")
    return render_template(
        "supervision/presentations.html",
        presentations=queries.presentations_of(enrollment.id),
        required=enrollment.requirements.spec.case_presentations_required,
        confirm=ConfirmForm(),
    )


def _session_choice(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        return -1  # refused by the service as not one of the trainee's sessions
    return int(value)


@bp.route("/presentations/new", methods=["GET", "POST"])
@allow(Trainee)
def new_presentation():
    """Record a case presentation."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment, "case presentations")
    form = PresentationForm()
    form.session_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(s.id), f"{s.on.isoformat()} · {s.client_code}")
        for s in queries.sessions_of(enrollment.id)
    ]
    return save(
        form,
        lambda: services.create_presentation(enrollment, _presentation_input(form)),
        "Case presentation recorded.",
        url_for("supervision.presentations"),
        when_closed(enrollment, "case presentations"),
    ) or render_template("supervision/presentation_form.html", form=form)


def _presentation_input(form: PresentationForm) -> services.PresentationInput:
    return services.PresentationInput(
        on=form.on.data,
        title=form.title.data or "",
        audience=form.audience.data or "",
        session_id=_session_choice(form.session_id.data),
    )


@bp.route("/presentations/<int:presentation_id>/delete", methods=["GET", "POST"])
@allow(Trainee)
def delete_presentation(presentation_id: int):
    """Ask before deleting a case presentation (GET), delete it (POST)."""
    item = owned_or_404(CasePresentation, presentation_id, trainee_id=current_user.id)
    if request.method == "GET":
        return delete_page(
            "Delete this case presentation?",
            [("Date", item.on.isoformat()), ("Title", item.title)],
            url_for("supervision.presentations"),
        )
    return confirmed(
        ConfirmForm(),
        lambda: services.delete_presentation(item),
        "Case presentation deleted.",
        url_for("supervision.presentations"),
        when_closed(item.enrollment, "case presentations"),
    )
