"""The workflow as a state machine, driven through the real services on the test database.

A trainee logs hours, activities, sessions and a case presentation; supervisors sign, return or
(when not assigned) try to sign; the trainee tries to change or delete what was signed; staff
charge tuition, record payments and the final assessment, and try to issue the certificate.
Hypothesis picks the order. Whatever it picks:

- a certificate exists only if the progress engine said `ready_for_certificate` when it was
  issued, and an issue is refused (with nothing written) whenever the engine says not ready;
- every signature is by a supervisor assigned to the trainee: anyone else is refused with
  the domain error and nothing changes;
- a signed record keeps the content and binding hash it had when signed, and cannot be deleted.

A small model of the requirements (below) predicts readiness independently of the engine, and
the two must agree. Steps 1-3 are waived (admission is not what this machine explores); each run
also draws which of steps 4-7 staff waived and which parts of the work are already done (through
the same rules), so that many runs get as far as the certificate within a few steps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.signoffs.factories import give_credentials
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.assessment import services as assessment
from tracker.certificates import queries as certificate_queries
from tracker.certificates import services as certificates
from tracker.certificates.models import Certificate
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.finance import services as finance
from tracker.signoffs import services as signoffs
from tracker.signoffs.binding import binding_mac
from tracker.signoffs.binding import canonical_json
from tracker.signoffs.entries import load_entry
from tracker.signoffs.models import Signature
from tracker.supervision import services as supervision
from tracker.training import services as training

TUITION = 450_000  # cents, the factory's track
TOPIC = "pharmacology"
DOMAINS = ["consent", "ethics"]
PASS_MARK = 80
MAX_ATTEMPTS = 3
MIN_RATING = 3
SPEC = {
    "didactic_topics": [{"code": TOPIC, "name": "Pharmacology", "min_hours": "2"}],
    "didactic_total_hours": "2",
    "experiential_total_hours": "2",
    "experiential_min_counts": {"observation": 1},
    "program_total_hours": "4",
    "personal_session_policy": "none",
    "personal_sessions_min": 0,
    "personal_sessions_max": 0,
    "supervised_sessions_required": 2,
    "case_presentations_required": 1,
    "competency_domains": DOMAINS,
    "competency_min_rating": MIN_RATING,
    "exam_pass_mark": PASS_MARK,
    "exam_max_attempts": MAX_ATTEMPTS,
}
WAITING = {"didactic": "pending", "experiential": "pending", "session": "submitted"}
DONE = {"didactic": "verified", "experiential": "verified", "session": "signed"}
EDITABLE = {
    "didactic": ("pending", "returned"),
    "experiential": ("pending", "returned"),
    "session": ("draft", "returned"),
}
REFLECTION = (
    "I prepared the room and the client with my supervisor, monitored vital signs during the "
    "dosing phase and noticed how my pacing in integration shaped the client's sense of safety."
)
HOURS = st.sampled_from(["0.5", "1", "1.5", "2"])
DAYS_AGO = st.integers(min_value=1, max_value=30)
_people = itertools.count(1)
HEAD_STARTS = ("assessment", "didactic", "experiential", "financing", "sessions")


@dataclass
class Record:
    """What the model knows of one entry."""

    entry_type: str
    entry_id: int
    status: str
    hours: Decimal = Decimal(0)
    kind: str = ""

    @property
    def key(self) -> str:
        return f"{self.entry_type}:{self.entry_id}"


@dataclass(frozen=True)
class Signed:
    """An entry as it was when signed."""

    signer_id: int
    content: str
    content_hash: str


class Workflow(RuleBasedStateMachine):
    """One trainee's enrollment, from logging to the certificate."""

    def __init__(self, create_user) -> None:
        super().__init__()
        n = next(_people)
        self.trainee = create_user("trainee", email=f"wf{n}.trainee@example.org")
        self.enrollment = make_enrollment(self.trainee, **SPEC)
        self.primary = create_user("supervisor", email=f"wf{n}.primary@example.org")
        self.backup = create_user("supervisor", email=f"wf{n}.backup@example.org")
        self.other = create_user("supervisor", email=f"wf{n}.other@example.org")
        self.former = create_user("supervisor", email=f"wf{n}.former@example.org")
        self.staff = create_user("staff", email=f"wf{n}.staff@example.org")
        for person in (self.trainee, self.primary, self.backup, self.other, self.former):
            give_credentials(person)
        assign(self.enrollment, self.primary)
        assign(self.enrollment, self.backup, kind="backup")
        assign(self.enrollment, self.former, ended=True)
        self.assigned = {self.primary.id, self.backup.id}
        self.today = today_in("UTC")
        # The model.
        self.records: dict[str, Record] = {}
        self.signed: dict[str, Signed] = {}
        self.waived: set[int] = set()
        self.charged = False
        self.paid = 0
        self.presentations = 0
        self.exam_scores: list[int] = []
        self.case_result: str | None = None
        self.ratings: dict[str, int] | None = None
        self.certificate_issued = False

    def teardown(self) -> None:
        db.session.rollback()

    # -- helpers ---------------------------------------------------------------------------

    def entry(self, key: str):
        entry_type, _, number = key.partition(":")
        db.session.expire_all()
        return load_entry(entry_type, int(number))

    def on(self, days_ago: int):
        return self.today - timedelta(days=days_ago)

    def keys(
        self, *statuses: str, types: tuple[str, ...] = ("didactic", "experiential", "session")
    ):
        return sorted(
            k
            for k, r in self.records.items()
            if r.entry_type in types and (not statuses or r.status in statuses)
        )

    def waiting_keys(self) -> list[str]:
        return sorted(k for k, r in self.records.items() if r.status == WAITING[r.entry_type])

    def signature_count(self) -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(Signature.enrollment_id == self.enrollment.id)
        )

    def certificate_count(self) -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.enrollment_id == self.enrollment.id)
        )

    def model_training_done(self) -> bool:
        """Steps 5-7 each met or waived, computed without the engine: the exam is open."""
        verified = [r for r in self.records.values() if r.status == DONE[r.entry_type]]
        didactic = sum((r.hours for r in verified if r.entry_type == "didactic"), Decimal(0))
        experiential = sum(
            (r.hours for r in verified if r.entry_type == "experiential"), Decimal(0)
        )
        observations = sum(1 for r in verified if r.kind == "observation")
        sessions = sum(1 for r in verified if r.entry_type == "session")
        steps = {
            5: didactic >= 2,
            6: experiential >= 2 and observations >= 1 and didactic + experiential >= 4,
            7: sessions >= 2 and self.presentations >= 1,
        }
        return all(met or number in self.waived for number, met in steps.items())

    def model_ready(self) -> bool:
        """Readiness as the requirements above define it, computed without the engine."""
        verified = [r for r in self.records.values() if r.status == DONE[r.entry_type]]
        didactic = sum((r.hours for r in verified if r.entry_type == "didactic"), Decimal(0))
        experiential = sum(
            (r.hours for r in verified if r.entry_type == "experiential"), Decimal(0)
        )
        observations = sum(1 for r in verified if r.kind == "observation")
        sessions = sum(1 for r in verified if r.entry_type == "session")
        steps = {
            4: self.charged and self.paid >= TUITION,
            5: didactic >= 2,
            6: experiential >= 2 and observations >= 1 and didactic + experiential >= 4,
            7: sessions >= 2 and self.presentations >= 1,
        }
        training_done = all(met or number in self.waived for number, met in steps.items())
        assessed = (
            any(s >= PASS_MARK for s in self.exam_scores)
            and self.case_result == "passed"
            and self.ratings is not None
            and all(r >= MIN_RATING for r in self.ratings.values())
        )
        return training_done and assessed and not self.certificate_issued

    # -- setup -----------------------------------------------------------------------------

    @initialize(
        waived=st.sets(st.sampled_from([4, 5, 6, 7])),
        head_start=st.sets(st.sampled_from(HEAD_STARTS)),
    )
    def start(self, waived: set[int], head_start: set[str]) -> None:
        """Staff waive steps 1-3 and the drawn steps of 4-7; then the drawn parts of the work
        are done already, through the same rules, so that runs reach the certificate often."""
        self.waived = set(waived)
        db.session.add_all(
            Waiver(
                enrollment_id=self.enrollment.id,
                target=f"step:{n}",
                reason="Equivalent prior training.",
                granted_by_id=self.staff.id,
            )
            for n in (1, 2, 3, *sorted(self.waived))
        )
        db.session.commit()
        # The assessment last: the exam is open only once the training is done.
        for part in sorted(sorted(head_start), key=lambda part: part == "assessment"):
            getattr(self, f"{part}_done")()

    def _sign_waiting(self) -> None:
        for key in self.waiting_keys():
            self.sign_as_assigned(_Fixed(key), "primary")

    def financing_done(self) -> None:
        self.charge_tuition()
        self.record_payment(TUITION)

    def didactic_done(self) -> None:
        self.log_didactic("2", 3)
        self._sign_waiting()

    def experiential_done(self) -> None:
        self.log_experiential("2", 4, "observation")
        self._sign_waiting()

    def sessions_done(self) -> None:
        self.log_session(5, True)
        self.log_session(6, True)
        self.present_a_case(2)
        self._sign_waiting()

    def assessment_done(self) -> None:
        self.record_exam(PASS_MARK + 5)
        self.record_case_evaluation("passed")
        self.record_competency(dict.fromkeys(DOMAINS, MIN_RATING))

    # -- the trainee -----------------------------------------------------------------------

    def _logged(self, make):
        """Run a logging service; a refusal may only be the daily cap, and writes nothing."""
        try:
            entry = make()
        except Refused as error:
            db.session.rollback()
            assert "can be logged for one day" in error.message, error.message
            return None
        db.session.commit()
        return entry

    @rule(hours=HOURS, days_ago=DAYS_AGO)
    def log_didactic(self, hours: str, days_ago: int) -> None:
        # The trainee confirms an entry identical to one already logged (it asks first).
        data = training.DidacticInput(
            self.on(days_ago), TOPIC, hours, "KAP Academy", confirm_duplicate=True
        )
        entry = self._logged(lambda: training.log_didactic(self.enrollment, data))
        if entry is not None:
            record = Record("didactic", entry.id, "pending", Decimal(hours))
            self.records[record.key] = record

    @rule(hours=HOURS, days_ago=DAYS_AGO, kind=st.sampled_from(["observation", "role_play"]))
    def log_experiential(self, hours: str, days_ago: int, kind: str) -> None:
        data = training.ExperientialInput(
            kind, self.on(days_ago), hours, "Dr. Facilitator", confirm_duplicate=True
        )
        entry = self._logged(lambda: training.log_experiential(self.enrollment, data))
        if entry is not None:
            record = Record("experiential", entry.id, "pending", Decimal(hours), kind)
            self.records[record.key] = record

    def _session_input(self, days_ago: int, minutes: int) -> supervision.SessionInput:
        return supervision.SessionInput(
            on=self.on(days_ago),
            client_code="KC-7QX4M2",
            setting="clinic",
            route="im",
            trainee_role="co_therapist",
            supervision_mode="live",
            covers_preparation=True,
            covers_dosing=True,
            covers_integration=False,
            duration_minutes=minutes,
            reflection=REFLECTION,
        )

    @rule(days_ago=DAYS_AGO, submit=st.booleans())
    def log_session(self, days_ago: int, submit: bool) -> None:
        session = supervision.create_session(self.enrollment, self._session_input(days_ago, 90))
        if submit:
            supervision.submit_session(session)
        db.session.commit()
        record = Record("session", session.id, "submitted" if submit else "draft")
        self.records[record.key] = record
        assert session.supervisor_id == (self.primary.id if submit else None)

    @precondition(lambda self: self.keys("draft", "returned", types=("session",)))
    @rule(data=st.data())
    def submit_session(self, data) -> None:
        key = data.draw(st.sampled_from(self.keys("draft", "returned", types=("session",))))
        supervision.submit_session(self.entry(key))
        db.session.commit()
        self.records[key].status = "submitted"

    @precondition(
        lambda self: any(r.status in EDITABLE[r.entry_type] for r in self.records.values())
    )
    @rule(data=st.data(), hours=HOURS, days_ago=DAYS_AGO)
    def edit_unsigned(self, data, hours: str, days_ago: int) -> None:
        keys = sorted(k for k, r in self.records.items() if r.status in EDITABLE[r.entry_type])
        record = self.records[data.draw(st.sampled_from(keys))]
        entry = self.entry(record.key)
        if record.entry_type == "session":
            supervision.update_session(entry, self._session_input(days_ago, 120))
            db.session.commit()
            return  # a returned session stays returned until resubmitted
        if record.entry_type == "didactic":
            new = training.DidacticInput(self.on(days_ago), TOPIC, hours, "Another provider")
            changed = self._logged(lambda: training.update_didactic(entry, new))
        else:
            new = training.ExperientialInput(record.kind, self.on(days_ago), hours, "Dr. Other")
            changed = self._logged(lambda: training.update_experiential(entry, new))
        if changed is not None:
            record.status, record.hours = "pending", Decimal(hours)

    @rule(days_ago=DAYS_AGO)
    def present_a_case(self, days_ago: int) -> None:
        data = supervision.PresentationInput(self.on(days_ago), "A case of TRD", "peer_group")
        supervision.create_presentation(self.enrollment, data)
        db.session.commit()
        self.presentations += 1

    @precondition(lambda self: self.signed)
    @rule(data=st.data(), action=st.sampled_from(["edit", "delete", "withdraw"]))
    def try_to_change_a_signed_record(self, data, action: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.signed)))
        entry_type = self.records[key].entry_type
        entry = self.entry(key)
        calls = {
            ("didactic", "edit"): lambda: training.update_didactic(
                entry, training.DidacticInput(self.today, TOPIC, "12", "Changed after signing")
            ),
            ("experiential", "edit"): lambda: training.update_experiential(
                entry, training.ExperientialInput("role_play", self.today, "12", "Changed")
            ),
            ("session", "edit"): lambda: supervision.update_session(
                entry, self._session_input(1, 700)
            ),
            ("didactic", "delete"): lambda: training.delete_didactic(entry),
            ("experiential", "delete"): lambda: training.delete_experiential(entry),
            ("session", "delete"): lambda: supervision.delete_session(entry),
            ("session", "withdraw"): lambda: supervision.withdraw_session(entry),
        }
        call = calls.get((entry_type, action), calls[(entry_type, "delete")])
        with pytest.raises(training.ReadOnly):
            call()
        db.session.rollback()

    # -- supervisors -----------------------------------------------------------------------

    @precondition(lambda self: self.records)
    @rule(data=st.data(), signer=st.sampled_from(["primary", "backup"]))
    def sign_as_assigned(self, data, signer: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.records)))
        record = self.records[key]
        person = getattr(self, signer)
        if record.status != WAITING[record.entry_type]:
            before = self.signature_count()
            with pytest.raises(Refused):
                signoffs.sign([self.entry(key)], person, PASSWORD)
            db.session.rollback()
            assert self.signature_count() == before
            return
        (signature,) = signoffs.sign([self.entry(key)], person, PASSWORD)
        db.session.commit()
        entry = self.entry(key)
        record.status = DONE[record.entry_type]
        self.signed[key] = Signed(person.id, canonical_json(entry), signature.content_hash)
        assert signature.content_hash == binding_mac(entry, signature.key_id)

    @precondition(lambda self: self.records)
    @rule(data=st.data(), signer=st.sampled_from(["other", "former"]), bulk=st.booleans())
    def sign_as_unassigned(self, data, signer: str, bulk: bool) -> None:
        """A supervisor with valid credentials who is not (or no longer) assigned is refused,
        alone or with entries the assigned supervisor could sign, and nothing changes."""
        keys = sorted(self.records) if bulk else [data.draw(st.sampled_from(sorted(self.records)))]
        statuses = {k: self.entry(k).status for k in keys}
        before = self.signature_count()
        with pytest.raises(Refused) as refused:
            signoffs.sign([self.entry(k) for k in keys], getattr(self, signer), PASSWORD)
        db.session.rollback()
        assert isinstance(refused.value, signoffs.BatchRefused)
        if self.waiting_keys() == keys or (not bulk and keys[0] in self.waiting_keys()):
            messages = [message for _, message in refused.value.problems]
            assert messages and all("assigned supervisor" in m for m in messages), messages
        assert self.signature_count() == before
        assert {k: self.entry(k).status for k in keys} == statuses

    @precondition(lambda self: self.waiting_keys())
    @rule(data=st.data())
    def return_with_a_question(self, data) -> None:
        key = data.draw(st.sampled_from(self.waiting_keys()))
        signoffs.return_with_question(self.entry(key), self.primary, "Which course was this?")
        db.session.commit()
        self.records[key].status = "returned"

    # -- staff -----------------------------------------------------------------------------

    @precondition(lambda self: not self.charged)
    @rule()
    def charge_tuition(self) -> None:
        finance.charge_tuition(self.enrollment.id, self.staff)
        db.session.commit()
        self.charged = True

    @rule(cents=st.sampled_from([50_000, 200_000, 450_000]))
    def record_payment(self, cents: int) -> None:
        new = finance.NewEntry(
            "payment", cents, "Tuition payment", self.today, "card", overpayment_confirmed=True
        )
        finance.record_entry(self.enrollment.id, new, self.staff)
        db.session.commit()
        self.paid += cents

    @rule(score=st.sampled_from([0, 55, PASS_MARK - 1, PASS_MARK, 95, 100]))
    def record_exam(self, score: int) -> None:
        closed = any(s >= PASS_MARK for s in self.exam_scores)
        closed = closed or len(self.exam_scores) >= MAX_ATTEMPTS
        closed = closed or not self.model_training_done()
        try:
            assessment.record_exam_attempt(self.enrollment.id, self.on(1), score, self.staff)
        except Refused:
            db.session.rollback()
            assert closed
            return
        db.session.commit()
        assert not closed
        self.exam_scores.append(score)

    @rule(result=st.sampled_from(["passed", "passed", "failed"]))
    def record_case_evaluation(self, result: str) -> None:
        assessment.record_case_evaluation(self.enrollment.id, self.on(1), result, "", self.primary)
        db.session.commit()
        self.case_result = result

    @rule(
        ratings=st.fixed_dictionaries(
            {d: st.sampled_from([MIN_RATING - 1, MIN_RATING, 4, 4]) for d in DOMAINS}
        )
    )
    def record_competency(self, ratings: dict[str, int]) -> None:
        assessment.record_competency_evaluation(
            self.enrollment.id, self.on(1), ratings, "", self.staff
        )
        db.session.commit()
        self.ratings = dict(ratings)

    @rule()
    def try_to_issue(self) -> None:
        judged = certificate_queries.progress_of(self.enrollment.id)
        assert judged is not None
        ready = judged[1].ready_for_certificate
        assert ready == self.model_ready(), [
            (s.number, s.status, [i.code for i in s.items]) for s in judged[1].steps
        ]
        before = self.certificate_count()
        if not ready:
            with pytest.raises(Refused):
                certificates.issue_certificate(self.enrollment.id, self.staff, password=PASSWORD)
            db.session.rollback()
            assert self.certificate_count() == before
            return
        certificates.issue_certificate(self.enrollment.id, self.staff, password=PASSWORD)
        db.session.commit()
        self.certificate_issued = True

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def certificate_only_when_ready(self) -> None:
        """The only certificate is the one `try_to_issue` saw issued while the engine said
        ready; every other attempt left none behind."""
        assert self.certificate_count() == (1 if self.certificate_issued else 0)

    @invariant()
    def every_signature_is_by_an_assigned_supervisor(self) -> None:
        rows = db.session.execute(
            select(Signature.entry_type, Signature.entry_id, Signature.signer_id).where(
                Signature.enrollment_id == self.enrollment.id,
                # a certificate's acts are signed by staff, not supervisors
                Signature.entry_type != "certificate",
            )
        ).all()
        assert all(signer in self.assigned for _, _, signer in rows)
        assert {f"{t}:{i}": s for t, i, s in rows} == {
            k: v.signer_id for k, v in self.signed.items()
        }

    @invariant()
    def signed_records_never_change(self) -> None:
        db.session.expire_all()
        for key, signed in self.signed.items():
            entry = self.entry(key)
            assert entry is not None, f"{key} was deleted after it was signed"
            assert entry.status == DONE[self.records[key].entry_type]
            assert canonical_json(entry) == signed.content
            live = signoffs.live_signature(entry)
            assert live is not None and live.content_hash == signed.content_hash
            assert binding_mac(entry, live.key_id) == signed.content_hash
            assert signoffs.verify_binding(live, entry)


