"""Named reads for admissions: the applicant queue, the staff enrollment list, and everything
the review page shows about one enrollment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.audit.models import AuditEvent
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.core.listing import newest_first
from tracker.core.search import contains
from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import ENROLLMENT_STATUSES
from tracker.enrollments.models import AdmissionReversal
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress import Actor
from tracker.standing import assess

PAGE_SIZE = 25
QUEUE_LIMIT = 200
RECENT_DAYS = 30
RECENT_LIMIT = 20
STATUS_LABELS = {
    "applicant": "Applicant (drafting)",
    "submitted": "Submitted, waiting for a decision",
    "admitted": "Admitted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}


def _with_parts(stmt: Select) -> Select:
    return stmt.options(
        joinedload(Enrollment.trainee),
        joinedload(Enrollment.program),
        joinedload(Enrollment.track),
        joinedload(Enrollment.cohort),
    )


# -- the applicant queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A submitted application waiting for a decision."""

    enrollment: Enrollment
    submitted_on: date | None
    days_waiting: int
    staff_items: int


@dataclass(frozen=True)
class Queue:
    """What the admissions page shows."""

    waiting: list[QueueRow]
    drafting: int
    recent: list[Enrollment]
    recent_days: int


def applicant_queue() -> Queue:
    """Submitted applications oldest first (with days waiting and the items waiting on staff),
    the number still drafting, and the decisions of the last RECENT_DAYS days."""
    waiting_ids = (
        select(Enrollment.id)
        .where(Enrollment.status == "submitted")
        .order_by(Enrollment.submitted_at, Enrollment.id)
        .limit(QUEUE_LIMIT)
    )
    enrollments = list(
        db.session.scalars(
            _with_parts(
                select(Enrollment).where(Enrollment.id.in_(waiting_ids.scalar_subquery()))
            ).order_by(Enrollment.submitted_at, Enrollment.id)
        ).unique()
    )
    staff_items: dict[int, int] = {}
    for loaded in assess(
        select(Enrollment.id).where(Enrollment.id.in_(waiting_ids.scalar_subquery()))
    ):
        if loaded.progress is not None:
            staff_items[loaded.row.id] = len(loaded.progress.items_for(Actor.STAFF))
    rows = []
    for enrollment in enrollments:
        today = today_in(enrollment.program.timezone)
        submitted = local_time(enrollment.submitted_at, enrollment.program.timezone)
        submitted_on = submitted.date() if submitted is not None else None
        rows.append(
            QueueRow(
                enrollment=enrollment,
                submitted_on=submitted_on,
                days_waiting=(today - submitted_on).days if submitted_on else 0,
                staff_items=staff_items.get(enrollment.id, 0),
            )
        )
    drafting = db.session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.status == "applicant")
    )
    since = utcnow() - timedelta(days=RECENT_DAYS)
    recent = list(
        db.session.scalars(
            _with_parts(
                select(Enrollment).where(
                    Enrollment.status.in_(("admitted", "declined")),
                    Enrollment.decided_at >= since,
                )
            )
            .order_by(Enrollment.decided_at.desc(), Enrollment.id.desc())
            .limit(RECENT_LIMIT)
        ).unique()
    )
    return Queue(waiting=rows, drafting=drafting or 0, recent=recent, recent_days=RECENT_DAYS)


# -- the staff enrollment list -------------------------------------------------------------------


def enrollment_page(search: str, status: str, page: int):
    """A page of enrollments matching a name or e-mail fragment and a status (two queries)."""
    stmt = _with_parts(select(Enrollment)).join(User, User.id == Enrollment.trainee_id)
    text = " ".join(search.split())
    if text:
        stmt = stmt.where(contains(text, User.full_name, User.email))
    if status in ENROLLMENT_STATUSES:
        stmt = stmt.where(Enrollment.status == status)
    stmt = stmt.order_by(User.full_name, Enrollment.id)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


# -- one enrollment ------------------------------------------------------------------------------


def enrollment(enrollment_id: int) -> Enrollment | None:
    """The enrollment with its trainee, program, track, cohort and pinned version."""
    return db.session.scalar(
        _with_parts(select(Enrollment))
        .options(joinedload(Enrollment.pinned_requirements))
        .where(Enrollment.id == enrollment_id)
    )


def supervisor_choices(trainee_id: int) -> list[User]:
    """Active people with the supervisor role, other than the trainee, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.is_supervisor.is_(True), User.active.is_(True), User.id != trainee_id)
            .order_by(User.full_name, User.id)
        )
    )


@dataclass(frozen=True)
class WaiverRow:
    """A waiver with who granted it and, once revoked, the reason given."""

    waiver: Waiver
    granted_by: str
    revocation_reason: str


@dataclass(frozen=True)
class AssignmentRow:
    """A supervisor assignment (current or ended) with the names involved."""

    assignment: SupervisorAssignment
    supervisor: User
    assigned_by: str


@dataclass(frozen=True)
class Review:
    """The records the review page shows besides the progress engine's steps."""

    documents: list[ApplicationDocument]
    earlier_documents: list[ApplicationDocument]
    references: list[Reference]
    answers: dict[str, ScenarioAnswer]
    licences: list[Licence]
    insurances: list[Insurance]
    attestation: ExperienceAttestation | None
    screening: HealthScreening | None
    waivers: list[WaiverRow]
    assignments: list[AssignmentRow]
    names: dict[int, str]
    reversals: list[AdmissionReversal] = field(default_factory=list)

    @property
    def current_assignments(self) -> dict[str, AssignmentRow]:
        """The current assignment of each kind (primary, backup)."""
        return {
            row.assignment.kind: row for row in self.assignments if row.assignment.ended_at is None
        }

    def name(self, user_id: int | None) -> str:
        """The name of a staff member who acted, or a dash."""
        return self.names.get(user_id, "—") if user_id is not None else "—"


