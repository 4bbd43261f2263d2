"""Builders for the progress-engine tests: facts at each stage of an enrollment, specs with changes.

Everything is dated relative to the `today` a test passes, so edges (the 60th day, 7 vs 8 days)
read as offsets.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tracker.progress import ApplicationDocument
from tracker.progress import CasePresentation
from tracker.progress import Certificate
from tracker.progress import CompetencyEvaluation
from tracker.progress import DidacticEntry
from tracker.progress import EnrollmentFacts
from tracker.progress import ExamAttempt
from tracker.progress import ExperientialEntry
from tracker.progress import Insurance
from tracker.progress import Ledger
from tracker.progress import Licence
from tracker.progress import SupervisedSession
from tracker.progress import Track
from tracker.progress.requirements import COMPETENCY_DOMAINS
from tracker.progress.requirements import DEFAULT_SCENARIOS
from tracker.progress.requirements import DOCUMENT_KINDS
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict

TUITION = 450_000


def make_spec(**changes: Any) -> RequirementSpec:
    """The default requirement set with `changes` applied (validated like any import)."""
    data = default_dict()
    data.update(changes)
    return RequirementSpec.from_dict(data)


class Enrollments:
    """Facts of one enrollment at each stage; each stage adds to the one before."""

    def applicant(self, today: date, **changes: Any) -> EnrollmentFacts:
        """Eligible, track and cohort chosen, application complete, waiting for a decision."""
        facts = EnrollmentFacts(
            enrollment_id=1,
            status="submitted",
            applied_on=today - timedelta(days=130),
            cohort_starts_on=today - timedelta(days=110),
            cohort_ends_on=today + timedelta(days=200),
            track=Track("online", TUITION, "Online"),
            licences=(
                Licence(
                    "LCSW",
                    "CA",
                    today + timedelta(days=700),
                    verified=True,
                    issued_on=today - timedelta(days=2000),
                ),
            ),
            insurances=(
                Insurance(today - timedelta(days=400), today + timedelta(days=500), verified=True),
            ),
            experience_attested=True,
            health_screening="cleared",
            documents=tuple(
                ApplicationDocument(kind, "accepted", today - timedelta(days=140))
                for kind in DOCUMENT_KINDS
            ),
            references_received=2,
            answered_scenarios=frozenset(code for code, _ in DEFAULT_SCENARIOS),
            supervisor_assigned=True,
        )
        return dataclasses.replace(facts, **changes)

    def admitted(self, today: date, **changes: Any) -> EnrollmentFacts:
        """Admitted and paid in full: steps 1-4 complete, training not begun."""
        facts = self.applicant(
            today,
            status="admitted",
            admitted_on=today - timedelta(days=120),
            ledger=Ledger(TUITION, TUITION),
        )
        return dataclasses.replace(facts, **changes)

    def trained(self, today: date, **changes: Any) -> EnrollmentFacts:
        """Steps 1-7 complete with the default requirement set (110 + 30 hours, 4 sessions)."""
        spec = RequirementSpec.default()
        when = today - timedelta(days=10)
        didactic = [DidacticEntry(t.code, when, t.min_hours) for t in spec.didactic_topics]
        rest = spec.didactic_total_hours - sum(t.min_hours for t in spec.didactic_topics)
        didactic.append(DidacticEntry("pharmacology", when, rest))
        kinds = (
            "observation",
            "observation",
            "role_play",
            "role_play",
            "monitoring",
            "integration",
        )
        experiential = tuple(ExperientialEntry(kind, when, Decimal(5)) for kind in kinds)
        sessions = tuple(SupervisedSession(today - timedelta(days=30 + i)) for i in range(4))
        facts = self.admitted(
            today,
            didactic=tuple(didactic),
            experiential=experiential,
            sessions=sessions,
            case_presentations=(CasePresentation(today - timedelta(days=20)),),
        )
        return dataclasses.replace(facts, **changes)

    def assessed(self, today: date, **changes: Any) -> EnrollmentFacts:
        """Everything met for the certificate: exam, case presentation, competencies."""
        facts = self.trained(
            today,
            exam_attempts=(ExamAttempt(today - timedelta(days=5), 85),),
            case_evaluation="passed",
            competency=CompetencyEvaluation(dict.fromkeys(COMPETENCY_DOMAINS, 3)),
        )
        return dataclasses.replace(facts, **changes)

    def certified(self, today: date, **changes: Any) -> EnrollmentFacts:
        """Certified 30 days ago; the certificate does not expire."""
        facts = self.assessed(today, certificate=Certificate(today - timedelta(days=30)))
        return dataclasses.replace(facts, **changes)


@pytest.fixture
def spec() -> RequirementSpec:
    """The default requirement set."""
    return RequirementSpec.default()


@pytest.fixture
def enrollments() -> Enrollments:
    """Builders of facts at each stage of an enrollment."""
    return Enrollments()


@pytest.fixture
def spec_with():
    """A function returning the default requirement set with some fields changed."""
    return make_spec
