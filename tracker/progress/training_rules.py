"""Steps 5-7 (didactic, experiential, supervised practice) and the timeliness items.

Only verified (didactic, experiential) or signed (sessions) records count toward a requirement.
Every record still waiting gets an item for whoever must act, with its age: staff verify didactic
hours, the supervisor signs experiential entries and sessions. It is information
(`*.pending`) until it has waited longer than `spec.signoff_wait_days` days (from
`submitted_on`, else the record's date), then overdue (`*.waiting`, a warning): the limit only
decides when. Returned records get an item for the trainee.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.progress.credentials import insurance_valid_on
from tracker.progress.credentials import licence_valid_on
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import RecordId
from tracker.progress.items import COUNT
from tracker.progress.items import HOURS
from tracker.progress.items import OutstandingItem
from tracker.progress.items import new_item
from tracker.progress.life_rules import paused_days
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.progress.requirements import RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.text import day
from tracker.progress.text import hours

ZERO = Decimal(0)
PERSONAL = "personal_session"


def _key(record_id: RecordId, index: int) -> str:
    return str(record_id) if record_id is not None else f"#{index}"


def _ratio(have: Decimal | int, need: Decimal | int) -> float:
    return 1.0 if need <= 0 else float(min(Decimal(have) / Decimal(need), Decimal(1)))


def overdue(days_waiting: int, spec: RequirementSpec) -> bool:
    """True once a record has waited longer than `spec.signoff_wait_days`: the one rule for
    when a wait becomes overdue (the items here, the supervisors' digest)."""
    return days_waiting > spec.signoff_wait_days


PENDING_CODES = {
    "verification.waiting": "verification.pending",
    "signoff.waiting": "signoff.pending",
    "session.waiting": "session.pending",
}


def _waiting(
    code: str,
    label: str,
    on: date,
    submitted_on: date | None,
    key: str,
    spec: RequirementSpec,
    today: date,
) -> OutstandingItem:
    """The item of a record in someone's queue: `*.pending` (information, with its age) until it
    has waited longer than `spec.signoff_wait_days`, then `code` (overdue, a warning)."""
    since = submitted_on or on
    days = (today - since).days
    if not overdue(days, spec):
        return new_item(
            PENDING_CODES[code],
            f"{label} submitted on {day(since)} is waiting.",
            key=key,
            waiting_since=since,
        )
    return new_item(
        code,
        f"{label} submitted on {day(since)} has waited {days} days.",
        key=key,
        waiting_since=since,
    )


def didactic_verified_hours(facts: EnrollmentFacts) -> Decimal:
    """All verified didactic hours, whatever their topic."""
    return sum((e.hours for e in facts.didactic if e.status == "verified"), ZERO)


def experiential_verified_hours(facts: EnrollmentFacts) -> Decimal:
    """Verified experiential hours; personal sessions are attestations and carry no hours."""
    return sum(
        (e.hours for e in facts.experiential if e.status == "verified" and e.kind != PERSONAL),
        ZERO,
    )


def didactic_by_topic(facts: EnrollmentFacts) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Didactic hours per topic code: (verified, waiting for verification). Returned hours are
    in neither: they wait on the trainee."""
    verified: dict[str, Decimal] = defaultdict(lambda: ZERO)
    pending: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in facts.didactic:
        if entry.status == "verified":
            verified[entry.topic] += entry.hours
        elif entry.status == "pending":
            pending[entry.topic] += entry.hours
    return verified, pending


@dataclass(frozen=True)
class KindTally:
    """Experiential activities of one kind: verified and waiting, counted and in hours (personal
    sessions carry no hours)."""

    verified_count: int = 0
    waiting_count: int = 0
    verified_hours: Decimal = ZERO
    waiting_hours: Decimal = ZERO


def experiential_by_kind(facts: EnrollmentFacts) -> dict[str, KindTally]:
    """The experiential tally per kind, as step 6 counts it."""
    counts: dict[str, list] = defaultdict(lambda: [0, 0, ZERO, ZERO])
    for entry in facts.experiential:
        row = counts[entry.kind]
        hours_of = ZERO if entry.kind == PERSONAL else entry.hours
        if entry.status == "verified":
            row[0] += 1
            row[2] += hours_of
        elif entry.status == "pending":
            row[1] += 1
            row[3] += hours_of
    return {kind: KindTally(*row) for kind, row in counts.items()}


def counted_sessions(facts: EnrollmentFacts, spec: RequirementSpec) -> tuple[int, int]:
    """(signed, waiting for sign-off) supervised sessions that count: a session dated on a day
    without a valid licence or insurance counts for nothing."""
    signed = waiting = 0
    for session in facts.sessions:
        if session.status not in ("signed", "submitted") or session_gaps(facts, spec, session.on):
            continue
        if session.status == "signed":
            signed += 1
        else:
            waiting += 1
    return signed, waiting


def didactic(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 5: verified hours meet `didactic_total_hours` and every topic's `min_hours`.

    Hours under a topic code the requirement set does not list count toward the total only.
    The fraction counts hours that move the trainee toward completion: each topic up to its
    minimum, plus hours beyond the minimums up to the rest of the total.
    """
    verified, pending = didactic_by_topic(facts)
    items: list[OutstandingItem] = []
    for index, entry in enumerate(facts.didactic):
        key = _key(entry.id, index)
        topic = spec.topic(entry.topic)
        label = f"{topic.name if topic else entry.topic} ({hours(entry.hours)} h, {day(entry.on)})"
        if entry.status == "verified":
            continue
        if entry.status == "pending":
            items.append(
                _waiting(
                    "verification.waiting", label, entry.on, entry.submitted_on, key, spec, today
                )
            )
        else:
            items.append(
                new_item("didactic.returned", f"{label} was returned for correction.", key=key)
            )
    shortfalls: list[OutstandingItem] = []
    credited = ZERO
    minimums = ZERO
    for topic in spec.didactic_topics:
        have = verified[topic.code]
        credited += min(have, topic.min_hours)
        minimums += topic.min_hours
        if have < topic.min_hours:
            shortfalls.append(
                new_item(
                    "didactic.topic_short",
                    f"{topic.name}: {hours(have)} of {hours(topic.min_hours)} hours"
                    + _pending_note(pending[topic.code]),
                    key=topic.code,
                    amount=topic.min_hours - have,
                    unit=HOURS,
                )
            )
    total = didactic_verified_hours(facts)
    waiting = sum(pending.values(), ZERO)
    extra = total - credited
    credited += min(extra, max(spec.didactic_total_hours - minimums, ZERO))
    if total < spec.didactic_total_hours:
        shortfalls.append(
            new_item(
                "didactic.total_short",
                f"Didactic training: {hours(total)} of {hours(spec.didactic_total_hours)} "
                f"verified hours" + _pending_note(waiting),
                amount=spec.didactic_total_hours - total,
                unit=HOURS,
            )
        )
    summary = f"{hours(total)} of {hours(spec.didactic_total_hours)} verified hours"
    if waiting:
        summary += f", {hours(waiting)} waiting for verification"
    fraction = _ratio(credited, spec.didactic_total_hours)
    return Draft(shortfalls + items, fraction, summary, started=bool(facts.didactic))


def _pending_note(amount: Decimal) -> str:
    return f" ({hours(amount)} waiting for verification)" if amount else ""


def experiential(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 6: verified hours, required counts, personal sessions, and the program total.

    Verified experiential hours meet `experiential_total_hours`; each kind in
    `experiential_min_counts` has that many verified entries; under a `required` policy at least
    `personal_sessions_min` verified personal sessions; and verified didactic plus experiential
    hours meet `program_total_hours`. Personal sessions are attestations: they count, never add
    hours. Recording more than `personal_sessions_max` (any under policy `none`) warns staff.
    """
    items: list[OutstandingItem] = []
    shortfalls: list[OutstandingItem] = []
    scores: list[float] = []
    tally = experiential_by_kind(facts)
    counts: dict[str, int] = defaultdict(int, {k: t.verified_count for k, t in tally.items()})
    recorded_personal = 0
    for index, entry in enumerate(facts.experiential):
        key = _key(entry.id, index)
        label = f"{EXPERIENTIAL_LABELS.get(entry.kind, entry.kind)} on {day(entry.on)}"
        if entry.kind == PERSONAL and entry.status != "returned":
            recorded_personal += 1
        if entry.status == "verified":
            continue
        if entry.status == "pending":
            items.append(
                _waiting("signoff.waiting", label, entry.on, entry.submitted_on, key, spec, today)
            )
        else:
            items.append(
                new_item("experiential.returned", f"{label} was returned with a question.", key=key)
            )
    have = experiential_verified_hours(facts)
    need = spec.experiential_total_hours
    scores.append(_ratio(have, need))
    if have < need:
        shortfalls.append(
            new_item(
                "experiential.hours_short",
                f"Experiential learning: {hours(have)} of {hours(need)} verified hours",
                amount=need - have,
                unit=HOURS,
            )
        )
    for kind, minimum in spec.experiential_min_counts.items():
        scores.append(_ratio(counts[kind], minimum))
        if counts[kind] < minimum:
            shortfalls.append(
                new_item(
                    "experiential.count_short",
                    f"{EXPERIENTIAL_LABELS.get(kind, kind)}: {counts[kind]} of {minimum} verified",
                    key=kind,
                    amount=minimum - counts[kind],
                    unit=COUNT,
                )
            )
    if spec.personal_session_policy == "required":
        scores.append(_ratio(counts[PERSONAL], spec.personal_sessions_min))
        if counts[PERSONAL] < spec.personal_sessions_min:
            shortfalls.append(
                new_item(
                    "personal_session.short",
                    f"Personal sessions: {counts[PERSONAL]} of {spec.personal_sessions_min} "
                    "attested and verified",
                    amount=spec.personal_sessions_min - counts[PERSONAL],
                    unit=COUNT,
                )
            )
    allowed = 0 if spec.personal_session_policy == "none" else spec.personal_sessions_max
    if recorded_personal > allowed:
        items.append(
            new_item(
                "personal_session.over",
                f"Personal sessions: {recorded_personal} recorded, the program allows "
                + (f"at most {allowed}." if allowed else "none."),
                amount=recorded_personal - allowed,
                unit=COUNT,
            )
        )
    program = didactic_verified_hours(facts) + have
    scores.append(_ratio(program, spec.program_total_hours))
    if program < spec.program_total_hours:
        shortfalls.append(
            new_item(
                "program.total_short",
                f"Program total: {hours(program)} of {hours(spec.program_total_hours)} "
                "verified didactic and experiential hours",
                amount=spec.program_total_hours - program,
                unit=HOURS,
            )
        )
    summary = (
        f"{hours(have)} of {hours(need)} verified hours; program total {hours(program)} of "
        f"{hours(spec.program_total_hours)}"
    )
    return Draft(shortfalls + items, sum(scores) / len(scores), summary, bool(facts.experiential))


def session_gaps(facts: EnrollmentFacts, spec: RequirementSpec, on: date) -> list[str]:
    """What was not valid on `on`: 'licence', 'insurance', both or neither."""
    gaps = []
    if not licence_valid_on(facts, spec, on):
        gaps.append("licence")
    if not insurance_valid_on(facts, on):
        gaps.append("insurance")
    return gaps


def supervised_practice(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 7: `supervised_sessions_required` signed sessions and the case presentations.

    A signed or submitted session dated on a day without a valid licence or insurance (see
    `credentials`) does not count and gets `session.uncovered`. Submitted sessions wait on the
    supervisor; returned ones on the trainee. Drafts count for nothing.
    """
    items: list[OutstandingItem] = []
    shortfalls: list[OutstandingItem] = []
    signed, waiting = counted_sessions(facts, spec)
    for index, session in enumerate(facts.sessions):
        key = _key(session.id, index)
        label = f"Supervised session on {day(session.on)}"
        if session.status in ("signed", "submitted"):
            gaps = session_gaps(facts, spec, session.on)
            if gaps:
                items.append(
                    new_item(
                        "session.uncovered",
                        f"{label} does not count: no valid {' or '.join(gaps)} that day.",
                        key=key,
                    )
                )
        if session.status == "submitted":
            # Still in the supervisor's queue, whether or not it will count.
            items.append(
                _waiting(
                    "session.waiting", label, session.on, session.submitted_on, key, spec, today
                )
            )
        if session.status == "returned":
            items.append(
                new_item("session.returned", f"{label} was returned with a question.", key=key)
            )
    need = spec.supervised_sessions_required
    if signed < need:
        note = f" ({waiting} waiting for sign-off)" if waiting else ""
        shortfalls.append(
            new_item(
                "session.short",
                f"Supervised sessions: {signed} of {need} signed{note}",
                amount=need - signed,
                unit=COUNT,
            )
        )
    presented = len(facts.case_presentations)
    wanted = spec.case_presentations_required
    if presented < wanted:
        shortfalls.append(
            new_item(
                "case_presentation.short",
                f"Case presentations: {presented} of {wanted}",
                amount=wanted - presented,
                unit=COUNT,
            )
        )
    if not facts.supervisor_assigned and facts.certificate is None:
        items.append(new_item("supervisor.unassigned", "Assign a supervisor to this trainee."))
    scores = [_ratio(signed, need)] + ([_ratio(presented, wanted)] if wanted else [])
    summary = f"{signed} of {need} signed sessions"
    if waiting:
        summary += f", {waiting} waiting for sign-off"
    if wanted:
        summary += f"; {presented} of {wanted} case presentations"
    started = bool(facts.sessions or facts.case_presentations)
    return Draft(shortfalls + items, sum(scores) / len(scores), summary, started)


# What pace does not count: entries returned for correction, and personal sessions (the reports'
# pace chart counts the same way).
PACE_UNCOUNTED_STATUSES = ("returned",)
PACE_UNCOUNTED_KINDS = (PERSONAL,)


def hours_done(facts: EnrollmentFacts) -> Decimal:
    """Didactic and experiential hours logged and not returned (verified or waiting): for pace."""
    return sum(
        (e.hours for e in facts.didactic if e.status not in PACE_UNCOUNTED_STATUSES), ZERO
    ) + sum(
        (
            e.hours
            for e in facts.experiential
            if e.status not in PACE_UNCOUNTED_STATUSES and e.kind not in PACE_UNCOUNTED_KINDS
        ),
        ZERO,
    )


def pace_item(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, step: int
) -> OutstandingItem | None:
    """`pace.behind` when more than half the cohort's time is gone and under half the hours done.

    Time is measured from `cohort_starts_on` to `cohort_ends_on`; hours are those logged and not
    returned (the trainee did them even if a verifier has not yet). Exactly half is not behind.
    Days on leave of absence do not count as time gone.
    """
    start, end = facts.cohort_starts_on, facts.cohort_ends_on
    if start is None or end is None or end <= start or today <= start:
        return None
    elapsed = (today - start).days - paused_days(facts, start, today)
    span = (end - start).days
    done = hours_done(facts)
    if elapsed * 2 <= span or done * 2 >= spec.program_total_hours:
        return None
    gone = min(100, round(100 * elapsed / span))
    return new_item(
        "pace.behind",
        f"Behind pace: {hours(done)} of {hours(spec.program_total_hours)} hours logged with "
        f"{gone}% of the cohort's time gone.",
        step=step,
        amount=spec.program_total_hours / 2 - done,
        unit=HOURS,
        due_on=end,
    )


def last_activity(facts: EnrollmentFacts) -> date | None:
    """The latest date the trainee logged or did anything in training."""
    dates: list[date] = []
    for entry in (*facts.didactic, *facts.experiential, *facts.sessions):
        dates.append(entry.on)
        if entry.submitted_on:
            dates.append(entry.submitted_on)
    dates += [p.on for p in facts.case_presentations] + [
        a.on for a in facts.exam_attempts if not a.voided
    ]
    return max(dates) if dates else None


def activity_item(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, step: int
) -> OutstandingItem | None:
    """`activity.none_recent` when nothing was logged for `spec.inactivity_days` days or more.

    Counted from the latest of: the last activity, the admission date and the cohort start
    (no warning before the cohort starts). With none of these known there is no warning. Days on
    leave of absence do not count.
    """
    known = [d for d in (last_activity(facts), facts.admitted_on, facts.cohort_starts_on) if d]
    if not known:
        return None
    since = max(known)
    idle = (today - since).days - paused_days(facts, since, today)
    if idle < spec.inactivity_days:
        return None
    return new_item(
        "activity.none_recent",
        f"No training activity logged for {idle} days (since {day(since)}).",
        step=step,
        waiting_since=since,
    )
