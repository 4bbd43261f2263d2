"""The API's lists read a fixed number of queries, however many rows they return."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.training.factories import add_ce
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import add_session
from tests.training.factories import assign
from tracker.certificates import services as certificate_services
from tracker.extensions import db


def _fill(enrollment, supervisor, n):
    for _ in range(n):
        add_didactic(enrollment, "0.25")
        add_experiential(enrollment, "0.25")
        add_ce(enrollment, "1")
        add_session(enrollment, status="submitted", supervisor_id=supervisor.id)


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/api/v1/didactic", "trainee"),
        ("/api/v1/experiential", "trainee"),
        ("/api/v1/ce", "trainee"),
        ("/api/v1/sessions", "trainee"),
        ("/api/v1/supervisor/queue", "supervisor"),
    ],
)
def test_entry_lists_do_not_query_per_row(
    client, create_user, trainee, enrollment, token_for, count_queries, url, who
):
    supervisor = create_user("supervisor")
    assign(enrollment, supervisor)
    headers = bearer(token_for(trainee if who == "trainee" else supervisor))
    client.get(url, headers=headers)  # the token's first use writes its last-use time
    _fill(enrollment, supervisor, 1)
    with count_queries() as few:
        assert client.get(url, headers=headers).status_code == 200
    _fill(enrollment, supervisor, 6)
    with count_queries() as many:
        response = client.get(url, headers=headers)
    assert response.get_json()["paging"]["total"] >= 7
    assert many.count == few.count


def test_the_certificate_list_does_not_query_per_row(client, create_user, token_for, count_queries):
    staff = create_user("staff")
    headers = bearer(token_for(staff, "manage_certificates"))
    client.get("/api/v1/certificates", headers=headers)

    def issue(n):
        for _ in range(n):
            person = create_user("trainee")
            enrollment = ready_enrollment(person, program_name=f"Program of {person.email}")
            certificate_services.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
        db.session.commit()

    issue(1)
    with count_queries() as few:
        assert client.get("/api/v1/certificates", headers=headers).status_code == 200
    issue(3)
    with count_queries() as many:
        response = client.get("/api/v1/certificates", headers=headers)
    assert response.get_json()["paging"]["total"] == 4
    assert many.count == few.count
