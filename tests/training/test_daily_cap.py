"""At most the requirement set's daily cap (12 hours unless raised) across the didactic and
experiential entries of one enrollment and one day."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import post_form
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.progress.requirements import RequirementError
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict
from tracker.training import services
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry


def didactic(day, hours):
    return {"on": iso(day), "topic_code": "safety", "hours": hours, "provider": "Course"}


def experiential(day, hours, kind="role_play"):
    return {"on": iso(day), "kind": kind, "hours": hours, "facilitator": "Dr F"}


def test_the_default_cap_is_12_hours_a_day():
    assert RequirementSpec.default().max_day_hours == Decimal(12)
    assert RequirementSpec.default("retreat").max_day_hours == Decimal(12)


def test_a_version_stored_before_the_cap_reads_as_12_hours():
    stored = default_dict()
    del stored["max_day_hours"]
    assert RequirementSpec.from_dict(stored).max_day_hours == Decimal(12)


@pytest.mark.parametrize("value", ["0", "0.5", "24.25", "25", "7.3", "x", None])
def test_the_cap_is_1_to_24_quarter_hours(value):
    with pytest.raises(RequirementError) as caught:
        RequirementSpec.from_dict({**default_dict(), "max_day_hours": value})
    assert caught.value.field == "max_day_hours"


def test_two_12_hour_entries_on_one_day_are_refused(signed_in):
    day = yesterday()
    assert post_form(signed_in, "/training/didactic/new", didactic(day, "12")).status_code == 302
    response = post_form(signed_in, "/training/didactic/new", didactic(day, "12"))
    page = response.get_data(as_text=True)
    assert "At most 12 hours can be logged for one day" in page
    assert "12 hours are already logged" in page
    assert "so no more hours fit that day" in page
    assert count(DidacticEntry) == 1


def test_cap_counts_experiential_entries_too(signed_in, enrollment):
    day = yesterday()
    add_didactic(enrollment, "6", on=day)
    add_experiential(enrollment, "4", on=day)
    response = post_form(signed_in, "/training/experiential/new", experiential(day, "2.25"))
    assert "at most 2 more fit that day" in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 1
    response = post_form(signed_in, "/training/didactic/new", didactic(day, "2.25"))
    assert "At most 12 hours" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 1
    assert post_form(signed_in, "/training/didactic/new", didactic(day, "2")).status_code == 302


def test_another_day_is_not_affected(signed_in, enrollment):
    day = yesterday()
    add_didactic(enrollment, "12", on=day)
    other = day - timedelta(days=1)
    assert post_form(signed_in, "/training/didactic/new", didactic(other, "12")).status_code == 302


def test_edit_checks_the_cap_without_counting_itself(signed_in, enrollment):
    day = yesterday()
    first = add_didactic(enrollment, "4", on=day)
    second = add_experiential(enrollment, "4", on=day)
    url = f"/training/experiential/{second.id}/edit"
    # Raising the entry to 8 fits (4 + 8), to anything more would not; itself is not counted.
    assert post_form(signed_in, url, experiential(day, "8")).status_code == 302
    db.session.refresh(second)
    assert str(second.hours) == "8.00"
    response = post_form(signed_in, f"/training/didactic/{first.id}/edit", didactic(day, "4"))
    assert response.status_code == 302
    # Moving another day's entry onto the full day is refused, and it stays where it was.
    third = add_didactic(enrollment, "1", on=day - timedelta(days=3))
    response = post_form(signed_in, f"/training/didactic/{third.id}/edit", didactic(day, "1"))
    assert "At most 12 hours" in response.get_data(as_text=True)
    db.session.refresh(third)
    assert third.on == day - timedelta(days=3)


def test_a_retreat_may_raise_the_cap(create_user):
    trainee = create_user("trainee")
    enrollment = make_enrollment(trainee, max_day_hours="16")
    day = yesterday()
    add_didactic(enrollment, "12", on=day)
    entry = services.log_experiential(
        enrollment, services.ExperientialInput("role_play", day, "4", "Dr F")
    )
    assert entry.hours == Decimal("4.00")
    with pytest.raises(Refused) as caught:
        services.log_didactic(enrollment, services.DidacticInput(day, "safety", "0.25", "Course"))
    assert caught.value.field == "hours"
    assert "At most 16 hours" in caught.value.message
    assert "16 hours are already logged" in caught.value.message


def test_the_cap_is_per_enrollment(create_user):
    trainee = create_user("trainee")
    first = make_enrollment(trainee)
    second = make_enrollment(trainee)
    day = yesterday()
    add_didactic(first, "12", on=day)
    assert services.hours_logged_on(second.id, day) == 0
    assert services.hours_logged_on(first.id, day) == 12
