"""The list pages read a fixed number of queries, however many entries there are."""

from __future__ import annotations

import pytest

from tests.training.factories import add_ce
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import add_session


def _fill(enrollment, n):
    for _ in range(n):
        add_didactic(enrollment, "0.25")
        add_experiential(enrollment, "0.25")
        add_ce(enrollment, "1")
        add_session(enrollment)


@pytest.mark.parametrize("url", ["/training/", "/training/ce", "/supervision/"])
def test_list_pages_do_not_query_per_row(signed_in, enrollment, count_queries, url):
    _fill(enrollment, 1)
    with count_queries() as few:
        assert signed_in.get(url).status_code == 200
    _fill(enrollment, 6)
    with count_queries() as many:
        assert signed_in.get(url).status_code == 200
    assert many.count == few.count
