"""The verdict holds until the date the engine gives, on days close to the facts' own dates."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.progress.test_engine_properties import SETTINGS
from tests.progress.test_horizon import HORIZON_SPECS
from tests.progress.test_horizon import horizon_facts
from tests.progress.test_horizon import verdict
from tracker.progress import compute
from tracker.progress.horizon import _dates


@SETTINGS
@given(data=st.data(), spec=st.sampled_from(HORIZON_SPECS))
def test_the_verdict_holds_on_days_near_the_facts_dates(enrollments, data, spec):
    """With today a little after (or before) one of the facts' dates, where the waits and
    warning windows turn, every day up to `holds_until` gives today's verdict."""
    facts = data.draw(horizon_facts(enrollments))
    anchors = sorted(set(_dates(facts)))
    if not anchors:
        return
    anchor = data.draw(st.sampled_from(anchors))
    today = anchor + timedelta(days=data.draw(st.integers(-5, 120)))
    progress = compute(facts, spec, today)
    seen = verdict(progress)
    span = (progress.holds_until - today).days
    # The first weeks day by day (where the waits turn), then the day before the date given.
    for offset in sorted({*range(1, min(span, 40)), span - 1} - {0}):
        later = today + timedelta(days=offset)
        assert verdict(compute(facts, spec, later)) == seen, (offset, today)
