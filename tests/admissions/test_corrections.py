"""Admission waits on the reviews the requirement set names (the page lists what is missing);
a decision is reversed with a reason while no training is signed; a waiver may end on a date,
or be ended early, each a recorded act the engine follows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admissions.factories import add_insurance
from tests.admissions.factories import add_licence
from tests.admissions.factories import add_screening
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.admissions.factories import waive_reviews
from tests.conftest import post_form
from tracker.admissions import services
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import AdmissionReversal
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.factories import supervision
from tracker.factories import training
from tracker.standing import assess_one

REASON = "Admitted to the wrong program by mistake."


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _admit(client, enrollment, **kwargs):
    return post_form(client, review_url(enrollment, "/admit"), {"admit-note": ""}, **kwargs)


def _reverse(client, enrollment, reason=REASON, **kwargs):
    return post_form(client, review_url(enrollment, "/reverse"), {"reason": reason}, **kwargs)


# -- admission waits on the reviews ---------------------------------------------------------------


def test_admission_with_missing_reviews_is_refused_and_listed(as_staff, submitted, trainee):
    add_licence(trainee)  # not verified
    add_insurance(trainee, verified=True)
    add_screening(trainee)  # not cleared
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Not ready to admit." in page
    assert "Verify the LCSW licence" in page or "Verify the" in page
    assert "Review the health-screening attestation." in page
    assert "Admit Tara Applicant" not in page
    before = snapshot()
    response = _admit(as_staff, submitted, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Not admitted: these reviews are neither done nor waived" in text
    assert snapshot() == before
    assert fresh(submitted).status == "submitted"


def test_waived_reviews_let_the_admission_through(as_staff, submitted):
    assert services.missing_reviews(submitted)
    waive_reviews(submitted)
    assert services.missing_reviews(submitted) == ()
    assert _admit(as_staff, submitted).status_code == 303
    assert fresh(submitted).status == "admitted"


# -- reversing a decision -------------------------------------------------------------------------


def test_an_admission_is_reversed_with_a_reason(
    as_staff, submitted, staff, runner, mail_outbox, run_jobs
):
    waive_reviews(submitted)
    assert _admit(as_staff, submitted).status_code == 303
    confirm = as_staff.get(review_url(submitted, "/reverse")).get_data(as_text=True)
    assert "Reverse the decision" in confirm and "admitted" in confirm
    assert fresh(submitted).status == "admitted"  # the confirmation page writes nothing
    assert _reverse(as_staff, submitted).status_code == 302
    enrollment = fresh(submitted)
    assert (enrollment.status, enrollment.requirement_set_id) == ("submitted", None)
    reversal = db.session.scalar(select(AdmissionReversal))
    assert (reversal.reversed_status, reversal.reason, reversal.reversed_by_id) == (
        "admitted",
        REASON,
        staff.id,
    )
    [event] = _events("enrollment.decision_reversed")
    assert json.loads(event.after)["status"] == "submitted"
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Reversed decisions" in page and REASON in page
    assert "Admit Tara Applicant" in page  # a new decision can be taken
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    run_jobs()
    last = mail_outbox[-1]
    assert last.subject.endswith("decision reversed") and REASON in last.body


def test_a_decline_is_reversed_too(as_staff, submitted):
    post_form(
        as_staff,
        review_url(submitted, "/decline"),
        {"decline-reason": "The cohort is full this year."},
    )
    assert fresh(submitted).status == "declined"
    assert _reverse(as_staff, submitted, "A place opened up in the cohort.").status_code == 302
    assert fresh(submitted).status == "submitted"


@pytest.mark.parametrize("reason", ["", "short"])
def test_a_reversal_needs_a_reason(as_staff, submitted, reason):
    waive_reviews(submitted)
    _admit(as_staff, submitted)
    before = snapshot()
    page = _reverse(as_staff, submitted, reason).get_data(as_text=True)
    assert "at least 10 characters" in page or "Use 10 to" in page or "Write the reason" in page
    assert snapshot() == before


@pytest.mark.parametrize(
    "sign",
    [
        lambda e: training.add_didactic(e, status="verified"),
        lambda e: training.add_experiential(e, status="verified"),
        lambda e: supervision.add_session(e, status="signed"),
    ],
    ids=["verified didactic", "verified experiential", "signed session"],
)
def test_reversal_after_signed_training_is_refused(as_staff, submitted, sign):
    waive_reviews(submitted)
    _admit(as_staff, submitted)
    sign(fresh(submitted))
    db.session.commit()
    page = as_staff.get(review_url(submitted, "/reverse")).get_data(as_text=True)
    assert "cannot be reversed" in page
    before = snapshot()
    page = _reverse(as_staff, submitted, follow_redirects=True).get_data(as_text=True)
    assert "The admission cannot be reversed: training was already signed" in page
    assert snapshot() == before
    assert fresh(submitted).status == "admitted"


def test_pending_training_does_not_stop_a_reversal(as_staff, submitted):
    waive_reviews(submitted)
    _admit(as_staff, submitted)
    training.add_didactic(fresh(submitted), status="pending")
    db.session.commit()
    assert _reverse(as_staff, submitted).status_code == 302
    assert fresh(submitted).status == "submitted"


def test_nothing_to_reverse_before_a_decision(as_staff, submitted, staff):
    page = as_staff.get(review_url(submitted, "/reverse")).get_data(as_text=True)
    assert "there is no admission decision to reverse" in page
    with pytest.raises(Refused, match="only an admission or a decline"):
        services.reverse_decision(fresh(submitted), staff, REASON)


# -- waivers that end ----------------------------------------------------------------------------


def _waive(client, enrollment, target, ends_on=None, **kwargs):
    data = {
        "waiver-target": target,
        "waiver-reason": "Completed the equivalent module elsewhere.",
        "waiver-ends_on": ends_on.isoformat() if ends_on else "",
    }
    return post_form(client, review_url(enrollment, "/waivers"), data, **kwargs)


def _today(enrollment):
    return today_in(enrollment.program.timezone)


def test_a_waiver_with_an_end_date(as_staff, submitted):
    today = _today(submitted)
    assert _waive(as_staff, submitted, "step:1", today + timedelta(days=3)).status_code == 303
    waiver = db.session.scalar(select(Waiver))
    assert waiver.ends_on == today + timedelta(days=3)
    assert assess_one(submitted.id, today).progress.step(1).status == "waived"
    later = assess_one(submitted.id, today + timedelta(days=4)).progress.step(1)
    assert later.status != "waived"
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert f"until {(today + timedelta(days=3)).isoformat()}" in page


def test_a_waiver_end_date_in_the_past_is_refused(as_staff, submitted):
    before = snapshot()
    page = _waive(as_staff, submitted, "step:1", _today(submitted) - timedelta(days=1))
    assert "The end date cannot be in the past." in page.get_data(as_text=True)
    assert snapshot() == before


def test_a_waiver_ended_early(as_staff, submitted, staff):
    assert _waive(as_staff, submitted, "step:1").status_code == 303
    waiver = db.session.scalar(select(Waiver))
    url = review_url(submitted, f"/waivers/{waiver.id}/end")
    before = snapshot()
    page = post_form(as_staff, url, {f"end{waiver.id}-reason": "no"}).get_data(as_text=True)
    assert "10" in page
    assert snapshot() == before
    why = "The equivalence was withdrawn by the partner."
    assert post_form(as_staff, url, {f"end{waiver.id}-reason": why}).status_code == 303
    waiver = fresh(waiver)
    assert (waiver.ended_on, waiver.ended_by_id, waiver.end_reason) == (
        _today(submitted),
        staff.id,
        why,
    )
    assert assess_one(submitted.id).progress.step(1).status != "waived"
    assert _events("waiver.ended")
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Ended early on" in page and why in page
    # Ended once; a new waiver of the same target may be granted afterwards.
    again = post_form(as_staff, url, {f"end{waiver.id}-reason": why}, follow_redirects=True)
    assert "already ended" in again.get_data(as_text=True)
    assert _waive(as_staff, submitted, "step:1").status_code == 303
