"""Progress snapshots: the engine's verdict per enrollment, stored for the staff lists.

The engine costs about a millisecond per enrollment in Python, so a page over ten thousand
enrollments cannot compute them all on every request. Each enrollment keeps a
`ProgressSnapshot` instead:

- every write to a table the engine reads marks the affected snapshots stale and bumps their
  generation, in the writer's own transaction (one UPDATE just before the commit), whether the
  write came from the unit of work or from a bulk INSERT, UPDATE or DELETE statement;
- each snapshot stores the first day on which a time-based rule could change its verdict
  (`holds_until`, from the engine: an instalment falling due, a licence expiring, a pace or
  inactivity threshold, a cycle or a waiver ending...); a new day makes due only the
  snapshots whose day has come, not all of them;
- `flask progress refresh` (and, for the few enrollments a request's write marked, the end of
  that request, and the worker, a small batch at a time between its jobs) recomputes the
  snapshots that are stale or due, in chunks, each in a short write transaction;
- a list never writes: it filters, sorts and pages in SQL over the stored snapshots, and the
  rows of the page whose snapshot is out of date are computed in memory for the response
  (`current_values`) and shown as updating. Such a row was filtered and sorted on its stored
  verdict, which may be yesterday's until the next refresh.

A refresh stores a result only if the generation is still the one it read before loading the
facts: a write that commits meanwhile leaves the row stale, never stale-but-marked-fresh. When
the stored codes change it replaces the enrollment's rows of `ProgressSnapshotCode` (one per item
code, what the cohort page's code filter reads), in the same transaction: the two always agree.
Without a snapshot row (enrollments created in bulk, outside the session) the refresh creates
one first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask import current_app
from flask import request
from sqlalchemy import Column
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from tracker.core.clock import today_in
from tracker.database import listen_to_sessions
from tracker.database import writing
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.enrollments.models import ProgressSnapshotCode
from tracker.extensions import db
from tracker.jobs.services import periodic
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.progress import Progress
from tracker.progress import compute
from tracker.progress.life_rules import life_state
from tracker.progress.requirements import RequirementSpec
from tracker.standing import assess
from tracker.standing.contributors import watched
from tracker.standing.loader import LoadedEnrollment
from tracker.standing.loader import load_chosen
from tracker.standing.loader import parse_spec

CHUNK = 500
LETTERS = {
    "not_started": "n",
    "in_progress": "i",
    "complete": "c",
    "waived": "w",
    "blocked": "b",
}
STATUSES = {letter: status for status, letter in LETTERS.items()}
_PENDING = "progress_snapshot_scopes"
_NEW = "progress_snapshot_new"
_ALL = ("*", "*")
# Bulk statements naming more values than this invalidate every snapshot instead.
_MAX_VALUES = 5000
# A request whose writes marked at most this many snapshots stale recomputes them as it ends;
# more (a new requirement version, a bulk change) wait for `flask progress refresh`.
SMALL = 20
# Snapshots the worker (`flask worker`) recomputes per round between its jobs.
WORKER_BATCH = 200
_MARKED = "progress_snapshot_marked"
# The snapshots' own tables: derived, written by the refresh; never a reason to mark one stale.
_DERIVED = (ProgressSnapshot.__tablename__, ProgressSnapshotCode.__tablename__)
_COMMITTED = "progress_snapshot_committed"


def _scopes() -> dict[str, tuple[tuple[str, Column], ...]]:
    """For each table the engine reads: (its column, the column that column matches).

    A matched column of `enrollments` selects those enrollments; a matched column of another
    table selects that table's `enrollment_id`. Every table with an `enrollment_id` column
    (but the snapshots' own) is in scope through it; the others are listed here or declared by the
    domain that contributes them (`contributors.watch`).
    """
    scopes: dict[str, tuple[tuple[str, Column], ...]] = {
        "enrollments": (("id", Enrollment.__table__.c.id),),
        "programs": (("id", Enrollment.__table__.c.program_id),),
        "tracks": (("id", Enrollment.__table__.c.track_id),),
        "cohorts": (("id", Enrollment.__table__.c.cohort_id),),
        "requirement_sets": (
            ("track_id", Enrollment.__table__.c.track_id),
            ("id", Enrollment.__table__.c.requirement_set_id),
        ),
        **watched(),
    }
    for table in db.metadata.sorted_tables:
        if "enrollment_id" in table.c and table.name not in _DERIVED:
            scopes.setdefault(table.name, (("enrollment_id", Enrollment.__table__.c.id),))
    return scopes


_SCOPES: dict[str, tuple[tuple[str, Column], ...]] = {}


def scopes() -> dict[str, tuple[tuple[str, Column], ...]]:
    """The scope table, built once the models are imported."""
    if not _SCOPES:
        _SCOPES.update(_scopes())
    return _SCOPES


# --- invalidation -------------------------------------------------------------------------


def _pending(session: Session) -> dict[tuple[str, str], set]:
    return session.info.setdefault(_PENDING, defaultdict(set))


def _note(session: Session, table: str, values_of) -> None:
    """Remember the scope values of one written row (`values_of(column)` gives them)."""
    pending = _pending(session)
    for column, _target in scopes()[table]:
        for value in values_of(column):
            if value is not None:
                pending[(table, column)].add(value)


def _after_flush(session: Session, _context) -> None:
    """Collect the scope of every row the flush inserted, changed or deleted."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table not in scopes():
            continue
        state = inspect(obj)
        if table == "enrollments" and obj in session.new:
            session.info.setdefault(_NEW, set()).add(obj.id)

        def values_of(column: str, state=state) -> list:
            history = state.attrs[column].history
            current = state.dict.get(column)
            return [current, *history.deleted]

        _note(session, table, values_of)


def _on_execute(orm_state: ORMExecuteState) -> None:
    """Collect the scope of a bulk INSERT, UPDATE or DELETE (the rows it names, read first)."""
    if not (orm_state.is_insert or orm_state.is_update or orm_state.is_delete):
        return
    table = getattr(orm_state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in scopes():
        return
    session = orm_state.session
    if orm_state.is_insert:
        params = orm_state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        if not rows or any(column not in row for row in rows for column, _target in scopes()[name]):
            _pending(session)[_ALL].add(True)
            return
        _note(session, name, lambda column: [row[column] for row in rows])
        return
    where = orm_state.statement.whereclause
    if where is None:
        _pending(session)[_ALL].add(True)
        return
    for column, _target in scopes()[name]:
        values = session.execute(select(table.c[column]).where(where)).scalars().all()
        _pending(session)[(name, column)].update(v for v in values if v is not None)


def _before_commit(session: Session) -> None:
    """Mark the snapshots of everything written stale, in the writer's transaction."""
    if session.in_nested_transaction():
        # A SAVEPOINT's release fires this too; marking waits for the real commit, so that it
        # stays the transaction's last lock, after the audit trail's head: a snapshot row
        # locked at a savepoint before the head deadlocked (PostgreSQL) with a writer holding
        # the head and marking the same snapshot.
        return
    session.flush()
    pending = session.info.pop(_PENDING, None)
    new = session.info.pop(_NEW, None)
    if new:
        _insert_rows(session, sorted(new))
        _marked(session, new)
    if not pending:
        return
    bump = (
        update(ProgressSnapshot)
        .values(stale=True, generation=ProgressSnapshot.generation + 1)
        .execution_options(synchronize_session=False)
    )
    if _ALL in pending or sum(len(v) for v in pending.values()) > _MAX_VALUES:
        session.execute(bump)
        _marked(session, None)
        return
    selects = []
    for (table, column), values in pending.items():
        for name, target in scopes()[table]:
            if name != column:
                continue
            owner = target.table
            chosen = owner.c.id if owner is Enrollment.__table__ else owner.c.enrollment_id
            selects.append(select(chosen).where(target.in_(sorted(values))))
    if selects:
        affected = selects[0] if len(selects) == 1 else union(*selects)
        marked = session.execute(
            bump.where(ProgressSnapshot.enrollment_id.in_(affected)).returning(
                ProgressSnapshot.enrollment_id
            )
        )
        _marked(session, set(marked.scalars()))


def _marked(session: Session, enrollment_ids: set[int] | None) -> None:
    """Note what this transaction marked stale (None: too many to name)."""
    noted = session.info.setdefault(_MARKED, set())
    if enrollment_ids is None or noted is None or len(noted) + len(enrollment_ids) > SMALL:
        session.info[_MARKED] = None
    else:
        noted.update(enrollment_ids)


def _after_commit(session: Session) -> None:
    """Keep what the committed transaction marked, for `recompute_marked`."""
    if _MARKED not in session.info:
        return
    marked = session.info.pop(_MARKED)
    kept = session.info.get(_COMMITTED, set())
    if marked is None or kept is None or len(kept) + len(marked) > SMALL:
        session.info[_COMMITTED] = None
    else:
        session.info[_COMMITTED] = kept | marked


def _forget(session: Session, *_args) -> None:
    if session.in_nested_transaction():
        # A SAVEPOINT rolled back: what the transaction wrote before it still commits, so its
        # scopes stay (the savepoint's own are kept too: marking more is harmless).
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_NEW, None)
    session.info.pop(_MARKED, None)


def install() -> None:
    """Listen to every session's writes."""
    listen_to_sessions(
        after_flush=_after_flush,
        do_orm_execute=_on_execute,
        before_commit=_before_commit,
        after_commit=_after_commit,
        after_rollback=_forget,
    )


# --- refresh ------------------------------------------------------------------------------


def _insert_rows(session: Session, enrollment_ids: list[int]) -> None:
    """Create stale snapshot rows (an existing row is left alone)."""
    if not enrollment_ids:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ProgressSnapshot).on_conflict_do_nothing(index_elements=["enrollment_id"])
    session.execute(
        stmt, [{"enrollment_id": i, "generation": 0, "stale": True} for i in enrollment_ids]
    )


