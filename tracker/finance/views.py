"""Staff keep the tuition ledger; trainees read their own ledger and receipts."""

from __future__ import annotations

import csv
import io
from datetime import datetime

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
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.core.csvexport import safe_cell as neutralise
from tracker.core.errors import Refused
from tracker.core.flow import or_404
from tracker.core.flow import save
from tracker.core.transaction import refuse
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.enrollments.queries import loaded_enrollment
from tracker.finance import queries
from tracker.finance import services
from tracker.finance.forms import ENTRY_FORMS
from tracker.finance.forms import ENTRY_TITLES
from tracker.finance.forms import MoneyEntryForm
from tracker.finance.forms import PaymentForm
from tracker.finance.forms import PlanForm
from tracker.finance.forms import TuitionForm
from tracker.finance.forms import VoidForm
from tracker.finance.forms import entry_forms
from tracker.finance.models import ENTRY_KINDS
from tracker.finance.models import KIND_LABELS
from tracker.finance.models import LedgerEntry
from tracker.lifecycle.queries import latest_withdrawal
from tracker.programs.services import format_dollars
from tracker.security.access import AnyOf
from tracker.security.access import Staff
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("finance", __name__, url_prefix="/finance")
TraineeOrStaff = AnyOf((Trainee, Staff))
navigation.register("Ledger", "finance.my_ledger", Trainee, order=40)
navigation.register("Ledgers", "finance.index", Staff, order=60)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"dollars": format_dollars, "kind_labels": KIND_LABELS, "local_day": _local_day}


def _local_day(moment: datetime, timezone: str | None) -> str:
    """A stored UTC time as the date it was where the program is."""
    local = local_time(moment, timezone)
    return local.date().isoformat() if local is not None else ""


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    return or_404(loaded_enrollment(enrollment_id))


def _visible_enrollment_or_404(enrollment_id: int) -> Enrollment:
    """Staff see every ledger; a trainee only their own (anyone else's id gives 404)."""
    enrollment = _enrollment_or_404(enrollment_id)
    if not current_user.is_staff and enrollment.trainee_id != current_user.id:
        abort(404)
    return enrollment


def _staff_page(enrollment: Enrollment, **forms):
    """Render the staff ledger page; `forms` replaces the blank form that was posted."""
    today = today_in(enrollment.program.timezone)
    page_forms = entry_forms(today=today)
    page_forms.update({k: v for k, v in forms.items() if k in ENTRY_KINDS})
    return render_template(
        "finance/ledger.html",
        enrollment=enrollment,
        lines=queries.ledger_lines(enrollment.id),
        summary=queries.ledger_summary(enrollment.id),
        plan=queries.active_plan(enrollment.id),
        tuition_charged=services.tuition_charged(enrollment.id),
        entry_forms=page_forms,
        entry_titles=ENTRY_TITLES,
        tuition_form=forms.get("tuition") or TuitionForm(formdata=None),
        plan_form=forms.get("plan") or PlanForm(formdata=None),
        today=today,
        withdrawal=latest_withdrawal(enrollment),
    )


# -- staff ------------------------------------------------------------------------------------


@bp.get("/")
@allow(Staff)
def index():
    """Enrollments that owe money or have an overdue instalment (or every enrollment)."""
    search = request.args.get("q", "")[:100]
    show_all = request.args.get("show") == "all"
    rows = queries.ledger_overview(search, owing_only=not show_all)
    return render_template(
        "finance/index.html", rows=rows, q=search, show_all=show_all, limit=queries.MAX_LISTED
    )


