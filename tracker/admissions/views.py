"""Admissions: the applicant queue, the staff enrollment list and the review page where staff
review documents, verify credentials, clear screenings, decide pathways and admissions, waive,
move requirement versions and assign supervisors. Staff only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from tracker.admissions import queries
from tracker.admissions import services
from tracker.admissions.forms import AdmitForm
from tracker.admissions.forms import AssignmentForm
from tracker.admissions.forms import ClearanceForm
from tracker.admissions.forms import DeclineForm
from tracker.admissions.forms import DocumentReviewForm
from tracker.admissions.forms import EndWaiverForm
from tracker.admissions.forms import MoveRequirementsForm
from tracker.admissions.forms import PathwayForm
from tracker.admissions.forms import ReverseDecisionForm
from tracker.admissions.forms import RevokeWaiverForm
from tracker.admissions.forms import UnverifyForm
from tracker.admissions.forms import VerifyForm
from tracker.admissions.forms import WaiverForm
from tracker.applications.models import ApplicationDocument
from tracker.core import navigation
from tracker.core import transaction
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.eligibility.models import CLEARANCE_LABELS
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import ENROLLMENT_STATUSES
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import Waiver
from tracker.lifecycle.forms import status_forms
from tracker.lifecycle.queries import panel_for
from tracker.progress import Actor
from tracker.progress.admission_rules import admission_missing
from tracker.progress.requirements import DOCUMENT_LABELS
from tracker.security.access import Staff
from tracker.security.access import allow
from tracker.standing import assess_one

bp = Blueprint("admissions", __name__, url_prefix="/admissions")
navigation.register("Admissions", "admissions.queue", Staff, order=55)


def _me():
    return current_user._get_current_object()


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "status_labels": queries.STATUS_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "method_labels": services.VERIFICATION_METHODS,
        "pathway_labels": services.PATHWAY_LABELS,
        "clearance_labels": CLEARANCE_LABELS,
        "target_label": services.target_label,
        "local_day": _local_day,
    }


def _local_day(moment, timezone: str | None) -> str:
    """A stored UTC time as the date it was where the program is."""
    local = local_time(moment, timezone)
    return local.date().isoformat() if local is not None else ""


# -- lists ----------------------------------------------------------------------------------------


@bp.get("/")
@allow(Staff)
def queue():
    """Submitted applications waiting for a decision, drafts, and recent decisions."""
    return render_template("admissions/queue.html", queue=queries.applicant_queue())


@bp.get("/enrollments")
@allow(Staff)
def enrollments():
    """Every enrollment, searchable by name or e-mail and filtered by status, a page at a time."""
    search = request.args.get("q", "")[:100]
    status = request.args.get("status", "")
    status = status if status in ENROLLMENT_STATUSES else ""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template(
        "admissions/enrollments.html",
        pagination=queries.enrollment_page(search, status, page),
        q=search,
        status=status,
        statuses=ENROLLMENT_STATUSES,
    )


# -- the review page ------------------------------------------------------------------------------


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    enrollment = queries.enrollment(enrollment_id)
    if enrollment is None:
        abort(404)
    return enrollment


def _people(enrollment: Enrollment) -> list[tuple[int, str]]:
    return [
        (person.id, f"{person.full_name} ({person.email})")
        for person in queries.supervisor_choices(enrollment.trainee_id)
    ]


def _assignment_form(enrollment: Enrollment, current: dict | None = None, **kwargs):
    """The assignment form; `current` (kind -> row) preselects today's supervisors."""
    form = AssignmentForm(prefix="assign", people=_people(enrollment), **kwargs)
    if current is not None:
        form.primary.data = current["primary"].supervisor.id if "primary" in current else None
        form.backup.data = current["backup"].supervisor.id if "backup" in current else None
    return form


