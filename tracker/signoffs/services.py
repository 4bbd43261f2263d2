"""The rules of signing: who may sign or verify which entry, the signature itself, returning an
entry with a question, the trainee's answer, and staff reopening a signed record.

A signature needs the signer's password again (21 CFR 11.200: who is signed in, plus the
password), stores signer, printed name, UTC time and meaning (11.50), and binds the hash of the
entry's canonical content (11.70). A second live signature of one entry is impossible: the
status change is a conditional UPDATE whose row count is checked, and a partial UNIQUE index
backs it up. Functions flush and record an audit event per change; the caller commits.

What is signed is what the signer saw: the sign form carries the content hash of each entry as
the page showed it, and signing holds the entries' enrollments and rows (the lock order of
`tracker.core.guarded`, which the trainee's changes keep too) and refuses an entry whose content
hash differs now. A trainee's change either commits before the signature, and is then refused
as unseen, or waits for it, and is then refused because the entry is signed.

Bulk signing is all or nothing: when any selected entry cannot be signed, nothing is signed and
each refused entry gets its own message. The signer attested to the whole selection they saw;
signing part of it would leave them unsure what carries their name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from sqlalchemy import exists
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.accounts.models import User
from tracker.accounts.services import PasswordCheck
from tracker.accounts.services import check_password_counted
from tracker.accounts.services import lock_refusal
from tracker.admissions.services import verify_credential
from tracker.audit.services import Recorded
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.audit.services import record_each
from tracker.core.errors import Refused
from tracker.core.guarded import lock_if
from tracker.core.guarded import lock_rows
from tracker.core.guarded import update_if
from tracker.eligibility import services as eligibility
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.services import notify
from tracker.notifications.services import notify_each
from tracker.notifications.services import path_for
from tracker.progress.requirements import LICENCE_TYPES
from tracker.signoffs.binding import bind
from tracker.signoffs.binding import bind_record
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.entries import DONE_STATUS
from tracker.signoffs.entries import ENTRY_MODELS
from tracker.signoffs.entries import RETURNED_STATUS
from tracker.signoffs.entries import WAITING_STATUS
from tracker.signoffs.entries import Entry
from tracker.signoffs.entries import describe
from tracker.signoffs.entries import entry_type_of
from tracker.signoffs.entries import key_of
from tracker.signoffs.models import BODY_MAX
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.signoffs.models import meaning_for
from tracker.training.services import program_today
from tracker.webhooks.events import emit_each

__all__ = [
    "BatchRefused",
    "Refused",
    "answer",
    "credential_problem",
    "reopen",
    "return_with_question",
    "sign",
    "signing_problem",
    "verify_binding",
]

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REASON_MIN = 10


class BatchRefused(Refused):
    """Nothing was signed: `problems` lists (entry, message) for each entry that could not be."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        count = len(problems)
        super().__init__(
            f"Nothing was signed: {count} of the selected entries cannot be signed now.", None
        )
        self.problems = problems


# -- who may sign ---------------------------------------------------------------------------------


