"""The loader reads one enrollment in one query, and the same facts as a list reads it with."""

from __future__ import annotations

from dataclasses import fields

import pytest
from sqlalchemy import select

from tests.standing.factories import with_every_record
from tracker.enrollments.models import Enrollment
from tracker.progress.facts import EnrollmentFacts
from tracker.standing import assess
from tracker.standing import assess_one
from tracker.standing.loader import load_enrollment
from tracker.standing.loader import load_enrollments

# What the builder leaves at the engine's empty default on purpose.
LEFT_EMPTY = {"deferred"}


@pytest.fixture
def full(create_user, staff):
    """An enrollment with a record of every kind, beside another trainee's with the same (its
    requirements not pinned)."""
    supervisor = create_user("supervisor")
    mine = with_every_record(create_user("trainee", name="Avery Every"), staff, supervisor)
    with_every_record(create_user("trainee", name="Olga Other"), staff, supervisor, pin=False)
    return mine


def test_the_builder_fills_every_fact(full):
    loaded = load_enrollment(full.id)
    empty = EnrollmentFacts()
    unfilled = {
        field.name
        for field in fields(EnrollmentFacts)
        if getattr(loaded.facts, field.name) == getattr(empty, field.name)
    }
    assert unfilled == LEFT_EMPTY


def test_one_enrollment_reads_what_a_list_reads(full):
    listed = load_enrollments(select(Enrollment.id))
    assert [loaded.row.id for loaded in listed] == [full.id, full.id + 1]
    for same in listed:
        assert load_enrollment(same.row.id) == same
        assert same.spec is not None
    assert assess_one(full.id) == assess(select(Enrollment.id).where(Enrollment.id == full.id))[0]


def test_one_enrollment_is_one_query(full, count_queries):
    enrollment_id = full.id
    with count_queries() as counter:
        assert load_enrollment(enrollment_id) is not None
    assert counter.count == 1, counter.statements


def test_an_unknown_enrollment_loads_nothing(full, count_queries):
    unknown = full.id + 1000
    with count_queries() as counter:
        assert load_enrollment(unknown) is None
        assert assess_one(unknown) is None
    assert counter.count == 2
