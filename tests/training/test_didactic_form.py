"""Logging didactic hours: the valid path, and every refusal leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.training.models import DidacticEntry

URL = "/training/didactic/new"


def valid(**changes):
    data = {
        "on": iso(yesterday()),
        "topic_code": "pharmacology",
        "hours": "1.5",
        "provider": "KAP Academy, module 2",
        "note": "Live webinar",
    }
    data.update(changes)
    return data


def test_form_lists_the_program_topics(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "Pharmacology and mechanisms" in page
    assert "Cultural humility" in page


def test_valid_entry_is_saved_pending_and_audited(signed_in, enrollment):
    response = post_form(signed_in, URL, valid())
    assert response.status_code == 302
    entry = db.session.scalars(select(DidacticEntry)).one()
    assert entry.enrollment_id == enrollment.id
    assert entry.hours == Decimal("1.50")
    assert entry.topic_code == "pharmacology"
    assert entry.status == "pending"
    assert entry.verified_at is None and entry.verified_by_id is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "didactic.logged" in actions
    page = signed_in.get("/training/").get_data(as_text=True)
    assert "KAP Academy, module 2" in page
    assert "Waiting for verification" in page


@pytest.mark.parametrize("hours", ["12", "0.25", "11.75", "3.5", " 2 "])
def test_hours_accepted(signed_in, hours):
    assert post_form(signed_in, URL, valid(hours=hours)).status_code == 302
    assert count(DidacticEntry) == 1


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "must be more than 0"),
        ("0", "must be more than 0"),
        ("0.00", "must be more than 0"),
        ("12.5", "At most 12 hours per entry"),
        ("12.25", "At most 12 hours per entry"),
        ("0.3", "quarter hours"),
        ("1.1", "quarter hours"),
        ("abc", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("1e1", "as a number"),
        ("1,5", "as a number"),
        ("", "Enter the number of hours"),
        ("1" * 50, "Enter a number such as 1.5"),
    ],
)
def test_bad_hours_refused(signed_in, hours, message):
    response = post_form(signed_in, URL, valid(hours=hours))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0


def test_future_date_refused(signed_in):
    tomorrow = today_in("UTC") + timedelta(days=1)
    response = post_form(signed_in, URL, valid(on=iso(tomorrow)))
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0


def test_today_accepted(signed_in):
    assert post_form(signed_in, URL, valid(on=iso(today_in("UTC")))).status_code == 302


def test_date_before_cohort_refused(signed_in, enrollment):
    start = enrollment.cohort.starts_on
    response = post_form(signed_in, URL, valid(on=iso(start - timedelta(days=1))))
    page = response.get_data(as_text=True)
    assert f"before your cohort started on {start.isoformat()}" in page
    assert count(DidacticEntry) == 0
    assert post_form(signed_in, URL, valid(on=iso(start))).status_code == 302


@pytest.mark.parametrize("value", ["", "2026-13-01", "yesterday", "01/02/2026", "0001-01-01x"])
def test_malformed_date_refused(signed_in, value):
    response = post_form(signed_in, URL, valid(on=value))
    page = response.get_data(as_text=True)
    assert "Enter the date" in page
    assert count(DidacticEntry) == 0


def test_absurdly_old_date_refused(signed_in):
    response = post_form(signed_in, URL, valid(on="1900-01-01"))
    assert "before your cohort started" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0


@pytest.mark.parametrize("topic", ["astrology", "", "PHARMACOLOGY", "x" * 5000])
def test_unknown_topic_refused(signed_in, topic):
    response = post_form(signed_in, URL, valid(topic_code=topic))
    assert "Choose a topic from your program" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("provider", "", "Enter the course or provider"),
        ("provider", "   ", "Enter the course or provider"),
        ("provider", "p" * 201, "at most 200 characters"),
        ("provider", "p" * 100_000, "at most 200 characters"),
        ("provider", "Course\x00A", "no control characters"),
        ("provider", "Course\nA", "no control characters"),
        ("provider", "<script>alert(1)</script>", "no control characters or angle brackets"),
        ("note", "n" * 2001, "at most 2000 characters"),
        ("note", "n" * 200_000, "at most 2000 characters"),
        ("note", "bell\x07", "control characters"),
    ],
)
def test_bad_text_refused(signed_in, field, value, message):
    response = post_form(signed_in, URL, valid(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0


def test_provider_of_200_characters_and_multiline_note_accepted(signed_in):
    data = valid(provider="p" * 200, note="line one\r\nline two\twith a tab")
    assert post_form(signed_in, URL, data).status_code == 302
    entry = db.session.scalars(select(DidacticEntry)).one()
    assert entry.note == "line one\nline two\twith a tab"


def test_no_csrf_token_refused(signed_in):
    response = signed_in.post(URL, data=valid())
    assert response.status_code in (200, 400)
    assert count(DidacticEntry) == 0


def test_errors_show_next_to_the_field(signed_in):
    page = post_form(signed_in, URL, valid(hours="0.3")).get_data(as_text=True)
    assert 'id="hours-error"' in page
    assert 'aria-invalid="true"' in page
