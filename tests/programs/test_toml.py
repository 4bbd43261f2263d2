"""Requirement sets as TOML files: a round trip changes nothing, a changed value makes a new
version, and a bad file is refused with the field named and nothing changed."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from tests.programs.conftest import count_rows
from tracker.extensions import db
from tracker.programs import services
from tracker.progress.requirements import RequirementError


@pytest.fixture
def track(make_program):
    """The online track of a program, at version 1."""
    return make_program().tracks[0]


def test_export_is_readable_toml(app, track):
    text = services.export_toml(track.current_requirements)
    document = tomllib.loads(text)
    assert (document["program"], document["track"], document["version"]) == (
        "Fluence KAP",
        "Online",
        1,
    )
    requirements = document["requirements"]
    assert requirements["didactic_total_hours"] == 110
    assert requirements["didactic_topics"][0] == {
        "code": "pharmacology",
        "name": "Pharmacology and mechanisms",
        "min_hours": 12,
    }
    assert "experiential_min_counts" in requirements


def test_round_trip_is_equal_and_makes_no_version(app, track):
    current = track.current_requirements
    text = services.export_toml(current)
    _, spec = services.read_toml(text)
    assert spec == current.spec
    before = count_rows()
    assert services.import_toml(text, track, None).id == current.id
    db.session.commit()
    assert count_rows() == before


def test_quarter_hours_survive_the_round_trip(app, track):
    data = track.current_requirements.spec.to_dict()
    data["didactic_topics"][0]["min_hours"] = "12.25"
    data["ce_credits_per_cycle"] = "7.75"
    version = services.new_requirement_version(track, data, "Quarter hours", None)
    db.session.commit()
    text = services.export_toml(version)
    assert "min_hours = 12.25" in text
    assert "ce_credits_per_cycle = 7.75" in text
    assert services.import_toml(text, track, None).id == version.id
    _, spec = services.read_toml(text)
    assert spec.didactic_topics[0].min_hours == Decimal("12.25")


def test_changed_value_makes_a_new_version(app, track, create_user):
    staff = create_user("staff")
    text = services.export_toml(track.current_requirements)
    text = text.replace("supervised_sessions_required = 4", "supervised_sessions_required = 5")
    version = services.import_toml(text, track, staff, note="Board review")
    db.session.commit()
    assert (version.version, version.note, version.created_by_id) == (2, "Board review", staff.id)
    assert version.spec.supervised_sessions_required == 5
    default_note = services.import_toml(
        text.replace("exam_pass_mark = 80", "exam_pass_mark = 75"), track, None
    ).note
    assert default_note == "Imported from a file based on version 1"


BAD_FILES = [
    ("syntax", lambda t: t.replace("exam_pass_mark = 80", "exam_pass_mark = = 80"), "file"),
    (
        "unknown field",
        lambda t: t.replace("[requirements]\n", "[requirements]\ncolour = 1\n"),
        "requirements.colour",
    ),
    (
        "negative hours",
        lambda t: t.replace("min_hours = 8", "min_hours = -8", 1),
        "requirements.didactic_topics[4].min_hours",
    ),
    (
        "7 sessions",
        lambda t: t.replace("supervised_sessions_required = 4", "supervised_sessions_required = 7"),
        "requirements.supervised_sessions_required",
    ),
    (
        "licence type",
        lambda t: t.replace('"MD",', '"MD",\n    "Healer",'),
        "requirements.accepted_licence_types",
    ),
    (
        "third of an hour",
        lambda t: t.replace("didactic_total_hours = 110", "didactic_total_hours = 110.33"),
        "requirements.didactic_total_hours",
    ),
    (
        "float where a count belongs",
        lambda t: t.replace("exam_pass_mark = 80", "exam_pass_mark = 80.5"),
        "requirements.exam_pass_mark",
    ),
    ("no requirements", lambda t: t.split("[requirements]")[0], "requirements"),
    ("other track", lambda t: t.replace('track = "Online"', 'track = "Retreat"'), "track"),
    (
        "other program",
        lambda t: t.replace('program = "Fluence KAP"', 'program = "Other"'),
        "program",
    ),
    ("bad version", lambda t: t.replace("version = 1", 'version = "one"'), "version"),
    ("unknown top-level", lambda t: "owner = 'me'\n" + t, "owner"),
]


@pytest.mark.parametrize(("case", "edit", "field"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused(app, track, case, edit, field):
    text = edit(services.export_toml(track.current_requirements))
    before = count_rows()
    with pytest.raises(RequirementError) as caught:
        services.import_toml(text, track, None)
    db.session.rollback()
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ":")
    assert count_rows() == before
    assert track.current_requirements.version == 1


def test_oversized_file_is_refused(app, track):
    with pytest.raises(RequirementError) as caught:
        services.import_toml("#" * (services.TOML_MAX_CHARS + 1), track, None)
    assert caught.value.field == "file"