@bp.get("/enrollments/<int:enrollment_id>")
@allow(Staff)
def ledger(enrollment_id: int):
    """An enrollment's ledger: entries with a running balance, the plan and the forms."""
    return _staff_page(_enrollment_or_404(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/tuition")
@allow(Staff)
def charge_tuition(enrollment_id: int):
    """Charge the track's tuition in one click (a second time only with a reason)."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = TuitionForm()
    return save(
        form,
        lambda: services.charge_tuition(
            enrollment.id, current_user, again=form.again.data, reason=form.reason.data or ""
        ),
        lambda entry: f"Tuition of {format_dollars(entry.amount_cents)} charged.",
        url_for("finance.ledger", enrollment_id=enrollment.id),
    ) or _staff_page(enrollment, tuition=form)


@bp.post("/enrollments/<int:enrollment_id>/entries/<kind>")
@allow(Staff)
def add_entry(enrollment_id: int, kind: str):
    """Add a fee, payment, scholarship, discount or refund (the kind comes from the URL)."""
    if kind not in ENTRY_FORMS:
        abort(404)
    enrollment = _enrollment_or_404(enrollment_id)
    form = ENTRY_FORMS[kind](prefix=kind)
    if form.validate_on_submit():
        new = services.NewEntry(
            kind=kind,
            amount_cents=form.cents,
            description=form.description.data,
            posted_on=form.posted_on.data,
            method=form.method.data if isinstance(form, MoneyEntryForm) else None,
            reference=form.reference.data or "" if isinstance(form, MoneyEntryForm) else "",
            overpayment_confirmed=isinstance(form, PaymentForm) and form.overpayment_confirmed,
        )
        try:
            entry = services.record_entry(enrollment.id, new, current_user)
        except services.Overpayment as error:
            # Nothing is stored: the form comes back with the difference and a box to tick.
            refuse(error, form)
            if isinstance(form, PaymentForm):
                form.ask_to_confirm(new.amount_cents)
        except Refused as error:
            refuse(error, form)
        else:
            flash(
                f"{KIND_LABELS[kind]} of {format_dollars(entry.amount_cents)} recorded.", "success"
            )
            return redirect(url_for("finance.ledger", enrollment_id=enrollment.id))
    return _staff_page(enrollment, **{kind: form})


@bp.post("/enrollments/<int:enrollment_id>/plan")
@allow(Staff)
def create_plan(enrollment_id: int):
    """Set up a payment plan whose instalments add up to the balance outstanding."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            services.create_plan(enrollment.id, form.rows(), current_user)
        except Refused as error:
            refuse(Refused(error.message, "instalments"), form)
        else:
            flash("Payment plan saved.", "success")
            return redirect(url_for("finance.ledger", enrollment_id=enrollment.id))
    return _staff_page(enrollment, plan=form)


@bp.post("/enrollments/<int:enrollment_id>/plan/end")
@allow(Staff)
def end_plan(enrollment_id: int):
    """End the active payment plan (it stays on file)."""
    enrollment = _enrollment_or_404(enrollment_id)
    try:
        services.end_plan(enrollment.id, current_user)
    except Refused as error:
        refuse(error)
    else:
        flash("Payment plan ended.", "success")
    return redirect(url_for("finance.ledger", enrollment_id=enrollment.id))


@bp.route("/enrollments/<int:enrollment_id>/entries/<int:entry_id>/void", methods=["GET", "POST"])
@allow(Staff)
def void_entry(enrollment_id: int, entry_id: int):
    """Void an entry with a reason: a new entry takes it back; the original stays, marked VOID."""
    enrollment = _enrollment_or_404(enrollment_id)
    entry = or_404(queries.entry_on_ledger(enrollment.id, entry_id))
    form = VoidForm()
    back = url_for("finance.ledger", enrollment_id=enrollment.id)
    return save(
        form,
        lambda: services.void_entry(enrollment.id, entry.id, form.reason.data, current_user),
        lambda void: f"Entry no. {entry.id} is void: entry no. {void.id} takes it back.",
        back,
    ) or render_template(
        "finance/void.html",
        enrollment=enrollment,
        entry=queries.entry_on_ledger(enrollment.id, entry_id),
        voided_by=queries.void_of(entry_id),
        form=form,
    )


# -- shared by staff and the trainee ----------------------------------------------------------


@bp.get("/receipts/<int:entry_id>")
@allow(TraineeOrStaff)
def receipt(entry_id: int):
    """A printable receipt for one payment (its number is the entry's id)."""
    entry = queries.payment(entry_id)
    if entry is None:
        abort(404)
    if not current_user.is_staff and entry.enrollment.trainee_id != current_user.id:
        abort(404)
    return render_template(
        "finance/receipt.html",
        entry=entry,
        enrollment=entry.enrollment,
        voided_by=queries.void_of(entry.id),
    )


def _void_cell(entry: LedgerEntry, voided_by: LedgerEntry | None) -> str:
    """What the CSV says of a void or a voided entry."""
    if entry.is_void:
        return f"Void of entry {entry.voids_id}: {entry.reason}"
    if voided_by is not None:
        return f"VOID: voided by entry {voided_by.id} on {voided_by.posted_on.isoformat()}"
    return ""


def _plain(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@bp.get("/enrollments/<int:enrollment_id>/ledger.csv")
@allow(TraineeOrStaff)
def export_csv(enrollment_id: int):
    """The ledger as CSV; no cell can start a spreadsheet formula."""
    enrollment = _visible_enrollment_or_404(enrollment_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Entry",
            "Date",
            "Kind",
            "Description",
            "Method",
            "Reference",
            "Charge (USD)",
            "Credit (USD)",
            "Balance (USD)",
            "Recorded by",
            "Recorded at (UTC)",
            "Void",
        ]
    )
    for entry, balance, voided_by in queries.ledger_lines(enrollment.id):
        raises = entry.signed_cents > 0
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    entry.id,
                    entry.posted_on.isoformat(),
                    entry.kind_label,
                    entry.description,
                    entry.method_label,
                    entry.reference,
                    _plain(entry.amount_cents) if raises else "",
                    "" if raises else _plain(entry.amount_cents),
                    _plain(balance),
                    entry.recorded_by.full_name if entry.recorded_by else "",
                    entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    _void_cell(entry, voided_by),
                )
            ]
        )
    filename = f"ledger-enrollment-{enrollment.id}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


# -- the trainee ------------------------------------------------------------------------------


def _trainee_page(enrollment: Enrollment | None):
    if enrollment is None:
        return render_template("finance/my_ledger.html", enrollment=None)
    return render_template(
        "finance/my_ledger.html",
        enrollment=enrollment,
        lines=queries.ledger_lines(enrollment.id),
        summary=queries.ledger_summary(enrollment.id),
    )


@bp.get("/me")
@allow(Trainee)
def my_ledger():
    """The trainee's own ledger (current enrollment), read-only."""
    return _trainee_page(current_enrollment(current_user.id))


@bp.get("/me/<int:enrollment_id>")
@allow(Trainee)
def my_enrollment_ledger(enrollment_id: int):
    """The trainee's ledger of one of their enrollments; another person's id gives 404."""
    enrollment = loaded_enrollment(enrollment_id)
    if enrollment is None or enrollment.trainee_id != current_user.id:
        abort(404)
    return _trainee_page(enrollment)
