"""Builders shared by the training and supervision tests: a program with one track, a cohort, a
pinned requirement set, and an enrollment in a chosen state; rows inserted directly."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment, SupervisorAssignment
from tracker.extensions import db
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.progress.requirements import RequirementSpec, default_dict
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ContinuingEducation, DidacticEntry, ExperientialEntry

_numbers = itertools.count(1)
REFLECTION = (
    "I co-led the preparation conversation, watched the monitoring during dosing and noticed "
    "how my own pacing shaped the client's sense of safety; next time I will slow down."
)


def make_enrollment(
    trainee,
    status: str = "admitted",
    timezone: str = "UTC",
    cohort_started_days_ago: int = 60,
    **spec_changes: Any,
) -> Enrollment:
    """An enrollment of `trainee` in a new program whose requirements are the defaults plus
    `spec_changes`; the cohort began `cohort_started_days_ago` days ago (program time)."""
    n = next(_numbers)
    data = default_dict()
    data.update(spec_changes)
    RequirementSpec.from_dict(data)  # fail early on a bad test spec
    today = today_in(timezone)
    program = Program(name=f"Program {n}", timezone=timezone)
    track = Track(program=program, name="Online", format="online", tuition_cents=450_000)
    cohort = Cohort(
        program=program,
        name=f"Cohort {n}",
        starts_on=today - timedelta(days=cohort_started_days_ago),
        ends_on=today + timedelta(days=300),
    )
    requirements = RequirementSet(track=track, version=1, content=json.dumps(data))
    db.session.add_all([program, track, cohort, requirements])
    db.session.flush()
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=track.id,
        cohort_id=cohort.id,
        requirement_set_id=requirements.id,
        status=status,
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def assign(enrollment: Enrollment, supervisor, kind: str = "primary", ended: bool = False):
    """Assign a supervisor (primary or backup; `ended` makes it history)."""
    from tracker.extensions import utcnow

    row = SupervisorAssignment(
        enrollment_id=enrollment.id,
        supervisor_id=supervisor.id,
        kind=kind,
        ended_at=utcnow() if ended else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def add_didactic(enrollment: Enrollment, hours: str = "2", status: str = "pending", **kw):
    """Insert a didactic entry directly (bypassing the rules)."""
    entry = DidacticEntry(
        enrollment_id=enrollment.id,
        on=kw.pop("on", today_in("UTC") - timedelta(days=1)),
        topic_code=kw.pop("topic_code", "pharmacology"),
        hours=Decimal(hours),
        provider=kw.pop("provider", "Course A"),
        note=kw.pop("note", ""),
        status=status,
        **kw,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def add_experiential(enrollment: Enrollment, hours: str = "2", status: str = "pending", **kw):
    """Insert an experiential entry directly."""
    entry = ExperientialEntry(
        enrollment_id=enrollment.id,
        kind=kw.pop("kind", "observation"),
        on=kw.pop("on", today_in("UTC") - timedelta(days=1)),
        hours=Decimal(hours),
        facilitator=kw.pop("facilitator", "Dr Facilitator"),
        note=kw.pop("note", ""),
        status=status,
        **kw,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def add_ce(enrollment: Enrollment, amount: str = "3", kind: str = "ce", **kw):
    """Insert a CE record directly."""
    item = ContinuingEducation(
        enrollment_id=enrollment.id,
        kind=kind,
        on=kw.pop("on", today_in("UTC") - timedelta(days=1)),
        title=kw.pop("title", "Ketamine update"),
        provider=kw.pop("provider", "CE Provider"),
        amount=Decimal(amount),
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item


def add_session(enrollment: Enrollment, status: str = "draft", **kw) -> SupervisedSession:
    """Insert a supervised session directly."""
    values = {
        "on": today_in("UTC") - timedelta(days=1),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "co_therapist",
        "supervision_mode": "live",
        "covers_preparation": True,
        "covers_dosing": True,
        "covers_integration": False,
        "duration_minutes": 120,
        "reflection": REFLECTION,
    }
    values.update(kw)
    session = SupervisedSession(enrollment_id=enrollment.id, status=status, **values)
    db.session.add(session)
    db.session.commit()
    return session


def count(model) -> int:
    """Rows in `model`'s table (read fresh from the database)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def yesterday(timezone: str = "UTC") -> date:
    """Yesterday in the program's time zone."""
    return today_in(timezone) - timedelta(days=1)


def iso(day: date) -> str:
    """A date as a form field carries it."""
    return day.isoformat()
