"""Staff pages for webhook endpoints: the list, registering one (its secret shown once), an
endpoint's delivery log, disabling, enabling, deleting and redelivering."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from sqlalchemy import select

from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.flow import confirmed
from tracker.core.flow import delete_page
from tracker.core.flow import or_404
from tracker.core.transaction import refuse
from tracker.extensions import db
from tracker.security.access import Staff
from tracker.security.access import allow
from tracker.webhooks import services
from tracker.webhooks.events import EVENT_KINDS
from tracker.webhooks.forms import EndpointForm
from tracker.webhooks.jobs import MAX_ATTEMPTS
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
navigation.register("Webhooks", "webhooks.index", Staff, order=87)

LOG_LENGTH = 100


@bp.get("")
@allow(Staff)
def index():
    """Every endpoint, with its events and how its deliveries stand."""
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    counts = {
        (endpoint_id, status): count
        for endpoint_id, status, count in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
                WebhookDelivery.endpoint_id, WebhookDelivery.status
            )
        )
    }
    return render_template(
        "webhooks/index.html", endpoints=endpoints, counts=counts, kinds=EVENT_KINDS
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(Staff)
def new():
    """Register an endpoint; on success its secret is shown on this page, once."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = services.register_endpoint(
                current_user, form.url.data, form.events.data, form.description.data
            )
        except Refused as error:
            refuse(error, form)
        else:
            return render_template("webhooks/created.html", endpoint=endpoint, secret=secret)
    return render_template("webhooks/new.html", form=form)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return or_404(db.session.get(WebhookEndpoint, endpoint_id))


@bp.get("/<int:endpoint_id>")
@allow(Staff)
def endpoint(endpoint_id: int):
    """The endpoint and its delivery log, newest first."""
    found = _endpoint(endpoint_id)
    deliveries = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == found.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_LENGTH)
    ).all()
    return render_template(
        "webhooks/endpoint.html",
        endpoint=found,
        deliveries=deliveries,
        kinds=EVENT_KINDS,
        log_length=LOG_LENGTH,
        max_attempts=MAX_ATTEMPTS,
    )


@bp.post("/<int:endpoint_id>/disable")
@allow(Staff)
def disable(endpoint_id: int):
    """Stop sending to the endpoint (queued deliveries are skipped)."""
    found = _endpoint(endpoint_id)
    back = url_for("webhooks.endpoint", endpoint_id=found.id)
    return confirmed(
        FlaskForm(),
        lambda: services.set_enabled(current_user, found, False),
        "Endpoint disabled.",
        back,
    )


@bp.post("/<int:endpoint_id>/enable")
@allow(Staff)
def enable(endpoint_id: int):
    """Send new events to the endpoint again."""
    found = _endpoint(endpoint_id)
    back = url_for("webhooks.endpoint", endpoint_id=found.id)
    return confirmed(
        FlaskForm(),
        lambda: services.set_enabled(current_user, found, True),
        "Endpoint enabled.",
        back,
    )


@bp.route("/<int:endpoint_id>/delete", methods=["GET", "POST"])
@allow(Staff)
def delete(endpoint_id: int):
    """Ask before deleting the endpoint and its log (GET); delete them (POST)."""
    found = _endpoint(endpoint_id)
    if request.method == "GET":
        return delete_page(
            "Delete this webhook endpoint?",
            [("Address", found.url), ("Description", found.description or "—")],
            url_for("webhooks.endpoint", endpoint_id=found.id),
        )
    return confirmed(
        FlaskForm(),
        lambda: services.delete_endpoint(current_user, found),
        "Endpoint deleted, with its delivery log.",
        url_for("webhooks.index"),
    )


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@allow(Staff)
def redeliver(endpoint_id: int, delivery_id: int):
    """Queue one more attempt of a delivery, now."""
    delivery = or_404(
        db.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
            )
        )
    )
    return confirmed(
        FlaskForm(),
        lambda: services.redeliver(current_user, delivery),
        "Redelivery queued: the worker sends it in a moment.",
        url_for("webhooks.endpoint", endpoint_id=endpoint_id),
    )
