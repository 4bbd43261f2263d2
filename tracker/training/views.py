"""The trainee's pages for logging didactic hours, experiential activities and continuing
education, with totals against the requirement set."""

from __future__ import annotations

import secrets

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.core import navigation
from tracker.core.flow import RecordFlow
from tracker.core.flow import owned_or_404
from tracker.core.signoff_reader import signoffs_of
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.security.access import Trainee
from tracker.security.access import allow
from tracker.standing import assess_one
from tracker.training import continuing_education
from tracker.training import queries
from tracker.training import services
from tracker.training.forms import ConfirmForm
from tracker.training.forms import ContinuingEducationForm
from tracker.training.forms import DidacticForm
from tracker.training.forms import ExperientialForm
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry
from tracker.training.pages import closed_page
from tracker.training.pages import when_closed
from tracker.training.services import logging_open

bp = Blueprint("training", __name__, url_prefix="/training")
navigation.register("Hours", "training.hours", Trainee, order=30)
navigation.register("CE", "training.ce", Trainee, order=50)


# -- helpers ------------------------------------------------------------------------------------


def _enrollment() -> Enrollment | None:
    return current_enrollment(current_user.id)


def _owned_or_404(model, record_id: int):
    return owned_or_404(model, record_id, trainee_id=current_user.id)


# -- hours: didactic and experiential -----------------------------------------------------------


@bp.get("/")
@allow(Trainee)
def hours():
    """Didactic and experiential entries with totals against the requirement."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment)
    standing = assess_one(enrollment.id)
    spec = standing.spec
    didactic = queries.didactic_entries(enrollment.id)
    experiential = queries.experiential_entries(enrollment.id)
    return render_template(
        "training/hours.html",
        enrollment=enrollment,
        spec=spec,
        didactic=didactic,
        experiential=experiential,
        didactic_signoffs=signoffs_of("didactic", didactic),
        experiential_signoffs=signoffs_of("experiential", experiential),
        didactic_totals=queries.didactic_totals(spec, standing.facts),
        experiential_totals=queries.experiential_totals(spec, standing.facts),
        topic_names={t.code: t.name for t in spec.didactic_topics},
        confirm=ConfirmForm(),
    )


def _with_token(form, entry):
    """A new entry's form carries a fresh one-time submission token (kept when re-shown)."""
    if request.method == "GET" and entry is None:
        form.submission_token.data = secrets.token_urlsafe(24)
    return form


def _didactic_form(enrollment: Enrollment, entry: DidacticEntry | None = None) -> DidacticForm:
    form = _with_token(DidacticForm(obj=entry if request.method == "GET" else None), entry)
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
        submission_token=form.submission_token.data or "",
        confirm_duplicate=bool(form.confirm_duplicate.data),
    )


def _open_and_unverified(enrollment: Enrollment | None, entry=None):
    if not logging_open(enrollment):
        return closed_page(enrollment)
    if entry is not None and entry.is_verified:
        flash("This entry is verified and can no longer be changed.", "danger")
        return redirect(url_for("training.hours"))
    return None


def _hours_refused(enrollment: Enrollment | None):
    """The page that answers a refusal of an hours entry on its own: a form sent twice lands
    on the entry it stored; logging closed meanwhile shows why."""
    closed = when_closed(enrollment, back=url_for("training.hours"))

    def page(error):
        if isinstance(error, services.AlreadySaved):
            if not error.record_id:
                flash("This form was already saved once; nothing was added.", "info")
                return redirect(url_for("training.hours"))
            flash(error.message, "info")
            return redirect(
                url_for("signoffs.mine", entry_type=error.kind, entry_id=error.record_id)
            )
        return closed(error)

    return page


def _hours(amount) -> str:
    return format(amount.normalize(), "f")


def _didactic_details(entry: DidacticEntry) -> list[tuple[str, str]]:
    """What the page that asks before deleting shows of a didactic entry."""
    topic = entry.enrollment.requirements.spec.topic(entry.topic_code)
    return [
        ("Date", entry.on.isoformat()),
        ("Topic", topic.name if topic else entry.topic_code),
        ("Hours", _hours(entry.hours)),
        ("Course or provider", entry.provider),
        ("Status", entry.status_label),
    ]


def _experiential_details(entry: ExperientialEntry) -> list[tuple[str, str]]:
    """What the page that asks before deleting shows of an experiential entry."""
    return [
        ("Date", entry.on.isoformat()),
        ("Activity", entry.kind_label),
        ("Hours", _hours(entry.hours)),
        ("Facilitator", entry.facilitator),
        ("Status", entry.status_label),
    ]


def _ce_details(item: ContinuingEducation) -> list[tuple[str, str]]:
    """What the page that asks before deleting shows of a CE or consultation record."""
    return [
        ("Date", item.on.isoformat()),
        ("Kind", item.kind_label),
        ("Title", item.title),
        ("Provider", item.provider),
        ("Amount", _hours(item.amount)),
    ]


