"""Sign-off pages: the supervisor's queue and trainees, one entry with its thread, bulk signing,
returning with a question, the trainee's answer, staff verification, reopening, and staff
pages for supervisors' own credentials."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from tracker.accounts import second_factor
from tracker.accounts.models import User
from tracker.core import navigation
from tracker.core import signoff_reader
from tracker.core.errors import Refused
from tracker.core.flow import or_404
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.core.forms import TrackerForm
from tracker.core.limits import counts
from tracker.core.transaction import refuse
from tracker.core.web import addresses
from tracker.dashboard.lines import step_badges
from tracker.eligibility.queries import insurances_of
from tracker.eligibility.queries import licences_of
from tracker.eligibility.services import InsuranceInput
from tracker.eligibility.services import LicenceInput
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.extensions import utcnow
from tracker.security.access import Staff
from tracker.security.access import Supervisor
from tracker.security.access import SupervisorOrStaff
from tracker.security.access import Trainee
from tracker.security.access import allow
from tracker.signoffs import queries
from tracker.signoffs import services
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.entries import ENTRY_MODELS
from tracker.signoffs.entries import Entry
from tracker.signoffs.entries import entry_type_of
from tracker.signoffs.entries import key_of
from tracker.signoffs.entries import parse_key
from tracker.signoffs.forms import AnswerForm
from tracker.signoffs.forms import QuestionForm
from tracker.signoffs.forms import RejectForm
from tracker.signoffs.forms import ReopenForm
from tracker.signoffs.forms import SignForm
from tracker.signoffs.forms import SupervisorInsuranceForm
from tracker.signoffs.forms import SupervisorLicenceForm
from tracker.signoffs.lines import entry_url
from tracker.signoffs.lines import waiting_rows
from tracker.signoffs.models import CE_MEANING
from tracker.signoffs.models import ENTRY_TYPE_LABELS
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import VERIFICATION_MEANING
from tracker.signoffs.models import meaning_for
from tracker.training.continuing_education import lock_problem

bp = Blueprint("signoffs", __name__, url_prefix="/signoffs")
navigation.register("Sign-offs", "signoffs.queue", Supervisor, order=10)
navigation.register("Verification", "signoffs.verification", Staff, order=57)
navigation.register("CE review", "signoffs.ce_review", Staff, order=57)
navigation.register("Supervisors", "signoffs.supervisors", Staff, order=58)

MAX_BATCH = 200
# The sign tables' rows, and the entries' addresses for every page that links them.
bp.add_app_template_global(entry_url)
bp.add_app_template_global(waiting_rows)
# Training's and supervision's pages show their entries' signatures: they read them through core.
signoff_reader.provide(queries.signoff_infos)


@bp.app_template_global()
def signature_intact(signature, entry) -> bool:
    """True when the entry still hashes to what the signature bound."""
    return verify_binding(signature, entry)


@bp.app_template_global()
def same_page_url(**changes: str | None) -> str:
    """This page's address with some query arguments changed (None removes one): the queue's
    filter and select-all links keep the rest of the page's state."""
    args = {k: v for k, v in request.args.items() if len(v) < 60}
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint or "signoffs.queue", **(request.view_args or {}), **args)


def _me():
    return current_user._get_current_object()


# -- the supervisor's home ------------------------------------------------------------------------


@bp.get("/")
@allow(Supervisor)
def queue():
    """Everything waiting on the supervisor, oldest first, and their trainees' progress."""
    me = _me()
    view = _queue_view(queries.waiting_entries(queries.assigned_enrollment_ids(me.id)))
    # Each trainee's steps as their stored snapshot says (the out-of-date ones computed now):
    # the engine's verdict without running it on every visit. The record page has the detail.
    record = addresses("records.trainee")
    trainees = [
        (trainee, record(trainee.enrollment_id), step_badges(trainee.steps))
        for trainee in queries.trainees_progress(me.id)
    ]
    return render_template(
        "signoffs/queue.html",
        view=view,
        waiting=view.waiting,
        trainees=trainees,
        form=SignForm(),
        session_meaning=SESSION_MEANING,
        verification_meaning=VERIFICATION_MEANING,
        own_problem=services.credential_problem(me.id, today=utcnow().date()),
        back="signoffs.queue",
    )


