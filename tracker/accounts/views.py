"""Sign-in, sign-out, registration, invitations and password resets."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from tracker.accounts import emails
from tracker.accounts import second_factor
from tracker.accounts import services
from tracker.accounts.forms import ChangeEmailForm
from tracker.accounts.forms import ChangePasswordForm
from tracker.accounts.forms import CodeForm
from tracker.accounts.forms import ConfirmForm
from tracker.accounts.forms import LoginForm
from tracker.accounts.forms import PasswordForm
from tracker.accounts.forms import RegisterForm
from tracker.accounts.forms import ResetRequestForm
from tracker.accounts.forms import SetPasswordForm
from tracker.accounts.models import User
from tracker.api import services as api_services
from tracker.api.forms import TokenForm
from tracker.api.scopes import allowed_scopes
from tracker.core.errors import Refused
from tracker.core.limits import counts
from tracker.core.transaction import refuse
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.mail import queue as queue_mail
from tracker.notifications.forms import preferences_context
from tracker.security.access import Anonymous
from tracker.security.access import Sessionless
from tracker.security.access import SignedIn
from tracker.security.access import allow
from tracker.security.access import rule_for

bp = Blueprint("accounts", __name__, url_prefix="/account")


def safe_next(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site (no scheme, host or backslash)."""
    if not target or len(target) > 500:
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _begin(result: services.SignInResult) -> None:
    # A fresh cookie session at sign-in: nothing from before survives (session fixation),
    # and a session this browser held until now is ended, not just forgotten.
    if current_user.is_authenticated:
        services.end_session(current_user.session_token)
    session.clear()
    login_user(result.user)


