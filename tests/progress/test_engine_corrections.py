"""Corrections the engine honours: voided exam attempts count for nothing, the latest version of
an amended evaluation counts, a waiver stops applying after its last day, and the final
assessment opens once training steps 5-7 are met or waived. One case per rule."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.progress import ExamAttempt
from tracker.progress import compute
from tracker.progress.admission_rules import admission_missing
from tracker.progress.certification_rules import EvaluationVersion
from tracker.progress.certification_rules import current_evaluation
from tracker.progress.certification_rules import final_assessment
from tracker.progress.certification_rules import live_attempts

TODAY = date(2025, 6, 1)


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


def attempts(*marks: str) -> tuple[ExamAttempt, ...]:
    """Attempts in date order from marks like "70" or "95v" (v: voided)."""
    return tuple(
        ExamAttempt(days(-30 + 5 * i), int(m.rstrip("v")), voided=m.endswith("v"))
        for i, m in enumerate(marks)
    )


# -- voided exam attempts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "code", "summary"),
    [
        (("95v",), "exam.not_passed", "exam not taken"),
        (("60", "70", "75v"), "exam.not_passed", "exam best score 70"),
        (("60", "70", "75v", "85"), None, "exam passed (85)"),
        (("60v", "70v", "75v", "50"), "exam.not_passed", "exam best score 50"),
        (("60", "70", "75"), "exam.attempts_exhausted", "exam attempts used up"),
        (("60", "70", "75", "85v"), "exam.attempts_exhausted", "exam attempts used up"),
    ],
    ids=[
        "a voided pass is no pass",
        "a voided attempt gives its attempt back",
        "the attempt given back can pass",
        "only live attempts count",
        "three live attempts use them up",
        "a voided fourth changes nothing",
    ],
)
def test_voided_attempts(enrollments, spec, marks, code, summary):
    facts = enrollments.assessed(TODAY, exam_attempts=attempts(*marks))
    draft = final_assessment(facts, spec, TODAY)
    exam = [i.code for i in draft.items if i.code.startswith("exam.")]
    assert exam == ([code] if code else [])
    assert draft.summary.endswith(summary)


def test_only_voided_attempts_have_not_started_the_exam(enrollments, spec):
    facts = enrollments.trained(TODAY, exam_attempts=attempts("90v"))
    assert not final_assessment(facts, spec, TODAY).started
    assert live_attempts(attempts("90v", "40")) == [attempts("90v", "40")[1]]


def test_voided_attempt_is_no_activity(enrollments, spec):
    """The inactivity clock does not count an attempt that was voided."""
    idle = spec.inactivity_days + 5
    base = enrollments.admitted(TODAY, admitted_on=days(-idle - 30), cohort_starts_on=days(-200))
    voided = compute(
        base.__class__(**{**base.__dict__, "exam_attempts": (ExamAttempt(days(-1), 50, True),)}),
        spec,
        TODAY,
    )
    live = compute(
        base.__class__(**{**base.__dict__, "exam_attempts": (ExamAttempt(days(-1), 50),)}),
        spec,
        TODAY,
    )
    assert "activity.none_recent" in voided.codes
    assert "activity.none_recent" not in live.codes


# -- the latest version of an evaluation --------------------------------------------------------


V = EvaluationVersion


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ((), None),
        ((V(1, None, days(-5)),), 1),
        ((V(1, None, days(-5)), V(2, None, days(-1))), 2),
        ((V(1, None, days(-5)), V(2, 1, days(-5))), 2),
        ((V(1, None, days(-1)), V(2, 1, days(-9))), 2),
        ((V(1, None, days(-5)), V(2, 1, days(-4)), V(3, 2, days(-3))), 3),
        ((V(1, None, days(-5)), V(2, None, days(-3)), V(3, 1, days(-4))), 2),
        ((V(1, None, days(-5)), V(2, None, days(-3)), V(3, 2, days(-4))), 3),
    ],
    ids=[
        "none",
        "one original",
        "a later original wins",
        "an amendment supersedes its original",
        "an amendment wins though dated earlier",
        "a chain of amendments: the last",
        "amending an old evaluation leaves the later one in force",
        "amending the latest: its amendment counts",
    ],
)
def test_current_evaluation(versions, expected):
    chosen = current_evaluation(versions)
    assert (chosen.id if chosen else None) == expected


# -- waiver end dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_day", "waived"),
    [
        (None, True),
        (days(10), True),
        (days(0), True),
        (days(-1), False),
    ],
    ids=["open-ended", "ends later", "ends today (inclusive)", "ended yesterday"],
)
def test_waiver_last_day(enrollments, spec, last_day, waived):
    ends = {5: last_day} if last_day else {}
    facts = enrollments.assessed(
        TODAY, didactic=(), waivers={5: "Equivalent training"}, waiver_last_days=ends
    )
    status = compute(facts, spec, TODAY).step(5).status
    assert (status == "waived") is waived


def test_waiver_last_day_of_an_item_code(enrollments, spec):
    facts = enrollments.trained(
        TODAY,
        references_received=1,
        waivers={"reference.missing": "Referee abroad"},
        waiver_last_days={"reference.missing": days(-1)},
    )
    assert "reference.missing" in compute(facts, spec, TODAY).codes
    assert "reference.missing" not in compute(facts, spec, days(-1)).codes


def test_waiver_last_day_keyed_by_step_text(enrollments, spec):
    facts = enrollments.assessed(
        TODAY, didactic=(), waivers={"5": "Equivalent"}, waiver_last_days={"5": days(-1)}
    )
    assert compute(facts, spec, TODAY).step(5).status != "waived"


# -- the final assessment is open -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "open_", "missing"),
    [
        ({}, True, []),
        ({"didactic": ()}, False, [5, 6]),
        ({"didactic": (), "waivers": {5: "Equivalent", "program.total_short": "Same"}}, True, []),
        ({"sessions": ()}, False, [7]),
        ({"didactic": (), "experiential": (), "sessions": ()}, False, [5, 6, 7]),
    ],
    ids=[
        "all met",
        "didactic short (and so the program total)",
        "didactic waived",
        "no sessions",
        "nothing done",
    ],
)
def test_assessment_open(enrollments, spec, changes, open_, missing):
    progress = compute(enrollments.trained(TODAY, **changes), spec, TODAY)
    assert progress.assessment_open is open_
    assert [s.number for s in progress.training_not_done] == missing


# -- what admission waits on --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, []),
        ({"documents": ()}, ["document.missing"]),
        ({"licences": ()}, ["license.missing"]),
        ({"insurances": ()}, ["insurance.missing"]),
        ({"health_screening": "attested"}, ["health.pending"]),
        ({"health_screening": "attested", "waivers": {"health.pending": "Cleared by phone"}}, []),
        ({"licences": (), "waivers": {1: "Visiting faculty"}}, []),
        ({"experience_attested": False}, []),
    ],
    ids=[
        "all reviewed",
        "documents",
        "licence",
        "insurance",
        "health clearance",
        "waived review",
        "waived step",
        "not a review",
    ],
)
def test_admission_missing(enrollments, spec, changes, codes):
    progress = compute(enrollments.applicant(TODAY, **changes), spec, TODAY)
    found = [i.code for i in admission_missing(progress)]
    assert sorted(set(found)) == codes
