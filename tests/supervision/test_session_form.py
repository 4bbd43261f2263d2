"""Recording a supervised session: the valid path, and refusals that save nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import REFLECTION
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.supervision.models import SupervisedSession

URL = "/supervision/sessions/new"


def valid(**changes):
    data = {
        "on": iso(yesterday()),
        "client_code": "KC-7QX4M2",
        "setting": "private_practice",
        "route": "sublingual",
        "trainee_role": "lead",
        "supervision_mode": "video_review",
        "covers_preparation": "y",
        "covers_integration": "y",
        "duration_minutes": "150",
        "reflection": REFLECTION,
    }
    data.update(changes)
    return data


def test_valid_session_saved_as_draft(signed_in, enrollment):
    response = post_form(signed_in, URL, valid())
    assert response.status_code == 302
    session = db.session.scalars(select(SupervisedSession)).one()
    assert session.enrollment_id == enrollment.id
    assert session.status == "draft"
    assert session.supervisor_id is None and session.submitted_at is None
    assert (session.covers_preparation, session.covers_dosing, session.covers_integration) == (
        True,
        False,
        True,
    )
    assert (session.setting, session.route, session.trainee_role) == (
        "private_practice",
        "sublingual",
        "lead",
    )
    assert "session.created" in db.session.scalars(select(AuditEvent.action)).all()
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Status: Draft" in page
    assert "Preparation, integration" in page


@pytest.mark.parametrize("minutes", ["15", "720"])
def test_duration_limits_accepted(signed_in, minutes):
    assert post_form(signed_in, URL, valid(duration_minutes=minutes)).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "14"}, "between 15 and 720 minutes"),
        ({"duration_minutes": "721"}, "between 15 and 720 minutes"),
        ({"duration_minutes": "-30"}, "between 15 and 720 minutes"),
        ({"duration_minutes": "1.5"}, "Not a valid integer"),
        ({"duration_minutes": ""}, "Enter the duration"),
        ({"reflection": "x" * 99}, "between 100 and 5000 characters"),
        ({"reflection": "x" * 5001}, "between 100 and 5000 characters"),
        ({"reflection": " " * 60 + "x" * 60}, "at least 100 characters"),
        ({"reflection": "x" * 200 + "\x00"}, "control characters"),
        ({"covers_preparation": "", "covers_integration": ""}, "Tick at least one phase"),
        ({"setting": "car park"}, "Choose the setting"),
        ({"route": "rectal"}, "Choose the administration route"),
        ({"trainee_role": "boss"}, "Choose the role you had"),
        ({"trainee_role": ""}, "Choose the role you had"),
        ({"supervision_mode": "phone"}, "Choose the supervision mode"),
        ({"on": iso(today_in("UTC") + timedelta(days=1))}, "cannot be in the future"),
        ({"on": "1985-03-02"}, "before your cohort started"),
        ({"on": ""}, "Enter the date"),
        ({"client_code": "K" * 100_000}, "at most 16 characters"),
    ],
)
def test_invalid_session_refused(signed_in, changes, message):
    data = valid(**changes)
    data = {key: value for key, value in data.items() if value != ""}
    response = post_form(signed_in, URL, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(SupervisedSession) == 0


def test_date_before_cohort_start_refused(signed_in, enrollment):
    start = enrollment.cohort.starts_on
    response = post_form(signed_in, URL, valid(on=iso(start - timedelta(days=1))))
    assert f"before your cohort started on {start.isoformat()}" in response.get_data(as_text=True)
    assert count(SupervisedSession) == 0


def test_form_says_no_client_details(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "de-identified code" in page
    assert "Record no client details" in page
