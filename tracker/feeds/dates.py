"""A person's due dates, as their calendar feed lists them: read from the records the progress
engine reads and from its verdicts, through `tracker.standing` (never a rule of its own).

- as a trainee, for each enrollment not withdrawn or declined: instalments not yet covered,
  licence and insurance expiry, the cohort's start and end, the current CE renewal cycle's end;
- as a supervisor: each entry waiting on them, on the day it turns overdue (the enrollment's
  `signoff_wait_days` after it started waiting).

Each due date has a UID made of what it is about (a record's id, an enrollment and a date), so
a calendar that fetches the feed again updates the event rather than adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.progress.certification_rules import current_cycle
from tracker.progress.items import Actor
from tracker.progress.text import day
from tracker.progress.text import money
from tracker.signoffs.queries import assigned_enrollment_ids
from tracker.standing import Standing
from tracker.standing import assess

# The enrollments whose dates a trainee's feed holds.
LEFT_OUT = ("withdrawn", "declined")
# The engine's codes of entries waiting on a supervisor.
WAITING_CODES = ("signoff.pending", "signoff.waiting", "session.pending", "session.waiting")


@dataclass(frozen=True)
class DueDate:
    """One all-day event of the feed."""

    uid: str
    on: date
    summary: str
    description: str = ""


def _trainee_dates(standing: Standing) -> list[DueDate]:
    facts, row = standing.facts, standing.row
    where = row.program_name + (f" · {row.track_name}" if row.track_name else "")
    found = []
    for licence in facts.licences:
        if licence.expires_on is not None and licence.id is not None:
            found.append(
                DueDate(
                    f"licence-{licence.id}",
                    licence.expires_on,
                    f"Licence expires ({licence.type}, {licence.jurisdiction})",
                    "Renew it and upload the new licence before this day.",
                )
            )
    for insurance in facts.insurances:
        if insurance.id is not None:
            found.append(
                DueDate(
                    f"insurance-{insurance.id}",
                    insurance.ends_on,
                    "Liability insurance ends",
                    "Renew it and upload the new policy before this day.",
                )
            )
    for instalment in facts.ledger.instalments:
        if instalment.outstanding_cents > 0:
            found.append(
                DueDate(
                    f"instalment-{row.id}-{instalment.due_on.isoformat()}",
                    instalment.due_on,
                    f"Instalment due: {money(instalment.outstanding_cents)}",
                    f"Tuition instalment for {where}.",
                )
            )
    if row.cohort_id is not None:
        for which, on in (("start", facts.cohort_starts_on), ("end", facts.cohort_ends_on)):
            if on is not None:
                found.append(
                    DueDate(
                        f"cohort-{row.cohort_id}-{which}-{row.id}",
                        on,
                        f"Cohort {'begins' if which == 'start' else 'ends'}: {row.cohort_name}",
                        where,
                    )
                )
    if standing.spec is not None:
        cycle = current_cycle(facts, standing.spec, standing.today)
        if cycle is not None:
            found.append(
                DueDate(
                    f"ce-cycle-{row.id}-{cycle.index}",
                    cycle.ends_on,
                    "Renewal cycle ends: continuing education due",
                    f"{where}: {cycle.ce} of {standing.spec.ce_credits_per_cycle} CE credits "
                    f"approved in the cycle from {day(cycle.starts_on)}.",
                )
            )
    return found


def _waiting_dates(standing: Standing) -> list[DueDate]:
    if standing.progress is None or standing.spec is None:
        return []
    wait = timedelta(days=standing.spec.signoff_wait_days)
    return [
        DueDate(
            f"waiting-{standing.row.id}-{item.step}-{item.key}",
            item.waiting_since + wait,
            f"Sign-off due: {standing.row.trainee_name}",
            item.message,
        )
        for item in standing.progress.items
        if item.actor == Actor.SUPERVISOR
        and item.code in WAITING_CODES
        and item.waiting_since is not None
    ]


def due_dates(user: User) -> list[DueDate]:
    """Every due date of the person's feed, by day; a fixed number of queries."""
    found: dict[str, DueDate] = {}
    own = select(Enrollment.id).where(
        Enrollment.trainee_id == user.id, Enrollment.status.not_in(LEFT_OUT)
    )
    for standing in assess(own):
        for due in _trainee_dates(standing):
            found.setdefault(due.uid, due)
    if user.has_role("supervisor"):
        for standing in assess(assigned_enrollment_ids(user.id)):
            if standing.row.status == "withdrawn":
                continue
            for due in _waiting_dates(standing):
                found.setdefault(due.uid, due)
    return sorted(found.values(), key=lambda due: (due.on, due.uid))