@bp.route("/login", methods=["GET", "POST"])
@allow(Anonymous)
@counts("sign-in attempts")
@limiter.limit("30 per minute", methods=["POST"])
def login():
    """Sign in; on success go to `next` when it is on this site, else home."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            result = services.authenticate(
                form.email.data, form.password.data, request.user_agent.string or ""
            )
        except Refused as error:
            flash(error.message, "danger")
        else:
            if result.token is None:  # the password was right; now the second factor
                session[PENDING] = {
                    "user": result.user.id,
                    "at": int(time.time()),
                    "next": safe_next(form.next.data) or "",
                    "misses": 0,
                }
                return redirect(url_for("accounts.second_factor_sign_in"))
            _begin(result)
            flash(f"Signed in as {result.user.full_name}.", "success")
            return redirect(safe_next(form.next.data) or url_for("core.home"))
    return render_template("accounts/login.html", form=form)


# A sign-in whose password was right, waiting for its code: kept in the (signed) session cookie
# for a few minutes and a few wrong codes, then the password is asked again.
PENDING = "pending_sign_in"
PENDING_SECONDS = 300
PENDING_MISSES = 5


def _pending_user():
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = (
        db.session.get(User, pending.get("user")) if isinstance(pending.get("user"), int) else None
    )
    if user is None or not user.active or not user.has_second_factor:
        return None, None
    return pending, user


@bp.route("/login/code", methods=["GET", "POST"])
@allow(Anonymous)
@counts("code attempts")
@limiter.limit("10 per minute", methods=["POST"])
def second_factor_sign_in():
    """Sign-in, second step: a code from the authenticator app, or a recovery code."""
    pending, user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = second_factor.check_code(user, form.code.data)
        except Refused as error:
            refuse(error, form)
            pending["misses"] = pending.get("misses", 0) + 1
            session[PENDING] = pending
            if pending["misses"] >= PENDING_MISSES:
                session.pop(PENDING, None)
                flash("Too many wrong codes: enter your password again.", "danger")
                return redirect(url_for("accounts.login"))
        else:
            target = pending.get("next") or url_for("core.home")
            session.pop(PENDING, None)
            _begin(services.open_session(user, request.user_agent.string or "", second_factor=True))
            flash(f"Signed in as {user.full_name}.", "success")
            if used == "recovery":
                left = second_factor.recovery_codes_left(user)
                flash(
                    f"You used a recovery code; {left} left. Make new ones from your account "
                    "page if you are running out.",
                    "warning",
                )
            return redirect(safe_next(target) or url_for("core.home"))
    return render_template("accounts/second_factor_code.html", form=form, signing_in=True)


@bp.get("/two-factor")
@allow(SignedIn)
def second_factor_page():
    """The second factor on one's own account: whether an app is set up, how many recovery
    codes are left, and the ways to set up, renew or remove them."""
    me = current_user._get_current_object()
    left = second_factor.recovery_codes_left(me) if me.has_second_factor else 0
    return render_template(
        "accounts/second_factor.html",
        left=left,
        required=second_factor.required_for(me),
        form=PasswordForm(),
    )


SETUP_SECRET = "second_factor_secret"  # noqa: S105 # nosec B105 - a session key's name


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@allow(SignedIn)
def second_factor_setup():
    """Set up an authenticator app: scan the QR code, then enter the code it shows. The secret
    waits in the session cookie until then (a GET writes nothing)."""
    me = current_user._get_current_object()
    if me.has_second_factor:
        return redirect(url_for("accounts.second_factor_page"))
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str) or request.method == "GET":
        secret = second_factor.new_secret()
        session[SETUP_SECRET] = secret
    form = CodeForm()
    form.code.description = "The 6-digit code the app shows after scanning."
    if form.validate_on_submit():
        try:
            codes = second_factor.enrol(me, secret, form.code.data)
        except Refused as error:
            refuse(error, form)
        else:
            session.pop(SETUP_SECRET, None)
            second_factor.passed(me.session_token)
            return render_template("accounts/recovery_codes.html", codes=codes, enrolled=True)
    uri = second_factor.provisioning_uri(me, secret)
    return render_template(
        "accounts/second_factor_setup.html",
        form=form,
        secret=secret,
        qr=second_factor.qr_data_uri(uri),
        required=second_factor.required_for(me),
    )


@bp.post("/two-factor/recovery-codes")
@allow(SignedIn)
def second_factor_recovery_codes():
    """Replace the recovery codes (the password first); the new ones are shown once."""
    me = current_user._get_current_object()
    form = PasswordForm()
    if me.has_second_factor and form.validate_on_submit():
        try:
            services.confirm_password(me, form.password.data, "password")
        except Refused as error:
            refuse(error)
        else:
            codes = second_factor.new_recovery_codes(me)
            return render_template("accounts/recovery_codes.html", codes=codes, enrolled=False)
    elif form.errors:
        flash("Enter your current password.", "danger")
    return redirect(url_for("accounts.second_factor_page"))


@bp.post("/two-factor/off")
@allow(SignedIn)
def second_factor_off():
    """Remove the authenticator app (the password first)."""
    me = current_user._get_current_object()
    form = PasswordForm()
    if me.has_second_factor and form.validate_on_submit():
        try:
            second_factor.turn_off(me, form.password.data)
        except Refused as error:
            refuse(error)
        else:
            flash("The authenticator app is removed from your account.", "info")
    elif form.errors:
        flash("Enter your current password.", "danger")
    return redirect(url_for("accounts.second_factor_page"))


@bp.route("/two-factor/check", methods=["GET", "POST"])
@allow(SignedIn)
@counts("code attempts")
@limiter.limit("10 per minute", methods=["POST"])
def second_factor_check():
    """Asked again (to sign or issue once the last check is old): a code, then back."""
    me = current_user._get_current_object()
    target = safe_next(request.args.get("next")) or url_for("core.home")
    if not me.has_second_factor:
        return redirect(target)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_factor.check_code(me, form.code.data)
        except Refused as error:
            refuse(error, form)
        else:
            second_factor.passed(me.session_token)
            flash("Code accepted.", "success")
            return redirect(target)
    return render_template("accounts/second_factor_code.html", form=form, signing_in=False)


# Pages open to a signed-in person who must set up a second factor and has not yet.
_SETUP_PAGES = frozenset(
    {
        "accounts.second_factor_setup",
        "accounts.second_factor_page",
        "accounts.logout",
        "accounts.logout_everywhere",
    }
)


@bp.before_app_request
def _second_factor_first():
    """With SECOND_FACTOR_REQUIRED, staff and supervisors set up an authenticator app before
    anything else (runs after the access check, so the person is already loaded)."""
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint in _SETUP_PAGES
        or not current_app.config.get("SECOND_FACTOR_REQUIRED")
    ):
        return None
    if rule_for(endpoint) is Sessionless or not current_user.is_authenticated:
        return None
    me = current_user._get_current_object()
    if me.has_second_factor or not second_factor.required_for(me):
        return None
    flash("Your account signs records: set up an authenticator app to continue.", "warning")
    return redirect(url_for("accounts.second_factor_setup"))


@bp.post("/logout")
@allow(SignedIn)
def logout():
    """Sign out: the server-side session is revoked, so the old cookie no longer works."""
    services.end_session(current_user.session_token)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.post("/logout-everywhere")
@allow(SignedIn)
def logout_everywhere():
    """End every sign-in session of this account, on every device."""
    count = services.revoke_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(f"Signed out of {count} session(s) everywhere.", "info")
    return redirect(url_for("accounts.login"))


# The one answer to a registration and to a reset request, whether or not the address has an
# account: the e-mail (sent by the worker) says which it was, to the address's owner only.
REGISTRATION_ANSWER = (
    "Check your e-mail: a link to finish creating your account is on its way. (If the address "
    "already has an account, the message says so instead.)"
)
RESET_ANSWER = "If an account exists for that address, a reset link is on its way."


@bp.route("/register", methods=["GET", "POST"])
@allow(Anonymous)
@counts("registrations")
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Self-registration as an applicant: the link e-mailed to the address finishes it."""
    form = RegisterForm()
    return _answered_alike(
        form,
        lambda: emails.queue_registration(form.email.data, form.full_name.data),
        REGISTRATION_ANSWER,
        "accounts/register.html",
    )


