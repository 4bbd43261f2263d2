"""The enrollment-status section through the pages: each act, the withdrawal's confirmation,
refusals shown beside their field, who may reach the routes, and the pages that follow (the
trainee's home, the ledger, the cohort page with its state filter and figures)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import post_form
from tests.lifecycle.conftest import cohort_named
from tests.lifecycle.conftest import day
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories.enrollments import applied
from tracker.jobs.models import Job
from tracker.lifecycle import services
from tracker.lifecycle.models import EnrollmentChange

REASON = "Recorded through the page for the tests."


def _changes() -> int:
    return db.session.scalar(select(func.count()).select_from(EnrollmentChange))


def _url(enrollment, act: str = "") -> str:
    return f"/admissions/enrollments/{enrollment.id}/status{'/' + act if act else ''}"


def test_the_enrollment_page_has_the_status_section(as_staff, admitted):
    """State, and a form for leave, move and withdrawal."""
    page = as_staff.get(f"/admissions/enrollments/{admitted.id}").get_data(as_text=True)
    assert 'id="status-heading">Enrollment status' in page
    assert 'data-state="active"' in page
    for action in ("leave", "move", "withdraw"):
        assert f'action="{_url(admitted, action)}"' in page
    assert as_staff.get(_url(admitted)).status_code == 200


def test_withdraw_asks_for_confirmation_first(as_staff, admitted):
    """The first post shows what will happen and the ledger's refund note, and writes nothing;
    the confirmed post withdraws, e-mails the trainee and returns to the page."""
    data = {
        "withdraw-grounds": "dismissed",
        "withdraw-effective_on": day(0).isoformat(),
        "withdraw-reason": "Breach of the program's code of ethics.",
    }
    response = post_form(as_staff, _url(admitted, "withdraw"), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Withdraw Tara Trainee?" in page
    assert "no refund policy" in page and "refund entry" in page
    assert _changes() == 0
    assert 'name="withdraw-confirmed" type="hidden" value="yes"' in page
    response = post_form(
        as_staff, _url(admitted, "withdraw"), {**data, "withdraw-confirmed": "yes"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admissions/enrollments/{admitted.id}#status")
    db.session.expire_all()
    assert db.session.get(Enrollment, admitted.id).status == "withdrawn"
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    page = as_staff.get(f"/admissions/enrollments/{admitted.id}").get_data(as_text=True)
    assert 'data-state="withdrawn"' in page and "Readmit the trainee" in page
    ledger = as_staff.get(f"/finance/enrollments/{admitted.id}").get_data(as_text=True)
    assert "Withdrawn</strong> as of" in ledger and "refund entry" in ledger


def test_a_bad_withdrawal_shows_the_form_again(as_staff, admitted):
    """A withdrawal dated in the future is refused beside its field; nothing is written."""
    data = {
        "withdraw-grounds": "voluntary",
        "withdraw-effective_on": day(5).isoformat(),
        "withdraw-reason": "Moving abroad for work.",
        "withdraw-confirmed": "yes",
    }
    response = post_form(as_staff, _url(admitted, "withdraw"), data)
    assert response.status_code == 200
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert _changes() == 0


def test_leave_and_return_through_the_page(as_staff, admitted):
    """A leave with a return before its start is refused; a good one is recorded, shown, then
    ended by the return."""
    bad = {
        "leave-starts_on": day(0).isoformat(),
        "leave-expected_return_on": day(-3).isoformat(),
        "leave-reason": REASON,
    }
    response = post_form(as_staff, _url(admitted, "leave"), bad)
    assert response.status_code == 200
    assert "must be after the start of the leave" in response.get_data(as_text=True)
    assert _changes() == 0
    good = {**bad, "leave-expected_return_on": day(30).isoformat()}
    assert post_form(as_staff, _url(admitted, "leave"), good).status_code == 303
    page = as_staff.get(f"/admissions/enrollments/{admitted.id}").get_data(as_text=True)
    assert 'data-state="on_leave"' in page and "Record the return from leave" in page
    leave_id = re.search(r'name="back-leave_id" type="hidden" value="(\d+)"', page)
    assert leave_id, "the return form names the leave"
    back = {
        "back-leave_id": leave_id.group(1),
        "back-returned_on": day(0).isoformat(),
        "back-reason": "Back on schedule, fully able.",
    }
    response = post_form(as_staff, _url(admitted, "leave/return"), back)
    assert response.status_code == 200  # back on the day the leave starts: refused
    assert "must be after the start of the leave" in response.get_data(as_text=True)


def test_transfer_through_the_page(as_staff, admitted, program):
    """A transfer to Autumn keeps the version, says so, and shows in the history."""
    autumn = cohort_named(program, "Autumn")
    data = {
        "move-kind": "transferred",
        "move-cohort_id": str(autumn.id),
        "move-track_id": "",
        "move-effective_on": day(0).isoformat(),
        "move-reason": REASON,
    }
    response = post_form(as_staff, _url(admitted, "move"), data)
    assert response.status_code == 303
    page = as_staff.get(f"/admissions/enrollments/{admitted.id}").get_data(as_text=True)
    assert "Cohort Spring → Autumn" in page and "Requirements kept at version 1" in page


def test_the_trainee_sees_the_leave_and_its_end(client, auth, admitted, staff, trainee):
    """The trainee's home shows the leave with its expected end."""
    services.start_leave(admitted, staff, day(-2), day(28), REASON)
    db.session.commit()
    auth.login(trainee)
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    assert "Leave of absence." in page and "expected back on" in page


