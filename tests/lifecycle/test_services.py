"""Each act of an enrollment's life as a service: what it records, its audit events and e-mail,
what the engine then says, and the bad input it refuses without writing anything."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.lifecycle.conftest import cohort_named
from tests.lifecycle.conftest import day
from tests.lifecycle.conftest import track_named
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.reconcile import reconcile
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories.programs import add_version
from tracker.jobs.models import Job
from tracker.lifecycle import services
from tracker.lifecycle.models import EnrollmentChange
from tracker.standing import assess_one

REASON = "Family circumstances require a pause."


def _counts() -> tuple[int, int, int, str]:
    enrollment = db.session.scalar(select(Enrollment))
    return (
        db.session.scalar(select(func.count()).select_from(EnrollmentChange)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(Job)),
        f"{enrollment.status}/{enrollment.cohort_id}/{enrollment.track_id}",
    )


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _mails() -> list[dict]:
    return [job.payload for job in db.session.scalars(select(Job).where(Job.kind == "mail"))]


def _state(enrollment) -> str:
    return assess_one(enrollment.id).progress.state


def test_withdraw(admitted, staff):
    """Withdrawn as of a date with grounds and reason: status, change row, two audit events,
    the trainee's e-mail; the engine says withdrawn; the trail still reconciles."""
    change = services.withdraw(admitted, staff, day(-1), "voluntary", "Moving abroad for work.")
    db.session.commit()
    assert admitted.status == "withdrawn"
    assert (change.kind, change.grounds, change.effective_on) == ("withdrawn", "voluntary", day(-1))
    assert (change.from_status, change.to_status, change.recorded_by_id) == (
        "admitted",
        "withdrawn",
        staff.id,
    )
    event = _events("enrollment.withdrawn")[0]
    assert json.loads(event.after)["status"] == "withdrawn" and event.actor_id == staff.id
    assert _events("enrollment_change.withdrawn")
    (mail,) = _mails()
    assert mail["to"] == "tara@example.org" and "withdrawn" in mail["subject"]
    assert "Moving abroad for work." in mail["body"]
    assert _state(admitted) == "withdrawn"
    assert reconcile() == []


@pytest.mark.parametrize(
    ("effective", "grounds", "reason", "field"),
    [
        (None, "voluntary", REASON, "effective_on"),
        (-51, "voluntary", REASON, "effective_on"),  # before the admission
        (1, "voluntary", REASON, "effective_on"),  # in the future
        (-1, "expelled", REASON, "grounds"),
        (-1, "dismissed", "Too short", "reason"),
        (-1, "dismissed", "          ", "reason"),
    ],
)
def test_withdraw_refuses_bad_input(admitted, staff, effective, grounds, reason, field):
    """A clear message on the field, and nothing written."""
    before = _counts()
    with pytest.raises(Refused) as refused:
        services.withdraw(
            admitted, staff, day(effective) if effective is not None else None, grounds, reason
        )
    assert refused.value.field == field
    db.session.rollback()
    assert _counts() == before


def test_withdraw_only_once_and_not_oneself(admitted, staff, create_user):
    """A withdrawn enrollment cannot be withdrawn again; staff cannot act on themselves."""
    services.withdraw(admitted, staff, day(0), "dismissed", "Breach of the code of ethics.")
    db.session.commit()
    with pytest.raises(Refused, match="Only an admitted enrollment"):
        services.withdraw(admitted, staff, day(0), "dismissed", "Breach of the code of ethics.")
    with pytest.raises(Refused, match="own enrollment"):
        services.start_leave(admitted, admitted.trainee, day(0), day(10), REASON)


def test_readmit(admitted, staff):
    """Readmitted: admitted again, the time away paused, an e-mail; not before the withdrawal."""
    services.withdraw(admitted, staff, day(-30), "voluntary", "Moving abroad for work.")
    db.session.commit()
    with pytest.raises(Refused, match="before the withdrawal") as refused:
        services.readmit(admitted, staff, day(-31), "Back from abroad, ready to resume.")
    assert refused.value.field == "effective_on"
    db.session.rollback()
    change = services.readmit(admitted, staff, day(0), "Back from abroad, ready to resume.")
    db.session.commit()
    assert admitted.status == "admitted" and change.kind == "readmitted"
    assert _state(admitted) == "active"
    standing = assess_one(admitted.id)
    pause = [leave for leave in standing.facts.leaves if str(leave.id).startswith("w")]
    assert pause and (pause[0].starts_on, pause[0].returned_on) == (day(-30), day(0))
    assert len(_mails()) == 2
    assert reconcile() == []


