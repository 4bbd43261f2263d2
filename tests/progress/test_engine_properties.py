"""Properties that hold for any valid facts: no crash, consistent statuses, monotone progress."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.progress import ITEM_CODES
from tracker.progress import ApplicationDocument
from tracker.progress import CasePresentation
from tracker.progress import CeEntry
from tracker.progress import Certificate
from tracker.progress import CompetencyEvaluation
from tracker.progress import DidacticEntry
from tracker.progress import EnrollmentFacts
from tracker.progress import ExamAttempt
from tracker.progress import ExperientialEntry
from tracker.progress import Instalment
from tracker.progress import Insurance
from tracker.progress import Ledger
from tracker.progress import Licence
from tracker.progress import SupervisedSession
from tracker.progress import Track
from tracker.progress import compute
from tracker.progress.requirements import COMPETENCY_DOMAINS
from tracker.progress.requirements import DOCUMENT_KINDS
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import LICENCE_TYPES
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict

TODAY = date(2025, 6, 1)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    # The `enrollments` fixture only builds values; it holds no state between examples.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _spec(**changes) -> RequirementSpec:
    data = default_dict()
    data.update(changes)
    return RequirementSpec.from_dict(data)


SPECS = [
    RequirementSpec.default(),
    RequirementSpec.default("retreat"),
    RequirementSpec.default("hybrid"),
    _spec(supervised_sessions_required=2, health_screening_required=False),
    _spec(
        supervised_sessions_required=6,
        personal_session_policy="required",
        personal_sessions_min=1,
        ce_cycle_months=6,
    ),
    _spec(
        personal_session_policy="none",
        personal_sessions_max=0,
        references_required=0,
        documents_required=[],
        ethical_scenarios=[],
        competency_domains=[],
    ),
]
TOPICS = [t.code for t in RequirementSpec.default().didactic_topics] + ["retired_topic"]

dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2028, 12, 31))
maybe_dates = st.none() | dates
quarter_hours = st.integers(min_value=0, max_value=160).map(lambda q: Decimal(q) / 4)


@st.composite
def insurances(draw) -> Insurance:
    """An insurance whose end is not before its start."""
    start = draw(dates)
    return Insurance(start, start + timedelta(days=draw(st.integers(0, 900))), draw(st.booleans()))


@st.composite
def cohorts(draw) -> tuple[date | None, date | None]:
    """A cohort's start and end, either possibly unknown, never ending before starting."""
    start = draw(maybe_dates)
    if start is None:
        return None, None
    end = draw(st.none() | st.integers(0, 500).map(lambda n: start + timedelta(days=n)))
    return start, end


licences = st.builds(
    Licence,
    type=st.sampled_from((*LICENCE_TYPES, "LMHC")),
    jurisdiction=st.sampled_from(("", "CA", "NY")),
    expires_on=maybe_dates,
    verified=st.booleans(),
    number_present=st.booleans(),
    issued_on=maybe_dates,
)
documents = st.builds(
    ApplicationDocument,
    kind=st.sampled_from(DOCUMENT_KINDS),
    status=st.sampled_from(("submitted", "accepted", "rejected")),
    submitted_on=maybe_dates,
)
instalments = st.builds(
    Instalment,
    due_on=dates,
    amount_cents=st.integers(0, 500_000),
    covered_cents=st.integers(0, 500_000),
)
ledgers = st.builds(
    Ledger,
    charges_cents=st.integers(0, 1_000_000),
    credits_cents=st.integers(-100_000, 1_000_000),
    instalments=st.lists(instalments, max_size=4).map(tuple),
)
entry_status = st.sampled_from(("pending", "verified", "returned"))
didactic_entries = st.builds(
    DidacticEntry,
    topic=st.sampled_from(TOPICS),
    on=dates,
    hours=quarter_hours,
    status=entry_status,
    submitted_on=maybe_dates,
)
experiential_entries = st.builds(
    ExperientialEntry,
    kind=st.sampled_from(EXPERIENTIAL_KINDS),
    on=dates,
    hours=quarter_hours,
    status=entry_status,
    submitted_on=maybe_dates,
)
sessions = st.builds(
    SupervisedSession,
    on=dates,
    status=st.sampled_from(("draft", "submitted", "returned", "signed")),
    submitted_on=maybe_dates,
)
certificates = st.builds(
    Certificate, issued_on=dates, expires_on=maybe_dates, revoked=st.booleans()
)
ce_entries = st.builds(
    CeEntry,
    on=dates,
    credits=quarter_hours,
    kind=st.sampled_from(("ce", "consultation")),
)
competencies = st.builds(
    CompetencyEvaluation,
    ratings=st.dictionaries(st.sampled_from(COMPETENCY_DOMAINS), st.integers(1, 4)),
)
WAIVER_KEYS = (
    *range(1, 10),
    "5",
    "reference.missing",
    "didactic.topic_short:routes",
    "certificate.issue",
    "exam.not_passed",
    "session.short",
    "ce.lapsed",
)


