"""`flask audit verify` also checks the current state against the trail: what the application
does (and what the demo and the factories build) leaves nothing to report; each change an insider
makes with SQL behind the application's back is reported, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.conftest import is_postgres
from tracker.admissions import services as admissions
from tracker.audit.reconcile import Discrepancy
from tracker.audit.reconcile import reconcile
from tracker.audit.reconcile import registered
from tracker.certificates import services as certificates
from tracker.enrollments import services as enrollments
from tracker.extensions import db
from tracker.factories import at
from tracker.factories import committing
from tracker.factories import day
from tracker.factories import next_number
from tracker.factories.certificates import issued_on_day
from tracker.factories.certificates import ready_enrollment
from tracker.factories.certificates import revoked_at
from tracker.factories.eligibility import give_credentials
from tracker.factories.enrollments import applied
from tracker.factories.enrollments import assign
from tracker.factories.enrollments import make_enrollment
from tracker.factories.finance import record_payment
from tracker.factories.finance import tuition_charged_on
from tracker.factories.programs import make_program
from tracker.factories.signoffs import session_signature
from tracker.factories.signoffs import void_signature
from tracker.factories.signoffs import waiting_didactic
from tracker.factories.signoffs import waiting_session
from tracker.finance import services as finance
from tracker.signoffs import services as signoffs
from tracker.signoffs.binding import content_hash
from tracker.supervision.models import SupervisedSession
from tracker.training import services as training

TUITION = 450_000  # $4,500.00


@dataclass
class Dataset:
    """The ids the tamper tests aim at, in a dataset where every kind of record has history."""

    enrollment: int  # admitted, tuition charged through the service
    charge: int  # its $4,500 tuition charge
    session: int  # a session signed through the service (its signature is live)
    signature: int  # that live signature
    voided: int  # a signature voided (as staff reopening its entry do), not signed again
    waiting_session: int  # a submitted session nobody signed yet
    revoked: int  # a certificate issued and revoked through the services
    issued: int  # a certificate issued through the service, still valid


@committing
def _build(staff, supervisor, trainees) -> Dataset:
    """A bit of everything, through the services where they reach the state, through the
    factories (as the demo does) where they do not."""
    first, second, third, fourth, fifth, sixth, seventh, eighth = trainees
    n = next_number()  # program names are unique
    give_credentials(supervisor)

    # An admitted enrollment: the ledger through the service, entries signed and reopened.
    enrollment = make_enrollment(first, tuition_cents=TUITION)
    assign(enrollment, supervisor, assigned_by=staff)
    charge = finance.charge_tuition(enrollment.id, staff)
    for kind, cents, method in (
        ("payment", 200_000, "card"),
        ("scholarship", 50_000, None),
        ("discount", 10_000, None),
        ("refund", 20_000, "card"),
    ):
        new = finance.NewEntry(kind, cents, f"A {kind}", day(-1), method, "REF-1" if method else "")
        finance.record_entry(enrollment.id, new, staff)
    session = waiting_session(enrollment, supervisor)
    waiting = waiting_session(enrollment, supervisor, client_code="KC-2WAIT9")
    (signature,) = signoffs.sign([session], supervisor, PASSWORD)
    didactic = waiting_didactic(enrollment)
    signoffs.sign([didactic], supervisor, PASSWORD)
    signoffs.reopen(didactic, staff, "The hours were entered against the wrong topic.")
    training.update_didactic(
        didactic,
        training.DidacticInput(didactic.on, didactic.topic_code, "2.5", "Corrected provider"),
    )
    signoffs.sign([didactic], supervisor, PASSWORD)

    # As the demo builds its records: a backdated charge, a payment, a signed session, a
    # signature voided, a certificate issued and revoked on past days.
    older = make_enrollment(second, tuition_cents=TUITION)
    tuition_charged_on(older, day(-200), staff)
    record_payment(older, 100_000, "First", day(-150), "card", "V-1", staff)
    signed = waiting_session(older, supervisor, client_code="KC-3OLD7")
    signed.status = "signed"
    session_signature(signed, supervisor, signed.submitted_at)
    voided = void_signature(
        session_signature(
            waiting_session(older, supervisor, client_code="KC-4VOI8"),
            supervisor,
            signed.submitted_at,
        ),
        staff,
        signed.submitted_at + timedelta(days=1),
        "Signed under the wrong supervision mode.",
    )
    certified = ready_enrollment(third, f"Earlier Institute {n}")
    old = issued_on_day(certified, third.full_name, f"Earlier Institute {n}", day(-400), staff)
    revoked_at(old, staff, at(day(-30)), "Licence surrendered to the board.")

    # Certificates through the services: one revoked, one valid.
    ready = ready_enrollment(fourth, f"Revoking Institute {n}")
    revoked = certificates.issue_certificate(ready.id, staff, password=PASSWORD)
    certificates.revoke_certificate(
        revoked.id, staff, "Issued on a forged licence.", password=PASSWORD
    )
    valid = certificates.issue_certificate(
        ready_enrollment(fifth, f"Valid Institute {n}").id, staff, password=PASSWORD
    )

    # Applications: chosen, changed, then decided (admitted, declined).
    program = make_program(
        tracks=(("Online", "online", TUITION), ("Hybrid", "hybrid", 600_000)),
        cohorts=(("Now", 10, 300),),
    )
    online, hybrid = program.tracks
    cohort = program.cohorts[0]
    applicant = enrollments.choose_track(sixth, online.id, cohort.id)
    enrollments.choose_track(sixth, hybrid.id, cohort.id)
    assert applicant.status == "applicant"
    for trainee, decide in ((seventh, "admit"), (eighth, "decline")):
        submitted = applied(trainee, online, cohort, "submitted", day(0), staff)
        admissions.decide_pathway(
            submitted, staff, "alternative_approved", "advanced_student", "Final-year resident."
        )
        for step in (1, 3):  # the reviews admission waits on, waived through the service
            admissions.grant_waiver(
                submitted, staff, f"step:{step}", "Reviewed by the partner institute."
            )
        if decide == "admit":
            # Admitted, reversed (back to submitted), admitted again: the trail follows each.
            admissions.admit(submitted, staff, "Welcome.")
            admissions.reverse_decision(submitted, staff, "Admitted to the wrong cohort.")
            admissions.admit(submitted, staff, "Welcome.")
        else:
            admissions.decline(submitted, staff, "The cohort is full this year.")
    return Dataset(
        enrollment=enrollment.id,
        charge=charge.id,
        session=session.id,
        signature=signature.id,
        voided=voided.id,
        waiting_session=waiting.id,
        revoked=revoked.id,
        issued=valid.id,
    )


@pytest.fixture
def dataset(create_user) -> Dataset:
    """The dataset, committed."""
    staff = create_user("staff", name="Stella Staff")
    supervisor = create_user("supervisor", name="Dr. Sue Signer")
    trainees = [create_user("trainee", name=f"Trainee {n}") for n in range(8)]
    return _build(staff, supervisor, trainees)


def as_database_owner(*statements: str, **values: object) -> None:
    """Run `statements` as an insider with the tables' owner rights would: the triggers that
    keep the ledger append-only out of the way, no audit event written."""
    if is_postgres():
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        triggers = db.session.scalars(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name != 'audit_events'"
            )
        ).all()
        for name in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
    for statement in statements:
        db.session.execute(text(statement), values)
    db.session.commit()


def _verify(runner) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _found(found: list[Discrepancy], object_type: str, object_id: int, words: str) -> bool:
    return any(
        d.object_type == object_type and d.object_id == str(object_id) and words in d.reason
        for d in found
    )


def test_every_domain_registers_its_replay(app):
    types = {t for replay in registered() for t in replay.object_types}
    assert types == {
        "enrollments",
        "enrollment_changes",
        "ledger_entries",
        "signatures",
        "certificates",
        "certificate_status_changes",
    }


def test_what_the_application_does_reconciles(app, runner, dataset):
    assert reconcile() == []
    code, output = _verify(runner)
    assert code == 0, output
    assert "Current state matches the trail" in output


def test_the_demo_reconciles(app, runner):
    assert runner.invoke(args=["demo", "--password", PASSWORD]).exit_code == 0
    assert reconcile() == []
    code, output = _verify(runner)
    assert code == 0, output
    assert "Current state matches the trail" in output


TAMPERS = {
    "certificate un-revoked": (
        "UPDATE certificates SET revoked_at = NULL, revoked_by_id = NULL, "
        "revocation_reason = NULL WHERE id = :revoked",
        [("certificates", "revoked", "status changed without an event")],
    ),
    "certificate revoked": (
        "UPDATE certificates SET revoked_at = CURRENT_TIMESTAMP, "
        "revocation_reason = 'quietly' WHERE id = :issued",
        [("certificates", "issued", "status changed without an event")],
    ),
    "$4,500 charge made $0.01": (
        "UPDATE ledger_entries SET amount_cents = 1 WHERE id = :charge",
        [
            ("ledger_entries", "charge", "entry changed without an event"),
            ("enrollments", "enrollment", "ledger's totals differ"),
        ],
    ),
    "ledger entry deleted": (
        "DELETE FROM ledger_entries WHERE id = :charge",
        [
            ("ledger_entries", "charge", "no event removed it"),
            ("enrollments", "enrollment", "ledger's totals differ"),
        ],
    ),
    "ledger entry added": (
        "INSERT INTO ledger_entries (enrollment_id, kind, amount_cents, description, method, "
        "reference, tuition, reason, posted_on, created_at) SELECT enrollment_id, 'discount', "
        "449999, 'Goodwill', NULL, '', false, '', posted_on, created_at FROM ledger_entries "
        "WHERE id = :charge",
        [("enrollments", "enrollment", "ledger's totals differ")],
    ),
    "enrollment status changed": (
        "UPDATE enrollments SET status = 'withdrawn' WHERE id = :enrollment",
        [("enrollments", "enrollment", "status changed without an event")],
    ),
    "signature deleted": (
        "DELETE FROM signatures WHERE id = :signature",
        [("signatures", "signature", "no event removed it")],
    ),
    "voided signature deleted": (
        "DELETE FROM signatures WHERE id = :voided",
        [("signatures", "voided", "no event removed it")],
    ),
    "signature voided": (
        "UPDATE signatures SET voided_at = CURRENT_TIMESTAMP, void_reason = 'quietly' "
        "WHERE id = :signature",
        [("signatures", "signature", "voided without an event")],
    ),
    "signature reinstated": (
        "UPDATE signatures SET voided_at = NULL, voided_by_id = NULL WHERE id = :voided",
        [("signatures", "voided", "reinstated without an event")],
    ),
    "signer changed": (
        "UPDATE signatures SET signer_id = (SELECT MIN(id) FROM users) WHERE id = :signature",
        [("signatures", "signature", "differs from its signature.signed event")],
    ),
    "signed session changed": (
        "UPDATE supervised_sessions SET duration_minutes = duration_minutes + 60 "
        "WHERE id = :session",
        [("signatures", "signature", "content changed after it was signed")],
    ),
    "signed session deleted": (
        "DELETE FROM supervised_sessions WHERE id = :session",
        [("signatures", "signature", "signed entry no longer exists")],
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_each_change_behind_the_application_is_reported(app, runner, dataset, tamper):
    statement, expected = TAMPERS[tamper]
    as_database_owner(statement, **vars(dataset))
    found = reconcile()
    for object_type, field, words in expected:
        assert _found(found, object_type, getattr(dataset, field), words), found
    code, output = _verify(runner)
    assert code == 1
    assert "Audit trail intact" in output  # the chain alone would not have noticed
    assert f"DIFFERS from the trail in {len(found)} place(s)" in output
    for object_type, field, _words in expected:
        assert f"- {object_type} {getattr(dataset, field)}: " in output


def test_a_signature_written_with_no_event_is_reported(app, runner, dataset):
    as_database_owner(
        "INSERT INTO signatures (enrollment_id, entry_type, entry_id, signer_id, printed_name, "
        "meaning, signed_at, content_hash, void_reason) SELECT enrollment_id, entry_type, "
        ":waiting_session, signer_id, printed_name, meaning, signed_at, content_hash, '' "
        "FROM signatures WHERE id = :signature",
        **vars(dataset),
    )
    forged = db.session.scalar(text("SELECT MAX(id) FROM signatures"))
    found = reconcile()
    assert _found(found, "signatures", forged, "no signature.signed event records it"), found
    code, output = _verify(runner)
    assert code == 1
    assert f"- signatures {forged}: written behind the application" in output


def test_a_changed_session_with_its_hash_recomputed_is_reported(app, runner, dataset):
    """The insider changes the signed session and writes the hash of the new content into the
    signature, so the signature matches its entry again: its event still holds the old hash."""
    session = db.session.get(SupervisedSession, dataset.session)
    session.duration_minutes += 60
    new_hash = content_hash(session)
    db.session.rollback()
    as_database_owner(
        "UPDATE supervised_sessions SET duration_minutes = duration_minutes + 60 "
        "WHERE id = :session",
        "UPDATE signatures SET content_hash = :new_hash WHERE id = :signature",
        new_hash=new_hash,
        **vars(dataset),
    )
    found = reconcile()
    # The keyed binding no longer holds either; both findings name the one signature.
    assert {(d.object_type, d.object_id) for d in found} == {("signatures", str(dataset.signature))}
    assert any(
        "content_hash" in d.state and "differs from its signature.signed event" in d.reason
        for d in found
    ), found
    assert _verify(runner)[0] == 1


def test_the_report_is_capped_with_a_count(app, runner, dataset, monkeypatch):
    monkeypatch.setattr("tracker.audit.cli.SHOWN_DISCREPANCIES", 2)
    as_database_owner(
        "UPDATE enrollments SET status = 'withdrawn'",
        "UPDATE certificates SET revoked_at = NULL, revoked_by_id = NULL, revocation_reason = NULL",
    )
    found = reconcile()
    assert len(found) > 3
    code, output = _verify(runner)
    assert code == 1
    assert output.count("\n- ") == 2
    assert f"... and {len(found) - 2} more." in output


def test_the_check_reads_a_fixed_number_of_queries(app, dataset, count_queries, create_user):
    with count_queries() as few:
        assert reconcile() == []
    _build(
        create_user("staff"),
        create_user("supervisor"),
        [create_user("trainee") for _ in range(8)],
    )
    with count_queries() as many:
        assert reconcile() == []
    assert many.count == few.count
