"""`flask documents sweep` (and `sweep_orphans`, which the worker calls) removes what no record
keeps: temporary files of uploads that never finished, once they are an hour old, and stored
files no row names. Files a row names, fresh temporary files and anything else are kept."""

from __future__ import annotations

import os
import time

from tests.documents.conftest import on_disk
from tracker.documents.storage import sweep_orphans
from tracker.extensions import db
from tracker.factories.documents import PDF
from tracker.factories.documents import uploaded_pdf

STRAY = "a" * 40 + ".bin"
OLD_PART = "b" * 40 + ".bin.part"
FRESH_PART = "c" * 40 + ".bin.part"


def _litter(folder, age_hours: float = 2) -> None:
    """What crashed or killed workers leave: a file no row names, temporary files old and new,
    and a file the store did not make."""
    for name in (STRAY, OLD_PART, FRESH_PART, "README.txt"):
        (folder / name).write_bytes(PDF)
    then = time.time() - age_hours * 3600
    os.utime(folder / OLD_PART, (then, then))
    os.utime(folder / STRAY, (then, then))


def test_the_sweep_removes_orphans_and_nothing_referenced(app, trainee, folder):
    kept = uploaded_pdf(trainee, "kept.pdf")
    db.session.commit()
    _litter(folder)

    report = sweep_orphans()

    assert report.temporary == [OLD_PART]
    assert report.unreferenced == [STRAY]
    assert report.freed_bytes == 2 * len(PDF)
    assert {p.name for p in folder.iterdir()} == {kept.storage_name, FRESH_PART, "README.txt"}
    assert (folder / kept.storage_name).read_bytes() == PDF


def test_an_upload_in_progress_is_not_swept(app, trainee, folder):
    pending = uploaded_pdf(trainee, "pending.pdf")  # its transaction is still open
    assert sweep_orphans().removed == 0
    db.session.commit()
    assert on_disk(folder) == {pending.storage_name}


def test_the_command_lists_what_it_removed(app, trainee, folder, runner):
    uploaded_pdf(trainee, "kept.pdf")
    db.session.commit()
    _litter(folder)
    result = runner.invoke(args=["documents", "sweep"])
    assert result.exit_code == 0, result.output
    assert f"removed unfinished upload {OLD_PART}" in result.output
    assert f"removed unreferenced file {STRAY}" in result.output
    assert "2 file(s) removed" in result.output
    assert runner.invoke(args=["documents", "sweep"]).output.strip() == (
        "0 file(s) removed, 0 MB freed."
    )


def test_a_shorter_bound_sweeps_younger_temporary_files(app, folder, runner):
    folder.mkdir(parents=True, exist_ok=True)
    _litter(folder)
    result = runner.invoke(args=["documents", "sweep", "--older-than", "0"])
    assert f"removed unfinished upload {FRESH_PART}" in result.output
    assert {p.name for p in folder.iterdir()} == {"README.txt"}
