"""Two sign-offs of one entry at the same moment give exactly one signature: the conditional
UPDATE decides (the partial UNIQUE index backs it up), and the loser is refused."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import is_postgres
from tests.signoffs.factories import give_credentials
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.accounts.models import User
from tracker.audit import services as audit_services
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.signoffs import services
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import Signature
from tracker.supervision import services as supervision_services
from tracker.supervision.models import SupervisedSession
from tracker.training import services as training_services
from tracker.training.models import DidacticEntry

RACERS = 4


def test_a_second_live_signature_is_refused_by_the_database(enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    row = {
        "enrollment_id": enrollment.id,
        "entry_type": "session",
        "entry_id": session.id,
        "signer_id": supervisor.id,
        "printed_name": "X",
        "meaning": "m",
        "signed_at": utcnow(),
        "content_hash": "a" * 64,
        "void_reason": "",
    }
    db.session.add(Signature(**row))
    db.session.commit()
    db.session.add(Signature(**row))
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        db.session.commit()
    db.session.rollback()
    # A voided one does not count: a new live signature may follow it.
    db.session.execute(
        text("UPDATE signatures SET voided_at = :t, void_reason = 'r'"), {"t": utcnow()}
    )
    db.session.add(Signature(**row))
    db.session.commit()


def runner(app, outcomes: dict[str, str]):
    """`run(name, work)` for a thread: `work` in an app context of its own, committed; the
    outcome ("done" or the error) lands in `outcomes[name]` for the test's assert."""

    def run(name: str, work) -> None:
        with app.app_context():
            try:
                work()
                db.session.commit()
                outcomes[name] = "done"
            except Exception as error:  # reported by the caller's assert
                db.session.rollback()
                outcomes[name] = f"error: {error!r}"
            finally:
                db.session.remove()

    return run


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two sign-offs can overlap; "
    "the race is tested on PostgreSQL",
)
def test_concurrent_sign_offs_give_exactly_one_signature(
    app, enrollment, supervisor, create_user, monkeypatch
):
    backup = create_user("supervisor", name="Bea Backup")
    give_credentials(backup)
    assign(enrollment, backup, kind="backup")
    session_id = waiting_session(enrollment, supervisor).id
    signer_ids = [supervisor.id, backup.id, supervisor.id, backup.id]
    db.session.remove()
    # Every racer passes the rule check before any of them writes: the worst case.
    barrier = threading.Barrier(RACERS, timeout=20)
    # `sign` checks each entry through `_signing_problem` (the public `signing_problem` wraps
    # it): every racer passes the check, then all of them race for the lock.
    real_check = services._signing_problem

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(services, "_signing_problem", check_then_wait)
    outcomes: list[str] = []

    def race(signer_id: int) -> None:
        with app.app_context():
            try:
                signer = db.session.get(User, signer_id)
                entry = db.session.get(SupervisedSession, session_id)
                services.sign([entry], signer, PASSWORD)
                db.session.commit()
                outcomes.append("signed")
            except Refused as error:
                db.session.rollback()
                outcomes.append(f"refused: {error.message}")
            except Exception as error:  # reported by the asserts below
                db.session.rollback()
                outcomes.append(f"error: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(sid,)) for sid in signer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == RACERS, outcomes
    assert outcomes.count("signed") == 1, outcomes
    assert all(o == "signed" or "a moment ago" in o for o in outcomes), outcomes
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert db.session.get(SupervisedSession, session_id).status == "signed"
    assert verify_chain()[1] is None


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two writers can wait on "
    "each other; the lock order is tested on PostgreSQL",
)
def test_signing_while_a_trainee_logs_hours_does_not_deadlock(
    app, enrollment, supervisor, create_user, monkeypatch
):
    """A supervisor signs entries of two trainees while the second one logs hours. The trainee
    holds their enrollment (the daily cap's lock) and then needs the audit trail; signing must
    not hold the audit trail while it waits for that enrollment, or PostgreSQL aborts one."""
    other = create_user("trainee", name="Olga Other")
    other_enrollment = make_enrollment(other)
    assign(other_enrollment, supervisor)
    first = waiting_didactic(enrollment).id
    second = waiting_didactic(other_enrollment).id
    other_enrollment_id, signer_id = other_enrollment.id, supervisor.id
    db.session.remove()
    locked, recorded = threading.Event(), threading.Event()
    # The signer records its signatures' events in one batch (`record_each`).
    real_lock, real_record = training_services.lock_enrollment, services.record_each

    def lock_then_wait(*args, **kwargs):
        # The trainee takes the lock, then lets the signer run as far as it can before going on.
        real_lock(*args, **kwargs)
        locked.set()
        recorded.wait(timeout=3)

    def record_then_go_on(*args, **kwargs):
        event = real_record(*args, **kwargs)
        recorded.set()
        return event

    monkeypatch.setattr(training_services, "lock_enrollment", lock_then_wait)
    monkeypatch.setattr(services, "record_each", record_then_go_on)
    outcomes: dict[str, str] = {}
    run = runner(app, outcomes)

    def log_hours() -> None:
        training_services.log_didactic(
            db.session.get(Enrollment, other_enrollment_id),
            training_services.DidacticInput(
                on=today_in("UTC") - timedelta(days=2),
                topic_code="pharmacology",
                hours="1",
                provider="Course B",
            ),
        )

    def sign_both() -> None:
        entries = [db.session.get(DidacticEntry, i) for i in (first, second)]
        services.sign(entries, db.session.get(User, signer_id), PASSWORD)

    trainee_thread = threading.Thread(target=run, args=("trainee", log_hours))
    trainee_thread.start()
    assert locked.wait(timeout=10)
    signer_thread = threading.Thread(target=run, args=("signer", sign_both))
    signer_thread.start()
    for thread in (trainee_thread, signer_thread):
        thread.join(timeout=60)
    assert outcomes == {"trainee": "done", "signer": "done"}
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 2
    assert db.session.scalar(select(func.count()).select_from(DidacticEntry)) == 3
    assert verify_chain()[1] is None


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two writers can wait on "
    "each other; the lock order is tested on PostgreSQL",
)
def test_signing_while_the_trainee_records_a_session_does_not_deadlock(
    app, enrollment, supervisor, monkeypatch
):
    """The signature's savepoint must not mark the progress snapshot stale ahead of the audit
    trail: the trainee's own write holds the audit trail and then marks the same snapshot, so
    PostgreSQL aborted one of the two as a deadlock."""
    entry_id, enrollment_id, signer_id = (
        waiting_didactic(enrollment).id,
        enrollment.id,
        supervisor.id,
    )
    db.session.remove()
    signer_ready, trainee_recorded = threading.Event(), threading.Event()
    real_record = audit_services.record
    real_record_each = services.record_each

    def wait_for_the_trainee(*args, **kwargs):
        signer_ready.set()
        trainee_recorded.wait(timeout=3)
        return real_record_each(*args, **kwargs)

    def record_then_signal(*args, **kwargs):
        event = real_record(*args, **kwargs)
        trainee_recorded.set()
        return event

    # The signer records its signatures' events in one batch (`record_each`).
    monkeypatch.setattr(services, "record_each", wait_for_the_trainee)
    # The trainee's session is recorded through the audit module's own `record`.
    monkeypatch.setattr(audit_services, "record", record_then_signal)
    outcomes: dict[str, str] = {}
    run = runner(app, outcomes)

    def sign() -> None:
        entry = db.session.get(DidacticEntry, entry_id)
        services.sign([entry], db.session.get(User, signer_id), PASSWORD)

    def record_session() -> None:
        supervision_services.create_session(
            db.session.get(Enrollment, enrollment_id),
            supervision_services.SessionInput(
                on=today_in("UTC") - timedelta(days=3),
                client_code="KC-7Q4M",
                setting="clinic",
                route="im",
                trainee_role="observer",
                supervision_mode="live",
                covers_preparation=True,
                covers_dosing=False,
                covers_integration=False,
                duration_minutes=90,
                reflection="R" * 120,
            ),
        )

    signer_thread = threading.Thread(target=run, args=("signer", sign))
    signer_thread.start()
    assert signer_ready.wait(timeout=10)
    trainee_thread = threading.Thread(target=run, args=("trainee", record_session))
    trainee_thread.start()
    for thread in (signer_thread, trainee_thread):
        thread.join(timeout=60)
    assert outcomes == {"signer": "done", "trainee": "done"}
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert db.session.scalar(select(func.count()).select_from(SupervisedSession)) == 1
    assert db.session.get(ProgressSnapshot, enrollment_id).stale
    assert verify_chain()[1] is None


