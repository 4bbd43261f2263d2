"""Named reads of a trainee's supervised sessions and case presentations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.core.listing import newest_first
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.requirements import RequirementSpec
from tracker.progress.training_rules import counted_sessions
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession


def sessions_of(enrollment_id: int) -> Sequence[SupervisedSession]:
    """The enrollment's sessions, newest first, with their supervisors."""
    return newest_first(SupervisedSession, "on", "supervisor", enrollment_id=enrollment_id)


def presentations_of(enrollment_id: int) -> Sequence[CasePresentation]:
    """The enrollment's case presentations, newest first."""
    return newest_first(CasePresentation, "on", "session", enrollment_id=enrollment_id)


@dataclass(frozen=True)
class SessionCounts:
    """Sessions against the program's requirement, as step 7 counts them: `signed` and
    `submitted` are the sessions that count (a day without a valid licence or insurance counts
    for nothing, `uncovered`)."""

    signed: int
    submitted: int
    returned: int
    draft: int
    required: int
    uncovered: int = 0

    @property
    def met(self) -> bool:
        """True when enough sessions are signed off."""
        return self.signed >= self.required


def session_counts(facts: EnrollmentFacts, spec: RequirementSpec) -> SessionCounts:
    """The engine's count of the enrollment's sessions (`training_rules.counted_sessions`)."""
    signed, waiting = counted_sessions(facts, spec)
    statuses = [s.status for s in facts.sessions]
    return SessionCounts(
        signed=signed,
        submitted=waiting,
        returned=statuses.count("returned"),
        draft=statuses.count("draft"),
        required=spec.supervised_sessions_required,
        uncovered=statuses.count("signed") + statuses.count("submitted") - signed - waiting,
    )
