"""Fixtures for the worker tests: job kinds of their own, whose handlers record what they ran."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field

import pytest

from tracker.jobs import services


@dataclass
class Recorder:
    """What the test handlers ran, and how the `flaky` kind should fail."""

    ran: list[dict] = field(default_factory=list)
    failures_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, payload: dict) -> None:
        with self.lock:
            self.ran.append(payload)

    def flaky(self, payload: dict) -> None:
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                raise ConnectionError("the mail server hung up")
            self.ran.append(payload)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Job kinds `test.note` (records its payload) and `test.flaky` (fails `failures_left`
    times first), registered for this test only."""
    recorder = Recorder()
    monkeypatch.setitem(services.HANDLERS, "test.note", recorder.note)
    monkeypatch.setitem(services.HANDLERS, "test.flaky", recorder.flaky)
    return recorder
