"""The rules for logging didactic hours, experiential activities and continuing education.

Every function here flushes and records an audit event; the caller commits. A refused change
raises `Refused` naming the field, and changes nothing. Status and verification are never
taken from the trainee's input: a new entry is `pending`, an edited returned entry goes back to
`pending`, and a verified entry is read-only.

A change or deletion holds the enrollment and then the entry's row, and checks the entry's
status on the held row (`tracker.core.guarded`): a verification that got there first wins, and
the trainee's change is refused instead of landing on the verified entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.core.guarded import lock_if
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import RequirementSpec
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry
from tracker.training.models import SubmissionToken

QUARTER = Decimal("0.25")
MAX_ENTRY_HOURS = Decimal(12)
CE_YEARS_BACK = 5
LINE_LIMIT = 200
NOTE_LIMIT = 2000
_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>]")
_NOTE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Plain decimal notation only: no exponents, no "NaN", no thousands separators.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class LoggingClosed(Refused):
    """The enrollment is not admitted, so nothing may be logged or changed."""


class ReadOnly(Refused):
    """The record is verified (or signed) and can no longer be changed by the trainee."""


class LikelyDuplicate(Refused):
    """An identical entry is already logged: stored only once the trainee confirms."""


class AlreadySaved(Refused):
    """The same form was sent again: its entry is already stored (`record_id`)."""

    def __init__(self, message: str, kind: str, record_id: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.record_id = record_id


@dataclass(frozen=True)
class DidacticInput:
    """What the trainee typed for a didactic entry."""

    on: date | None
    topic_code: str
    hours: Any
    provider: str
    note: str = ""
    # The form's one-time token (empty: none), and the trainee's word that an entry identical
    # to one already logged is meant.
    submission_token: str = ""
    confirm_duplicate: bool = False


@dataclass(frozen=True)
class ExperientialInput:
    """What the trainee typed for an experiential entry."""

    kind: str
    on: date | None
    hours: Any
    facilitator: str
    note: str = ""
    attested: bool = False
    submission_token: str = ""
    confirm_duplicate: bool = False


# -- shared checks (also used by supervision) ---------------------------------------------------


LOGGING_CLOSED_MESSAGE = (
    "Logging opens after admission: you can record training once staff have admitted you."
)


def logging_open(enrollment: Enrollment | None) -> bool:
    """Whether training, sessions and CE may be logged: the one rule every page and service
    asks. Open once staff admitted the enrollment and it has a requirement set to log against."""
    return (
        enrollment is not None
        and enrollment.status == "admitted"
        and enrollment.requirements is not None
    )


def require_admitted(enrollment: Enrollment | None) -> Enrollment:
    """Return the enrollment when logging is open (`logging_open`); otherwise raise
    LoggingClosed."""
    if enrollment is None or not logging_open(enrollment):
        raise LoggingClosed(LOGGING_CLOSED_MESSAGE)
    return enrollment


def program_today(enrollment: Enrollment) -> date:
    """Today in the enrollment's program time zone."""
    return today_in(enrollment.program.timezone if enrollment.program else None)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_training_date(enrollment: Enrollment, on: date | None, field: str = "on") -> date:
    """A training date: not in the future (program time zone), not before the cohort began."""
    if on is None:
        raise Refused("Enter the date.", field)
    today = program_today(enrollment)
    if on > today:
        raise Refused(
            f"The date cannot be in the future (today is {today.isoformat()} in the program's "
            "time zone).",
            field,
        )
    cohort = enrollment.cohort
    if cohort is not None:
        if on < cohort.starts_on:
            raise Refused(
                f"The date is before your cohort started on {cohort.starts_on.isoformat()}.",
                field,
            )
    else:
        earliest = years_before(today, CE_YEARS_BACK)
        if on < earliest:
            raise Refused(
                f"The date is more than {CE_YEARS_BACK} years ago (before {earliest.isoformat()}).",
                field,
            )
    return on


def clean_line(value: str | None, field: str, what: str, limit: int = LINE_LIMIT) -> str:
    """A required single line: trimmed, 1 to `limit` characters, no control characters."""
    text = (value or "").strip()
    if not text:
        raise Refused(f"Enter the {what}.", field)
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field)
    if _LINE_FORBIDDEN.search(text):
        raise Refused(
            "Use ordinary text on one line (no control characters or angle brackets).", field
        )
    return text


