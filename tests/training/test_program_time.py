"""'Today' is the program's date: a date already reached in the program's time zone is allowed,
one not yet reached there is in the future, whatever the server's clock says."""

from __future__ import annotations

from tests.conftest import post_form
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tracker.core.clock import today_in
from tracker.training.models import DidacticEntry

AHEAD = "Pacific/Kiritimati"  # UTC+14
BEHIND = "Pacific/Pago_Pago"  # UTC-11: always at least one calendar day behind AHEAD


def entry(day):
    return {"on": iso(day), "topic_code": "ethics", "hours": "1", "provider": "Course"}


def test_program_ahead_of_utc_accepts_its_today(client, auth, trainee):
    make_enrollment(trainee, timezone=AHEAD)
    auth.login(trainee)
    response = post_form(client, "/training/didactic/new", entry(today_in(AHEAD)))
    assert response.status_code == 302
    assert count(DidacticEntry) == 1


def test_program_behind_refuses_a_date_it_has_not_reached(client, auth, trainee):
    make_enrollment(trainee, timezone=BEHIND)
    auth.login(trainee)
    response = post_form(client, "/training/didactic/new", entry(today_in(AHEAD)))
    page = response.get_data(as_text=True)
    assert f"today is {today_in(BEHIND).isoformat()} in the program" in page
    assert count(DidacticEntry) == 0