def program_zones() -> dict[str, list[int]]:
    """Program ids by time zone (one query), for `out_of_date`."""
    zones: dict[str, list[int]] = defaultdict(list)
    for program_id, zone in db.session.execute(select(Program.id, Program.timezone)):
        zones[zone].append(program_id)
    return zones


def out_of_date(zones: dict[str, list[int]]):
    """True for an enrollment whose snapshot is missing, stale, or due: its program's today
    has reached the day its verdict holds until (NULL: due now), or is before the day it was
    computed for (a clock set back). A condition over `enrollments` outer-joined to
    `progress_snapshots`; the due rows are found through the index on `holds_until`."""
    due = [
        and_(
            Enrollment.program_id.in_(program_ids),
            or_(
                ProgressSnapshot.holds_until <= today_in(zone),
                ProgressSnapshot.computed_on > today_in(zone),
            ),
        )
        for zone, program_ids in zones.items()
    ]
    return or_(
        ProgressSnapshot.enrollment_id.is_(None),
        ProgressSnapshot.stale,
        ProgressSnapshot.holds_until.is_(None),
        *due,
    )


def _values(loaded: LoadedEnrollment, today: date) -> dict:
    """The snapshot columns for one enrollment on `today`."""
    progress = compute(loaded.facts, loaded.spec, today) if loaded.spec is not None else None
    return columns(progress, today, life_state(loaded.facts, today))


