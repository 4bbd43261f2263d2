"""Administrators find accounts, change roles and deactivate or reactivate them; nobody else
reaches these pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.accounts.conftest import reload
from tests.accounts.conftest import row_counts
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts import services
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db


@pytest.fixture
def admin(create_user, auth):
    """A signed-in administrator (also staff, as administrators usually are)."""
    user = create_user("staff", "admin", name="Ada Admin", email="ada@example.org")
    auth.login(user)
    return user


@pytest.fixture
def people(create_user):
    """A few accounts to look for."""
    return {
        "trainee": create_user("trainee", name="Tess Trainee", email="tess@clinic.example"),
        "supervisor": create_user("supervisor", name="Sol Supervisor", email="sol@example.org"),
        "staff": create_user("staff", name="Stan Office", email="stan@program.example"),
    }


def _names(response) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=tess", ["Tess Trainee"]),
        ("q=SOL", ["Sol Supervisor"]),
        ("q=program.example", ["Stan Office"]),
        ("q=example.org", ["Ada Admin", "Sol Supervisor"]),
        ("role=supervisor", ["Sol Supervisor"]),
        ("role=staff", ["Ada Admin", "Stan Office"]),
        ("role=admin", ["Ada Admin"]),
        ("q=o&role=trainee", []),
        ("q=t&role=trainee", ["Tess Trainee"]),
        ("q=%25", ["Ada Admin", "Sol Supervisor", "Stan Office", "Tess Trainee"]),
        ("q=nobody", []),
        ("role=emperor", ["Ada Admin", "Sol Supervisor", "Stan Office", "Tess Trainee"]),
    ],
)
def test_find_accounts_by_name_email_and_role(client, admin, people, query, expected):
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_the_list_shows_status_as_text(client, admin, create_user):
    create_user("trainee", name="Gone Person", active=False)
    create_user("trainee", name="Invited Person", password="")
    html = client.get("/admin/users").get_data(as_text=True)
    assert re.search(r"Gone Person.*?<td>Deactivated</td>", html, re.S)
    assert re.search(r"Invited Person.*?<td>Invited</td>", html, re.S)


def test_change_roles(client, admin, people):
    person = people["trainee"]
    before_events = row_counts()[1]
    response = post_form(client, f"/admin/users/{person.id}", {"roles": ["trainee", "supervisor"]})
    assert response.status_code == 302
    assert reload(person).roles == ["trainee", "supervisor"]
    assert row_counts()[1] == before_events + 1
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "account.roles_changed"
    assert '"roles":["trainee"]' in event.before
    assert '"roles":["trainee","supervisor"]' in event.after
    assert event.actor_id == admin.id


def test_an_admin_may_grant_admin_to_another(client, admin, people):
    person = people["staff"]
    post_form(client, f"/admin/users/{person.id}", {"roles": ["staff", "admin"]})
    assert reload(person).is_admin


def test_an_admin_cannot_remove_their_own_admin(client, admin):
    before = row_counts()
    response = post_form(client, f"/admin/users/{admin.id}", {"roles": ["staff"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="roles-error"' in html
    assert "You cannot remove your own admin capability." in html
    assert reload(admin).roles == ["staff", "admin"]
    assert row_counts() == before


def test_unknown_role_is_refused(client, admin, people):
    person = people["trainee"]
    before = row_counts()
    response = post_form(client, f"/admin/users/{person.id}", {"roles": ["trainee", "root"]})
    assert response.status_code == 200
    assert 'id="roles-error"' in response.get_data(as_text=True)
    assert reload(person).roles == ["trainee"]
    assert row_counts() == before


def test_deactivate_and_reactivate(app, client, admin, people):
    person = people["supervisor"]
    elsewhere = app.test_client()
    login(elsewhere, person)
    response = post_form(client, f"/admin/users/{person.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert not reload(person).active
    assert elsewhere.get("/account/sessions").status_code == 302
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Deactivated" in page
    assert "Reactivate this account" in page
    post_form(client, f"/admin/users/{person.id}/active", {"active": "1"})
    assert reload(person).active
    login(elsewhere, person)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_user_id == person.id)
    ).all()
    assert "account.deactivated" in actions
    assert "account.activated" in actions


def test_an_admin_cannot_deactivate_themselves(client, admin):
    before = row_counts()
    response = post_form(
        client, f"/admin/users/{admin.id}/active", {"active": "0"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert reload(admin).active
    assert row_counts() == before
    assert client.get("/account/sessions").status_code == 200


def test_state_changes_need_the_csrf_token(client, admin, people):
    person = people["trainee"]
    before = row_counts()
    assert client.post(f"/admin/users/{person.id}/active", data={"active": "0"}).status_code == 400
    assert client.post(f"/admin/users/{person.id}", data={"roles": ["admin"]}).status_code == 400
    assert reload(person).active
    assert reload(person).roles == ["trainee"]
    assert row_counts() == before


def test_unknown_account_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert post_form(client, "/admin/users/999999/active", {"active": "0"}).status_code == 404


@pytest.mark.parametrize("roles", [("trainee",), ("supervisor",), ("staff",)])
def test_non_admins_get_403(client, create_user, auth, people, roles):
    auth.login(create_user(*roles))
    person = people["trainee"]
    before = row_counts()
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{person.id}").status_code == 403
    assert post_form(client, f"/admin/users/{person.id}", {"roles": ["admin"]}).status_code == 403
    response = post_form(client, f"/admin/users/{person.id}/active", {"active": "0"})
    assert response.status_code == 403
    assert reload(person).active
    assert reload(person).roles == ["trainee"]
    assert row_counts() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    assert post_form(client, f"/admin/users/{people['trainee'].id}/active").status_code == 401


def test_the_service_refuses_admin_from_a_non_admin(create_user):
    staff = create_user("staff")
    with pytest.raises(Refused) as refused:
        services.invite("x@example.org", "X Person", {"admin"}, staff)
    assert refused.value.field == "roles"
    with pytest.raises(Refused):
        services.change_roles(create_user("trainee"), {"admin"}, staff)
    db.session.rollback()


def test_a_removed_role_takes_effect_on_the_next_request(app, client, admin, people):
    person = people["staff"]
    elsewhere = app.test_client()
    login(elsewhere, person)
    assert elsewhere.get("/admin/invite").status_code == 200
    post_form(client, f"/admin/users/{person.id}", {"roles": ["supervisor"]})
    assert elsewhere.get("/admin/invite").status_code == 403


def test_an_administrator_sets_a_staff_members_job_title(client, admin, people):
    stan = people["staff"]
    page = client.get(f"/admin/users/{stan.id}").get_data(as_text=True)
    assert "Job title" in page
    response = post_form(
        client, f"/admin/users/{stan.id}/title", {"job_title": "  Director of Training "}
    )
    assert response.status_code == 302
    assert reload(stan).job_title == "Director of Training"
    assert 'value="Director of Training"' in client.get(response.location).get_data(as_text=True)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.job_title_changed")
    )
    assert event.object_id == str(stan.id)
    assert '"job_title":"Director of Training"' in event.after
    # Saved unchanged: nothing more recorded.
    post_form(client, f"/admin/users/{stan.id}/title", {"job_title": "Director of Training"})
    events = select(AuditEvent).where(AuditEvent.action == "account.job_title_changed")
    assert len(db.session.scalars(events).all()) == 1


def test_a_bad_job_title_is_refused_and_changes_nothing(client, admin, people):
    stan = people["staff"]
    before = row_counts()
    response = post_form(client, f"/admin/users/{stan.id}/title", {"job_title": "x" * 121})
    assert response.status_code == 200
    assert "Use at most 120 characters." in response.get_data(as_text=True)
    assert reload(stan).job_title == ""
    assert row_counts() == before


def test_only_administrators_set_job_titles(client, auth, people, create_user):
    auth.login(create_user("staff"))
    stan = people["staff"]
    response = post_form(client, f"/admin/users/{stan.id}/title", {"job_title": "Chief"})
    assert response.status_code == 403
    assert reload(stan).job_title == ""
    with pytest.raises(Refused):
        services.set_job_title(stan, "Chief", stan)
