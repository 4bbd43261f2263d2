"""The supervisor's queue: filters by trainee and kind, select all (everyone's or one trainee's)
without JavaScript, and, after signing one entry from its page, the next waiting entry."""

from __future__ import annotations

import re

from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment


def _checked(page: str) -> set[str]:
    """The keys of the entries whose box starts checked."""
    return set(re.findall(r'name="selected" value="([a-z]+:\d+)"[^>]* checked', page))


def _listed(page: str) -> set[str]:
    return set(re.findall(r'name="selected" value="([a-z]+:\d+)"', page))


def _second(create_user, supervisor):
    other = create_user("trainee", name="Otis Second")
    second = make_enrollment(other)
    assign(second, supervisor)
    return second


def test_filters_by_trainee_and_kind(as_user, enrollment, supervisor, create_user):
    second = _second(create_user, supervisor)
    mine = waiting_session(enrollment, supervisor)
    hours = waiting_didactic(enrollment)
    theirs = waiting_session(second, supervisor)
    client = as_user(supervisor)
    page = client.get(f"/signoffs/?trainee={enrollment.id}").get_data(as_text=True)
    assert _listed(page) == {f"session:{mine.id}", f"didactic:{hours.id}"}
    page = client.get("/signoffs/?kind=session").get_data(as_text=True)
    assert _listed(page) == {f"session:{mine.id}", f"session:{theirs.id}"}
    page = client.get(f"/signoffs/?trainee={second.id}&kind=didactic").get_data(as_text=True)
    assert _listed(page) == set() and "Nothing waiting matches these filters." in page
    # The filter offers each trainee with their count; nonsense filters show everything.
    assert "Otis Second (1)" in page and "Tara Trainee (2)" in page
    page = client.get("/signoffs/?trainee=abc&kind=nonsense").get_data(as_text=True)
    assert len(_listed(page)) == 3


def test_select_all_and_select_one_trainee_work_without_scripts(
    as_user, enrollment, supervisor, create_user
):
    second = _second(create_user, supervisor)
    mine = [waiting_session(enrollment, supervisor), waiting_experiential(enrollment)]
    theirs = waiting_didactic(second)
    client = as_user(supervisor)
    page = client.get("/signoffs/").get_data(as_text=True)
    assert _checked(page) == set()
    assert 'href="/signoffs/?select=all"' in page
    assert f'href="/signoffs/?select={second.id}"' in page  # "select all of" Otis Second
    page = client.get("/signoffs/?select=all").get_data(as_text=True)
    assert _checked(page) == {f"session:{mine[0].id}", f"experiential:{mine[1].id}"} | {
        f"didactic:{theirs.id}"
    }
    page = client.get(f"/signoffs/?select={enrollment.id}").get_data(as_text=True)
    assert _checked(page) == {f"session:{mine[0].id}", f"experiential:{mine[1].id}"}
    # Select all within a filter checks only what the filter shows.
    page = client.get("/signoffs/?kind=didactic&select=all").get_data(as_text=True)
    assert _checked(page) == {f"didactic:{theirs.id}"}
    # The enhancement script is the app's own file.
    assert '<script src="/static/js/select-all.js" defer>' in page
    script = client.get("/static/js/select-all.js")
    assert script.status_code == 200 and "select-all" in script.get_data(as_text=True)
    script.close()


def test_signing_one_entry_opens_the_next_waiting_one(as_user, enrollment, supervisor, create_user):
    second = _second(create_user, supervisor)
    oldest_elsewhere = waiting_session(second, supervisor, days_ago=9)
    first = waiting_session(enrollment, supervisor, days_ago=3)
    same_trainee = waiting_didactic(enrollment, days_ago=1)
    client = as_user(supervisor)
    key = f"session:{first.id}"
    response = post_form(client, "/signoffs/sign", sign_form(key, back=f"entry:{key}"))
    # The same trainee's next entry comes first, even though another trainee's is older.
    assert response.headers["Location"] == f"/signoffs/didactic/{same_trainee.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Signed 1 entry." in page and "Next waiting: didactic hours of Tara Trainee." in page
    key = f"didactic:{same_trainee.id}"
    response = post_form(client, "/signoffs/sign", sign_form(key, back=f"entry:{key}"))
    assert response.headers["Location"] == f"/signoffs/session/{oldest_elsewhere.id}"
    key = f"session:{oldest_elsewhere.id}"
    response = post_form(client, "/signoffs/sign", sign_form(key, back=f"entry:{key}"))
    assert response.headers["Location"] == "/signoffs/"
    assert "Nothing else is waiting for you." in client.get("/signoffs/").get_data(as_text=True)


def test_a_bulk_signature_returns_to_its_list(as_user, enrollment, supervisor):
    entries = [waiting_session(enrollment, supervisor), waiting_didactic(enrollment)]
    keys = [f"session:{entries[0].id}", f"didactic:{entries[1].id}"]
    client = as_user(supervisor)
    response = post_form(client, "/signoffs/sign", sign_form(*keys, back="signoffs.queue"))
    assert response.headers["Location"] == "/signoffs/"
    response = post_form(
        client,
        "/signoffs/sign",
        sign_form(f"didactic:{waiting_didactic(enrollment).id}", back=f"record:{enrollment.id}"),
    )
    assert response.headers["Location"] == f"/signoffs/trainees/{enrollment.id}"


def test_filtered_queue_query_count_does_not_grow(
    as_user, enrollment, supervisor, create_user, count_queries
):
    client = as_user(supervisor)

    def fill(n):
        for _ in range(n):
            waiting_session(enrollment, supervisor)
            waiting_didactic(enrollment)
            extra = make_enrollment(create_user("trainee"))
            assign(extra, supervisor)
            waiting_experiential(extra)

    url = f"/signoffs/?trainee={enrollment.id}&select=all"
    fill(1)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    fill(6)
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert len(_checked(page)) == 14
    assert many.count == few.count, many.statements