def is_assigned(person_id: int, enrollment_id: int) -> bool:
    """True when the person is a current supervisor (primary or backup) of the enrollment."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SupervisorAssignment.enrollment_id == enrollment_id,
                    SupervisorAssignment.supervisor_id == person_id,
                    SupervisorAssignment.ended_at.is_(None),
                )
            )
        )
    )


def assigned_among(person_id: int, enrollment_ids: Iterable[int]) -> set[int]:
    """Which of `enrollment_ids` the person currently supervises (primary or backup): one
    query, whatever their number."""
    wanted = sorted(set(enrollment_ids))
    if not wanted:
        return set()
    return set(
        db.session.scalars(
            select(SupervisorAssignment.enrollment_id).where(
                SupervisorAssignment.enrollment_id.in_(wanted),
                SupervisorAssignment.supervisor_id == person_id,
                SupervisorAssignment.ended_at.is_(None),
            )
        )
    )


def credential_problem(
    person_id: int, accepted_types: tuple[str, ...] = LICENCE_TYPES, today: date | None = None
) -> str | None:
    """Why the person's own licence or insurance does not allow signing on `today`, or None.

    A licence counts when staff verified it, its type is accepted, it has a number and `today`
    lies between its issue date (when known) and its expiry, inclusive; an insurance counts when
    staff verified it and `today` lies within its cover, inclusive.
    """
    today = today or utcnow().date()
    licence, insurance = db.session.execute(
        select(
            exists().where(
                Licence.trainee_id == person_id,
                Licence.verified_at.is_not(None),
                Licence.licence_type.in_(accepted_types),
                Licence.number != "",
                (Licence.issued_on.is_(None)) | (Licence.issued_on <= today),
                Licence.expires_on >= today,
            ),
            exists().where(
                Insurance.trainee_id == person_id,
                Insurance.verified_at.is_not(None),
                Insurance.starts_on <= today,
                Insurance.ends_on >= today,
            ),
        )
    ).one()
    missing = []
    if not licence:
        missing.append("a verified, current licence of an accepted type")
    if not insurance:
        missing.append("verified, current liability insurance")
    if not missing:
        return None
    return (
        f"You cannot sign now: program staff have no record of {' or '.join(missing)} of yours "
        f"for {today.isoformat()}. Program staff see this on their list of supervisors who "
        "cannot sign; send them your renewed documents."
    )


def _accepted_types(enrollment: Enrollment) -> tuple[str, ...]:
    requirements = enrollment.requirements
    return requirements.spec.accepted_licence_types if requirements is not None else LICENCE_TYPES


def _status_word(entry: Entry) -> str:
    return entry.status_label.lower() if hasattr(entry, "status_label") else entry.status


class _Authority:
    """What the signer's authority over a batch of entries rests on, each read once: the
    enrollments they supervise among the entries' (one query) and whether their own
    credentials allow signing on a day under a set of accepted licence types (one check per
    distinct day and set, not per entry)."""

    def __init__(self, signer: User, entries: Iterable[Entry]) -> None:
        self.signer = signer
        self._enrollment_ids = {entry.enrollment_id for entry in entries}
        self._assigned: set[int] | None = None
        self._credentials: dict[tuple[tuple[str, ...], date], str | None] = {}

    def assigned(self, enrollment_id: int) -> bool:
        """True when the signer is a supervisor currently assigned to the enrollment."""
        if not self.signer.is_supervisor:
            return False
        if self._assigned is None:
            self._assigned = assigned_among(self.signer.id, self._enrollment_ids)
        return enrollment_id in self._assigned

    def credential_problem(self, accepted_types: tuple[str, ...], today: date) -> str | None:
        """`credential_problem` of the signer, remembered per (types, day)."""
        key = (accepted_types, today)
        if key not in self._credentials:
            self._credentials[key] = credential_problem(self.signer.id, accepted_types, today)
        return self._credentials[key]


def signing_problem(entry: Entry, signer: User, today: date | None = None) -> str | None:
    """Why `signer` may not sign (or verify) `entry` now, or None when they may."""
    return _signing_problem(entry, _Authority(signer, [entry]), today)


def _signing_problem(entry: Entry, authority: _Authority, today: date | None) -> str | None:
    signer = authority.signer
    entry_type = entry_type_of(entry)
    enrollment = entry.enrollment
    if enrollment.trainee_id == signer.id:
        return "You cannot sign off or verify your own entry."
    if entry.status != WAITING_STATUS[entry_type]:
        return f"It is not waiting for sign-off (it is {_status_word(entry)})."
    if entry_type == "ce":
        # CE is reviewed on the program's authority: staff only, whoever supervised the holder.
        return None if signer.is_staff else "Only program staff can review continuing education."
    assigned = authority.assigned(enrollment.id)
    if entry_type == "session":
        if not assigned:
            return "Only the trainee's assigned supervisor or backup can sign off a session."
    elif not assigned and not signer.is_staff:
        return "Only the trainee's assigned supervisor or program staff can verify this entry."
    # Staff verify hours on the program's authority; a supervisor signs on their own licence.
    if entry_type == "session" or not signer.is_staff:
        day = today or program_today(enrollment)
        return authority.credential_problem(_accepted_types(enrollment), day)
    return None


def may_review(entry: Entry, person: User) -> bool:
    """True when the person may ask a question about the entry (same authority as signing,
    without the credential check)."""
    if entry.enrollment.trainee_id == person.id:
        return False
    if entry_type_of(entry) == "ce":
        return person.is_staff
    if person.is_supervisor and is_assigned(person.id, entry.enrollment_id):
        return True
    return entry_type_of(entry) != "session" and person.is_staff


# -- signing ---------------------------------------------------------------------------------------


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[tuple[str, int]] = set()
    result = []
    for entry in entries:
        key = (entry_type_of(entry), entry.id)
        if key not in seen:
            seen.add(key)
            result.append(entry)
    return result


def check_password(person: User, password: str | None) -> None:
    """Refuse unless `password` is the person's current password (the signature's second
    component). Wrong passwords count toward the account's sign-in lock, and a locked account
    cannot sign: the Sign button is no way round the limit on guessing. The count is committed
    at once, which would release any row lock taken before: check first, then lock."""
    if not password:
        raise Refused("Enter your password to sign.", "password")
    outcome = check_password_counted(person, password)
    if outcome is PasswordCheck.LOCKED:
        raise Refused(lock_refusal())
    if outcome is PasswordCheck.WRONG:
        raise Refused(
            "That password is not correct: enter the password you sign in with.", "password"
        )


def sign(
    entries: list[Entry],
    signer: User,
    password: str | None,
    shown: Mapping[str, str] | None = None,
) -> list[Signature]:
    """Sign (or verify) every entry with one password check, or refuse the whole batch.

    `shown` maps each entry's key ("session:12") to the content hash the signer's page showed
    (the sign form carries it): an entry that hashes otherwise now changed after the page was
    shown, and is refused with the rest of the batch. Only a caller that read the entries in
    this same transaction (the demo, a test) may leave `shown` out.
    """
    entries = _unique(list(entries))
    if not entries:
        raise Refused("Select at least one entry to sign.", "selected")
    check_password(signer, password)
    _reload(entries)
    # Re-reading an entry below drops its loaded relations, and the session keeps only the
    # objects something refers to: held here, the enrollments (with their trainees) and CE
    # evidence are not read again.
    held = [(entry.enrollment, getattr(entry, "certificate", None)) for entry in entries]
    authority = _Authority(signer, entries)
    problems = []
    for entry in entries:
        problem = _signing_problem(entry, authority, None)
        if problem:
            problems.append((_label(entry), problem))
    if problems:
        raise BatchRefused(problems)
    # Rows first, in one fixed order, and the audit trail last: the audit head is then the last
    # lock the transaction takes. Recording after each entry held the head while the next
    # signature's foreign key waited for its enrollment, which a trainee logging hours holds
    # (FOR UPDATE) while waiting for the head: PostgreSQL aborted one of them as a deadlock.
    # The fixed order keeps two signers of overlapping selections from locking in a circle.
    ordered = sorted(entries, key=lambda e: (entry_type_of(e), e.id))
    _hold(ordered)
    if shown is not None:
        unseen = [
            (_label(entry), problem) for entry in entries if (problem := _unseen(entry, shown))
        ]
        if unseen:
            raise BatchRefused(unseen)
    now = utcnow()
    # The statements below are one per batch or per entry type, not one per entry (but for the
    # e-mail of a trainee who chose e-mail notices, and a delivery per subscribed webhook).
    before = {id(entry): entry.status for entry in ordered}
    _mark_signed(ordered, signer, now)
    signatures = _add_signatures(ordered, signer, now)
    record_each(
        [
            Recorded(
                "signature.signed",
                signature,
                before={"entry_status": before[id(entry)]},
                after={**audited(signature), "entry_status": entry.status},
                actor_id=signer.id,
                subject_user_id=entry.enrollment.trainee_id,
            )
            for entry, signature in zip(ordered, signatures, strict=True)
        ]
    )
    notify_each([_notice(entry, SIGNED_KINDS, signer) for entry in ordered])
    emit_each(
        "entry.signed",
        [
            {
                "entry_type": entry_type_of(entry),
                "entry_id": entry.id,
                "enrollment_id": entry.enrollment_id,
                "signed_at": now.isoformat(timespec="seconds"),
            }
            for entry in ordered
        ],
    )
    del held
    signed = {id(entry): signature for entry, signature in zip(ordered, signatures, strict=True)}
    return [signed[id(entry)] for entry in entries]


def sign_record(
    entry_type: str,
    entry_id: int,
    enrollment_id: int,
    content: dict[str, Any],
    signer: User,
    meaning: str,
    subject_user_id: int | None = None,
) -> Signature:
    """A staff member's signature on a record other than a trainee's entry (a certificate
    issued, revoked or reinstated), binding its canonical `content`, with its
    `signature.signed` event. The caller checked the signer's password (`check_password`)."""
    signature = Signature(
        enrollment_id=enrollment_id,
        entry_type=entry_type,
        entry_id=entry_id,
        signer_id=signer.id,
        printed_name=signer.full_name,
        meaning=meaning,
        signed_at=utcnow(),
        **bind_record(content),
        void_reason="",
    )
    db.session.add(signature)
    db.session.flush()
    record(
        "signature.signed",
        signature,
        after=audited(signature),
        actor_id=signer.id,
        subject_user_id=subject_user_id,
    )
    return signature


