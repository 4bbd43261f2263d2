"""Named reads for sign-offs: the waiting queues, signatures and threads of entries in bulk, and
the supervisors whose own credentials do not allow signing today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.signoffs.binding import content_hash
from tracker.signoffs.entries import ENTRY_MODELS
from tracker.signoffs.entries import WAITING_STATUS
from tracker.signoffs.entries import Entry
from tracker.signoffs.entries import entry_type_of
from tracker.signoffs.models import ENTRY_TYPE_LABELS
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.signoffs.services import SignoffInfo
from tracker.signoffs.services import assigned_among
from tracker.signoffs.services import credential_problem
from tracker.signoffs.services import is_assigned
from tracker.standing.snapshots import current_values
from tracker.standing.snapshots import out_of_date
from tracker.standing.snapshots import program_zones
from tracker.standing.snapshots import status_names


@dataclass(frozen=True)
class WaitingEntry:
    """One entry waiting for sign-off or verification, as a queue shows it."""

    entry_type: str
    entry_id: int
    enrollment_id: int
    trainee_id: int
    trainee_name: str
    on: date
    summary: str
    waiting_since: datetime
    timezone: str
    # The entry's content hash as this page shows it: the sign form carries it back.
    content_hash: str
    # A CE entry's evidence file and why it waits for review (empty for the other types).
    evidence_id: int | None = None
    basis: str = ""

    @property
    def key(self) -> str:
        """The "type:id" key a form carries."""
        return f"{self.entry_type}:{self.entry_id}"

    @property
    def type_label(self) -> str:
        """The kind of entry as a person reads it."""
        return ENTRY_TYPE_LABELS[self.entry_type]

    def days_waiting(self, today: date | None = None) -> int:
        """Whole days since the entry started waiting (program time zone)."""
        since = today_in_zone(self.waiting_since, self.timezone)
        return max(((today or today_in(self.timezone)) - since).days, 0)


def today_in_zone(moment: datetime, zone: str) -> date:
    """The program-local date of a UTC moment."""
    return local_time(moment, zone).date()


def assigned_enrollment_ids(supervisor_id: int) -> Select:
    """Ids of the enrollments the supervisor currently supervises (primary or backup)."""
    return select(SupervisorAssignment.enrollment_id).where(
        SupervisorAssignment.supervisor_id == supervisor_id,
        SupervisorAssignment.ended_at.is_(None),
    )


@dataclass(frozen=True)
class TraineeProgress:
    """One of a supervisor's trainees as their home lists them: the enrollment and the nine
    step statuses the engine gives it (its stored snapshot, or computed now when `updating`)."""

    enrollment_id: int
    trainee_name: str
    program_name: str
    cohort_name: str | None
    steps: tuple[str, ...]
    updating: bool = False

    @property
    def done(self) -> int:
        """How many of the nine steps are complete or waived (what later steps depend on)."""
        return sum(status in ("complete", "waived") for status in self.steps)


def trainees_progress(supervisor_id: int) -> list[TraineeProgress]:
    """The enrollments the supervisor supervises now that have requirements (a track), in id
    order, with their step statuses.

    The statuses are read from the stored progress snapshots; those out of date (changed since
    the last refresh, or reaching a day that can change them) are computed now, in memory, and
    marked `updating`: nothing is stored. A fixed number of queries, whatever the number of
    trainees.
    """
    rows = db.session.execute(
        select(
            Enrollment.id,
            User.full_name,
            Program.name,
            Cohort.name,
            ProgressSnapshot.steps,
            out_of_date(program_zones()).label("updating"),
        )
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(Enrollment.id.in_(assigned_enrollment_ids(supervisor_id)))
        .order_by(Enrollment.id)
    ).all()
    current = current_values([row.id for row in rows if row.updating])
    trainees = []
    for enrollment_id, name, program, cohort, steps, updating in rows:
        if updating and enrollment_id in current:
            steps = current[enrollment_id]["steps"]
        statuses = status_names(steps or "")
        if statuses is None:  # no requirements yet (no track): no steps to show
            continue
        trainees.append(
            TraineeProgress(enrollment_id, name, program, cohort, statuses, bool(updating))
        )
    return trainees


def _hours(value) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


# Per entry type: how a waiting entry is summed up in a queue, and since when it waits (a session
# from its submission, an hours entry from when it was logged).
_WAITING: dict[str, tuple[Callable[[Any], str], Callable[[Any], datetime]]] = {
    "session": (
        lambda session: (
            f"{session.role_label}, {session.mode_label.lower()}, "
            f"{session.duration_minutes} min ({session.client_code})"
        ),
        lambda session: session.submitted_at or session.created_at,
    ),
    "experiential": (
        lambda entry: (
            f"{EXPERIENTIAL_LABELS.get(entry.kind, entry.kind)}, "
            f"{_hours(entry.hours)} h ({entry.facilitator})"
        ),
        lambda entry: entry.created_at,
    ),
    "didactic": (
        lambda entry: (
            f"{entry.topic_code.replace('_', ' ').capitalize()}, "
            f"{_hours(entry.hours)} h ({entry.provider})"
        ),
        lambda entry: entry.created_at,
    ),
    # A CE entry waits from its last submission (logged, changed or answered after a rejection).
    "ce": (
        lambda entry: (
            f"{entry.kind_label}: {_hours(entry.amount)} {entry.unit}, {entry.title} "
            f"({entry.provider})"
        ),
        lambda entry: entry.updated_at or entry.created_at,
    ),
}


def waiting_entries(
    enrollment_ids: Select | None, types: Iterable[str] = ("session", "experiential", "didactic")
) -> list[WaitingEntry]:
    """Entries waiting on a signer in the selected enrollments (all when None), oldest first.

    One query per entry type, whatever the number of entries. A session waits from its
    submission; an hours entry from when it was logged. A withdrawn enrollment's entries wait on
    no one (they stay on file, out of the queues and digests, until a readmission).
    """
    rows: list[WaitingEntry] = []
    types = tuple(types)
    columns = (Enrollment.id, Enrollment.trainee_id, User.full_name, Program.timezone)

    def scoped(stmt: Select, model) -> Select:
        stmt = (
            stmt.join(Enrollment, Enrollment.id == model.enrollment_id)
            .join(User, User.id == Enrollment.trainee_id)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.status != "withdrawn")
        )
        if enrollment_ids is not None:
            stmt = stmt.where(model.enrollment_id.in_(enrollment_ids))
        return stmt

    for entry_type, (summary, waiting_since) in _WAITING.items():
        if entry_type not in types:
            continue
        model = ENTRY_MODELS[entry_type]
        stmt = scoped(select(model, *columns), model).where(
            model.status == WAITING_STATUS[entry_type]
        )
        if entry_type == "ce":
            # The evidence's digest is part of what a CE signature binds: load it with the row.
            stmt = stmt.options(joinedload(model.certificate))
        for entry, enrollment_id, trainee_id, name, zone in db.session.execute(stmt):
            rows.append(
                WaitingEntry(
                    entry_type,
                    entry.id,
                    enrollment_id,
                    trainee_id,
                    name,
                    entry.on,
                    summary(entry),
                    waiting_since(entry),
                    zone,
                    content_hash(entry),
                    getattr(entry, "file_id", None) if entry_type == "ce" else None,
                    entry.review_basis_label if entry_type == "ce" else "",
                )
            )
    rows.sort(key=lambda r: (r.waiting_since, r.entry_type, r.entry_id))
    return rows


def signoff_infos(entry_type: str, entries: Iterable[Entry]) -> dict[int, SignoffInfo]:
    """Signatures and threads of many entries of one type: two queries, whatever the number."""
    ids = [e.id for e in entries]
    infos: dict[int, SignoffInfo] = defaultdict(SignoffInfo)
    if not ids:
        return infos
    for signature in db.session.scalars(
        select(Signature)
        .where(Signature.entry_type == entry_type, Signature.entry_id.in_(ids))
        .order_by(Signature.signed_at, Signature.id)
    ):
        infos[signature.entry_id].signatures.append(signature)
    for note in db.session.scalars(
        select(EntryQuestion)
        .options(joinedload(EntryQuestion.author))
        .where(EntryQuestion.entry_type == entry_type, EntryQuestion.entry_id.in_(ids))
        .order_by(EntryQuestion.created_at, EntryQuestion.id)
    ):
        infos[note.entry_id].thread.append(note)
    return infos


def signoff_info(entry: Entry) -> SignoffInfo:
    """Signatures and thread of one entry."""
    return signoff_infos(entry_type_of(entry), [entry])[entry.id]


def visible_entry(entry_type: str, entry_id: int, person: User) -> Entry | None:
    """The entry when the person may see it as a reviewer: staff see every entry, a supervisor
    those of the trainees currently assigned to them. None otherwise (the caller answers 404)."""
    model = ENTRY_MODELS.get(entry_type)
    if model is None:
        return None
    entry = db.session.get(model, entry_id)
    if entry is None:
        return None
    if person.is_staff:
        return entry
    if person.is_supervisor and is_assigned(person.id, entry.enrollment_id):
        return entry
    return None


def visible_entries(keys: Iterable[tuple[str, int]], person: User) -> dict[tuple[str, int], Entry]:
    """Of the entries `keys` names ((type, id) pairs), those the person may see as a reviewer
    (as `visible_entry` decides), by key: a fixed number of queries, whatever the number of
    keys."""
    wanted = set(keys)
    found: dict[tuple[str, int], Entry] = {}
    for entry_type, model in ENTRY_MODELS.items():
        ids = sorted(entry_id for kind, entry_id in wanted if kind == entry_type)
        if not ids:
            continue
        for entry in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(entry_type, entry.id)] = entry
    if person.is_staff:
        return found
    if not person.is_supervisor:
        return {}
    assigned = assigned_among(person.id, (entry.enrollment_id for entry in found.values()))
    return {key: entry for key, entry in found.items() if entry.enrollment_id in assigned}


@dataclass(frozen=True)
class SupervisorStanding:
    """A supervisor, how many trainees they supervise now, and why they cannot sign (if so)."""

    supervisor: User
    trainees: int
    problem: str | None


def supervisor_standings(today: date | None = None) -> list[SupervisorStanding]:
    """Every supervisor with whether their own credentials allow signing today; those who cannot
    sign come first."""
    today = today or utcnow().date()
    counts: dict[int, int] = defaultdict(int)
    for (supervisor_id,) in db.session.execute(
        select(SupervisorAssignment.supervisor_id).where(SupervisorAssignment.ended_at.is_(None))
    ):
        counts[supervisor_id] += 1
    people = db.session.scalars(
        select(User)
        .where(User.is_supervisor.is_(True), User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    standings = [
        SupervisorStanding(
            person, counts.get(person.id, 0), credential_problem(person.id, today=today)
        )
        for person in people
    ]
    standings.sort(key=lambda s: (s.problem is None, s.supervisor.full_name))
    return standings


@dataclass(frozen=True)
class QueueView:
    """A queue as one page shows it: the waiting entries the filters keep (by trainee's
    enrollment and by kind of entry), which of them start selected, and the trainees and kinds
    the filters offer (taken from every waiting entry, filtered or not)."""

    waiting: list[WaitingEntry]
    selected: frozenset[str]
    trainees: list[tuple[int, str, int]]  # (enrollment id, trainee's name, entries waiting)
    kinds: list[tuple[str, str]]  # (entry type, label) among the waiting entries
    enrollment_id: int | None = None
    kind: str | None = None


def queue_view(
    waiting: list[WaitingEntry],
    enrollment_id: int | None = None,
    kind: str | None = None,
    select: str | None = None,
) -> QueueView:
    """The queue `waiting` narrowed to one trainee's enrollment and/or one kind of entry, with
    the entries to show selected: "all" (every entry shown) or an enrollment id (that trainee's
    entries shown). Works on the entries already read: no query."""
    names: dict[int, str] = {}
    counts: dict[int, int] = defaultdict(int)
    kinds: dict[str, str] = {}
    for row in waiting:
        names[row.enrollment_id] = row.trainee_name
        counts[row.enrollment_id] += 1
        kinds[row.entry_type] = row.type_label
    shown = [
        row
        for row in waiting
        if (enrollment_id is None or row.enrollment_id == enrollment_id)
        and (kind is None or row.entry_type == kind)
    ]
    if select == "all":
        selected = frozenset(row.key for row in shown)
    elif select and select.isdigit():
        selected = frozenset(row.key for row in shown if row.enrollment_id == int(select))
    else:
        selected = frozenset()
    trainees = sorted(((i, names[i], counts[i]) for i in names), key=lambda t: (t[1], t[0]))
    order = {name: index for index, name in enumerate(ENTRY_MODELS)}
    return QueueView(
        waiting=shown,
        selected=selected,
        trainees=trainees,
        kinds=sorted(kinds.items(), key=lambda k: order[k[0]]),
        enrollment_id=enrollment_id,
        kind=kind,
    )


def signer_queue(person: User, entry_type: str) -> list[WaitingEntry]:
    """The queue an entry of `entry_type` waits in for `person`: a supervisor's own queue (their
    trainees' sessions, activities and didactic hours), else the staff queue of that type."""
    if person.is_supervisor and entry_type != "ce":
        return waiting_entries(assigned_enrollment_ids(person.id))
    if person.is_staff:
        return waiting_entries(None, (entry_type,))
    return []


def next_waiting(person: User, entry_type: str, enrollment_id: int) -> WaitingEntry | None:
    """The entry to open after signing one of `entry_type` in `enrollment_id`: the oldest entry
    of the same trainee still waiting in the signer's queue, else the oldest of any trainee.
    None when nothing waits (a fixed number of queries)."""
    waiting = [row for row in signer_queue(person, entry_type) if row.trainee_id != person.id]
    same = [row for row in waiting if row.enrollment_id == enrollment_id]
    return (same or waiting or [None])[0]
