"""The supervisor's trainee record: every entry and session with its status and signature, the
hours the engine counts against the requirement, the question threads, the evaluations and the
outstanding items; only for the supervisor's own trainees (and staff), in a fixed number of
queries."""

from __future__ import annotations

import re

from tests.records.builders import QUESTION
from tests.records.builders import fill_record
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tracker.standing import assess_one
from tracker.training.queries import didactic_totals
from tracker.training.queries import experiential_totals


def _url(enrollment) -> str:
    return f"/signoffs/trainees/{enrollment.id}"


def test_the_record_shows_everything_on_file(as_user, enrollment, supervisor):
    client = as_user(supervisor)
    filled = fill_record(client, enrollment, supervisor)
    page = client.get(_url(enrollment)).get_data(as_text=True)
    assert "Trainee record: Tara Trainee" in page
    # Each entry and session with its status and the signer's printed name.
    assert "Signed off" in page and "Signed by Dr. Sue Signer" in page
    assert "Returned with a question" in page
    assert f'href="/signoffs/session/{filled.waiting_session.id}"' in page
    # Hours against the requirement: the engine's own tallies, not a count of the page's.
    standing = assess_one(enrollment.id)
    didactic = didactic_totals(standing.spec, standing.facts)
    experiential = experiential_totals(standing.spec, standing.facts)
    assert didactic.verified == 5.5 and experiential.program_verified == 5.5
    assert f"Didactic hours by topic: 5.5 of {didactic.required:g} verified" in page
    assert "<strong>5.5 of 140</strong>" in page
    assert re.search(r"Pharmacology and mechanisms</th><td>3.5</td><td>0</td><td>12</td>", page)
    assert "Supervised sessions signed that count: <strong>1 of 4</strong>" in page
    # The question thread, the evaluations and the outstanding items.
    assert QUESTION in page
    assert (
        "Case presentation" in page and "Passed" in page and "Integration after a difficult" in page
    )
    assert "Knowledge exam" in page and "Not passed yet." in page
    assert "Competency evaluation" in page and "Evaluated on" in page
    items = {i.message for i in standing.progress.current_items}
    assert items and all(message in page for message in items)
    # The waiting entries with the sign form, coming back here once signed.
    assert f'value="record:{enrollment.id}"' in page
    assert f'value="session:{filled.waiting_session.id}"' in page
    # The trainee's pace, as the trainee sees it on their home page.
    assert "The trainee has logged" in page
    assert f'src="/reports/enrollments/{enrollment.id}/pace.svg"' in page
    assert client.get(f"/reports/enrollments/{enrollment.id}/pace.svg").status_code == 200


def test_select_all_on_the_record_checks_the_trainee_entries(as_user, enrollment, supervisor):
    waiting = [waiting_session(enrollment, supervisor), waiting_didactic(enrollment)]
    page = as_user(supervisor).get(_url(enrollment) + "?select=all").get_data(as_text=True)
    checked = set(re.findall(r'name="selected" value="([a-z]+:\d+)"[^>]* checked', page))
    assert checked == {f"session:{waiting[0].id}", f"didactic:{waiting[1].id}"}


def test_the_supervisor_home_links_each_trainee_record(as_user, enrollment, supervisor):
    page = as_user(supervisor).get("/signoffs/").get_data(as_text=True)
    assert f'<a href="{_url(enrollment)}">Tara Trainee</a>' in page


def test_only_the_assigned_supervisor_and_staff_open_the_record(
    as_user, enrollment, supervisor, other_supervisor, staff, trainee, client
):
    assert as_user(supervisor).get(_url(enrollment)).status_code == 200
    assert as_user(staff).get(_url(enrollment)).status_code == 200
    assert as_user(other_supervisor).get(_url(enrollment)).status_code == 404
    assert as_user(trainee).get(_url(enrollment)).status_code == 403
    assert as_user(supervisor).get("/signoffs/trainees/999999").status_code == 404
    response = client.get(_url(enrollment))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_record_query_count_does_not_grow_with_entries(
    as_user, enrollment, supervisor, count_queries
):
    client = as_user(supervisor)

    def fill(n):
        for _ in range(n):
            waiting_session(enrollment, supervisor)
            waiting_didactic(enrollment)
            waiting_experiential(enrollment)

    fill_record(client, enrollment, supervisor)
    with count_queries() as few:
        assert client.get(_url(enrollment)).status_code == 200
    fill_record(client, enrollment, supervisor)
    fill(5)
    with count_queries() as many:
        page = client.get(_url(enrollment)).get_data(as_text=True)
    assert page.count('name="selected"') == 2 * 2 + 15
    assert many.count == few.count, many.statements
