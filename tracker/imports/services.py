"""Importing didactic attendance: a preview that says what each row will do, a commit that
creates the entries all at once (or nothing), and undoing a batch.

The rows are plain dicts in the import's field names (`tracker.imports.layouts.FIELDS`: person,
topic, date, hours, provider, external_id; `line` optional), whether they came from a CSV file
through the pages or as JSON: `preview(program, rows)` and
`commit(program, rows, actor, expected_digest)` are the whole contract.

Every row is checked by the rules of the didactic entry form (`tracker.training.services`:
`didactic_fields` and `check_day_cap`, with what is already logged that day and what earlier
rows of the same file add), after the import's own: the person's account, their admitted
enrollment in the program, the topic (a curriculum topic's code or name, or the program's
course map), the external id not already imported. Imported hours are verified on the
program's authority: the entries are stored `verified` by the staff member who committed them,
the state a staff verification gives an entry.

A commit holds the enrollments it touches, checks every row again and compares the outcome's
digest with the preview's: a preview that no longer holds (an entry logged meanwhile, the same
file committed by someone else, a preview committed twice) is refused, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.accounts.models import normalise_email
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.guarded import lock_rows
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.imports.layouts import FIELDS
from tracker.imports.layouts import SOURCE_LABELS
from tracker.imports.layouts import parse_day
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportDraft
from tracker.imports.models import ImportedRow
from tracker.imports.models import ImportLayout
from tracker.notifications.services import import_finished
from tracker.programs.models import Program
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec
from tracker.training.models import DidacticEntry
from tracker.training.services import LINE_LIMIT
from tracker.training.services import MAX_ENTRY_HOURS
from tracker.training.services import DidacticInput
from tracker.training.services import check_day_cap
from tracker.training.services import clean_line
from tracker.training.services import didactic_fields
from tracker.training.services import hours_logged_by_day
from tracker.training.services import logging_open
from tracker.training.services import parse_quarter_hours
from tracker.training.services import program_today

CREATE, DUPLICATE, ERROR = "create", "duplicate", "error"
STATUS_LABELS = {CREATE: "Will be created", DUPLICATE: "Duplicate", ERROR: "Error"}
# What kind of problem a refusal of the entry rules is, by the field it names.
PROBLEM_OF_FIELD = {
    "topic_code": "Unknown topic",
    "on": "Date",
    "hours": "Bad number",
    "provider": "Provider",
    "note": "Note",
}
REASON_MIN = 10
_NUMBERISH = re.compile(r"^[+-]?[\d.]+$")


@dataclass(frozen=True)
class CourseMapping:
    """An LMS course's curriculum topic and, when the export has no hours, the hours a row of
    that course counts."""

    topic_code: str
    hours: Decimal | None


@dataclass(frozen=True)
class RowOutcome:
    """What importing one row will do: `status` create, duplicate or error (`reason` says
    why), with the values it was read as."""

    line: int
    status: str
    reason: str
    person: str
    topic: str
    on: date | None
    hours: Decimal | None
    provider: str
    external_id: str
    trainee_name: str = ""
    topic_code: str = ""
    topic_name: str = ""
    enrollment_id: int | None = None

    @property
    def status_label(self) -> str:
        """The status as a person reads it."""
        return STATUS_LABELS[self.status]

    def key(self) -> list[Any]:
        """What the digest covers of this row."""
        return [
            self.line,
            self.status,
            self.external_id,
            self.enrollment_id,
            self.topic_code,
            self.on.isoformat() if self.on else None,
            str(self.hours) if self.hours is not None else None,
            self.provider,
        ]


@dataclass(frozen=True)
class Total:
    """Hours that will be created for one person or one topic."""

    label: str
    rows: int
    hours: Decimal


@dataclass(frozen=True)
class Preview:
    """Every row's outcome, the totals of what will be created, and the digest that a commit
    must present (it covers every row's outcome)."""

    rows: list[RowOutcome]
    digest: str
    by_person: list[Total] = field(default_factory=list)
    by_topic: list[Total] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many rows have `status`."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def hours(self) -> Decimal:
        """The hours that will be created."""
        return sum(
            (row.hours or Decimal(0) for row in self.rows if row.status == CREATE), Decimal(0)
        )

    @property
    def committable(self) -> bool:
        """True when no row is in error and at least one will be created."""
        return self.count(ERROR) == 0 and self.count(CREATE) > 0


# -- the course map -------------------------------------------------------------------------------


def parse_course_map(text: str, spec: RequirementSpec | None) -> dict[str, CourseMapping]:
    """Lines "LMS course = topic, hours" (hours optional; topic a code or a curriculum topic's
    name) as a map of the lower-cased course; refused with the first wrong line's number."""
    result: dict[str, CourseMapping] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        course, equals, target = line.partition("=")
        pieces = [piece.strip() for piece in target.split(",")]
        hours_text = pieces.pop() if len(pieces) > 1 and _NUMBERISH.match(pieces[-1]) else ""
        named = ", ".join(pieces)
        if not equals or not course.strip() or not named:
            raise Refused(
                f"Line {number}: write it as “LMS course = topic, hours” (hours optional).",
                "course_map",
            )
        topic = _topic_code(spec, named) if spec is not None else named
        if topic is None:
            raise Refused(
                f"Line {number}: “{named}” is no topic of the program's curriculum.",
                "course_map",
            )
        hours = None
        if hours_text:
            try:
                hours = parse_quarter_hours(hours_text, "course_map", MAX_ENTRY_HOURS)
            except Refused as error:
                raise Refused(f"Line {number}: {error.message}", "course_map") from None
        result[course.strip().lower()] = CourseMapping(topic, hours)
    return result


def _topic_code(spec: RequirementSpec, text: str) -> str | None:
    wanted = text.strip().lower()
    for topic in spec.didactic_topics:
        if wanted in (topic.code.lower(), topic.name.lower()):
            return topic.code
    return None


def program_spec(program: Program) -> RequirementSpec | None:
    """The curriculum of the program's newest requirements (for checking the course map)."""
    track = db.session.scalar(
        select(Track).where(Track.program_id == program.id).order_by(Track.id).limit(1)
    )
    requirements = track.current_requirements if track is not None else None
    return requirements.spec if requirements is not None else None


def layout_of(program: Program) -> ImportLayout | None:
    """The program's saved column layout and course map, or None."""
    return db.session.scalar(select(ImportLayout).where(ImportLayout.program_id == program.id))


def save_layout(
    program: Program, columns: Mapping[str, str] | None, course_map: str | None, actor: User
) -> ImportLayout:
    """Save the program's column mapping (None keeps it) and course map (None keeps it)."""
    layout = layout_of(program)
    before = audited(layout) if layout is not None else None
    if layout is None:
        layout = ImportLayout(program_id=program.id, columns="{}", course_map="")
        db.session.add(layout)
    if columns is not None:
        kept = {name: column for name, column in columns.items() if name in FIELDS and column}
        for name in ("person", "topic", "date"):
            if name not in kept:
                raise Refused("Choose the column for the person, the topic and the date.", name)
        layout.columns = json.dumps(kept, sort_keys=True)
    if course_map is not None:
        parse_course_map(course_map, program_spec(program))
        layout.course_map = course_map.replace("\r\n", "\n").strip()
    layout.updated_by_id = actor.id
    db.session.flush()
    record("import.layout_saved", layout, before=before, after=audited(layout), actor_id=actor.id)
    return layout


# -- preview ------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _load_enrollments(program: Program, emails: Iterable[str]) -> tuple[dict, dict]:
    """People by e-mail, and their enrollments in the program by trainee id, with what the
    entry rules read of them, in a fixed number of queries."""
    wanted = sorted(set(emails))
    people: dict[str, User] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        for user in db.session.scalars(select(User).where(User.email.in_(chunk))):
            people[user.email] = user
    enrollments: dict[int, Enrollment] = {}
    ids = [user.id for user in people.values()]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for enrollment in db.session.scalars(
            select(Enrollment)
            .where(Enrollment.program_id == program.id, Enrollment.trainee_id.in_(chunk))
            .options(
                selectinload(Enrollment.program),
                selectinload(Enrollment.cohort),
                selectinload(Enrollment.pinned_requirements),
                selectinload(Enrollment.track).selectinload(Track.requirement_sets),
            )
        ):
            enrollments[enrollment.trainee_id] = enrollment
    return people, enrollments


def _already_imported(program: Program, external_ids: Iterable[str]) -> set[str]:
    """The external ids among these that the program imported before. Read as one scan of
    the program's imported ids: a long IN list, prepared by the driver after a few runs, is
    searched linearly for every row on PostgreSQL."""
    wanted = {value for value in external_ids if value}
    if not wanted:
        return set()
    stored = db.session.scalars(
        select(ImportedRow.external_id).where(ImportedRow.program_id == program.id)
    )
    return {value for value in stored if value in wanted}


def preview(program: Program, rows: list[Mapping[str, Any]]) -> Preview:
    """What importing `rows` into `program` would do, row by row; writes nothing.

    Each row is a mapping of person (e-mail), topic (a topic's code or name, or an LMS course
    of the course map), date (ISO), hours (optional when the course map gives them), provider
    and external_id; `line` (optional) numbers it for messages."""
    layout = layout_of(program)
    course_map: dict[str, CourseMapping] = {}
    if layout is not None and layout.course_map:
        try:
            course_map = parse_course_map(layout.course_map, None)
        except Refused:
            course_map = {}
    emails = [normalise_email(_text(row, "person")) for row in rows]
    people, enrollments = _load_enrollments(program, emails)
    imported = _already_imported(program, (_text(row, "external_id") for row in rows))
    days = {parse_day(row.get("date")) for row in rows}
    logged = hours_logged_by_day(
        sorted(e.id for e in enrollments.values()), sorted(d for d in days if d is not None)
    )
    seen: dict[str, int] = {}
    outcomes = []
    for position, row in enumerate(rows, start=1):
        line = int(row.get("line") or position)
        outcome = _check_row(
            line, row, emails[position - 1], people, enrollments, imported, seen, logged, course_map
        )
        outcomes.append(outcome)
    return _summarise(program, outcomes)


def _check_row(
    line: int,
    row: Mapping[str, Any],
    email: str,
    people: Mapping[str, User],
    enrollments: Mapping[int, Enrollment],
    imported: set[str],
    seen: dict[str, int],
    logged: dict[tuple[int, date], Decimal],
    course_map: Mapping[str, CourseMapping],
) -> RowOutcome:
    topic_text = _text(row, "topic")
    external_id = _text(row, "external_id")
    on = parse_day(row.get("date"))
    base = {
        "line": line,
        "person": email,
        "topic": topic_text,
        "on": on,
        "hours": None,
        "provider": _text(row, "provider") or topic_text,
        "external_id": external_id,
    }

    def error(reason: str, **more: Any) -> RowOutcome:
        return RowOutcome(status=ERROR, reason=reason, **(base | more))

    try:
        external_id = clean_line(external_id, "external_id", "external id", LINE_LIMIT)
    except Refused as refused:
        return error(f"External id: {refused.message}")
    if external_id in seen:
        return error(f"Repeated external id: line {seen[external_id]} of this file has it too.")
    seen[external_id] = line
    if external_id in imported:
        return RowOutcome(status=DUPLICATE, reason="Already imported (same external id).", **base)
    user = people.get(email)
    if user is None:
        return error(
            f"Unknown person: no account has the e-mail “{email}”."
            if email
            else "Unknown person: the e-mail is empty."
        )
    enrollment = enrollments.get(user.id)
    more = {"trainee_name": user.full_name}
    if enrollment is None or not logging_open(enrollment):
        return error("Not enrolled: the person has no admitted enrollment in this program.", **more)
    more["enrollment_id"] = enrollment.id
    mapped = course_map.get(topic_text.lower())
    spec = enrollment.requirements.spec  # logging_open: there is one
    wanted = mapped.topic_code if mapped else topic_text
    topic_code = _topic_code(spec, wanted) or wanted
    hours_text = row.get("hours")
    if (hours_text is None or str(hours_text).strip() == "") and mapped and mapped.hours:
        hours_text = str(mapped.hours)
    if on is None:
        return error(
            "Bad date: write the date as YYYY-MM-DD."
            if _text(row, "date")
            else "Bad date: the date is empty.",
            **more,
        )
    try:
        values = didactic_fields(
            enrollment,
            DidacticInput(
                on=on, topic_code=topic_code, hours=hours_text, provider=base["provider"]
            ),
        )
    except Refused as refused:
        problem = PROBLEM_OF_FIELD.get(refused.field or "", "Error")
        if refused.field == "on" and on > program_today(enrollment):
            problem = "Future date"
        if refused.field == "topic_code":
            return error(
                f"Unknown topic: “{topic_text}” is no topic of the curriculum and not in "
                "the course map.",
                **more,
            )
        return error(f"{problem}: {refused.message}", **more)
    topic = spec.topic(values["topic_code"])
    more |= {"topic_code": values["topic_code"], "topic_name": topic.name if topic else ""}
    key = (enrollment.id, values["on"])
    already = logged.get(key, Decimal(0))
    try:
        check_day_cap(spec.max_day_hours, already, values["on"], values["hours"])
    except Refused as refused:
        return error(f"Over the daily cap: {refused.message}", hours=values["hours"], **more)
    logged[key] = already + values["hours"]
    return RowOutcome(
        status=CREATE,
        reason="",
        **(base | {"on": values["on"], "hours": values["hours"], "provider": values["provider"]}),
        **more,
    )


def _summarise(program: Program, outcomes: list[RowOutcome]) -> Preview:
    people: dict[str, list[Decimal]] = defaultdict(list)
    topics: dict[str, list[Decimal]] = defaultdict(list)
    for row in outcomes:
        if row.status == CREATE and row.hours is not None:
            people[f"{row.trainee_name} ({row.person})"].append(row.hours)
            topics[row.topic_name or row.topic_code].append(row.hours)
    digest = hashlib.sha256(
        json.dumps([program.id, [row.key() for row in outcomes]], separators=(",", ":")).encode()
    ).hexdigest()

    def totals(groups: dict[str, list[Decimal]]) -> list[Total]:
        return [
            Total(label, len(hours), sum(hours, Decimal(0)))
            for label, hours in sorted(groups.items())
        ]

    return Preview(outcomes, digest, totals(people), totals(topics))


# -- commit -------------------------------------------------------------------------------------


STALE = (
    "The preview no longer holds: something changed since it was shown (hours logged or "
    "imported meanwhile, or the rows differ). Nothing was imported; look at the new preview."
)


def _fingerprint(values: Mapping[str, Any]) -> str:
    content = [
        values["enrollment_id"],
        values["on"].isoformat(),
        values["topic_code"],
        format(Decimal(values["hours"]).quantize(Decimal("0.01")), "f"),
        values["provider"],
        values["note"],
        values["status"],
    ]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _new_entry_ids(count: int) -> list[int]:
    """`count` ids for new didactic entries: drawn from the sequence on PostgreSQL; on SQLite,
    after the largest id (the transaction already holds SQLite's one write lock: it wrote the
    batch)."""
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(DidacticEntry.__tablename__, "id")
        return list(
            db.session.scalars(
                select(func.nextval(sequence)).select_from(func.generate_series(1, count))
            )
        )
    last = db.session.scalar(select(func.coalesce(func.max(DidacticEntry.id), 0))) or 0
    return list(range(last + 1, last + 1 + count))


def commit(
    program: Program,
    rows: list[Mapping[str, Any]],
    actor: User,
    expected_digest: str,
    source: str = "api",
    filename: str = "",
) -> ImportBatch:
    """Create every row's entry, verified on the program's authority by `actor`, as one batch
    with one audit event; or refuse and create nothing: when any row is in error, when none is
    new, or when the rows' outcome now differs from the preview whose digest is
    `expected_digest`. The caller commits."""
    if not actor.is_staff:
        raise Refused("Only program staff can import hours.")
    # Hold every enrollment the rows name, then check the rows under the locks: nothing logged
    # for them meanwhile can slip past the daily cap.
    _people, enrollments = _load_enrollments(
        program, (normalise_email(_text(row, "person")) for row in rows)
    )
    lock_rows(Enrollment, (enrollment.id for enrollment in enrollments.values()))
    checked = preview(program, rows)
    if checked.digest != expected_digest:
        raise Refused(STALE)
    if checked.count(ERROR):
        raise Refused(
            f"Nothing was imported: {checked.count(ERROR)} rows are in error. Correct the file "
            "(or the course map) and upload it again."
        )
    created = [row for row in checked.rows if row.status == CREATE]
    if not created:
        raise Refused("Nothing to import: every row was already imported.")
    now = utcnow()
    batch = ImportBatch(
        program_id=program.id,
        source=source if source in SOURCE_LABELS else "api",
        filename=(filename or "")[:200],
        row_count=len(created),
        hours=sum((row.hours or Decimal(0) for row in created), Decimal(0)),
        digest=checked.digest,
        created_at=now,
        created_by_id=actor.id,
        undo_reason="",
    )
    db.session.add(batch)
    db.session.flush()
    note = f"Imported from {SOURCE_LABELS.get(batch.source, batch.source)} (batch {batch.id})."
    values = [
        {
            "enrollment_id": row.enrollment_id,
            "on": row.on,
            "topic_code": row.topic_code,
            "hours": row.hours,
            "provider": row.provider,
            "note": note,
            "status": "verified",
            "verified_at": now,
            "verified_by_id": actor.id,
            "created_at": now,
            "updated_at": now,
        }
        for row in created
    ]
    ids = _new_entry_ids(len(values))
    for value, entry_id in zip(values, ids, strict=True):
        value["id"] = entry_id
    # With their ids given, the rows go as one executemany (no RETURNING to parse per row).
    db.session.execute(insert(DidacticEntry), values)
    # The progress engine reads nothing of this table: a plain Core executemany will do.
    db.session.execute(
        insert(ImportedRow.__table__),
        [
            {
                "program_id": program.id,
                "batch_id": batch.id,
                "external_id": row.external_id,
                "entry_id": entry_id,
                "fingerprint": _fingerprint(value),
            }
            for row, entry_id, value in zip(created, ids, values, strict=True)
        ],
    )
    record(
        "import.committed",
        batch,
        after={
            **audited(batch),
            "verified_by_id": actor.id,
            "entries": [
                [entry_id, row.external_id, row.enrollment_id]
                for row, entry_id in zip(created, ids, strict=True)
            ],
        },
        actor_id=actor.id,
    )
    import_finished(
        actor,
        "Import of didactic hours",
        f"{len(created)} entr{'y' if len(created) == 1 else 'ies'} imported into {program.name}",
        f"/imports/batches/{batch.id}",
    )
    return batch


# -- undo ---------------------------------------------------------------------------------------


def changed_since(batch: ImportBatch) -> list[str]:
    """Why the batch can no longer be undone: its entries deleted or changed since the import
    (at most a few named), or nothing."""
    rows = db.session.execute(
        select(ImportedRow.external_id, ImportedRow.fingerprint, DidacticEntry)
        .outerjoin(DidacticEntry, DidacticEntry.id == ImportedRow.entry_id)
        .where(ImportedRow.batch_id == batch.id)
        .execution_options(populate_existing=True)
    ).all()
    problems = []
    for external_id, fingerprint, entry in rows:
        if entry is None:
            problems.append(f"the entry of {external_id} was deleted")
        elif (
            _fingerprint(
                {
                    name: getattr(entry, name)
                    for name in (
                        "enrollment_id",
                        "on",
                        "topic_code",
                        "hours",
                        "provider",
                        "note",
                        "status",
                    )
                }
            )
            != fingerprint
        ):
            problems.append(f"the entry of {external_id} was changed")
    return problems


def undo(batch: ImportBatch, actor: User, reason: str | None) -> ImportBatch:
    """Remove every entry the batch created, with a reason, recorded; refused when the batch was
    undone already or any of its entries changed since. The caller commits."""
    if not actor.is_staff:
        raise Refused("Only program staff can undo an import.")
    text = (reason or "").replace("\r\n", "\n").strip()
    if len(text) < REASON_MIN:
        raise Refused(f"Write the reason (at least {REASON_MIN} characters).", "reason")
    if len(text) > 2000:
        raise Refused("Use at most 2000 characters.", "reason")
    if batch.is_undone:
        raise Refused("This import was already undone.")
    entry_count = int(
        db.session.scalar(
            select(func.count(ImportedRow.id)).where(ImportedRow.batch_id == batch.id)
        )
        or 0
    )
    enrollment_ids = db.session.scalars(
        select(DidacticEntry.enrollment_id)
        .join(ImportedRow, ImportedRow.entry_id == DidacticEntry.id)
        .where(ImportedRow.batch_id == batch.id)
        .distinct()
    ).all()
    lock_rows(Enrollment, enrollment_ids)
    problems = changed_since(batch)
    if problems:
        shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        raise Refused(
            f"This import cannot be undone: {len(problems)} of its entries changed since "
            f"({shown}). Nothing was removed."
        )
    before = audited(batch)
    subquery = select(ImportedRow.entry_id).where(ImportedRow.batch_id == batch.id)
    db.session.execute(delete(DidacticEntry).where(DidacticEntry.id.in_(subquery)))
    db.session.execute(delete(ImportedRow).where(ImportedRow.batch_id == batch.id))
    db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.undone_at.is_(None))
        .values(undone_at=utcnow(), undone_by_id=actor.id, undo_reason=text)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(batch)
    record(
        "import.undone",
        batch,
        before=before,
        after={**audited(batch), "entries_removed": entry_count},
        actor_id=actor.id,
    )
    return batch


