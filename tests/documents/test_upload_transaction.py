"""An upload is written under a temporary name and takes its place only once the transaction that
recorded it commits; a rollback, a failed request or a worker killed mid-upload leaves no stored
file behind (and what a killed worker leaves, the sweep removes)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.documents.conftest import on_disk
from tests.security.conftest import Boom
from tracker.audit.models import AuditEvent
from tracker.documents.models import StoredFile
from tracker.documents.storage import file_path
from tracker.documents.storage import save_upload
from tracker.extensions import db
from tracker.factories import count
from tracker.factories.documents import PDF
from tracker.security.access import SignedIn
from tracker.security.access import allow


def test_the_file_takes_its_place_only_after_the_commit(app, trainee, folder):
    stored = save_upload(io.BytesIO(PDF), "scan.pdf", trainee.id, trainee.id)
    final = file_path(stored)
    assert not final.exists()
    assert on_disk(folder, ".part") == {final.name + ".part"}
    db.session.commit()
    assert final.read_bytes() == PDF
    assert on_disk(folder, ".part") == set()


def test_a_rollback_removes_the_temporary_file_and_keeps_nothing(app, trainee, folder):
    save_upload(io.BytesIO(PDF), "scan.pdf", trainee.id, trainee.id)
    db.session.rollback()
    assert list(folder.iterdir()) == []
    assert count(StoredFile) == 0


def test_a_session_closed_without_a_commit_removes_the_temporary_file(app, trainee, folder):
    save_upload(io.BytesIO(PDF), "scan.pdf", trainee.id, trainee.id)
    db.session.close()
    assert list(folder.iterdir()) == []


def test_a_rolled_back_savepoint_drops_only_its_own_upload(app, trainee, folder):
    kept = save_upload(io.BytesIO(PDF), "kept.pdf", trainee.id, trainee.id)
    savepoint = db.session.begin_nested()
    dropped = save_upload(io.BytesIO(PDF), "dropped.pdf", trainee.id, trainee.id)
    dropped_name = dropped.storage_name
    savepoint.rollback()
    released = db.session.begin_nested()
    also_kept = save_upload(io.BytesIO(PDF), "also-kept.pdf", trainee.id, trainee.id)
    released.commit()  # a savepoint released: its file waits for the outer commit
    assert on_disk(folder) == set()
    db.session.commit()
    assert on_disk(folder) == {kept.storage_name, also_kept.storage_name}
    assert dropped_name not in {p.name.removesuffix(".part") for p in folder.iterdir()}


def test_a_request_that_fails_after_the_upload_keeps_no_file(make_app, trainee):
    app = make_app()

    @app.post("/upload-then-fail")
    @allow(SignedIn)
    def upload_then_fail():
        save_upload(io.BytesIO(PDF), "scan.pdf", trainee.id, trainee.id)
        raise Boom("after the upload")

    client = app.test_client()
    login(client, trainee)
    response = client.post("/upload-then-fail", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 500
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or list(folder.iterdir()) == []
    with app.app_context():
        assert db.session.scalar(select(StoredFile.id)) is None


# A worker that stores an upload and is killed before its transaction ends.
_KILLED_WORKER = textwrap.dedent(
    """
    import io, os, signal, sys
    from config import TestingConfig
    from tracker import create_app
    from tracker.documents.storage import save_upload
    from tracker.extensions import db

    url, instance, uploads, owner = sys.argv[1:5]
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "UPLOAD_FOLDER": uploads},
    )
    with app.app_context():
        body = b"%PDF-1.4\\n" + b"0" * 4096 + b"\\n%%EOF\\n"
        save_upload(io.BytesIO(body), "scan.pdf", int(owner), int(owner))
        db.session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_worker_killed_mid_upload_leaves_only_a_temporary_file_the_sweep_removes(
    app, trainee, folder, runner, database_url, tmp_path
):
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLED_WORKER,
            database_url,
            str(tmp_path / "worker-instance"),
            str(folder),
            str(trainee.id),
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]
    # Nothing of the upload was committed, and no stored file is on disk: only its temporary file.
    db.session.rollback()
    assert count(StoredFile) == 0
    uploaded = select(AuditEvent.id).where(AuditEvent.action == "file.uploaded")
    assert db.session.scalar(uploaded) is None
    assert on_disk(folder) == set()
    (part,) = on_disk(folder, ".part")
    # A fresh temporary file may be an upload in progress: the sweep waits an hour for it.
    assert "0 file(s) removed" in runner.invoke(args=["documents", "sweep"]).output
    old = (folder / part).stat().st_mtime - 2 * 3600
    os.utime(folder / part, (old, old))
    result = runner.invoke(args=["documents", "sweep"])
    assert result.exit_code == 0, result.output
    assert f"removed unfinished upload {part}" in result.output
    assert list(folder.iterdir()) == []
