"""Choosing a track and a cohort: what the page offers, creating and changing the enrollment, and
the refusals (ended cohort, another program's cohort, after submission)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.enrollments.factories import count
from tests.enrollments.factories import enroll
from tests.enrollments.factories import make_program
from tests.enrollments.factories import today
from tracker.audit.models import AuditEvent
from tracker.enrollments.models import Enrollment
from tracker.extensions import db

URL = "/me/program"


def _program():
    return make_program(
        name="Fluence KAP",
        tracks=(("Online", "online", 450_000), ("Retreat", "retreat", 875_000)),
        cohorts=(("Spring", 30, 300), ("Current", -60, 200), ("Past", -400, -1)),
    )


def _cohort(program, name):
    return next(c for c in program.cohorts if c.name == name)


def test_the_page_lists_tracks_with_format_tuition_and_highlights(signed_in):
    _program()
    page = signed_in.get(URL).get_data(as_text=True)
    assert "Fluence KAP" in page
    assert "Online (self-paced modules)" in page
    assert "Retreat (in-person intensives)" in page
    assert "$4,500.00" in page and "$8,750.00" in page
    assert "140 (110 + 30)" in page and "140 (90 + 50)" in page
    assert '<th scope="col">Supervised sessions</th>' in page
    assert (today() + timedelta(days=30)).isoformat() in page


def test_an_ended_cohort_is_not_offered(signed_in):
    _program()
    page = signed_in.get(URL).get_data(as_text=True)
    assert "Spring" in page and "Current" in page
    assert "Past" not in page


def test_choosing_creates_an_applicant_enrollment(signed_in, trainee):
    program = _program()
    events = count(AuditEvent)
    track, cohort = program.tracks[1], _cohort(program, "Spring")
    response = post_form(signed_in, URL, {"track_id": track.id, "cohort_id": cohort.id})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/applications/")
    enrollment = db.session.scalars(select(Enrollment)).one()
    assert (enrollment.trainee_id, enrollment.program_id) == (trainee.id, program.id)
    assert (enrollment.track_id, enrollment.cohort_id) == (track.id, cohort.id)
    assert enrollment.status == "applicant"
    assert enrollment.requirement_set_id is None
    assert count(AuditEvent) == events + 1
    page = signed_in.get(URL).get_data(as_text=True)
    assert "Your choice: <strong>Retreat</strong>" in page


def test_the_choice_can_change_while_applicant(signed_in, trainee):
    program = _program()
    enrollment = enroll(trainee, program)
    new_track, new_cohort = program.tracks[1], _cohort(program, "Current")
    response = post_form(signed_in, URL, {"track_id": new_track.id, "cohort_id": new_cohort.id})
    assert response.status_code == 302
    db.session.refresh(enrollment)
    assert (enrollment.track_id, enrollment.cohort_id) == (new_track.id, new_cohort.id)
    assert count(Enrollment) == 1


def test_an_ended_cohort_posted_anyway_is_refused(signed_in):
    program = _program()
    past = _cohort(program, "Past")
    response = post_form(signed_in, URL, {"track_id": program.tracks[0].id, "cohort_id": past.id})
    assert response.status_code == 200
    assert "Choose one of the cohorts that have not ended." in response.get_data(as_text=True)
    assert count(Enrollment) == 0


def test_a_cohort_of_another_program_is_refused(signed_in):
    first = _program()
    second = make_program(name="Polaris Insight")
    data = {"track_id": first.tracks[0].id, "cohort_id": second.cohorts[0].id}
    response = post_form(signed_in, URL, data)
    assert response.status_code == 200
    assert "Choose one of the cohorts of Fluence KAP." in response.get_data(as_text=True)
    assert count(Enrollment) == 0


def test_missing_or_unknown_choices_are_refused(signed_in):
    program = _program()
    for data, message in (
        ({"cohort_id": _cohort(program, "Spring").id}, "Choose one of the tracks."),
        ({"track_id": program.tracks[0].id}, "Choose one of the cohorts that have not ended."),
        (
            {"track_id": "999999", "cohort_id": _cohort(program, "Spring").id},
            "Choose one of the tracks.",
        ),
        (
            {"track_id": "abc", "cohort_id": _cohort(program, "Spring").id},
            "Choose one of the tracks.",
        ),
    ):
        response = post_form(signed_in, URL, data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert count(Enrollment) == 0


def test_with_several_programs_the_choice_names_the_program(signed_in, trainee):
    _program()
    other = make_program(name="Polaris Insight")
    page = signed_in.get(URL).get_data(as_text=True)
    assert "(Polaris Insight)" in page and "(Fluence KAP)" in page
    data = {"track_id": other.tracks[0].id, "cohort_id": other.cohorts[0].id}
    assert post_form(signed_in, URL, data).status_code == 302
    assert db.session.scalars(select(Enrollment)).one().program_id == other.id


def test_switching_program_while_applicant_moves_the_enrollment(signed_in, trainee):
    first = _program()
    enrollment = enroll(trainee, first)
    other = make_program(name="Polaris Insight")
    data = {"track_id": other.tracks[0].id, "cohort_id": other.cohorts[0].id}
    assert post_form(signed_in, URL, data).status_code == 302
    db.session.refresh(enrollment)
    assert enrollment.program_id == other.id
    assert count(Enrollment) == 1


def test_a_program_applied_to_before_cannot_be_chosen_again(signed_in, trainee):
    program = _program()
    enroll(trainee, program, status="withdrawn")
    data = {"track_id": program.tracks[0].id, "cohort_id": _cohort(program, "Spring").id}
    response = post_form(signed_in, URL, data)
    assert "You applied to Fluence KAP before" in response.get_data(as_text=True)
    assert count(Enrollment) == 1


def test_the_choice_cannot_change_after_submission(signed_in, trainee):
    program = _program()
    enrollment = enroll(trainee, program, status="submitted")
    chosen_cohort = enrollment.cohort_id
    page = signed_in.get(URL).get_data(as_text=True)
    assert "can no longer be changed" in page
    assert 'name="track_id"' not in page
    data = {"track_id": program.tracks[1].id, "cohort_id": _cohort(program, "Current").id}
    response = post_form(signed_in, URL, data, follow_redirects=True)
    assert "Your application has been submitted" in response.get_data(as_text=True)
    db.session.refresh(enrollment)
    assert enrollment.track_id == program.tracks[0].id
    assert enrollment.cohort_id == chosen_cohort


def test_status_and_pinning_cannot_be_posted(signed_in):
    program = _program()
    data = {
        "track_id": program.tracks[0].id,
        "cohort_id": _cohort(program, "Spring").id,
        "status": "admitted",
        "pathway": "alternative_approved",
        "requirement_set_id": "1",
        "submitted_at": "2026-01-01T00:00:00+00:00",
        "trainee_id": "999",
    }
    assert post_form(signed_in, URL, data).status_code == 302
    enrollment = db.session.scalars(select(Enrollment)).one()
    assert (enrollment.status, enrollment.pathway) == ("applicant", "standard")
    assert enrollment.requirement_set_id is None and enrollment.submitted_at is None


def test_a_track_without_requirements_is_not_offered(signed_in):
    program = _program()
    from tracker.programs.models import Track

    bare = Track(program_id=program.id, name="Draft track", format="hybrid", tuition_cents=1)
    db.session.add(bare)
    db.session.commit()
    assert "Draft track" not in signed_in.get(URL).get_data(as_text=True)
    data = {"track_id": bare.id, "cohort_id": _cohort(program, "Spring").id}
    assert post_form(signed_in, URL, data).status_code == 200
    assert count(Enrollment) == 0


def test_only_trainees_reach_the_page(app, create_user):
    staff = create_user("staff")
    client = app.test_client()
    login(client, staff)
    assert client.get(URL).status_code == 403


def test_the_navigation_shows_the_trainee_links(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    for label, href in (
        ("Eligibility", "/eligibility/"),
        ("Program", "/me/program"),
        ("Application", "/applications/"),
    ):
        assert f'href="{href}">{label}</a>' in page
