"""Access: the role-by-route matrix, other people's ids give 404 and change nothing, CSRF on
the sign POST, and fields nobody may set through a form are ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tests.training.factories import REFLECTION
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession


@pytest.mark.parametrize(
    ("url", "trainee_status", "other_supervisor_status", "staff_status"),
    [
        ("/signoffs/", 403, 200, 403),
        ("/signoffs/verification", 403, 403, 200),
        ("/signoffs/supervisors", 403, 403, 200),
        ("/signoffs/session/{session}", 403, 404, 200),
        ("/signoffs/didactic/{didactic}", 403, 404, 200),
        ("/signoffs/mine/didactic/{didactic}", 200, 403, 403),
    ],
)
def test_get_matrix(
    as_user,
    trainee,
    enrollment,
    supervisor,
    other_supervisor,
    staff,
    url,
    trainee_status,
    other_supervisor_status,
    staff_status,
):
    session = waiting_session(enrollment, supervisor)
    didactic = waiting_didactic(enrollment)
    target = url.format(session=session.id, didactic=didactic.id)
    assert as_user(trainee).get(target).status_code == trainee_status
    assert as_user(other_supervisor).get(target).status_code == other_supervisor_status
    assert as_user(staff).get(target).status_code == staff_status


def test_anonymous_is_sent_to_sign_in(client, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    response = client.get(f"/signoffs/session/{session.id}")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_other_supervisor_posts_change_nothing(as_user, enrollment, supervisor, other_supervisor):
    session = waiting_session(enrollment, supervisor)
    client = as_user(other_supervisor)
    assert (
        post_form(client, f"/signoffs/session/{session.id}/return", {"body": "?"}).status_code
        == 404
    )
    assert (
        post_form(
            client, "/signoffs/sign", {"selected": f"session:{session.id}", "password": PASSWORD}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"


def test_trainee_cannot_sign_or_see_another_trainees_entry(
    as_user, trainee, enrollment, supervisor, create_user
):
    session = waiting_session(enrollment, supervisor)
    client = as_user(trainee)
    assert (
        post_form(
            client, "/signoffs/sign", {"selected": f"session:{session.id}", "password": PASSWORD}
        ).status_code
        == 403
    )
    stranger = as_user(create_user("trainee"))
    assert stranger.get(f"/signoffs/mine/session/{session.id}").status_code == 404
    assert count(Signature) == 0


def test_sign_post_without_csrf_token_is_refused(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    client = as_user(supervisor)
    response = client.post(
        "/signoffs/sign", data={"selected": f"session:{session.id}", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert count(Signature) == 0
    assert client.get("/signoffs/sign").status_code == 405


def test_trainee_cannot_set_status_or_signature_fields(as_user, trainee, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    session.status = "returned"
    db.session.commit()
    data = {
        "on": iso(yesterday()),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "co_therapist",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "120",
        "reflection": REFLECTION,
        "status": "signed",
        "signed_at": "2026-01-01T00:00:00+00:00",
        "supervisor_id": str(trainee.id),
    }
    post_form(as_user(trainee), f"/supervision/sessions/{session.id}/edit", data)
    db.session.expire_all()
    session = db.session.get(SupervisedSession, session.id)
    assert session.status == "returned" and session.signed_at is None
    assert session.supervisor_id == supervisor.id
    assert count(Signature) == 0


def test_signer_cannot_choose_name_time_or_meaning(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    post_form(
        as_user(supervisor),
        "/signoffs/sign",
        sign_form(
            f"session:{session.id}",
            printed_name="Somebody Else",
            meaning="I did nothing",
            signed_at="2020-01-01T00:00:00+00:00",
            signer_id="1",
            content_hash="0" * 64,
        ),
    )
    signature = db.session.scalar(select(Signature))
    assert signature.printed_name == "Dr. Sue Signer"
    assert signature.meaning.startswith("I directly supervised")
    assert signature.signed_at.year >= 2025 and signature.signer_id == supervisor.id
    assert signature.content_hash != "0" * 64


def test_back_field_cannot_redirect_elsewhere(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    response = post_form(
        as_user(supervisor),
        "/signoffs/sign",
        sign_form(f"session:{session.id}", back="https://evil.example/"),
    )
    assert response.headers["Location"].endswith("/signoffs/")


def test_an_unknown_entry_type_is_not_found(as_user, staff, trainee):
    assert as_user(staff).get("/signoffs/certificate/1").status_code == 404
    assert as_user(trainee).get("/signoffs/mine/certificate/1").status_code == 404
