"""The end of the renewal cycle under way from the certificate and the requirement set alone
(what verification shows from a stored verdict) is the end of `current_cycle`, case by case."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.progress import Certificate
from tracker.progress.certification_rules import current_cycle
from tracker.progress.certification_rules import current_cycle_ends_on

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("certificate", "ends_on"),
    [
        (None, None),
        (Certificate(TODAY), date(2027, 5, 31)),
        (Certificate(TODAY - timedelta(days=30)), date(2027, 5, 1)),
        (Certificate(date(2023, 6, 1)), date(2027, 5, 31)),  # the second cycle starts today
        (Certificate(date(2023, 6, 2)), date(2025, 6, 1)),  # the cycle's last day is today
        (Certificate(date(2021, 1, 31)), date(2027, 1, 30)),
        (Certificate(date(2023, 6, 1), expires_on=TODAY), date(2027, 5, 31)),
        (Certificate(date(2023, 6, 1), expires_on=TODAY - timedelta(days=1)), None),
        (Certificate(TODAY - timedelta(days=30), revoked=True), None),
        (Certificate(TODAY + timedelta(days=1)), None),  # not issued yet on this day
    ],
)
def test_the_cycle_end_is_the_current_cycles(enrollments, spec, certificate, ends_on):
    facts = enrollments.certified(TODAY, certificate=certificate)
    cycle = current_cycle(facts, spec, TODAY)
    assert current_cycle_ends_on(certificate, spec, TODAY) == ends_on
    assert (cycle.ends_on if cycle is not None else None) == ends_on
