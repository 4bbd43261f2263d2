"""Cross-cutting rules: waivers, dependencies, pace, inactivity, and the Progress helpers."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress import DidacticEntry
from tracker.progress import EnrollmentFacts
from tracker.progress import ExperientialEntry
from tracker.progress import Ledger
from tracker.progress import Licence
from tracker.progress import compute
from tracker.progress import compute_many

TODAY = date(2025, 6, 1)
D = Decimal


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


# -- waivers -----------------------------------------------------------------------------------


def test_waived_step_drops_its_items_and_counts_as_done(enrollments, spec):
    """A waived step shows the reason, no items, and satisfies step 8's dependency."""
    facts = enrollments.assessed(
        TODAY, didactic=(), waivers={5: "Equivalent training at another institute"}
    )
    progress = compute(facts, spec, TODAY)
    step = progress.step(5)
    assert (step.status, step.items, step.fraction) == ("waived", (), 1.0)
    assert step.summary == "Waived: Equivalent training at another institute"
    assert step.waiver_reason == "Equivalent training at another institute"
    # Step 6's program total still counts didactic hours: the waiver covers step 5 only.
    assert "program.total_short" in progress.codes
    assert progress.step(8).status == "blocked"
    waived_too = compute(
        enrollments.assessed(TODAY, didactic=(), waivers={5: "Equivalent", "6": "Equivalent"}),
        spec,
        TODAY,
    )
    assert waived_too.ready_for_certificate


def test_waived_item_code_is_dropped(enrollments, spec):
    """Waiving a code drops every item with it; the step completes if nothing else blocks."""
    facts = enrollments.trained(TODAY, references_received=1)
    assert compute(facts, spec, TODAY).step(3).status == "in_progress"
    waived = enrollments.trained(
        TODAY, references_received=1, waivers={"reference.missing": "Referee abroad"}
    )
    progress = compute(waived, spec, TODAY)
    assert "reference.missing" not in progress.codes
    assert progress.step(3).status == "complete"


def test_waiver_of_one_key(enrollments, spec):
    """ "code:key" waives one topic's minimum and leaves the others."""
    trained = enrollments.trained(TODAY)
    didactic = tuple(e for e in trained.didactic if e.topic not in ("routes", "legal"))
    didactic += (DidacticEntry("pharmacology", days(-3), D(12)),)
    facts = enrollments.trained(
        TODAY, didactic=didactic, waivers={"didactic.topic_short:routes": "Module waived"}
    )
    progress = compute(facts, spec, TODAY)
    keys = {i.key for i in progress.items if i.code == "didactic.topic_short"}
    assert keys == {"legal"}


def test_some_codes_cannot_be_waived(enrollments, spec):
    """The certificate-issue item stays: waiving it must not complete step 8."""
    facts = enrollments.assessed(TODAY, waivers={"certificate.issue": "no"})
    progress = compute(facts, spec, TODAY)
    assert "certificate.issue" in progress.codes
    assert progress.step(8).status == "in_progress"


def test_waived_final_assessment_parts_still_need_the_certificate(enrollments, spec):
    """Waiving the exam makes the trainee ready, and staff still issue the certificate."""
    facts = enrollments.assessed(TODAY, exam_attempts=(), waivers={"exam.not_passed": "Oral exam"})
    progress = compute(facts, spec, TODAY)
    assert progress.ready_for_certificate
    assert [i.code for i in progress.step(8).items] == ["certificate.issue"]


# -- dependencies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "blocked"),
    [
        ("applicant", [4, 5, 6, 7, 8, 9]),
        ("submitted", [4, 5, 6, 7, 8, 9]),
        ("admitted", [8, 9]),
    ],
)
def test_steps_4_to_8_need_admission(enrollments, spec, status, blocked):
    """Before admission steps 4-8 are blocked (with no items); step 9 until a certificate."""
    facts = enrollments.admitted(TODAY, status=status, ledger=Ledger(450_000, 0))
    progress = compute(facts, spec, TODAY)
    assert [s.number for s in progress.steps if s.status == "blocked"] == blocked
    for number in blocked:
        assert progress.step(number).items == ()


def test_a_complete_step_is_never_blocked(enrollments, spec):
    """Hours finished before admission stay complete; only unfinished steps are blocked."""
    facts = enrollments.trained(TODAY, status="submitted")
    progress = compute(facts, spec, TODAY)
    assert [s.status for s in progress.steps[4:7]] == ["complete"] * 3
    assert progress.step(4).status == "complete"
    assert progress.step(8).status == "blocked"
    assert progress.step(8).summary == "Starts after admission"


def test_step_8_names_every_unfinished_step(enrollments, spec):
    """The blocked summary lists the steps still to finish."""
    progress = compute(enrollments.admitted(TODAY, experience_attested=False), spec, TODAY)
    assert progress.step(8).summary == "Needs steps 1, 5, 6 and 7 first"


# -- pace and inactivity -----------------------------------------------------------------------


def pace_facts(enrollments, logged: str, elapsed: int, span: int = 300):
    """Admitted, cohort `span` days long and `elapsed` days in, with `logged` hours logged."""
    entries = (DidacticEntry("pharmacology", days(-1), D(logged)),) if D(logged) else ()
    return enrollments.admitted(
        TODAY,
        cohort_starts_on=days(-elapsed),
        cohort_ends_on=days(span - elapsed),
        didactic=entries,
    )


