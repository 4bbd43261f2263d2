"""Step 8 (final assessment and certificate) and step 9 (ongoing education)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress import CeEntry
from tracker.progress import Certificate
from tracker.progress import CompetencyEvaluation
from tracker.progress import ExamAttempt
from tracker.progress import SupervisedSession
from tracker.progress import compute
from tracker.progress.requirements import COMPETENCY_DOMAINS

TODAY = date(2025, 6, 1)
D = Decimal


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


def attempts(*scores: int) -> tuple[ExamAttempt, ...]:
    """Exam attempts with `scores`, in date order."""
    return tuple(ExamAttempt(days(-30 + 5 * i), score) for i, score in enumerate(scores))


# -- step 8 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "code", "actor"),
    [
        ((), "exam.not_passed", "trainee"),
        ((79,), "exam.not_passed", "trainee"),
        ((80,), None, None),
        ((60, 70, 80), None, None),
        ((60, 70, 75), "exam.attempts_exhausted", "staff"),
        ((60, 70, 75, 95), "exam.attempts_exhausted", "staff"),
    ],
    ids=[
        "not taken",
        "one point short",
        "exactly the mark",
        "third time",
        "used up",
        "4th ignored",
    ],
)
def test_exam(enrollments, spec, scores, code, actor):
    """Passed at the mark within the allowed attempts; attempts used up is for staff."""
    facts = enrollments.assessed(TODAY, exam_attempts=attempts(*scores))
    progress = compute(facts, spec, TODAY)
    exam = [i for i in progress.step(8).items if i.code.startswith("exam.")]
    assert [(i.code, i.actor) for i in exam] == ([(code, actor)] if code else [])
    assert progress.ready_for_certificate is (code is None)


def test_exam_message_names_score_mark_and_attempts(enrollments, spec):
    """The trainee reads the best score, the pass mark and the attempts left."""
    facts = enrollments.assessed(TODAY, exam_attempts=attempts(72))
    item = compute(facts, spec, TODAY).item("exam.not_passed")
    assert item.message == "Knowledge exam: best score 72 of pass mark 80, 2 of 3 attempts left."
    assert (item.amount_missing, item.unit) == (8, "points")


def test_exam_limits_follow_the_spec(enrollments, spec_with):
    """A 70% pass mark passes a 75; one allowed attempt is used up by a 60."""
    assert compute(
        enrollments.assessed(TODAY, exam_attempts=attempts(75)), spec_with(exam_pass_mark=70), TODAY
    ).ready_for_certificate
    progress = compute(
        enrollments.assessed(TODAY, exam_attempts=attempts(60)),
        spec_with(exam_max_attempts=1),
        TODAY,
    )
    assert "exam.attempts_exhausted" in progress.codes


@pytest.mark.parametrize(
    ("result", "code", "actor"),
    [(None, "case_evaluation.pending", "staff"), ("failed", "case_evaluation.failed", "trainee")],
)
def test_case_presentation_evaluation(enrollments, spec, result, code, actor):
    """The case presentation must be evaluated and passed."""
    progress = compute(enrollments.assessed(TODAY, case_evaluation=result), spec, TODAY)
    assert progress.item(code).actor == actor
    assert not progress.ready_for_certificate


def test_competency_evaluation(enrollments, spec):
    """Every domain rated at least the minimum; missing and low ratings are named."""
    ratings = dict.fromkeys(COMPETENCY_DOMAINS, 3) | {"dosing_support": 2}
    del ratings["ethics"]
    facts = enrollments.assessed(TODAY, competency=CompetencyEvaluation(ratings))
    progress = compute(facts, spec, TODAY)
    below = progress.item("competency.below", "dosing_support")
    assert below.message == "Dosing support: rated 2, needs 3."
    assert (below.amount_missing, below.actor) == (1, "trainee")
    assert progress.item("competency.pending", "ethics").actor == "supervisor"
    none = compute(enrollments.assessed(TODAY, competency=None), spec, TODAY)
    assert none.item("competency.pending").actor == "supervisor"


def test_competency_minimum_follows_the_spec(enrollments, spec_with):
    """Ratings of 3 fall short of a minimum of 4."""
    progress = compute(enrollments.assessed(TODAY), spec_with(competency_min_rating=4), TODAY)
    assert len([i for i in progress.items if i.code == "competency.below"]) == 8


def test_ready_for_certificate(enrollments, spec):
    """Everything met: staff are asked to issue, and step 8 only lacks the certificate."""
    progress = compute(enrollments.assessed(TODAY), spec, TODAY)
    assert progress.ready_for_certificate
    assert [(i.code, i.actor) for i in progress.blocking_items] == [("certificate.issue", "staff")]
    assert progress.step(8).status == "in_progress"
    assert progress.certificate_status is None


def test_final_assessment_blocked_until_steps_1_to_7(enrollments, spec):
    """With a session missing, step 8 is blocked, says why, and nothing is ready."""
    sessions = tuple(SupervisedSession(days(-30 - i)) for i in range(3))
    progress = compute(enrollments.assessed(TODAY, sessions=sessions), spec, TODAY)
    assert progress.step(8).status == "blocked"
    assert progress.step(8).summary == "Needs step 7 first"
    assert progress.step(8).items == ()
    assert not progress.ready_for_certificate


def test_certificate_completes_step_8(enrollments, spec):
    """Once issued, step 8 is complete even if an earlier step later lapses."""
    facts = enrollments.certified(TODAY, licences=())
    progress = compute(facts, spec, TODAY)
    assert progress.step(8).status == "complete"
    assert progress.step(1).status == "in_progress"
    assert not progress.ready_for_certificate
    assert progress.certificate_status == "valid"


def test_revoked_certificate(enrollments, spec):
    """Revoked: step 8 is not complete, step 9 blocked, status revoked, not ready again."""
    cert = Certificate(days(-30), revoked=True)
    progress = compute(enrollments.certified(TODAY, certificate=cert), spec, TODAY)
    assert progress.certificate_status == "revoked"
    assert progress.step(8).status == "in_progress"
    assert progress.step(9).status == "blocked"
    assert "certificate.revoked" in progress.codes
    assert not progress.ready_for_certificate


# -- step 9 ------------------------------------------------------------------------------------


def ce(on: date, credits: str, kind: str = "ce") -> CeEntry:
    """A CE (or consultation) entry."""
    return CeEntry(on, D(credits), kind)


def test_ongoing_education_waits_for_the_certificate(enrollments, spec):
    """Before certification step 9 is blocked."""
    step = compute(enrollments.assessed(TODAY), spec, TODAY).step(9)
    assert (step.status, step.summary) == ("blocked", "Starts once the certificate is issued")


@pytest.mark.parametrize(
    ("days_to_end", "flagged"), [(91, False), (90, True), (0, True)], ids=["91", "90", "last day"]
)
def test_ce_short_near_the_cycle_end(enrollments, spec, days_to_end, flagged):
    """Short of credits within 90 days of the cycle end warns, due on the last day."""
    # The first 24-month cycle ends the day before the issue date's second anniversary.
    end = days(days_to_end)
    issued = date(end.year - 2, end.month, end.day) + timedelta(days=1)
    facts = enrollments.certified(
        TODAY,
        certificate=Certificate(issued),
        ce_entries=(ce(issued, "8"), ce(issued, "6", "consultation")),
    )
    progress = compute(facts, spec, TODAY)
    item = progress.item("ce.short", issued.isoformat())
    assert (item is not None) is flagged
    assert "consultation.short" not in progress.codes
    if flagged:
        assert (item.due_on, item.amount_missing, item.unit) == (end, 4, "credits")
        assert item.severity == "warning"
    assert progress.step(9).status == "in_progress"
    assert progress.certificate_status == "valid"


def test_cycle_met_is_complete(enrollments, spec):
    """Credits and consultation met in the current cycle: step 9 complete."""
    facts = enrollments.certified(
        TODAY, ce_entries=(ce(days(-3), "12"), ce(days(-3), "6", "consultation"))
    )
    progress = compute(facts, spec, TODAY)
    assert progress.step(9).status == "complete"
    assert progress.step(9).fraction == 1.0


def test_lapse_and_recovery(enrollments, spec):
    """A past cycle short lapses the certificate; credits dated in that cycle restore it."""
    issued = date(2023, 1, 1)
    cert = Certificate(issued)
    current = (ce(days(-3), "12"), ce(days(-3), "6", "consultation"))
    short = (ce(date(2024, 5, 1), "8"), ce(date(2024, 5, 1), "6", "consultation"))
    facts = enrollments.certified(TODAY, certificate=cert, ce_entries=current + short)
    progress = compute(facts, spec, TODAY)
    assert progress.certificate_status == "lapsed"
    item = progress.item("ce.lapsed", "2023-01-01")
    assert (item.severity, item.due_on, item.amount_missing) == (
        "blocking",
        date(2024, 12, 31),
        4,
    )
    assert "1 January 2023 to 31 December 2024: 8 of 12" in item.message
    assert progress.step(9).status == "in_progress"
    # Four credits dated inside the lapsed cycle make it whole; a credit dated today does not.
    today_credit = compute(
        enrollments.certified(
            TODAY, certificate=cert, ce_entries=(*current, *short, ce(TODAY, "4"))
        ),
        spec,
        TODAY,
    )
    assert today_credit.certificate_status == "lapsed"
    backfilled = compute(
        enrollments.certified(
            TODAY, certificate=cert, ce_entries=(*current, *short, ce(date(2024, 12, 31), "4"))
        ),
        spec,
        TODAY,
    )
    assert backfilled.certificate_status == "valid"
    assert backfilled.step(9).status == "complete"


def test_consultation_lapse(enrollments, spec):
    """Consultation hours short in a past cycle lapse the certificate too."""
    facts = enrollments.certified(
        TODAY,
        certificate=Certificate(date(2023, 1, 1)),
        ce_entries=(ce(date(2024, 5, 1), "12"), ce(date(2024, 5, 1), "2", "consultation")),
    )
    progress = compute(facts, spec, TODAY)
    assert progress.item("consultation.lapsed", "2023-01-01").amount_missing == 4
    assert progress.certificate_status == "lapsed"


def test_cycle_length_follows_the_spec(enrollments, spec_with):
    """Credits all dated in early 2024: met for 24- or 12-month cycles, short for 6-month ones."""
    facts = enrollments.certified(
        TODAY,
        certificate=Certificate(date(2024, 1, 1)),
        ce_entries=(ce(date(2024, 3, 1), "12"), ce(date(2024, 3, 1), "6", "consultation")),
    )
    assert compute(facts, spec_with(ce_cycle_months=24), TODAY).certificate_status == "valid"
    twelve = compute(facts, spec_with(ce_cycle_months=12), TODAY)
    assert twelve.certificate_status == "valid"
    six = compute(facts, spec_with(ce_cycle_months=6), TODAY)
    assert six.certificate_status == "lapsed"
    assert six.item("ce.lapsed", "2024-07-01") is not None


@pytest.mark.parametrize(
    ("expires_in", "status", "code"),
    [
        (61, "valid", None),
        (60, "valid", "certificate.expiring"),
        (0, "valid", "certificate.expiring"),
        (-1, "expired", "certificate.expired"),
    ],
)
def test_certificate_expiry(enrollments, spec, expires_in, status, code):
    """Expiring warns within the window; past `expires_on` the certificate is expired."""
    cert = Certificate(days(-30), expires_on=days(expires_in))
    progress = compute(enrollments.certified(TODAY, certificate=cert), spec, TODAY)
    assert progress.certificate_status == status
    found = [i.code for i in progress.items if i.code.startswith("certificate.")]
    assert found == ([code] if code else [])
    if code:
        assert progress.item(code).due_on == days(expires_in)


def test_revoked_wins_over_expired(enrollments, spec):
    """Revoked is reported even past the expiry date."""
    cert = Certificate(days(-800), expires_on=days(-1), revoked=True)
    progress = compute(enrollments.certified(TODAY, certificate=cert), spec, TODAY)
    assert progress.certificate_status == "revoked"


@pytest.mark.parametrize(
    ("grace_days", "ended_days_ago", "status", "code"),
    [
        (60, 1, "valid", "ce.short"),
        (60, 60, "valid", "ce.short"),
        (60, 61, "lapsed", "ce.lapsed"),
        (0, 1, "lapsed", "ce.lapsed"),
    ],
    ids=["day after the end", "last day of grace", "grace over", "no grace"],
)
def test_grace_period_after_a_cycle(
    enrollments, spec_with, grace_days, ended_days_ago, status, code
):
    """A cycle short at its end warns during the grace period, then lapses the certificate."""
    # A 12-month cycle that ended `ended_days_ago` days before TODAY, with 8 of 12 credits.
    ended = days(-ended_days_ago)
    issued = ended + timedelta(days=1)
    issued = issued.replace(year=issued.year - 1)
    facts = enrollments.certified(
        TODAY,
        certificate=Certificate(issued),
        ce_entries=(ce(issued, "8"), ce(issued, "6", "consultation")),
    )
    progress = compute(facts, spec_with(ce_cycle_months=12, ce_grace_days=grace_days), TODAY)
    assert progress.certificate_status == status
    item = progress.item(code, issued.isoformat())
    assert item is not None and item.amount_missing == 4
    if code == "ce.short":
        assert item.due_on == ended + timedelta(days=grace_days)
        assert "grace period to" in item.message


def test_a_version_stored_without_a_grace_period_reads_as_none():
    """Requirement sets stored before the grace period existed keep lapsing at once."""
    from tracker.progress.requirements import RequirementSpec
    from tracker.progress.requirements import default_dict

    stored = default_dict()
    del stored["ce_grace_days"]
    assert RequirementSpec.from_dict(stored).ce_grace_days == 0
    assert RequirementSpec.default().ce_grace_days == 60