def _answered_alike(form, queue, answer: str, template: str):
    """Queue the mail the address calls for (the worker decides what it says) and give the same
    `answer` whatever the address: nothing on the page tells whether it has an account."""
    if form.validate_on_submit():
        queue()
        flash(answer, "info")
        return redirect(url_for("accounts.login"))
    return render_template(template, form=form)


@bp.route("/register/<token>", methods=["GET", "POST"])
@allow(Anonymous)
def finish_registration(token: str):
    """Choose a password from a registration link: the account is created and signed in."""
    try:
        registration = services.registration_for_token(token)
    except Refused as error:
        page = render_template(
            "accounts/link_invalid.html", message=error.message, purpose="register"
        )
        return page, 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.register_applicant(
                registration.email, registration.full_name, form.password.data
            )
        except Refused as error:
            refuse(error, form)
        else:
            token = services.start_session(user, request.user_agent.string or "")
            _begin(services.SignInResult(user=user, token=token))
            flash("Welcome. Your applicant account is ready.", "success")
            return redirect(url_for("core.home"))
    return render_template(
        "accounts/set_password.html", form=form, user=registration, purpose="register"
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@allow(Anonymous)
@counts("reset requests")
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    """Queue a reset link (sent only when the account exists); say the same thing either way."""
    form = ResetRequestForm()
    return _answered_alike(
        form, lambda: emails.queue_reset(form.email.data), RESET_ANSWER, "accounts/forgot.html"
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@allow(Anonymous)
def reset_password(token: str):
    """Choose a new password from a reset link."""
    return _password_from_link(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@allow(Anonymous)
def accept_invitation(token: str):
    """Choose a password from an invitation link."""
    return _password_from_link(token, "invite")


def _password_from_link(token: str, purpose: str):
    try:
        user = services.user_for_token(token, purpose)
    except Refused as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(
                user, form.password.data, reason="set" if purpose == "invite" else "reset"
            )
        except Refused as error:
            refuse(error, form)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password is set. Please sign in.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, user=user, purpose=purpose)


@bp.route("/sessions", methods=["GET"])
@allow(SignedIn)
def account():
    """The person's own account page: roles, a sign-out-everywhere button and the personal
    access tokens for the API."""
    return _account_page(TokenForm().offer(allowed_scopes(current_user)))


def _account_page(token_form: TokenForm, new_secret: str | None = None, status: int = 200):
    return (
        render_template(
            "accounts/account.html",
            form=ConfirmForm(),
            token_form=token_form,
            tokens=api_services.user_tokens(current_user.id),
            new_secret=new_secret,
            **preferences_context(current_user._get_current_object()),
        ),
        status,
    )


@bp.post("/tokens")
@allow(SignedIn)
def create_token():
    """Create a personal access token and show its secret on the page, once."""
    user = current_user._get_current_object()
    form = TokenForm().offer(allowed_scopes(user))
    if form.validate_on_submit():
        try:
            new = api_services.create_token(
                user, form.name.data or "", form.scopes.data or [], form.expires_on.data
            )
        except Refused as error:
            refuse(error, form)
        else:
            flash("Token created. Copy it now: it is not shown again.", "success")
            return _account_page(TokenForm().offer(allowed_scopes(user)), new.secret)
    return _account_page(form, status=422)


@bp.post("/tokens/<int:token_id>/revoke")
@allow(SignedIn)
def revoke_token(token_id: int):
    """Revoke one of the person's own tokens: it stops working at once."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        api_services.revoke_token(current_user._get_current_object(), token_id)
    except Refused:
        abort(404)
    flash("Token revoked.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/password", methods=["GET", "POST"])
@allow(SignedIn)
def change_password():
    """Change one's password while signed in: the current one first; every other sign-in
    session of the account ends, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.password.data,
                keep_token=current_user.session_token,
            )
        except Refused as error:
            refuse(error, form)
        else:
            flash(
                "Your password is changed. Any other device signed in to this account is now "
                "signed out.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@allow(SignedIn)
def change_email():
    """Ask to move the account to another address: a link goes to that address, and nothing
    changes until it is used."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = services.ask_email_change(
                current_user._get_current_object(), form.email.data, form.password.data
            )
        except Refused as error:
            refuse(error, form)
        else:
            emails.queue_email_change(current_user._get_current_object(), new_email)
            flash(
                f"Check {new_email}: a link to confirm it is on its way. Your address stays "
                f"{current_user.email} until then.",
                "info",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/email/<token>", methods=["GET", "POST"])
@allow(SignedIn)
def confirm_email(token: str):
    """Confirm a new address from the link sent to it (a GET only shows what will change); the
    old address is told."""
    try:
        change = services.email_change_for_token(token, current_user._get_current_object())
    except Refused as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        old = services.change_email(change)
        queue_mail(
            old,
            "Your KAP Certification Tracker e-mail address was changed",
            "mail/email_changed.txt",
            user=current_user,
            old=old,
            new=change.new_email,
        )
        flash(f"Your e-mail address is now {change.new_email}.", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/confirm_email.html", form=form, change=change)
