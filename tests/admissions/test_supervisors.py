"""Staff assign a primary supervisor and optionally a backup; a change ends the current row and
adds a new one, so the history stays and shows on the page. Only supervisors, never the trainee."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.admissions.factories import enroll
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import post_form
from tracker.admissions import services
from tracker.core.errors import Refused
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db


def _assign(client, enrollment, primary, backup=None, **kwargs):
    return post_form(
        client,
        review_url(enrollment, "/supervisors"),
        {
            "assign-primary": str(primary.id) if primary else "",
            "assign-backup": str(backup.id) if backup else "",
        },
        **kwargs,
    )


def _rows(enrollment):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(SupervisorAssignment)
            .where(SupervisorAssignment.enrollment_id == enrollment.id)
            .order_by(SupervisorAssignment.id)
        )
    )


def test_assign_primary_and_backup(as_staff, submitted, supervisor, create_user, staff):
    backup = create_user("supervisor", name="Dr. Bea Backup")
    response = _assign(as_staff, submitted, supervisor, backup, follow_redirects=True)
    assert "Supervisor assignment saved." in response.get_data(as_text=True)
    rows = _rows(submitted)
    assert [(r.kind, r.supervisor_id, r.ended_at) for r in rows] == [
        ("primary", supervisor.id, None),
        ("backup", backup.id, None),
    ]
    assert all(r.assigned_by_id == staff.id for r in rows)


def test_changing_the_primary_keeps_the_history(as_staff, submitted, supervisor, create_user):
    successor = create_user("supervisor", name="Dr. Noor Next")
    _assign(as_staff, submitted, supervisor)
    response = _assign(as_staff, submitted, successor, follow_redirects=True)
    rows = _rows(submitted)
    assert [(r.supervisor_id, r.ended_at is None) for r in rows] == [
        (supervisor.id, False),
        (successor.id, True),
    ]
    page = response.get_data(as_text=True)
    assert "Assignment history" in page
    assert "Dr. Sam Super" in page and "Dr. Noor Next" in page


def test_dropping_the_backup_ends_its_row(as_staff, submitted, supervisor, create_user):
    backup = create_user("supervisor")
    _assign(as_staff, submitted, supervisor, backup)
    _assign(as_staff, submitted, supervisor, None)
    rows = _rows(submitted)
    assert [(r.kind, r.ended_at is None) for r in rows] == [("primary", True), ("backup", False)]


def test_the_same_assignment_again_is_refused(as_staff, submitted, supervisor):
    _assign(as_staff, submitted, supervisor)
    before = snapshot()
    response = _assign(as_staff, submitted, supervisor)
    assert "already assigned" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_trainee_cannot_supervise_themself(as_staff, program, create_user):
    dual = create_user("trainee", "supervisor", name="Dual Person")
    enrollment = enroll(dual, program)
    page = as_staff.get(review_url(enrollment)).get_data(as_text=True)
    assert f'<option value="{dual.id}"' not in page
    before = snapshot()
    response = _assign(as_staff, enrollment, dual)
    assert "Choose a person who holds the supervisor role." in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_trainee_as_backup_is_refused_by_the_service(app, submitted, supervisor, staff):
    dual = submitted.trainee
    dual.is_supervisor = True
    db.session.commit()
    before = snapshot()
    with pytest.raises(Refused) as refused:
        services.assign_supervisors(submitted, staff, supervisor.id, dual.id)
    assert (refused.value.field, refused.value.message) == (
        "backup",
        "A trainee cannot supervise themself.",
    )
    assert snapshot() == before


def test_people_without_the_supervisor_role_are_refused(
    as_staff, submitted, supervisor, create_user, staff
):
    plain = create_user("trainee")
    inactive = create_user("supervisor", active=False)
    for primary, backup in ((plain, None), (staff, None), (inactive, None), (supervisor, plain)):
        before = snapshot()
        response = _assign(as_staff, submitted, primary, backup)
        assert "Choose a person who holds the supervisor role." in response.get_data(as_text=True)
        assert snapshot() == before


def test_missing_primary_and_same_backup_are_refused(as_staff, submitted, supervisor):
    before = snapshot()
    response = _assign(as_staff, submitted, None)
    assert "Choose the primary supervisor." in response.get_data(as_text=True)
    response = _assign(as_staff, submitted, supervisor, supervisor)
    assert "The backup must be someone other than the primary." in response.get_data(as_text=True)
    assert snapshot() == before
