"""`flask demo`: fills an empty database, prints the accounts, refuses a database with data."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import login
from tracker.accounts.models import User
from tracker.audit.services import verify_chain
from tracker.extensions import db


def test_demo_loads_prints_accounts_and_signs_in(app, runner, client):
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    for email in (
        "staff@example.org",
        "supervisor@example.org",
        "supervisor2@example.org",
        "trainee@example.org",
    ):
        assert email in result.output
    assert PASSWORD in result.output
    assert "/verify/" in result.output  # the valid demo certificate's verification URL
    assert verify_chain()[1] is None
    trainee = db.session.scalar(select(User).where(User.email == "trainee@example.org"))
    login(client, trainee)
    page = client.get("/dashboard/trainee").get_data(as_text=True)
    assert "Waiting on you" in page


def test_demo_refuses_a_database_with_data(app, runner, create_user):
    create_user("staff")
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 1
    assert "already has data" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["demo", "--password", "short"])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
