"""Named reads of a trainee's logged training, and the totals shown against the requirements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.core.listing import newest_first
from tracker.progress.certification_rules import current_cycle
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.progress.requirements import RequirementSpec
from tracker.progress.training_rules import KindTally
from tracker.progress.training_rules import didactic_by_topic
from tracker.progress.training_rules import didactic_verified_hours
from tracker.progress.training_rules import experiential_by_kind
from tracker.progress.training_rules import experiential_verified_hours
from tracker.standing import assess_one
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

ZERO = Decimal(0)


def didactic_entries(enrollment_id: int) -> Sequence[DidacticEntry]:
    """The enrollment's didactic entries, newest first."""
    return newest_first(DidacticEntry, "on", enrollment_id=enrollment_id)


def experiential_entries(enrollment_id: int) -> Sequence[ExperientialEntry]:
    """The enrollment's experiential entries, newest first."""
    return newest_first(ExperientialEntry, "on", enrollment_id=enrollment_id)


def ce_records(enrollment_id: int) -> Sequence[ContinuingEducation]:
    """The enrollment's CE and consultation records, newest first."""
    return newest_first(ContinuingEducation, "on", "certificate", enrollment_id=enrollment_id)


# -- totals against the requirement ------------------------------------------------------------


@dataclass(frozen=True)
class TopicTotal:
    """Hours under one topic: verified, waiting for verification, and the minimum."""

    code: str
    name: str
    minimum: Decimal
    verified: Decimal
    waiting: Decimal

    @property
    def met(self) -> bool:
        """True when verified hours reach the minimum."""
        return self.verified >= self.minimum


@dataclass(frozen=True, kw_only=True)
class HoursTotals:
    """Hours verified, waiting for verification, and required."""

    verified: Decimal
    waiting: Decimal
    required: Decimal


@dataclass(frozen=True, kw_only=True)
class DidacticTotals(HoursTotals):
    """Didactic hours per topic and overall."""

    topics: tuple[TopicTotal, ...]

    @property
    def met(self) -> bool:
        """True when the total and every topic minimum are met with verified hours."""
        return self.verified >= self.required and all(t.met for t in self.topics)


def didactic_totals(spec: RequirementSpec, facts: EnrollmentFacts) -> DidacticTotals:
    """The engine's didactic hours per curriculum topic (verified, and waiting for
    verification) and overall."""
    verified, pending = didactic_by_topic(facts)
    topics = tuple(
        TopicTotal(
            t.code, t.name, t.min_hours, verified.get(t.code, ZERO), pending.get(t.code, ZERO)
        )
        for t in spec.didactic_topics
    )
    return DidacticTotals(
        topics=topics,
        verified=didactic_verified_hours(facts),
        waiting=sum(pending.values(), ZERO),
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


@dataclass(frozen=True, kw_only=True)
class ExperientialTotals(HoursTotals):
    """Experiential hours and counts per kind, the experiential total and the program total."""

    kinds: tuple[KindTotal, ...]
    program_verified: Decimal
    program_required: Decimal
    personal_policy: str


def experiential_totals(spec: RequirementSpec, facts: EnrollmentFacts) -> ExperientialTotals:
    """The engine's experiential tally per activity type; the program total adds the verified
    didactic hours."""
    tally = experiential_by_kind(facts)
    rows = []
    for kind in EXPERIENTIAL_KINDS:
        counted = tally.get(kind, KindTally())
        if kind == "personal_session":
            if spec.personal_session_policy == "none" and kind not in tally:
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
                verified_hours=counted.verified_hours,
                waiting_hours=counted.waiting_hours,
                verified_count=counted.verified_count,
                waiting_count=counted.waiting_count,
                required_count=required,
                maximum=maximum,
            )
        )
    verified = experiential_verified_hours(facts)
    return ExperientialTotals(
        kinds=tuple(rows),
        verified=verified,
        waiting=sum((r.waiting_hours for r in rows), ZERO),
        required=spec.experiential_total_hours,
        program_verified=verified + didactic_verified_hours(facts),
        program_required=spec.program_total_hours,
        personal_policy=spec.personal_session_policy,
    )


@dataclass(frozen=True)
class CECycle:
    """The certificate's current renewal cycle: approved CE credits and consultation hours dated
    inside it (and those still pending review), against what the requirement set asks of a cycle
    (the engine's `current_cycle`)."""

    starts_on: date
    ends_on: date
    credits: Decimal
    credits_required: Decimal
    consultation: Decimal
    consultation_required: Decimal
    pending_credits: Decimal = ZERO
    pending_consultation: Decimal = ZERO


def ce_cycle(enrollment_id: int) -> CECycle | None:
    """The certificate's cycle under way today, as the certificate page shows it; None without a
    certificate (revoked or expired included): before certification no CE is asked for."""
    standing = assess_one(enrollment_id)
    if standing is None or standing.spec is None:
        return None
    spec = standing.spec
    cycle = current_cycle(standing.facts, spec, standing.today)
    if cycle is None:
        return None
    return CECycle(
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        credits=cycle.ce,
        credits_required=spec.ce_credits_per_cycle,
        consultation=cycle.consultation,
        consultation_required=spec.consultation_hours_per_cycle,
        pending_credits=cycle.pending_ce,
        pending_consultation=cycle.pending_consultation,
    )
