"""Browser fixtures: the test app served on 127.0.0.1 from a background thread (on SQLite or,
with TEST_DATABASE_URL, PostgreSQL), Debian's Chromium driven by Playwright, people at their
own browser windows, and an axe-core accessibility audit of every page they load.

The browser tests skip, with the reason shown, when Playwright or Chromium is missing; with
REQUIRE_BROWSER=1 (CI) a missing browser fails them instead.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from tests.browser.chromium import CHROMIUM
from tests.browser.chromium import CHROMIUM_ARGS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# The impacts that fail a page: axe-core's two highest of four.
FAILING_IMPACTS = ("serious", "critical")


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once for the tests of a module."""
    missing = _missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(WSGIRequestHandler):
    """No access log: a failing journey prints the page, not a hundred GET lines."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free port of 127.0.0.1; yields its base URL.

    Certificates and e-mails print addresses under PUBLIC_BASE_URL, so it points here.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# -- accessibility --------------------------------------------------------------------------------


@dataclass
class Violation:
    """One axe-core rule broken on one page."""

    page: str
    width: int
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:5]) + (" ..." if len(self.targets) > 5 else "")
        return f"{self.page} @{self.width}px: [{self.impact}] {self.rule}: {self.help} ({where})"


# The kinds of element on a page, without text or repetition: tag, type, role, classes and a form
# control's name (digits dropped, so row 2 is row 1's kind). A page loaded again with no kind of
# element that its earlier audits did not see has nothing new for axe-core to judge.
_KINDS = """() => Array.from(new Set(Array.from(document.body.querySelectorAll('*'), e =>
  [e.tagName, e.getAttribute('type'), e.getAttribute('role'), e.getAttribute('class'),
   e.getAttribute('name')].join(':').replace(/[0-9]+/g, ''))))"""


@dataclass
class Accessibility:
    """Runs axe-core on pages and keeps the serious and critical violations it finds."""

    base_url: str
    violations: list[Violation] = field(default_factory=list)
    audited: list[tuple[str, int]] = field(default_factory=list)
    unchanged: int = 0
    _seen: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    _axe: Any = None

    def audit(self, page: Any) -> None:
        """Check the page as it is now; violations are kept for `assert_clean`."""
        width = page.viewport_size["width"]
        path = page.url.removeprefix(self.base_url).split("#")[0] or "/"
        kinds = set(page.evaluate(_KINDS))
        seen = self._seen.setdefault((path, width), set())
        if kinds <= seen:
            self.unchanged += 1
            return
        seen |= kinds
        if self._axe is None:
            from axe_playwright_python.sync_playwright import Axe

            self._axe = Axe()  # bundles axe.min.js: nothing is fetched
        results = self._axe.run(page).response
        self.audited.append((path, width))
        for rule in results["violations"]:
            if rule.get("impact") in FAILING_IMPACTS:
                self.violations.append(
                    Violation(
                        page=path,
                        width=width,
                        rule=rule["id"],
                        impact=rule["impact"],
                        help=rule["help"],
                        targets=[" ".join(map(str, n["target"])) for n in rule["nodes"]],
                    )
                )

    def assert_clean(self) -> None:
        """Fail listing every serious or critical violation found so far."""
        unique = list(dict.fromkeys(str(v) for v in self.violations))
        assert not unique, (
            f"{len(unique)} serious or critical accessibility violation(s) in "
            f"{len(self.audited)} audits:\n" + "\n".join(unique)
        )


@pytest.fixture
def accessibility(live_server: str) -> Accessibility:
    """An axe-core auditor for pages of the live server."""
    return Accessibility(live_server)


# -- people at a browser --------------------------------------------------------------------------


class Person:
    """One person's browser (own cookies) on the live server; every page load is audited."""

    def __init__(self, browser: Any, base_url: str, a11y: Accessibility, viewport: dict) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport=viewport, accept_downloads=True
        )
        self.context.set_default_timeout(20_000)  # generous: CI machines are small
        self.page = self.context.new_page()
        self.base_url = base_url
        self.a11y = a11y

    def _check(self, response: Any, what: str) -> None:
        """The page loaded without an error status; audit it."""
        status = response.status if response is not None else 0
        assert status < 400, f"{what} answered {status}: {self.page.url}\n{self.main_text()[:800]}"
        self.a11y.audit(self.page)

    def open(self, path: str) -> Any:
        """Go to a page of the app by its path."""
        response = self.page.goto(path)
        self._check(response, f"GET {path}")
        return self.page

    def follow(self, name: str, *, exact: bool = False) -> Any:
        """Click a link by its accessible name."""
        return self.click(
            self._unfolded(self.page.get_by_role("link", name=name, exact=exact).first)
        )

    def press(self, name: str, *, exact: bool = False, within: Any = None) -> Any:
        """Click a button by its accessible name (within a part of the page when given)."""
        scope = within if within is not None else self.page
        return self.click(self._unfolded(scope.get_by_role("button", name=name, exact=exact).first))

    def _unfolded(self, locator: Any) -> Any:
        """`locator`, after opening the navigation's Menu when it hides it (phone widths)."""
        menu = self.page.locator("button.navbar-toggler")
        if not locator.is_visible() and menu.is_visible():
            menu.click()
            self.page.locator("#main-menu.show").wait_for()
        return locator

    def click(self, locator: Any) -> Any:
        """Click something that loads a new page and audit that page."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        self._check(navigation.value, "the page")
        return self.page

    def fill(self, label: str, value: str, *, within: Any = None) -> None:
        """Type into the field with this label (exactly)."""
        (within or self.page).get_by_label(label, exact=True).fill(value)

    def select(self, label: str, option: str, *, within: Any = None) -> None:
        """Choose the first option of a select box whose text contains `option`."""
        box = (within or self.page).get_by_label(label, exact=True)
        for item in box.locator("option").all():
            if option in item.inner_text():
                box.select_option(item.get_attribute("value"))
                return
        raise AssertionError(f"{label!r} has no option with {option!r}")

    def tick(self, label: str | re.Pattern, *, within: Any = None) -> None:
        """Check the checkbox or radio button with this label."""
        (within or self.page).get_by_label(label, exact=True).check()

    def attach(self, label: str, name: str, content: bytes, mime: str) -> None:
        """Choose a file for the file field with this label, as the file picker would."""
        self.page.get_by_label(label, exact=True).set_input_files(
            {"name": name, "mimeType": mime, "buffer": content}
        )

    def expand(self, summary: str) -> Any:
        """Open a collapsed part of the page by its summary text; return that part."""
        part = self.page.locator("details", has=self.page.locator("summary", has_text=summary))
        part.locator("summary").click()
        return part

    def main_text(self) -> str:
        """The text of the page's main landmark."""
        return self.page.locator("main").inner_text()

    def flash(self) -> str:
        """The messages shown at the top of the page."""
        return " ".join(self.page.locator("main .alert").all_inner_texts())

    def close(self) -> None:
        """Close this person's browser window."""
        self.context.close()


@pytest.fixture
def person(chromium: Any, live_server: str, accessibility: Accessibility) -> Iterator[Any]:
    """`person()` opens a new browser window (own cookies): desktop width unless told."""
    opened: list[Person] = []

    def open_window(viewport: dict | None = None) -> Person:
        window = Person(chromium, live_server, accessibility, viewport or DESKTOP)
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.close()
