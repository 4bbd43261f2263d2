"""The outbox and its worker: `enqueue` adds a job in the caller's transaction (flush only, so
a job exists only if the change that asked for it committed); `run_due` claims due jobs one at a
time and runs each through the handler registered for its kind; `work` is the worker's loop.

Claiming is safe with several workers: one UPDATE moves a due row to `running`, picking it with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (two workers never wait on or take the same row) and, on
SQLite, inside a write transaction (BEGIN IMMEDIATE, one writer at a time) whose UPDATE re-checks
that the row is still due. A claim is a lease: a worker that dies mid-job leaves the row
`running` until `locked_until`, after which another worker takes it again. So a job runs at
least once, and very rarely twice (a worker stopped between the handler and the mark); handlers
must tolerate that (an e-mail sent twice).

Each job runs in its own transaction, committed when its handler returns; a failure rolls it
back and the job is retried later, each time waiting twice as long, until MAX_ATTEMPTS, after
which it stays `failed` with its last error.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from tracker.database import writing
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.models import Job

# How long a claim holds a job: longer than any handler takes (an SMTP send times out at 20 s).
LEASE = timedelta(minutes=10)
# Retries wait 30 s, 1 min, 2 min ... up to an hour: about three hours in all before giving up.
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# Jobs done are kept this long (what was sent, and when), then deleted.
KEEP_DONE = timedelta(days=7)
# How long an idle worker sleeps between looks at the table, and how many jobs one round runs
# before the periodic work gets its turn.
IDLE_SECONDS = 2.0
BATCH = 50

Handler = Callable[[dict[str, Any]], None]

# What runs a job of each kind: filled by the modules that define kinds (`@handler("mail")`),
# which the app factory imports.
HANDLERS: dict[str, Handler] = {}


@dataclass(frozen=True)
class PeriodicTask:
    """Work the worker does on its own between jobs, at most once every `every`; `run` returns
    how much it did, and when that is a full `batch` (there may be more) it runs again at the
    next round."""

    name: str
    run: Callable[[], int]
    every: timedelta
    batch: int | None = None


PERIODIC: list[PeriodicTask] = []


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind` (it receives the job's payload)."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def periodic(
    every: timedelta, batch: int | None = None
) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Register a function the worker runs between jobs, at most once every `every` (or at
    the next round, while it keeps doing a full `batch`)."""

    def register(function: Callable[[], int]) -> Callable[[], int]:
        name = f"{function.__module__}.{function.__qualname__}"
        if all(task.name != name for task in PERIODIC):
            PERIODIC.append(PeriodicTask(name=name, run=function, every=every, batch=batch))
        return function

    return register


def enqueue(kind: str, payload: dict[str, Any], run_after: datetime | None = None) -> Job:
    """Add a job in the caller's transaction (flushed, not committed): the worker runs it once
    the transaction has committed, and never if it rolls back.

    The payload must be plain JSON (checked now, not when the worker reads it); keep secrets and
    one-time links out of it: let the handler make them when it runs.
    """
    if kind not in HANDLERS:
        raise LookupError(f"no handler is registered for jobs of kind {kind!r}")
    plain = json.loads(json.dumps(payload))
    job = Job(
        kind=kind, payload=plain, status="queued", attempts=0, run_after=run_after or utcnow()
    )
    db.session.add(job)
    db.session.flush()
    return job


# -- running jobs ---------------------------------------------------------------------------------


@dataclass
class JobRun:
    """What one call of `run_due` did."""

    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """Jobs run, whatever their outcome."""
        return self.done + self.retried + self.failed


@dataclass(frozen=True)
class _Claim:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def _due(table, now: datetime):
    """Queued and due, or claimed by a worker whose lease ran out (it stopped mid-job)."""
    return or_(
        and_(table.c.status == "queued", table.c.run_after <= now),
        and_(
            table.c.status == "running",
            table.c.locked_until < now,
            table.c.attempts < MAX_ATTEMPTS,
        ),
    )


def _claim(now: datetime) -> _Claim | None:
    """Take the oldest due job for this worker (committed), or None when nothing is due."""
    jobs = Job.__table__
    candidate = jobs.alias("candidate")
    pick = (
        select(candidate.c.id)
        .where(_due(candidate, now))
        .order_by(candidate.c.run_after, candidate.c.id)
        .limit(1)
    )
    db.session.rollback()  # start afresh: see what is committed now
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows other workers hold are skipped, not waited for.
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(jobs)
        .where(jobs.c.id == pick.scalar_subquery(), _due(jobs, now))
        .values(
            status="running",
            attempts=jobs.c.attempts + 1,
            locked_until=now + LEASE,
            claimed_by=_worker_name(),
        )
        .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
    )
    with writing():
        row = db.session.execute(stmt).first()
        db.session.commit()
    if row is None:
        return None
    return _Claim(id=row.id, kind=row.kind, payload=row.payload, attempts=row.attempts)


