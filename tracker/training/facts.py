"""Didactic hours, experiential activities and CE credits as the progress engine reads them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Gathered
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry


def hours(value: object) -> Decimal:
    """A SQL sum as exact quarter hours (SQLite returns floats; quarter hours are exact)."""
    if value is None:
        return Decimal(0)
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _didactic(selection: Selection) -> Select:
    # Summed per enrollment, topic and status: the rules need totals, the oldest waiting entry
    # and the latest date, and a trainee may log hundreds of entries.
    return (
        select(
            DidacticEntry.enrollment_id,
            DidacticEntry.topic_code,
            DidacticEntry.status,
            func.sum(DidacticEntry.hours),
            func.max(DidacticEntry.on),
            func.min(DidacticEntry.created_at),
        )
        .where(DidacticEntry.enrollment_id.in_(selection.ids))
        .group_by(DidacticEntry.enrollment_id, DidacticEntry.topic_code, DidacticEntry.status)
    )


def _experiential(selection: Selection) -> Select:
    # One fact per entry: the rules count activities, not only hours.
    return selection.rows(ExperientialEntry, "id", "kind", "on", "hours", "status", "created_at")


def _ce(selection: Selection) -> Select:
    # The status goes with each entry: only approved CE counts toward a cycle (the engine's rule).
    return selection.rows(ContinuingEducation, "id", "on", "amount", "kind", "status")


@contributor(_didactic, _experiential, _ce)
def training_facts(
    selection: Selection, didactic_rows: Rows, experiential_rows: Rows, ce_rows: Rows
) -> Contribution:
    """`didactic`, `experiential` and `ce_entries` per enrollment, one statement each."""
    found = Gathered()
    for enrollment_id, topic, status, total, latest, first_created in didactic_rows:
        fact = f.DidacticEntry(
            topic=topic,
            on=latest,
            hours=hours(total),
            status=status,
            submitted_on=selection.local_date(enrollment_id, first_created),
            id=f"didactic:{topic}:{status}",
        )
        found.add(enrollment_id, "didactic", fact)
    for entry in experiential_rows:
        submitted_on = selection.local_date(entry.enrollment_id, entry.created_at)
        fact = f.ExperientialEntry(
            kind=entry.kind,
            on=entry.on,
            hours=hours(entry.hours),
            status=entry.status,
            submitted_on=submitted_on,
            id=entry.id,
        )
        found.add(entry.enrollment_id, "experiential", fact)
    for ce in ce_rows:
        fact = f.CeEntry(
            on=ce.on, credits=hours(ce.amount), kind=ce.kind, id=ce.id, status=ce.status
        )
        found.add(ce.enrollment_id, "ce_entries", fact)
    return found.contribution()