def test_readmit_only_withdrawn(admitted, staff):
    """Readmission is for a withdrawn enrollment."""
    with pytest.raises(Refused, match="Only a withdrawn"):
        services.readmit(admitted, staff, day(0), "Back from abroad, ready to resume.")


def test_leave_extend_and_return(admitted, staff):
    """On leave from a date until an expected return; extended; then back: the engine follows."""
    leave = services.start_leave(admitted, staff, day(-10), day(20), REASON)
    db.session.commit()
    assert _state(admitted) == "on_leave"
    progress = assess_one(admitted.id).progress
    assert progress.item("leave.current", str(leave.id)) is not None
    assert not progress.codes & {"pace.behind", "activity.none_recent"}

    with pytest.raises(Refused, match="already recorded"):
        services.start_leave(admitted, staff, day(0), day(30), REASON)
    db.session.rollback()

    services.extend_leave(admitted, staff, leave.id, day(40), "Recovery takes longer than planned.")
    db.session.commit()
    standing = assess_one(admitted.id)
    assert standing.facts.leaves[0].expected_return_on == day(40)

    services.record_return(admitted, staff, leave.id, day(0), "Back as planned, fully able.")
    db.session.commit()
    assert _state(admitted) == "active"
    assert [c.kind for c in services.changes_of(admitted.id)] == [
        "leave",
        "leave_extended",
        "returned",
    ]
    assert len(_mails()) == 3
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "enrollment_change.leave",
        "enrollment_change.leave_extended",
        "enrollment_change.returned",
    }
    assert reconcile() == []


def test_overdue_return_is_an_item_for_staff(admitted, staff):
    """Past the expected return with no return recorded: staff see it flagged."""
    services.start_leave(admitted, staff, day(-40), day(-2), REASON)
    db.session.commit()
    progress = assess_one(admitted.id).progress
    assert progress.state == "on_leave"
    assert "leave.return_overdue" in [i.code for i in progress.items_for("staff")]


@pytest.mark.parametrize(
    ("starts", "back", "field"),
    [
        (None, 10, "starts_on"),
        (-51, 10, "starts_on"),  # before the admission
        (400, 420, "starts_on"),  # more than a year ahead
        (0, None, "expected_return_on"),
        (0, 0, "expected_return_on"),  # not after the start
        (0, -5, "expected_return_on"),
        (0, 800, "expected_return_on"),  # more than two years
    ],
)
def test_leave_refuses_bad_dates(admitted, staff, starts, back, field):
    """A clear message on the field, and nothing written."""
    before = _counts()
    with pytest.raises(Refused) as refused:
        services.start_leave(
            admitted,
            staff,
            day(starts) if starts is not None else None,
            day(back) if back is not None else None,
            REASON,
        )
    assert refused.value.field == field
    db.session.rollback()
    assert _counts() == before


def test_return_refuses_bad_dates(admitted, staff):
    """A return on or before the leave's start, or in the future, is refused; so is a return
    with no open leave."""
    leave = services.start_leave(admitted, staff, day(-10), day(20), REASON)
    db.session.commit()
    for when in (-10, -11, 1):
        with pytest.raises(Refused) as refused:
            services.record_return(admitted, staff, leave.id, day(when), REASON)
        assert refused.value.field == "returned_on"
    services.record_return(admitted, staff, leave.id, day(0), REASON)
    db.session.commit()
    with pytest.raises(Refused, match="no leave"):
        services.record_return(admitted, staff, leave.id, day(0), REASON)


def test_transfer_keeps_the_pinned_version(admitted, staff, program):
    """A transfer to another cohort keeps version 1 though version 2 exists, unless asked."""
    add_version(track_named(program, "Online"))
    db.session.commit()
    autumn = cohort_named(program, "Autumn")
    change = services.move(admitted, staff, "transferred", autumn.id, None, False, day(0), REASON)
    db.session.commit()
    assert admitted.cohort_id == autumn.id
    assert admitted.pinned_requirements.version == 1
    assert change.from_requirement_set_id == change.to_requirement_set_id
    event = _events("enrollment.transferred")[0]
    assert json.loads(event.after)["cohort_id"] == autumn.id
    assert "version 1" in _mails()[0]["body"]
    assert reconcile() == []