@pytest.mark.parametrize(
    ("logged", "elapsed", "behind"),
    [
        ("69.75", 151, True),
        ("70", 151, False),
        ("69.75", 150, False),
        ("0", 299, True),
    ],
    ids=["under half after half", "exactly half the hours", "exactly half the time", "late"],
)
def test_behind_pace(enrollments, spec, logged, elapsed, behind):
    """More than half the time gone and less than half of 140 hours: a warning for the trainee."""
    progress = compute(pace_facts(enrollments, logged, elapsed), spec, TODAY)
    item = progress.item("pace.behind")
    assert (item is not None) is behind
    if behind:
        assert (item.actor, item.severity, item.step) == ("trainee", "warning", 5)
        assert item.amount_missing == D(70) - D(logged)
        assert f"{D(logged).normalize():f} of 140 hours" in item.message


def test_pace_counts_hours_waiting_for_verification(enrollments, spec):
    """Hours the trainee logged count for pace even before they are verified."""
    facts = pace_facts(enrollments, "0", 200)
    facts = enrollments.admitted(
        TODAY,
        cohort_starts_on=facts.cohort_starts_on,
        cohort_ends_on=facts.cohort_ends_on,
        experiential=(ExperientialEntry("observation", days(-2), D(70), "pending", days(-2)),),
    )
    assert "pace.behind" not in compute(facts, spec, TODAY).codes


@pytest.mark.parametrize(("idle", "flagged"), [(20, False), (21, True)])
def test_no_recent_activity(enrollments, spec, idle, flagged):
    """21 days without anything logged warns the trainee; 20 days does not."""
    facts = enrollments.admitted(
        TODAY, didactic=(DidacticEntry("legal", days(-idle - 5), D(1), submitted_on=days(-idle)),)
    )
    item = compute(facts, spec, TODAY).item("activity.none_recent")
    assert (item is not None) is flagged
    if flagged:
        assert (item.actor, item.waiting_since, item.step) == ("trainee", days(-21), 5)
        assert "21 days" in item.message


def test_inactivity_counts_from_admission_and_cohort_start(enrollments, spec):
    """With nothing logged, the clock starts at admission or cohort start, whichever is later."""
    facts = enrollments.admitted(TODAY, admitted_on=days(-30), cohort_starts_on=days(-5))
    assert "activity.none_recent" not in compute(facts, spec, TODAY).codes
    facts = enrollments.admitted(TODAY, admitted_on=days(-30), cohort_starts_on=days(-21))
    assert compute(facts, spec, TODAY).item("activity.none_recent").waiting_since == days(-21)


def test_inactivity_window_follows_the_spec(enrollments, spec_with):
    """A 30-day window is quiet at 21 days."""
    facts = enrollments.admitted(TODAY, admitted_on=days(-25), cohort_starts_on=days(-21))
    assert "activity.none_recent" not in compute(facts, spec_with(inactivity_days=30), TODAY).codes


def test_timeliness_items_stop_once_training_is_done(enrollments, spec):
    """Finished training, or a certificate, means no pace or inactivity warnings."""
    for facts in (enrollments.trained(TODAY), enrollments.certified(TODAY)):
        late = dataclasses.replace(facts, cohort_starts_on=days(-400))
        codes = compute(late, spec, TODAY).codes
        assert not codes & {"pace.behind", "activity.none_recent"}


def test_timeliness_items_go_on_the_first_unfinished_training_step(enrollments, spec):
    """With didactic done, inactivity lands on step 6."""
    trained = enrollments.trained(TODAY)
    facts = enrollments.trained(
        TODAY,
        didactic=tuple(DidacticEntry(e.topic, days(-60), e.hours) for e in trained.didactic),
        experiential=(),
        sessions=(),
        case_presentations=(),
    )
    assert compute(facts, spec, TODAY).item("activity.none_recent").step == 6


# -- Progress helpers --------------------------------------------------------------------------


def test_items_for_each_actor(enrollments, spec):
    """Each role sees its own to-do list drawn from the same items."""
    trained = enrollments.trained(TODAY)
    facts = enrollments.trained(
        TODAY,
        health_screening="attested",
        experiential=(
            *trained.experiential,
            ExperientialEntry("observation", days(-20), D(2), "pending", days(-9)),
        ),
        references_received=1,
    )
    progress = compute(facts, spec, TODAY)
    assert {i.code for i in progress.items_for("staff")} == {"health.pending"}
    assert {i.code for i in progress.items_for("supervisor")} == {"signoff.waiting"}
    assert {i.code for i in progress.items_for("trainee")} == {"reference.missing"}


def test_next_due_on_is_the_earliest_due_date(enrollments, spec):
    """The earliest due date across items, or None."""
    trained = enrollments.trained(TODAY)
    facts = enrollments.trained(TODAY, licences=(Licence("LCSW", "CA", days(40), verified=True),))
    assert compute(facts, spec, TODAY).next_due_on == days(40)
    assert compute(trained, spec, TODAY).next_due_on is None


def test_compute_many_keeps_order(enrollments, spec, spec_with):
    """Each pair is computed against its own requirement set."""
    facts = enrollments.trained(TODAY)
    results = compute_many(
        [(facts, spec), (facts, spec_with(supervised_sessions_required=6))], TODAY
    )
    assert [r.step(7).status for r in results] == ["complete", "in_progress"]


def test_empty_facts_compute(spec):
    """A brand-new enrollment computes without error, every step accounted for."""
    progress = compute(EnrollmentFacts(), spec, TODAY)
    assert [s.number for s in progress.steps] == list(range(1, 10))
    assert [s.title for s in progress.steps][:3] == [
        "Eligibility",
        "Program selection",
        "Application",
    ]
    assert progress.step(4).status == "blocked"
    assert not progress.ready_for_certificate
    assert progress.fraction == 0.0
