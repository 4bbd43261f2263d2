"""Daily reminder digests: each supervisor gets what has waited on them longer than the
program's limit, each admitted trainee their outstanding items.

Safe to run from cron as often as one likes: before a digest is sent, a `ReminderLog` row
(person, day, kind) is inserted and committed; the UNIQUE constraint lets only the first run of
the day through, so nobody gets two digests of a kind on one day. A failed send removes its row,
so the next run tries again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask import current_app
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.mail import send
from tracker.progress import Actor
from tracker.progress.training_rules import overdue as is_overdue
from tracker.signoffs.models import ReminderLog
from tracker.signoffs.queries import WaitingEntry
from tracker.signoffs.queries import waiting_entries
from tracker.standing import assess


def _count(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


@dataclass
class ReminderResult:
    """How many digests this run sent, skipped (already sent that day) and failed to send."""

    sent: int = 0
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
    """Each admitted trainee's outstanding items (those the trainee must act on) on `day`."""
    admitted = select(Enrollment.id).where(Enrollment.status == "admitted")
    result: dict[int, list] = {}
    for loaded in assess(admitted, day):
        if loaded.progress is None:
            continue
        items = loaded.progress.items_for(Actor.TRAINEE)
        if items:
            result.setdefault(loaded.row.trainee_id, []).extend(items)
    return result


def _claim(person_id: int, day: date, kind: str) -> bool:
    """Insert and commit the day's log row; False when another run already claimed it."""
    db.session.add(ReminderLog(person_id=person_id, sent_on=day, kind=kind))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _release(person_id: int, day: date, kind: str) -> None:
    db.session.execute(
        delete(ReminderLog).where(
            ReminderLog.person_id == person_id, ReminderLog.sent_on == day, ReminderLog.kind == kind
        )
    )
    db.session.commit()


def _link(endpoint: str) -> str:
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint)


def send_reminders(day: date) -> ReminderResult:
    """Send the day's digests (at most one per person and kind) and report the counts."""
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
        if not _claim(person_id, day, kind):
            result.skipped += 1
            continue
        try:
            # Mail templates render like pages (the context processors want a request).
            with current_app.test_request_context():
                send(email, subject, template, name=name, day=day, **context)
        except Exception:  # any mail failure: release the day's claim and go on
            current_app.logger.exception("reminder to person %s failed", person_id)
            _release(person_id, day, kind)
            result.failed.append(email)
            continue
        result.sent += 1
    return result