def test_a_withdrawn_trainee_still_sees_their_records(client, auth, admitted, staff, trainee):
    """Withdrawn: the home says so instead of inviting a new application."""
    services.withdraw(admitted, staff, day(0), "voluntary", REASON)
    db.session.commit()
    auth.login(trainee)
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    assert "Your enrollment is withdrawn." in page


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_only_staff_reach_the_status_acts(client, auth, create_user, admitted, who):
    """Trainees and supervisors are refused every route of the section."""
    auth.login(create_user(who))
    assert client.get(_url(admitted)).status_code == 403
    for act in ("withdraw", "readmit", "leave", "leave/extend", "leave/return", "move"):
        assert post_form(client, _url(admitted, act), {}).status_code == 403
    assert _changes() == 0


def test_cohort_page_filters_and_counts_each_state(as_staff, admitted, program, staff, create_user):
    """One active, one on leave, one withdrawn, one deferred: the figures count each, and the
    State filter lists only its own."""
    others = {}
    for name in ("Lee Leave", "Wes Withdrawn", "Dee Deferred"):
        person = create_user("trainee", name=name)
        others[name] = applied(
            person,
            admitted.track,
            cohort_named(program, "Spring"),
            "admitted",
            day(0),
            staff,
            decided_on=day(-50),
        )
    db.session.commit()
    services.start_leave(others["Lee Leave"], staff, day(-1), day(30), REASON)
    services.withdraw(others["Wes Withdrawn"], staff, day(0), "voluntary", REASON)
    autumn = cohort_named(program, "Autumn")
    services.move(others["Dee Deferred"], staff, "deferred", autumn.id, None, False, day(0), REASON)
    db.session.commit()
    from tracker.standing.snapshots import refresh

    refresh()
    page = as_staff.get("/dashboard/cohort").get_data(as_text=True)
    for state, count in (("active", 1), ("on_leave", 1), ("withdrawn", 1), ("deferred", 1)):
        assert re.search(rf'data-state="{state}">[^<]*: <strong>{count}</strong>', page), state
    for state, name in (
        ("on_leave", "Lee Leave"),
        ("withdrawn", "Wes Withdrawn"),
        ("deferred", "Dee Deferred"),
        ("active", "Tara Trainee"),
    ):
        page = as_staff.get(f"/dashboard/cohort?state={state}").get_data(as_text=True)
        assert "1 enrollment match" in page and name in page, state