def clean_text(
    value: str | None, field: str, limit: int = NOTE_LIMIT, minimum: int = 0, what: str = "text"
) -> str:
    """Free text of `minimum` to `limit` characters; line breaks and tabs allowed."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field)
    if len(text) < minimum:
        raise Refused(
            f"Write at least {minimum} characters of {what} (you wrote {len(text)}).", field
        )
    if _NOTE_FORBIDDEN.search(text):
        raise Refused("Remove the control characters from the text.", field)
    return text


def parse_quarter_hours(value: Any, field: str, maximum: Decimal, unit: str = "hours") -> Decimal:
    """A positive amount in quarter units, at most `maximum`."""
    if isinstance(value, bool) or value is None:
        raise Refused(f"Enter the number of {unit}.", field)
    text = str(value).strip()
    if not _NUMBER.match(text):
        raise Refused(f"Enter the {unit} as a number, such as 1.5.", field)
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise Refused(f"Enter the {unit} as a number, such as 1.5.", field) from None
    if amount <= 0:
        raise Refused(f"The {unit} must be more than 0.", field)
    if amount > maximum:
        raise Refused(f"At most {_fmt(maximum)} {unit} per entry.", field)
    if amount % QUARTER != 0:
        raise Refused(f"Use quarter {unit} (.25, .5 or .75).", field)
    return amount.quantize(Decimal("0.01"))


def _fmt(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


CHANGEABLE = ("pending", "returned")


def _hold_changeable(entry: DidacticEntry | ExperientialEntry) -> None:
    """Hold the enrollment, then the entry, while the entry is not verified; refused with
    `ReadOnly` otherwise (also when it was verified a moment ago, after the page was shown)."""
    require_admitted(entry.enrollment)
    if entry.is_verified:
        raise ReadOnly("This entry is verified and can no longer be changed.")
    lock_enrollment(entry.enrollment)
    try:
        lock_if(
            entry,
            type(entry).status.in_(CHANGEABLE),
            refused=lambda now: (
                f"This entry was {now.status_label.lower()} meanwhile and can no longer be "
                "changed; nothing was saved. Look at it again."
            ),
        )
    except Refused as error:
        raise ReadOnly(error.message) from None


# -- the daily cap ------------------------------------------------------------------------------


def hours_logged_on(enrollment_id: int, on: date, exclude: Any = None) -> Decimal:
    """Didactic plus experiential hours logged for `on` on the enrollment, leaving out
    `exclude` (the entry being changed)."""
    total = Decimal(0)
    for model in (DidacticEntry, ExperientialEntry):
        stmt = select(func.coalesce(func.sum(model.hours), 0)).where(
            model.enrollment_id == enrollment_id, model.on == on
        )
        if isinstance(exclude, model) and exclude.id is not None:
            stmt = stmt.where(model.id != exclude.id)
        total += Decimal(str(db.session.scalar(stmt) or 0))
    return total


def lock_enrollment(enrollment: Enrollment) -> None:
    """Serialise changes to one enrollment's records, so that two concurrent requests cannot
    both pass a cap (PostgreSQL row lock; SQLite already writes one transaction at a time).
    Taken before any entry's row: the order `tracker.core.guarded` describes."""
    db.session.execute(
        select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )


def hours_logged_by_day(
    enrollment_ids: list[int], days: list[date]
) -> dict[tuple[int, date], Decimal]:
    """Didactic plus experiential hours logged per (enrollment, day) for the given enrollments
    and days, in two queries whatever their number: `hours_logged_on` for many at once."""
    totals: dict[tuple[int, date], Decimal] = {}
    if not enrollment_ids or not days:
        return totals
    for model in (DidacticEntry, ExperientialEntry):
        rows = db.session.execute(
            select(model.enrollment_id, model.on, func.sum(model.hours))
            .where(model.enrollment_id.in_(enrollment_ids), model.on.in_(days))
            .group_by(model.enrollment_id, model.on)
        )
        for enrollment_id, on, hours in rows:
            key = (enrollment_id, on)
            totals[key] = totals.get(key, Decimal(0)) + Decimal(str(hours or 0))
    return totals


def _check_day_cap(enrollment: Enrollment, on: date, hours: Decimal, exclude: Any) -> None:
    """Refuse hours that would take the day past the requirement set's cap (`max_day_hours`),
    counting what is already logged for that day (both kinds, not the entry being changed)."""
    cap = _spec(enrollment).max_day_hours
    lock_enrollment(enrollment)
    already = hours_logged_on(enrollment.id, on, exclude)
    check_day_cap(cap, already, on, hours)


