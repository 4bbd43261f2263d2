"""Entries through the API: the pages' services, rules and messages; ETag and If-Match;
problem details naming the field; another trainee's records are not there (404)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import bearer
from tests.training.factories import add_didactic
from tests.training.factories import add_session
from tests.training.factories import count
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.core.clock import today_in
from tracker.training.models import DidacticEntry

DIDACTIC = {"topic_code": "pharmacology", "hours": "1.5", "provider": "Module 3"}


def _didactic(**changes):
    return {"on": yesterday().isoformat(), **DIDACTIC, **changes}


def test_log_read_change_and_delete_a_didactic_entry(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee))
    created = client.post("/api/v1/didactic", json=_didactic(), headers=headers)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry["status"] == "pending" and entry["hours"] == "1.5"
    entry_id = entry["id"]
    etag = created.headers["ETag"]

    listed = client.get("/api/v1/didactic", headers=headers).get_json()
    assert [e["id"] for e in listed["data"]] == [entry_id]
    assert listed["paging"] == {"page": 1, "per_page": 50, "total": 1, "pages": 1}

    read = client.get(f"/api/v1/didactic/{entry_id}", headers=headers)
    assert read.headers["ETag"] == etag

    missing = client.put(f"/api/v1/didactic/{entry_id}", json=_didactic(hours="2"), headers=headers)
    assert missing.status_code == 428
    assert missing.mimetype == "application/problem+json"

    changed = client.put(
        f"/api/v1/didactic/{entry_id}",
        json=_didactic(hours="2"),
        headers={**headers, "If-Match": etag},
    )
    assert changed.status_code == 200 and changed.get_json()["hours"] == "2"
    assert changed.headers["ETag"] != etag

    stale = client.put(
        f"/api/v1/didactic/{entry_id}",
        json=_didactic(hours="3"),
        headers={**headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert client.get(f"/api/v1/didactic/{entry_id}", headers=headers).get_json()["hours"] == "2"

    assert client.delete(f"/api/v1/didactic/{entry_id}", headers=headers).status_code == 204
    assert count(DidacticEntry) == 0


def test_a_refusal_names_the_field_and_keeps_nothing(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee))
    future = (today_in("UTC") + timedelta(days=2)).isoformat()
    cases = {
        "topic_code": _didactic(topic_code="astrology"),
        "on": _didactic(on=future),
        "hours": _didactic(hours="1.1"),
    }
    for field, body in cases.items():
        response = client.post("/api/v1/didactic", json=body, headers=headers)
        assert response.status_code == 422, (field, response.get_json())
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["field"] == field and problem["status"] == 422 and problem["detail"]
    # A body that does not fit the schema: spectree's validation, as a problem too.
    response = client.post("/api/v1/didactic", json={"on": "soon"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["field"] in {"on", "topic_code", "hours", "provider"}
    assert count(DidacticEntry) == 0


def test_the_daily_cap_and_duplicates_hold_as_on_the_pages(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee))
    assert client.post("/api/v1/didactic", json=_didactic(), headers=headers).status_code == 201
    again = client.post("/api/v1/didactic", json=_didactic(), headers=headers)
    assert again.status_code == 422 and again.get_json()["field"] == "confirm_duplicate"
    meant = client.post("/api/v1/didactic", json=_didactic(confirm_duplicate=True), headers=headers)
    assert meant.status_code == 201
    over = client.post("/api/v1/didactic", json=_didactic(hours="10"), headers=headers)
    assert over.status_code == 422 and over.get_json()["field"] == "hours"
    assert count(DidacticEntry) == 2


def test_a_verified_entry_cannot_be_changed_or_deleted(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee))
    entry = add_didactic(enrollment, status="verified")
    etag = client.get(f"/api/v1/didactic/{entry.id}", headers=headers).headers["ETag"]
    response = client.put(
        f"/api/v1/didactic/{entry.id}", json=_didactic(), headers={**headers, "If-Match": etag}
    )
    assert response.status_code == 409
    assert "verified" in response.get_json()["detail"]
    assert client.delete(f"/api/v1/didactic/{entry.id}", headers=headers).status_code == 409
    assert count(DidacticEntry) == 1


def test_a_note_holding_client_information_asks_for_confirmation(
    client, trainee, enrollment, token_for
):
    headers = bearer(token_for(trainee))
    body = _didactic(note="Discussed Jane Smith, 555-123-4567")
    response = client.post("/api/v1/didactic", json=body, headers=headers)
    assert response.status_code == 422 and response.get_json()["field"] == "note"
    body["not_client_information"] = True
    assert client.post("/api/v1/didactic", json=body, headers=headers).status_code == 201


def test_a_session_is_saved_as_a_draft_and_a_signed_one_is_read_only(
    client, trainee, enrollment, token_for
):
    headers = bearer(token_for(trainee))
    body = {
        "on": yesterday().isoformat(),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "co_therapist",
        "supervision_mode": "live",
        "covers_dosing": True,
        "duration_minutes": 90,
        "reflection": "Preparation went well; the dosing phase needed closer monitoring. " * 3,
    }
    created = client.post("/api/v1/sessions", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "draft"
    bad = client.post(
        "/api/v1/sessions", json={**body, "client_code": "Jane Smith"}, headers=headers
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "client_code"
    signed = add_session(enrollment, status="signed")
    assert client.delete(f"/api/v1/sessions/{signed.id}", headers=headers).status_code == 409


def test_another_trainees_token_finds_nothing(client, create_user, trainee, enrollment, token_for):
    other = create_user("trainee", name="Olive Other")
    make_enrollment(other)
    entry = add_didactic(enrollment)
    session = add_session(enrollment)
    headers = bearer(token_for(other))
    for url in (
        f"/api/v1/didactic/{entry.id}",
        f"/api/v1/sessions/{session.id}",
        f"/api/v1/enrollments/{enrollment.id}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    assert client.delete(f"/api/v1/didactic/{entry.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/didactic", headers=headers).get_json()["data"] == []
    assert count(DidacticEntry) == 1


def test_logging_before_admission_is_refused(client, create_user, token_for):
    applicant = create_user("trainee")
    make_enrollment(applicant, status="applicant")
    response = client.post(
        "/api/v1/didactic", json=_didactic(), headers=bearer(token_for(applicant))
    )
    assert response.status_code == 409
    assert "admi" in response.get_json()["detail"]
