"""The certificate as the progress engine sees it: read in one query for any number of
enrollments; an issued certificate completes step 8 and starts step 9."""

from __future__ import annotations

from sqlalchemy import select

from tests.certificates.factories import ready_enrollment
from tracker.certificates.facts import certificate_facts
from tracker.certificates.queries import progress_of
from tracker.enrollments.models import Enrollment
from tracker.progress import Certificate
from tracker.progress import StepStatus


def test_one_query_for_many_enrollments(app, create_user, issue, count_queries):
    enrollments = [ready_enrollment(create_user("trainee"), f"Program {n}") for n in range(3)]
    certs = [issue(e) for e in enrollments[:2]]
    with count_queries() as counter:
        found = certificate_facts(select(Enrollment.id))
    assert counter.count == 1
    assert set(found) == {e.id for e in enrollments[:2]}
    fact = found[enrollments[0].id]["certificate"]
    assert fact == Certificate(
        issued_on=certs[0].issued_on, expires_on=None, revoked=False, number=certs[0].number
    )


def test_the_engine_sees_the_issued_certificate(app, ready, issue):
    _, before = progress_of(ready.id)
    assert before.ready_for_certificate
    assert before.certificate_status is None
    issue(ready)
    loaded, after = progress_of(ready.id)
    assert loaded.facts.certificate is not None
    assert not after.ready_for_certificate
    assert after.step(8).status == StepStatus.COMPLETE
    assert after.certificate_status == "valid"
