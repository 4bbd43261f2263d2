"""The inbox (every signed-in person's notices, with the unread count in the navigation), its
marks (read, all read) and the delivery preferences, chosen on the account page."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user

from tracker.accounts.forms import ConfirmForm
from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.transaction import refuse
from tracker.notifications import services
from tracker.notifications.forms import choices_of
from tracker.notifications.forms import preferences_context
from tracker.notifications.forms import preferences_form
from tracker.notifications.kinds import BY_CODE
from tracker.notifications.kinds import kinds_for
from tracker.security.access import SignedIn
from tracker.security.access import allow

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
navigation.register("Inbox", "notifications.inbox", SignedIn, order=95)
navigation.badge("notifications.inbox", services.unread_of)


def _me():
    return current_user._get_current_object()


@bp.get("/")
@allow(SignedIn)
def inbox():
    """The person's notices, newest first, unread ones marked."""
    notices = services.inbox(current_user.id)
    return render_template(
        "notifications/inbox.html",
        notices=notices,
        unread=sum(1 for n in notices if n.read_at is None),
        kinds=BY_CODE,
        form=ConfirmForm(),
        limit=services.INBOX_LIMIT,
    )


@bp.post("/<int:notice_id>/read")
@allow(SignedIn)
def mark_read(notice_id: int):
    """Mark one of the person's notices read (another person's answers 404)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not services.mark_read(_me(), notice_id):
        abort(404)
    flash("Marked read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.post("/read")
@allow(SignedIn)
def mark_all_read():
    """Mark every unread notice of the person read."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    count = services.mark_all_read(_me())
    flash(
        f"{count} notice{'' if count == 1 else 's'} marked read." if count else "Nothing unread.",
        "success",
    )
    return redirect(url_for("notifications.inbox"))


def preferences_page(form):
    """The account page with the notice preferences form re-shown with its errors."""
    return render_template(
        "accounts/account.html", form=ConfirmForm(), **preferences_context(_me(), form)
    )


@bp.post("/preferences")
@allow(SignedIn)
def save_preferences():
    """Keep the person's delivery for each kind of notice; a bad choice changes nothing."""
    me = _me()
    kinds = kinds_for(me)
    form = preferences_form(kinds, services.preferences(me))
    if not form.validate_on_submit():
        return preferences_page(form), 400
    try:
        changed = services.set_preferences(me, choices_of(form, kinds))
    except Refused as error:
        refuse(error, form)
        return preferences_page(form), 400
    flash(
        "Your notice preferences are saved." if changed else "Nothing changed.",
        "success",
    )
    return redirect(url_for("accounts.account", _anchor="notices"))
