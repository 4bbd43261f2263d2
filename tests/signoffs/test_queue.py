"""The supervisor's home: everything waiting across their trainees, oldest first with days
waiting, each trainee's progress read-only, in a number of queries that does not grow."""

from __future__ import annotations

from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment


def test_queue_lists_waiting_entries_oldest_first(as_user, enrollment, supervisor, create_user):
    other_trainee = create_user("trainee", name="Otis Second")
    second = make_enrollment(other_trainee)
    assign(second, supervisor, kind="backup")
    waiting_session(enrollment, supervisor, days_ago=3, client_code="KC-MID234")
    waiting_experiential(second, days_ago=12)
    waiting_didactic(enrollment, days_ago=0)
    page = as_user(supervisor).get("/signoffs/").get_data(as_text=True)
    assert page.index("12 days") < page.index("3 days") < page.index("0 days")
    assert "Otis Second" in page and "Tara Trainee" in page
    assert "I directly supervised this session and attest that this record is accurate." in page
    assert 'name="password"' in page and 'name="selected"' in page
    # Progress, read-only: the nine steps, no forms of the trainee's.
    assert "Didactic training" in page and "of 9 steps done" in page


def test_queue_query_count_does_not_grow(
    as_user, enrollment, supervisor, create_user, count_queries
):
    """The same statements for two trainees as for ten (primary and backup, each in a program
    of their own), with four entries waiting each."""
    client = as_user(supervisor)

    def fill(n):
        for number in range(n):
            person = create_user("trainee")
            extra = make_enrollment(person)  # each in a program of its own
            assign(extra, supervisor, kind="backup" if number % 2 else "primary")
            waiting_session(extra, supervisor)
            waiting_experiential(extra)
            waiting_didactic(extra)
            waiting_session(enrollment, supervisor)

    fill(1)
    with count_queries() as few:
        assert client.get("/signoffs/").status_code == 200
    fill(8)
    with count_queries() as many:
        response = client.get("/signoffs/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('name="selected"') == 9 * 4
    assert page.count('class="border rounded p-2 mb-2 trainee-summary"') == 1 + 9
    assert many.count == few.count, many.statements


def test_home_sends_a_supervisor_to_the_queue(as_user, supervisor, create_user):
    response = as_user(supervisor).get("/home")
    assert response.status_code == 302 and response.headers["Location"].endswith("/signoffs/")
    # A supervisor who is also a trainee keeps the page of links to both roles.
    both = create_user("supervisor", "trainee")
    assert as_user(both).get("/home").status_code == 200
