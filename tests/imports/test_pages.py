"""The import pages through the web client, CSRF on: upload, map, preview, commit, replay,
undo; bad files are refused with a reason and nothing kept; only staff reach the pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.imports.factories import COURSE_MAP
from tests.imports.factories import admitted
from tests.imports.factories import moodle_csv
from tests.imports.factories import running_program
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.factories import count
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportDraft
from tracker.training.models import DidacticEntry

DIGEST = re.compile(r'name="digest" type="hidden" value="([0-9a-f]{64})"|value="([0-9a-f]{64})"')


@pytest.fixture
def program(app, create_user, staff):
    """A running program with two admitted trainees and the tests' course map."""
    from tracker.imports import services

    program = running_program()
    for email, name in (("ann@example.org", "Ann Lee"), ("bo@example.org", "Bo Park")):
        admitted(create_user("trainee", email=email, name=name), program)
    services.save_layout(program, None, COURSE_MAP, staff)
    db.session.commit()
    return program


def export() -> bytes:
    today = today_in("UTC")
    return moodle_csv(
        [
            (
                "Ann Lee",
                "ann@example.org",
                "KAP 101: Pharmacology of ketamine",
                today - timedelta(days=3),
            ),
            ("Bo Park", "bo@example.org", "Ethics seminar", today - timedelta(days=2)),
        ]
    )


def upload(client, program, data: bytes, name: str = "completion.csv"):
    return post_form(
        client,
        f"/imports/programs/{program.id}",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def digest_of(html: str) -> str:
    match = DIGEST.search(html)
    assert match, "no commit form on the preview"
    return match.group(1) or match.group(2)


def test_upload_preview_commit_and_a_replay_adds_nothing(client, as_staff, program):
    response = upload(client, program, export())
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Read as a Moodle course completion report" in page
    assert "2 will be created, 0 duplicates, 0 errors" in page
    assert "Ann Lee" in page and "Pharmacology and mechanisms" in page
    digest = digest_of(page)
    draft_id = int(preview_url.rstrip("/").split("/")[-1])

    assert (
        client.post(f"/imports/drafts/{draft_id}/commit", data={"digest": digest}).status_code
        == 400
    )
    assert count(DidacticEntry) == 0  # no CSRF token: refused, nothing stored

    done = post_form(
        client, f"/imports/drafts/{draft_id}/commit", {"digest": digest}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert "Imported 2 entries (5.00 hours), verified by the program." in text
    assert count(DidacticEntry) == 2

    replay = post_form(
        client, f"/imports/drafts/{draft_id}/commit", {"digest": digest}, follow_redirects=True
    )
    assert "This preview was already imported" in replay.get_data(as_text=True)
    assert count(DidacticEntry) == 2

    again = upload(client, program, export())
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 will be created, 2 duplicates, 0 errors" in page
    assert "Nothing new to import" in page and 'name="digest"' not in page


def test_a_stale_digest_is_refused(client, as_staff, program):
    response = upload(client, program, export())
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    done = post_form(
        client, f"/imports/drafts/{draft_id}/commit", {"digest": "0" * 64}, follow_redirects=True
    )
    assert "The preview no longer holds" in done.get_data(as_text=True)
    assert count(DidacticEntry) == 0 and count(ImportBatch) == 0


def test_an_unknown_layout_is_mapped_once_and_remembered(client, as_staff, program):
    day = (today_in("UTC") - timedelta(days=1)).isoformat()
    data = f"Learner;Module;Day;Time spent;Ref\nann@example.org;ethics;{day};1.5;R-1\n".encode()
    response = upload(client, program, data, "other.csv")
    assert "/map" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Map the columns" in page and "Time spent" in page
    refused = post_form(
        client, response.headers["Location"], {"person": "Learner", "topic": "", "date": "Day"}
    )
    assert "Choose the column for the person, the topic and the date." in refused.get_data(
        as_text=True
    )
    mapped = post_form(
        client,
        response.headers["Location"],
        {
            "person": "Learner",
            "topic": "Module",
            "date": "Day",
            "hours": "Time spent",
            "external_id": "Ref",
        },
    )
    page = client.get(mapped.headers["Location"]).get_data(as_text=True)
    assert "1 will be created" in page
    second = upload(client, program, data.replace(b"R-1", b"R-2"), "other.csv")
    assert "/map" not in second.headers["Location"]  # read with the saved layout


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n...", "Upload the export as a CSV file"),
        (b"", "The file is empty."),
        (b"one column only\nx\n", "The first line must name the columns"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(client, as_staff, program, data, message):
    response = upload(client, program, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(ImportDraft) == 0


def test_a_file_over_the_upload_limit_is_refused(app, client, as_staff, program):
    app.config["UPLOAD_MAX_BYTES"] = 200
    response = upload(client, program, export() + b"x" * 300)
    assert "The file is larger than" in response.get_data(as_text=True)
    assert count(ImportDraft) == 0


def test_undo_through_the_page(client, as_staff, program):
    response = upload(client, program, export())
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    digest = digest_of(client.get(response.headers["Location"]).get_data(as_text=True))
    post_form(client, f"/imports/drafts/{draft_id}/commit", {"digest": digest})
    batch = db.session.scalar(select(ImportBatch))
    short = post_form(client, f"/imports/batches/{batch.id}", {"reason": "no"})
    assert "at least 10 characters" in short.get_data(as_text=True)
    assert count(DidacticEntry) == 2
    done = post_form(
        client,
        f"/imports/batches/{batch.id}",
        {"reason": "Uploaded the wrong cohort."},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "The import was undone" in text and "Uploaded the wrong cohort." in text
    assert count(DidacticEntry) == 0


def test_the_course_map_page_checks_each_line(client, as_staff, program):
    page = post_form(
        client, f"/imports/programs/{program.id}/course-map", {"course_map": "Yoga = astrology, 2"}
    )
    assert "is no topic of the program" in page.get_data(as_text=True)
    saved = post_form(
        client, f"/imports/programs/{program.id}/course-map", {"course_map": "Yoga = ethics, 2"}
    )
    assert saved.status_code == 302


@pytest.mark.parametrize("path", ["/imports/", "/imports/programs/{id}"])
def test_only_staff_reach_the_import_pages(client, auth, create_user, program, path):
    auth.login(create_user("trainee", "supervisor"))
    response = client.get(path.format(id=program.id))
    assert response.status_code == 403


def test_reading_the_pages_writes_nothing(client, as_staff, program):
    from tracker.audit.models import AuditEvent

    response = upload(client, program, export())
    preview_url = response.headers["Location"]
    draft_id = int(preview_url.rstrip("/").split("/")[-1])
    digest = digest_of(client.get(preview_url).get_data(as_text=True))
    post_form(client, f"/imports/drafts/{draft_id}/commit", {"digest": digest})
    batch = db.session.scalar(select(ImportBatch))
    before = [count(m) for m in (AuditEvent, DidacticEntry, ImportDraft, ImportBatch)]
    for path in (
        preview_url,
        f"/imports/batches/{batch.id}",
        f"/imports/programs/{program.id}",
        f"/imports/programs/{program.id}/course-map",
        f"/imports/drafts/{draft_id}/map",
    ):
        assert client.get(path).status_code in (200, 302)
    assert [count(m) for m in (AuditEvent, DidacticEntry, ImportDraft, ImportBatch)] == before
