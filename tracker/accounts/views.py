"""Sign-in, sign-out, registration, invitations and password resets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
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
from tracker.accounts import services
from tracker.accounts.forms import ConfirmForm
from tracker.accounts.forms import LoginForm
from tracker.accounts.forms import RegisterForm
from tracker.accounts.forms import ResetRequestForm
from tracker.accounts.forms import SetPasswordForm
from tracker.core.errors import Refused
from tracker.core.transaction import refuse
from tracker.extensions import limiter
from tracker.notifications.forms import preferences_context
from tracker.security.access import Anonymous
from tracker.security.access import SignedIn
from tracker.security.access import allow

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
            _begin(result)
            flash(f"Signed in as {result.user.full_name}.", "success")
            return redirect(safe_next(form.next.data) or url_for("core.home"))
    return render_template("accounts/login.html", form=form)


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
    """The person's own account page: roles, a sign-out-everywhere button and how each kind of
    notice reaches them."""
    return render_template(
        "accounts/account.html",
        form=ConfirmForm(),
        **preferences_context(current_user._get_current_object()),
    )
