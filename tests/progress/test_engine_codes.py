"""Every item code in the catalogue: a situation that produces it, checked against its entry."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress import ITEM_CODES
from tracker.progress import ApplicationDocument
from tracker.progress import Certificate
from tracker.progress import CompetencyEvaluation
from tracker.progress import DidacticEntry
from tracker.progress import ExamAttempt
from tracker.progress import ExperientialEntry
from tracker.progress import Instalment
from tracker.progress import Insurance
from tracker.progress import Ledger
from tracker.progress import Licence
from tracker.progress import SupervisedSession
from tracker.progress import compute
from tracker.progress.facts import Leave

TODAY = date(2025, 6, 1)
D = Decimal


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


ALL_RATED_1 = CompetencyEvaluation(
    dict.fromkeys(
        (
            "screening",
            "consent",
            "preparation",
            "dosing_support",
            "monitoring",
            "integration",
            "ethics",
            "documentation",
        ),
        1,
    )
)

# code -> (stage, changes to the facts, changes to the requirement set)
SITUATIONS = {
    "license.missing": ("applicant", {"licences": ()}, {}),
    "license.incomplete": ("applicant", {"licences": (Licence("LCSW", "", days(700)),)}, {}),
    "license.unverified": ("applicant", {"licences": (Licence("LCSW", "CA", days(700)),)}, {}),
    "license.expiring": (
        "applicant",
        {"licences": (Licence("LCSW", "CA", days(10), verified=True),)},
        {},
    ),
    "license.expired": (
        "applicant",
        {"licences": (Licence("LCSW", "CA", days(-10), verified=True),)},
        {},
    ),
    "insurance.missing": ("applicant", {"insurances": ()}, {}),
    "insurance.unverified": ("applicant", {"insurances": (Insurance(days(-1), days(300)),)}, {}),
    "insurance.expiring": (
        "applicant",
        {"insurances": (Insurance(days(-100), days(5), verified=True),)},
        {},
    ),
    "insurance.expired": (
        "applicant",
        {"insurances": (Insurance(days(-100), days(-5), verified=True),)},
        {},
    ),
    "experience.unattested": ("applicant", {"experience_attested": False}, {}),
    "health.unattested": ("applicant", {"health_screening": "none"}, {}),
    "health.pending": ("applicant", {"health_screening": "attested"}, {}),
    "health.not_cleared": ("applicant", {"health_screening": "not_cleared"}, {}),
    "pathway.pending": ("applicant", {"pathway": "alternative_pending"}, {}),
    "track.missing": ("applicant", {"track": None}, {}),
    "cohort.missing": ("applicant", {"cohort_starts_on": None, "cohort_ends_on": None}, {}),
    "document.missing": ("applicant", {"documents": ()}, {}),
    "document.rejected": (
        "applicant",
        {"documents": (ApplicationDocument("cv", "rejected", days(-3)),)},
        {},
    ),
    "document.pending": ("applicant", {"documents": (ApplicationDocument("cv"),)}, {}),
    "reference.missing": ("applicant", {"references_received": 0}, {}),
    "scenario.unanswered": ("applicant", {"answered_scenarios": frozenset()}, {}),
    "application.unsubmitted": ("applicant", {"status": "applicant"}, {}),
    "admission.pending": ("applicant", {}, {}),
    "application.declined": ("applicant", {"status": "declined"}, {}),
    "enrollment.withdrawn": ("admitted", {"status": "withdrawn"}, {}),
    "tuition.uncharged": ("admitted", {"ledger": Ledger()}, {}),
    "balance.due": ("admitted", {"ledger": Ledger(1000, 0)}, {}),
    "instalment.overdue": (
        "admitted",
        {"ledger": Ledger(1000, 0, (Instalment(days(-1), 1000),))},
        {},
    ),
    "instalment.upcoming": (
        "admitted",
        {"ledger": Ledger(1000, 0, (Instalment(days(5), 1000),))},
        {},
    ),
    "didactic.topic_short": ("admitted", {}, {}),
    "didactic.total_short": ("admitted", {}, {}),
    "didactic.returned": (
        "admitted",
        {"didactic": (DidacticEntry("legal", days(-1), D(1), "returned"),)},
        {},
    ),
    "verification.pending": (
        "admitted",
        {"didactic": (DidacticEntry("legal", days(-2), D(1), "pending"),)},
        {},
    ),
    "verification.waiting": (
        "admitted",
        {"didactic": (DidacticEntry("legal", days(-9), D(1), "pending"),)},
        {},
    ),
    "experiential.hours_short": ("admitted", {}, {}),
    "experiential.count_short": ("admitted", {}, {}),
    "personal_session.short": (
        "admitted",
        {},
        {"personal_session_policy": "required", "personal_sessions_min": 1},
    ),
    "personal_session.over": (
        "admitted",
        {"experiential": (ExperientialEntry("personal_session", days(-2)),)},
        {"personal_session_policy": "none", "personal_sessions_max": 0},
    ),
    "program.total_short": ("admitted", {}, {}),
    "experiential.returned": (
        "admitted",
        {"experiential": (ExperientialEntry("observation", days(-1), D(1), "returned"),)},
        {},
    ),
    "signoff.pending": (
        "admitted",
        {"experiential": (ExperientialEntry("observation", days(-2), D(1), "pending"),)},
        {},
    ),
    "signoff.waiting": (
        "admitted",
        {"experiential": (ExperientialEntry("observation", days(-9), D(1), "pending"),)},
        {},
    ),
    "session.short": ("admitted", {}, {}),
    "session.uncovered": ("admitted", {"sessions": (SupervisedSession(days(-1000)),)}, {}),
    "session.returned": ("admitted", {"sessions": (SupervisedSession(days(-2), "returned"),)}, {}),
    "session.pending": ("admitted", {"sessions": (SupervisedSession(days(-2), "submitted"),)}, {}),
    "session.waiting": ("admitted", {"sessions": (SupervisedSession(days(-9), "submitted"),)}, {}),
    "case_presentation.short": ("admitted", {}, {}),
    "supervisor.unassigned": ("admitted", {"supervisor_assigned": False}, {}),
    "exam.not_passed": ("trained", {}, {}),
    "exam.attempts_exhausted": (
        "assessed",
        {"exam_attempts": tuple(ExamAttempt(days(-9 + i), 50) for i in range(3))},
        {},
    ),
    "case_evaluation.pending": ("trained", {}, {}),
    "case_evaluation.failed": ("assessed", {"case_evaluation": "failed"}, {}),
    "competency.pending": ("trained", {}, {}),
    "competency.below": ("assessed", {"competency": ALL_RATED_1}, {}),
    "certificate.issue": ("assessed", {}, {}),
    "certificate.revoked": (
        "certified",
        {"certificate": Certificate(days(-30), revoked=True)},
        {},
    ),
    "ce.short": ("certified", {"certificate": Certificate(days(-700))}, {}),
    "consultation.short": ("certified", {"certificate": Certificate(days(-700))}, {}),
    "certificate.at_risk": ("certified", {"certificate": Certificate(days(-700))}, {}),
    "ce.lapsed": ("certified", {"certificate": Certificate(days(-800))}, {}),
    "consultation.lapsed": ("certified", {"certificate": Certificate(days(-800))}, {}),
    "certificate.expiring": (
        "certified",
        {"certificate": Certificate(days(-30), expires_on=days(30))},
        {},
    ),
    "certificate.expired": (
        "certified",
        {"certificate": Certificate(days(-30), expires_on=days(-1))},
        {},
    ),
    "pace.behind": ("admitted", {"cohort_starts_on": days(-200), "cohort_ends_on": days(100)}, {}),
    "activity.none_recent": ("admitted", {}, {}),
    "leave.current": ("admitted", {"leaves": (Leave(days(-5), days(20)),)}, {}),
    "leave.return_overdue": ("admitted", {"leaves": (Leave(days(-30), days(-2)),)}, {}),
}


def test_every_code_has_a_situation():
    """The table below covers the whole catalogue, and nothing outside it."""
    assert set(SITUATIONS) == set(ITEM_CODES)


@pytest.mark.parametrize("code", sorted(SITUATIONS))
def test_code_is_produced_as_catalogued(enrollments, spec_with, code):
    """Each code appears in its situation with the catalogue's step, severity and actor."""
    stage, facts_changes, spec_changes = SITUATIONS[code]
    facts = getattr(enrollments, stage)(TODAY, **facts_changes)
    progress = compute(facts, spec_with(**spec_changes), TODAY)
    found = [i for i in progress.items if i.code == code]
    assert found, f"{code} not produced; got {sorted(progress.codes)}"
    entry = ITEM_CODES[code]
    for item in found:
        assert item.step in entry.steps
        assert (item.severity, item.actor) == (entry.severity, entry.actor)
        assert item.message and item.message[0].isupper()
        assert item.description == entry.description
        assert item in progress.step(item.step).items
        if item.amount_missing is not None:
            assert item.unit in ("hours", "cents", "count", "credits", "rating", "points")
            assert item.amount_missing > 0


def test_items_are_distinct_by_code_and_key(enrollments, spec):
    """Two items never share a code and key, so a page can use them as identifiers."""
    progress = compute(enrollments.admitted(TODAY, documents=()), spec, TODAY)
    identities = [i.identity for i in progress.items]
    assert len(identities) == len(set(identities))
    assert ("document.missing", "cv") in identities
