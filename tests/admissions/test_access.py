"""Admissions is for staff only: the trainee (even on their own enrollment) and a supervisor
(even their assigned one) get 403 on every admissions URL, and nothing changes."""

from __future__ import annotations

import pytest

from tests.admissions.factories import add_document
from tests.admissions.factories import add_insurance
from tests.admissions.factories import add_licence
from tests.admissions.factories import add_screening
from tests.admissions.factories import snapshot
from tests.conftest import csrf_token
from tests.conftest import login
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db


@pytest.fixture
def records(submitted, trainee, supervisor):
    """One record of every kind the admissions URLs take, all the trainee's own."""
    waiver = Waiver(enrollment_id=submitted.id, target="step:5", reason="Equivalent training.")
    db.session.add_all(
        [
            waiver,
            SupervisorAssignment(
                enrollment_id=submitted.id, supervisor_id=supervisor.id, kind="primary"
            ),
        ]
    )
    db.session.commit()
    return {
        "enrollment_id": submitted.id,
        "document_id": add_document(submitted).id,
        "licence_id": add_licence(trainee).id,
        "insurance_id": add_insurance(trainee).id,
        "screening_id": add_screening(trainee).id,
        "waiver_id": waiver.id,
    }


def _admissions_urls(app, records) -> list[tuple[str, str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admissions."):
            continue
        path = rule.build({name: records[name] for name in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
        urls.append((rule.endpoint, method, path))
    return sorted(urls)


def test_every_admissions_route_is_listed(app, records):
    endpoints = {endpoint for endpoint, _m, _p in _admissions_urls(app, records)}
    assert len(endpoints) == 18
    assert {"admissions.queue", "admissions.review", "admissions.admit"} <= endpoints


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_trainees_and_supervisors_are_refused_everywhere(app, records, who, trainee, supervisor):
    person = {"trainee": trainee, "supervisor": supervisor}[who]
    client = app.test_client()
    login(client, person)
    before = snapshot()
    refused = []
    for endpoint, method, path in _admissions_urls(app, records):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf_token(client)})
        refused.append((endpoint, response.status_code))
    assert {status for _e, status in refused} == {403}, refused
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(app, records):
    client = app.test_client()
    before = snapshot()
    for _endpoint, method, path in _admissions_urls(app, records):
        if method == "GET":
            response = client.get(path)
            assert response.status_code == 302
            assert "/account/login" in response.headers["Location"]
        else:
            response = client.post(path, data={"csrf_token": csrf_token(client)})
            assert response.status_code == 401
    assert snapshot() == before


def test_staff_reach_every_page(as_staff, app, records):
    for _endpoint, method, path in _admissions_urls(app, records):
        if method == "GET":
            assert as_staff.get(path).status_code == 200, path


def test_the_navigation_shows_admissions_to_staff_only(app, as_staff, trainee, supervisor):
    # Any signed-in page carries the navigation bar; the account's sessions page is one.
    assert 'href="/admissions/"' in as_staff.get("/account/sessions").get_data(as_text=True)
    for person in (trainee, supervisor):
        client = app.test_client()
        login(client, person)
        page = client.get("/account/sessions")
        assert page.status_code == 200
        assert 'href="/admissions/"' not in page.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(as_staff, submitted):
    before = snapshot()
    response = as_staff.post(f"/admissions/enrollments/{submitted.id}/admit", data={})
    assert response.status_code == 400
    assert snapshot() == before
