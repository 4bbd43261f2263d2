"""The accessibility audit itself: a page with an unlabelled field fails it, naming the rule."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Accessibility

PAGE = """<!doctype html><html lang="en"><head><title>Search</title></head>
<body><main><h1>Search</h1><form><input id="q" name="q"><button>Find</button></form></main>
</body></html>"""


def test_an_unlabelled_field_fails_the_audit(chromium):
    page = chromium.new_page()
    try:
        page.set_content(PAGE)
        audit = Accessibility(base_url="about:")
        audit.audit(page)
    finally:
        page.close()
    with pytest.raises(AssertionError, match=r"\[critical\] label: .*#q"):
        audit.assert_clean()
