"""The shared test app starts every test as it was built: the first test leaves changes behind
that the second must not see (they run in this order, in one worker)."""

from __future__ import annotations

from pathlib import Path

from tracker.accounts.models import User
from tracker.extensions import limiter
from tracker.factories import count

LEFT_BEHIND = "left.behind@example.org"


def test_a_test_changes_the_app_and_the_database(app, create_user, mail_outbox, make_app):
    app.config["PUBLIC_BASE_URL"] = "https://changed.example.org"
    mail_outbox.append("a message")
    create_user("trainee", email=LEFT_BEHIND)
    make_app(RATELIMIT_ENABLED=True)  # the rate limiter is one object for every app
    assert limiter.enabled
    assert count(User) == 1


def test_the_next_test_sees_none_of_it(app, mail_outbox, tmp_path):
    assert app.config["PUBLIC_BASE_URL"] == "http://localhost"
    assert mail_outbox == []
    assert count(User) == 0
    assert not limiter.enabled
    assert Path(app.config["UPLOAD_FOLDER"]).parent == tmp_path
    assert Path(app.instance_path).parent == tmp_path
