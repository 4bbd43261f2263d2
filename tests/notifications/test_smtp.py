"""Notices leave by e-mail through the outbox and the worker to a real SMTP server (aiosmtpd):
the page that made the notice never talks to the mail server, a server that refuses or is down
leaves the job to be retried later, and the retry delivers it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import waiting_session
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.models import Job

QUESTION = "Which monitoring protocol did you follow during dosing?"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An SMTP server's handler: refuses the next `refusals` messages (451), keeps the rest."""

    def __init__(self) -> None:
        self.refusals = 0
        self.received: list = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@contextmanager
def running_smtp(app) -> Iterator[Mailbox]:
    """A real SMTP server on a free local port, and the app sending mail to it, until the end
    of the block."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mailbox.port = controller.port
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
    )
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app):
    """`running_smtp` for the whole test."""
    with running_smtp(app) as mailbox:
        yield mailbox


def _job() -> Job:
    db.session.expire_all()
    return db.session.scalars(select(Job).where(Job.kind == "mail")).one()


def _due_now(job: Job) -> None:
    """Move the job's retry time to now, as if its wait had passed."""
    job.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_returned_entry_is_mailed_by_the_worker_after_a_refusal(
    app, runner, as_user, trainee, enrollment, supervisor, smtp_server
):
    session = waiting_session(enrollment, supervisor)
    smtp_server.refusals = 1
    response = post_form(
        as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": QUESTION}
    )
    assert response.status_code == 302
    assert smtp_server.received == []  # the request only queued it
    first = runner.invoke(args=["worker", "--once"])
    assert "0 jobs done, 1 to retry" in first.output
    job = _job()
    assert job.status == "queued" and job.attempts == 1
    assert "451" in job.last_error and job.run_after > utcnow()
    assert smtp_server.received == []
    _due_now(job)
    second = runner.invoke(args=["worker", "--once"])
    assert "1 job done" in second.output
    assert _job().status == "done"
    (message,) = smtp_server.received
    assert message["To"] == trainee.email
    assert "returned to you by Dr. Sue Signer" in message["Subject"]
    body = message.get_content()
    assert QUESTION in body and f"/signoffs/mine/session/{session.id}" in body


def test_a_mail_server_that_is_down_fails_no_page_and_the_job_waits(
    app, runner, as_user, trainee, enrollment, supervisor, smtp_server
):
    app.config["MAIL_PORT"] = _free_port()  # nothing listens there
    session = waiting_session(enrollment, supervisor)
    response = post_form(
        as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": QUESTION}
    )
    assert response.status_code == 302
    assert "0 jobs done, 1 to retry" in runner.invoke(args=["worker", "--once"]).output
    job = _job()
    assert job.status == "queued" and "Connection" in job.last_error
    app.config["MAIL_PORT"] = smtp_server.port  # the server is back
    _due_now(job)
    assert "1 job done" in runner.invoke(args=["worker", "--once"]).output
    assert [m["To"] for m in smtp_server.received] == [trainee.email]