def check_day_cap(cap: Decimal, already: Decimal, on: date, hours: Decimal) -> None:
    """Refuse `hours` on `on` when, with the `already` logged that day, they pass `cap` (the
    requirement set's `max_day_hours`); the rule every way of adding hours applies."""
    if already + hours > cap:
        room = max(cap - already, Decimal(0))
        left = (
            f"so at most {_fmt(room)} more fit that day"
            if room
            else "so no more hours fit that day"
        )
        raise Refused(
            f"At most {_fmt(cap)} hours can be logged for one day (didactic and experiential "
            f"together): {_fmt(already)} hours are already logged for {on.isoformat()}, "
            f"{left}.",
            "hours",
        )


# -- hours entries: what didactic and experiential entries share ------------------------------


TOKEN_LIMIT = 64
ALREADY_SAVED_MESSAGE = (
    "This form was already saved (sent twice, perhaps after going Back): the entry below is "
    "the one stored, and nothing was added."
)
_SAME = {"topic_code": "topic", "kind": "activity"}
_DUPLICATE_MATCH: dict[str, tuple[str, str]] = {
    # An entry is identical when its date and hours are the same and so is one of these.
    "didactic": ("topic_code", "provider"),
    "experiential": ("kind", "facilitator"),
}


def _stored_by_token(kind: str, trainee_id: int, token: str) -> SubmissionToken | None:
    if not token:
        return None
    found = db.session.get(SubmissionToken, token, populate_existing=True)
    if found is None or found.user_id != trainee_id or found.kind != kind:
        return None
    return found


def _claim_token(kind: str, trainee_id: int, token: str) -> SubmissionToken | None:
    """Claim the form's token for the entry about to be stored; a second request that stores
    the same form at the same moment loses here (the token is the primary key) and is
    answered as a resend, before it stores anything."""
    if not token:
        return None
    claim = SubmissionToken(token=token, user_id=trainee_id, kind=kind, record_id=0)
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:
        first = _stored_by_token(kind, trainee_id, token)
        raise AlreadySaved(ALREADY_SAVED_MESSAGE, kind, first.record_id if first else 0) from None
    return claim


def _check_duplicate(model: type, kind: str, enrollment: Enrollment, values: dict) -> None:
    first, second = _DUPLICATE_MATCH[kind]
    same = db.session.scalar(
        select(model.id)
        .where(
            model.enrollment_id == enrollment.id,
            model.on == values["on"],
            model.hours == values["hours"],
            or_(
                getattr(model, first) == values[first],
                func.lower(getattr(model, second)) == values[second].lower(),
            ),
        )
        .limit(1)
    )
    if same is not None:
        raise LikelyDuplicate(
            f"An entry with the same date ({values['on'].isoformat()}), hours "
            f"({_fmt(values['hours'])}) and {_SAME[first]} or {second} is already "
            "logged. If this is another one, tick the box below and save again; "
            "nothing was saved.",
            "confirm_duplicate",
        )


def _log_entry(model: type, kind: str, values_of: Callable, enrollment: Any, data: Any) -> Any:
    enrollment = require_admitted(enrollment)
    token = (data.submission_token or "")[:TOKEN_LIMIT]
    # Hold the enrollment first: a resend waiting on the first request then sees its token.
    lock_enrollment(enrollment)
    stored = _stored_by_token(kind, enrollment.trainee_id, token)
    if stored is not None:
        # The stored entry may have been deleted since: then there is nothing to land on.
        kept = db.session.scalar(select(model.id).where(model.id == stored.record_id))
        raise AlreadySaved(ALREADY_SAVED_MESSAGE, kind, kept or 0)
    values = values_of(enrollment, data, exclude=None)
    if not data.confirm_duplicate:
        _check_duplicate(model, kind, enrollment, values)
    claim = _claim_token(kind, enrollment.trainee_id, token)
    entry = model(enrollment_id=enrollment.id, status="pending", **values)
    entry.enrollment = enrollment
    added(f"{kind}.logged", entry, subject_user_id=enrollment.trainee_id)
    if claim is not None:
        claim.record_id = entry.id
        db.session.flush()
    return entry


def _update_entry(kind: str, values_of: Callable, entry: Any, data: Any) -> Any:
    _hold_changeable(entry)
    values = values_of(entry.enrollment, data, exclude=entry)
    trainee_id = entry.enrollment.trainee_id
    changed(f"{kind}.updated", entry, {**values, "status": "pending"}, subject_user_id=trainee_id)
    return entry


def _delete_entry(kind: str, entry: Any) -> None:
    _hold_changeable(entry)
    deleted(f"{kind}.deleted", entry, subject_user_id=entry.enrollment.trainee_id)


# -- didactic entries ---------------------------------------------------------------------------


