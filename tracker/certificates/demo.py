"""Demo records of certificates: a graduate of an earlier cohort, certified a little over two
years ago, whose first renewal cycle of continuing education is met and whose current one is
under way, so the certificate, its verification page and the renewal cycle have something real
to show.

`add_demo(context, summary)` takes what the demo built so far (`tracker.demo.data.DemoContext`)
and adds its own trainee, enrollment and records; it touches no one else's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.assessment.models import (
    CaseEvaluation,
    CompetencyEvaluation,
    CompetencyRating,
    ExamAttempt,
)
from tracker.audit.services import audited, record
from tracker.certificates.models import Certificate
from tracker.certificates.queries import verification_url
from tracker.certificates.services import format_number, new_verification_code
from tracker.enrollments.models import Enrollment, Waiver
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.progress.certification_rules import add_months
from tracker.training.models import ContinuingEducation

EMAIL = "graduate@example.org"
NAME = "Dr. Elena Vasquez"
WAIVER_REASON = (
    "Trained and assessed in the program before it kept records in the tracker; the paper "
    "records were reviewed by staff and are on file."
)


def _moment(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def add_demo(context: Any, summary: Any) -> None:
    """Three graduates: valid (renewal under way), lapsed (first cycle unmet), revoked."""
    valid = _graduate(context, summary, EMAIL, NAME, continuing_education=True)
    _graduate(
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
    revoked.revoked_at = _moment(context.today - timedelta(days=12))
    revoked.revoked_by_id = context.staff.id
    revoked.revocation_reason = "Licence surrendered to the board; certificate withdrawn."
    db.session.flush()
    trainee_id = db.session.get(Enrollment, revoked.enrollment_id).trainee_id
    record(
        "certificate.revoked",
        revoked,
        after={"revoked": True},
        actor_id=context.staff.id,
        subject_user_id=trainee_id,
    )
    summary.notes.append(
        f"Valid certificate: {valid.number} (last name Vasquez) verifies at "
        f"{verification_url(valid.verification_code)}"
    )


def _graduate(
    context: Any, summary: Any, email: str, name: str, *, continuing_education: bool, note: str = ""
) -> Certificate:
    """A graduate certified 26 months ago, with or without the first cycle's CE."""
    today: date = context.today
    issued_on = add_months(today, -26)
    track = context.tracks["online"]
    spec = track.current_requirements.spec
    graduate = User(
        email=email,
        full_name=name,
        password_hash=hash_password(summary.password),
        is_trainee=True,
    )
    cohort = Cohort(
        program=context.program,
        name=f"Autumn (earlier cohort) {email.split('@')[0]}",
        starts_on=issued_on - timedelta(days=300),
        ends_on=issued_on - timedelta(days=20),
    )
    db.session.add_all([graduate, cohort])
    db.session.flush()
    enrollment = Enrollment(
        trainee_id=graduate.id,
        program_id=context.program.id,
        track_id=track.id,
        cohort_id=cohort.id,
        requirement_set_id=track.current_requirements.id,
        status="admitted",
        created_at=_moment(cohort.starts_on - timedelta(days=60)),
        submitted_at=_moment(cohort.starts_on - timedelta(days=45)),
        decided_at=_moment(cohort.starts_on - timedelta(days=30)),
        decided_by_id=context.staff.id,
    )
    db.session.add(enrollment)
    db.session.flush()
    for step in range(1, 8):
        waiver = Waiver(
            enrollment_id=enrollment.id,
            target=f"step:{step}",
            reason=WAIVER_REASON,
            granted_by_id=context.staff.id,
        )
        db.session.add(waiver)
        db.session.flush()
        record(
            "waiver.granted",
            waiver,
            after={"target": waiver.target},
            actor_id=context.staff.id,
            subject_user_id=graduate.id,
        )
    assessed_on = issued_on - timedelta(days=14)
    db.session.add_all(
        [
            ExamAttempt(
                enrollment_id=enrollment.id,
                taken_on=assessed_on,
                score=88,
                recorded_by_id=context.staff.id,
            ),
            CaseEvaluation(
                enrollment_id=enrollment.id,
                evaluated_on=assessed_on,
                result="passed",
                evaluator_id=context.supervisors[0].id,
            ),
        ]
    )
    evaluation = CompetencyEvaluation(
        enrollment_id=enrollment.id,
        evaluated_on=assessed_on,
        evaluator_id=context.supervisors[0].id,
    )
    evaluation.ratings = [CompetencyRating(domain=d, rating=3) for d in spec.competency_domains]
    db.session.add(evaluation)
    code = new_verification_code()
    cert = Certificate(
        enrollment_id=enrollment.id,
        number=f"pending-{code[:24]}",
        verification_code=code,
        printed_name=name,
        program_name=context.program.name,
        issued_on=issued_on,
        issued_by_id=context.staff.id,
        created_at=_moment(issued_on),
    )
    db.session.add(cert)
    db.session.flush()
    cert.number = format_number(issued_on.year, cert.id)
    db.session.flush()
    record(
        "certificate.issued",
        cert,
        after=audited(cert),
        actor_id=context.staff.id,
        subject_user_id=graduate.id,
    )
    if continuing_education:
        _continuing_education(enrollment, issued_on, today, spec)
    summary.accounts.append(
        (email, "trainee", note or "certified graduate, renewal cycle under way")
    )
    return cert


def _continuing_education(enrollment: Enrollment, issued_on: date, today: date, spec) -> None:
    """The first cycle met in full; the current one under way."""
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
        item = ContinuingEducation(
            enrollment_id=enrollment.id,
            on=on,
            title=title,
            provider="Pacific KAP Institute",
            kind=kind,
            amount=amount,
        )
        db.session.add(item)
        db.session.flush()
        record(
            "ce.logged",
            item,
            after={"kind": kind, "on": on, "amount": item.amount},
            actor_id=enrollment.trainee_id,
            subject_user_id=enrollment.trainee_id,
        )
