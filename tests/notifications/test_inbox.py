"""The inbox: each notice links to what it is about, the navigation counts the unread ones,
a person marks one or all read (POST with CSRF), sees only their own, and chooses per kind
how notices reach them, on the account page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import post_form
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.models import Job
from tracker.notifications import services
from tracker.notifications.models import Notice
from tracker.notifications.models import NoticePreference


def _checked(page: str, name: str) -> str:
    """The value of the checked radio button `name` on the page."""
    return re.search(rf'<input checked [^>]*name="{name}" type="radio" value="(\w+)"', page)[1]


def _notice(person, message="Session of 2026-11-01 was signed by Dr. Sue Signer", **values):
    notice = services.notify(person, "entry.signed", message, "/dashboard/trainee", **values)
    db.session.commit()
    return notice


def test_the_inbox_lists_notices_with_links_and_the_navigation_counts_unread(
    as_user, trainee, create_user
):
    _notice(trainee, "First news")
    _notice(trainee, "Second news")
    _notice(create_user("trainee", name="Someone Else"), "Not for Tara")
    client = as_user(trainee)
    home = client.get("/dashboard/trainee").get_data(as_text=True)
    assert ">Inbox <span" in home and '>2<span class="visually-hidden"> unread' in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index("Second news") < page.index("First news")  # newest first
    assert '<a href="/dashboard/trainee">First news</a>' in page
    assert "Not for Tara" not in page


def test_mark_one_read_then_all(as_user, trainee, notices_of):
    first = _notice(trainee, "First news")
    _notice(trainee, "Second news")
    client = as_user(trainee)
    response = post_form(client, f"/notifications/{first.id}/read")
    assert response.status_code == 302
    read = [n.read_at is not None for n in notices_of(trainee)]
    assert read == [True, False]
    assert '>1<span class="visually-hidden"> unread' in client.get("/notifications/").get_data(
        as_text=True
    )
    assert post_form(client, "/notifications/read").status_code == 302
    assert all(n.read_at is not None for n in notices_of(trainee))
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'visually-hidden"> unread' not in page and "Mark all read" not in page


def test_marking_needs_the_csrf_token_and_ones_own_notice(
    as_user, trainee, create_user, notices_of
):
    mine = _notice(trainee)
    other = create_user("trainee", name="Someone Else")
    theirs = _notice(other)
    client = as_user(trainee)
    assert client.post(f"/notifications/{mine.id}/read").status_code == 400
    assert client.post("/notifications/read").status_code == 400
    assert post_form(client, f"/notifications/{theirs.id}/read").status_code == 404
    assert notices_of(trainee)[0].read_at is None
    assert notices_of(other)[0].read_at is None


def test_the_worker_removes_notices_older_than_90_days(trainee, notices_of):
    old = _notice(trainee, "Old news")
    _notice(trainee, "Recent news")
    old.created_at = utcnow() - timedelta(days=91)
    db.session.commit()
    assert services.remove_old_notices() == 1
    assert [n.message for n in notices_of(trainee)] == ["Recent news"]


def test_once_key_makes_a_notice_once(trainee, notices_of):
    assert _notice(trainee, "Due soon", once_key="instalment.due:1:2026-12-01") is not None
    assert _notice(trainee, "Due soon", once_key="instalment.due:1:2026-12-01") is None
    assert len(notices_of(trainee)) == 1


def test_preferences_are_chosen_on_the_account_page(as_user, trainee):
    client = as_user(trainee)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "A supervised session returned to you with a question" in page
    assert "A trainee answered your question" not in page  # a supervisor's kind
    assert _checked(page, "entry_returned") == "email"  # the default
    response = post_form(
        client, "/notifications/preferences", {"entry_returned": "inbox", "entry_signed": "email"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    chosen = dict(
        db.session.execute(
            select(NoticePreference.kind, NoticePreference.delivery).where(
                NoticePreference.person_id == trainee.id
            )
        ).all()
    )
    assert chosen == {"entry.returned": "inbox", "entry.signed": "email"}
    page = client.get("/account/sessions").get_data(as_text=True)
    assert _checked(page, "entry_returned") == "inbox"
    # The choice holds: an e-mailed kind is queued, an inbox-only one is not.
    services.notify(trainee, "entry.returned", "Returned", "/dashboard/trainee")
    services.notify(trainee, "entry.signed", "Signed", "/dashboard/trainee")
    db.session.commit()
    jobs = db.session.scalars(select(Job)).all()
    assert [job.payload["subject"] for job in jobs] == ["Signed"]


def test_a_bad_choice_is_refused_and_nothing_is_kept(as_user, trainee):
    client = as_user(trainee)
    response = post_form(
        client, "/notifications/preferences", {"entry_returned": "pigeon", "entry_signed": "email"}
    )
    assert response.status_code == 400
    assert "Choose e-mail at once, the daily digest or the inbox only." in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(NoticePreference)).all() == []
    without_token = client.post("/notifications/preferences", data={"entry_signed": "inbox"})
    assert without_token.status_code == 400
    assert db.session.scalars(select(NoticePreference)).all() == []


def test_the_daily_digest_gathers_the_unread_digest_notices_once(
    trainee, notices_of, mail_outbox, run_jobs
):
    first = _notice(trainee, "Signed one")
    _notice(trainee, "Signed two")
    first.read_at = utcnow()  # read in the inbox already: not mailed again
    db.session.commit()
    day = utcnow().date()
    assert services.send_digests(day) == 1
    assert services.send_digests(day) == 0  # already digested
    run_jobs()
    assert [m.subject for m in mail_outbox] == ["Your notices: 1"]
    assert "Signed two" in mail_outbox[0].body and "Signed one" not in mail_outbox[0].body
    assert all(n.digested_at is not None for n in notices_of(trainee))


def test_the_inbox_reads_a_fixed_number_of_queries(as_user, trainee, count_queries):
    client = as_user(trainee)
    _notice(trainee)
    client.get("/notifications/")
    with count_queries() as few:
        client.get("/notifications/")
    for n in range(20):
        _notice(trainee, f"News {n}")
    with count_queries() as many:
        page = client.get("/notifications/").get_data(as_text=True)
    assert "News 19" in page
    assert many.count == few.count


def test_csrf_token_is_on_the_inbox_forms(as_user, trainee):
    _notice(trainee)
    client = as_user(trainee)
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'name="csrf_token"' in page and csrf_token(client)
    assert db.session.scalar(select(Notice.id)) is not None


def test_a_persons_export_holds_their_notices_and_preferences(trainee):
    from tracker.privacy.export import collect

    _notice(trainee, "Exported news")
    services.set_preferences(trainee, {"entry.signed": "inbox"})
    db.session.commit()
    records = collect(trainee)
    assert [row["message"] for row in records["notices"]] == ["Exported news"]
    assert [row["kind"] for row in records["notice_preferences"]] == ["entry.signed"]
