"""The sign-offs demo step: every signed session carries a signature bound to its content, a
session is returned with a question, one is reopened with its signature voided, and both demo
supervisors can sign."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login
from tracker.accounts.models import User
from tracker.demo import data as demo
from tracker.demo.records import add_trainee_records
from tracker.demo.signoffs import add_demo
from tracker.extensions import db
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.signoffs.services import credential_problem
from tracker.supervision.models import SupervisedSession


def test_the_demo_step_adds_signatures_questions_and_a_reopened_session(app, monkeypatch):
    monkeypatch.setattr(demo, "_extensions", lambda: [add_trainee_records, add_demo])
    demo.load_demo(password=demo.DEFAULT_PASSWORD)
    db.session.commit()
    signed = db.session.scalars(
        select(SupervisedSession).where(SupervisedSession.status == "signed")
    ).all()
    assert signed
    for session in signed:
        signature = db.session.scalar(
            select(Signature).where(
                Signature.entry_type == "session",
                Signature.entry_id == session.id,
                Signature.voided_at.is_(None),
            )
        )
        assert signature is not None and verify_binding(signature, session)
    assert db.session.scalar(select(Signature).where(Signature.voided_at.is_not(None)))
    kinds = set(db.session.scalars(select(EntryQuestion.kind)))
    assert {"question", "reopen_reason"} <= kinds
    statuses = set(db.session.scalars(select(SupervisedSession.status)))
    assert {"submitted", "returned", "signed"} <= statuses
    for supervisor in db.session.scalars(select(User).where(User.is_supervisor.is_(True))):
        assert credential_problem(supervisor.id) is None

    client = app.test_client()
    login(
        client,
        db.session.scalar(select(User).where(User.email == "supervisor@example.org")),
        demo.DEFAULT_PASSWORD,
    )
    page = client.get("/signoffs/").get_data(as_text=True)
    assert "Jordan Avery" in page and "days" in page
