"""Demo records of certificates: a graduate of an earlier cohort, certified a little over two
years ago, whose first renewal cycle of continuing education is met and whose current one is
under way, so the certificate, its verification page and the renewal cycle have something real
to show; beside it a lapsed certificate (its lapse stored by the renewal rule), a revoked one,
and one revoked by mistake and reinstated (the same number and code, the history showing both).

`add_demo(context, summary)` takes what the demo built so far (`tracker.demo.data.DemoContext`)
and adds its own trainee, enrollment and records (with tracker.factories; each cohort through the
program services); it touches no one else's.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from tracker.accounts.passwords import hash_password
from tracker.audit.services import record
from tracker.certificates.jobs import record_rule_changes
from tracker.certificates.models import Certificate
from tracker.certificates.queries import address_of
from tracker.enrollments.models import Enrollment
from tracker.factories import at
from tracker.factories.accounts import make_user
from tracker.factories.assessment import pass_final_assessment
from tracker.factories.certificates import STEPS_BEFORE_ASSESSMENT
from tracker.factories.certificates import issued_on_day
from tracker.factories.certificates import reinstated_at
from tracker.factories.certificates import revoked_at
from tracker.factories.documents import uploaded_pdf
from tracker.factories.enrollments import applied
from tracker.factories.enrollments import waive_steps
from tracker.factories.signoffs import approve_ce
from tracker.factories.signoffs import reject_ce
from tracker.factories.training import add_ce
from tracker.programs.services import add_cohort
from tracker.progress.certification_rules import add_months

EMAIL = "graduate@example.org"
NAME = "Dr. Elena Vasquez"
WAIVER_REASON = (
    "Trained and assessed in the program before it kept records in the tracker; the paper "
    "records were reviewed by staff and are on file."
)


def add_demo(context: Any, summary: Any) -> None:
    """Four graduates: valid (renewal under way), lapsed (first cycle unmet, the lapse stored
    by the rule), revoked, and reinstated (revoked by mistake, then reinstated)."""
    valid = _graduate(context, summary, EMAIL, NAME, continuing_education=True)
    lapsed = _graduate(
        context,
        summary,
        "lapsed@example.org",
        "Dr. Marcus Bell",
        continuing_education=False,
        note="certificate lapsed: first CE cycle unmet",
    )
    revoked = _graduate(
        context,
        summary,
        "revoked@example.org",
        "Dr. Ivy Tran",
        continuing_education=True,
        note="certificate revoked",
    )
    revoked_at(
        revoked,
        context.staff,
        at(context.today - timedelta(days=12)),
        "Licence surrendered to the board; certificate withdrawn.",
    )
    reinstated = _graduate(
        context,
        summary,
        "reinstated@example.org",
        "Dr. Samuel Okafor",
        continuing_education=True,
        note="certificate revoked by mistake, then reinstated",
    )
    revoked_at(
        reinstated,
        context.staff,
        at(context.today - timedelta(days=9)),
        "Recorded against the wrong graduate: the licence surrendered was another's.",
    )
    reinstated_at(
        reinstated,
        context.staff,
        at(context.today - timedelta(days=8)),
        "Revoked by mistake: the surrendered licence belongs to another graduate.",
    )
    # The lapse the renewal rule found, stored as the worker would have stored it.
    record_rule_changes([lapsed.id])
    summary.notes.append(
        f"Valid certificate: {valid.number} (last name Vasquez) verifies at {address_of(valid)}"
    )
    summary.notes.append(
        f"Valid certificate's Open Badges credential: {address_of(valid)}/credential.json"
    )
    summary.notes.append(f"Lapsed certificate: {lapsed.number} verifies at {address_of(lapsed)}")
    summary.notes.append(f"Revoked certificate: {revoked.number} verifies at {address_of(revoked)}")
    summary.notes.append(
        f"Reinstated certificate: {reinstated.number} verifies at {address_of(reinstated)}"
    )
    summary.notes.append(
        "CE review: Dr. Elena Vasquez has 2 CE entries waiting in the staff's CE review queue and "
        "one rejected with a reason she can answer."
    )


def _graduate(
    context: Any, summary: Any, email: str, name: str, *, continuing_education: bool, note: str = ""
) -> Certificate:
    """A graduate certified 26 months ago, with or without the first cycle's CE."""
    today: date = context.today
    staff = context.staff
    issued_on = add_months(today, -26)
    track = context.tracks["online"]
    spec = track.current_requirements.spec
    graduate = make_user(email, name, ("trainee",), hash_password(summary.password))
    cohort = add_cohort(
        context.program,
        f"Autumn (earlier cohort) {email.split('@')[0]}",
        issued_on - timedelta(days=300),
        issued_on - timedelta(days=20),
        staff,
        today,
    )
    enrollment = applied(
        graduate,
        track,
        cohort,
        "admitted",
        today,
        staff,
        submitted_on=cohort.starts_on - timedelta(days=45),
        decided_on=cohort.starts_on - timedelta(days=30),
        created_at=at(cohort.starts_on - timedelta(days=60)),
    )
    for waiver in waive_steps(
        enrollment, *STEPS_BEFORE_ASSESSMENT, reason=WAIVER_REASON, staff=staff
    ):
        record(
            "waiver.granted",
            waiver,
            after={"target": waiver.target},
            actor_id=staff.id,
            subject_user_id=graduate.id,
        )
    pass_final_assessment(
        enrollment,
        issued_on - timedelta(days=14),
        spec.competency_domains,
        score=88,
        rating=3,
        recorded_by=staff,
        evaluator=context.supervisors[0],
    )
    cert = issued_on_day(enrollment, name, context.program.name, issued_on, staff)
    if continuing_education:
        _continuing_education(enrollment, issued_on, today, spec, staff)
    summary.accounts.append(
        (email, "trainee", note or "certified graduate, renewal cycle under way")
    )
    return cert


