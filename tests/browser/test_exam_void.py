"""An exam attempt voided in a real browser: staff record a mistyped score, void it from its
confirmation page with a reason, see it shown as VOID beside the original with the attempt given
back, and find both acts in the audit trail; `flask audit verify` stays intact."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.assessment.factories import assessable
from tests.browser.conftest import Person
from tests.browser.test_journey import sign_in
from tracker.audit.models import AuditEvent
from tracker.extensions import db

REASON = "Score typed for the wrong trainee."


def test_an_exam_attempt_voided(app, create_user, person, accessibility, runner):
    staff_member = create_user("staff", name="Morgan Staff", email="morgan.staff@example.org")
    trainee = create_user("trainee", name="Jordan Avery", email="jordan.avery@example.org")
    enrollment = assessable(trainee)
    db.session.commit()
    staff: Person = person()
    sign_in(staff, staff_member.email)

    staff.open(f"/assessment/enrollments/{enrollment.id}")
    part = staff.expand("Record an exam attempt")
    staff.fill("Score (0 to 100)", "95", within=part)
    staff.press("Record the attempt", within=part)
    assert "Exam attempt recorded: score 95" in staff.flash()
    assert "Passed." in staff.main_text()

    staff.follow("Void attempt 1")
    assert "Void an exam attempt" in staff.main_text()
    staff.press("Void this attempt")  # no reason: refused, nothing written
    assert "Write the reason" in staff.main_text()
    staff.fill("Why is this attempt void?", REASON)
    staff.press("Void this attempt")
    assert "voided" in staff.flash()
    text = staff.main_text()
    assert "VOID" in text and REASON in text and "Voided on" in text
    assert "attempts used 0 of 3 allowed" in text
    assert "Not taken yet." in text

    # The attempt it used is available again.
    part = staff.expand("Record an exam attempt")
    staff.fill("Score (0 to 100)", "59", within=part)
    staff.press("Record the attempt", within=part)
    assert "attempts used 1 of 3 allowed" in staff.main_text()

    staff.open(f"/audit/?trainee={trainee.email}")
    trail = staff.main_text()
    assert "assessment.exam_attempt_voided" in trail
    assert "assessment.exam_attempt_recorded" in trail
    db.session.rollback()
    voided = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assessment.exam_attempt_voided")
    )
    assert voided.actor_id == staff_member.id
    assert json.loads(voided.after)["void_reason"] == REASON
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    accessibility.assert_clean()
