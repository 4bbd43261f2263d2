"""The worker's periodic work on payment plans: tell each trainee, once, that an instalment
falls due within 7 days, and once that it is overdue, while money is still owed on it (the
engine's cover of the plan: `tracker.progress.ledger`). Only enrollments with an instalment
due in that window are loaded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.database import writing
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.finance.models import Instalment
from tracker.finance.models import PaymentPlan
from tracker.jobs.services import periodic
from tracker.notifications.services import notify
from tracker.notifications.services import path_for
from tracker.progress.ledger import is_overdue
from tracker.progress.text import money
from tracker.standing import assess

# Days before its due date an instalment is announced; how long after it an overdue one still
# is (a worker stopped longer than that does not send stale news).
DUE_WITHIN = 7
OVERDUE_WITHIN = 30


def instalment_notices() -> int:
    """Notice the trainees whose instalments fall due within DUE_WITHIN days or became overdue
    (each instalment once each way); how many notices were made. Flushes only."""
    today = utcnow().date()  # a day's margin either way: each program's today is taken below
    ids = select(Enrollment.id).where(
        Enrollment.status == "admitted",
        Enrollment.id.in_(
            select(PaymentPlan.enrollment_id)
            .join(Instalment, Instalment.plan_id == PaymentPlan.id)
            .where(
                PaymentPlan.active.is_(True),
                Instalment.due_on <= today + timedelta(days=DUE_WITHIN + 1),
                Instalment.due_on >= today - timedelta(days=OVERDUE_WITHIN + 1),
            )
        ),
    )
    standings = assess(ids)
    if not standings:
        return 0
    people = {
        person.id: person
        for person in db.session.scalars(
            select(User).where(User.id.in_({s.row.trainee_id for s in standings}))
        )
    }
    made = 0
    for standing in standings:
        person = people.get(standing.row.trainee_id)
        if person is None:
            continue
        link = path_for("finance.my_enrollment_ledger", enrollment_id=standing.row.id)
        for instalment in standing.facts.ledger.instalments:
            if instalment.outstanding_cents <= 0:
                continue
            days = (instalment.due_on - standing.today).days
            owed = money(instalment.outstanding_cents)
            due = instalment.due_on.isoformat()
            key = f"{standing.row.id}:{due}"
            if 0 <= days <= DUE_WITHIN:
                when = "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
                notice = notify(
                    person,
                    "instalment.due",
                    f"An instalment of {owed} for {standing.row.program_name} is due {when} "
                    f"({due}).",
                    link,
                    once_key=f"instalment.due:{key}",
                )
                made += notice is not None
            elif is_overdue(instalment, standing.today) and -days <= OVERDUE_WITHIN:
                notice = notify(
                    person,
                    "instalment.overdue",
                    f"An instalment of {owed} for {standing.row.program_name} was due on {due} "
                    "and is overdue.",
                    link,
                    once_key=f"instalment.overdue:{key}",
                )
                made += notice is not None
    return made


@periodic(every=timedelta(hours=6))
def remind_instalments() -> int:
    """The worker's share: the instalment notices due now (each once)."""
    db.session.rollback()
    with writing():
        made = instalment_notices()
        db.session.commit()
    return made