SETTINGS = settings(
    max_examples=8,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_the_workflow_keeps_its_invariants(app, create_user):
    run_state_machine_as_test(lambda: Workflow(create_user), settings=SETTINGS)


def test_the_model_reaches_a_certificate(app, create_user):
    """The machine is not vacuous: its rules, in a plain order, end in a certificate, and the
    refusals along the way change nothing."""
    machine = Workflow(create_user)
    machine.start(set(), set())
    machine.try_to_issue()  # refused: nothing is done yet
    machine.financing_done()
    machine.log_didactic("2", 3)
    machine.log_experiential("2", 4, "observation")
    machine.log_session(5, True)
    machine.log_session(6, True)
    machine.present_a_case(2)
    for key in machine.waiting_keys():
        machine.sign_as_unassigned(_Fixed(key), "other", False)
        machine.sign_as_unassigned(_Fixed(key), "former", True)
        machine.sign_as_assigned(_Fixed(key), "primary")
    machine.try_to_issue()  # refused: the final assessment is not recorded
    machine.record_exam(PASS_MARK - 10)
    machine.record_exam(PASS_MARK + 5)
    machine.record_exam(100)  # refused: the exam is passed
    machine.record_case_evaluation("passed")
    machine.record_competency({"consent": MIN_RATING, "ethics": 4})
    machine.try_to_issue()
    assert machine.certificate_issued
    machine.try_to_issue()  # refused: already issued
    for key in list(machine.signed):
        for action in ("edit", "delete", "withdraw"):
            machine.try_to_change_a_signed_record(_Fixed(key), action)
    machine.certificate_only_when_ready()
    machine.every_signature_is_by_an_assigned_supervisor()
    machine.signed_records_never_change()
    assert len(machine.signed) == 4
    machine.teardown()


class _Fixed:
    """Stands in for Hypothesis's `data` object: every draw returns the given value."""

    def __init__(self, value) -> None:
        self.value = value

    def draw(self, _strategy):
        return self.value