def didactic_fields(enrollment: Enrollment, data: DidacticInput) -> dict[str, Any]:
    """The checked values of a didactic entry, every rule but the daily cap (which needs what
    is already logged that day: `check_day_cap`); raise Refused naming the field."""
    spec = _spec(enrollment)
    topic = spec.topic(data.topic_code or "")
    if topic is None:
        raise Refused("Choose a topic from your program's curriculum.", "topic_code")
    on = check_training_date(enrollment, data.on)
    hours = parse_quarter_hours(data.hours, "hours", MAX_ENTRY_HOURS)
    provider = clean_line(data.provider, "provider", "course or provider")
    note = clean_text(data.note, "note")
    return {
        "on": on,
        "topic_code": topic.code,
        "hours": hours,
        "provider": provider,
        "note": note,
    }


def _didactic_values(enrollment: Enrollment, data: DidacticInput, exclude: Any) -> dict[str, Any]:
    values = didactic_fields(enrollment, data)
    _check_day_cap(enrollment, values["on"], values["hours"], exclude)
    return values


def log_didactic(enrollment: Enrollment | None, data: DidacticInput) -> DidacticEntry:
    """Record didactic hours for an admitted enrollment (status pending)."""
    return _log_entry(DidacticEntry, "didactic", _didactic_values, enrollment, data)


def update_didactic(entry: DidacticEntry, data: DidacticInput) -> DidacticEntry:
    """Change an entry that is not verified; a returned entry goes back to pending."""
    return _update_entry("didactic", _didactic_values, entry, data)


def delete_didactic(entry: DidacticEntry) -> None:
    """Remove an entry that is not verified."""
    _delete_entry("didactic", entry)


# -- experiential entries -----------------------------------------------------------------------


PERSONAL = "personal_session"


def _personal_sessions(enrollment_id: int, exclude: Any) -> int:
    stmt = select(func.count(ExperientialEntry.id)).where(
        ExperientialEntry.enrollment_id == enrollment_id, ExperientialEntry.kind == PERSONAL
    )
    if exclude is not None and exclude.id is not None:
        stmt = stmt.where(ExperientialEntry.id != exclude.id)
    return int(db.session.scalar(stmt) or 0)


def _check_personal_session(
    enrollment: Enrollment, spec: RequirementSpec, data: ExperientialInput, exclude: Any
) -> None:
    if spec.personal_session_policy == "none" or spec.personal_sessions_max == 0:
        raise Refused(
            "Your program does not include personal ketamine sessions, so they cannot be logged.",
            "kind",
        )
    lock_enrollment(enrollment)
    logged = _personal_sessions(enrollment.id, exclude)
    if logged >= spec.personal_sessions_max:
        raise Refused(
            f"Your program counts at most {spec.personal_sessions_max} personal sessions and "
            f"{logged} {'is' if logged == 1 else 'are'} already logged.",
            "kind",
        )
    if (data.note or "").strip():
        raise Refused(
            "A personal session is an attestation of completion only: leave the note empty "
            "(no dose, effects or health details).",
            "note",
        )
    if not data.attested:
        raise Refused("Confirm that you completed this personal ketamine session.", "attest")


def _experiential_values(
    enrollment: Enrollment, data: ExperientialInput, exclude: Any
) -> dict[str, Any]:
    spec = _spec(enrollment)
    if data.kind not in EXPERIENTIAL_KINDS:
        raise Refused("Choose one of the listed activities.", "kind")
    if data.kind == PERSONAL:
        _check_personal_session(enrollment, spec, data, exclude)
    on = check_training_date(enrollment, data.on)
    hours = parse_quarter_hours(data.hours, "hours", MAX_ENTRY_HOURS)
    facilitator = clean_line(data.facilitator, "facilitator", "facilitator")
    note = "" if data.kind == PERSONAL else clean_text(data.note, "note")
    _check_day_cap(enrollment, on, hours, exclude)
    return {"kind": data.kind, "on": on, "hours": hours, "facilitator": facilitator, "note": note}


def log_experiential(enrollment: Enrollment | None, data: ExperientialInput) -> ExperientialEntry:
    """Record an experiential activity for an admitted enrollment (status pending)."""
    return _log_entry(ExperientialEntry, "experiential", _experiential_values, enrollment, data)


def update_experiential(entry: ExperientialEntry, data: ExperientialInput) -> ExperientialEntry:
    """Change an entry that is not verified; a returned entry goes back to pending."""
    return _update_entry("experiential", _experiential_values, entry, data)


def delete_experiential(entry: ExperientialEntry) -> None:
    """Remove an entry that is not verified."""
    _delete_entry("experiential", entry)


def _spec(enrollment: Enrollment) -> RequirementSpec:
    requirements = enrollment.requirements
    if requirements is None:
        raise LoggingClosed("Your program has no requirements yet; ask the program staff.")
    return requirements.spec
