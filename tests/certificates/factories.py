"""Records the certificate tests build through the models: an admitted enrollment, waivers of
whole steps, a passed final assessment, and CE entries."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from tracker.accounts.models import User
from tracker.assessment.models import (
    CaseEvaluation,
    CompetencyEvaluation,
    CompetencyRating,
    ExamAttempt,
)
from tracker.certificates.models import Certificate
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment, Waiver
from tracker.extensions import db, utcnow
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.progress.requirements import RequirementSpec
from tracker.training.models import ContinuingEducation

TIMEZONE = "America/Los_Angeles"


def today() -> date:
    """Today in the test program's time zone."""
    return today_in(TIMEZONE)


def make_enrollment(trainee: User, program_name: str = "Pacific KAP Institute") -> Enrollment:
    """An admitted enrollment in a running cohort under the default online requirements."""
    program = Program(name=program_name, timezone=TIMEZONE)
    track = Track(program=program, name="Online", format="online", tuition_cents=450000)
    spec = RequirementSpec.default("online")
    requirements = RequirementSet(track=track, version=1, content=json.dumps(spec.to_dict()))
    cohort = Cohort(
        program=program,
        name="Cohort A",
        starts_on=today() - timedelta(days=300),
        ends_on=today() + timedelta(days=60),
    )
    db.session.add_all([program, track, requirements, cohort])
    db.session.flush()
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=track.id,
        cohort_id=cohort.id,
        requirement_set_id=requirements.id,
        status="admitted",
        submitted_at=utcnow() - timedelta(days=320),
        decided_at=utcnow() - timedelta(days=310),
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def waive_steps(enrollment: Enrollment, *steps: int) -> None:
    """Staff waivers of whole steps, as the waiver records hold them."""
    db.session.add_all(
        Waiver(enrollment_id=enrollment.id, target=f"step:{n}", reason="Equivalent training.")
        for n in steps
    )
    db.session.commit()


def pass_final_assessment(enrollment: Enrollment) -> None:
    """A passed exam, a passed case presentation and every competency rated 4."""
    spec = RequirementSpec.default("online")
    on = today() - timedelta(days=3)
    db.session.add(ExamAttempt(enrollment_id=enrollment.id, taken_on=on, score=92))
    db.session.add(CaseEvaluation(enrollment_id=enrollment.id, evaluated_on=on, result="passed"))
    evaluation = CompetencyEvaluation(enrollment_id=enrollment.id, evaluated_on=on)
    evaluation.ratings = [CompetencyRating(domain=d, rating=4) for d in spec.competency_domains]
    db.session.add(evaluation)
    db.session.commit()


def ready_enrollment(trainee: User, program_name: str = "Pacific KAP Institute") -> Enrollment:
    """An admitted enrollment with nothing left before the certificate."""
    enrollment = make_enrollment(trainee, program_name)
    waive_steps(enrollment, 1, 2, 3, 4, 5, 6, 7)
    pass_final_assessment(enrollment)
    return enrollment


def backdate(cert: Certificate, issued_on: date) -> None:
    """Move a certificate's issue date into the past (as if issued then)."""
    cert.issued_on = issued_on
    db.session.commit()


def add_ce(enrollment: Enrollment, on: date, kind: str, amount: str) -> None:
    """A CE record (credits or consultation hours) dated `on`."""
    db.session.add(
        ContinuingEducation(
            enrollment_id=enrollment.id,
            on=on,
            title="Course",
            provider="Provider",
            kind=kind,
            amount=Decimal(amount),
        )
    )
    db.session.commit()
