"""Capture the README's screenshots: the demo served on a scratch database, photographed by
Debian's Chromium through Playwright at desktop and phone widths.

Run with `make screenshots`; the images land in docs/screenshots/. Words given after the
script's name keep only the screenshots whose names contain one of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make the tests package importable

from tests.browser.chromium import CHROMIUM  # noqa: E402
from tests.browser.chromium import CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "demo passphrase for kap"
SHOTS = (
    ("trainee@example.org", "/dashboard/trainee", "trainee-home"),
    ("supervisor@example.org", "/home", "supervisor-home"),
    ("staff@example.org", "/dashboard/cohort", "staff-cohort"),
    ("graduate@example.org", "/certificates/mine", "certificate"),
    ("staff@example.org", "/reports/funnel", "reports-funnel"),
    ("staff@example.org", "/reports/pace", "reports-pace"),
)
WIDTHS = (("desktop", 1280, 900), ("phone", 360, 780))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(folder: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'shots.db'}",
        "INSTANCE_PATH": str(folder),
        "TRACKER_ENV": "development",
    }
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True)
    # What the worker does next: store every enrollment's standing (the reports count it).
    subprocess.run([*flask, "progress", "refresh"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*flask, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):  # up to a minute on a busy machine
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the app did not start")


def main() -> None:
    """Serve the demo, sign in as each demo person and photograph their page."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        server = _serve(Path(tmp), port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                wanted = sys.argv[1:]
                for email, path, name in SHOTS:
                    if wanted and not any(word in name for word in wanted):
                        continue
                    for label, width, height in WIDTHS:
                        page = browser.new_page(viewport={"width": width, "height": height})
                        page.goto(f"{base}/account/login")
                        page.fill("#email", email)
                        page.fill("#password", PASSWORD)
                        page.click("button[type=submit]")
                        page.goto(f"{base}{path}")
                        page.screenshot(path=str(OUT / f"{name}-{label}.png"), full_page=False)
                        page.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"screenshots written to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
