"""Fixtures of the webhook tests: a real HTTP receiver in a thread, and an endpoint of it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from tracker.extensions import db
from tracker.webhooks import services
from tracker.webhooks.events import EVENT_KINDS


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server that records each POST and answers with the next of `answers`
    (then 204), after `delay` seconds."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(app) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 (the app is told to allow local http receivers)."""
    app.config["WEBHOOK_ALLOW_LOCAL"] = True
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kap?source=tracker"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def endpoint(staff, receiver):
    """An endpoint of the receiver for every event: (endpoint, its whsec_ secret)."""
    registered, secret = services.register_endpoint(
        staff, receiver.url, list(EVENT_KINDS), "The test receiver"
    )
    db.session.commit()
    return registered, secret
