"""A trainee record with something of everything on it, signed and questioned through the web
as a supervisor does it."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import post_form
from tests.signoffs.factories import give_credentials
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tracker.factories import assessment
from tracker.factories import committing
from tracker.factories import supervision
from tracker.factories.training import yesterday

add_presentation = committing(supervision.add_presentation)
add_exam = committing(assessment.add_exam)
add_case_evaluation = committing(assessment.add_case_evaluation)
rate_competencies = committing(assessment.rate_competencies)
QUESTION = "Which module of the course was this, please?"


@dataclass
class Filled:
    """The entries of a filled record, by what happened to them."""

    signed_session: object
    verified_hours: object
    questioned_activity: object
    waiting_session: object
    waiting_hours: object


def fill_record(client, enrollment, supervisor) -> Filled:
    """Sign a session and two didactic entries as `supervisor` (signed in on `client`), return
    an activity with a question, leave a session and an entry waiting; add a case presentation
    and the final assessment's evaluations. The trainee holds a valid licence and insurance, so
    the signed session counts."""
    give_credentials(enrollment.trainee)
    session = waiting_session(enrollment, supervisor, days_ago=5, duration_minutes=150)
    hours = waiting_didactic(enrollment, hours="3.5", topic_code="pharmacology")
    more = waiting_didactic(enrollment, hours="2", topic_code="ethics")
    keys = [f"session:{session.id}", f"didactic:{hours.id}", f"didactic:{more.id}"]
    assert post_form(client, "/signoffs/sign", sign_form(*keys)).status_code == 302
    activity = waiting_experiential(enrollment)
    response = post_form(client, f"/signoffs/experiential/{activity.id}/return", {"body": QUESTION})
    assert response.status_code == 302
    add_presentation(enrollment, yesterday(), "Integration after a difficult dosing session")
    add_exam(enrollment, yesterday(), 72)
    add_case_evaluation(enrollment, yesterday(), "passed", supervisor)
    rate_competencies(enrollment, yesterday(), ("screening", "consent"), 4, supervisor)
    return Filled(
        signed_session=session,
        verified_hours=hours,
        questioned_activity=activity,
        waiting_session=waiting_session(enrollment, supervisor, days_ago=1),
        waiting_hours=waiting_didactic(enrollment, hours="1.25", topic_code="ethics"),
    )
