"""The account e-mails (password reset, registration, invitation), queued by the request and
written by the worker.

The request only queues a job naming the address; the worker decides what, if anything, to send
and makes the one-time link as it sends. So a reset or a registration costs the request the same
work whether or not the address has an account (the answer and its timing tell nothing), and the
jobs table never holds a usable link.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.accounts.models import User
from tracker.accounts.models import normalise_email
from tracker.accounts.services import find_by_email
from tracker.accounts.services import make_email_change_token
from tracker.accounts.services import make_registration_token
from tracker.accounts.services import make_token
from tracker.extensions import db
from tracker.jobs.services import enqueue
from tracker.jobs.services import handler
from tracker.mail import deliver
from tracker.mail import link
from tracker.mail import render

RESET = "accounts.reset"
REGISTRATION = "accounts.registration"
INVITATION = "accounts.invitation"
EMAIL_CHANGE = "accounts.email_change"


def queue_reset(email: str) -> None:
    """Queue a reset link for `email`; the worker sends it only to an active account."""
    enqueue(RESET, {"email": normalise_email(email)})


def queue_registration(email: str, full_name: str) -> None:
    """Queue the answer to a registration: a link to finish it, or, when the address already
    has an account, a note to its owner that someone tried to register with it."""
    enqueue(REGISTRATION, {"email": normalise_email(email), "full_name": full_name.strip()})


def queue_invitation(user: User, inviter: User) -> None:
    """Queue the invitation of the new account `user`, from `inviter`."""
    enqueue(INVITATION, {"user_id": user.id, "inviter_id": inviter.id})


def queue_email_change(user: User, new_email: str) -> None:
    """Queue the confirmation link of a change of address, to the new address."""
    enqueue(EMAIL_CHANGE, {"user_id": user.id, "email": normalise_email(new_email)})


def _send(to: str, subject: str, template: str, **context: object) -> None:
    deliver(to, subject, render(template, **context))


@handler(RESET)
def _send_reset(payload: dict[str, Any]) -> None:
    user = find_by_email(payload["email"])
    if user is None or not user.active:
        return  # nobody to write to; the page said the same either way
    _send(
        user.email,
        "Reset your KAP Certification Tracker password",
        "mail/reset.txt",
        user=user,
        link=link("accounts.reset_password", token=make_token(user, "reset")),
        hours=current_app.config["RESET_MAX_AGE_HOURS"],
    )


@handler(REGISTRATION)
def _send_registration(payload: dict[str, Any]) -> None:
    email, full_name = payload["email"], payload["full_name"]
    owner = find_by_email(email)
    if owner is None:
        _send(
            email,
            "Finish creating your KAP Certification Tracker account",
            "mail/registration.txt",
            full_name=full_name,
            link=link(
                "accounts.finish_registration", token=make_registration_token(email, full_name)
            ),
            hours=current_app.config["REGISTRATION_MAX_AGE_HOURS"],
        )
    elif owner.active:
        _send(
            owner.email,
            "Someone tried to register with your e-mail address",
            "mail/registration_exists.txt",
            user=owner,
            sign_in=link("accounts.login"),
            reset=link("accounts.forgot_password"),
        )


@handler(INVITATION)
def _send_invitation(payload: dict[str, Any]) -> None:
    user = db.session.get(User, payload["user_id"])
    inviter = db.session.get(User, payload["inviter_id"])
    if user is None or inviter is None or not user.active or user.has_password:
        return  # deactivated, or already in: the link would not work
    _send(
        user.email,
        "You are invited to the KAP Certification Tracker",
        "mail/invitation.txt",
        user=user,
        inviter=inviter,
        link=link("accounts.accept_invitation", token=make_token(user, "invite")),
        hours=current_app.config["INVITATION_MAX_AGE_HOURS"],
    )


@handler(EMAIL_CHANGE)
def _send_email_change(payload: dict[str, Any]) -> None:
    user = db.session.get(User, payload["user_id"])
    if user is None or not user.active:
        return
    _send(
        payload["email"],
        "Confirm your new e-mail address for the KAP Certification Tracker",
        "mail/email_change.txt",
        user=user,
        link=link("accounts.confirm_email", token=make_email_change_token(user, payload["email"])),
        hours=current_app.config["EMAIL_CHANGE_MAX_AGE_HOURS"],
    )
