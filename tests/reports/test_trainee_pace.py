"""A trainee's own pace on the trainee home, and the chart behind it: the trainee, their
current supervisor and staff may see it; another trainee, another supervisor and a former
supervisor get a 404."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import login
from tests.training.factories import make_enrollment
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.factories.enrollments import assign
from tracker.training import services as training


def _trainee_with_hours(create_user):
    trainee = create_user("trainee", name="Pat Pace")
    enrollment = make_enrollment(trainee, cohort_started_days_ago=28)
    on = today_in("UTC") - timedelta(days=20)
    training.log_didactic(enrollment, training.DidacticInput(on, "pharmacology", "6", "Acme", ""))
    db.session.commit()
    return trainee, enrollment


def test_trainee_home_shows_pace_chart_and_projection(app, client, create_user):
    trainee, enrollment = _trainee_with_hours(create_user)
    login(client, trainee)
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    assert "Your pace" in page
    assert "You have logged 6 of 140 hours" in page
    assert "the total would be reached around" in page
    assert f'src="/reports/enrollments/{enrollment.id}/pace.svg"' in page
    chart = client.get(f"/reports/enrollments/{enrollment.id}/pace.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "Hours logged since the cohort started" in chart.get_data(as_text=True)


def test_pace_chart_access(app, create_user):
    trainee, enrollment = _trainee_with_hours(create_user)
    url = f"/reports/enrollments/{enrollment.id}/pace.svg"
    supervisor = create_user("supervisor")
    former = create_user("supervisor")
    assign(enrollment, supervisor)
    assign(enrollment, former, kind="backup", ended=True)
    db.session.commit()
    allowed = [trainee, supervisor, create_user("staff")]
    refused = [create_user("trainee"), create_user("supervisor"), former]
    for person in allowed + refused:
        client = app.test_client()
        login(client, person)
        expected = 200 if person in allowed else 404
        assert client.get(url).status_code == expected, person.email
    client = app.test_client()
    login(client, trainee)
    assert client.get("/reports/enrollments/999999/pace.svg").status_code == 404