CHANGED_SINCE_SHOWN = (
    "It changed after your page showed it (the trainee edited it meanwhile). Open it, look at "
    "it again, and sign what you see."
)
NOT_SHOWN = "The form did not say what your page showed of it. Open it and sign from its page."


def _unseen(entry: Entry, shown: Mapping[str, str]) -> str | None:
    """Why the entry as it is now is not what the signer's page showed, or None."""
    seen = shown.get(key_of(entry))
    if not seen:
        return NOT_SHOWN
    # The hash is no secret (the page shows it), so a plain comparison will do.
    return CHANGED_SINCE_SHOWN if seen != content_hash(entry) else None


def _label(entry: Entry) -> str:
    return describe(entry) + f" ({entry.enrollment.trainee.full_name})"


def _hold(ordered: list[Entry]) -> None:
    """Hold the entries' enrollments (FOR KEY SHARE, as the signatures' foreign keys will) and
    then the entries' rows, in `ordered`'s order, until the transaction ends, and re-read the
    entries: a trainee's change of one either committed before (and shows in its content) or
    waits for this transaction (and then finds the entry signed)."""
    lock_rows(Enrollment, (entry.enrollment_id for entry in ordered), key_share=True)
    gone = []
    for entry_type, model in sorted(ENTRY_MODELS.items()):
        mine = [entry for entry in ordered if entry_type_of(entry) == entry_type]
        if not mine:
            continue
        held = db.session.scalars(
            select(model)
            .where(model.id.in_([entry.id for entry in mine]))
            .order_by(model.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        gone += [entry for entry in mine if entry not in held]
    if gone:
        raise BatchRefused([(_label(entry), "It was deleted a moment ago.") for entry in gone])


def _hold_enrollment(entry: Entry) -> None:
    """Hold the entry's enrollment before its row: the lock order a trainee's change keeps."""
    lock_rows(Enrollment, [entry.enrollment_id], key_share=True)


def _set_signed(entry: Entry, signer: User | None, now, refused: str) -> None:
    """Sign the waiting entry as `signer` at `now`, or with no signer reopen the signed one;
    only while it is still where it was (else `refused`)."""
    entry_type = entry_type_of(entry)
    start, end = (
        (WAITING_STATUS, DONE_STATUS) if signer is not None else (DONE_STATUS, WAITING_STATUS)
    )
    values: dict[str, Any] = {"status": end[entry_type]}
    if entry_type == "session":
        values["signed_at"] = now
    else:
        values.update(verified_at=now, verified_by_id=signer.id if signer is not None else None)
    if entry_type == "ce" and signer is None:
        values["review_basis"] = "reopened"  # whatever selected it before, staff review it now
    update_if(entry, type(entry).status == start[entry_type], values=values, refused=refused)


def _mark_signed(ordered: list[Entry], signer: User, now) -> None:
    """Mark the held entries signed (no audit event: the caller records it): per entry type,
    one UPDATE conditional on every row still waiting, whose row count is checked; the entries
    in the session take the values written. The first entry (in `ordered`'s order) no longer
    waiting refuses the batch."""
    for entry in ordered:
        if entry.status != WAITING_STATUS[entry_type_of(entry)]:
            raise Refused(_changed_meanwhile(entry))
    for entry_type, group in _by_type(ordered):
        model = ENTRY_MODELS[entry_type]
        values: dict[str, Any] = {"status": DONE_STATUS[entry_type]}
        if entry_type == "session":
            values["signed_at"] = now
        else:
            values.update(verified_at=now, verified_by_id=signer.id)
        ids = [entry.id for entry in group]
        changed = db.session.execute(
            update(model)
            .where(model.id.in_(ids), model.status == WAITING_STATUS[entry_type])
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != len(ids):
            raise Refused(_changed_meanwhile(group[0]))
        for entry in group:
            for name, value in values.items():
                set_committed_value(entry, name, value)
            # Set by the database's update (AutoTimestamps): read again if anyone asks.
            db.session.expire(entry, ["updated_at"])


def _reload(entries: list[Entry]) -> None:
    """Read the entries again with their enrollments, trainees, programs and requirement sets,
    per entry type in one query: the password check's commit expired them, and reading
    them one by one would cost queries per entry (even its id: read from its identity, which
    stays)."""
    for entry_type, group in _by_type(entries):
        model = ENTRY_MODELS[entry_type]
        related = [
            joinedload(model.enrollment).options(
                joinedload(Enrollment.trainee),
                joinedload(Enrollment.program),
                joinedload(Enrollment.pinned_requirements),
            )
        ]
        if entry_type == "ce":
            related.append(joinedload(model.certificate))  # its digest is part of the content
        db.session.scalars(
            select(model)
            .where(model.id.in_([inspect(entry).identity[0] for entry in group]))
            .options(*related)
            .execution_options(populate_existing=True)
        ).all()


def _changed_meanwhile(entry: Entry) -> str:
    return f"{describe(entry)} was signed or changed a moment ago; nothing was signed."


def _by_type(ordered: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """The entries grouped by type, each group in `ordered`'s order."""
    groups: dict[str, list[Entry]] = {}
    for entry in ordered:
        groups.setdefault(entry_type_of(entry), []).append(entry)
    return list(groups.items())


def _add_signatures(ordered: list[Entry], signer: User, now) -> list[Signature]:
    """Add a signature to each entry, binding its content, in one INSERT returning the rows
    (matched to their entries by type and id, whatever order they come back in). A second live
    signature of an entry (the partial UNIQUE index) refuses the batch, naming that entry."""
    rows = [
        {
            "enrollment_id": entry.enrollment_id,
            "entry_type": entry_type_of(entry),
            "entry_id": entry.id,
            "signer_id": signer.id,
            "printed_name": signer.full_name,
            "meaning": meaning_for(entry_type_of(entry)),
            "signed_at": now,
            **bind(entry),
            "void_reason": "",
        }
        for entry in ordered
    ]
    try:
        with db.session.begin_nested():
            added = db.session.scalars(insert(Signature).returning(Signature), rows).all()
    except IntegrityError:
        signed = next((entry for entry in ordered if live_signature(entry)), ordered[0])
        raise Refused(
            f"{describe(signed)} already carries a signature; nothing was signed."
        ) from None
    by_entry = {(signature.entry_type, signature.entry_id): signature for signature in added}
    return [by_entry[(entry_type_of(entry), entry.id)] for entry in ordered]


# -- questions and answers ------------------------------------------------------------------------


def clean_body(text: str | None, field: str = "body", minimum: int = 1, what: str = "text") -> str:
    """A message of `minimum` to 2,000 characters, without control characters."""
    body = (text or "").replace("\r\n", "\n").strip()
    if len(body) < minimum:
        if not body:
            raise Refused(f"Write the {what}.", field)
        raise Refused(f"Write at least {minimum} characters of {what}.", field)
    if len(body) > BODY_MAX:
        raise Refused(f"Use at most {BODY_MAX} characters.", field)
    if _FORBIDDEN.search(body):
        raise Refused("Remove the control characters from the text.", field)
    return body


def _note(entry: Entry, author: User, kind: str, body: str) -> EntryQuestion:
    note = EntryQuestion(
        enrollment_id=entry.enrollment_id,
        entry_type=entry_type_of(entry),
        entry_id=entry.id,
        author_id=author.id,
        kind=kind,
        body=body,
        created_at=utcnow(),
    )
    db.session.add(note)
    db.session.flush()
    return note


def return_with_question(entry: Entry, reviewer: User, text: str | None) -> EntryQuestion:
    """Send one waiting entry back to the trainee with a question (never the whole batch); a CE
    entry is rejected, the question being the reason the holder sees and answers."""
    entry_type = entry_type_of(entry)
    body = clean_body(text, "body", what="reason" if entry_type == "ce" else "question")
    if not may_review(entry, reviewer):
        if entry_type == "ce":
            raise Refused("Only program staff can reject continuing education.")
        raise Refused("Only the trainee's assigned supervisor can return this entry.")
    model = type(entry)
    before = entry.status
    returned = RETURNED_STATUS[entry_type]
    _hold_enrollment(entry)
    update_if(
        entry,
        model.status == WAITING_STATUS[entry_type],
        values={"status": returned},
        refused="This entry is no longer waiting for sign-off; nothing was returned.",
    )
    note = _note(entry, reviewer, "question", body)
    record(
        "entry.returned",
        note,
        before={"entry_type": entry_type, "entry_id": entry.id, "status": before},
        after={
            "entry_type": entry_type,
            "entry_id": entry.id,
            "status": returned,
            "question": body,
        },
        actor_id=reviewer.id,
        subject_user_id=entry.enrollment.trainee_id,
    )
    _tell_trainee(entry, RETURNED_KINDS, reviewer, body)
    return note


def answer(entry: Entry, trainee: User, text: str | None) -> EntryQuestion:
    """The trainee's answer to a question on their returned entry (kept with the entry). A
    rejected CE entry goes back to review with the answer: the holder resubmits it (its content
    unchanged; a change goes through the edit page, which resubmits it too)."""
    entry_type = entry_type_of(entry)
    returned = RETURNED_STATUS[entry_type]
    if entry.enrollment.trainee_id != trainee.id:
        raise Refused("You can answer only on your own entries.")
    if entry.status != returned:
        raise Refused(f"You can answer while the entry is {returned} and waits on you.")
    body = clean_body(text, "body", what="answer")
    _hold_enrollment(entry)
    changed_to = None
    if entry_type == "ce":
        changed_to = WAITING_STATUS[entry_type]
        update_if(
            entry,
            type(entry).status == returned,
            values={"status": changed_to},
            refused="This entry changed meanwhile and is no longer rejected; your answer was not "
            "saved. Look at it again.",
        )
    else:
        lock_if(
            entry,
            type(entry).status == returned,
            refused="This entry changed meanwhile and is no longer returned to you; your answer "
            "was not saved. Look at it again.",
        )
    note = _note(entry, trainee, "answer", body)
    after: dict[str, Any] = {"entry_type": note.entry_type, "entry_id": entry.id, "answer": body}
    if changed_to is not None:
        after["status"] = changed_to
    record(
        "entry.answered",
        note,
        before={"status": returned} if changed_to is not None else None,
        after=after,
        actor_id=trainee.id,
        subject_user_id=trainee.id,
    )
    _tell_asker(entry, trainee)
    return note


# -- reopening ------------------------------------------------------------------------------------


def live_signature(entry: Entry) -> Signature | None:
    """The entry's signature that is not voided, if any."""
    return db.session.scalar(
        select(Signature).where(
            Signature.entry_type == entry_type_of(entry),
            Signature.entry_id == entry.id,
            Signature.voided_at.is_(None),
        )
    )


def reopen(entry: Entry, staff: User, reason: str | None) -> Signature | None:
    """Staff reopen a signed or verified entry with a written reason: the signature is voided
    (and kept), the entry waits for sign-off again. Returns the voided signature, if any."""
    if not staff.is_staff:
        raise Refused("Only program staff can reopen a signed record.")
    if entry.enrollment.trainee_id == staff.id:
        raise Refused("You cannot reopen your own entry.")
    text = clean_body(reason, "reason", REASON_MIN, "reason for reopening")
    entry_type = entry_type_of(entry)
    _hold_enrollment(entry)
    _set_signed(entry, None, None, "Only a signed or verified entry can be reopened.")
    signature = live_signature(entry)
    before = audited(signature) if signature is not None else None
    now = utcnow()
    if signature is not None:
        update_if(
            signature,
            Signature.voided_at.is_(None),
            values={"voided_at": now, "voided_by_id": staff.id, "void_reason": text},
            refused="The signature changed a moment ago; nothing was reopened.",
        )
    _note(entry, staff, "reopen_reason", text)
    record(
        "signature.voided",
        signature if signature is not None else entry,
        before={"entry_status": DONE_STATUS[entry_type], "signature": before},
        after={
            "entry_type": entry_type,
            "entry_id": entry.id,
            "entry_status": entry.status,
            "signature": audited(signature) if signature is not None else None,
            "reason": text,
        },
        actor_id=staff.id,
        subject_user_id=entry.enrollment.trainee_id,
    )
    _tell_trainee(entry, REOPENED_KINDS, staff, text)
    return signature


# -- notices --------------------------------------------------------------------------------------

# The notice kind each act gives the trainee, by entry type.
SIGNED_KINDS = {
    "session": "entry.signed",
    "didactic": "hours.verified",
    "experiential": "hours.verified",
    "ce": "ce.approved",
}
RETURNED_KINDS = {
    "session": "entry.returned",
    "didactic": "hours.rejected",
    "experiential": "hours.rejected",
    "ce": "ce.rejected",
}
REOPENED_KINDS = dict.fromkeys(ENTRY_MODELS, "entry.reopened")
_DONE_WORDS = {
    "entry.signed": "was signed by {actor}",
    "hours.verified": "was verified by {actor}",
    "ce.approved": "was approved by {actor}",
    "entry.returned": "was returned to you by {actor} with a question: {text}",
    "hours.rejected": "was returned to you by {actor} with a question: {text}",
    "ce.rejected": "was rejected by {actor}: {text}",
    "entry.reopened": "was reopened by {actor}: {text}",
}


def _tell_trainee(entry: Entry, kinds: Mapping[str, str], actor: User, text: str = "") -> None:
    """Notice the entry's trainee of what `actor` did to it, linking to their entry."""
    notify(*_notice(entry, kinds, actor, text))


def _notice(
    entry: Entry, kinds: Mapping[str, str], actor: User, text: str = ""
) -> tuple[User, str, str, str]:
    """The notice to the entry's trainee of what `actor` did: (person, kind, message, link)."""
    entry_type = entry_type_of(entry)
    kind = kinds[entry_type]
    words = _DONE_WORDS[kind].format(actor=actor.full_name, text=text)
    return (
        entry.enrollment.trainee,
        kind,
        f"{describe(entry)} {words}",
        path_for("signoffs.mine", entry_type=entry_type, entry_id=entry.id),
    )


def _tell_asker(entry: Entry, trainee: User) -> None:
    """Notice whoever asked the entry's last question that the trainee answered it."""
    asker = db.session.scalar(
        select(User)
        .join(EntryQuestion, EntryQuestion.author_id == User.id)
        .where(
            EntryQuestion.entry_type == entry_type_of(entry),
            EntryQuestion.entry_id == entry.id,
            EntryQuestion.kind == "question",
        )
        .order_by(EntryQuestion.id.desc())
        .limit(1)
    )
    if asker is None or asker.id == trainee.id:
        return
    notify(
        asker,
        "entry.answered",
        f"{trainee.full_name} answered your question on {describe(entry).lower()}.",
        path_for("signoffs.entry", entry_type=entry_type_of(entry), entry_id=entry.id),
    )


@dataclass
class SignoffInfo:
    """What a page shows with an entry: its signatures (live first) and its question thread."""

    signatures: list[Signature] = field(default_factory=list)
    thread: list[EntryQuestion] = field(default_factory=list)

    @property
    def live(self) -> Signature | None:
        """The live signature, if any."""
        return next((s for s in self.signatures if s.voided_at is None), None)

    @property
    def voided(self) -> list[Signature]:
        """Voided signatures, oldest first."""
        return [s for s in self.signatures if s.voided_at is not None]

    @property
    def last_question(self) -> EntryQuestion | None:
        """The most recent question asked about the entry."""
        return next((q for q in reversed(self.thread) if q.kind == "question"), None)


# -- a supervisor's own credentials (recorded by staff) -------------------------------------------


def _staff_recording(supervisor: User, staff: User) -> None:
    if not staff.is_staff:
        raise Refused("Only program staff can record a supervisor's credentials.")
    if not supervisor.is_supervisor:
        raise Refused("This person is not a supervisor.")
    if supervisor.id == staff.id:
        raise Refused("You cannot verify your own credentials: ask another staff member.")


def record_supervisor_credential(
    supervisor: User, staff: User, kind: str, data: Any, method: str, note: str, today: date
) -> Licence | Insurance:
    """Staff record a supervisor's licence or insurance and verify it in the same step."""
    _staff_recording(supervisor, staff)
    try:
        if kind == "licence":
            credential = eligibility.add_licence(supervisor, data, None, today)
        else:
            credential = eligibility.add_insurance(supervisor, data, None, today)
        verify_credential(credential, staff, method, note)
    except Refused as error:
        raise Refused(error.message, error.field) from None
    return credential
