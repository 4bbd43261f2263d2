"""Builders of didactic and experiential entries and continuing education."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.factories import added
from tracker.factories import at
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

E = TypeVar("E", DidacticEntry, ExperientialEntry)


def yesterday(timezone: str = "UTC") -> date:
    """Yesterday in the program's time zone."""
    return today_in(timezone) - timedelta(days=1)


def add_didactic(
    enrollment: Enrollment, hours: str = "2", status: str = "pending", **values
) -> DidacticEntry:
    """A didactic entry as the trainee logged it (the rules are not checked)."""
    defaults = {"topic_code": "pharmacology", "provider": "Course A"}
    return _entry(DidacticEntry, enrollment, hours, status, defaults | values)


def add_experiential(
    enrollment: Enrollment, hours: str = "2", status: str = "pending", **values
) -> ExperientialEntry:
    """An experiential entry as the trainee logged it (the rules are not checked)."""
    defaults = {"kind": "observation", "facilitator": "Dr Facilitator"}
    return _entry(ExperientialEntry, enrollment, hours, status, defaults | values)


def _entry(model: type[E], enrollment: Enrollment, hours: str, status: str, values) -> E:
    """A training entry of `model` on yesterday with no note, unless `values` say otherwise."""
    values = {"on": yesterday(), "note": ""} | values
    return added(model(enrollment_id=enrollment.id, hours=Decimal(hours), status=status, **values))


def add_ce(
    enrollment: Enrollment,
    amount: str = "3",
    kind: str = "ce",
    status: str = "approved",
    **values,
) -> ContinuingEducation:
    """A continuing-education record: credits (`ce`) or consultation hours, approved by rule
    (not drawn by the audit sample) unless `status` says pending or rejected (then it was drawn);
    the rules are not checked. Approval by staff, with its signature: `approved_ce` in
    `tracker.factories.signoffs`."""
    basis = "not_sampled" if status == "approved" else "sampled"
    values = {
        "on": yesterday(),
        "title": "Ketamine update",
        "provider": "CE Provider",
        "review_basis": basis,
        "audit_draw": 99 if status == "approved" else 0,
    } | values
    return added(
        ContinuingEducation(
            enrollment_id=enrollment.id, kind=kind, amount=Decimal(amount), status=status, **values
        )
    )


def verified_share_of_topics(
    enrollment: Enrollment,
    today: date,
    topics,
    share: float,
    *,
    pending_days: int | None = None,
    last_days_ago: int = 2,
) -> None:
    """`share` of every topic's minimum as verified entries of at most 4 hours, three days
    apart going back from `last_days_ago`; with `pending_days`, one more entry still waiting."""
    dates = (today - timedelta(days=days) for days in itertools.count(last_days_ago, 3))
    for topic in topics:
        verified_didactic(
            enrollment,
            (topic.min_hours * Decimal(str(share)) * 4).to_integral_value() / 4,
            dates,
            logged_on_the_day=True,
            topic_code=topic.code,
            provider="Pacific KAP Institute module",
        )
    if pending_days is not None:
        add_didactic(
            enrollment,
            "3.5",
            on=today - timedelta(days=pending_days),
            topic_code=topics[0].code,
            provider="Ketamine pharmacology webinar",
            created_at=at(today - timedelta(days=pending_days)),
        )


def verified_didactic(
    enrollment: Enrollment,
    hours: Decimal,
    dates: Iterator[date],
    *,
    most: Decimal = Decimal(4),
    logged_on_the_day: bool = False,
    **values,
) -> None:
    """Verified didactic entries adding up to `hours`, each of at most `most` hours and held on
    the next of `dates` (and logged that day when `logged_on_the_day`)."""
    while hours > 0:
        portion = min(hours, most)
        on = next(dates)
        if logged_on_the_day:
            values["created_at"] = at(on)
        add_didactic(enrollment, str(portion), "verified", on=on, **values)
        hours -= portion