@bp.get("/verification")
@allow(Staff)
def verification():
    """Staff's queue: didactic entries of every trainee waiting for verification."""
    return _staff_queue("verification", "didactic", verification_meaning=VERIFICATION_MEANING)


@bp.get("/ce")
@allow(Staff)
def ce_review():
    """Staff's queue: continuing education waiting for review, oldest first, with evidence."""
    return _staff_queue("ce_review", "ce", ce_meaning=CE_MEANING)


def _queue_view(waiting: list[queries.WaitingEntry]) -> queries.QueueView:
    """The queue narrowed by the page's filters (`trainee`: an enrollment id, `kind`: an entry
    type) with the entries `select` asks to start checked ("all", or an enrollment id): the
    select-all links work without JavaScript."""
    trainee = request.args.get("trainee", "")
    kind = request.args.get("kind", "")
    return queries.queue_view(
        waiting,
        enrollment_id=int(trainee) if trainee.isdigit() and len(trainee) < 10 else None,
        kind=kind if kind in ENTRY_MODELS else None,
        select=request.args.get("select", "")[:10],
    )


def _staff_queue(name: str, entry_type: str, **meaning: str):
    """The staff queue page `name` (its template and endpoint): every trainee's entries of
    `entry_type` waiting, with the sign form and the meaning it signs."""
    view = _queue_view(queries.waiting_entries(None, (entry_type,)))
    return render_template(
        f"signoffs/{name}.html",
        view=view,
        waiting=view.waiting,
        form=SignForm(),
        back=f"signoffs.{name}",
        **meaning,
    )


# -- one entry ------------------------------------------------------------------------------------


def _visible_or_404(entry_type: str, entry_id: int) -> Entry:
    entry = queries.visible_entry(entry_type, entry_id, _me())
    if entry is None:
        abort(404)
    return entry


def _entry_page(entry: Entry, sign_form=None, question_form=None, reopen_form=None, status=200):
    me = _me()
    entry_type = entry_type_of(entry)
    return (
        render_template(
            "signoffs/entry.html",
            entry=entry,
            entry_type=entry_type,
            type_label=ENTRY_TYPE_LABELS[entry_type],
            info=queries.signoff_info(entry),
            meaning=meaning_for(entry_type),
            problem=services.signing_problem(entry, me),
            may_review=services.may_review(entry, me),
            sign_form=sign_form or SignForm(),
            question_form=question_form or _question_form(entry_type),
            reopen_form=reopen_form or ReopenForm(),
            key=key_of(entry),
            content_hash=content_hash(entry),
        ),
        status,
    )


@bp.get("/<entry_type>/<int:entry_id>")
@allow(SupervisorOrStaff)
def entry(entry_type: str, entry_id: int):
    """The full record, its signatures and question thread, with sign/return/reopen forms."""
    return _entry_page(_visible_or_404(entry_type, entry_id))


def _question_form(entry_type: str):
    """The form that sends an entry back: a CE entry is rejected with a reason."""
    return RejectForm() if entry_type == "ce" else QuestionForm()


def _back(default: str = "signoffs.queue") -> str:
    # Only our own pages: never a URL from the request.
    back = request.form.get("back", "")
    if back in ("signoffs.queue", "signoffs.verification", "signoffs.ce_review"):
        return url_for(back)
    if back.startswith("entry:"):
        key = parse_key(back[6:])
        if key:
            return url_for("signoffs.entry", entry_type=key[0], entry_id=key[1])
    if back.startswith("record:") and back[7:].isdigit() and len(back) < 17:
        return url_for("records.trainee", enrollment_id=int(back[7:]))
    return url_for(default)


def _after_signing(entries: list[Entry]) -> str:
    """Where a signature leads: from one entry's page, to the next entry waiting (the same
    trainee's first, then the oldest of the signer's queue), or to the queue when none is left;
    from a list, back to that list."""
    if len(entries) != 1 or not request.form.get("back", "").startswith("entry:"):
        return _back()
    signed = entries[0]
    entry_type = entry_type_of(signed)
    following = queries.next_waiting(_me(), entry_type, signed.enrollment_id)
    if following is None:
        flash("Nothing else is waiting for you.", "info")
        if entry_type == "ce":
            return url_for("signoffs.ce_review")
        return url_for("signoffs.queue" if _me().is_supervisor else "signoffs.verification")
    flash(f"Next waiting: {following.type_label.lower()} of {following.trainee_name}.", "info")
    return url_for("signoffs.entry", entry_type=following.entry_type, entry_id=following.entry_id)


