"""An entry identical to one already logged asks for confirmation; the same form sent twice
(its one-time submission token) stores once and lands on the stored entry."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import is_postgres
from tests.conftest import login
from tests.conftest import post_form
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.training import services
from tracker.training.jobs import KEEP_TOKENS
from tracker.training.jobs import forget_old_tokens
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry
from tracker.training.models import SubmissionToken

ROUNDS = 8
TOKEN = re.compile(
    r'name="submission_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission_token"'
)


def didactic(**changes):
    data = {"on": iso(yesterday()), "topic_code": "safety", "hours": "2", "provider": "Course"}
    return {**data, **changes}


def experiential(**changes):
    data = {"on": iso(yesterday()), "kind": "role_play", "hours": "2", "facilitator": "Dr F"}
    return {**data, **changes}


def _token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "the form carries no submission token"
    return match.group(1) or match.group(2)


# -- the service ------------------------------------------------------------------------------


def test_an_identical_didactic_entry_is_refused_until_confirmed(enrollment):
    add_didactic(enrollment, "2", on=yesterday(), topic_code="safety", provider="Course")
    data = services.DidacticInput(yesterday(), "safety", "2", "Another course")
    with pytest.raises(services.LikelyDuplicate) as caught:
        services.log_didactic(enrollment, data)
    assert caught.value.field == "confirm_duplicate"
    assert "same date" in caught.value.message
    assert count(DidacticEntry) == 1
    confirmed = services.DidacticInput(
        yesterday(), "safety", "2", "Another course", confirm_duplicate=True
    )
    services.log_didactic(enrollment, confirmed)
    assert count(DidacticEntry) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"hours": "2.5"},
        {"topic_code": "ethics", "provider": "Other course"},
    ],
)
def test_a_different_entry_is_not_a_duplicate(enrollment, changes):
    add_didactic(enrollment, "2", on=yesterday(), topic_code="safety", provider="Course")
    values = {"topic_code": "safety", "hours": "2", "provider": "Course", **changes}
    services.log_didactic(enrollment, services.DidacticInput(yesterday(), **values))
    assert count(DidacticEntry) == 2


def test_the_same_provider_in_another_case_is_a_duplicate(enrollment):
    add_didactic(enrollment, "2", on=yesterday(), topic_code="safety", provider="Course")
    with pytest.raises(services.LikelyDuplicate):
        services.log_didactic(
            enrollment, services.DidacticInput(yesterday(), "ethics", "2", "COURSE")
        )


def test_an_identical_experiential_entry_is_refused_until_confirmed(enrollment):
    add_experiential(enrollment, "2", on=yesterday(), kind="role_play", facilitator="Dr F")
    with pytest.raises(services.LikelyDuplicate):
        services.log_experiential(
            enrollment, services.ExperientialInput("role_play", yesterday(), "2", "Dr G")
        )
    services.log_experiential(
        enrollment,
        services.ExperientialInput("role_play", yesterday(), "2", "Dr G", confirm_duplicate=True),
    )
    assert count(ExperientialEntry) == 2


def test_a_token_stores_once(enrollment):
    data = services.DidacticInput(yesterday(), "safety", "2", "Course", submission_token="t-1")
    entry = services.log_didactic(enrollment, data)
    with pytest.raises(services.AlreadySaved) as caught:
        services.log_didactic(enrollment, data)
    assert (caught.value.kind, caught.value.record_id) == ("didactic", entry.id)
    assert count(DidacticEntry) == 1
    kept = db.session.get(SubmissionToken, "t-1")
    assert (kept.user_id, kept.kind, kept.record_id) == (
        enrollment.trainee_id,
        "didactic",
        entry.id,
    )


def test_a_resend_is_recognised_before_the_daily_cap(enrollment):
    data = services.DidacticInput(yesterday(), "safety", "12", "Course", submission_token="t-2")
    services.log_didactic(enrollment, data)
    with pytest.raises(services.AlreadySaved):
        services.log_didactic(enrollment, data)


def test_a_refused_form_keeps_its_token_for_the_next_try(enrollment):
    bad = services.DidacticInput(yesterday(), "safety", "0", "Course", submission_token="t-3")
    with pytest.raises(services.Refused):
        services.log_didactic(enrollment, bad)
    assert db.session.get(SubmissionToken, "t-3") is None
    good = services.DidacticInput(yesterday(), "safety", "1", "Course", submission_token="t-3")
    services.log_didactic(enrollment, good)
    assert count(DidacticEntry) == 1


def test_a_token_of_another_kind_is_not_a_resend(enrollment):
    services.log_didactic(
        enrollment, services.DidacticInput(yesterday(), "safety", "2", "Course", "", "t-4")
    )
    with pytest.raises(services.AlreadySaved):
        services.log_experiential(
            enrollment,
            services.ExperientialInput(
                "role_play", yesterday(), "1", "Dr F", submission_token="t-4"
            ),
        )
    # The token is the form's: another kind of form never carries the same one, and a stale
    # token is refused as a resend rather than stored twice.
    assert count(ExperientialEntry) == 0


# -- the pages --------------------------------------------------------------------------------


def test_the_new_entry_form_carries_a_fresh_token(signed_in):
    first = _token(signed_in.get("/training/didactic/new").get_data(as_text=True))
    second = _token(signed_in.get("/training/didactic/new").get_data(as_text=True))
    assert first != second and len(first) >= 24


def test_a_form_sent_twice_stores_once_and_lands_on_the_entry(signed_in):
    token = _token(signed_in.get("/training/didactic/new").get_data(as_text=True))
    data = didactic(submission_token=token)
    assert post_form(signed_in, "/training/didactic/new", data).status_code == 302
    response = post_form(signed_in, "/training/didactic/new", data)
    entry = db.session.scalars(select(DidacticEntry)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/signoffs/mine/didactic/{entry.id}")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "This form was already saved" in page
    assert count(DidacticEntry) == 1


def test_an_identical_entry_asks_for_confirmation_on_the_form(signed_in, enrollment):
    add_didactic(enrollment, "2", on=yesterday(), topic_code="safety", provider="Course")
    page = signed_in.get("/training/didactic/new").get_data(as_text=True)
    assert 'name="confirm_duplicate"' not in page
    response = post_form(signed_in, "/training/didactic/new", didactic())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is already logged" in page
    assert 'name="confirm_duplicate"' in page
    assert count(DidacticEntry) == 1
    data = didactic(confirm_duplicate="y")
    assert post_form(signed_in, "/training/didactic/new", data).status_code == 302
    assert count(DidacticEntry) == 2


def test_an_identical_experiential_entry_asks_for_confirmation(signed_in, enrollment):
    add_experiential(enrollment, "2", on=yesterday(), kind="role_play", facilitator="Dr F")
    response = post_form(signed_in, "/training/experiential/new", experiential())
    assert 'name="confirm_duplicate"' in response.get_data(as_text=True)
    assert count(ExperientialEntry) == 1
    data = experiential(confirm_duplicate="y")
    assert post_form(signed_in, "/training/experiential/new", data).status_code == 302
    assert count(ExperientialEntry) == 2


def test_editing_an_entry_is_not_asked_about_duplicates(signed_in, enrollment):
    add_didactic(enrollment, "2", on=yesterday(), topic_code="safety", provider="Course")
    second = add_didactic(enrollment, "1", on=yesterday(), topic_code="ethics", provider="X")
    url = f"/training/didactic/{second.id}/edit"
    assert post_form(signed_in, url, didactic()).status_code == 302


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writing requests with one database lock (BEGIN IMMEDIATE); the "
    "race between two web workers is tested on PostgreSQL",
)
def test_the_same_form_sent_twice_at_once_stores_once(app, trainee, enrollment):
    """Two workers receive the same form at the same moment: one stores the entry, the other
    lands on it; never two entries, never a server error."""
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, trainee)
    tokens = [csrf_token(client) for client in clients]
    problems = []
    for n in range(ROUNDS):
        data = didactic(on=iso(yesterday() - timedelta(days=n)), submission_token=f"race-{n}")
        db.session.commit()
        barrier = threading.Barrier(2, timeout=20)
        answers: list = [None, None]

        def send(i: int, data=data, barrier=barrier, answers=answers) -> None:
            barrier.wait()
            try:
                answers[i] = clients[i].post(
                    "/training/didactic/new", data={**data, "csrf_token": tokens[i]}
                )
            except Exception as error:  # reported below
                answers[i] = error

        threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = [getattr(answer, "status_code", answer) for answer in answers]
        if statuses != [302, 302]:
            problems.append(f"round {n}: {statuses}")
        stored = db.session.scalar(
            select(func.count(DidacticEntry.id)).where(
                DidacticEntry.on == yesterday() - timedelta(days=n)
            )
        )
        if stored != 1:
            problems.append(f"round {n}: {stored} entries")
    assert problems == []


def test_a_resend_after_the_entry_was_deleted_lands_on_the_list(signed_in):
    token = _token(signed_in.get("/training/didactic/new").get_data(as_text=True))
    data = didactic(submission_token=token)
    assert post_form(signed_in, "/training/didactic/new", data).status_code == 302
    entry = db.session.scalars(select(DidacticEntry)).one()
    assert post_form(signed_in, f"/training/didactic/{entry.id}/delete").status_code == 302
    response = post_form(signed_in, "/training/didactic/new", data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/training/")
    page = signed_in.get("/training/").get_data(as_text=True)
    assert "already saved once; nothing was added" in page
    assert count(DidacticEntry) == 0


def test_the_worker_forgets_tokens_a_week_old(enrollment):
    for token, topic in (("old", "safety"), ("new", "ethics")):
        data = services.DidacticInput(yesterday(), topic, "2", topic, submission_token=token)
        services.log_didactic(enrollment, data)
    db.session.flush()
    old = db.session.get(SubmissionToken, "old")
    old.created_at = utcnow() - KEEP_TOKENS - timedelta(minutes=1)
    db.session.commit()
    assert forget_old_tokens() == 1
    assert db.session.scalars(select(SubmissionToken.token)).all() == ["new"]