def _names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _revocation_reasons(waiver_ids: list[int]) -> dict[int, str]:
    """Revocation reasons live in the audit trail (the waiver row keeps the time only)."""
    if not waiver_ids:
        return {}
    reasons: dict[int, str] = {}
    rows = db.session.execute(
        select(AuditEvent.object_id, AuditEvent.after).where(
            AuditEvent.action == "waiver.revoked",
            AuditEvent.object_type == Waiver.__tablename__,
            AuditEvent.object_id.in_([str(i) for i in waiver_ids]),
        )
    )
    for object_id, after in rows:
        try:
            reasons[int(object_id)] = json.loads(after or "{}").get("revocation_reason", "")
        except (ValueError, AttributeError):
            continue
    return reasons


def review(enrollment: Enrollment) -> Review:
    """The application, eligibility records, waivers and supervisor history of an enrollment."""
    trainee_id = enrollment.trainee_id
    all_documents = list(
        db.session.scalars(
            select(ApplicationDocument)
            .where(ApplicationDocument.enrollment_id == enrollment.id)
            .order_by(ApplicationDocument.kind, ApplicationDocument.submitted_at.desc())
        )
    )
    documents = [d for d in all_documents if d.superseded_at is None]
    earlier = [d for d in all_documents if d.superseded_at is not None]
    references = list(
        db.session.scalars(
            select(Reference).where(Reference.enrollment_id == enrollment.id).order_by(Reference.id)
        )
    )
    answers = {
        a.scenario_code: a
        for a in db.session.scalars(
            select(ScenarioAnswer).where(ScenarioAnswer.enrollment_id == enrollment.id)
        )
    }
    licences = list(
        db.session.scalars(
            select(Licence)
            .where(Licence.trainee_id == trainee_id)
            .order_by(Licence.expires_on.desc(), Licence.id.desc())
        )
    )
    insurances = list(
        db.session.scalars(
            select(Insurance)
            .where(Insurance.trainee_id == trainee_id)
            .order_by(Insurance.ends_on.desc(), Insurance.id.desc())
        )
    )
    attestation = db.session.scalar(
        select(ExperienceAttestation).where(
            ExperienceAttestation.trainee_id == trainee_id,
            ExperienceAttestation.superseded_at.is_(None),
        )
    )
    screening = db.session.scalar(
        select(HealthScreening).where(
            HealthScreening.trainee_id == trainee_id, HealthScreening.superseded_at.is_(None)
        )
    )
    waivers = list(
        db.session.scalars(
            select(Waiver)
            .where(Waiver.enrollment_id == enrollment.id)
            .order_by(Waiver.revoked_at.is_not(None), Waiver.granted_at.desc(), Waiver.id.desc())
        )
    )
    assignments = newest_first(
        SupervisorAssignment, "assigned_at", "supervisor", enrollment_id=enrollment.id
    )
    acting = {d.reviewed_by_id for d in all_documents}
    acting |= {r.verified_by_id for r in (*licences, *insurances)}
    acting |= {w.granted_by_id for w in waivers} | {a.assigned_by_id for a in assignments}
    reversals = list(
        db.session.scalars(
            select(AdmissionReversal)
            .where(AdmissionReversal.enrollment_id == enrollment.id)
            .order_by(AdmissionReversal.reversed_at.desc(), AdmissionReversal.id.desc())
        )
    )
    acting |= {enrollment.decided_by_id}
    acting |= {w.ended_by_id for w in waivers}
    acting |= {r.decided_by_id for r in reversals} | {r.reversed_by_id for r in reversals}
    if screening is not None:
        acting.add(screening.cleared_by_id)
    names = _names(acting)
    reasons = _revocation_reasons([w.id for w in waivers if w.revoked_at is not None])
    return Review(
        documents=documents,
        earlier_documents=earlier,
        references=references,
        answers=answers,
        licences=licences,
        insurances=insurances,
        attestation=attestation,
        screening=screening,
        waivers=[
            WaiverRow(w, names.get(w.granted_by_id, "—"), reasons.get(w.id, "")) for w in waivers
        ],
        assignments=[
            AssignmentRow(a, a.supervisor, names.get(a.assigned_by_id, "—")) for a in assignments
        ],
        names=names,
        reversals=reversals,
    )


def days_since(moment: datetime | None, timezone: str) -> int | None:
    """Whole days from a stored time to today where the program is."""
    local = local_time(moment, timezone)
    if local is None:
        return None
    return (today_in(timezone) - local.date()).days