def _entry_flow(
    kind: str,
    model,
    form,
    page,
    to_input,
    writes: tuple,
    logged: str,
    what: str,
    details,
) -> RecordFlow:
    """An hours entry of `kind`: logged, changed and deleted by its trainee until it is
    verified; its pages are /training/<kind>/new, .../<entry_id>/edit and .../delete."""
    log, update, delete = writes
    flow = RecordFlow(
        owner=lambda entry: entry.enrollment if entry is not None else _enrollment(),
        find=lambda entry_id: _owned_or_404(model, entry_id),
        form=form,
        add=lambda enrollment, form: log(enrollment, to_input(form)),
        change=lambda entry, form: update(entry, to_input(form)),
        remove=delete,
        page=page,
        back="training.hours",
        added=logged,
        changed=f"{what} updated.",
        removed=f"{what} deleted.",
        blocked=_open_and_unverified,
        refused_page=_hours_refused,
        details=details,
    )
    entry = what.lower()
    flow.routes(
        bp,
        Trainee,
        f"/{kind}",
        "entry_id",
        (f"new_{kind}", f"edit_{kind}", f"delete_{kind}"),
        (
            f"Log a new {entry}.",
            f"Change a {entry} until it is verified.",
            f"Delete a {entry} until it is verified.",
        ),
    )
    return flow


def _didactic_page(form: DidacticForm, enrollment: Enrollment, entry=None):
    title = "Edit didactic hours" if entry is not None else "Log didactic hours"
    return render_template(
        "training/form.html", form=form, title=title, kind="didactic", entry=entry
    )


DIDACTIC = _entry_flow(
    "didactic",
    DidacticEntry,
    _didactic_form,
    _didactic_page,
    _didactic_input,
    (services.log_didactic, services.update_didactic, services.delete_didactic),
    "Didactic hours logged; they wait for verification.",
    "Didactic entry",
    _didactic_details,
)


def _experiential_form(
    enrollment: Enrollment, entry: ExperientialEntry | None = None
) -> ExperientialForm:
    form = _with_token(ExperientialForm(obj=entry if request.method == "GET" else None), entry)
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
        submission_token=form.submission_token.data or "",
        confirm_duplicate=bool(form.confirm_duplicate.data),
    )


def _experiential_page(form: ExperientialForm, enrollment: Enrollment, entry=None):
    return render_template(
        "training/form.html",
        form=form,
        title="Edit an experiential activity"
        if entry is not None
        else "Log an experiential activity",
        kind="experiential",
        entry=entry,
        personal_policy=enrollment.requirements.spec.personal_session_policy,
    )


EXPERIENTIAL = _entry_flow(
    "experiential",
    ExperientialEntry,
    _experiential_form,
    _experiential_page,
    _experiential_input,
    (services.log_experiential, services.update_experiential, services.delete_experiential),
    "Experiential activity logged; it waits for verification.",
    "Experiential entry",
    _experiential_details,
)


# -- continuing education -----------------------------------------------------------------------


@bp.get("/ce")
@allow(Trainee)
def ce():
    """CE credits and consultation hours, with the certificate's current cycle."""
    enrollment = _enrollment()
    if not logging_open(enrollment):
        return closed_page(enrollment, "continuing education")
    records = queries.ce_records(enrollment.id)
    rules = continuing_education.ce_rules(enrollment)
    return render_template(
        "training/ce.html",
        enrollment=enrollment,
        records=records,
        locked={r.id: continuing_education.lock_problem(r, rules) for r in records},
        infos=signoffs_of("ce", records),
        evidence_required=rules.evidence_required,
        cycle=queries.ce_cycle(enrollment.id),
        confirm=ConfirmForm(),
    )


def _ce_input(form: ContinuingEducationForm) -> continuing_education.ContinuingEducationInput:
    return continuing_education.ContinuingEducationInput(
        kind=form.kind.data or "",
        on=form.on.data,
        title=form.title.data or "",
        provider=form.provider.data or "",
        amount=form.amount.data,
    )


def _upload(form: ContinuingEducationForm) -> continuing_education.Upload | None:
    file = form.certificate.data
    if file is None or not getattr(file, "filename", ""):
        return None
    return continuing_education.Upload(file.stream, file.filename)


def _ce_page(form: ContinuingEducationForm, _enrollment: Enrollment, item=None):
    title = "Edit continuing education" if item is not None else "Log continuing education"
    return render_template(
        "training/form.html", form=form, title=title, kind="ce", entry=item, multipart=True
    )


def _ce_open(enrollment: Enrollment | None, item=None):
    if not logging_open(enrollment):
        return closed_page(enrollment, "continuing education")
    problem = continuing_education.lock_problem(item) if item is not None else None
    if problem:
        flash(problem, "danger")
        return redirect(url_for("training.ce"))
    return None


CE = RecordFlow(
    owner=lambda item: item.enrollment if item is not None else _enrollment(),
    find=lambda record_id: _owned_or_404(ContinuingEducation, record_id),
    form=lambda _enrollment, item: ContinuingEducationForm(
        obj=item if request.method == "GET" else None
    ),
    add=lambda enrollment, form: continuing_education.log_ce(
        enrollment, _ce_input(form), _upload(form), current_user.id
    ),
    change=lambda item, form: continuing_education.update_ce(
        item, _ce_input(form), _upload(form), current_user.id
    ),
    remove=continuing_education.delete_ce,
    page=_ce_page,
    back="training.ce",
    added=lambda item: (
        "Continuing education logged and approved: the audit sample did not select it."
        if item.is_approved
        else "Continuing education logged: it waits for review by program staff and counts "
        "once approved."
    ),
    changed="Continuing education updated.",
    removed="Continuing education record deleted.",
    blocked=_ce_open,
    refused_page=lambda enrollment: when_closed(enrollment, "continuing education"),
    details=_ce_details,
)


CE.routes(
    bp,
    Trainee,
    "/ce",
    "record_id",
    ("new_ce", "edit_ce", "delete_ce"),
    (
        "Log CE credits or consultation hours.",
        "Change a CE or consultation record.",
        "Delete a CE or consultation record.",
    ),
)
