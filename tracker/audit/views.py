"""Staff browse the audit trail by trainee, actor and date."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import Blueprint
from flask import render_template
from flask import request
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.core import navigation
from tracker.core.clock import program_zone
from tracker.extensions import db
from tracker.security.access import Staff
from tracker.security.access import allow

bp = Blueprint("audit", __name__, url_prefix="/audit")
navigation.register("Audit trail", "audit.index", Staff, order=85)
PER_PAGE = 50


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()[:10]
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _person_arg(name: str) -> User | None:
    text = request.args.get(name, "").strip()[:254].lower()
    if not text:
        return None
    return db.session.scalar(select(User).where(User.email == text))


@bp.get("/")
@allow(Staff)
def index():
    """The trail, newest first, filtered by trainee e-mail, actor e-mail and date range."""
    trainee = _person_arg("trainee")
    actor = _person_arg("actor")
    since, until = _date_arg("since"), _date_arg("until")
    zone = program_zone(None)
    Actor = aliased(User)
    Subject = aliased(User)
    stmt = (
        select(AuditEvent, Actor.full_name, Subject.full_name)
        .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
        .outerjoin(Subject, Subject.id == AuditEvent.subject_user_id)
        .order_by(AuditEvent.id.desc())
    )
    problems = []
    for name, person in (("trainee", trainee), ("actor", actor)):
        if request.args.get(name, "").strip() and person is None:
            problems.append(f"No account has the e-mail address given as {name}.")
    if trainee is not None:
        stmt = stmt.where(AuditEvent.subject_user_id == trainee.id)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor.id)
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(since, time(), zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), zone)
        stmt = stmt.where(AuditEvent.occurred_at < end)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = db.session.execute(stmt.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "audit/index.html",
        rows=rows[:PER_PAGE],
        has_next=len(rows) > PER_PAGE,
        page=page,
        problems=problems,
        args={k: request.args.get(k, "")[:254] for k in ("trainee", "actor", "since", "until")},
    )
