"""The supervisor's home: everything waiting across their trainees, oldest first with days
waiting, each trainee's progress read-only, in a number of queries that does not grow."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import add_didactic
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.dashboard.lines import BADGES
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.signoffs.queries import assigned_enrollment_ids
from tracker.standing import assess
from tracker.standing.snapshots import refresh


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


def test_what_people_typed_is_printed_as_text_in_the_queue(as_user, supervisor, create_user):
    """Names and summaries come from people: the rows escape them, in every cell and
    attribute, and the sign form still carries each entry's content hash."""
    person = create_user("trainee", name='Ann <b>"Bold"</b>')
    other = make_enrollment(person)
    assign(other, supervisor)
    entry = waiting_experiential(other, facilitator="<script>x()</script>")
    page = as_user(supervisor).get("/signoffs/").get_data(as_text=True)
    assert "<script>x()</script>" not in page and "<b>" not in page
    assert "(&lt;script&gt;x()&lt;/script&gt;)</td>" in page
    assert "<td>Ann &lt;b&gt;&#34;Bold&#34;&lt;/b&gt;</td>" in page
    assert 'by Ann &lt;b&gt;&#34;Bold&#34;&lt;/b&gt;">' in page  # the checkbox's label
    assert sign_form(f"experiential:{entry.id}")[f"hash:experiential:{entry.id}"] in page


def test_home_sends_a_supervisor_to_the_queue(as_user, supervisor, create_user):
    response = as_user(supervisor).get("/home")
    assert response.status_code == 302 and response.headers["Location"].endswith("/signoffs/")
    # A supervisor who is also a trainee keeps the page of links to both roles.
    both = create_user("supervisor", "trainee")
    assert as_user(both).get("/home").status_code == 200


TRAINEE = re.compile(r'<div class="border rounded p-2 mb-2 trainee-summary">(.*?)</details>', re.S)
STATUS = re.compile(r'<span class="badge status-badge [^"]*">([^<]+)</span>')
UPDATING = 'class="badge text-bg-light border updating"'


def _shown(page: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Per trainee on the page: the nine statuses shown, and whether marked updating."""
    shown = {}
    for block in TRAINEE.findall(page):
        name = re.search(r'<a href="[^"]+">([^<]+)</a>', block).group(1)
        shown[name] = (tuple(STATUS.findall(block)), UPDATING in block)
    return shown


def _engine(supervisor) -> dict[str, tuple[str, ...]]:
    """Per trainee of the supervisor: the nine statuses the engine gives now, in words."""
    ids = select(Enrollment.id).where(Enrollment.id.in_(assigned_enrollment_ids(supervisor.id)))
    return {
        standing.row.trainee_name: tuple(
            BADGES[str(step.status)][0] for step in standing.progress.steps
        )
        for standing in assess(ids)
    }


def _snapshots() -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(ProgressSnapshot.__table__))]


def test_trainees_steps_are_the_engines_verdict_stored_or_computed_now(
    as_user, enrollment, supervisor, create_user, count_queries
):
    """Fresh snapshots are read as stored, without running the engine; one out of date is
    computed for the page and marked updating; nothing is stored; the number of queries does
    not depend on the number of trainees, fresh or out of date."""
    client = as_user(supervisor)
    second = make_enrollment(create_user("trainee", name="Otis Second"))
    assign(second, supervisor, kind="backup")
    refresh()
    with count_queries() as fresh:
        page = client.get("/signoffs/").get_data(as_text=True)
    shown = _shown(page)
    assert shown == {name: (steps, False) for name, steps in _engine(supervisor).items()}
    assert set(shown) == {"Tara Trainee", "Otis Second"}

    stored = shown["Tara Trainee"][0]
    add_didactic(enrollment, hours="12", status="verified")  # marks Tara's snapshot stale
    before = _snapshots()
    with count_queries() as one_stale:
        page = client.get("/signoffs/").get_data(as_text=True)
    shown = _shown(page)
    now = _engine(supervisor)
    assert now["Tara Trainee"] != stored  # the engine's verdict moved on
    assert shown == {"Tara Trainee": (now["Tara Trainee"], True), "Otis Second": (stored, False)}
    assert page.count(UPDATING) == 1
    assert _snapshots() == before  # a GET never writes
    assert fresh.count < one_stale.count  # fresh snapshots: the engine did not run

    for number in range(8):
        extra = make_enrollment(create_user("trainee", name=f"Extra {number}"))
        assign(extra, supervisor)
    with count_queries() as many_stale:
        page = client.get("/signoffs/").get_data(as_text=True)
    assert page.count(UPDATING) == 9  # Tara and the eight new ones
    assert _shown(page) == {
        name: (steps, name != "Otis Second") for name, steps in _engine(supervisor).items()
    }
    assert many_stale.count == one_stale.count, many_stale.statements
    refresh()
    with count_queries() as many_fresh:
        page = client.get("/signoffs/").get_data(as_text=True)
    assert UPDATING not in page and len(_shown(page)) == 10
    assert many_fresh.count == fresh.count, many_fresh.statements
