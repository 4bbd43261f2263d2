"""Each act tells the person it concerns, from the service that does it, in its transaction:
entries returned, answered, signed, verified, approved, rejected and reopened; supervisors
assigned; certificates issued, revoked and reinstated; instalments falling due and overdue."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tracker.admissions import services as admissions
from tracker.certificates import services as certificates
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories.certificates import ready_enrollment
from tracker.factories.finance import plan_as_agreed
from tracker.factories.finance import tuition_charged_on
from tracker.factories.signoffs import waiting_ce
from tracker.finance.jobs import instalment_notices
from tracker.notifications.models import Notice
from tracker.signoffs import services as signoffs

QUESTION = "Which monitoring protocol did you follow during dosing?"


def _kinds(notices: list[Notice]) -> list[str]:
    return [notice.kind for notice in notices]


def test_a_returned_session_tells_the_trainee_and_their_answer_tells_the_supervisor(
    as_user, trainee, enrollment, supervisor, notices_of, mail_outbox, run_jobs
):
    session = waiting_session(enrollment, supervisor)
    response = post_form(
        as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": QUESTION}
    )
    assert response.status_code == 302
    (notice,) = notices_of(trainee)
    assert notice.kind == "entry.returned" and QUESTION in notice.message
    assert notice.link == f"/signoffs/mine/session/{session.id}"
    assert notice.delivery == "email"  # the default for a returned entry
    run_jobs()
    assert [m.to for m in mail_outbox] == [trainee.email]
    assert QUESTION in mail_outbox[0].body and notice.link in mail_outbox[0].body
    post_form(
        as_user(trainee),
        f"/signoffs/mine/session/{session.id}/answer",
        {"body": "We followed the clinic's vital-signs protocol."},
    )
    (answered,) = notices_of(supervisor)
    assert answered.kind == "entry.answered" and "Tara Trainee answered" in answered.message
    assert answered.link == f"/signoffs/session/{session.id}"


def test_a_refused_return_tells_nobody(as_user, trainee, enrollment, supervisor, notices_of):
    session = waiting_session(enrollment, supervisor)
    post_form(as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": ""})
    assert notices_of(trainee) == []


def test_signing_verifying_and_reopening_tell_the_trainee(
    trainee, enrollment, supervisor, staff, notices_of
):
    session = waiting_session(enrollment, supervisor)
    hours = waiting_didactic(enrollment)
    signoffs.sign([session], supervisor, PASSWORD)
    signoffs.sign([hours], staff, PASSWORD)
    db.session.commit()
    signoffs.reopen(session, staff, "Signed against the wrong session date by mistake.")
    db.session.commit()
    notices = notices_of(trainee)
    assert _kinds(notices) == ["entry.signed", "hours.verified", "entry.reopened"]
    assert "signed by Dr. Sue Signer" in notices[0].message
    assert notices[0].delivery == "digest"  # the default for good news
    assert "wrong session date" in notices[2].message


def test_returned_hours_and_ce_decisions_have_their_own_kinds(
    trainee, enrollment, supervisor, staff, notices_of
):
    hours = waiting_didactic(enrollment)
    signoffs.return_with_question(hours, staff, "Which module was this?")
    ce = committing(waiting_ce)(enrollment)
    signoffs.return_with_question(ce, staff, "The certificate of attendance is missing.")
    other = committing(waiting_ce)(enrollment, amount="2")
    signoffs.sign([other], staff, PASSWORD)
    db.session.commit()
    assert _kinds(notices_of(trainee)) == ["hours.rejected", "ce.rejected", "ce.approved"]


def test_assigning_supervisors_tells_the_trainee_and_the_new_supervisor(
    trainee, enrollment, staff, create_user, notices_of
):
    new = create_user("supervisor", name="Dr. Nova New")
    admissions.assign_supervisors(enrollment, staff, new.id, None)
    db.session.commit()
    (told,) = notices_of(trainee)
    assert told.kind == "supervisor.assigned" and "primary: Dr. Nova New" in told.message
    (assigned,) = notices_of(new)
    assert "primary supervisor of Tara Trainee" in assigned.message
    assert assigned.link == "/signoffs/"


def test_certificate_issued_revoked_and_reinstated_tell_the_holder(
    create_user, notices_of, mail_outbox, run_jobs
):
    holder = create_user("trainee", name="Hana Holder")
    staff = create_user("staff", name="Stella Staff")
    enrollment = committing(ready_enrollment)(holder)
    cert = certificates.issue_certificate(enrollment.id, staff, password=PASSWORD)
    db.session.commit()
    certificates.revoke_certificate(cert.id, staff, "Issued in error.", password=PASSWORD)
    db.session.commit()
    certificates.reinstate_certificate(
        cert.id, staff, "The revocation was a mistake.", password=PASSWORD
    )
    db.session.commit()
    notices = notices_of(holder)
    assert _kinds(notices) == [
        "certificate.issued",
        "certificate.revoked",
        "certificate.reinstated",
    ]
    assert all(n.link == "/certificates/mine" for n in notices)
    assert "Issued in error." in notices[1].message
    run_jobs()
    assert len([m for m in mail_outbox if m.to == holder.email]) == 3


def test_instalments_due_in_7_days_and_overdue_are_noticed_once_each(
    trainee, enrollment, staff, notices_of
):
    today = today_in(enrollment.program.timezone)
    tuition_charged_on(enrollment, today - timedelta(days=60), staff)
    plan_as_agreed(
        enrollment,
        staff,
        [
            (today - timedelta(days=3), 100_00),  # overdue
            (today + timedelta(days=5), 100_00),  # due within 7 days
            (today + timedelta(days=20), 100_00),  # not yet
        ],
    )
    db.session.commit()
    assert instalment_notices() == 2
    db.session.commit()
    assert instalment_notices() == 0  # once each
    db.session.commit()
    notices = notices_of(trainee)
    assert sorted(_kinds(notices)) == ["instalment.due", "instalment.overdue"]
    due = next(n for n in notices if n.kind == "instalment.due")
    assert "is due in 5 days" in due.message and "$100.00" in due.message
    assert due.link == f"/finance/me/{enrollment.id}"


def test_an_import_finished_notice_for_whoever_started_it(staff, notices_of):
    from tracker.notifications.services import import_finished

    import_finished(staff, "LMS import", "42 records imported, 3 refused.", "/dashboard/cohort")
    db.session.commit()
    (notice,) = notices_of(staff)
    assert notice.kind == "import.finished" and notice.delivery == "inbox"
    assert notice.message == "LMS import finished: 42 records imported, 3 refused."
