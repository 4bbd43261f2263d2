"""Admit or decline a submitted application: the version is pinned, the applicant is e-mailed,
a decision is taken once (also when two requests race), and a refusal writes nothing."""

from __future__ import annotations

import threading

import pytest

from tests.admissions.factories import audit_count
from tests.admissions.factories import enroll
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import is_postgres
from tests.conftest import post_form
from tracker.admissions import services
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db


@pytest.fixture
def submitted(reviewed):
    """The submitted application, its reviews waived: these tests are about the decision."""
    return reviewed


def test_admit_pins_the_current_version_and_emails_the_applicant(
    as_staff, submitted, staff, trainee, program, mail_outbox, run_jobs
):
    events = audit_count()
    response = post_form(
        as_staff, review_url(submitted, "/admit"), {"admit-note": "Strong application."}
    )
    assert response.status_code == 303
    enrollment = fresh(submitted)
    assert enrollment.status == "admitted"
    assert enrollment.requirement_set_id == program.tracks[0].requirement_sets[0].id
    assert enrollment.decided_by_id == staff.id
    assert enrollment.decided_at is not None
    assert enrollment.decision_note == "Strong application."
    assert audit_count() == events + 1
    event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert event.action == "enrollment.admitted"
    assert event.subject_user_id == trainee.id
    assert mail_outbox == []  # queued with the decision, sent by the worker
    run_jobs()
    assert [m.to for m in mail_outbox] == ["tara@example.org"]
    assert "Admitted to" in mail_outbox[0].subject
    assert "admitted you to" in mail_outbox[0].body
    assert "Strong application." in mail_outbox[0].body
    page = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "is admitted" in page


def test_decline_needs_a_reason_and_emails_it(as_staff, submitted, mail_outbox, run_jobs):
    before = snapshot()
    response = post_form(as_staff, review_url(submitted, "/decline"), {"decline-reason": "  "})
    assert response.status_code == 200
    assert "Write the reason" in response.get_data(as_text=True)
    assert snapshot() == before
    run_jobs()
    assert mail_outbox == []

    response = post_form(
        as_staff,
        review_url(submitted, "/decline"),
        {"decline-reason": "The licence type is outside the program's scope."},
    )
    assert response.status_code == 303
    enrollment = fresh(submitted)
    assert enrollment.status == "declined"
    assert enrollment.requirement_set_id is None
    run_jobs()
    assert len(mail_outbox) == 1
    assert "outside the program's scope" in mail_outbox[0].body
    assert "decided not to admit you" in mail_outbox[0].body


def test_a_short_reason_is_refused(as_staff, submitted):
    before = snapshot()
    response = post_form(as_staff, review_url(submitted, "/decline"), {"decline-reason": "No."})
    assert "Use 10 to 2000 characters." in response.get_data(as_text=True)
    assert snapshot() == before


def test_control_characters_in_a_reason_are_refused(as_staff, submitted):
    before = snapshot()
    response = post_form(
        as_staff,
        review_url(submitted, "/decline"),
        {"decline-reason": "Declined because \x07 of reasons."},
    )
    assert "control characters" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [("/admit", "/admit"), ("/admit", "/decline"), ("/decline", "/admit")],
)
def test_a_second_decision_is_refused(as_staff, submitted, mail_outbox, run_jobs, first, second):
    data = {"decline-reason": "Not a fit for this cohort, sorry."}
    assert post_form(as_staff, review_url(submitted, first), data).status_code == 303
    decided = fresh(submitted)
    before = snapshot()
    response = post_form(as_staff, review_url(submitted, second), data, follow_redirects=True)
    assert "decided only once" in response.get_data(as_text=True)
    assert snapshot() == before
    after = fresh(submitted)
    assert (after.status, after.decided_at) == (decided.status, decided.decided_at)
    run_jobs()
    assert len(mail_outbox) == 1


def test_an_unsubmitted_application_cannot_be_decided(
    as_staff, trainee, program, mail_outbox, run_jobs
):
    draft = enroll(trainee, program, "applicant")
    before = snapshot()
    response = post_form(as_staff, review_url(draft, "/admit"), {}, follow_redirects=True)
    assert "has not been submitted yet" in response.get_data(as_text=True)
    assert snapshot() == before
    run_jobs()
    assert mail_outbox == []


def test_the_page_offers_the_decision_only_while_submitted(as_staff, submitted):
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Admit Tara Applicant" in page
    post_form(as_staff, review_url(submitted, "/admit"), {})
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Admit Tara Applicant" not in page
    assert "Reverse this decision" in page


def test_decided_fields_cannot_be_set_through_the_form(as_staff, submitted, staff, create_user):
    other = create_user("staff")
    post_form(
        as_staff,
        review_url(submitted, "/admit"),
        {"admit-note": "", "decided_by_id": str(other.id), "requirement_set_id": "999"},
    )
    enrollment = fresh(submitted)
    assert enrollment.decided_by_id == staff.id
    assert enrollment.requirement_set_id != 999


def test_an_unknown_enrollment_is_not_found(as_staff):
    assert post_form(as_staff, "/admissions/enrollments/999999/admit", {}).status_code == 404


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers for the whole database, so the requests cannot overlap; "
    "the race is meaningful on PostgreSQL only",
)
def test_two_simultaneous_decisions_only_one_wins(app, submitted, staff, create_user):
    other = create_user("staff")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def decide(staff_id: int, decision: str) -> None:
        with app.app_context():
            enrollment = db.session.get(Enrollment, submitted.id)
            actor = db.session.get(type(staff), staff_id)
            assert enrollment.status == "submitted"
            barrier.wait(timeout=10)
            try:
                if decision == "admit":
                    services.admit(enrollment, actor, "")
                else:
                    services.decline(enrollment, actor, "Declined in a race with a colleague.")
                db.session.commit()
                result = decision
            except Refused:
                db.session.rollback()
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    events = audit_count()
    threads = [
        threading.Thread(target=decide, args=(staff.id, "admit")),
        threading.Thread(target=decide, args=(other.id, "decline")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes).count("refused") == 1, outcomes
    winner = next(o for o in outcomes if o != "refused")
    final = fresh(submitted)
    assert final.status == {"admit": "admitted", "decline": "declined"}[winner]
    assert audit_count() == events + 1