# -- a trainee's change racing the supervisor's signature ------------------------------------------

ROUNDS = 50


def _shown_hash(client, key: str) -> str:
    """The content hash the entry's page shows in its sign form."""
    entry_type, _, entry_id = key.partition(":")
    page = client.get(f"/signoffs/{entry_type}/{entry_id}").get_data(as_text=True)
    match = re.search(rf'name="hash:{key}" value="([0-9a-f]+)"', page)
    assert match, f"no sign form for {key}"
    return match.group(1)


def _flashed(client) -> str:
    """The messages the last request left for the next page (and clear them)."""
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.pop("_flashes", []))


def _race(trainee_post, signer_post, rng: random.Random) -> dict[str, object]:
    """Send the trainee's and the supervisor's request at the same moment (one of them a few
    milliseconds late, at random), each through the WSGI app on its own connection; the
    response, or the exception it raised, of each."""
    barrier = threading.Barrier(2, timeout=20)
    late, delay = rng.choice(("trainee", "signer")), rng.uniform(0, 0.03)
    answers: dict[str, object] = {}

    def send(name: str, post) -> None:
        barrier.wait()
        if name == late:
            time.sleep(delay)
        try:
            answers[name] = post()
        except Exception as error:  # reported by the caller's assert
            answers[name] = error

    threads = [
        threading.Thread(target=send, args=("trainee", trainee_post)),
        threading.Thread(target=send, args=("signer", signer_post)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _failures(answers: dict[str, object]) -> list[str]:
    """Each request that did not answer, raised, or answered with a server error."""
    failed = []
    for name in ("trainee", "signer"):
        answer = answers.get(name)
        if answer is None or isinstance(answer, Exception) or answer.status_code >= 500:
            failed.append(f"{name}: {answer!r}")
    return failed


def _edited_after_signing(object_type: str, actions: tuple[str, ...]) -> list[str]:
    """Entries with one of `actions` in the trail after their signature's `signature.signed`."""
    signed: dict[str, int] = {}
    changed: dict[str, int] = {}
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.action == "signature.signed":
            after = json.loads(event.after)
            signed.setdefault(str(after["entry_id"]), event.id)
        elif event.object_type == object_type and event.action in actions:
            changed[event.object_id] = event.id
    return [key for key, at in changed.items() if key in signed and at > signed[key]]


def _live_signature(entry_type: str, entry_id: int) -> Signature | None:
    return db.session.scalar(
        select(Signature).where(
            Signature.entry_type == entry_type,
            Signature.entry_id == entry_id,
            Signature.voided_at.is_(None),
        )
    )


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writing requests with one database lock (BEGIN IMMEDIATE), so an "
    "edit cannot interleave with a signature; the race is tested on PostgreSQL",
)
def test_an_edit_racing_the_signature_never_lands_on_a_signed_entry(
    app, as_user, trainee, supervisor
):
    """The trainee changes 0.25 h to 12 h while the supervisor signs what their page showed:
    either the signature wins (the entry stays 0.25 h, and the trainee is told it was verified
    meanwhile) or the change wins (nothing is signed, and the supervisor is told the entry
    changed after the page showed it). Never a signed 12 h, never a server error."""
    enrollment = make_enrollment(trainee, cohort_started_days_ago=ROUNDS + 10)
    assign(enrollment, supervisor)
    trainee_client, signer_client = as_user(trainee), as_user(supervisor)
    trainee_token, signer_token = csrf_token(trainee_client), csrf_token(signer_client)
    rng = random.Random(20261127)
    problems: list[str] = []
    outcomes: Counter[str] = Counter()
    for n in range(ROUNDS):
        day = today_in("UTC") - timedelta(days=n + 1)
        entry_id = waiting_didactic(enrollment, hours="0.25", on=day).id
        key = f"didactic:{entry_id}"
        shown = _shown_hash(signer_client, key)
        db.session.commit()
        answers = _race(
            lambda entry_id=entry_id, day=day: trainee_client.post(
                f"/training/didactic/{entry_id}/edit",
                data={
                    "csrf_token": trainee_token,
                    "on": day.isoformat(),
                    "topic_code": "pharmacology",
                    "hours": "12",
                    "provider": "Course A",
                    "note": "",
                },
            ),
            lambda key=key, shown=shown: signer_client.post(
                "/signoffs/sign",
                data={
                    "csrf_token": signer_token,
                    "selected": key,
                    f"hash:{key}": shown,
                    "password": PASSWORD,
                },
            ),
            rng,
        )
        problems += [f"round {n}: {failure}" for failure in _failures(answers)]
        trainee_saw, signer_saw = _flashed(trainee_client), _flashed(signer_client)
        entry = db.session.get(DidacticEntry, entry_id, populate_existing=True)
        signature = _live_signature("didactic", entry_id)
        if signature is not None:
            outcomes["signed"] += 1
            if not (
                entry.hours == Decimal("0.25")
                and shown == content_hash(entry)
                and verify_binding(signature, entry)
                and entry.status == "verified"
            ):
                problems.append(f"round {n}: signed {entry.hours} h, the page showed 0.25 h")
            if "verified" not in trainee_saw or "updated" in trainee_saw:
                problems.append(f"round {n}: the trainee was told {trainee_saw!r}")
        else:
            outcomes["edited"] += 1
            if entry.hours != Decimal("12") or entry.status != "pending":
                problems.append(f"round {n}: unsigned entry is {entry.hours} h, {entry.status}")
            if "changed after your page showed it" not in signer_saw:
                problems.append(f"round {n}: the supervisor was told {signer_saw!r}")
        db.session.commit()
    problems += [
        f"didactic entry {key} updated after its signature"
        for key in _edited_after_signing("didactic_entries", ("didactic.updated",))
    ]
    assert problems == [], (outcomes, problems)
    assert sum(outcomes.values()) == ROUNDS
    assert verify_chain()[1] is None


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writing requests with one database lock (BEGIN IMMEDIATE), so a "
    "withdrawal cannot interleave with a signature; the race is tested on PostgreSQL",
)
def test_a_withdrawal_racing_the_signature_never_unsigns_a_session(
    app, as_user, trainee, enrollment, supervisor
):
    """The trainee withdraws a submitted session while the supervisor signs it: it ends either
    signed (and the withdrawal is refused) or a draft with no signature (and the signature is
    refused); never a signed draft, never a server error."""
    trainee_client, signer_client = as_user(trainee), as_user(supervisor)
    trainee_token, signer_token = csrf_token(trainee_client), csrf_token(signer_client)
    rng = random.Random(1127)
    problems: list[str] = []
    outcomes: Counter[str] = Counter()
    for n in range(ROUNDS // 2):
        session_id = waiting_session(enrollment, supervisor, client_code=f"KC-7Q4M{n:02d}").id
        key = f"session:{session_id}"
        shown = _shown_hash(signer_client, key)
        db.session.commit()
        answers = _race(
            lambda session_id=session_id: trainee_client.post(
                f"/supervision/sessions/{session_id}/withdraw", data={"csrf_token": trainee_token}
            ),
            lambda key=key, shown=shown: signer_client.post(
                "/signoffs/sign",
                data={
                    "csrf_token": signer_token,
                    "selected": key,
                    f"hash:{key}": shown,
                    "password": PASSWORD,
                },
            ),
            rng,
        )
        problems += [f"round {n}: {failure}" for failure in _failures(answers)]
        trainee_saw, signer_saw = _flashed(trainee_client), _flashed(signer_client)
        session = db.session.get(SupervisedSession, session_id, populate_existing=True)
        signature = _live_signature("session", session_id)
        if signature is not None:
            outcomes["signed"] += 1
            if session.status != "signed" or "Session withdrawn" in trainee_saw:
                problems.append(f"round {n}: signed, {session.status}; trainee: {trainee_saw!r}")
        else:
            outcomes["withdrawn"] += 1
            if session.status != "draft" or "Signed" in signer_saw:
                problems.append(f"round {n}: unsigned, {session.status}; signer: {signer_saw!r}")
        db.session.commit()
    problems += [
        f"session {key} withdrawn after its signature"
        for key in _edited_after_signing("supervised_sessions", ("session.withdrawn",))
    ]
    assert problems == [], (outcomes, problems)
    assert verify_chain()[1] is None
