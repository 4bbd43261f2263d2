"""Named reads of a trainee's logged training, and the totals shown against the requirements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.programs.requirements import EXPERIENTIAL_KINDS, EXPERIENTIAL_LABELS, RequirementSpec
from tracker.training.models import ContinuingEducation, DidacticEntry, ExperientialEntry
from tracker.training.services import window_start

ZERO = Decimal(0)


def didactic_entries(enrollment_id: int) -> Sequence[DidacticEntry]:
    """The enrollment's didactic entries, newest first."""
    stmt = (
        select(DidacticEntry)
        .where(DidacticEntry.enrollment_id == enrollment_id)
        .order_by(DidacticEntry.on.desc(), DidacticEntry.id.desc())
    )
    return db.session.scalars(stmt).all()


def experiential_entries(enrollment_id: int) -> Sequence[ExperientialEntry]:
    """The enrollment's experiential entries, newest first."""
    stmt = (
        select(ExperientialEntry)
        .where(ExperientialEntry.enrollment_id == enrollment_id)
        .order_by(ExperientialEntry.on.desc(), ExperientialEntry.id.desc())
    )
    return db.session.scalars(stmt).all()


def ce_records(enrollment_id: int) -> Sequence[ContinuingEducation]:
    """The enrollment's CE and consultation records, newest first."""
    stmt = (
        select(ContinuingEducation)
        .where(ContinuingEducation.enrollment_id == enrollment_id)
        .options(joinedload(ContinuingEducation.certificate))
        .order_by(ContinuingEducation.on.desc(), ContinuingEducation.id.desc())
    )
    return db.session.scalars(stmt).all()


# -- totals against the requirement ------------------------------------------------------------


@dataclass(frozen=True)
class TopicTotal:
    """Hours under one topic: verified, waiting (pending or returned), and the minimum."""

    code: str
    name: str
    minimum: Decimal
    verified: Decimal
    waiting: Decimal

    @property
    def met(self) -> bool:
        """True when verified hours reach the minimum."""
        return self.verified >= self.minimum


@dataclass(frozen=True)
class DidacticTotals:
    """Didactic hours per topic and overall."""

    topics: tuple[TopicTotal, ...]
    verified: Decimal
    waiting: Decimal
    required: Decimal

    @property
    def met(self) -> bool:
        """True when the total and every topic minimum are met with verified hours."""
        return self.verified >= self.required and all(t.met for t in self.topics)


def didactic_totals(spec: RequirementSpec, entries: Sequence[DidacticEntry]) -> DidacticTotals:
    """Sum the entries per curriculum topic."""
    verified: dict[str, Decimal] = {}
    waiting: dict[str, Decimal] = {}
    for entry in entries:
        bucket = verified if entry.status == "verified" else waiting
        bucket[entry.topic_code] = bucket.get(entry.topic_code, ZERO) + entry.hours
    topics = tuple(
        TopicTotal(
            t.code, t.name, t.min_hours, verified.get(t.code, ZERO), waiting.get(t.code, ZERO)
        )
        for t in spec.didactic_topics
    )
    return DidacticTotals(
        topics=topics,
        verified=sum(verified.values(), ZERO),
        waiting=sum(waiting.values(), ZERO),
        required=spec.didactic_total_hours,
    )


@dataclass(frozen=True)
class KindTotal:
    """One experiential activity type: hours and counts, verified and waiting, and what is
    required (`required_count` None when the program sets no count; `maximum` for personal
    sessions)."""

    kind: str
    label: str
    verified_hours: Decimal
    waiting_hours: Decimal
    verified_count: int
    waiting_count: int
    required_count: int | None
    maximum: int | None = None

    @property
    def met(self) -> bool:
        """True when the verified count reaches the required count (or none is required)."""
        return self.required_count is None or self.verified_count >= self.required_count


@dataclass(frozen=True)
class ExperientialTotals:
    """Experiential hours and counts per kind, the experiential total and the program total."""

    kinds: tuple[KindTotal, ...]
    verified: Decimal
    waiting: Decimal
    required: Decimal
    program_verified: Decimal
    program_required: Decimal
    personal_policy: str


def experiential_totals(
    spec: RequirementSpec,
    entries: Sequence[ExperientialEntry],
    didactic_verified: Decimal = ZERO,
) -> ExperientialTotals:
    """Sum the entries per activity type; the program total adds the verified didactic hours."""
    rows = []
    for kind in EXPERIENTIAL_KINDS:
        mine = [e for e in entries if e.kind == kind]
        done = [e for e in mine if e.status == "verified"]
        waiting = [e for e in mine if e.status != "verified"]
        if kind == "personal_session":
            if spec.personal_session_policy == "none" and not mine:
                continue
            required = (
                spec.personal_sessions_min if spec.personal_session_policy == "required" else None
            )
            maximum: int | None = spec.personal_sessions_max
        else:
            required = spec.experiential_min_counts.get(kind)
            maximum = None
        rows.append(
            KindTotal(
                kind=kind,
                label=EXPERIENTIAL_LABELS[kind],
                verified_hours=sum((e.hours for e in done), ZERO),
                waiting_hours=sum((e.hours for e in waiting), ZERO),
                verified_count=len(done),
                waiting_count=len(waiting),
                required_count=required,
                maximum=maximum,
            )
        )
    verified = sum((r.verified_hours for r in rows), ZERO)
    return ExperientialTotals(
        kinds=tuple(rows),
        verified=verified,
        waiting=sum((r.waiting_hours for r in rows), ZERO),
        required=spec.experiential_total_hours,
        program_verified=verified + didactic_verified,
        program_required=spec.program_total_hours,
        personal_policy=spec.personal_session_policy,
    )


@dataclass(frozen=True)
class CETotals:
    """CE credits and consultation hours inside the current window, against the cycle's
    requirement."""

    window_start: date
    window_end: date
    months: int
    credits: Decimal
    credits_required: Decimal
    consultation: Decimal
    consultation_required: Decimal


def ce_totals(
    spec: RequirementSpec, records: Sequence[ContinuingEducation], today: date
) -> CETotals:
    """Sum the records dated inside the last `ce_cycle_months` months up to today."""
    start = window_start(today, spec.ce_cycle_months)
    inside = [r for r in records if start <= r.on <= today]
    return CETotals(
        window_start=start,
        window_end=today,
        months=spec.ce_cycle_months,
        credits=sum((r.amount for r in inside if r.kind == "ce"), ZERO),
        credits_required=spec.ce_credits_per_cycle,
        consultation=sum((r.amount for r in inside if r.kind == "consultation"), ZERO),
        consultation_required=spec.consultation_hours_per_cycle,
    )
