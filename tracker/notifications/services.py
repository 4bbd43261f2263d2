"""Notices: `notify` writes one in the caller's transaction (flush only) and, by the person's
choice for its kind, queues its e-mail in the same transaction (the worker sends it); the
inbox's reads and marks; each person's choices; the daily digest of the notices kept for it;
and the worker's removal of notices older than 90 days.

Domains call `notify` from the service that did the act: nothing is noticed of a change that
rolled back, and nothing is e-mailed inside a request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.accounts.models import User
from tracker.accounts.services import read_with_session
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.database import writing
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.jobs.services import periodic
from tracker.mail import queue
from tracker.notifications.kinds import BY_CODE
from tracker.notifications.kinds import DELIVERIES
from tracker.notifications.kinds import DIGEST
from tracker.notifications.kinds import EMAIL
from tracker.notifications.kinds import kinds_for
from tracker.notifications.models import Notice
from tracker.notifications.models import NoticePreference

# A notice stays in the inbox this long, then the worker deletes it.
KEEP = timedelta(days=90)
# The inbox shows at most this many notices, newest first.
INBOX_LIMIT = 200
MESSAGE_MAX = 300


def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page in the app (what a notice links to), built outside any request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _absolute(path: str) -> str:
    return str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + path


def delivery_for(person_id: int, kind: str) -> str:
    """How the person wants notices of `kind` delivered (their choice, else the default)."""
    chosen = db.session.scalar(
        select(NoticePreference.delivery).where(
            NoticePreference.person_id == person_id, NoticePreference.kind == kind
        )
    )
    return chosen or BY_CODE[kind].default


def notify(
    person: User,
    kind: str,
    message: str,
    about: str,
    /,
    *,
    once_key: str | None = None,
    subject: str | None = None,
    mail_template: str | None = None,
    **mail_context: object,
) -> Notice | None:
    """Tell `person` that `message` happened, linking to `about` (a path: `path_for`), in the
    caller's transaction (flushed, not committed). When they chose e-mail for `kind`, the
    e-mail (`mail_template` with `mail_context`, or the plain notice) is queued in the same
    transaction. With `once_key`, a second notice with the same key to the same person is not
    made (None is returned)."""
    if kind not in BY_CODE:
        raise LookupError(f"no notice kind {kind!r}")
    delivery = delivery_for(person.id, kind)
    notice = Notice(
        person_id=person.id,
        kind=kind,
        message=message[:MESSAGE_MAX],
        link=about,
        delivery=delivery,
        once_key=once_key,
        created_at=utcnow(),
    )
    if once_key is None:
        db.session.add(notice)
        db.session.flush()
    else:
        try:
            with db.session.begin_nested():
                db.session.add(notice)
                db.session.flush()
        except IntegrityError:
            return None
    if delivery == EMAIL and person.active and person.email:
        context = {"name": person.full_name, "message": message, "link": _absolute(about)}
        context.update(mail_context)
        queue(person.email, subject or message, mail_template or "mail/notice.txt", **context)
    return notice


def notify_each(notices: list[tuple[User, str, str, str]]) -> int:
    """`notify` for many (person, kind, message, about) at once: the people's choices read in
    one query and the notices written in one statement, whatever their number. Each is
    delivered (and e-mailed) exactly as `notify` delivers it. Returns how many were written."""
    if not notices:
        return 0
    for _person, kind, _message, _about in notices:
        if kind not in BY_CODE:
            raise LookupError(f"no notice kind {kind!r}")
    people = {person.id for person, *_rest in notices}
    kinds = {kind for _person, kind, *_rest in notices}
    chosen = {
        (person_id, kind): delivery
        for person_id, kind, delivery in db.session.execute(
            select(
                NoticePreference.person_id, NoticePreference.kind, NoticePreference.delivery
            ).where(
                NoticePreference.person_id.in_(sorted(people)),
                NoticePreference.kind.in_(sorted(kinds)),
            )
        )
    }
    rows = []
    for person, kind, message, about in notices:
        delivery = chosen.get((person.id, kind)) or BY_CODE[kind].default
        rows.append(
            {
                "person_id": person.id,
                "kind": kind,
                "message": message[:MESSAGE_MAX],
                "link": about,
                "delivery": delivery,
                "once_key": None,
                "created_at": utcnow(),
            }
        )
    db.session.execute(insert(Notice), rows)
    for (person, _kind, message, about), row in zip(notices, rows, strict=True):
        if row["delivery"] == EMAIL and person.active and person.email:
            context = {"name": person.full_name, "message": message, "link": _absolute(about)}
            queue(person.email, message, "mail/notice.txt", **context)
    return len(rows)


def import_finished(person: User, what: str, summary: str, link: str) -> Notice | None:
    """Tell the person who started an import (`what`: "LMS import") that it finished, with
    its `summary` ("42 records imported, 3 refused") and the page of its result."""
    return notify(person, "import.finished", f"{what} finished: {summary}", link)


# -- the inbox ------------------------------------------------------------------------------------


def unread_count(person_id: int) -> int:
    """How many of the person's notices are unread."""
    return db.session.scalar(_unread().where(Notice.person_id == person_id))


def _unread():
    return select(func.count(Notice.id)).where(Notice.read_at.is_(None))