def _continuing_education(
    enrollment: Enrollment, issued_on: date, today: date, spec, staff
) -> None:
    """The first cycle met in full and approved by staff; the current one under way, with two
    entries waiting in the staff's CE review queue and one rejected with a reason."""
    quarter = Decimal("0.25")
    first_half = (spec.ce_credits_per_cycle / 2).quantize(quarter)
    second_cycle = add_months(issued_on, spec.ce_cycle_months)
    entries = [
        ("ce", 90, "Ketamine pharmacology update", first_half),
        ("ce", 400, "Trauma-informed integration", spec.ce_credits_per_cycle - first_half),
        ("consultation", 200, "Peer consultation group", spec.consultation_hours_per_cycle),
    ]
    dated = [
        (kind, issued_on + timedelta(days=d), title, amount) for kind, d, title, amount in entries
    ]
    dated.append(
        (
            "ce",
            min(second_cycle + timedelta(days=20), today),
            "Ethics in psychedelic care",
            Decimal(4),
        )
    )
    for kind, on, title, amount in dated:
        if amount <= 0:
            continue
        item = _logged_ce(enrollment, kind, on, title, amount)
        approve_ce(item, staff, at(min(on + timedelta(days=3), today)))
    # Waiting for review in the current cycle (the queue shows their ages).
    for kind, days_ago, title, amount in (
        ("ce", 9, "Integration circles: facilitation skills", Decimal(3)),
        ("consultation", 4, "Monthly KAP peer consultation", Decimal("1.5")),
    ):
        _logged_ce(enrollment, kind, today - timedelta(days=days_ago), title, amount)
    rejected = _logged_ce(
        enrollment, "ce", today - timedelta(days=15), "Mindfulness for clinicians", Decimal(6)
    )
    reject_ce(
        rejected,
        staff,
        "The attached certificate shows 3 credits, not 6, and does not name an accredited "
        "provider. Please attach the provider's certificate or correct the credits.",
        at(today - timedelta(days=2), 11),
    )


def _logged_ce(enrollment: Enrollment, kind: str, on: date, title: str, amount: Decimal):
    """A CE entry as the holder submitted it, with its certificate of attendance, drawn for
    review (the demo program reviews every entry)."""
    evidence = uploaded_pdf(enrollment.trainee, "certificate-of-attendance.pdf")
    item = add_ce(
        enrollment,
        str(amount),
        kind,
        status="pending",
        on=on,
        title=title,
        provider="Pacific KAP Institute",
        file_id=evidence.id,
        created_at=at(on),
        updated_at=at(on),
    )
    record(
        "ce.logged",
        item,
        after={"kind": kind, "on": on, "amount": item.amount, "status": "pending"},
        actor_id=enrollment.trainee_id,
        subject_user_id=enrollment.trainee_id,
    )
    return item