def _forms(enrollment: Enrollment, records: queries.Review) -> dict[str, Any]:
    """A blank form for every action on the page, keyed by the prefix it posts with."""
    blank = {"formdata": None}
    forms: dict[str, Any] = {}
    for doc in records.documents:
        forms[f"doc{doc.id}"] = DocumentReviewForm(prefix=f"doc{doc.id}", **blank)
    for kind, credentials in (("lic", records.licences), ("ins", records.insurances)):
        for item in credentials:
            forms[f"{kind}{item.id}"] = VerifyForm(
                prefix=f"{kind}{item.id}", methods=services.methods_for(item), **blank
            )
            forms[f"un{kind}{item.id}"] = UnverifyForm(prefix=f"un{kind}{item.id}", **blank)
    forms["health"] = ClearanceForm(prefix="health", **blank)
    forms["pathway"] = PathwayForm(prefix="pathway", **blank)
    forms["admit"] = AdmitForm(prefix="admit", **blank)
    forms["decline"] = DeclineForm(prefix="decline", **blank)
    forms["waiver"] = WaiverForm(prefix="waiver", targets=services.waiver_targets(), **blank)
    for row in records.waivers:
        forms[f"revoke{row.waiver.id}"] = RevokeWaiverForm(prefix=f"revoke{row.waiver.id}", **blank)
        forms[f"end{row.waiver.id}"] = EndWaiverForm(prefix=f"end{row.waiver.id}", **blank)
    forms["version"] = MoveRequirementsForm(prefix="version", **blank)
    forms["assign"] = _assignment_form(enrollment, records.current_assignments, **blank)
    return forms


def _page(enrollment: Enrollment, posted: Any = None):
    """Render the review page; `posted` (a form with errors) replaces its blank twin."""
    records = queries.review(enrollment)
    forms = _forms(enrollment, records)
    if posted is not None:
        forms[posted._prefix.rstrip("-")] = posted
    loaded = assess_one(enrollment.id)
    today = today_in(enrollment.program.timezone)
    progress = loaded.progress if loaded is not None else None
    newest = services.newest_requirements(enrollment.track_id)
    pinned = enrollment.pinned_requirements
    if newest is not None:
        forms["version"].to_version.data = newest.id
    spec = enrollment.requirements.spec if enrollment.requirements is not None else None
    life = panel_for(enrollment, progress)
    return render_template(
        "admissions/review.html",
        enrollment=enrollment,
        review=records,
        forms=forms,
        progress=progress,
        staff_items=progress.items_for(Actor.STAFF) if progress is not None else (),
        today=today,
        newest=newest,
        pinned=pinned,
        can_move=services.requirements_move_target(enrollment) is not None,
        spec=spec,
        is_open=enrollment.status in services.OPEN_STATUSES,
        missing_reviews=(
            admission_missing(progress)
            if progress is not None and enrollment.status == "submitted"
            else ()
        ),
        in_force=lambda waiver: services.in_force(waiver, today),
        days_waiting=queries.days_since(enrollment.submitted_at, enrollment.program.timezone),
        life=life,
        life_forms=status_forms(life),
    )


@bp.get("/enrollments/<int:enrollment_id>")
@allow(Staff)
def review(enrollment_id: int):
    """The hub for one person: their steps, what waits on staff, and every staff action."""
    return _page(_enrollment_or_404(enrollment_id))


def _back(enrollment: Enrollment, anchor: str):
    url = url_for("admissions.review", enrollment_id=enrollment.id)
    return redirect(f"{url}#{anchor}", code=303)


def _act(
    enrollment: Enrollment,
    form,
    action: Callable[[], str],
    anchor: str,
):
    """Validate `form`, run `action` (a service call returning the success message), then
    redirect to the page; a refusal shows next to its field or as a message."""
    if not form.validate_on_submit():
        return _page(enrollment, form)
    try:
        message = action()
    except Refused as error:
        if transaction.refuse(error, form):
            return _page(_enrollment_or_404(enrollment.id), form)
        return _back(enrollment, anchor)
    flash(message, "success")
    return _back(enrollment, anchor)


@bp.post("/enrollments/<int:enrollment_id>/documents/<int:document_id>")
@allow(Staff)
def review_document(enrollment_id: int, document_id: int):
    """Accept or reject an application document with a note."""
    enrollment = _enrollment_or_404(enrollment_id)
    document = owned_or_404(ApplicationDocument, document_id, enrollment_id=enrollment.id)
    form = DocumentReviewForm(prefix=f"doc{document.id}")

    def action() -> str:
        done = services.review_document(
            enrollment, document, _me(), form.decision.data, form.note.data or ""
        )
        return f"{DOCUMENT_LABELS.get(done.kind, done.kind)}: {done.status}."

    return _act(enrollment, form, action, "documents")