def test_transfer_to_the_newest_version_when_chosen(admitted, staff, program):
    """Staff may choose the track's newest version; a new track takes its own newest."""
    online = track_named(program, "Online")
    add_version(online)
    db.session.commit()
    autumn = cohort_named(program, "Autumn")
    services.move(admitted, staff, "transferred", autumn.id, None, True, day(0), REASON)
    db.session.commit()
    assert admitted.pinned_requirements.version == 2
    hybrid = track_named(program, "Hybrid")
    services.move(admitted, staff, "transferred", autumn.id, hybrid.id, False, day(0), REASON)
    db.session.commit()
    assert admitted.track_id == hybrid.id
    assert admitted.pinned_requirements.track_id == hybrid.id
    assert reconcile() == []


def test_deferral_to_a_later_cohort(admitted, staff, program):
    """Deferred to Autumn (not started): the engine says deferred until it starts."""
    autumn = cohort_named(program, "Autumn")
    services.move(admitted, staff, "deferred", autumn.id, None, False, day(0), REASON)
    db.session.commit()
    assert _state(admitted) == "deferred"
    assert assess_one(admitted.id, today=day(130)).progress.state == "active"


@pytest.mark.parametrize(
    ("kind", "cohort", "track", "field"),
    [
        ("moved", "Autumn", None, "kind"),
        ("transferred", None, None, "cohort_id"),
        ("transferred", "Spring", None, "cohort_id"),  # the same cohort and track
        ("transferred", "Ended", None, "cohort_id"),
        ("deferred", "Spring", None, "cohort_id"),
        ("deferred", "Autumn", "Hybrid", "track_id"),
        ("transferred", "Elsewhere", None, "cohort_id"),  # another program's cohort
    ],
)
def test_move_refuses_bad_input(admitted, staff, program, create_user, kind, cohort, track, field):
    """A clear message on the field, and nothing written."""
    from tracker.factories.programs import make_program

    other = make_program("Other Program", cohorts=(("Elsewhere", 10, 300),))
    db.session.commit()
    cohorts = {c.name: c.id for c in (*program.cohorts, *other.cohorts)}
    before = _counts()
    with pytest.raises(Refused) as refused:
        services.move(
            admitted,
            staff,
            kind,
            cohorts.get(cohort) if cohort else None,
            track_named(program, track).id if track else None,
            False,
            day(0),
            REASON,
        )
    assert refused.value.field == field
    db.session.rollback()
    assert _counts() == before


def test_acts_need_an_admitted_enrollment(program, trainee, staff):
    """An applicant is not withdrawn, put on leave or moved: it changes its own choice."""
    from tracker.factories.enrollments import applied

    applicant = applied(
        trainee,
        track_named(program, "Online"),
        cohort_named(program, "Spring"),
        "submitted",
        day(0),
        staff,
    )
    db.session.commit()
    autumn = cohort_named(program, "Autumn")
    with pytest.raises(Refused):
        services.withdraw(applicant, staff, day(0), "voluntary", REASON)
    with pytest.raises(Refused):
        services.start_leave(applicant, staff, day(0), day(10), REASON)
    with pytest.raises(Refused):
        services.move(applicant, staff, "transferred", autumn.id, None, False, day(0), REASON)


def test_the_demo_has_a_trainee_on_leave_and_a_withdrawn_trainee(app, runner):
    """`flask demo`: one trainee on leave, one withdrawn, and the trail reconciles."""
    result = runner.invoke(args=["demo", "--password", "demo-password-1234"])
    assert result.exit_code == 0, result.output
    states = {}
    for email in ("leave@example.org", "withdrawn@example.org"):
        enrollment = db.session.scalar(
            select(Enrollment)
            .join(User, User.id == Enrollment.trainee_id)
            .where(User.email == email)
        )
        states[email] = _state(enrollment)
    assert states == {"leave@example.org": "on_leave", "withdrawn@example.org": "withdrawn"}
    assert reconcile() == []


def test_audit_verify_finds_a_move_or_a_change_made_behind_the_application(
    admitted, staff, program
):
    """The trail replays the cohort and track and every change row: an edit behind the
    application's back is named."""
    from sqlalchemy import update

    leave = services.start_leave(admitted, staff, day(-10), day(20), REASON)
    db.session.commit()
    assert reconcile() == []
    autumn = cohort_named(program, "Autumn")
    db.session.execute(
        update(Enrollment).where(Enrollment.id == admitted.id).values(cohort_id=autumn.id)
    )
    db.session.execute(
        update(EnrollmentChange).where(EnrollmentChange.id == leave.id).values(kind="returned")
    )
    db.session.commit()
    found = {(d.object_type, d.reason) for d in reconcile()}
    assert ("enrollments", "cohort or track changed without an event") in found
    assert ("enrollment_changes", "kind changed without an event") in found
