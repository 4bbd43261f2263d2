"""`flask remind`: each supervisor a digest of what waited longer than the program's limit, each
trainee their outstanding items; one digest per person per day however often it runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.signoffs.factories import waiting_session
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.signoffs.models import ReminderLog


def _by(outbox, email):
    return [m for m in outbox if m.to == email]


def test_supervisor_digest_lists_entries_over_the_limit(
    runner, mail_outbox, run_jobs, trainee, enrollment, supervisor
):
    old = waiting_session(enrollment, supervisor, days_ago=9, client_code="KC-OLD234")
    waiting_session(enrollment, supervisor, days_ago=2, client_code="KC-NEW234")
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert mail_outbox == []  # queued: the worker sends them
    run_jobs()
    mails = _by(mail_outbox, supervisor.email)
    assert len(mails) == 1
    assert "KC-OLD234" in mails[0].body and "waiting 9 days" in mails[0].body
    assert "KC-NEW234" not in mails[0].body
    assert "http://localhost/signoffs/" in mails[0].body
    assert old.id
    trainee_mails = _by(mail_outbox, trainee.email)
    assert len(trainee_mails) == 1 and "outstanding" in trainee_mails[0].subject.lower()


def test_nothing_over_the_limit_sends_the_supervisor_nothing(
    runner, mail_outbox, run_jobs, enrollment, supervisor
):
    waiting_session(enrollment, supervisor, days_ago=7)  # the limit is 7 days: not over it
    runner.invoke(args=["remind"])
    run_jobs()
    assert _by(mail_outbox, supervisor.email) == []


def test_running_twice_a_day_sends_one_digest_per_person(
    runner, mail_outbox, run_jobs, trainee, enrollment, supervisor
):
    waiting_session(enrollment, supervisor, days_ago=10)
    first = runner.invoke(args=["remind"])
    assert "2 queued for the worker to send, 0 skipped" in first.output
    run_jobs()
    second = runner.invoke(args=["remind"])
    assert "0 queued for the worker to send, 2 skipped" in second.output
    run_jobs()
    assert len(_by(mail_outbox, supervisor.email)) == 1
    assert len(_by(mail_outbox, trainee.email)) == 1
    logs = db.session.scalars(select(ReminderLog)).all()
    assert sorted(log.kind for log in logs) == ["supervisor_digest", "trainee_digest"]


def test_the_next_day_sends_again(runner, mail_outbox, run_jobs, enrollment, supervisor):
    waiting_session(enrollment, supervisor, days_ago=10)
    today = utcnow().date()
    runner.invoke(args=["remind", "--date", today.isoformat()])
    tomorrow = (today + timedelta(days=1)).isoformat()
    result = runner.invoke(args=["remind", "--date", tomorrow])
    assert "2 queued" in result.output
    run_jobs()
    assert len(_by(mail_outbox, supervisor.email)) == 2


def test_a_bad_date_is_refused(runner):
    result = runner.invoke(args=["remind", "--date", "27/11/2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
