"""Demo of an enrollment's life: a trainee on leave of absence (expected back in six weeks) and
a trainee who withdrew (records kept, a payment on the ledger to consider refunding), each
recorded by staff through the same services as the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tracker.accounts.passwords import hash_password
from tracker.extensions import db
from tracker.factories.accounts import make_user
from tracker.factories.eligibility import verified_eligibility
from tracker.factories.enrollments import applied
from tracker.factories.enrollments import assign
from tracker.factories.finance import record_payment
from tracker.factories.finance import tuition_charged_on
from tracker.factories.training import verified_share_of_topics
from tracker.lifecycle import services

ON_LEAVE = ("leave@example.org", "Noor Haddad", "admitted, on leave of absence")
WITHDRAWN = ("withdrawn@example.org", "Ellis Brandt", "withdrew from the program (voluntary)")


def _trainee(context: Any, summary: Any, email: str, name: str, note: str):
    """An admitted trainee on the online track's running cohort, a third of the hours done."""
    today, staff = context.today, context.staff
    person = make_user(email, name, ("trainee",), hash_password(summary.password))
    verified_eligibility(person, today, staff)
    online = context.tracks["online"]
    enrollment = applied(person, online, context.cohort, "admitted", today, staff)
    assign(enrollment, context.supervisors[0], "primary", assigned_by=staff)
    topics = online.current_requirements.spec.didactic_topics
    verified_share_of_topics(enrollment, today, topics, 0.35, last_days_ago=30)
    tuition_charged_on(enrollment, today - timedelta(days=245), staff)
    summary.accounts.append((email, "trainee", note))
    return enrollment


def add_demo(context: Any, summary: Any) -> None:
    """A trainee on leave and a withdrawn trainee."""
    today, staff = context.today, context.staff
    away = _trainee(context, summary, *ON_LEAVE)
    services.start_leave(
        away,
        staff,
        today - timedelta(days=25),
        today + timedelta(days=42),
        "Medical leave agreed with the program director.",
        today=today,
    )
    gone = _trainee(context, summary, *WITHDRAWN)
    record_payment(
        gone, 150000, "First instalment", today - timedelta(days=240), "card", "VISA-7781", staff
    )
    services.withdraw(
        gone,
        staff,
        today - timedelta(days=9),
        "voluntary",
        "Relocating abroad for family reasons; may return next year.",
        today=today,
    )
    db.session.flush()
    summary.notes.append(
        f"{ON_LEAVE[1]} is on leave of absence; {WITHDRAWN[1]} withdrew (see the cohort page's "
        "State filter)."
    )
