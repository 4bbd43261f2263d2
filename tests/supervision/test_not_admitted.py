"""Sessions and presentations open after admission: pages explain, POSTs are refused."""

from __future__ import annotations

import pytest

from tests.conftest import post_form
from tests.training.factories import REFLECTION
from tests.training.factories import add_session
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession

SESSION = {
    "client_code": "KC-7QX4M2",
    "setting": "clinic",
    "route": "im",
    "trainee_role": "lead",
    "supervision_mode": "live",
    "covers_dosing": "y",
    "duration_minutes": "60",
    "reflection": REFLECTION,
}
PRESENTATION = {"title": "My case", "audience": "peer_group"}


@pytest.fixture(params=["applicant", "submitted", "none"])
def not_admitted(request, client, auth, create_user):
    """A trainee who is an applicant, has submitted, or has no enrollment, signed in."""
    user = create_user("trainee")
    if request.param != "none":
        make_enrollment(user, status=request.param)
    auth.login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/supervision/",
        "/supervision/sessions/new",
        "/supervision/presentations",
        "/supervision/presentations/new",
    ],
)
def test_pages_explain_logging_opens_after_admission(not_admitted, url):
    response = not_admitted.get(url)
    assert response.status_code == 200
    assert "Logging opens after admission" in response.get_data(as_text=True)


def test_posts_are_refused(not_admitted):
    day = {"on": iso(yesterday())}
    response = post_form(not_admitted, "/supervision/sessions/new", {**SESSION, **day})
    assert response.status_code == 403
    response = post_form(not_admitted, "/supervision/presentations/new", {**PRESENTATION, **day})
    assert response.status_code == 403
    assert count(SupervisedSession) == 0
    assert count(CasePresentation) == 0


def test_withdrawn_enrollment_cannot_submit(client, auth, create_user):
    user = create_user("trainee")
    enrollment = make_enrollment(user)
    session = add_session(enrollment)
    enrollment.status = "withdrawn"
    db.session.commit()
    auth.login(user)
    response = post_form(client, f"/supervision/sessions/{session.id}/submit")
    assert response.status_code == 403
    assert "Logging is closed" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.status == "draft"
