"""Every programs page is for staff only: trainees and supervisors get 403, anonymous visitors
are sent to sign in, and nothing changes."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.conftest import post_form
from tests.programs.conftest import count_rows


def _urls(app, program) -> list[tuple[str, str, set[str]]]:
    """(endpoint, url, methods) for every route of the programs blueprint."""
    track, cohort = program.tracks[0], program.cohorts[0]
    values = {
        "program_id": program.id,
        "track_id": track.id,
        "cohort_id": cohort.id,
        "number": 1,
    }
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("programs."):
                continue
            args = {name: values[name] for name in rule.arguments}
            found.append((rule.endpoint, url_for(rule.endpoint, **args), set(rule.methods)))
    return found


def test_the_blueprint_has_the_expected_routes(app, make_program):
    endpoints = {endpoint for endpoint, _, _ in _urls(app, make_program())}
    assert endpoints == {
        "programs.index",
        "programs.new_program",
        "programs.program_detail",
        "programs.edit_program",
        "programs.new_track",
        "programs.edit_track",
        "programs.new_cohort",
        "programs.edit_cohort",
        "programs.requirements",
        "programs.requirement_version",
        "programs.download_requirements",
        "programs.edit_requirements",
    }


@pytest.mark.parametrize("role", ["trainee", "supervisor"])
def test_other_roles_get_403_everywhere(app, client, create_user, auth, make_program, role):
    program = make_program()
    auth.login(create_user(role))
    before = count_rows()
    for endpoint, url, methods in _urls(app, program):
        assert client.get(url).status_code == 403, endpoint
        if "POST" in methods:
            assert post_form(client, url, {"name": "Taken over"}).status_code == 403, endpoint
    assert count_rows() == before


def test_anonymous_is_sent_to_sign_in(app, client, make_program):
    program = make_program()
    before = count_rows()
    for endpoint, url, methods in _urls(app, program):
        response = client.get(url)
        assert response.status_code == 302, endpoint
        assert "/account/login" in response.headers["Location"], endpoint
        if "POST" in methods:
            assert post_form(client, url, {"name": "x"}).status_code == 401, endpoint
    assert count_rows() == before


def test_staff_reach_every_page(app, client, staff, make_program):
    for endpoint, url, _ in _urls(app, make_program()):
        assert client.get(url).status_code == 200, endpoint


def test_nav_link_only_for_staff(client, create_user, auth):
    auth.login(create_user("trainee"))
    assert 'href="/programs/"' not in client.get("/home", follow_redirects=True).get_data(
        as_text=True
    )
    auth.logout()
    auth.login(create_user("staff"))
    assert 'href="/programs/"' in client.get("/home", follow_redirects=True).get_data(as_text=True)