# The navigation's count is read with the signed-in person (the user loader's one query), as
# a subquery on the (person_id, read_at) index: no query of its own on any page.
read_with_session(
    "unread_notices", lambda: _unread().where(Notice.person_id == User.id).scalar_subquery()
)


def unread_of(person) -> int:
    """The unread notices of the signed-in person, as read with them this request."""
    return int(getattr(person, "session_figures", {}).get("unread_notices") or 0)


def inbox(person_id: int) -> list[Notice]:
    """The person's notices, newest first (at most INBOX_LIMIT)."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.person_id == person_id)
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(INBOX_LIMIT)
        )
    )


def mark_read(person: User, notice_id: int) -> bool:
    """Mark one of the person's notices read; False when they have no such notice."""
    notice = db.session.scalar(
        select(Notice).where(Notice.id == notice_id, Notice.person_id == person.id)
    )
    if notice is None:
        return False
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return True


def mark_all_read(person: User) -> int:
    """Mark every unread notice of the person read; how many were."""
    result = db.session.execute(
        update(Notice)
        .where(Notice.person_id == person.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# -- preferences ----------------------------------------------------------------------------------


def preferences(person: User) -> dict[str, str]:
    """The delivery of each kind the person receives (their choice or the default)."""
    chosen = dict(
        db.session.execute(
            select(NoticePreference.kind, NoticePreference.delivery).where(
                NoticePreference.person_id == person.id
            )
        ).all()
    )
    return {kind.code: chosen.get(kind.code, kind.default) for kind in kinds_for(person)}


def set_preferences(person: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Keep the person's delivery for each kind in `choices` (kinds they receive only, each a
    known delivery; anything else is refused and nothing kept); returns what changed."""
    allowed = {kind.code for kind in kinds_for(person)}
    for code, delivery in choices.items():
        if code not in allowed:
            raise Refused("You do not receive that kind of notice.")
        if delivery not in DELIVERIES:
            raise Refused("Choose e-mail at once, the daily digest or the inbox only.")
    rows = {
        row.kind: row
        for row in db.session.scalars(
            select(NoticePreference).where(NoticePreference.person_id == person.id)
        )
    }
    before = preferences(person)
    changed = {}
    for code, delivery in choices.items():
        if before.get(code) == delivery:
            continue
        changed[code] = delivery
        if code in rows:
            rows[code].delivery = delivery
        else:
            db.session.add(NoticePreference(person_id=person.id, kind=code, delivery=delivery))
    if changed:
        db.session.flush()
        record(
            "notice_preferences.changed",
            person,
            before={code: before[code] for code in changed},
            after=changed,
            actor_id=person.id,
            subject_user_id=person.id,
        )
    return changed


# -- the daily digest -----------------------------------------------------------------------------


def send_digests(day: date) -> int:
    """Queue to each person the notices kept for their daily digest (unread ones; those read
    in the inbox meanwhile are only marked digested), one e-mail each, each person in its own
    committed transaction; how many e-mails were queued. Safe to run twice: a notice is
    digested once (the second run finds it taken)."""
    pending: dict[int, list[tuple[int, str, str, bool]]] = defaultdict(list)
    for notice_id, person_id, message, link, read_at in db.session.execute(
        select(Notice.id, Notice.person_id, Notice.message, Notice.link, Notice.read_at)
        .where(Notice.delivery == DIGEST, Notice.digested_at.is_(None))
        .order_by(Notice.person_id, Notice.created_at, Notice.id)
    ):
        pending[person_id].append((notice_id, message, link, read_at is None))
    people = (
        {p.id: p for p in db.session.scalars(select(User).where(User.id.in_(list(pending))))}
        if pending
        else {}
    )
    db.session.rollback()  # end the read before the per-person transactions
    queued = 0
    for person_id, notices in sorted(pending.items()):
        person = people.get(person_id)
        ids = [notice_id for notice_id, *_ in notices]
        unread = [(message, _absolute(link)) for _, message, link, fresh in notices if fresh]
        try:
            with writing():
                taken = db.session.execute(
                    update(Notice)
                    .where(Notice.id.in_(ids), Notice.digested_at.is_(None))
                    .values(digested_at=utcnow())
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken != len(ids):  # another run took some: leave them to it
                    db.session.rollback()
                    continue
                if unread and person is not None and person.active and person.email:
                    queue(
                        person.email,
                        f"Your notices: {len(unread)}",
                        "mail/notice_digest.txt",
                        name=person.full_name,
                        day=day,
                        notices=unread,
                        link=_absolute(path_for("notifications.inbox")),
                    )
                    queued += 1
                db.session.commit()
        except Exception:  # one person's digest that fails: go on with the others
            db.session.rollback()
            current_app.logger.exception("notice digest to person %s failed", person_id)
    return queued


# -- the worker -----------------------------------------------------------------------------------


@periodic(every=timedelta(hours=6))
def remove_old_notices() -> int:
    """The worker's share: delete notices made more than 90 days ago; how many."""
    db.session.rollback()
    with writing():
        removed = db.session.execute(
            delete(Notice)
            .where(Notice.created_at < utcnow() - KEEP)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
    return removed or 0