def columns(progress: Progress | None, today: date, state: str = "") -> dict:
    """The snapshot columns of the engine's result on `today` (None: no requirement set, when
    `state`, the engine's life state of the enrollment, is stored all the same)."""
    values = {
        "computed_on": today,
        # Without a requirement set only the life state is stored: checked again tomorrow.
        "holds_until": today + timedelta(days=1),
        "steps": "",
        "fraction": 0.0,
        "blocking": 0,
        "next_due_on": None,
        "codes": "",
        "actors": "",
        "ready": False,
        "certificate_status": None,
        "state": state,
    }
    if progress is None:
        return values
    # Codes and actors name what can be acted on now: upcoming items (a cohort not started yet)
    # neither count as blocking nor match the cohort page's filters.
    current = progress.current_items
    codes = sorted({item.code for item in current})
    actors = sorted({str(item.actor) for item in current})
    values.update(
        holds_until=progress.holds_until or today + timedelta(days=1),
        steps="".join(LETTERS[str(step.status)] for step in progress.steps),
        fraction=progress.fraction,
        blocking=len(progress.blocking_items),
        next_due_on=progress.next_due_on,
        codes=f" {' '.join(codes)} " if codes else "",
        actors=f" {' '.join(actors)} " if actors else "",
        ready=progress.ready_for_certificate,
        certificate_status=(
            str(progress.certificate_status) if progress.certificate_status else None
        ),
        state=progress.state,
    )
    return values


