"""At most 24 hours a day across the trainee's didactic and experiential entries."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import post_form
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry


def didactic(day, hours):
    return {"on": iso(day), "topic_code": "safety", "hours": hours, "provider": "Course"}


def experiential(day, hours, kind="role_play"):
    return {"on": iso(day), "kind": kind, "hours": hours, "facilitator": "Dr F"}


def test_two_full_didactic_days_then_nothing_more(signed_in):
    day = yesterday()
    assert post_form(signed_in, "/training/didactic/new", didactic(day, "12")).status_code == 302
    assert post_form(signed_in, "/training/didactic/new", didactic(day, "12")).status_code == 302
    response = post_form(signed_in, "/training/didactic/new", didactic(day, "0.25"))
    page = response.get_data(as_text=True)
    assert "At most 24 hours can be logged for one day" in page
    assert "24 hours are already logged" in page
    assert count(DidacticEntry) == 2


def test_cap_counts_experiential_entries_too(signed_in, enrollment):
    day = yesterday()
    add_didactic(enrollment, "12", on=day)
    add_experiential(enrollment, "10", on=day)
    response = post_form(signed_in, "/training/experiential/new", experiential(day, "2.25"))
    assert "at most 2 more fit" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 1
    response = post_form(signed_in, "/training/didactic/new", didactic(day, "2.25"))
    assert "At most 24 hours" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 1
    assert post_form(signed_in, "/training/didactic/new", didactic(day, "2")).status_code == 302


def test_another_day_is_not_affected(signed_in, enrollment):
    day = yesterday()
    add_didactic(enrollment, "12", on=day)
    add_didactic(enrollment, "12", on=day)
    other = day - timedelta(days=1)
    assert post_form(signed_in, "/training/didactic/new", didactic(other, "12")).status_code == 302


def test_edit_checks_the_cap_without_counting_itself(signed_in, enrollment):
    day = yesterday()
    first = add_didactic(enrollment, "12", on=day)
    second = add_experiential(enrollment, "8", on=day)
    url = f"/training/experiential/{second.id}/edit"
    # Raising the entry to 12 fits (12 + 12), to anything more would not; itself is not counted.
    assert post_form(signed_in, url, experiential(day, "12")).status_code == 302
    db.session.refresh(second)
    assert str(second.hours) == "12.00"
    response = post_form(signed_in, f"/training/didactic/{first.id}/edit", didactic(day, "12"))
    assert response.status_code == 302
    # Moving another day's entry onto the full day is refused, and it stays where it was.
    third = add_didactic(enrollment, "1", on=day - timedelta(days=3))
    response = post_form(signed_in, f"/training/didactic/{third.id}/edit", didactic(day, "1"))
    assert "At most 24 hours" in response.get_data(as_text=True)
    db.session.refresh(third)
    assert third.on == day - timedelta(days=3)
