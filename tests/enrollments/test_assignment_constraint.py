"""The database keeps at most one current primary and one current backup per enrollment."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Program


def test_second_current_primary_is_refused_but_history_is_kept(app, create_user):
    trainee = create_user("trainee")
    first, second = create_user("supervisor"), create_user("supervisor")
    program = Program(name="Constraint Program")
    db.session.add(program)
    db.session.flush()
    enrollment = Enrollment(trainee_id=trainee.id, program_id=program.id)
    db.session.add(enrollment)
    db.session.flush()
    old = SupervisorAssignment(
        enrollment_id=enrollment.id, supervisor_id=first.id, kind="primary", ended_at=utcnow()
    )
    current = SupervisorAssignment(
        enrollment_id=enrollment.id, supervisor_id=second.id, kind="primary"
    )
    backup = SupervisorAssignment(
        enrollment_id=enrollment.id, supervisor_id=first.id, kind="backup"
    )
    db.session.add_all([old, current, backup])
    db.session.commit()
    db.session.add(
        SupervisorAssignment(enrollment_id=enrollment.id, supervisor_id=first.id, kind="primary")
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
