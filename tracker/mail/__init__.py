"""The one place that sends e-mail.

Backends: `smtp` (MAIL_SERVER and friends from the environment), `outbox` (development: each
message is logged and kept as a .eml file in the instance folder's `outbox/`, where a person can
open it), `memory` (tests: kept in a list on the app). Callers send after their transaction has
committed, so a rolled-back change never mails anyone.
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

from flask import current_app
from flask import render_template


@dataclass(frozen=True)
class SentMessage:
    """What was sent (kept by the memory backend for tests)."""

    to: str
    subject: str
    body: str


def outbox() -> list[SentMessage]:
    """Messages kept by the memory backend."""
    return current_app.extensions.setdefault("mail_outbox", [])


def send(to: str, subject: str, template: str, **context: object) -> None:
    """Render `template` (a text template under templates/mail/) and send it to `to`."""
    body = render_template(template, **context)
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
