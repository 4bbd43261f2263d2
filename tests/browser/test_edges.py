"""The rough edges, as people meet them in a browser: a staff member sets up two-step sign-in
and signs in with a code; a 30 MB upload comes back as the same form with the other fields kept
and the limit in words; the 11th certificate look-up in a minute gets the site's own page with
the wait in words; at 360 px the navigation folds behind a Menu button that works from the
keyboard. Every page is audited by axe-core. With SCREENSHOT_DIR set, the oversize-upload and
rate-limit pages are saved there as PNG files."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.browser.conftest import Accessibility
from tests.browser.conftest import Person
from tests.browser.conftest import _QuietHandler
from tests.conftest import PASSWORD
from tests.eligibility.factories import PDF
from tests.eligibility.factories import iso
from tracker.accounts import second_factor
from tracker.extensions import utcnow


def _shoot(window: Person, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        window.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _sign_in(window: Person, email: str, then: str = "") -> None:
    window.open(f"/account/login?next={then}" if then else "/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")


class Clock:
    """The time the second-factor checks read (the server runs in this process)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_a_staff_member_sets_up_two_step_sign_in_and_signs_in_with_it(
    person, accessibility, create_user, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(second_factor, "utcnow", clock)
    staff = create_user("staff", name="Sam Staff", email="sam@example.org")
    window = person()
    _sign_in(window, staff.email)
    window.open("/account/sessions")
    window.follow("Two-step sign-in")
    window.follow("Set up an authenticator app")
    assert window.page.locator(".qr-code img").is_visible()
    secret = window.page.get_by_test_id("totp-secret").inner_text().strip()
    window.fill("Code", "000000")
    window.press("Turn on two-step sign-in")
    assert "That code is not right." in window.main_text()
    window.fill("Code", pyotp.TOTP(secret).at(clock.now))
    window.press("Turn on two-step sign-in")
    codes = window.page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    window.follow("I have kept them")
    assert "Recovery codes left: 10 of 10" in window.main_text()
    window.press("Sign out")

    window.fill("E-mail address", staff.email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")
    assert window.page.url.endswith("/account/login/code")
    clock.now += timedelta(seconds=30)
    window.fill("Code", pyotp.TOTP(secret).at(clock.now))
    window.press("Continue")
    assert "Signed in as Sam Staff" in window.flash()

    phone = person(PHONE)  # the new pages at 360 px
    _sign_in(phone, staff.email, "/account/two-factor")
    clock.now += timedelta(seconds=30)
    phone.fill("Code", pyotp.TOTP(secret).at(clock.now))
    phone.press("Continue")
    for path in ("/account/two-factor", "/account/password", "/account/email"):
        phone.open(path)
        assert phone.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        )
    accessibility.assert_clean()


def test_a_30_mb_upload_comes_back_as_the_form_with_its_fields(
    person, accessibility, create_user, tmp_path
):
    trainee = create_user("trainee", name="Tess Trainee", email="tess@example.org")
    window = person()
    _sign_in(window, trainee.email)
    window.open("/eligibility/licences/new")
    window.select("Licence type", "LCSW")
    window.fill("Licence number", "LCSW 98765")
    window.fill("Issuing state or country", "CA")
    window.fill("Expires on", iso(700))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF[:-6] + b"0" * (30 * 1024 * 1024) + b"%%EOF\n")
    window.page.get_by_label("Licence document", exact=True).set_input_files(scan)
    window.press("Record licence")
    text = window.main_text()
    assert "The file is larger than 10 MB: files may be up to 10 MB." in text
    assert window.page.get_by_label("Licence number", exact=True).input_value() == "LCSW 98765"
    assert window.page.get_by_label("Issuing state or country", exact=True).input_value() == "CA"
    _shoot(window, "oversize-upload")
    accessibility.assert_clean()


@contextmanager
def _served(app: Flask) -> Iterator[str]:
    """`app` served on a free port of 127.0.0.1 for the length of the block; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="limited-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_11th_look_up_in_a_minute_says_when_to_try_again(chromium, make_app, viewport):
    limited = make_app(RATELIMIT_ENABLED=True)
    with _served(limited) as base_url:
        accessibility = Accessibility(base_url)
        window = Person(chromium, base_url, accessibility, viewport)
        try:
            window.open("/verify")
            for _ in range(10):
                window.fill("Certificate number", "KAP-2026-000999")
                window.fill("Holder's last name", "Nobody")
                window.press("Verify")
            window.fill("Certificate number", "KAP-2026-000999")
            window.fill("Holder's last name", "Nobody")
            with window.page.expect_navigation() as navigation:
                window.page.get_by_role("button", name="Verify").click()
            assert navigation.value.status == 429
            assert window.page.locator("h1").inner_text() == "Too many look-ups"
            assert re.search(r"Too many look-ups: try again in \d+ seconds\.", window.main_text())
            accessibility.audit(window.page)
            _shoot(window, "rate-limit" if viewport is DESKTOP else "rate-limit-phone")
            window.follow("Back to where you were")
            assert window.page.url.endswith("/verify")
            accessibility.assert_clean()
        finally:
            window.close()


def test_at_360_px_the_navigation_folds_behind_a_menu_button(person, accessibility, create_user):
    staff = create_user("staff", "supervisor")
    window = person(PHONE)
    _sign_in(window, staff.email, "/account/sessions")
    nav = window.page.locator("nav[aria-label=Main]")
    assert nav.bounding_box()["height"] < 80  # one row, not four or five
    menu = window.page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not window.page.get_by_role("link", name="Home").is_visible()
    menu.focus()
    window.page.keyboard.press("Enter")
    window.page.get_by_role("link", name="Home").wait_for(state="visible")
    assert menu.get_attribute("aria-expanded") == "true"
    assert window.page.get_by_role("button", name="Sign out", exact=True).is_visible()
    window.page.locator("#main-menu.show").wait_for()  # opened (not still sliding)
    menu.focus()
    window.page.keyboard.press("Enter")  # it folds again
    window.page.get_by_role("link", name="Home").wait_for(state="hidden")
    assert menu.get_attribute("aria-expanded") == "false"
    accessibility.audit(window.page)
    accessibility.assert_clean()