def tuples(strategy, size: int):
    """Tuples of up to `size` values drawn from `strategy`."""
    return st.lists(strategy, max_size=size).map(tuple)


# One strategy per field of EnrollmentFacts ("cohort" sets both cohort dates together).
FIELDS = {
    "status": st.sampled_from(("applicant", "submitted", "admitted", "declined", "withdrawn")),
    "applied_on": maybe_dates,
    "admitted_on": maybe_dates,
    "cohort": cohorts(),
    "track": st.none()
    | st.builds(Track, st.sampled_from(("online", "retreat")), st.integers(0, 900_000)),
    "licences": tuples(licences, 3),
    "insurances": tuples(insurances(), 3),
    "experience_attested": st.booleans(),
    "health_screening": st.sampled_from(("none", "attested", "cleared", "not_cleared")),
    "pathway": st.sampled_from(
        ("standard", "alternative_pending", "alternative_approved", "alternative_refused")
    ),
    "documents": tuples(documents, 6),
    "references_received": st.integers(0, 4),
    "answered_scenarios": st.frozensets(
        st.sampled_from(("boundaries", "consent", "disclosure", "other"))
    ),
    "ledger": ledgers,
    "didactic": tuples(didactic_entries, 12),
    "experiential": tuples(experiential_entries, 10),
    "sessions": tuples(sessions, 8),
    "case_presentations": tuples(st.builds(CasePresentation, dates), 3),
    "exam_attempts": tuples(st.builds(ExamAttempt, dates, st.integers(0, 100)), 5),
    "case_evaluation": st.sampled_from((None, "passed", "failed")),
    "competency": st.none() | competencies,
    "certificate": st.none() | certificates,
    "ce_entries": tuples(ce_entries, 8),
    "waivers": st.dictionaries(st.sampled_from(WAIVER_KEYS), st.just("Staff decision"), max_size=3),
    "supervisor_assigned": st.booleans(),
}


def _changes(values: dict) -> dict:
    if "cohort" in values:
        values["cohort_starts_on"], values["cohort_ends_on"] = values.pop("cohort")
    return values


@st.composite
def enrollment_facts(draw) -> EnrollmentFacts:
    """Any valid facts: every field drawn at random."""
    return EnrollmentFacts(**_changes({name: draw(field) for name, field in FIELDS.items()}))


@st.composite
def near_complete_facts(draw, enrollments) -> EnrollmentFacts:
    """A built enrollment (applicant to certified) with a few fields replaced at random."""
    stage = draw(st.sampled_from(("applicant", "admitted", "trained", "assessed", "certified")))
    base = getattr(enrollments, stage)(TODAY)
    names = draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=3))
    return dataclasses.replace(base, **_changes({name: draw(FIELDS[name]) for name in names}))


specs = st.sampled_from(SPECS)
todays = st.just(TODAY) | st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))


def any_facts(enrollments):
    """Facts at random, or a built enrollment with a few fields changed."""
    return enrollment_facts() | near_complete_facts(enrollments)


