"""Personal access tokens: stored hashed and shown once, scoped within the owner's roles now,
revocable, expiring; created and revoked on the account page and from the command line; the
only credential the API accepts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.api.conftest import bearer
from tests.conftest import csrf_token
from tests.conftest import login
from tracker.api.models import ApiToken
from tracker.api.services import create_token
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.extensions import utcnow


def test_the_secret_is_stored_only_as_a_hash(app, trainee, token_for):
    secret = token_for(trainee, "read_own")
    stored = db.session.scalar(select(ApiToken))
    assert secret.startswith("kap_") and secret not in (stored.token_hash, stored.hint)
    assert stored.hint == secret[:8]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))


def test_a_token_cannot_be_given_a_scope_beyond_the_roles(app, trainee):
    for scopes in (["read_program"], ["manage_certificates"], [], ["everything"]):
        try:
            create_token(trainee, "Script", scopes)
        except Refused as error:
            assert error.field == "scopes"
        else:
            raise AssertionError(f"{scopes} was accepted")


def test_me_says_who_and_what(client, trainee, token_for):
    response = client.get("/api/v1/me", headers=bearer(token_for(trainee, "read_own")))
    assert response.status_code == 200
    me = response.get_json()
    assert me["email"] == trainee.email and me["scopes"] == ["read_own"]
    assert me["roles"] == ["trainee"]


def test_no_token_a_wrong_one_or_a_cookie_is_401(client, trainee, token_for):
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.get("/api/v1/me", headers=bearer("kap_not-a-token"))
    assert wrong.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    login(client, trainee)  # a signed-in browser session is not an API credential
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/didactic", json={}).status_code == 401


def test_a_scope_not_granted_is_403(client, trainee, enrollment, token_for):
    headers = bearer(token_for(trainee, "read_own"))
    response = client.post("/api/v1/didactic", json={}, headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_revoked_expired_and_deactivated_tokens_stop(client, trainee, token_for):
    secret = token_for(trainee, "read_own")
    headers = bearer(secret)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    token.expires_at = None
    trainee.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    trainee.active = True
    token.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_follows_its_owners_roles_now(client, create_user, token_for):
    person = create_user("trainee", "staff")
    headers = bearer(token_for(person))
    assert client.get("/api/v1/cohort", headers=headers).status_code == 200
    person.is_staff = False
    db.session.commit()
    assert client.get("/api/v1/cohort", headers=headers).status_code == 403
    assert client.get("/api/v1/me", headers=headers).get_json()["scopes"] == [
        "read_own",
        "write_own",
    ]


def test_last_use_is_recorded(client, trainee, token_for):
    headers = bearer(token_for(trainee, "read_own"))
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_created_shown_once_and_revoked_on_the_account_page(client, trainee):
    login(client, trainee)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Create token" in page and "read_program" not in page  # only the roles' scopes
    response = client.post(
        "/account/tokens",
        data={"csrf_token": csrf_token(client), "name": "My script", "scopes": ["read_own"]},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = html.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("kap_")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    again = client.get("/account/sessions").get_data(as_text=True)
    assert "My script" in again and secret not in again
    token = db.session.scalar(select(ApiToken))
    revoked = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert revoked.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_the_account_page_refuses_a_bad_token_form(client, trainee):
    login(client, trainee)
    refused = client.post(
        "/account/tokens",
        data={"csrf_token": csrf_token(client), "name": "", "scopes": ["read_program"]},
    )
    assert refused.status_code == 422
    assert "Give the token a name" in refused.get_data(as_text=True)
    beyond = client.post(
        "/account/tokens",
        data={"csrf_token": csrf_token(client), "name": "x", "scopes": ["read_program"]},
    )
    assert "Your roles do not allow" in beyond.get_data(as_text=True)
    without_csrf = client.post("/account/tokens", data={"name": "x", "scopes": ["read_own"]})
    assert without_csrf.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_another_persons_token_is_404(client, create_user, trainee, token_for):
    token_for(create_user("trainee"), "read_own")
    token = db.session.scalar(select(ApiToken))
    login(client, trainee)
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).revoked_at is None


def test_the_command_prints_a_working_token(app, runner, client, trainee):
    result = runner.invoke(
        args=["api", "token", "create", trainee.email, "--scope", "read_own", "--name", "Nightly"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me["token_name"] == "Nightly"
    refused = runner.invoke(
        args=["api", "token", "create", trainee.email, "--scope", "read_program"]
    )
    assert refused.exit_code != 0 and "roles do not allow" in refused.output
    unknown = runner.invoke(
        args=["api", "token", "create", "nobody@example.org", "--scope", "read_own"]
    )
    assert unknown.exit_code != 0


def test_rate_limit_counts_per_token(make_app, create_user, token_for):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    client = app.test_client()
    first, second = create_user("trainee"), create_user("trainee")
    with app.app_context():
        one, two = bearer(token_for(first, "read_own")), bearer(token_for(second, "read_own"))
    codes = [client.get("/api/v1/me", headers=one).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/me", headers=one)
    assert limited.mimetype == "application/problem+json"
    assert client.get("/api/v1/me", headers=two).status_code == 200
