"""`PORT=N make run` serves on port N and prints addresses on port N: the demo's verification
URLs open, and the QR code of a certificate's PDF, decoded from the downloaded file, is the
verification URL on port N too. The real command, on a fresh SQLite database of its own."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.certificates.pdfs import qr_codes
from tracker.demo.data import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 300  # install check, migrations, the demo's password hashes, then the server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`make run` in the background, its output collected line by line."""

    def __init__(self, port: int, instance: Path) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PUBLIC_BASE_URL", "DATABASE_URL", "TRACKER_ENV", "SECRET_KEY")
            and not key.startswith(("FLASK_", "TEST_DATABASE", "MAKE", "MFLAGS"))
        }
        env.update(PORT=str(port), INSTANCE_PATH=str(instance))
        self.port = port
        self.lines: list[str] = []
        # `-o .venv/.installed`: the venv the tests run in is the one to use, never reinstalled.
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, ended with everything it started
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)

    def wait_until_serving(self) -> None:
        """Return once the server answers; fail with the output if it stops or never does."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run stopped ({self.process.returncode}):\n{self.output}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"make run did not serve within {STARTUP_SECONDS} s:\n{self.output}")

    def stop(self) -> None:
        """End make and the server it started (their process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    """`PORT=<a free port> make run` on a database of its own."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("no installed .venv to run from (make install)")
    server = Served(_free_port(), tmp_path / "instance")
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


class Browser:
    """A client with cookies, as a person's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, bytes]:
        """GET `url` (absolute, or a path on the server)."""
        full = url if url.startswith("http") else self.base + url
        with self.opener.open(full, timeout=60) as response:
            return response.status, response.read()

    def sign_in(self, email: str, password: str) -> None:
        """Through the sign-in form, with its CSRF token."""
        _, page = self.get("/account/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
        login = self.base + "/account/login"
        request = urllib.request.Request(login, data=data.encode())  # noqa: S310 - our server
        with self.opener.open(request, timeout=60) as response:
            assert b"Signed in as" in response.read()


def test_make_run_prints_and_serves_addresses_on_its_port(served):
    base = f"http://127.0.0.1:{served.port}"
    output = served.output
    assert f"Sign in at {base}/account/login" in output, output
    printed = re.findall(r"verifies at (\S+)", output)
    assert len(printed) == 4, output  # the valid, lapsed, revoked and reinstated certificates
    assert all(url.startswith(f"{base}/verify/") for url in printed), printed
    browser = Browser(base)
    for url, word in zip(printed, ("Valid", "Lapsed", "Revoked", "Valid"), strict=True):
        status, page = browser.get(url)  # the printed URL opens, on this port
        assert status == 200
        assert word.encode() in page
    valid_url = printed[0]

    browser.sign_in("graduate@example.org", DEFAULT_PASSWORD)
    _, page = browser.get("/certificates/mine")
    assert valid_url.encode() in page
    pdf_path = re.search(rb'href="(/certificates/\d+/certificate\.pdf)"', page).group(1).decode()
    status, pdf = browser.get(pdf_path)
    assert status == 200
    assert qr_codes(pdf) == [valid_url]
