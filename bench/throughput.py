"""Requests per second of the cohort page and the trainee home, as a ratio of `/healthz`.

One gunicorn (2 sync workers, production settings) serves a benchmark database built by
`make bench`; a load generator keeps 8 connections busy for BENCH_SECONDS (default 15) on each
path in turn, signed in as the bench's staff member and trainee. The ratio to `/healthz` in the
same run cancels most of what the machine's other work costs every path alike.

`python bench/throughput.py [DATABASE_URL]` (default: bench/bench_10000.db); `make bench`
runs it on the 10,000 data set and stores the figures in bench/results.json.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

CONNECTIONS = 8
WORKERS = 2
PATHS = {
    "healthz": ("/healthz", None),
    "cohort": ("/dashboard/cohort", "staff"),
    "trainee_home": ("/dashboard/trainee", "trainee"),
}
TARGETS = {"cohort": 0.15, "trainee_home": 0.30}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _drive(port: int, path: str, cookie: str, seconds: float) -> tuple[int, int]:
    """Keep CONNECTIONS requests in flight for `seconds`; return (answered 200, other)."""
    ok, bad = [0] * CONNECTIONS, [0] * CONNECTIONS
    headers = {"Cookie": cookie} if cookie else {}
    stop = time.monotonic() + seconds

    def loop(n: int) -> None:
        while time.monotonic() < stop:
            # gunicorn's sync workers close each connection after its response.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    ok[n] += 1
                else:
                    bad[n] += 1
            except OSError:
                bad[n] += 1
            finally:
                connection.close()

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ok), sum(bad)


def measure(url: str, seconds: float | None = None) -> dict:
    """Serve `url` with gunicorn and return requests/s per path and the ratios to /healthz."""
    from build import PASSWORD
    from load import Visitor

    seconds = seconds or float(os.environ.get("BENCH_SECONDS", "15"))
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="kap-throughput-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_DATABASE"))},
        "TRACKER_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "AUDIT_KEYS": "bench:bench-only-audit-key-0123456789abcdef",
        "SESSION_COOKIE_SECURE": "0",
        # Password sign-in for the measured staff and supervisors, as `make serve` does (production
        # otherwise sends them to set up a second factor first).
        "SECOND_FACTOR_REQUIRED": "0",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOW_INSECURE_BASE_URL": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "tracker:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while _drive_once(port) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {folder / 'gunicorn.log'}")
            time.sleep(0.3)
        cookies = {}
        for role, email in (
            ("staff", "staff@bench.example.org"),
            ("trainee", "trainee2@bench.example.org"),
        ):
            visitor = Visitor("127.0.0.1")
            token = visitor.token(port, "/account/login")
            status, _location, _text = visitor.request(
                port,
                "POST",
                "/account/login",
                {"email": email, "password": PASSWORD, "csrf_token": token},
            )
            if status != 302:
                raise SystemExit(f"sign-in of {email} failed ({status})")
            cookies[role] = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
        result: dict = {"connections": CONNECTIONS, "workers": WORKERS, "seconds": seconds}
        for name, (path, role) in PATHS.items():
            cookie = cookies.get(role, "") if role else ""
            _drive(port, path, cookie, 2)  # warm up: templates compiled, caches filled
            load_before = os.getloadavg()[0]
            ok, bad = _drive(port, path, cookie, seconds)
            result[name] = {
                "requests_per_s": round(ok / seconds, 1),
                "errors": bad,
                "load_avg": round((load_before + os.getloadavg()[0]) / 2, 2),
            }
        base = result["healthz"]["requests_per_s"] or 1
        for name in TARGETS:
            result[name]["ratio_to_healthz"] = round(result[name]["requests_per_s"] / base, 3)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _drive_once(port: int) -> int:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError:
        return 0


def report(result: dict) -> None:
    """Print the rates and each ratio against its target."""
    print(
        f"\nThroughput: gunicorn {result['workers']} workers, {result['connections']} "
        f"connections, {result['seconds']:.0f} s per page"
    )
    for name in PATHS:
        r = result[name]
        ratio = r.get("ratio_to_healthz")
        extra = ""
        if ratio is not None:
            verdict = "met" if ratio >= TARGETS[name] else "MISSED"
            extra = f"  {ratio:.1%} of /healthz (target >= {TARGETS[name]:.0%}) -> {verdict}"
        print(
            f"  {name:<14} {r['requests_per_s']:>7.1f} req/s  errors {r['errors']}  "
            f"load {r['load_avg']:.1f}{extra}"
        )


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{HERE / 'bench_10000.db'}"
    report(measure(target))