def _mark(claim: _Claim, **values: Any) -> bool:
    """Record the outcome of `claim`, unless the lease ran out and another worker took it."""
    jobs = Job.__table__
    db.session.rollback()  # a write transaction of its own (BEGIN IMMEDIATE on SQLite)
    with writing():
        result = db.session.execute(
            update(jobs)
            .where(
                jobs.c.id == claim.id,
                jobs.c.status == "running",
                jobs.c.attempts == claim.attempts,
            )
            .values(locked_until=None, **values)
        )
        db.session.commit()
    if not result.rowcount:
        current_app.logger.warning(
            "job %s (%s): its lease ran out before it finished", claim.id, claim.kind
        )
        return False
    return True


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next try, after `attempts` failed ones."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _run(claim: _Claim, now: datetime | None, result: JobRun) -> None:
    function = HANDLERS.get(claim.kind)
    try:
        if function is None:
            raise LookupError(f"no handler is registered for jobs of kind {claim.kind!r}")
        function(claim.payload)
        db.session.commit()
    except Exception as error:  # any failure of a job: keep it for another try
        db.session.rollback()
        give_up = claim.attempts >= MAX_ATTEMPTS
        current_app.logger.exception(
            "job %s (%s) failed on attempt %s of %s%s",
            claim.id,
            claim.kind,
            claim.attempts,
            MAX_ATTEMPTS,
            "; giving up" if give_up else "",
        )
        moment = now or utcnow()
        message = f"{type(error).__name__}: {error}"[:2000]
        if give_up:
            _mark(claim, status="failed", last_error=message, finished_at=moment)
            result.failed += 1
        else:
            _mark(
                claim,
                status="queued",
                last_error=message,
                run_after=moment + retry_delay(claim.attempts),
            )
            result.retried += 1
        return
    _mark(claim, status="done", finished_at=now or utcnow())
    result.done += 1


def run_due(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> JobRun:
    """Claim and run due jobs, one at a time, until none is due (or `limit` have run, or
    `should_stop()` says so); `now` fixes the clock (tests)."""
    result = JobRun()
    while limit is None or result.total < limit:
        if should_stop is not None and should_stop():
            break
        claim = _claim(now or utcnow())
        if claim is None:
            break
        _run(claim, now, result)
    return result


# -- the worker's loop ----------------------------------------------------------------------------


@periodic(every=timedelta(minutes=1))
def tidy_jobs() -> int:
    """Mark failed the jobs whose worker stopped during their last attempt, and delete jobs done
    more than KEEP_DONE ago; returns how many rows changed."""
    jobs = Job.__table__
    now = utcnow()
    db.session.rollback()
    with writing():
        abandoned = db.session.execute(
            update(jobs)
            .where(
                jobs.c.status == "running",
                jobs.c.locked_until < now,
                jobs.c.attempts >= MAX_ATTEMPTS,
            )
            .values(
                status="failed",
                locked_until=None,
                finished_at=now,
                last_error="The worker stopped during the last attempt.",
            )
        ).rowcount
        purged = db.session.execute(
            delete(jobs).where(jobs.c.status == "done", jobs.c.finished_at < now - KEEP_DONE)
        ).rowcount
        db.session.commit()
    return (abandoned or 0) + (purged or 0)


def run_periodic(next_runs: dict[str, datetime], *, force: bool = False) -> int:
    """Run each periodic task that is due by `next_runs` (updated; `force`: all of them)."""
    done = 0
    for task in PERIODIC:
        now = utcnow()
        if not force and next_runs.get(task.name, now) > now:
            continue
        try:
            did = task.run()
        except Exception:  # the next round tries again; the worker goes on with its jobs
            db.session.rollback()
            current_app.logger.exception("periodic task %s failed", task.name)
            did = 0
        done += did
        more = task.batch is not None and did >= task.batch
        next_runs[task.name] = now if more else now + task.every
    return done


@dataclass
class WorkDone:
    """What a worker did between its start and its stop."""

    jobs: JobRun
    periodic: int = 0


def work(
    stop: threading.Event, *, once: bool = False, idle_seconds: float = IDLE_SECONDS
) -> WorkDone:
    """The worker's loop: run due jobs, then the periodic work that is due, then sleep a little
    when there was nothing to do; until `stop` is set (the current job is finished first).

    With `once`: run every job due now and each periodic task once, then return.
    """
    total = WorkDone(jobs=JobRun())
    next_runs: dict[str, datetime] = {}
    while not stop.is_set():
        ran = run_due(limit=BATCH, should_stop=stop.is_set)
        total.jobs.done += ran.done
        total.jobs.retried += ran.retried
        total.jobs.failed += ran.failed
        if once and ran.total:
            continue
        did = run_periodic(next_runs, force=once)
        total.periodic += did
        if once:
            break
        now = utcnow()
        if not ran.total and all(when > now for when in next_runs.values()):
            stop.wait(idle_seconds)  # nothing due: neither a job nor periodic work
    db.session.rollback()
    return total