def _recompute(generations: dict[int, int]) -> int:
    """Compute and store one chunk; rows whose generation moved are left stale."""
    loaded = load_chosen(sorted(generations))
    todays: dict[str, date] = {}
    params = []
    for item in loaded:
        zone = item.row.timezone
        today = todays.setdefault(zone, today_in(zone))
        params.append(
            {
                "key": item.row.id,
                "seen": generations[item.row.id],
                "stale": False,
                **_values(item, today),
            }
        )
    if not params:
        return 0
    table = ProgressSnapshot.__table__
    connection = db.session.connection()
    # What the rows hold before the UPDATE, locked until the commit (FOR UPDATE on PostgreSQL;
    # SQLite's write transaction holds the whole database): the UPDATE stores exactly the rows
    # still at the generation read, and their item codes can move only with this transaction.
    held = {
        key: (generation, codes)
        for key, generation, codes in connection.execute(
            select(table.c.enrollment_id, table.c.generation, table.c.codes)
            .where(table.c.enrollment_id.in_([row["key"] for row in params]))
            .order_by(table.c.enrollment_id)
            .with_for_update()
        )
    }
    stmt = (
        update(table)
        .where(table.c.enrollment_id == bindparam("key"), table.c.generation == bindparam("seen"))
        .values({name: bindparam(name) for name in params[0] if name not in ("key", "seen")})
    )
    connection.execute(stmt, params)
    _store_codes(
        connection,
        {
            row["key"]: row["codes"]
            for row in params
            if held.get(row["key"]) is not None
            and held[row["key"]][0] == row["seen"]
            and held[row["key"]][1] != row["codes"]
        },
    )
    return len(params)


def _store_codes(connection, changed: dict[int, str]) -> None:
    """Replace the code rows of the snapshots whose `codes` the chunk's UPDATE changed
    (`changed`: their new `codes`): two statements whatever their number, none when none did.

    A row another writer bumped meanwhile was not stored: it keeps its old verdict and its old
    code rows. Most refreshed verdicts (a new day) name the same items as before: their rows
    stay as they are."""
    if not changed:
        return
    rows = ProgressSnapshotCode.__table__
    connection.execute(delete(rows).where(rows.c.enrollment_id.in_(sorted(changed))))
    values = [
        {"enrollment_id": key, "code": code}
        for key, codes in sorted(changed.items())
        for code in codes.split()
    ]
    if values:
        connection.execute(insert(rows), values)


def refresh(ids: Select | None = None, limit: int | None = None) -> int:
    """Bring the snapshots of the enrollments `ids` selects (all when None) up to date, at most
    `limit` of them (the first by id) when given.

    Returns how many were recomputed. Commits: never call it while serving a read (GET), nor in
    the middle of a write.
    """
    scope = ids if ids is not None else select(Enrollment.id)
    db.session.commit()  # read what is committed now, not what an earlier read saw
    zones = program_zones()
    rows = db.session.execute(
        select(Enrollment.id, ProgressSnapshot.generation)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(Enrollment.id.in_(scope), out_of_date(zones))
        .order_by(Enrollment.id)
        .limit(limit)
    ).all()
    db.session.commit()
    if not rows:
        return 0
    missing = [enrollment_id for enrollment_id, generation in rows if generation is None]
    if missing:
        with writing():
            _insert_rows(db.session, missing)
            db.session.commit()
    done = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        generations = {enrollment_id: generation or 0 for enrollment_id, generation in chunk}
        done += _refresh_chunk(generations)
    return done


@periodic(every=timedelta(seconds=30), batch=WORKER_BATCH)
def refresh_some() -> int:
    """The worker's share, between its jobs: one small batch of out-of-date snapshots (so a
    change of day is caught up soon after midnight without holding the mail back)."""
    return refresh(limit=WORKER_BATCH)


