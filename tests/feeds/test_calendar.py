"""The private calendar feed: made, shown once, regenerated and revoked from the account page;
the feed lists the person's due dates with stable UIDs, parses with a second library, never
writes, and answers 404 to any token but a live one."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import ics
import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlalchemy import select

from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.certificates import services as certificates
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.factories.eligibility import add_insurance
from tracker.factories.eligibility import add_licence
from tracker.factories.enrollments import assign
from tracker.factories.enrollments import make_enrollment
from tracker.factories.finance import plan_as_agreed
from tracker.factories.finance import tuition_charged_on
from tracker.factories.signoffs import waiting_session
from tracker.feeds.models import CalendarFeed
from tracker.jobs.models import Job

TIMEZONE = "America/Los_Angeles"
FEED = re.compile(r"http://localhost(/calendar/[A-Za-z0-9_-]{43}\.ics)")


@pytest.fixture
def trainee(create_user):
    """A trainee with an enrollment, a licence, an insurance and a payment plan."""
    person = create_user("trainee", name="Robin Vale", email="robin@example.org")
    staff = create_user("staff", name="Sam Staff", email="sam@example.org")
    enrollment = make_enrollment(person, timezone=TIMEZONE, cohort_name="Spring cohort")
    person.licence = add_licence(person, verified=True, days=(-2000, 400))
    add_insurance(person, verified=True, days=(-100, 200))
    today = today_in(TIMEZONE)
    tuition_charged_on(enrollment, today - timedelta(days=10), staff)
    plan_as_agreed(enrollment, staff, [(today + timedelta(days=30), 50_000)])
    db.session.commit()
    person.licence_expires_on = person.licence.expires_on
    return person


def _make(client) -> str:
    response = post_form(client, "/account/calendar")
    assert response.status_code == 200
    found = FEED.search(response.get_data(as_text=True))
    assert found, "the page shows the feed's address"
    return found.group(1)


def _events(body: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(body)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "on": event.decoded("DTSTART"),
        }
        for event in cal.walk("VEVENT")
    }


def test_feed_address_is_shown_once_and_lists_the_due_dates(client, trainee):
    login(client, trainee)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert "You have no calendar feed." in page
    path = _make(client)
    again = client.get("/account/calendar").get_data(as_text=True)
    assert "You have a feed" in again
    assert not FEED.search(again), "the address is shown only when made"
    stored = db.session.scalar(select(CalendarFeed.token_hash))
    assert path.split("/")[-1].removesuffix(".ics") not in stored

    client.post("/account/logout", data={"csrf_token": csrf_token(client)})
    response = client.get(path)  # a calendar client: no session
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = _events(response.data)
    today = today_in(TIMEZONE)
    summaries = sorted(event["summary"] for event in events.values())
    assert "Licence expires (LCSW, CA)" in summaries
    assert "Liability insurance ends" in summaries
    assert "Instalment due: $500.00" in summaries
    assert "Cohort begins: Spring cohort" in summaries
    assert "Cohort ends: Spring cohort" in summaries
    by_summary = {event["summary"]: event["on"] for event in events.values()}
    assert by_summary["Licence expires (LCSW, CA)"] == trainee.licence_expires_on
    assert by_summary["Instalment due: $500.00"] == today + timedelta(days=30)
    assert all(uid.endswith("@localhost") for uid in events)
    # The same UIDs at the next fetch: a calendar updates its events, never doubles them.
    assert set(_events(client.get(path).data)) == set(events)


def test_feed_parses_with_a_second_library_and_round_trips(client, trainee):
    login(client, trainee)
    body = client.get(_make(client)).data
    parsed = ics.Calendar(body.decode())
    names = {event.name for event in parsed.events}
    assert {"Liability insurance ends", "Instalment due: $500.00"} <= names
    assert all(event.all_day for event in parsed.events)
    assert {event.uid for event in parsed.events} == set(_events(body))
    # Written again by each library, read again by the other: the same events.
    assert set(_events(parsed.serialize().encode())) == set(_events(body))
    again = Calendar.from_ical(body)
    assert Calendar.from_ical(again.to_ical()) == again
    # Lines are folded at 75 octets and end in CRLF, as RFC 5545 requires.
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert body.endswith(b"\r\n")


def test_fetching_the_feed_writes_nothing(client, trainee):
    login(client, trainee)
    path = _make(client)
    db.session.rollback()
    counts = (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(Job)),
        db.session.execute(select(CalendarFeed.token_hash, CalendarFeed.created_at)).all(),
    )
    for _ in range(2):
        assert client.get(path).status_code == 200
    db.session.rollback()
    assert counts == (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(Job)),
        db.session.execute(select(CalendarFeed.token_hash, CalendarFeed.created_at)).all(),
    )


def test_a_new_address_retires_the_old_one(client, trainee):
    login(client, trainee)
    old = _make(client)
    new = _make(client)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("calendar_feed.%"))
    ).all()
    assert actions == ["calendar_feed.created", "calendar_feed.regenerated"]


def test_a_revoked_feed_is_404(client, trainee):
    login(client, trainee)
    path = _make(client)
    response = post_form(client, "/account/calendar/revoke", follow_redirects=True)
    assert "Calendar feed revoked" in response.get_data(as_text=True)
    assert client.get(path).status_code == 404
    again = post_form(client, "/account/calendar/revoke", follow_redirects=True)
    assert "You have no calendar feed to revoke." in again.get_data(as_text=True)


def test_the_buttons_need_the_csrf_token(client, trainee):
    login(client, trainee)
    assert client.post("/account/calendar").status_code == 400
    assert client.post("/account/calendar/revoke").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


def test_each_feed_holds_only_its_owners_dates(app, create_user, trainee):
    other = create_user("trainee", name="Kim Other", email="kim@example.org")
    make_enrollment(other, timezone=TIMEZONE, cohort_name="Autumn cohort")
    db.session.commit()
    mine, theirs = app.test_client(), app.test_client()
    login(mine, trainee)
    login(theirs, other)
    my_path, their_path = _make(mine), _make(theirs)
    mine_events = {e["summary"] for e in _events(mine.get(my_path).data).values()}
    their_events = {e["summary"] for e in _events(theirs.get(their_path).data).values()}
    assert "Cohort begins: Spring cohort" in mine_events
    assert "Cohort begins: Spring cohort" not in their_events
    assert "Cohort begins: Autumn cohort" in their_events
    assert "Instalment due: $500.00" not in their_events


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "not-a-token", "x" * 500, "%00" * 10],
    ids=["unknown", "short", "long", "control"],
)
def test_an_unknown_token_is_404(client, trainee, token):
    login(client, trainee)
    _make(client)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_persons_feed_is_404(client, trainee):
    login(client, trainee)
    path = _make(client)
    trainee.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_a_supervisors_feed_lists_what_waits_on_them(app, create_user):
    supervisor = create_user("supervisor", name="Alex Super", email="alex@example.org")
    trainee = create_user("trainee", name="Jo Waiting", email="jo@example.org")
    enrollment = make_enrollment(trainee, timezone=TIMEZONE)
    assign(enrollment, supervisor)
    session = waiting_session(enrollment, supervisor, days_ago=3)
    db.session.commit()
    client = app.test_client()
    login(client, supervisor)
    events = _events(client.get(_make(client)).data)
    waiting = [e for e in events.values() if e["summary"] == "Sign-off due: Jo Waiting"]
    assert len(waiting) == 1
    since = session.submitted_at.astimezone(ZoneInfo(TIMEZONE)).date()
    assert waiting[0]["on"] == since + timedelta(days=7)  # the default signoff_wait_days


def test_a_certificate_holders_feed_has_the_cycle_end(app, create_user):
    staff = create_user("staff", name="Sam Staff", email="sam@example.org")
    holder = create_user("trainee", name="Cy Holder", email="cy@example.org")
    enrollment = ready_enrollment(holder)
    certificates.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.commit()
    client = app.test_client()
    login(client, holder)
    events = _events(client.get(_make(client)).data)
    ends = [e for e in events.values() if e["summary"].startswith("Renewal cycle ends")]
    assert len(ends) == 1
    assert ends[0]["on"] > today_in("America/Los_Angeles")


def test_the_feed_costs_the_same_queries_for_more_trainees(app, create_user, count_queries):
    supervisor = create_user("supervisor", name="Alex Super", email="alex@example.org")
    client = app.test_client()
    login(client, supervisor)
    path = _make(client)

    def fill(n):
        for _ in range(n):
            trainee = create_user("trainee")
            enrollment = make_enrollment(trainee, timezone=TIMEZONE)
            assign(enrollment, supervisor)
            waiting_session(enrollment, supervisor, days_ago=2)
        db.session.commit()

    fill(1)
    with count_queries() as few:
        assert len(_events(client.get(path).data)) == 1
    fill(4)
    with count_queries() as many:
        assert len(_events(client.get(path).data)) == 5
    assert many.count == few.count, many.statements
