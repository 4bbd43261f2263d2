"""`flask requirements list|export|import` through the CLI runner."""

from __future__ import annotations

import tomllib

import pytest

from tests.programs.conftest import count_rows
from tracker.extensions import db
from tracker.programs import services


@pytest.fixture
def track(make_program):
    """The online track of a program, at version 1."""
    return make_program().tracks[0]


def test_list(runner, track):
    result = runner.invoke(args=["requirements", "list"])
    assert result.exit_code == 0, result.output
    assert "Fluence KAP (America/Denver)" in result.output
    assert f"track {track.id}: Online [online] $9,875.00, requirements version 1" in result.output


def test_list_when_empty(runner):
    result = runner.invoke(args=["requirements", "list"])
    assert result.exit_code == 0
    assert "No programs." in result.output


def test_export_to_stdout_and_file(runner, track, tmp_path):
    result = runner.invoke(args=["requirements", "export", "--track", str(track.id), "-"])
    assert result.exit_code == 0, result.output
    assert tomllib.loads(result.output)["version"] == 1
    target = tmp_path / "online.toml"
    result = runner.invoke(args=["requirements", "export", "--track", str(track.id), str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text() == services.export_toml(track.current_requirements)


def test_export_a_chosen_version(runner, track):
    data = track.current_requirements.spec.to_dict()
    data["exam_pass_mark"] = 90
    services.new_requirement_version(track, data, "Raised", None)
    db.session.commit()
    old = runner.invoke(
        args=["requirements", "export", "--track", str(track.id), "--version", "1", "-"]
    )
    assert tomllib.loads(old.output)["requirements"]["exam_pass_mark"] == 80
    new = runner.invoke(args=["requirements", "export", "--track", str(track.id), "-"])
    assert tomllib.loads(new.output)["requirements"]["exam_pass_mark"] == 90


@pytest.mark.parametrize(
    "args",
    [["--track", "999", "-"], ["--track", "{track}", "--version", "7", "-"]],
)
def test_export_refuses_unknown_track_or_version(runner, track, args):
    args = [a.replace("{track}", str(track.id)) for a in args]
    result = runner.invoke(args=["requirements", "export", *args])
    assert result.exit_code != 0
    assert "No track with id 999" in result.output or "has no version 7" in result.output


def test_import_unchanged_and_changed(runner, track, tmp_path):
    path = tmp_path / "req.toml"
    text = services.export_toml(track.current_requirements)
    path.write_text(text)
    before = count_rows()
    result = runner.invoke(args=["requirements", "import", "--track", str(track.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "Unchanged: version 1" in result.output
    assert count_rows() == before

    path.write_text(text.replace("references_required = 2", "references_required = 3"))
    result = runner.invoke(
        args=["requirements", "import", "--track", str(track.id), "--note", "Three refs", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "Stored version 2" in result.output
    db.session.expire_all()
    current = track.current_requirements
    assert (current.version, current.note) == (2, "Three refs")
    assert current.spec.references_required == 3


def test_import_from_stdin(runner, track):
    text = services.export_toml(track.current_requirements).replace(
        "exam_max_attempts = 3", "exam_max_attempts = 2"
    )
    result = runner.invoke(
        args=["requirements", "import", "--track", str(track.id), "-"], input=text
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert track.current_requirements.spec.exam_max_attempts == 2


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("exam_pass_mark = 80", "exam_pass_mark = [", "file"),
        ("[requirements]\n", "[requirements]\nshoe_size = 9\n", "requirements.shoe_size"),
        ("min_hours = 12", "min_hours = -12", "requirements.didactic_topics[1].min_hours"),
        (
            "supervised_sessions_required = 4",
            "supervised_sessions_required = 7",
            "requirements.supervised_sessions_required",
        ),
        ('"LPC",', '"LPC",\n    "Wizard",', "requirements.accepted_licence_types"),
    ],
)
def test_import_bad_file_exits_nonzero_and_changes_nothing(
    runner, track, tmp_path, old, new, field
):
    path = tmp_path / "bad.toml"
    path.write_text(services.export_toml(track.current_requirements).replace(old, new, 1))
    before = count_rows()
    result = runner.invoke(args=["requirements", "import", "--track", str(track.id), str(path)])
    assert result.exit_code != 0
    assert f"{field}:" in result.output
    assert "nothing was imported" in result.output
    assert count_rows() == before


def test_import_refuses_non_utf8_and_unknown_track(runner, track, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("program = 'Café'".encode("latin-1"))
    result = runner.invoke(args=["requirements", "import", "--track", str(track.id), str(path)])
    assert result.exit_code != 0
    assert "not UTF-8" in result.output
    result = runner.invoke(args=["requirements", "import", "--track", "999", str(path)])
    assert result.exit_code != 0
    assert "No track with id 999" in result.output
