"""The export streams: the ZIP is written to a temporary file, the uploads copied into it from
disk a chunk at a time and the response sent from that file, so a trainee with 100 files of 1 MB
exports them whole while the worker's memory stays flat (before: the whole ZIP was built in
memory, and the worker grew with every upload)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import tracemalloc
import zipfile

from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.factories.documents import uploaded_pdf

MB = 1024 * 1024
FILES = 100


def test_an_export_of_100_files_is_complete_and_its_memory_flat(app, client, auth, create_user):
    trainee = create_user("trainee")
    expected = {}
    for number in range(FILES):
        stored = uploaded_pdf(trainee, f"scan-{number}.pdf", size=MB)
        expected[f"files/{stored.id}-{stored.original_name}"] = stored.sha256
    db.session.commit()
    auth.login(trainee)
    token = csrf_token(client)

    with tempfile.TemporaryFile() as download:
        tracemalloc.start()
        try:
            response = client.post(
                "/dashboard/export.zip", data={"csrf_token": token}, buffered=False
            )
            for chunk in response.iter_encoded():
                download.write(chunk)
            response.close()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert download.tell() > FILES * MB
        assert response.content_length == download.tell()
        download.seek(0)
        with zipfile.ZipFile(download) as archive:
            files = {n: _sha256(archive, n) for n in archive.namelist() if n.startswith("files/")}
            records = json.loads(archive.read("data.json"))["records"]

    assert peak < 10 * MB, f"the export held {peak / MB:.1f} MB at its peak"
    assert files == expected
    assert len(records["stored_files"]) == FILES


def _sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(64 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
