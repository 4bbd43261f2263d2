"""Logging opens after admission: the pages say so and every POST is refused."""

from __future__ import annotations

import pytest

from tests.conftest import post_form
from tests.training.factories import add_ce
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry
from tracker.training.services import LoggingClosed
from tracker.training.services import logging_open
from tracker.training.services import require_admitted

NEW = {
    "/training/didactic/new": (
        DidacticEntry,
        {"topic_code": "legal", "hours": "2", "provider": "P"},
    ),
    "/training/experiential/new": (
        ExperientialEntry,
        {"kind": "role_play", "hours": "2", "facilitator": "F"},
    ),
    "/training/ce/new": (
        ContinuingEducation,
        {"kind": "ce", "title": "T", "provider": "P", "amount": "2"},
    ),
}


@pytest.fixture(params=["applicant", "submitted", "none"])
def not_admitted(request, client, auth, create_user):
    """A trainee who is an applicant, has submitted, or has no enrollment, signed in."""
    user = create_user("trainee")
    if request.param != "none":
        make_enrollment(user, status=request.param)
    auth.login(user)
    return client


@pytest.mark.parametrize("url", ["/training/", "/training/ce", *NEW])
def test_pages_explain_logging_opens_after_admission(not_admitted, url):
    response = not_admitted.get(url)
    assert response.status_code == 200
    assert "Logging opens after admission" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", list(NEW))
def test_posts_are_refused(not_admitted, url):
    model, data = NEW[url]
    response = post_form(not_admitted, url, {**data, "on": iso(yesterday())})
    assert response.status_code == 403
    assert "Logging opens after admission" in response.get_data(as_text=True)
    assert count(model) == 0


@pytest.mark.parametrize("status", ["withdrawn", "declined"])
def test_withdrawn_enrollment_cannot_change_its_entries(client, auth, create_user, status):
    user = create_user("trainee")
    enrollment = make_enrollment(user)
    entries = [
        ("didactic", add_didactic(enrollment)),
        ("experiential", add_experiential(enrollment)),
        ("ce", add_ce(enrollment)),
    ]
    enrollment.status = status
    db.session.commit()
    auth.login(user)
    for kind, item in entries:
        assert post_form(client, f"/training/{kind}/{item.id}/delete").status_code == 403
        assert client.get(f"/training/{kind}/{item.id}/edit").status_code == 200
    assert count(DidacticEntry) == count(ExperientialEntry) == count(ContinuingEducation) == 1


@pytest.mark.parametrize("status", ["applicant", "submitted", "admitted", "declined", "withdrawn"])
def test_one_rule_opens_logging_on_every_page_and_in_the_services(
    client, auth, create_user, status
):
    """The hours, CE and sessions pages and the services all ask `logging_open`."""
    user = create_user("trainee")
    enrollment = make_enrollment(user, status=status)
    auth.login(user)
    is_open = logging_open(enrollment)
    assert is_open == (status == "admitted")
    for url in ("/training/", "/training/ce", "/supervision/"):
        page = client.get(url).get_data(as_text=True)
        assert ("Logging opens after admission" in page or "Logging is closed" in page) != is_open
    if is_open:
        assert require_admitted(enrollment) is enrollment
    else:
        with pytest.raises(LoggingClosed):
            require_admitted(enrollment)
