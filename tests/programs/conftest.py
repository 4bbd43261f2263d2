"""Factories for the programs tests: a program with a track and a cohort, a signed-in staff
member, and a row counter."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.programs import services
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track


@pytest.fixture
def make_program():
    """make_program(name=...) -> a committed Program with an online track and a cohort."""

    def factory(name: str = "Fluence KAP", track_name: str = "Online", actor=None) -> Program:
        program = services.create_program(name, "A certificate program.", "America/Denver", actor)
        services.add_track(program, track_name, "online", 987500, "Self-paced modules.", "", actor)
        services.add_cohort(program, "Spring 2026", date(2026, 3, 1), date(2026, 12, 15), actor)
        db.session.commit()
        return program

    return factory


@pytest.fixture
def staff(create_user, auth):
    """A signed-in staff member."""
    user = create_user("staff", name="Sam Staff")
    auth.login(user)
    return user


def count_rows() -> dict[str, int]:
    """How many programs, tracks, cohorts, requirement sets and audit events exist."""
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Program, Track, Cohort, RequirementSet, AuditEvent)
    }


def requirement_form(spec, base_version: int, note: str = "Reviewed the requirements") -> dict:
    """The requirement-set form as a browser submits it, filled with `spec` (no blank rows)."""
    data = spec.to_dict()
    form: dict = {"base_version": str(base_version), "note": note}
    for index, topic in enumerate(data.pop("didactic_topics")):
        for key, value in topic.items():
            form[f"didactic_topics-{index}-{key}"] = value
    for index, scenario in enumerate(data.pop("ethical_scenarios")):
        for key, value in scenario.items():
            form[f"ethical_scenarios-{index}-{key}"] = value
    for kind, value in data.pop("experiential_min_counts").items():
        form[f"experiential_min_counts-{kind}"] = str(value)
    if data.pop("health_screening_required"):
        form["health_screening_required"] = "y"
    for key, value in data.items():
        form[key] = value if isinstance(value, list) else str(value)
    return form
