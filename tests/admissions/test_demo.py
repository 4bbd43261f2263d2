"""The admissions demo step, run after the demo's trainee records: it verifies what waits for
verification, adds backup supervisors and leaves a waiver history, all through audited
services, without creating accounts or enrollments."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import verify_chain
from tracker.demo import data as demo
from tracker.demo.admissions import add_demo
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_step_adds_admissions_actions_only(app, monkeypatch):
    earlier_steps = demo._extensions
    counted: dict[str, int] = {}
    trainee_ids: list[int] = []

    def then_admissions(context, summary):
        counted.update(users=_count(User), enrollments=_count(Enrollment))
        trainee_ids.extend(t.id for t in context.trainees)
        add_demo(context, summary)

    monkeypatch.setattr(demo, "_extensions", lambda: [*earlier_steps(), then_admissions])
    summary = demo.load_demo(password=demo.DEFAULT_PASSWORD)
    db.session.commit()
    assert (_count(User), _count(Enrollment)) == (counted["users"], counted["enrollments"])
    admitted = select(Enrollment).where(
        Enrollment.status == "admitted", Enrollment.trainee_id.in_(trainee_ids)
    )
    checked = 0
    for enrollment in db.session.scalars(admitted):
        checked += 1
        kinds = db.session.scalars(
            select(SupervisorAssignment.kind).where(
                SupervisorAssignment.enrollment_id == enrollment.id,
                SupervisorAssignment.ended_at.is_(None),
            )
        ).all()
        assert sorted(kinds) == ["backup", "primary"]
    assert checked >= 3
    waiver = db.session.scalar(select(Waiver).where(Waiver.target == "case_presentation.short"))
    assert waiver is not None and waiver.revoked_at is not None
    assert any(note.startswith("Admissions:") for note in summary.notes)
    _checked, broken = verify_chain()
    assert broken is None