# What a domain does with fresh verdicts in the refresh's own transaction (the certificates
# record a status change by rule): each receives the ids of the enrollments just recomputed.
FOLLOWERS: list[Callable[[list[int]], object]] = []


def follows_refresh(function: Callable[[list[int]], object]) -> Callable[[list[int]], object]:
    """Register a function run on the enrollment ids of each refreshed chunk, before it
    commits (a decorator). Its failure is logged and leaves the refresh committed."""
    if function not in FOLLOWERS:
        FOLLOWERS.append(function)
    return function


def _follow(ids: list[int]) -> None:
    for follower in FOLLOWERS:
        try:
            with db.session.begin_nested():
                follower(ids)
        except Exception:  # the worker's periodic pass tries again; the snapshots stand
            current_app.logger.exception("following a refresh of %d snapshots failed", len(ids))


def _refresh_chunk(generations: dict[int, int]) -> int:
    for attempt in (1, 2):
        try:
            with writing():
                done = _recompute(generations)
                _follow(list(generations))
                db.session.commit()
            return done
        except DBAPIError:
            # A deadlock or serialization failure with a concurrent writer: the rows stay
            # stale; try once more, then let the error show.
            db.session.rollback()
            if attempt == 2:
                raise
    return 0


def current_values(enrollment_ids: Collection[int]) -> dict[int, dict]:
    """The snapshot columns of these enrollments computed now, in memory: nothing is stored.

    For the rows of a page whose stored snapshot is out of date; a fixed number of queries.
    """
    if not enrollment_ids:
        return {}
    found = assess(select(Enrollment.id).where(Enrollment.id.in_(sorted(enrollment_ids))))
    return {
        standing.row.id: columns(
            standing.progress, standing.today, life_state(standing.facts, standing.today)
        )
        for standing in found
    }


@dataclass(frozen=True)
class StoredVerdict:
    """What an enrollment's fresh snapshot says of its certificate on its program's today, with
    the requirement set the enrollment is pinned to (which lays out the renewal cycles)."""

    today: date
    certificate_status: str | None
    spec: RequirementSpec


def fresh_verdict(enrollment_id: int, program_id: int, zone: str) -> StoredVerdict | None:
    """The enrollment's stored verdict while its snapshot is up to date (not stale, not due in
    its program's today: the lists' own test, `out_of_date`); None when it is out of date or
    the enrollment is not pinned to a requirement set: then ask the engine (`assess_one`).
    One query; a read, nothing is stored."""
    today = today_in(zone)
    row = db.session.execute(
        select(
            out_of_date({zone: [program_id]}).label("updating"),
            ProgressSnapshot.certificate_status,
            RequirementSet.content,
        )
        .select_from(Enrollment)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .outerjoin(RequirementSet, RequirementSet.id == Enrollment.requirement_set_id)
        .where(Enrollment.id == enrollment_id, Enrollment.program_id == program_id)
    ).first()
    if row is None or row.updating or row.content is None:
        return None
    return StoredVerdict(today, row.certificate_status, parse_spec(row.content))


def recompute_marked(_sender: object = None, exc: BaseException | None = None, **_extra) -> None:
    """At the end of a successful write request, recompute the few snapshots its commits marked
    stale, so that the lists filter on the new verdict at once (connected to Flask's
    `request_tearing_down`; reads never get here with anything marked, and never write)."""
    marked = db.session.info.pop(_COMMITTED, None)
    if not marked or exc is not None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    try:
        db.session.rollback()  # the request is over: what it did not commit is not kept
        refresh(select(Enrollment.id).where(Enrollment.id.in_(sorted(marked))))
    except Exception:  # the refresh command catches up; the response has been answered
        db.session.rollback()
        current_app.logger.exception("recomputing %d progress snapshots failed", len(marked))


def status_names(steps: str) -> tuple[str, ...] | None:
    """The nine status names a snapshot's letters stand for (None while no track is chosen)."""
    return tuple(STATUSES[letter] for letter in steps) if steps else None
