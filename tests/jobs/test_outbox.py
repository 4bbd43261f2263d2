"""The outbox: a job is written in the transaction of the change that asks for it, so it exists
only if that change committed; a refused or failed request leaves none behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.security.conftest import Boom
from tracker.accounts.models import User
from tracker.core.errors import Refused
from tracker.core.transaction import refuse
from tracker.extensions import db
from tracker.jobs.models import Job
from tracker.jobs.services import HANDLERS
from tracker.jobs.services import enqueue
from tracker.jobs.services import run_due
from tracker.security.access import Anyone
from tracker.security.access import allow


def _committed_jobs() -> list[tuple[str, dict]]:
    """Jobs as another connection sees them: only what is committed."""
    with db.engine.connect() as connection:
        rows = connection.execute(select(Job.kind, Job.payload).order_by(Job.id))
        return [(kind, payload) for kind, payload in rows]


def test_enqueue_only_flushes_into_the_callers_transaction(app, recorder):
    enqueue("test.note", {"n": 1})
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1  # this transaction
    assert _committed_jobs() == []  # nobody else's
    db.session.rollback()
    assert run_due().total == 0
    assert recorder.ran == []
    enqueue("test.note", {"n": 2})
    db.session.commit()
    assert _committed_jobs() == [("test.note", {"n": 2})]
    assert run_due().done == 1
    assert recorder.ran == [{"n": 2}]


def test_a_request_queues_its_job_only_when_it_succeeds(make_app, recorder):
    app = make_app()

    @app.post("/change-and-queue")
    @allow(Anyone)
    def change_and_queue():
        db.session.add(User(email="kept@example.org", full_name="Kept"))
        enqueue("test.note", {"request": "kept"})
        return "done"

    @app.post("/change-queue-then-fail")
    @allow(Anyone)
    def change_queue_then_fail():
        db.session.add(User(email="dropped@example.org", full_name="Dropped"))
        enqueue("test.note", {"request": "failed"})
        raise Boom("after queueing")

    @app.post("/change-queue-then-refuse")
    @allow(Anyone)
    def change_queue_then_refuse():
        enqueue("test.note", {"request": "refused"})
        refuse(Refused("Not like this."))
        return "shown again"

    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/change-queue-then-fail", data={"csrf_token": token}).status_code == 500
    assert client.post("/change-queue-then-refuse", data={"csrf_token": token}).status_code == 200
    assert client.post("/change-and-queue", data={"csrf_token": token}).status_code == 200
    with app.app_context():
        assert _committed_jobs() == [("test.note", {"request": "kept"})]
        run_due()
    assert recorder.ran == [{"request": "kept"}]


def test_enqueue_refuses_an_unknown_kind_and_a_payload_that_is_not_json(app, recorder):
    with pytest.raises(LookupError, match="no handler"):
        enqueue("test.nobody-handles-this", {})
    with pytest.raises(TypeError):
        enqueue("test.note", {"when": object()})
    db.session.rollback()
    assert _committed_jobs() == []


def test_a_job_whose_kind_lost_its_handler_fails_and_is_kept(app, recorder, monkeypatch):
    enqueue("test.note", {})
    db.session.commit()
    monkeypatch.delitem(HANDLERS, "test.note")
    assert run_due().retried == 1
    job = db.session.scalars(select(Job)).one()
    assert job.status == "queued"
    assert "no handler" in job.last_error