def _signer_key() -> str:
    return f"sign:{current_user.get_id()}"


@bp.post("/sign")
@allow(SupervisorOrStaff)
@counts("signing attempts")
@limiter.limit("20 per minute", key_func=_signer_key)  # bounds password guessing at signing
def sign():
    """Sign (or verify) the selected entries with one password; all or nothing."""
    form = SignForm()
    me = _me()
    if not second_factor.fresh(me):
        return second_factor.ask_again(_back(), "sign")
    keys = request.form.getlist("selected")[: MAX_BATCH + 1]
    if len(keys) > MAX_BATCH:
        flash(f"Sign at most {MAX_BATCH} entries at once.", "danger")
        return redirect(_back())
    parsed = [(raw, parse_key(raw)) for raw in keys]
    if any(key is None for _raw, key in parsed):
        abort(404)
    visible = queries.visible_entries((key for _raw, key in parsed), me)
    entries, shown = [], {}
    for raw, key in parsed:
        entry = or_404(visible.get(key))
        entries.append(entry)
        # The content hash the page showed beside the entry (the service compares it).
        shown[key_of(entry)] = request.form.get(f"hash:{raw}", "")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.password.errors) or "Enter your password to sign.", "danger")
        return redirect(_back())
    try:
        signatures = services.sign(entries, me, form.password.data, shown)
    except services.BatchRefused as refused:
        refuse(refused)
        for label, message in refused.problems:
            flash(f"{label}: {message}", "danger")
        return redirect(_back())
    except Refused as error:
        if error.field == "password":
            current_app.logger.warning("signature refused for user %s: wrong password", me.id)
        refuse(error)
        return redirect(_back())
    count = len(signatures)
    flash(f"Signed {count} entr{'y' if count == 1 else 'ies'}.", "success")
    return redirect(_after_signing(entries))


@bp.post("/<entry_type>/<int:entry_id>/return")
@allow(SupervisorOrStaff)
def return_entry(entry_type: str, entry_id: int):
    """Send this one entry back to the trainee with a question (a CE entry: reject it with a
    reason)."""
    if entry_type == "ce":
        done, back = "Rejected: the holder sees your reason.", url_for("signoffs.ce_review")
    else:
        done = "Returned to the trainee with your question."
        back = url_for("signoffs.queue" if _me().is_supervisor else "signoffs.verification")
    return _entry_act(
        _visible_or_404(entry_type, entry_id),
        _question_form(entry_type),
        "question_form",
        lambda item, form: services.return_with_question(item, _me(), form.body.data),
        done,
        back,
    )


@bp.post("/<entry_type>/<int:entry_id>/reopen")
@allow(Staff)
def reopen(entry_type: str, entry_id: int):
    """Staff reopen a signed record with a written reason; the signature is voided."""
    return _entry_act(
        _visible_or_404(entry_type, entry_id),
        ReopenForm(),
        "reopen_form",
        lambda item, form: services.reopen(item, _me(), form.reason.data),
        "Reopened: the signature is voided and the entry waits for sign-off.",
        url_for("signoffs.entry", entry_type=entry_type, entry_id=entry_id),
    )


def _entry_act(item, form, form_name: str, action, done: str, back: str):
    """Act on the entry with the form's text; a form that does not validate is shown again on
    the entry's page (as `form_name`), a stale one is a 400."""
    page = save(form, lambda: action(item, form), done, back)
    _stale_form_is_400(form)
    return page or _entry_page(item, **{form_name: form}, status=422)


def _stale_form_is_400(form) -> None:
    if form.csrf_token.errors:
        abort(400)


# -- the trainee's side of the thread -------------------------------------------------------------


def _owned_or_404(entry_type: str, entry_id: int) -> Entry:
    return owned_or_404(or_404(ENTRY_MODELS.get(entry_type)), entry_id, trainee_id=current_user.id)


def _trainee_page(entry_type: str, entry_id: int) -> str:
    if entry_type == "session":
        return url_for("supervision.view_session", session_id=entry_id)
    return url_for("signoffs.mine", entry_type=entry_type, entry_id=entry_id)


