"""Bulk sign-off: selected entries of several types with one password; all or nothing, with a
message for each entry that cannot be signed."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import count
from tests.training.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import VERIFICATION_MEANING
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession


def test_one_password_signs_every_selected_entry(as_user, enrollment, supervisor):
    sessions = [waiting_session(enrollment, supervisor, days_ago=n) for n in (3, 4)]
    activity = waiting_experiential(enrollment)
    hours = waiting_didactic(enrollment)
    untouched = waiting_session(enrollment, supervisor)
    keys = [f"session:{s.id}" for s in sessions] + [
        f"experiential:{activity.id}",
        f"didactic:{hours.id}",
    ]
    client = as_user(supervisor)
    response = post_form(client, "/signoffs/sign", sign_form(*keys))
    assert "Signed 4 entries." in client.get(response.headers["Location"]).get_data(as_text=True)
    meanings = {s.entry_type: s.meaning for s in db.session.scalars(select(Signature))}
    assert meanings == {
        "session": SESSION_MEANING,
        "experiential": VERIFICATION_MEANING,
        "didactic": VERIFICATION_MEANING,
    }
    assert count(Signature) == 4
    db.session.expire_all()
    assert db.session.get(SupervisedSession, untouched.id).status == "submitted"


def test_one_unsignable_entry_refuses_the_whole_batch(as_user, enrollment, supervisor):
    good = waiting_session(enrollment, supervisor)
    draft = waiting_session(enrollment, supervisor)
    draft.status = "draft"
    db.session.commit()
    client = as_user(supervisor)
    response = post_form(
        client,
        "/signoffs/sign",
        sign_form(f"session:{good.id}", f"session:{draft.id}"),
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was signed: 1 of the selected entries cannot be signed now." in page
    assert "It is not waiting for sign-off (it is draft)." in page
    assert count(Signature) == 0
    db.session.expire_all()
    assert db.session.get(SupervisedSession, good.id).status == "submitted"


def test_selecting_nothing_or_a_malformed_key(as_user, enrollment, supervisor):
    client = as_user(supervisor)
    response = post_form(client, "/signoffs/sign", {"password": PASSWORD})
    assert "Select at least one entry" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    bad = post_form(client, "/signoffs/sign", {"selected": "certificate:1", "password": PASSWORD})
    assert bad.status_code == 404


def test_the_same_entry_twice_in_a_batch_is_signed_once(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    key = f"session:{session.id}"
    post_form(as_user(supervisor), "/signoffs/sign", sign_form(key, key))
    assert count(Signature) == 1


def test_the_statements_of_a_bulk_signature_do_not_grow_with_the_entries(
    as_user, enrollment, supervisor, create_user, count_queries
):
    client = as_user(supervisor)

    def waiting(trainees: int) -> list[str]:
        """Three entries of three types for each of `trainees` new trainees of the supervisor."""
        keys = []
        for _ in range(trainees):
            extra = make_enrollment(create_user("trainee"))
            assign(extra, supervisor)
            keys += [
                f"session:{waiting_session(extra, supervisor).id}",
                f"experiential:{waiting_experiential(extra).id}",
                f"didactic:{waiting_didactic(extra).id}",
            ]
        return keys

    def signed(keys: list[str]):
        data = {**sign_form(*keys), "csrf_token": csrf_token(client)}
        with count_queries() as counter:
            response = client.post("/signoffs/sign", data=data)
        assert response.status_code == 302
        return counter

    few = signed(waiting(1))
    many = signed(waiting(6))
    assert count(Signature) == 3 + 18
    signed_events = select(func.count()).where(AuditEvent.action == "signature.signed")
    assert db.session.scalar(signed_events) == 3 + 18
    assert many.count == few.count, many.statements
