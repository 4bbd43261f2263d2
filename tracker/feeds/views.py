"""The calendar feed: its page on the account (make, regenerate, revoke) and the feed itself,
public to whoever holds the address's secret token."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import url_for
from flask_login import current_user

from tracker.core.flow import confirmed
from tracker.extensions import utcnow
from tracker.feeds import services
from tracker.feeds.dates import due_dates
from tracker.feeds.forms import FeedForm
from tracker.feeds.ics import calendar
from tracker.security.access import SignedIn
from tracker.security.access import WithToken
from tracker.security.access import allow

bp = Blueprint("feeds", __name__)


@bp.get("/account/calendar")
@allow(SignedIn)
def page():
    """Whether the person has a feed, with buttons to make, regenerate or revoke it."""
    return render_template(
        "feeds/calendar.html", feed=services.feed_of(current_user), form=FeedForm(), url=None
    )


@bp.post("/account/calendar")
@allow(SignedIn)
def make():
    """Make the feed (or a new address for it): the address is shown on this page, once."""
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    token = services.make_feed(current_user)
    return render_template(
        "feeds/calendar.html",
        feed=services.feed_of(current_user),
        form=FeedForm(),
        url=services.feed_url(token),
    )


@bp.post("/account/calendar/revoke")
@allow(SignedIn)
def revoke():
    """Revoke the feed: its address stops working."""
    return confirmed(
        FeedForm(),
        lambda: services.revoke_feed(current_user),
        "Calendar feed revoked: its address no longer works.",
        url_for("feeds.page"),
    )


@bp.get("/calendar/<token>.ics")
@allow(WithToken)
def feed(token: str):
    """The person's due dates as iCalendar; 404 for an unknown or revoked token. Reads only."""
    owner = services.owner_of(token)
    if owner is None:
        abort(404)
    body = calendar(
        due_dates(owner),
        name="KAP tracker: due dates",
        base_url=str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        now=utcnow().replace(microsecond=0),
    )
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'inline; filename="due-dates.ics"',
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
