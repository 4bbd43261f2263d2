"""The one place that sends e-mail, always from the worker (`flask worker`), never inside a
request: a slow or failing mail server never slows a page or undoes a change.

`queue` renders a message now and adds a `mail` job in the caller's transaction, so it goes out
only if that transaction commits; the worker's `mail` handler hands it to `deliver`. A message
that carries a one-time link (password reset, invitation, registration) is not rendered in the
request: its own job kind's handler makes the link and renders it when it runs, so the jobs
table never holds a usable link.

Backends: `smtp` (MAIL_SERVER and friends from the environment), `outbox` (development: each
message is logged and kept as a .eml file in the instance folder's `outbox/`, where a person can
open it), `memory` (tests: kept in a list on the app).
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app

from tracker.jobs.services import enqueue
from tracker.jobs.services import handler


@dataclass(frozen=True)
class SentMessage:
    """What was sent (kept by the memory backend for tests)."""

    to: str
    subject: str
    body: str


def outbox() -> list[SentMessage]:
    """Messages kept by the memory backend."""
    return current_app.extensions.setdefault("mail_outbox", [])


def render(template: str, **context: object) -> str:
    """Render a plain-text message template (templates/mail/...) with `context` only: the same
    in a request, the worker or a command (no page context: no navigation, no signed-in user)."""
    return current_app.jinja_env.get_template(template).render(**context)


def link(endpoint: str, **values: Any) -> str:
    """The public address of a page, for a message (PUBLIC_BASE_URL plus the route)."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def queue(to: str, subject: str, template: str, **context: object) -> None:
    """Render `template` now and queue the message to `to` in the caller's transaction: the
    worker sends it once the transaction has committed."""
    body = render(template, **context)
    enqueue("mail", {"to": to, "subject": subject, "body": body})


@handler("mail")
def _send_queued(payload: dict[str, Any]) -> None:
    deliver(payload["to"], payload["subject"], payload["body"])


def deliver(to: str, subject: str, body: str) -> None:
    """Send a message now through the configured backend (the worker's side: job handlers)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="kap-tracker")
    message.set_content(body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(SentMessage(to=to, subject=subject, body=body))
    elif backend == "outbox":
        folder = Path(current_app.instance_path) / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}"
        path = path.with_name(f"{path.name}-{uuid.uuid4().hex[:8]}.eml")
        path.write_bytes(bytes(message))
        # The log names the recipient and subject only: bodies hold one-time links.
        current_app.logger.info("mail to %s: %s (kept in outbox/%s)", to, subject, path.name)
    elif backend == "smtp":
        _send_smtp(message)
        current_app.logger.info("mail to %s: %s (sent)", to, subject)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend}")


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server, port, timeout=20, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(server, port, timeout=20)
    with client:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            client.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        client.send_message(message)
