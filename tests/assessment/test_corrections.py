"""Corrections of the final assessment are new records: a voided attempt stays on file as VOID
and gives its attempt back; an evaluation is amended by a new version, the old one shown as
superseded. And the guards on recording an exam: open assessment (or a reasoned override),
dated between admission and today."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.assessment import services
from tracker.assessment.facts import assessment_facts
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import ExamAttempt
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.factories.certificates import issued_on_day
from tracker.progress.certification_rules import final_assessment
from tracker.progress.requirements import COMPETENCY_DOMAINS
from tracker.standing import assess_one

REASON = "Score typed for the wrong trainee."


def _attempt(client, enrollment, score, taken_on=None, override=""):
    return post_form(
        client,
        f"/assessment/enrollments/{enrollment.id}/exam",
        {
            "exam-taken_on": (taken_on or local_today()).isoformat(),
            "exam-score": str(score),
            "exam-override_reason": override,
        },
    )


def _void(client, attempt, reason=REASON):
    return post_form(client, f"/assessment/attempts/{attempt.id}/void", {"reason": reason})


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _after(event):
    return json.loads(event.after)


def _exam_codes(enrollment):
    standing = assess_one(enrollment.id)
    draft = final_assessment(standing.facts, standing.spec, standing.today)
    return {item.code for item in draft.items}


# -- voiding an attempt -------------------------------------------------------------------------


def test_void_asks_first_then_keeps_the_attempt_as_void(as_staff, enrollment, staff, runner):
    for score in (50, 60, 70):
        assert _attempt(as_staff, enrollment, score).status_code == 302
    first = db.session.scalars(select(ExamAttempt).order_by(ExamAttempt.id)).first()
    confirm = as_staff.get(f"/assessment/attempts/{first.id}/void").get_data(as_text=True)
    assert "Void this attempt" in confirm and "score 50" in confirm
    assert first.voided_at is None  # the confirmation page writes nothing
    assert _void(as_staff, first).status_code == 302
    db.session.refresh(first)
    assert (first.void_reason, first.voided_by_id) == (REASON, staff.id)
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "<strong>VOID</strong>" in page and REASON in page
    assert "attempts used 2 of 3 allowed" in page
    # The attempt it used is available again.
    assert _attempt(as_staff, enrollment, 85).status_code == 302
    assert count(ExamAttempt) == 4
    [event] = _events("assessment.exam_attempt_voided")
    assert event.actor_id == staff.id and _after(event)["void_reason"] == REASON
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_void_needs_a_reason(as_staff, enrollment, reason):
    assert _attempt(as_staff, enrollment, 50).status_code == 302
    attempt = db.session.scalar(select(ExamAttempt))
    page = _void(as_staff, attempt, reason).get_data(as_text=True)
    assert "at least 10 characters" in page or "10 to 2000 characters" in page
    db.session.refresh(attempt)
    assert attempt.voided_at is None
    assert not _events("assessment.exam_attempt_voided")


def test_a_void_is_done_once(as_staff, enrollment):
    assert _attempt(as_staff, enrollment, 50).status_code == 302
    attempt = db.session.scalar(select(ExamAttempt))
    assert _void(as_staff, attempt).status_code == 302
    page = _void(as_staff, attempt, "A second reason for the same.").get_data(as_text=True)
    assert "already voided" in page
    assert len(_events("assessment.exam_attempt_voided")) == 1


def test_voided_pass_no_longer_passes(as_staff, enrollment):
    assert _attempt(as_staff, enrollment, 95).status_code == 302
    attempt = db.session.scalar(select(ExamAttempt))
    assert "exam.not_passed" not in _exam_codes(enrollment)
    assert _void(as_staff, attempt).status_code == 302
    assert "exam.not_passed" in _exam_codes(enrollment)
    facts = assessment_facts([enrollment.id])[enrollment.id]
    assert [a.voided for a in facts["exam_attempts"]] == [True]


def test_supervisor_cannot_void(client, auth, enrollment, supervisor, staff):
    attempt = services.record_exam_attempt(enrollment.id, local_today(), 50, staff)
    db.session.commit()
    auth.login(supervisor)
    assert client.get(f"/assessment/attempts/{attempt.id}/void").status_code == 403
    assert _void(client, attempt).status_code == 403
    db.session.refresh(attempt)
    assert attempt.voided_at is None


# -- the guards on recording an attempt -----------------------------------------------------------


def test_exam_refused_before_the_assessment_is_open(as_staff, create_user):
    enrollment = make_enrollment(create_user("trainee"))
    page = _attempt(as_staff, enrollment, 90).get_data(as_text=True)
    assert "The final assessment is not open yet" in page
    assert "5. Didactic training" in page
    assert count(ExamAttempt) == 0


def test_override_needs_a_reason_and_shows(as_staff, create_user):
    enrollment = make_enrollment(create_user("trainee"))
    page = _attempt(as_staff, enrollment, 90, override="short").get_data(as_text=True)
    assert "at least 10 characters" in page or "10 to 2000 characters" in page
    assert count(ExamAttempt) == 0
    why = "Board exam sitting fixed before the last session was signed."
    assert _attempt(as_staff, enrollment, 90, override=why).status_code == 302
    attempt = db.session.scalar(select(ExamAttempt))
    assert attempt.override_reason == why
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "<strong>Override</strong>" in page and why in page
    [event] = _events("assessment.exam_attempt_recorded")
    assert _after(event)["override_reason"] == why


def test_exam_refused_before_admission_or_in_the_future(as_staff, enrollment):
    enrollment.decided_at = utcnow() - timedelta(days=5)
    db.session.commit()
    before = local_today() - timedelta(days=30)
    page = _attempt(as_staff, enrollment, 90, before).get_data(as_text=True)
    assert "cannot be dated before the admission" in page
    page = _attempt(as_staff, enrollment, 90, local_today() + timedelta(days=1)).get_data(
        as_text=True
    )
    assert "The date cannot be in the future." in page
    # An override does not make an impossible date possible.
    page = _attempt(as_staff, enrollment, 90, before, "An override reason here.").get_data(
        as_text=True
    )
    assert "cannot be dated before the admission" in page
    assert count(ExamAttempt) == 0


# -- amended evaluations ------------------------------------------------------------------------


def test_case_evaluation_amended_by_a_new_version(as_staff, enrollment, staff):
    old = services.record_case_evaluation(enrollment.id, local_today(), "failed", "", staff)
    db.session.commit()
    url = f"/assessment/enrollments/{enrollment.id}/case/{old.id}/amend"
    form = as_staff.get(url).get_data(as_text=True)
    assert "Record the amended version" in form
    bad = post_form(
        as_staff,
        url,
        {"evaluated_on": local_today().isoformat(), "result": "passed", "amendment_reason": ""},
    ).get_data(as_text=True)
    assert "Write the reason" in bad
    assert count(CaseEvaluation) == 1
    why = "The result was entered the wrong way round."
    response = post_form(
        as_staff,
        url,
        {"evaluated_on": local_today().isoformat(), "result": "passed", "amendment_reason": why},
    )
    assert response.status_code == 302
    new = db.session.scalar(select(CaseEvaluation).where(CaseEvaluation.id != old.id))
    assert (new.version, new.supersedes_id, new.amendment_reason) == (2, old.id, why)
    db.session.refresh(old)
    assert old.result == "failed"  # never edited in place
    assert assessment_facts([enrollment.id])[enrollment.id]["case_evaluation"] == "passed"
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "<strong>Superseded</strong> by version 2" in page and why in page
    [event] = _events("assessment.case_amended")
    assert _after(event)["supersedes_id"] == old.id
    # A superseded version cannot be amended again: amend the latest.
    with pytest.raises(Refused, match="already amended"):
        services.record_case_evaluation(
            enrollment.id, local_today(), "failed", "", staff, amends=old.id, reason=why
        )


def test_competency_evaluation_amended_by_a_new_version(as_staff, enrollment, staff):
    old = services.record_competency_evaluation(
        enrollment.id, local_today(), dict.fromkeys(COMPETENCY_DOMAINS, 2), "", staff
    )
    db.session.commit()
    url = f"/assessment/enrollments/{enrollment.id}/competency/{old.id}/amend"
    assert "amending the evaluation" in as_staff.get(url).get_data(as_text=True)
    data = {f"rating_{d}": "4" for d in COMPETENCY_DOMAINS}
    data["evaluated_on"] = local_today().isoformat()
    data["amendment_reason"] = "Ratings were copied from another trainee."
    assert post_form(as_staff, url, data).status_code == 302
    assert count(CompetencyEvaluation) == 2
    facts = assessment_facts([enrollment.id])[enrollment.id]
    assert set(facts["competency"].ratings.values()) == {4}
    db.session.refresh(old)
    assert {r.rating for r in old.ratings} == {2}
    assert _events("assessment.competency_amended")


def test_amending_another_enrollments_evaluation_is_not_found(
    as_staff, enrollment, staff, create_user
):
    other = make_enrollment(create_user("trainee"))
    old = services.record_case_evaluation(other.id, local_today(), "failed", "", staff)
    db.session.commit()
    url = f"/assessment/enrollments/{enrollment.id}/case/{old.id}/amend"
    assert as_staff.get(url).status_code == 404


def test_no_correction_under_a_valid_certificate(enrollment, staff):
    attempt = services.record_exam_attempt(enrollment.id, local_today(), 90, staff)
    case = services.record_case_evaluation(enrollment.id, local_today(), "passed", "", staff)
    issued_on_day(enrollment, "Terry Trainee", "Program", local_today(), staff)
    db.session.commit()
    with pytest.raises(Refused, match="revoke the certificate before voiding"):
        services.void_exam_attempt(attempt.id, REASON, staff)
    db.session.rollback()
    with pytest.raises(Refused, match="revoke the certificate before amending"):
        services.record_case_evaluation(
            enrollment.id, local_today(), "failed", "", staff, amends=case.id, reason=REASON
        )
    db.session.rollback()
    assert count(CaseEvaluation) == 1
    assert db.session.get(ExamAttempt, attempt.id).voided_at is None
