"""Competency evaluations: every domain rated, by a current assigned supervisor or staff."""

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.assessment.facts import assessment_facts
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import CompetencyRating
from tracker.extensions import db
from tracker.progress.requirements import COMPETENCY_DOMAINS


def _ratings(rating=3, **changes):
    data = {"evaluated_on": local_today().isoformat(), "comments": "Steady, safe practice."}
    data.update({f"rating_{d}": str(rating) for d in COMPETENCY_DOMAINS})
    data.update(changes)
    return data


def _url(enrollment):
    return f"/assessment/enrollments/{enrollment.id}/competency"


def test_assigned_supervisor_evaluates(client, auth, enrollment, supervisor):
    auth.login(supervisor)
    page = client.get(_url(enrollment)).get_data(as_text=True)
    assert "Competency evaluation: Terry Trainee" in page
    assert "Dosing support" in page
    response = post_form(client, _url(enrollment), _ratings(4, rating_ethics="3"))
    assert response.status_code == 302
    evaluation = db.session.scalar(select(CompetencyEvaluation))
    assert evaluation.evaluator_id == supervisor.id
    assert evaluation.rating_map["ethics"] == 3
    assert len(evaluation.ratings) == len(COMPETENCY_DOMAINS)


def test_every_domain_must_be_rated(client, auth, enrollment, supervisor):
    auth.login(supervisor)
    data = _ratings()
    del data["rating_monitoring"]
    page = post_form(client, _url(enrollment), data).get_data(as_text=True)
    assert 'id="rating_monitoring-error"' in page
    assert "Rate this domain." in page
    assert count(CompetencyEvaluation) == 0
    assert count(CompetencyRating) == 0


@pytest.mark.parametrize("bad", ["0", "5", "x"])
def test_rating_outside_1_to_4_is_refused(as_staff, enrollment, bad):
    page = post_form(as_staff, _url(enrollment), _ratings(rating_consent=bad)).get_data(
        as_text=True
    )
    assert 'id="rating_consent-error"' in page
    assert count(CompetencyEvaluation) == 0


def test_other_supervisor_is_not_found(client, auth, create_user, enrollment, supervisor):
    auth.login(create_user("supervisor"))
    assert client.get(_url(enrollment)).status_code == 404
    assert post_form(client, _url(enrollment), _ratings()).status_code == 404
    assert count(CompetencyEvaluation) == 0


def test_staff_evaluate_too(as_staff, enrollment, staff):
    assert post_form(as_staff, _url(enrollment), _ratings()).status_code == 302
    assert db.session.scalar(select(CompetencyEvaluation.evaluator_id)) == staff.id


def test_domains_come_from_the_requirement_set(as_staff, create_user):
    enrollment = make_enrollment(
        create_user("trainee"), spec={"competency_domains": ["consent", "ethics"]}
    )
    # Ratings for domains the set does not list are ignored, not stored.
    data = {
        "evaluated_on": local_today().isoformat(),
        "rating_consent": "2",
        "rating_ethics": "4",
        "rating_dosing_support": "1",
    }
    assert post_form(as_staff, _url(enrollment), data).status_code == 302
    evaluation = db.session.scalar(select(CompetencyEvaluation))
    assert evaluation.rating_map == {"consent": 2, "ethics": 4}


def test_latest_evaluation_counts(as_staff, enrollment):
    post_form(as_staff, _url(enrollment), _ratings(2))
    post_form(as_staff, _url(enrollment), _ratings(4))
    competency = assessment_facts([enrollment.id])[enrollment.id]["competency"]
    assert set(competency.ratings.values()) == {4}
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "4: exemplary" in page
