"""The API's read resources: the enrollment's nine steps and items from the engine, the
supervisor's queue, the cohort list with the page's filters and paging, certificates and their
public verification; the OpenAPI document and the reference page."""

from __future__ import annotations

from tests.api.conftest import bearer
from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.training.factories import add_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.certificates import services as certificate_services
from tracker.extensions import db
from tracker.standing.snapshots import refresh


def test_an_enrollment_has_nine_steps_and_its_items(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee, "read_own"))
    listed = client.get("/api/v1/enrollments", headers=headers).get_json()
    assert listed["paging"]["total"] == 1
    one = client.get(f"/api/v1/enrollments/{enrollment.id}", headers=headers).get_json()
    assert one == listed["data"][0]
    assert [step["number"] for step in one["steps"]] == list(range(1, 10))
    assert one["status"] == "admitted"
    codes = {item["code"] for item in one["items"]}
    assert "didactic.hours_short" in codes or any(c.startswith("didactic.") for c in codes)
    assert all(item["actor"] in ("trainee", "supervisor", "staff") for item in one["items"])


def test_a_supervisor_reads_their_queue_and_assigned_trainees_only(
    client, create_user, trainee, enrollment, token_for
):
    supervisor = create_user("supervisor")
    assign(enrollment, supervisor)
    session = add_session(enrollment, status="submitted", supervisor_id=supervisor.id)
    headers = bearer(token_for(supervisor))
    queue = client.get("/api/v1/supervisor/queue", headers=headers).get_json()
    assert [(w["entry_type"], w["entry_id"]) for w in queue["data"]] == [("session", session.id)]
    assert queue["paging"]["total"] == 1
    assert client.get(f"/api/v1/enrollments/{enrollment.id}", headers=headers).status_code == 200
    stranger = make_enrollment(create_user("trainee"))
    assert client.get(f"/api/v1/enrollments/{stranger.id}", headers=headers).status_code == 404
    # A trainee has no queue; a supervisor's token cannot write a trainee's entries.
    trainee_headers = bearer(token_for(trainee))
    assert client.get("/api/v1/supervisor/queue", headers=trainee_headers).status_code == 403
    assert client.post("/api/v1/didactic", json={}, headers=headers).status_code == 403


def test_the_cohort_list_filters_and_pages_like_the_page(client, create_user, staff, token_for):
    for n in range(3):
        make_enrollment(create_user("trainee", name=f"Trainee {n}"))
    make_enrollment(create_user("trainee", name="Applicant"), status="applicant")
    refresh()
    db.session.commit()
    headers = bearer(token_for(staff, "read_program"))
    first = client.get("/api/v1/cohort?per_page=2&status=admitted", headers=headers).get_json()
    assert first["paging"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    second = client.get("/api/v1/cohort?per_page=2&page=2&status=admitted", headers=headers)
    names = [r["trainee_name"] for r in first["data"] + second.get_json()["data"]]
    assert names == ["Trainee 0", "Trainee 1", "Trainee 2"]
    bad = client.get("/api/v1/cohort?status=dreaming", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "status"
    unknown = client.get("/api/v1/cohort?code=no.such.code", headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "code"


def test_certificates_read_by_holder_and_staff_and_verified_by_anyone(
    client, create_user, staff, token_for
):
    holder = create_user("trainee", name="Jordan Avery")
    cert = certificate_services.issue_certificate(
        ready_enrollment(holder).id, staff, None, password=PASSWORD
    )
    db.session.commit()
    own = client.get("/api/v1/certificates", headers=bearer(token_for(holder, "read_own")))
    assert [c["number"] for c in own.get_json()["data"]] == [cert.number]
    staff_headers = bearer(token_for(staff, "manage_certificates"))
    found = client.get(f"/api/v1/certificates?q={cert.number}", headers=staff_headers)
    assert found.get_json()["paging"]["total"] == 1
    read = client.get(f"/api/v1/certificates/{cert.id}", headers=staff_headers).get_json()
    assert read["public"]["holder"] == "Jordan Avery"
    other = bearer(token_for(create_user("trainee"), "read_own"))
    assert client.get(f"/api/v1/certificates/{cert.id}", headers=other).status_code == 404
    assert client.get("/api/v1/certificates", headers=other).get_json()["data"] == []
    public = client.get(f"/api/v1/verify/{cert.verification_code}")
    assert public.status_code == 200
    assert public.get_json()["status"] == "valid" and "reason" not in public.get_json()
    missing = client.get("/api/v1/verify/nope")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_the_openapi_document_and_the_reference_page(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/didactic/{entry_id}" in document["paths"]
    put = document["paths"]["/api/v1/didactic/{entry_id}"]["put"]
    assert {"412", "428", "422"} <= set(put["responses"])
    body = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "topic_code" in document["components"]["schemas"][body]["properties"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "PUT /api/v1/didactic/{entry_id}" in html and "topic_code" in html
    assert "cdn" not in html.lower()
