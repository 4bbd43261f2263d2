"""The start-up burst of sign-ins: many people signing in at the same moment, on SQLite.

A scratch SQLite database (WAL, in a temporary folder) with BURST_THREADS accounts (and one that
warms the workers up first), gunicorn with production settings (the production argon2
parameters) and BURST_WORKERS workers, then BURST_THREADS threads, each a person connecting
from their own loopback address, each signing in BURST_ROUNDS times in a row (fetching the form
and its CSRF token, then posting it) with no pause. Only the POST is timed. It prints
p50/p95/p99 and the slowest sign-in, and how long a one-row write by another connection
waited meanwhile (every 50 ms), and exits non-zero when any sign-in failed.

    .venv/bin/python bench/signin_burst.py            # 20 people x 5 sign-ins, 4 workers

Environment: BURST_THREADS (default 20), BURST_ROUNDS (5), BURST_WORKERS (4).
Internal: `signin_burst.py seed N` runs inside the app's environment as a child process.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from load import PASSWORD  # noqa: E402
from load import Scratch  # noqa: E402
from load import _free_port  # noqa: E402
from load import _int_env  # noqa: E402
from load import _run  # noqa: E402
from load import _wait_until_up  # noqa: E402
from load import app_environment  # noqa: E402

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _email(n: int) -> str:
    return f"burst{n}@example.org"


def do_seed(count: int) -> None:
    """Create `count` trainee accounts with the burst's password (child process, in the app)."""
    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.accounts.passwords import hash_password
    from tracker.extensions import db

    app = create_app()
    with app.app_context():
        for n in range(count):
            db.session.add(
                User(
                    email=_email(n),
                    full_name=f"Burst Person {n}",
                    password_hash=hash_password(PASSWORD),
                    is_trainee=True,
                )
            )
        db.session.commit()


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def person(
    n: int, port: int, rounds: int, start: threading.Barrier | None, times: list, errors: list
):
    """Sign in `rounds` times as account `n`, from the loopback address 127.0.0.(n+2)."""
    source = (f"127.0.0.{n + 2}", 0)
    if start is not None:
        start.wait()
    for _ in range(rounds):
        jar: dict[str, str] = {}
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
            conn.request("GET", "/account/login")
            page = conn.getresponse()
            _cookies(page, jar)
            token = _CSRF.search(page.read().decode())
            if token is None:
                raise RuntimeError(f"no CSRF token (status {page.status})")
            body = urllib.parse.urlencode(
                {"csrf_token": token.group(1), "email": _email(n), "password": PASSWORD, "next": ""}
            )
            started = time.perf_counter()
            conn.request(
                "POST",
                "/account/login",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": _header(jar),
                },
            )
            answer = conn.getresponse()
            answer.read()
            elapsed = time.perf_counter() - started
            conn.close()
            if answer.status != 302 or answer.getheader("Location") != "/home":
                raise RuntimeError(f"sign-in answered {answer.status}")
            times.append(elapsed * 1000)
        except Exception as error:  # counted and shown below
            errors.append(repr(error))


def writer(database: Path, email: str, stop: threading.Event, waits: list) -> None:
    """Another writer meanwhile: a one-row write every 50 ms, timed from BEGIN IMMEDIATE (which
    waits for the write lock) to its commit."""
    connection = sqlite3.connect(database, timeout=60, isolation_level=None)
    try:
        while not stop.wait(0.05):
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE users SET job_title = 'Writer' WHERE email = ?", (email,))
            connection.execute("COMMIT")
            waits.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    """Run the burst and print its percentiles."""
    threads = _int_env("BURST_THREADS", 20, 1)
    rounds = _int_env("BURST_ROUNDS", 5, 1)
    workers = _int_env("BURST_WORKERS", 4, 1)
    scratch = Scratch(None)
    folder = Path(tempfile.mkdtemp(prefix="kap-burst-"))
    scratch.create(folder)
    port = _free_port()
    env = app_environment(scratch, folder, port)
    env["RATELIMIT_STORAGE_URI"] = "memory://"
    log = folder / "setup.log"
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    server = None
    try:
        _run([*flask, "db", "upgrade"], env, "migrations", log)
        _run([sys.executable, __file__, "seed", str(threads + 1)], env, "accounts", log)
        server_log = folder / "gunicorn.log"
        with server_log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "tracker:create_app()",
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(f"http://127.0.0.1:{port}", server, server_log)
        # Warm every worker up first (imports, templates): the burst measures the sign-ins.
        warm: list[float] = []
        errors: list[str] = []
        person(threads, port, 2 * workers, None, warm, errors)
        times: list[float] = []
        start = threading.Barrier(threads)
        people = [
            threading.Thread(target=person, args=(n, port, rounds, start, times, errors))
            for n in range(threads)
        ]
        waits: list[float] = []
        stop = threading.Event()
        other = threading.Thread(
            target=writer, args=(folder / "load.db", _email(threads), stop, waits)
        )
        began = time.perf_counter()
        other.start()
        for thread in people:
            thread.start()
        for thread in people:
            thread.join()
        wall = time.perf_counter() - began
        stop.set()
        other.join()
        print(
            f"Sign-in burst on SQLite: {threads} people x {rounds} sign-ins, {workers} gunicorn "
            f"workers, {len(times)} signed in in {wall:.1f} s, {len(errors)} errors"
        )
        if times:
            print(
                "  POST /account/login ms: "
                f"p50 {_percentile(times, 0.50):.0f} / p95 {_percentile(times, 0.95):.0f} / "
                f"p99 {_percentile(times, 0.99):.0f} / max {max(times):.0f}"
            )
        if waits:
            print(
                f"  another writer meanwhile ({len(waits)} one-row writes) ms: "
                f"p50 {_percentile(waits, 0.50):.0f} / p99 {_percentile(waits, 0.99):.0f} / "
                f"max {max(waits):.0f}"
            )
        for error in sorted(set(errors))[:5]:
            print(f"  error: {error}")
        return 1 if errors or not times else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if os.environ.get("BURST_KEEP", "") in ("", "0"):
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"Scratch folder kept: {folder}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        do_seed(int(sys.argv[2]))
    else:
        sys.exit(main())
