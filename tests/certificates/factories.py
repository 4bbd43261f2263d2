"""The certificate tests' builders: tracker.factories, committed for use between requests, in a
Los Angeles program."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.factories import assessment
from tracker.factories import certificates
from tracker.factories import committing
from tracker.factories import enrollments
from tracker.factories import training
from tracker.factories.certificates import TIMEZONE
from tracker.progress.requirements import RequirementSpec

make_enrollment = committing(certificates.admitted_long_ago)
ready_enrollment = committing(certificates.ready_enrollment)
backdate = committing(certificates.backdate)


def today() -> date:
    """Today in the test program's time zone."""
    return today_in(TIMEZONE)


@committing
def waive_steps(enrollment: Enrollment, *steps: int) -> None:
    """Staff waivers of whole steps, as the waiver records hold them."""
    enrollments.waive_steps(enrollment, *steps)


@committing
def pass_final_assessment(enrollment: Enrollment) -> None:
    """A passed exam, a passed case presentation and every competency rated 4."""
    domains = RequirementSpec.default("online").competency_domains
    assessment.pass_final_assessment(enrollment, today() - timedelta(days=3), domains)


@committing
def add_ce(enrollment: Enrollment, on: date, kind: str, amount: str) -> None:
    """A CE record (credits or consultation hours) dated `on`."""
    training.add_ce(enrollment, amount, kind, on=on, title="Course", provider="Provider")
