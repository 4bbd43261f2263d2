"""Digests and queues follow an enrollment's life: a withdrawn trainee gets no digest and their
waiting entries leave the supervisor's digest and queue; a trainee on leave gets no digest."""

from __future__ import annotations

from datetime import timedelta

from tests.signoffs.factories import waiting_session
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.lifecycle import services
from tracker.signoffs.queries import waiting_entries

REASON = "Recorded for the digest tests."


def _today():
    return today_in("UTC")


def _digests(runner, run_jobs, mail_outbox, email):
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    run_jobs()
    return [m for m in mail_outbox if m.to == email and "outstanding" in m.subject.lower()]


def test_withdrawn_trainee_and_their_entries_leave_the_digests(
    runner, mail_outbox, run_jobs, trainee, enrollment, supervisor, staff
):
    """Withdrawn: no trainee digest, no supervisor digest, nothing in the queue; the entry is
    kept."""
    waiting_session(enrollment, supervisor, days_ago=9, client_code="KC-OLD234")
    services.withdraw(enrollment, staff, _today(), "voluntary", REASON)
    db.session.commit()
    assert waiting_entries(None) == []
    runner.invoke(args=["remind"])
    run_jobs()
    assert [m for m in mail_outbox if m.to in (trainee.email, supervisor.email)] == [
        m for m in mail_outbox if "withdrawn" in m.subject
    ]


def test_a_readmitted_trainee_is_back_in_the_queue(enrollment, supervisor, staff):
    """Readmission puts the waiting entry back before the supervisor."""
    waiting_session(enrollment, supervisor, days_ago=9, client_code="KC-OLD234")
    services.withdraw(enrollment, staff, _today(), "voluntary", REASON)
    db.session.commit()
    services.readmit(enrollment, staff, _today(), REASON)
    db.session.commit()
    assert len(waiting_entries(None)) == 1


def test_trainee_on_leave_gets_no_digest(
    runner, mail_outbox, run_jobs, trainee, enrollment, supervisor, staff
):
    """On leave: no digest for the trainee; the supervisor's own overdue sign-off still comes."""
    waiting_session(enrollment, supervisor, days_ago=9, client_code="KC-OLD234")
    services.start_leave(
        enrollment, staff, _today() - timedelta(days=3), _today() + timedelta(days=30), REASON
    )
    db.session.commit()
    assert _digests(runner, run_jobs, mail_outbox, trainee.email) == []
    assert [m for m in mail_outbox if m.to == supervisor.email]