@SETTINGS
@given(data=st.data(), spec=specs, today=todays)
def test_compute_is_consistent_for_any_facts(enrollments, data, spec, today):
    """Never raises; nine steps; fractions in range; statuses agree with the items."""
    facts = data.draw(any_facts(enrollments))
    progress = compute(facts, spec, today)
    assert [s.number for s in progress.steps] == list(range(1, 10))
    for step in progress.steps:
        assert 0.0 <= step.fraction <= 1.0
        assert (step.fraction == 1.0) is step.done
        blocking = [i for i in step.items if i.severity == "blocking"]
        if step.status == "complete":
            assert not blocking
        if step.status == "waived":
            assert step.items == ()
        if step.status == "blocked":
            assert all(i.severity == "info" for i in step.items)
        for item in step.items:
            assert item.step == step.number
            assert item.step in ITEM_CODES[item.code].steps
            assert item.message
    assert 0.0 <= progress.fraction <= 1.0
    assert compute(facts, spec, today) == progress


@SETTINGS
@given(data=st.data(), spec=specs, today=todays)
def test_ready_means_nothing_blocking_before_the_certificate(enrollments, data, spec, today):
    """ready_for_certificate implies no blocking item in steps 1-8 but the issue itself."""
    facts = data.draw(any_facts(enrollments))
    progress = compute(facts, spec, today)
    if progress.ready_for_certificate:
        assert all(s.done for s in progress.steps[:7])
        blocking = [i for i in progress.blocking_items if i.step <= 8]
        assert {i.code for i in blocking} <= {"certificate.issue"}
        assert facts.certificate is None
        assert facts.status == "admitted"


def _assert_not_worse(before, after):
    for old, new in zip(before.steps, after.steps, strict=True):
        assert new.fraction >= old.fraction, (old, new)
        if old.done:
            assert new.done, (old, new)
    assert after.fraction >= before.fraction


@SETTINGS
@given(data=st.data(), spec=specs, today=todays, entry=didactic_entries)
def test_a_verified_didactic_entry_never_lowers_progress(enrollments, data, spec, today, entry):
    """Adding verified didactic hours never lowers any step's progress nor undoes a step."""
    facts = data.draw(any_facts(enrollments))
    verified = dataclasses.replace(entry, status="verified")
    more = dataclasses.replace(facts, didactic=(*facts.didactic, verified))
    _assert_not_worse(compute(facts, spec, today), compute(more, spec, today))


@SETTINGS
@given(data=st.data(), spec=specs, today=todays, entry=experiential_entries, session=sessions)
def test_a_verified_activity_or_signed_session_never_lowers_progress(
    enrollments, data, spec, today, entry, session
):
    """Adding a verified experiential entry and a signed session never lowers progress."""
    facts = data.draw(any_facts(enrollments))
    more = dataclasses.replace(
        facts,
        experiential=(*facts.experiential, dataclasses.replace(entry, status="verified")),
        sessions=(*facts.sessions, dataclasses.replace(session, status="signed")),
    )
    _assert_not_worse(compute(facts, spec, today), compute(more, spec, today))


@SETTINGS
@given(data=st.data(), spec=specs, today=todays, number=st.integers(1, 9))
def test_a_waived_step_is_waived(enrollments, data, spec, today, number):
    """Waiving a step always shows it waived, with no items."""
    facts = data.draw(any_facts(enrollments))
    waived = dataclasses.replace(facts, waivers={**facts.waivers, number: "Equivalent"})
    step = compute(waived, spec, today).step(number)
    assert step.status == "waived"
    assert step.items == ()


def test_the_near_complete_strategy_reaches_ready(enrollments):
    """The mutated strategy does reach certificate readiness, so the property above bites."""
    seen = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(facts=near_complete_facts(enrollments))
    def probe(facts):
        seen.append(compute(facts, SPECS[0], TODAY).ready_for_certificate)

    probe()
    assert any(seen)