@bp.get("/mine/<entry_type>/<int:entry_id>")
@allow(Trainee)
def mine(entry_type: str, entry_id: int):
    """The trainee's own hours or CE entry with its signature and question thread."""
    item = _owned_or_404(entry_type, entry_id)
    if entry_type == "session":
        return redirect(_trainee_page(entry_type, entry_id))
    return render_template(
        "signoffs/mine.html",
        entry=item,
        entry_type=entry_type,
        type_label=ENTRY_TYPE_LABELS[entry_type],
        info=queries.signoff_info(item),
        form=AnswerForm(),
        may_edit=entry_type == "ce" and lock_problem(item) is None,
    )


@bp.post("/mine/<entry_type>/<int:entry_id>/answer")
@allow(Trainee)
def answer(entry_type: str, entry_id: int):
    """The trainee answers the question on their returned entry."""
    item = _owned_or_404(entry_type, entry_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(item, _me(), form.body.data)
        except Refused as error:
            refuse(error)
        else:
            flash(
                "Answer saved: the entry waits for staff review again."
                if entry_type == "ce"
                else "Answer saved. Change the entry if needed, then submit it again.",
                "success",
            )
    elif form.csrf_token.errors:
        abort(400)
    elif form.body.findings:
        return _answer_again(item, entry_type, form)
    else:
        flash(" ".join(form.body.errors), "danger")
    return redirect(_trainee_page(entry_type, entry_id))


def _answer_again(item: Entry, entry_type: str, form: AnswerForm) -> str:
    """The entry's page again with the answer, its marked passages and the confirmation box:
    nothing is stored until the trainee removes them or confirms."""
    if entry_type == "session":
        return render_template(
            "supervision/session.html",
            session=item,
            signoff=signoff_reader.signoffs_of("session", [item])[item.id],
            confirm=TrackerForm(),
            answer_form=form,
        )
    return render_template(
        "signoffs/mine.html",
        entry=item,
        entry_type=entry_type,
        type_label=ENTRY_TYPE_LABELS[entry_type],
        info=queries.signoff_info(item),
        form=form,
    )


# -- staff: supervisors' own credentials ----------------------------------------------------------


@bp.get("/supervisors")
@allow(Staff)
def supervisors():
    """Every supervisor with whether they can sign today; those who cannot come first."""
    return render_template(
        "signoffs/supervisors.html", standings=queries.supervisor_standings(utcnow().date())
    )


def _supervisor_or_404(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or not person.is_supervisor:
        abort(404)
    return person


@bp.route("/supervisors/<int:user_id>", methods=["GET", "POST"])
@allow(Staff)
def supervisor_credentials(user_id: int):
    """Record and verify a supervisor's own licence and insurance."""
    person = _supervisor_or_404(user_id)
    licence_form = SupervisorLicenceForm(prefix="licence")
    insurance_form = SupervisorInsuranceForm(prefix="insurance")
    today = utcnow().date()
    kind = request.form.get("kind") if request.method == "POST" else None
    form = {"licence": licence_form, "insurance": insurance_form}.get(kind or "")
    if request.method == "POST" and form is None:
        abort(400)
    if form is not None and form.validate_on_submit():
        if kind == "licence":
            data = LicenceInput(
                licence_type=form.licence_type.data or "",
                number=form.number.data or "",
                jurisdiction=form.jurisdiction.data or "",
                expires_on=form.expires_on.data,
                issued_on=form.issued_on.data,
            )
        else:
            data = InsuranceInput(
                carrier=form.carrier.data or "",
                policy_number=form.policy_number.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                coverage=form.coverage.data or "",
            )
        try:
            services.record_supervisor_credential(
                person, _me(), kind, data, form.method.data, form.note.data or "", today
            )
        except Refused as error:
            refuse(error, form)
        else:
            flash(f"The {kind} is recorded and verified.", "success")
            return redirect(url_for("signoffs.supervisor_credentials", user_id=person.id))
    elif form is not None and form.csrf_token.errors:
        abort(400)
    return render_template(
        "signoffs/supervisor_credentials.html",
        person=person,
        licences=licences_of(person.id),
        insurances=insurances_of(person.id),
        licence_form=licence_form,
        insurance_form=insurance_form,
        problem=services.credential_problem(person.id, today=today),
        today=today,
    ), (422 if request.method == "POST" else 200)
