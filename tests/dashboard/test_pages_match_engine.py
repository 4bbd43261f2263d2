"""Every number a page shows is the engine's number for the same enrollment.

Hypothesis generates enrollments (application parts, hours, sessions in every state and age,
credentials, a cohort running or not yet started) in the real database, then reads the pages
through the test client and compares what they show with `assess_one`: the trainee's home,
the application page, the hours, sessions and CE pages, the staff row and CSV row of the cohort
page, and the reminder digests.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.applications.factories import add_document
from tests.conftest import login
from tests.signoffs.factories import give_credentials
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import add_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.applications import services as applications
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress import Actor
from tracker.progress.application_rules import application_parts
from tracker.progress.application_rules import parts_summary
from tracker.progress.certification_rules import current_cycle
from tracker.progress.training_rules import counted_sessions
from tracker.progress.training_rules import didactic_verified_hours
from tracker.progress.training_rules import experiential_verified_hours
from tracker.signoffs.reminders import overdue_by_supervisor
from tracker.signoffs.reminders import trainee_items
from tracker.standing import assess_one

TOPICS = ("pharmacology", "legal", "ethics_consent")
KINDS = ("observation", "role_play", "personal_session")
DOCUMENT_STATES = st.sampled_from((None, "submitted", "accepted", "rejected"))

entries = st.tuples(
    st.sampled_from(("pending", "verified", "returned")),
    st.integers(0, 15),  # days since it was logged
    st.sampled_from(("0.5", "2", "7.25")),
)
enrollments = st.fixed_dictionaries(
    {
        "status": st.sampled_from(("applicant", "submitted", "admitted")),
        "cohort_started_days_ago": st.sampled_from((60, -49)),
        "credentials": st.booleans(),
        "supervisor": st.booleans(),
        "cv": DOCUMENT_STATES,
        "statement": DOCUMENT_STATES,
        "references": st.integers(0, 3),
        "scenarios": st.integers(0, 3),
        "didactic": st.lists(st.tuples(st.sampled_from(TOPICS), entries), max_size=4),
        "experiential": st.lists(st.tuples(st.sampled_from(KINDS), entries), max_size=4),
        "sessions": st.lists(
            st.tuples(st.sampled_from(("draft", "submitted", "signed", "returned")), entries),
            max_size=4,
        ),
    }
)

# Few examples, fixed, and no shrinking: every example builds an enrollment and renders pages.
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


def _build(case: dict, create_user, supervisor):
    """The generated enrollment, in the database: references and scenario answers through the
    application services, the rest as rows."""
    trainee = create_user("trainee")
    enrollment = make_enrollment(
        trainee,
        status="applicant",
        cohort_started_days_ago=case["cohort_started_days_ago"],
    )
    for kind, state in (("cv", case["cv"]), ("personal_statement", case["statement"])):
        if state:
            add_document(enrollment, kind, status=state)
    for n in range(case["references"]):
        applications.add_reference(
            enrollment,
            trainee,
            applications.ReferenceInput(
                name=f"Reference {n}",
                email=f"ref{n}.{trainee.id}@example.org",
                relationship="colleague",
            ),
        )
    scenarios = enrollment.requirements.spec.ethical_scenarios[: case["scenarios"]]
    for scenario in scenarios:
        applications.answer_scenario(
            enrollment,
            trainee,
            scenario.code,
            "I would pause, explain the boundary with care, keep the client safe, consult my "
            "supervisor and document what happened and what I decided, and why.",
        )
    db.session.commit()
    if case["credentials"]:
        give_credentials(trainee)
    if case["supervisor"]:
        assign(enrollment, supervisor)
    enrollment.status = case["status"]
    if case["status"] != "applicant":
        enrollment.submitted_at = utcnow() - timedelta(days=3)
    if case["status"] == "admitted":
        enrollment.decided_at = utcnow() - timedelta(days=2)
    db.session.commit()
    if case["status"] != "admitted":
        return trainee, enrollment  # logging opens on admission
    today = today_in("UTC")
    for topic, (status, age, hours) in case["didactic"]:
        add_didactic(
            enrollment,
            hours,
            status=status,
            topic_code=topic,
            on=today - timedelta(days=age),
            created_at=utcnow() - timedelta(days=age),
        )
    for kind, (status, age, hours) in case["experiential"]:
        add_experiential(
            enrollment,
            hours,
            status=status,
            kind=kind,
            on=today - timedelta(days=age),
            created_at=utcnow() - timedelta(days=age),
        )
    for status, (_entry_status, age, _hours) in case["sessions"]:
        add_session(
            enrollment,
            status=status,
            on=today - timedelta(days=age),
            submitted_at=utcnow() - timedelta(days=age) if status != "draft" else None,
        )
    return trainee, enrollment


def _text(fragment: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def _check_home(page: str, standing) -> None:
    progress = standing.progress
    summaries = [html.unescape(s) for s in re.findall(r'<p class="small mb-0 mt-1">([^<]*)', page)]
    assert summaries == [step.summary for step in progress.steps]
    counts = [
        int(n) for n in re.findall(r'<span class="badge bg-secondary">(\d+)</span></h3>', page)
    ]
    current = progress.current_items
    assert counts == [
        len([i for i in current if i.actor == actor])
        for actor in (Actor.TRAINEE, Actor.SUPERVISOR, Actor.STAFF)
    ]
    upcoming = re.findall(r"<summary>Upcoming: (\d+) item", page)
    assert [int(n) for n in upcoming] == (
        [len(progress.upcoming_items)] if progress.upcoming_items else []
    )
    assert page.count(">Blocking</span>") == len(progress.blocking_items)


def _check_application(page: str, standing) -> None:
    parts = application_parts(standing.facts, standing.spec, standing.today)
    shown = re.findall(r"Application: (\d+ of \d+ parts done)\.", page)
    assert shown == [parts_summary(parts)]
    if standing.facts.status == "applicant":
        assert standing.progress.step(3).summary == parts_summary(parts)


def _check_steps(client, standing) -> None:
    facts, spec = standing.facts, standing.spec
    hours = client.get("/training/").get_data(as_text=True)
    didactic = re.search(r"Didactic hours by topic: ([\d.]+) of ([\d.]+) verified", hours)
    assert didactic and float(didactic[1]) == didactic_verified_hours(facts)
    experiential = re.search(r"Experiential hours: ([\d.]+) of ([\d.]+) verified", hours)
    assert experiential and float(experiential[1]) == experiential_verified_hours(facts)
    program = re.search(r"<strong>([\d.]+) of ([\d.]+)</strong> for the program", hours)
    total = didactic_verified_hours(facts) + experiential_verified_hours(facts)
    assert program and float(program[1]) == total
    sessions = client.get("/supervision/").get_data(as_text=True)
    signed = re.search(r"Signed off: (\d+) of (\d+) required", sessions)
    assert signed and int(signed[1]) == counted_sessions(facts, spec)[0]
    assert int(signed[2]) == spec.supervised_sessions_required
    ce = client.get("/training/ce").get_data(as_text=True)
    cycle = current_cycle(facts, spec, standing.today)
    assert ("Current renewal cycle" in ce) == (cycle is not None)
    assert ("Short by" in ce) == (
        cycle is not None
        and (
            cycle.ce < spec.ce_credits_per_cycle
            or cycle.consultation < spec.consultation_hours_per_cycle
        )
    )


def _check_staff_views(staff_client, standing) -> None:
    progress = standing.progress
    name = standing.row.trainee_name
    cohort = f"?cohort={standing.row.cohort_id}"
    page = staff_client.get(f"/dashboard/cohort{cohort}").get_data(as_text=True)
    row = page.split(f">{name}</a>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    labels = {
        "not_started": "Not started",
        "in_progress": "In progress",
        "complete": "Complete",
        "waived": "Waived",
        "blocked": "Blocked",
    }
    shown = [_text(c) for c in cells[2:11]]
    for step, text in zip(progress.steps, shown, strict=True):
        assert text.lower().endswith(labels[step.status].lower()), (step.number, text)
    assert int(_text(cells[11])) == len(progress.blocking_items)
    body = staff_client.get(f"/dashboard/cohort.csv{cohort}").get_data(as_text=True)
    rows = {r["enrollment"]: r for r in csv.DictReader(io.StringIO(body))}
    line = rows[str(standing.row.id)]
    assert [line[f"step {n}"] for n in range(1, 10)] == [str(s.status) for s in progress.steps]
    assert int(line["blocking items"]) == len(progress.blocking_items)
    assert set(line["item codes"].split()) == {i.code for i in progress.current_items}


def _check_digests(standing, supervisor) -> None:
    progress = standing.progress
    day = standing.today
    mine = trainee_items(day).get(standing.row.trainee_id, [])
    expected = progress.items_for(Actor.TRAINEE) if standing.facts.admitted else ()
    assert len(mine) == len(expected)
    overdue = [
        e
        for e in overdue_by_supervisor(day).get(supervisor.id, [])
        if e.enrollment_id == standing.row.id and e.entry_type != "didactic"
    ]
    engine = [i for i in progress.items if i.code in ("session.waiting", "signoff.waiting")]
    if standing.facts.supervisor_assigned:
        assert len(overdue) == len(engine)
    else:
        assert overdue == []


@SETTINGS
@given(case=enrollments)
def test_every_page_shows_the_engines_numbers(app, create_user, case):
    supervisor = create_user("supervisor")
    staff = create_user("staff")
    trainee, enrollment = _build(case, create_user, supervisor)
    standing = assess_one(enrollment.id)
    assert standing is not None and standing.progress is not None
    client = app.test_client()
    login(client, trainee)
    _check_home(client.get("/dashboard/trainee").get_data(as_text=True), standing)
    _check_application(client.get("/applications/").get_data(as_text=True), standing)
    if standing.facts.admitted:
        _check_steps(client, standing)
    staff_client = app.test_client()
    login(staff_client, staff)
    _check_staff_views(staff_client, standing)
    _check_digests(standing, supervisor)
