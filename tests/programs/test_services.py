"""The program services: validation, versioning of requirement sets, and the audit trail."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.programs.conftest import count_rows
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs import services
from tracker.programs.models import RequirementSet
from tracker.progress.requirements import RequirementError
from tracker.progress.requirements import RequirementSpec


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_program_is_recorded(app, create_user):
    staff = create_user("staff")
    program = services.create_program(" Fluence KAP ", "Text", "Europe/Berlin", staff)
    db.session.commit()
    assert (program.name, program.timezone) == ("Fluence KAP", "Europe/Berlin")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "program.created"))
    assert event.actor_id == staff.id
    assert json.loads(event.after)["name"] == "Fluence KAP"


@pytest.mark.parametrize(
    ("name", "timezone", "field"),
    [
        ("", "UTC", "name"),
        ("x" * 121, "UTC", "name"),
        ("Tab\there", "UTC", "name"),
        ("Good", "Mars/Olympus_Mons", "timezone"),
        ("Good", "../../etc/passwd", "timezone"),
        ("Good", "", "timezone"),
    ],
)
def test_create_program_refuses(app, name, timezone, field):
    with pytest.raises(Refused) as caught:
        services.create_program(name, "", timezone, None)
    assert caught.value.field == field


def test_program_names_are_unique_ignoring_case(app, make_program):
    make_program("Fluence KAP")
    with pytest.raises(Refused) as caught:
        services.create_program("fluence kap", "", "UTC", None)
    assert caught.value.field == "name"


def test_update_program_without_change_records_nothing(app, make_program):
    program = make_program()
    before = count_rows()
    services.update_program(program, program.name, program.description, program.timezone, None)
    db.session.commit()
    assert count_rows() == before
    services.update_program(program, "Renamed", program.description, "UTC", None)
    db.session.commit()
    assert _actions()[-1] == "program.updated"


def test_add_track_starts_with_the_format_defaults(app, make_program):
    program = make_program()
    track = services.add_track(program, "Retreat", "retreat", 850000, "", "", None)
    db.session.commit()
    assert [rs.version for rs in track.requirement_sets] == [1]
    assert track.current_requirements.spec == RequirementSpec.default("retreat")
    assert track.current_requirements.spec.didactic_total_hours == Decimal(90)
    assert _actions()[-2:] == ["track.created", "requirements.version_created"]


@pytest.mark.parametrize(
    ("fmt", "cents", "field"),
    [
        ("online", -1, "tuition"),
        ("online", 10_000_001, "tuition"),
        ("online", 12.5, "tuition"),
        ("weekend", 100, "format"),
    ],
)
def test_add_track_refuses(app, make_program, fmt, cents, field):
    program = make_program()
    before = count_rows()
    with pytest.raises(Refused) as caught:
        services.add_track(program, "Another", fmt, cents, "", "", None)
    db.session.rollback()
    assert caught.value.field == field
    assert count_rows() == before


def test_track_names_are_unique_within_a_program(app, make_program):
    program = make_program(track_name="Online")
    with pytest.raises(Refused) as caught:
        services.add_track(program, "ONLINE", "hybrid", 0, "", "", None)
    assert caught.value.field == "name"
    other = make_program("Other program", track_name="Online")
    assert other.tracks[0].name == "Online"


def test_update_track_keeps_requirements(app, make_program):
    track = make_program().tracks[0]
    services.update_track(track, "Hybrid", "hybrid", 600000, "Now hybrid", "", None)
    db.session.commit()
    assert (track.format, track.tuition_cents) == ("hybrid", 600000)
    assert [rs.version for rs in track.requirement_sets] == [1]


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (date(2026, 5, 1), date(2026, 5, 1), "ends_on"),
        (date(2026, 5, 1), date(2026, 4, 1), "ends_on"),
        (date(1999, 12, 31), date(2000, 6, 1), "starts_on"),
        (date(2026, 1, 1), date(2032, 1, 1), "ends_on"),
        (date(2040, 1, 1), date(2040, 6, 1), "starts_on"),
        (None, date(2026, 6, 1), "starts_on"),
    ],
)
def test_add_cohort_refuses_dates(app, make_program, starts, ends, field):
    program = make_program()
    with pytest.raises(Refused) as caught:
        services.add_cohort(program, "Autumn", starts, ends, None, today=date(2026, 1, 10))
    assert caught.value.field == field


def test_cohort_names_are_unique_within_a_program(app, make_program):
    program = make_program()
    with pytest.raises(Refused) as caught:
        services.add_cohort(program, "spring 2026", date(2027, 1, 1), date(2027, 6, 1), None)
    assert caught.value.field == "name"


def test_update_cohort(app, make_program):
    cohort = make_program().cohorts[0]
    services.update_cohort(cohort, "Spring cohort", date(2026, 3, 2), date(2026, 11, 30), None)
    db.session.commit()
    assert (cohort.name, cohort.starts_on) == ("Spring cohort", date(2026, 3, 2))
    assert _actions()[-1] == "cohort.updated"


def _changed(spec: RequirementSpec, **changes) -> dict:
    data = spec.to_dict()
    data.update(changes)
    return data


def test_new_version_only_when_content_differs(app, make_program, create_user):
    staff = create_user("staff")
    track = make_program().tracks[0]
    first = track.current_requirements
    before = count_rows()

    same = services.new_requirement_version(track, first.spec.to_dict(), "No change", staff)
    db.session.commit()
    assert same.id == first.id
    assert count_rows() == before

    second = services.new_requirement_version(
        track, _changed(first.spec, exam_pass_mark=85), "Pass mark raised", staff
    )
    db.session.commit()
    assert (second.version, second.note, second.created_by_id) == (2, "Pass mark raised", staff.id)
    assert json.loads(second.content) == second.spec.to_dict()
    assert second.spec.exam_pass_mark == 85
    assert track.current_requirements.id == second.id
    assert _actions()[-1] == "requirements.version_created"

    third = services.new_requirement_version(
        track, _changed(first.spec, exam_pass_mark=90), "Again", staff
    )
    assert third.version == 3


def test_equal_content_written_differently_is_no_change(app, make_program):
    track = make_program().tracks[0]
    data = track.current_requirements.spec.to_dict()
    data["didactic_total_hours"] = "110.00"
    data["didactic_topics"][0]["min_hours"] = 12
    data["accepted_licence_types"] = list(reversed(data["accepted_licence_types"]))
    assert services.new_requirement_version(track, data, "Same", None).version == 1


def test_bad_content_writes_nothing(app, make_program):
    track = make_program().tracks[0]
    before = count_rows()
    with pytest.raises(RequirementError) as caught:
        services.new_requirement_version(
            track,
            _changed(track.current_requirements.spec, supervised_sessions_required=7),
            "x",
            None,
        )
    db.session.rollback()
    assert caught.value.field == "supervised_sessions_required"
    assert count_rows() == before


def test_a_note_is_required(app, make_program):
    track = make_program().tracks[0]
    with pytest.raises(Refused) as caught:
        services.new_requirement_version(
            track, _changed(track.current_requirements.spec, exam_pass_mark=70), "  ", None
        )
    assert caught.value.field == "note"


def test_pinned_versions_are_untouched(app, make_program, create_user):
    trainee = create_user("trainee")
    program = make_program()
    track = program.tracks[0]
    first = track.current_requirements
    content = first.content
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=track.id,
        cohort_id=program.cohorts[0].id,
        requirement_set_id=first.id,
        status="admitted",
    )
    db.session.add(enrollment)
    db.session.commit()

    services.new_requirement_version(
        track, _changed(first.spec, supervised_sessions_required=6), "Six sessions", None
    )
    db.session.commit()
    db.session.expire_all()

    assert enrollment.requirements.version == 1
    assert enrollment.requirements.spec.supervised_sessions_required == 4
    assert db.session.get(RequirementSet, first.id).content == content
    assert track.current_requirements.version == 2


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("9875.00", 987500),
        ("9875", 987500),
        ("$9,875.5", 987550),
        ("0", 0),
        ("0.01", 1),
        ("100000.00", 10_000_000),
    ],
)
def test_parse_dollars(text, cents):
    assert services.parse_dollars(text) == cents


@pytest.mark.parametrize(
    "text", ["", "abc", "-5", "1e3", "12.345", "100000.01", "9,87.00", "nan", "\uff11\uff12"]
)
def test_parse_dollars_refuses(text):
    with pytest.raises(Refused):
        services.parse_dollars(text)


def test_format_dollars():
    assert services.format_dollars(987500) == "$9,875.00"
    assert services.format_dollars(5) == "$0.05"
