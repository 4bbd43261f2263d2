"""The standing tests' builders: an enrollment holding a record of every kind the engine reads,
committed for use between requests."""

from __future__ import annotations

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories import added
from tracker.factories import committing
from tracker.factories import day
from tracker.factories.applications import add_document
from tracker.factories.applications import add_reference
from tracker.factories.applications import answer
from tracker.factories.assessment import add_case_evaluation
from tracker.factories.assessment import add_exam
from tracker.factories.assessment import rate_competencies
from tracker.factories.certificates import issued_on_day
from tracker.factories.eligibility import add_attestation
from tracker.factories.eligibility import add_insurance
from tracker.factories.eligibility import add_licence
from tracker.factories.eligibility import add_screening
from tracker.factories.enrollments import assign
from tracker.factories.enrollments import make_enrollment
from tracker.factories.enrollments import waive_steps
from tracker.factories.finance import plan_as_agreed
from tracker.factories.finance import tuition_charged_on
from tracker.factories.supervision import add_presentation
from tracker.factories.supervision import add_session
from tracker.factories.training import add_ce
from tracker.factories.training import add_didactic
from tracker.factories.training import add_experiential
from tracker.lifecycle.models import EnrollmentChange
from tracker.progress.requirements import COMPETENCY_DOMAINS
from tracker.progress.requirements import DEFAULT_SCENARIOS


@committing
def with_every_record(
    trainee: User, staff: User, supervisor: User, *, pin: bool = True
) -> Enrollment:
    """An admitted enrollment of `trainee` on the alternative pathway, with at least one record
    of every kind the progress engine reads (two of most): a supervisor, a waiver that ends, a
    leave it came back from, a payment plan and a certificate among them. Its requirement set
    is pinned unless told (then it is judged against its track's newest)."""
    enrollment = make_enrollment(
        trainee, cohort_started_days_ago=400, decided_days_ago=350, pin=pin
    )
    enrollment.pathway = "alternative_approved"
    add_licence(trainee, verified=True)
    add_licence(trainee, licence_type="LMFT", number="MFT-1")
    add_insurance(trainee, verified=True)
    add_attestation(trainee)
    add_screening(trainee, "cleared")
    add_document(enrollment, "cv", "accepted")
    add_document(enrollment, "personal_statement")
    add_reference(enrollment)
    add_reference(enrollment, name="Sam Second")
    for code, _prompt in DEFAULT_SCENARIOS[:2]:
        answer(enrollment, code)
    add_didactic(enrollment, "2.5", "verified")
    add_didactic(enrollment, "1.25")
    add_experiential(enrollment, "3", "verified")
    add_experiential(enrollment, "0.75")
    add_ce(enrollment, "3")
    add_ce(enrollment, "1", kind="consultation", status="pending")
    add_session(enrollment, "draft")
    add_session(enrollment, "draft", on=day(-20))
    add_presentation(enrollment, day(-30), "A case")
    tuition_charged_on(enrollment, day(-300), staff)
    plan_as_agreed(enrollment, staff, [(day(-200), 200_000), (day(-100), 250_000)])
    add_exam(enrollment, day(-50), 60)
    add_exam(enrollment, day(-10), 91)
    add_case_evaluation(enrollment, day(-9))
    rate_competencies(enrollment, day(-8), COMPETENCY_DOMAINS, 4)
    (waiver,) = waive_steps(enrollment, 4, staff=staff)
    waiver.ends_on = day(30)
    assign(enrollment, supervisor)
    leave = added(
        EnrollmentChange(
            enrollment_id=enrollment.id,
            kind="leave",
            effective_on=day(-90),
            expected_return_on=day(-60),
            reason="Family leave.",
        )
    )
    added(
        EnrollmentChange(
            enrollment_id=enrollment.id,
            kind="returned",
            effective_on=day(-70),
            leave_id=leave.id,
            reason="Back early.",
        )
    )
    issued_on_day(enrollment, trainee.full_name, enrollment.program.name, day(-1), staff)
    db.session.flush()
    return enrollment