def _credential(enrollment: Enrollment, kind: str, record_id: int) -> Licence | Insurance:
    model = Licence if kind == "licence" else Insurance
    return owned_or_404(model, record_id, trainee_id=enrollment.trainee_id)


def _verify(enrollment_id: int, kind: str, record_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    credential = _credential(enrollment, kind, record_id)
    form = VerifyForm(prefix=f"{kind[:3]}{credential.id}", methods=services.methods_for(credential))

    def action() -> str:
        services.verify_credential(credential, _me(), form.method.data, form.note.data or "")
        return f"The {kind} is verified."

    return _act(enrollment, form, action, "eligibility")


def _unverify(enrollment_id: int, kind: str, record_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    credential = _credential(enrollment, kind, record_id)
    form = UnverifyForm(prefix=f"un{kind[:3]}{credential.id}")

    def action() -> str:
        services.unverify_credential(credential, _me(), form.reason.data or "")
        return f"The verification of the {kind} is withdrawn."

    return _act(enrollment, form, action, "eligibility")


@bp.post("/enrollments/<int:enrollment_id>/licences/<int:licence_id>/verify")
@allow(Staff)
def verify_licence(enrollment_id: int, licence_id: int):
    """Verify the trainee's licence: method and note; staff and time are recorded."""
    return _verify(enrollment_id, "licence", licence_id)


@bp.post("/enrollments/<int:enrollment_id>/licences/<int:licence_id>/unverify")
@allow(Staff)
def unverify_licence(enrollment_id: int, licence_id: int):
    """Withdraw the verification of the trainee's licence, with a reason."""
    return _unverify(enrollment_id, "licence", licence_id)


@bp.post("/enrollments/<int:enrollment_id>/insurances/<int:insurance_id>/verify")
@allow(Staff)
def verify_insurance(enrollment_id: int, insurance_id: int):
    """Verify the trainee's insurance policy: method and note; staff and time are recorded."""
    return _verify(enrollment_id, "insurance", insurance_id)


@bp.post("/enrollments/<int:enrollment_id>/insurances/<int:insurance_id>/unverify")
@allow(Staff)
def unverify_insurance(enrollment_id: int, insurance_id: int):
    """Withdraw the verification of the trainee's insurance policy, with a reason."""
    return _unverify(enrollment_id, "insurance", insurance_id)


@bp.post("/enrollments/<int:enrollment_id>/health/<int:screening_id>")
@allow(Staff)
def health_clearance(enrollment_id: int, screening_id: int):
    """Clear or not clear the trainee's current health-screening attestation."""
    enrollment = _enrollment_or_404(enrollment_id)
    screening = owned_or_404(HealthScreening, screening_id, trainee_id=enrollment.trainee_id)
    form = ClearanceForm(prefix="health")

    def action() -> str:
        done = services.set_health_clearance(screening, _me(), form.clearance.data)
        return f"Health screening: {services.CLEARANCE_DECISIONS[done.clearance].lower()}."

    return _act(enrollment, form, action, "eligibility")


@bp.post("/enrollments/<int:enrollment_id>/pathway")
@allow(Staff)
def decide_pathway(enrollment_id: int):
    """Decide the eligibility pathway (an alternative one needs a reason)."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = PathwayForm(prefix="pathway")

    def action() -> str:
        done = services.decide_pathway(
            enrollment, _me(), form.pathway.data, form.basis.data or "", form.reason.data or ""
        )
        return f"Pathway: {services.PATHWAY_LABELS[done.pathway].lower()}."

    return _act(enrollment, form, action, "pathway")


@bp.post("/enrollments/<int:enrollment_id>/admit")
@allow(Staff)
def admit(enrollment_id: int):
    """Admit a submitted application (pins the track's current requirements); e-mails them."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = AdmitForm(prefix="admit")

    def action() -> str:
        done = services.admit(enrollment, _me(), form.note.data or "")
        version = done.pinned_requirements.version if done.pinned_requirements else "?"
        return f"{done.trainee.full_name} is admitted (requirements version {version})."

    return _act(enrollment, form, action, "decision")


@bp.post("/enrollments/<int:enrollment_id>/decline")
@allow(Staff)
def decline(enrollment_id: int):
    """Decline a submitted application with a reason; e-mails the applicant."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = DeclineForm(prefix="decline")

    def action() -> str:
        done = services.decline(enrollment, _me(), form.reason.data or "")
        return f"The application of {done.trainee.full_name} is declined."

    return _act(enrollment, form, action, "decision")


@bp.post("/enrollments/<int:enrollment_id>/waivers")
@allow(Staff)
def grant_waiver(enrollment_id: int):
    """Waive a step or an item for this enrollment, with a written reason."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = WaiverForm(prefix="waiver", targets=services.waiver_targets())

    def action() -> str:
        done = services.grant_waiver(
            enrollment, _me(), form.target.data, form.reason.data, form.ends_on.data
        )
        until = f" until {done.ends_on.isoformat()}" if done.ends_on else ""
        return f"Waived{until}: {services.target_label(done.target)}."

    return _act(enrollment, form, action, "waivers")


def _waiver_act(
    enrollment_id: int,
    waiver_id: int,
    form_class: type[RevokeWaiverForm | EndWaiverForm],
    prefix: str,
    change: Callable[..., Waiver],
    done_word: str,
):
    """Change one waiver of the enrollment with the reason of its own form (prefixed with
    `prefix` and the waiver's id), back to the waivers section."""
    enrollment = _enrollment_or_404(enrollment_id)
    waiver = owned_or_404(Waiver, waiver_id, enrollment_id=enrollment.id)
    form = form_class(prefix=f"{prefix}{waiver.id}")

    def action() -> str:
        done = change(enrollment, waiver, _me(), form.reason.data)
        return f"Waiver {done_word}: {services.target_label(done.target)}."

    return _act(enrollment, form, action, "waivers")


@bp.post("/enrollments/<int:enrollment_id>/waivers/<int:waiver_id>/revoke")
@allow(Staff)
def revoke_waiver(enrollment_id: int, waiver_id: int):
    """Revoke a waiver, with a reason (the waiver stays on file)."""
    return _waiver_act(
        enrollment_id, waiver_id, RevokeWaiverForm, "revoke", services.revoke_waiver, "revoked"
    )


@bp.post("/enrollments/<int:enrollment_id>/waivers/<int:waiver_id>/end")
@allow(Staff)
def end_waiver(enrollment_id: int, waiver_id: int):
    """End a waiver early, with a reason (it stops applying from today; kept on file)."""
    return _waiver_act(enrollment_id, waiver_id, EndWaiverForm, "end", services.end_waiver, "ended")


@bp.route("/enrollments/<int:enrollment_id>/reverse", methods=["GET", "POST"])
@allow(Staff)
def reverse_decision(enrollment_id: int):
    """Confirm, then reverse the admission decision with a reason (while no training is
    signed); the enrollment returns to submitted."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = ReverseDecisionForm()
    back = url_for("admissions.review", enrollment_id=enrollment.id) + "#decision"
    return save(
        form,
        lambda: services.reverse_decision(enrollment, _me(), form.reason.data),
        lambda done: (
            f"The decision ({done.reversed_status}) is reversed: the application "
            "waits for a new decision."
        ),
        back,
    ) or render_template(
        "admissions/reverse.html",
        enrollment=enrollment,
        form=form,
        signed=services.training_signed(enrollment),
    )


@bp.post("/enrollments/<int:enrollment_id>/requirements")
@allow(Staff)
def move_requirements(enrollment_id: int):
    """Move the enrollment to its track's newest requirement-set version."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = MoveRequirementsForm(prefix="version")
    old = enrollment.pinned_requirements

    def action() -> str:
        new = services.move_to_newest_requirements(
            enrollment, _me(), form.to_version.data, form.note.data or ""
        )
        was = f"version {old.version}" if old is not None else "no pinned version"
        return f"Requirements moved from {was} to version {new.version}."

    return _act(enrollment, form, action, "requirements")


@bp.post("/enrollments/<int:enrollment_id>/supervisors")
@allow(Staff)
def assign_supervisors(enrollment_id: int):
    """Assign the primary supervisor and optionally a backup (history is kept)."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = _assignment_form(enrollment)

    def action() -> str:
        services.assign_supervisors(enrollment, _me(), form.primary.data, form.backup.data)
        return "Supervisor assignment saved."

    return _act(enrollment, form, action, "supervisors")
