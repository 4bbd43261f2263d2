"""The worker: each due job runs exactly once however many workers claim at the same time; a
failing job is retried later and later, then given up and kept; the job of a worker that died is
taken over after its lease; stale progress snapshots are refreshed between jobs; `flask worker`
stops cleanly on SIGTERM and Ctrl-C, and `flask worker --once` runs what is due and exits."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import is_postgres
from tests.training.factories import make_enrollment
from tracker import PROJECT_ROOT
from tracker.core.clock import today_in
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs import services
from tracker.jobs.models import Job
from tracker.jobs.services import LEASE
from tracker.jobs.services import enqueue
from tracker.jobs.services import retry_delay
from tracker.jobs.services import run_due
from tracker.jobs.services import tidy_jobs
from tracker.standing.snapshots import refresh


def _job() -> Job:
    """The one job, as stored now."""
    db.session.rollback()
    return db.session.scalars(select(Job)).one()


def _queued(kind: str = "test.note", **payload: object) -> None:
    enqueue(kind, payload)
    db.session.commit()


# -- retries ---------------------------------------------------------------------------------------


def test_a_failing_job_is_retried_later_and_later_until_it_succeeds(app, recorder):
    recorder.failures_left = 2
    _queued("test.flaky", n=1)
    start = utcnow() + timedelta(seconds=1)
    assert run_due(now=start).retried == 1
    job = _job()
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.last_error == "ConnectionError: the mail server hung up"
    assert job.run_after == start + timedelta(seconds=30)
    assert run_due(now=start + timedelta(seconds=29)).total == 0  # not yet
    assert run_due(now=start + timedelta(seconds=30)).retried == 1
    assert _job().run_after == start + timedelta(seconds=90)  # then twice as long
    assert run_due(now=start + timedelta(seconds=90)).done == 1
    job = _job()
    assert (job.status, job.attempts, job.locked_until) == ("done", 3, None)
    assert job.finished_at == start + timedelta(seconds=90)
    assert recorder.ran == [{"n": 1}]


def test_the_wait_doubles_up_to_an_hour():
    waits = [retry_delay(attempts).total_seconds() for attempts in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_job_that_keeps_failing_is_given_up_and_kept(app, recorder, monkeypatch, caplog):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 3)
    recorder.failures_left = 99
    _queued("test.flaky", n=1)
    moment = utcnow() + timedelta(seconds=1)
    outcomes = []
    for _ in range(3):
        ran = run_due(now=moment)
        outcomes.append((ran.retried, ran.failed))
        moment += timedelta(hours=2)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    job = _job()
    assert (job.status, job.attempts) == ("failed", 3)
    assert "the mail server hung up" in job.last_error
    assert job.finished_at is not None
    assert run_due(now=moment + timedelta(days=30)).total == 0  # kept, never run again
    assert recorder.ran == []
    assert "giving up" in caplog.text


# -- leases ----------------------------------------------------------------------------------------


def test_the_job_of_a_worker_that_died_is_taken_over_after_its_lease(app, recorder):
    _queued(n=1)
    start = utcnow() + timedelta(seconds=1)
    claim = services._claim(start)  # a worker takes it, then dies before finishing
    assert claim is not None and claim.attempts == 1
    assert run_due(now=start + timedelta(minutes=1)).total == 0  # its lease still holds
    assert run_due(now=start + LEASE + timedelta(seconds=1)).done == 1
    job = _job()
    assert (job.status, job.attempts) == ("done", 2)
    assert recorder.ran == [{"n": 1}]


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_next_claim(app, recorder, caplog):
    _queued(n=1)
    start = utcnow() + timedelta(seconds=1)
    first = services._claim(start)
    second = services._claim(start + LEASE + timedelta(seconds=1))
    assert first.id == second.id and second.attempts == 2
    caplog.set_level(logging.WARNING)
    assert not services._mark(first, status="done")
    assert (_job().status, _job().attempts) == ("running", 2)
    assert "lease ran out" in caplog.text


def test_tidying_fails_abandoned_jobs_and_deletes_old_finished_ones(app):
    now = utcnow()
    past = now - timedelta(minutes=1)
    rows = {
        "abandoned": Job(
            kind="mail", payload={}, status="running", attempts=services.MAX_ATTEMPTS,
            locked_until=past, run_after=past,
        ),
        "leased": Job(
            kind="mail", payload={}, status="running", attempts=1,
            locked_until=now + LEASE, run_after=past,
        ),
        "old": Job(
            kind="mail", payload={}, status="done", attempts=1, run_after=past,
            finished_at=now - timedelta(days=8),
        ),
        "recent": Job(
            kind="mail", payload={}, status="done", attempts=1, run_after=past,
            finished_at=now - timedelta(days=1),
        ),
        "failed": Job(
            kind="mail", payload={}, status="failed", attempts=10, run_after=past,
            finished_at=now - timedelta(days=90),
        ),
    }  # fmt: skip
    db.session.add_all(rows.values())
    db.session.commit()
    ids = {name: job.id for name, job in rows.items()}
    assert tidy_jobs() == 2
    db.session.rollback()
    left = dict(db.session.execute(select(Job.id, Job.status)).tuples().all())
    assert left == {
        ids["abandoned"]: "failed",
        ids["leased"]: "running",
        ids["recent"]: "done",
        ids["failed"]: "failed",
    }
    assert "stopped during the last attempt" in db.session.get(Job, ids["abandoned"]).last_error


# -- several workers -------------------------------------------------------------------------------


def test_workers_claiming_at_the_same_time_run_each_job_once(app, monkeypatch):
    ran: list[tuple[int, str]] = []
    lock = threading.Lock()

    def slow(payload: dict) -> None:
        time.sleep(0.005)  # long enough for the others to claim meanwhile
        with lock:
            ran.append((payload["n"], threading.current_thread().name))

    monkeypatch.setitem(services.HANDLERS, "test.slow", slow)
    for n in range(60):
        enqueue("test.slow", {"n": n})
    db.session.commit()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                run_due()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, name=f"worker-{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(n for n, _ in ran) == list(range(60))  # every job, none twice
    assert len({name for _, name in ran}) >= 2  # they did run side by side
    db.session.rollback()
    assert set(db.session.execute(select(Job.status, Job.attempts)).tuples()) == {("done", 1)}


def _env(database_url: str, folder: Path) -> dict[str, str]:
    """The environment of a `flask worker` process on this test's database, keeping its mail
    as files in `folder`/outbox."""
    return {
        **os.environ,
        "TRACKER_ENV": "development",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(folder),
        "MAIL_BACKEND": "outbox",
        "PUBLIC_BASE_URL": "http://localhost",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
    }


FLASK_WORKER = (sys.executable, "-m", "flask", "--app", "tracker", "worker")


def _subjects(folder: Path) -> list[str]:
    return [
        message_from_bytes(path.read_bytes(), policy=default)["Subject"]
        for path in sorted((folder / "outbox").glob("*.eml"))
    ]


def test_worker_processes_side_by_side_send_each_message_once(app, database_url, tmp_path):
    for n in range(90):
        enqueue("mail", {"to": "x@example.org", "subject": f"message {n}", "body": "Hello."})
    db.session.commit()
    db.session.remove()
    processes = [
        subprocess.Popen(
            [*FLASK_WORKER, "--once"],
            env=_env(database_url, tmp_path),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=300)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    subjects = _subjects(tmp_path)
    assert sorted(subjects) == sorted(f"message {n}" for n in range(90)), outputs
    assert set(db.session.execute(select(Job.status, Job.attempts)).tuples()) == {("done", 1)}


# -- the command -----------------------------------------------------------------------------------


def test_worker_once_sends_the_queued_mail_and_refreshes_stale_snapshots(
    app, runner, create_user, mail_outbox
):
    enrollment = make_enrollment(create_user("trainee"))
    db.session.commit()
    enqueue("mail", {"to": "dana@example.org", "subject": "Hello", "body": "Hello, Dana."})
    db.session.commit()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 job done, 0 to retry, 0 failed" in result.output
    assert [(m.to, m.subject, m.body) for m in mail_outbox] == [
        ("dana@example.org", "Hello", "Hello, Dana.")
    ]
    db.session.rollback()
    snapshot = db.session.get(ProgressSnapshot, enrollment.id)
    assert snapshot is not None and not snapshot.stale
    assert snapshot.computed_on == today_in("UTC")


def test_the_worker_refreshes_snapshots_a_small_batch_at_a_time(app, create_user):
    trainee = create_user("trainee")
    for _ in range(3):
        make_enrollment(trainee)
    db.session.commit()
    assert refresh(limit=2) == 2
    assert refresh(limit=2) == 1
    assert refresh(limit=2) == 0


def test_periodic_work_comes_back_at_once_only_while_it_does_full_batches(app, monkeypatch):
    done = iter([5, 5, 2])
    calls: list[int] = []

    def task() -> int:
        calls.append(1)
        return next(done)

    def broken() -> int:
        raise RuntimeError("the engine tripped")

    monkeypatch.setattr(
        services,
        "PERIODIC",
        [
            services.PeriodicTask("batches", task, timedelta(minutes=1), batch=5),
            services.PeriodicTask("broken", broken, timedelta(minutes=1)),
        ],
    )
    next_runs: dict = {}
    assert services.run_periodic(next_runs) == 5  # a full batch: due again at the next round
    assert services.run_periodic(next_runs) == 5
    assert services.run_periodic(next_runs) == 2  # less than a batch: waits its minute
    assert services.run_periodic(next_runs) == 0
    assert len(calls) == 3
    assert all(when > utcnow() for when in next_runs.values())  # so the worker may sleep


def _wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_runs_until_a_signal_stops_it_cleanly(app, database_url, tmp_path, signum):
    log = tmp_path / "worker.log"
    db.session.remove()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*FLASK_WORKER, "--idle", "0.2"],
            env=_env(database_url, tmp_path),
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "worker: started" in log.read_text(), 120, "the worker to start")
        # While it runs, a committed job is sent within moments.
        enqueue("mail", {"to": "dana@example.org", "subject": "While running", "body": "Hi."})
        db.session.commit()
        _wait_for(lambda: _subjects(tmp_path), 60, "the mail to be sent")
        process.send_signal(signum)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text()
    assert f"worker: {signum.name} received, stopping" in text
    assert "worker: stopped (1 job done, 0 to retry, 0 failed" in text
    assert _subjects(tmp_path) == ["While running"]


@pytest.mark.skipif(not is_postgres(), reason="SKIP LOCKED is PostgreSQL's")
def test_a_claim_on_postgresql_skips_rows_another_worker_holds(app, recorder):
    _queued(n=1)
    _queued(n=2)
    start = utcnow() + timedelta(seconds=1)
    with db.engine.connect() as other:
        transaction = other.begin()
        held = other.execute(
            select(Job.id).order_by(Job.id).limit(1).with_for_update()
        ).scalar_one()
        claim = services._claim(start)  # does not wait for the held row
        transaction.rollback()
    assert claim is not None and claim.id != held
