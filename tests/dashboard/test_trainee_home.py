"""The trainee's home page: nine steps, items grouped by who must act, constant query count."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import post_form
from tests.standing.factories import with_every_record
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec
from tracker.training.models import DidacticEntry


@pytest.fixture
def admitted(app, create_user):
    """An admitted trainee in a running cohort; returns (trainee, enrollment)."""
    trainee = create_user("trainee", name="Jordan Avery")
    program = Program(name="Test Program", timezone="UTC")
    track = Track(program=program, name="Online", format="online", tuition_cents=450000)
    spec = RequirementSpec.default("online")
    requirement_set = RequirementSet(track=track, version=1, content=json.dumps(spec.to_dict()))
    today = today_in("UTC")
    cohort = Cohort(
        program=program,
        name="C1",
        starts_on=today - timedelta(days=400),
        ends_on=today + timedelta(days=100),
    )
    db.session.add_all([program, track, requirement_set, cohort])
    db.session.flush()
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=track.id,
        cohort_id=cohort.id,
        requirement_set_id=requirement_set.id,
        status="admitted",
        submitted_at=utcnow() - timedelta(days=300),
        decided_at=utcnow() - timedelta(days=290),
    )
    db.session.add(enrollment)
    db.session.commit()
    return trainee, enrollment


def _log_hours(enrollment: Enrollment, count: int) -> None:
    today = today_in("UTC")
    topics = [t.code for t in RequirementSpec.default().didactic_topics]
    db.session.add_all(
        DidacticEntry(
            enrollment_id=enrollment.id,
            on=today - timedelta(days=1 + i % 300),
            topic_code=topics[i % len(topics)],
            hours=Decimal("0.25"),
            provider="Course",
            status="verified" if i % 2 else "pending",
        )
        for i in range(count)
    )
    db.session.commit()


def test_home_shows_nine_steps_and_items_by_actor(client, auth, admitted):
    trainee, enrollment = admitted
    _log_hours(enrollment, 10)
    auth.login(trainee)
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    for title in (
        "Eligibility",
        "Program selection",
        "Application",
        "Financing",
        "Didactic",
        "Experiential",
        "Supervised",
        "assessment",
        "Ongoing",
    ):
        assert title.lower() in page.lower()
    assert "Waiting on you" in page
    assert "Waiting on program staff" in page
    assert "Pharmacology and mechanisms" in page  # a topic short of its minimum
    assert "No licence" in page or "licence" in page.lower()


def test_home_redirects_trainee_from_generic_home(client, auth, admitted):
    trainee, _ = admitted
    auth.login(trainee)
    response = client.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard/trainee")


def test_new_applicant_is_guided_to_choose_a_program(client, auth, create_user):
    auth.login(create_user("trainee"))
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    assert "choose a program track and cohort" in page


# The signed-in user (with their sign-in session), their current enrollment, and everything the
# engine reads about it, in one statement.
HOME_QUERIES = 3


def test_query_count_does_not_grow_with_entries(client, auth, admitted, count_queries):
    trainee, enrollment = admitted
    auth.login(trainee)
    _log_hours(enrollment, 10)
    client.get("/dashboard/trainee")
    with count_queries() as few:
        assert client.get("/dashboard/trainee").status_code == 200
    _log_hours(enrollment, 490)
    with count_queries() as many:
        assert client.get("/dashboard/trainee").status_code == 200
    assert many.count == few.count == HOME_QUERIES, (few.statements, many.statements)


def test_a_trainee_with_every_kind_of_record_costs_three_queries(
    client, auth, create_user, staff, count_queries
):
    trainee = create_user("trainee", name="Avery Every")
    with_every_record(trainee, staff, create_user("supervisor"))
    auth.login(trainee)
    with count_queries() as counter:
        page = client.get("/dashboard/trainee")
    assert page.status_code == 200
    assert "Waiting on" in page.get_data(as_text=True)
    assert counter.count == HOME_QUERIES, counter.statements


def test_export_zip_holds_every_record_and_no_secret(client, auth, admitted, create_user):
    trainee, enrollment = admitted
    _log_hours(enrollment, 3)
    other = create_user("trainee", email="other@example.org")
    auth.login(trainee)
    assert client.get("/dashboard/export.zip").status_code == 405  # no export on GET
    response = post_form(client, "/dashboard/export.zip")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()  # a sent file stays open until the response is closed
    data = json.loads(archive.read("data.json"))
    records = data["records"]
    assert records["users"][0]["email"] == trainee.email
    assert "password_hash" not in records["users"][0]
    assert len(records["didactic_entries"]) == 3
    assert records["enrollments"][0]["id"] == enrollment.id
    assert "csv/didactic_entries.csv" in archive.namelist()
    assert other.email not in archive.read("data.json").decode()
