"""A trainee's pace over time (the trainee home's chart): weeks since the cohort started, the
hours logged by each week's end as the pace rule counts them, the expected pace, and the
projected day the total is reached."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress.facts import DidacticEntry
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import ExperientialEntry
from tracker.progress.facts import Leave
from tracker.progress.pace import pace_over_time
from tracker.progress.requirements import RequirementSpec

START = date(2026, 1, 5)  # a Monday
END = START + timedelta(days=140)  # 20 weeks
SPEC = RequirementSpec.default("online")  # 140 program hours


def facts(*entries, leaves=()) -> EnrollmentFacts:
    didactic = tuple(e for e in entries if isinstance(e, DidacticEntry))
    experiential = tuple(e for e in entries if isinstance(e, ExperientialEntry))
    return EnrollmentFacts(
        status="admitted",
        cohort_starts_on=START,
        cohort_ends_on=END,
        didactic=didactic,
        experiential=experiential,
        leaves=tuple(leaves),
    )


def d(days: int, hours: str, status: str = "verified") -> DidacticEntry:
    return DidacticEntry("pharmacology", START + timedelta(days=days), Decimal(hours), status)


def test_weeks_accumulate_what_the_pace_rule_counts():
    today = START + timedelta(days=20)  # in week 3
    result = pace_over_time(
        facts(
            d(0, "7"),
            d(8, "7", "pending"),  # waiting counts: the trainee did it
            d(9, "5", "returned"),  # returned for correction does not
            ExperientialEntry("personal_session", START + timedelta(days=10), Decimal(3)),
            ExperientialEntry("observation", START + timedelta(days=15), Decimal(2)),
        ),
        SPEC,
        today,
    )
    assert [p.week for p in result.points] == [1, 2, 3]
    assert [p.logged for p in result.points] == [Decimal(7), Decimal(14), Decimal(16)]
    assert result.points[-1].ends_on == today
    assert result.logged == Decimal(16)
    # expected: 140 hours evenly over 140 days, one hour a day
    assert [p.expected for p in result.points] == [Decimal(7), Decimal(14), Decimal(21)]


def test_projection_at_the_pace_so_far():
    today = START + timedelta(days=27)  # 28 days gone
    result = pace_over_time(facts(d(0, "14"), d(14, "14")), SPEC, today)
    # 28 hours in 28 days: 112 more hours take 112 days
    assert result.per_week == Decimal("7.0")
    assert result.projected_on == today + timedelta(days=112)
    assert not result.reached


def test_leave_is_not_time_gone():
    today = START + timedelta(days=27)
    back = START + timedelta(days=28)
    leave = Leave(START + timedelta(days=14), expected_return_on=back, returned_on=back)
    result = pace_over_time(facts(d(0, "14"), leaves=[leave]), SPEC, today)
    # 14 hours in the 14 days not on leave: one hour a day
    assert result.per_week == Decimal("7.0")
    assert result.projected_on == today + timedelta(days=126)


def test_nothing_logged_projects_nothing_and_total_reached_says_so():
    today = START + timedelta(days=10)
    assert pace_over_time(facts(), SPEC, today).projected_on is None
    done = pace_over_time(facts(d(0, "140")), SPEC, today)
    assert done.reached and done.projected_on is None


@pytest.mark.parametrize(
    "starts, ends, today",
    [
        (None, None, START),
        (START, END, START - timedelta(days=1)),  # the cohort has not started
    ],
)
def test_no_pace_without_a_running_cohort(starts, ends, today):
    result = pace_over_time(
        EnrollmentFacts(status="admitted", cohort_starts_on=starts, cohort_ends_on=ends),
        SPEC,
        today,
    )
    assert result is None


def test_expected_stops_at_the_total_after_the_cohort_ends():
    today = END + timedelta(days=20)
    result = pace_over_time(facts(d(0, "10")), SPEC, today)
    assert result.points[-1].expected == SPEC.program_total_hours
