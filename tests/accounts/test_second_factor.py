"""Two-step sign-in: enrolling an authenticator app, codes at sign-in (wrong, right, replayed),
single-use recovery codes, the requirement for staff and supervisors, and the code asked again
to sign once the session's last check is older than its idle limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy import update

from tests.accounts.conftest import reload
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts import second_factor
from tracker.accounts.models import LoginSession
from tracker.accounts.models import RecoveryCode
from tracker.extensions import db
from tracker.extensions import utcnow

_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")


class Clock:
    """The time the second-factor checks read; `advance(seconds)` moves it."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def code(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(second_factor, "utcnow", clock)
    return clock


def _enrol(client, clock: Clock) -> tuple[str, list[str]]:
    """Set up an app on the signed-in account; return its secret and the recovery codes."""
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by the app
    secret = _SECRET.search(page).group(1)
    done = post_form(client, "/account/two-factor/setup", {"code": clock.code(secret)})
    assert done.status_code == 200
    codes = _CODES.findall(done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _password_step(client, user):
    response = post_form(client, "/account/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login/code"
    return response


def _code_step(client, code: str, **kwargs):
    return post_form(client, "/account/login/code", {"code": code}, **kwargs)


def _signed_in(client) -> bool:
    return client.get("/account/sessions").status_code == 200


def test_enrolment_needs_a_right_code_and_keeps_only_hashes(client, create_user, clock):
    user = create_user("staff")
    login(client, user)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = _SECRET.search(page).group(1)
    wrong = post_form(client, "/account/two-factor/setup", {"code": "000000"})
    assert "That code is not right." in wrong.get_data(as_text=True)
    assert not reload(user).has_second_factor
    done = post_form(client, "/account/two-factor/setup", {"code": clock.code(secret)})
    codes = _CODES.findall(done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert reload(user).totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "Recovery codes left: <strong>10</strong>" in client.get("/account/two-factor").get_data(
        as_text=True
    )


def test_sign_in_asks_for_the_code_after_the_password(app, client, create_user, clock):
    user = create_user("supervisor")
    login(client, user)
    secret, _codes = _enrol(client, clock)
    fresh = app.test_client()
    _password_step(fresh, user)
    assert not _signed_in(fresh)  # a right password alone does not sign in
    wrong = _code_step(fresh, "123456")
    assert "That code is not right, or it was used already." in wrong.get_data(as_text=True)
    assert not _signed_in(fresh)
    clock.advance(30)
    right = _code_step(fresh, clock.code(secret))
    assert right.status_code == 302
    assert _signed_in(fresh)


def test_a_used_code_cannot_be_replayed(app, client, create_user, clock):
    user = create_user("staff")
    login(client, user)
    secret, _codes = _enrol(client, clock)
    clock.advance(30)
    code = clock.code(secret)
    first = app.test_client()
    _password_step(first, user)
    assert _code_step(first, code).status_code == 302
    second = app.test_client()
    _password_step(second, user)
    replay = _code_step(second, code)
    assert "That code is not right, or it was used already." in replay.get_data(as_text=True)
    assert not _signed_in(second)
    # Nor a code of an earlier step (within the drift window) once a later one was accepted.
    clock.advance(30)
    assert (
        _code_step(second, pyotp.TOTP(secret).at(clock.now - timedelta(seconds=60))).status_code
        == 200
    )
    assert not _signed_in(second)


def test_a_recovery_code_works_once(app, client, create_user, clock):
    user = create_user("staff")
    login(client, user)
    _secret, codes = _enrol(client, clock)
    first = app.test_client()
    _password_step(first, user)
    used = _code_step(first, codes[3].upper().replace("-", " "), follow_redirects=True)
    assert "You used a recovery code; 9 left." in used.get_data(as_text=True)
    assert _signed_in(first)
    second = app.test_client()
    _password_step(second, user)
    again = _code_step(second, codes[3])
    assert "That code is not right, or it was used already." in again.get_data(as_text=True)
    assert not _signed_in(second)


def test_five_wrong_codes_ask_for_the_password_again(app, client, create_user, clock):
    user = create_user("staff")
    login(client, user)
    _enrol(client, clock)
    fresh = app.test_client()
    _password_step(fresh, user)
    answers = [_code_step(fresh, f"00000{i}") for i in range(5)]
    assert [a.status_code for a in answers] == [200] * 4 + [302]
    assert answers[-1].headers["Location"] == "/account/login"
    assert fresh.get("/account/login/code").headers["Location"] == "/account/login"


def test_without_a_pending_password_the_code_page_sends_to_sign_in(client):
    assert client.get("/account/login/code").headers["Location"] == "/account/login"


def test_removing_the_app_needs_the_password(client, create_user, clock):
    user = create_user("staff")
    login(client, user)
    _enrol(client, clock)
    post_form(client, "/account/two-factor/off", {"password": "not it"})
    assert reload(user).has_second_factor
    post_form(client, "/account/two-factor/off", {"password": PASSWORD})
    assert not reload(user).has_second_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_when_required_staff_and_supervisors_set_up_an_app_first(make_app, create_user):
    staff_member, trainee_member = create_user("staff"), create_user("trainee")
    app = make_app(SECOND_FACTOR_REQUIRED=True)
    staff = app.test_client()
    login(staff, staff_member)
    home = staff.get("/home")
    assert home.status_code == 302
    assert home.headers["Location"] == "/account/two-factor/setup"
    assert staff.get("/account/two-factor/setup").status_code == 200
    trainee = app.test_client()
    login(trainee, trainee_member)
    assert trainee.get("/home").status_code == 302
    assert trainee.get("/home").headers["Location"] != "/account/two-factor/setup"


def test_signing_asks_again_once_the_last_code_is_older_than_the_idle_limit(
    app, client, create_user, clock
):
    supervisor = create_user("supervisor")
    login(client, supervisor)
    secret, _codes = _enrol(client, clock)
    token = csrf_token(client)
    # Within the idle limit: the signing form is reached (it refuses the empty selection).
    recent = client.post("/signoffs/sign", data={"csrf_token": token, "back": "signoffs.queue"})
    assert "/account/two-factor/check" not in recent.headers.get("Location", "")
    db.session.execute(
        update(LoginSession).values(second_factor_at=utcnow() - timedelta(minutes=31))
    )
    db.session.commit()
    stale = client.post("/signoffs/sign", data={"csrf_token": token})
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/account/two-factor/check")
    clock.advance(30)
    back = post_form(client, stale.headers["Location"], {"code": clock.code(secret)})
    assert back.status_code == 302
    assert "/account/two-factor/check" not in back.headers["Location"]
    again = client.post("/signoffs/sign", data={"csrf_token": token})
    assert "/account/two-factor/check" not in again.headers.get("Location", "")
