"""Who may sign: the assigned supervisor or backup with valid credentials, never for their own
entries; staff verify hours but sign a session only when assigned to it."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tests.signoffs.factories import give_credentials
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import count
from tests.training.factories import make_enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession


def _sign(client, *keys, password=PASSWORD):
    return post_form(client, "/signoffs/sign", sign_form(*keys, password=password))


def test_assigned_supervisor_signs_a_session(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    response = _sign(as_user(supervisor), f"session:{session.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "signed"
    assert count(Signature) == 1


def test_backup_supervisor_may_sign(as_user, enrollment, supervisor, create_user):
    backup = create_user("supervisor", name="Bea Backup")
    give_credentials(backup)
    assign(enrollment, backup, kind="backup")
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(backup), f"session:{session.id}")
    signature = db.session.scalar(select(Signature))
    assert signature.signer_id == backup.id


def test_another_supervisors_trainee_is_not_found(
    as_user, enrollment, supervisor, other_supervisor
):
    session = waiting_session(enrollment, supervisor)
    client = as_user(other_supervisor)
    assert client.get(f"/signoffs/session/{session.id}").status_code == 404
    assert _sign(client, f"session:{session.id}").status_code == 404
    assert "Tara Trainee" not in client.get("/signoffs/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    assert count(Signature) == 0


def test_an_ended_assignment_no_longer_allows_signing(as_user, enrollment, create_user):
    former = create_user("supervisor", name="Former Supervisor")
    give_credentials(former)
    assign(enrollment, former, ended=True)
    session = waiting_session(enrollment, former)
    assert _sign(as_user(former), f"session:{session.id}").status_code == 404
    assert count(Signature) == 0


def test_a_supervisor_never_signs_their_own_entry(as_user, create_user, supervisor):
    # A supervisor who is also a trainee, assigned (by mistake) to their own enrollment.
    person = create_user("trainee", "supervisor", name="Dual Role")
    give_credentials(person)
    own = make_enrollment(person)
    assign(own, person)
    session = waiting_session(own, person)
    client = as_user(person)
    response = _sign(client, f"session:{session.id}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot sign off or verify your own entry." in page
    assert count(Signature) == 0


def test_a_lapsed_supervisor_licence_refuses_with_a_message(
    as_user, enrollment, create_user, staff
):
    lapsed = create_user("supervisor", name="Dr. Lapsed")
    give_credentials(lapsed, licence_days=-1)
    assign(enrollment, lapsed)
    session = waiting_session(enrollment, lapsed)
    client = as_user(lapsed)
    page = client.get(f"/signoffs/session/{session.id}").get_data(as_text=True)
    assert "You cannot sign this entry" in page
    response = _sign(client, f"session:{session.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was signed" in page
    assert "a verified, current licence of an accepted type" in page
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    assert count(Signature) == 0
    # ...and staff see an item for it.
    listing = as_user(staff).get("/signoffs/supervisors").get_data(as_text=True)
    assert "Supervisors who cannot sign now (1)" in listing
    assert "Dr. Lapsed" in listing


def test_lapsed_insurance_or_unverified_credentials_refuse(as_user, enrollment, create_user):
    uninsured = create_user("supervisor", name="Dr. Uninsured")
    give_credentials(uninsured, insurance_days=-3)
    unverified = create_user("supervisor", name="Dr. Unverified")
    give_credentials(unverified, verified=False)
    session = waiting_session(enrollment)
    # One current backup at a time (the database allows no more): each in turn.
    for person in (uninsured, unverified):
        assignment = assign(enrollment, person, kind="backup")
        _sign(as_user(person), f"session:{session.id}")
        assignment.ended_at = utcnow()
        db.session.commit()
    assert count(Signature) == 0


def test_wrong_password_signs_nothing(as_user, enrollment, supervisor, caplog):
    session = waiting_session(enrollment, supervisor)
    client = as_user(supervisor)
    response = _sign(client, f"session:{session.id}", password="not my password at all")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "That password is not correct" in page
    assert "wrong password" in caplog.text
    assert "not my password at all" not in caplog.text
    response = _sign(client, f"session:{session.id}", password="")
    assert count(Signature) == 0
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"


def test_staff_verify_didactic_hours_without_an_assignment(as_user, enrollment, staff):
    entry = waiting_didactic(enrollment)
    client = as_user(staff)
    assert "Tara Trainee" in client.get("/signoffs/verification").get_data(as_text=True)
    _sign(client, f"didactic:{entry.id}")
    db.session.expire_all()
    signature = db.session.scalar(select(Signature))
    assert signature.meaning == "I have reviewed this entry and confirm it is accurate."
    db.session.refresh(entry)
    assert entry.status == "verified"
    assert entry.verified_by_id == staff.id


def test_staff_cannot_sign_a_session_unless_assigned(as_user, enrollment, supervisor, staff):
    session = waiting_session(enrollment, supervisor)
    client = as_user(staff)
    response = _sign(client, f"session:{session.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only the trainee&#39;s assigned supervisor or backup" in page
    assert count(Signature) == 0


def test_staff_who_is_the_assigned_supervisor_may_sign(as_user, enrollment, create_user):
    person = create_user("staff", "supervisor", name="Dr. Staff Supervisor")
    give_credentials(person)
    assign(enrollment, person)
    session = waiting_session(enrollment, person)
    _sign(as_user(person), f"session:{session.id}")
    assert count(Signature) == 1


def test_staff_never_verify_their_own_hours(as_user, create_user):
    person = create_user("staff", "trainee", name="Staff Trainee")
    own = make_enrollment(person)
    entry = waiting_didactic(own)
    _sign(as_user(person), f"didactic:{entry.id}")
    assert count(Signature) == 0