# -- the pages' drafts and lists ----------------------------------------------------------------


def keep_draft(
    program: Program,
    rows: list[dict[str, Any]],
    skipped: int,
    source: str,
    filename: str,
    actor: User,
) -> ImportDraft:
    """Keep an uploaded file's rows for its preview and commit."""
    draft = ImportDraft(
        program_id=program.id,
        created_by_id=actor.id,
        source=source,
        filename=(filename or "")[:200],
        skipped=skipped,
        content=json.dumps(rows, separators=(",", ":")),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def commit_draft(draft: ImportDraft, actor: User, expected_digest: str) -> ImportBatch:
    """Commit a kept upload (`commit`); a draft committed already is refused (a replay)."""
    if draft.batch_id is not None:
        raise Refused(
            f"This preview was already imported (batch {draft.batch_id}); nothing was added."
        )
    # Claim the draft first: of two commits of one preview, the second finds it claimed.
    claimed = db.session.execute(
        update(ImportDraft)
        .where(ImportDraft.id == draft.id, ImportDraft.batch_id.is_(None))
        .values(created_at=ImportDraft.created_at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Refused("This preview was already imported; nothing was added.")
    batch = commit(draft.program, draft.rows, actor, expected_digest, draft.source, draft.filename)
    draft.batch_id = batch.id
    db.session.flush()
    return batch


def batches(program: Program) -> list[ImportBatch]:
    """The program's import batches, newest first."""
    return list(
        db.session.scalars(
            select(ImportBatch)
            .where(ImportBatch.program_id == program.id)
            .options(selectinload(ImportBatch.created_by), selectinload(ImportBatch.undone_by))
            .order_by(ImportBatch.id.desc())
        )
    )


def entries_left(batch: ImportBatch) -> int:
    """How many of the batch's entries are still there."""
    return int(
        db.session.scalar(
            select(func.count(ImportedRow.id)).where(
                ImportedRow.batch_id == batch.id, ImportedRow.entry_id.is_not(None)
            )
        )
        or 0
    )
