"""Named reads of one trainee's whole record: every entry and session with its status and
signature, the hours against the requirement (the engine's tallies), the question threads, the
evaluations and the outstanding items. A fixed number of queries whatever the number of
entries."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.assessment.queries import AssessmentRecord
from tracker.assessment.queries import assessment_record
from tracker.certificates.models import Certificate
from tracker.certificates.queries import for_enrollment
from tracker.core.signoff_reader import signoffs_of
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.queries import loaded_enrollment
from tracker.extensions import db
from tracker.progress import Actor
from tracker.progress import OutstandingItem
from tracker.progress import Progress
from tracker.progress import Severity
from tracker.standing import Standing
from tracker.standing import assess_one
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession
from tracker.supervision.queries import SessionCounts
from tracker.supervision.queries import presentations_of
from tracker.supervision.queries import session_counts
from tracker.supervision.queries import sessions_of
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry
from tracker.training.queries import DidacticTotals
from tracker.training.queries import ExperientialTotals
from tracker.training.queries import didactic_entries
from tracker.training.queries import didactic_totals
from tracker.training.queries import experiential_entries
from tracker.training.queries import experiential_totals

SEVERITY_ORDER = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
ACTOR_HEADINGS = (
    (Actor.SUPERVISOR, "Waiting on the supervisor"),
    (Actor.TRAINEE, "Waiting on the trainee"),
    (Actor.STAFF, "Waiting on program staff"),
)


def current_supervisor_ids(enrollment_id: int) -> set[int]:
    """Ids of the people currently supervising the enrollment (primary or backup)."""
    return set(
        db.session.scalars(
            select(SupervisorAssignment.supervisor_id).where(
                SupervisorAssignment.enrollment_id == enrollment_id,
                SupervisorAssignment.ended_at.is_(None),
            )
        )
    )


def may_open_record(person: User, enrollment: Enrollment) -> bool:
    """Staff open any trainee's record; a supervisor those of their currently assigned trainees
    (never their own enrollment)."""
    if person.is_staff:
        return True
    return (
        person.is_supervisor
        and enrollment.trainee_id != person.id
        and person.id in current_supervisor_ids(enrollment.id)
    )


def may_have_transcript(person: User, enrollment: Enrollment) -> bool:
    """The trainee themself, their current supervisors and staff may make and download the
    enrollment's transcript."""
    return enrollment.trainee_id == person.id or may_open_record(person, enrollment)


@dataclass(frozen=True)
class TraineeRecord:
    """Everything on one trainee's record, as read now: the engine's standing, the entries
    with their signatures and threads (by entry id), the totals against the requirement, the
    evaluations and the certificate."""

    enrollment: Enrollment
    standing: Standing
    didactic: Sequence[DidacticEntry]
    experiential: Sequence[ExperientialEntry]
    sessions: Sequence[SupervisedSession]
    presentations: Sequence[CasePresentation]
    signoffs: Mapping[str, Mapping[int, Any]]
    didactic_totals: DidacticTotals | None
    experiential_totals: ExperientialTotals | None
    session_counts: SessionCounts | None
    assessment: AssessmentRecord
    certificate: Certificate | None

    @property
    def progress(self) -> Progress | None:
        """The engine's verdict (None before a track is chosen)."""
        return self.standing.progress

    @property
    def topic_names(self) -> dict[str, str]:
        """Curriculum topic names by code."""
        spec = self.standing.spec
        return {t.code: t.name for t in spec.didactic_topics} if spec else {}

    def item_groups(self) -> list[tuple[str, list[OutstandingItem]]]:
        """The current outstanding items grouped by who must act, most severe first."""
        if self.progress is None:
            return []
        today = self.standing.today
        items = sorted(
            self.progress.current_items,
            key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), i.due_on or today, int(i.step)),
        )
        return [
            (heading, [i for i in items if i.actor == actor]) for actor, heading in ACTOR_HEADINGS
        ]

    @property
    def threads(self) -> list[tuple[str, Any, Any]]:
        """(entry type, entry, sign-off info) of every entry with a question thread, newest
        entry first."""
        found = []
        for entry_type, entries in (
            ("session", self.sessions),
            ("experiential", self.experiential),
            ("didactic", self.didactic),
        ):
            infos = self.signoffs[entry_type]
            found += [(entry_type, e, infos[e.id]) for e in entries if infos[e.id].thread]
        found.sort(key=lambda t: t[1].on, reverse=True)
        return found


def trainee_record(enrollment_id: int) -> TraineeRecord | None:
    """The trainee record of the enrollment, or None when there is no such enrollment."""
    enrollment = loaded_enrollment(enrollment_id)
    standing = assess_one(enrollment_id)
    if enrollment is None or standing is None:
        return None
    didactic = didactic_entries(enrollment_id)
    experiential = experiential_entries(enrollment_id)
    sessions = sessions_of(enrollment_id)
    spec = standing.spec
    return TraineeRecord(
        enrollment=enrollment,
        standing=standing,
        didactic=didactic,
        experiential=experiential,
        sessions=sessions,
        presentations=presentations_of(enrollment_id),
        signoffs={
            "didactic": signoffs_of("didactic", didactic),
            "experiential": signoffs_of("experiential", experiential),
            "session": signoffs_of("session", sessions),
        },
        didactic_totals=didactic_totals(spec, standing.facts) if spec else None,
        experiential_totals=experiential_totals(spec, standing.facts) if spec else None,
        session_counts=session_counts(standing.facts, spec) if spec else None,
        assessment=assessment_record(enrollment),
        certificate=for_enrollment(enrollment_id),
    )
