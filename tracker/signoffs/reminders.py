"""Daily reminder digests: each supervisor gets what has waited on them longer than the
program's limit, each admitted trainee their outstanding items (none while withdrawn or on leave),
and each person the notices they chose to receive in the daily digest.

Safe to run from cron as often as one likes: each digest is queued for the worker together with
a `ReminderLog` row (person, day, kind) in one transaction; the UNIQUE constraint lets only the
first run of the day through, so nobody gets two digests of a kind on one day. The worker retries
a digest the mail server refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.mail import queue
from tracker.notifications.services import send_digests
from tracker.progress import Actor
from tracker.progress.life_rules import ON_LEAVE
from tracker.progress.training_rules import overdue as is_overdue
from tracker.signoffs.models import ReminderLog
from tracker.signoffs.queries import WaitingEntry
from tracker.signoffs.queries import waiting_entries
from tracker.standing import assess


def _count(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


@dataclass
class ReminderResult:
    """How many digests this run queued, skipped (already queued that day) and could not
    prepare."""

    queued: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def overdue_by_supervisor(day: date) -> dict[int, list[WaitingEntry]]:
    """Entries overdue on `day` by the engine's rule (`training_rules.overdue`, against each
    enrollment's requirement set), by current supervisor."""
    waiting = waiting_entries(None)
    ids = {w.enrollment_id for w in waiting}
    specs = (
        {s.row.id: s.spec for s in assess(select(Enrollment.id).where(Enrollment.id.in_(ids)), day)}
        if ids
        else {}
    )
    overdue = [
        w
        for w in waiting
        if specs.get(w.enrollment_id) is not None
        and is_overdue(w.days_waiting(day), specs[w.enrollment_id])
    ]
    if not overdue:
        return {}
    supervisors: dict[int, list[int]] = defaultdict(list)
    for enrollment_id, supervisor_id in db.session.execute(
        select(SupervisorAssignment.enrollment_id, SupervisorAssignment.supervisor_id).where(
            SupervisorAssignment.ended_at.is_(None),
            SupervisorAssignment.enrollment_id.in_({w.enrollment_id for w in overdue}),
        )
    ):
        supervisors[enrollment_id].append(supervisor_id)
    result: dict[int, list[WaitingEntry]] = defaultdict(list)
    for entry in overdue:
        for supervisor_id in supervisors.get(entry.enrollment_id, ()):
            result[supervisor_id].append(entry)
    return dict(result)


def trainee_items(day: date) -> dict[int, list]:
    """Each admitted trainee's outstanding items (those the trainee must act on) on `day`. A
    withdrawn enrollment gets no digest, nor one on leave of absence (its clocks are paused)."""
    admitted = select(Enrollment.id).where(Enrollment.status == "admitted")
    result: dict[int, list] = {}
    for loaded in assess(admitted, day):
        if loaded.progress is None or loaded.progress.state == ON_LEAVE:
            continue
        items = loaded.progress.items_for(Actor.TRAINEE)
        if items:
            result.setdefault(loaded.row.trainee_id, []).extend(items)
    return result


def _queue_once(person_id: int, day: date, kind: str, email: str, digest: dict) -> bool:
    """Queue the digest with the day's log row, in one committed transaction; False when another
    run already did (the log row's UNIQUE constraint)."""
    db.session.add(ReminderLog(person_id=person_id, sent_on=day, kind=kind))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    queue(email, **digest)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _link(endpoint: str) -> str:
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint)


def send_reminders(day: date) -> ReminderResult:
    """Queue the day's digests (at most one per person and kind) and report the counts."""
    result = ReminderResult()
    digests: list[tuple[int, str, str, str, dict]] = []
    for supervisor_id, entries in sorted(overdue_by_supervisor(day).items()):
        entries.sort(key=lambda w: w.waiting_since)
        digests.append(
            (
                supervisor_id,
                "supervisor_digest",
                _count(len(entries)) + " waiting for your sign-off",
                "signoffs/mail_supervisor_digest.txt",
                {"entries": entries, "link": _link("signoffs.queue")},
            )
        )
    for trainee_id, items in sorted(trainee_items(day).items()):
        digests.append(
            (
                trainee_id,
                "trainee_digest",
                f"Your outstanding items: {len(items)}",
                "signoffs/mail_trainee_digest.txt",
                {"items": items, "link": _link("dashboard.trainee")},
            )
        )
    people = (
        {
            person.id: (person.email, person.full_name, person.active)
            for person in db.session.scalars(
                select(User).where(User.id.in_({d[0] for d in digests}))
            )
        }
        if digests
        else {}
    )
    db.session.rollback()  # end the read transaction before the per-person commits
    for person_id, kind, subject, template, context in digests:
        email, name, active = people.get(person_id, (None, None, False))
        if not active or not email:
            continue
        digest = {"subject": subject, "template": template, "name": name, "day": day, **context}
        try:
            queued = _queue_once(person_id, day, kind, email, digest)
        except Exception:  # a digest that cannot be prepared: go on with the others
            db.session.rollback()
            current_app.logger.exception("reminder to person %s failed", person_id)
            result.failed.append(email)
            continue
        if queued:
            result.queued += 1
        else:
            result.skipped += 1
    # The notices each person chose to receive in the daily digest, one e-mail each.
    result.queued += send_digests(day)
    return result
