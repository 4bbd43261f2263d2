"""CE review in the engine: only approved CE counts toward a cycle (pending is summed apart), a
date lies in a closed cycle once the cycle's end and grace period are past, and the requirement
set says whether evidence is required and what share of entries is reviewed."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress import CeEntry
from tracker.progress import Certificate
from tracker.progress import CertificateStatus
from tracker.progress import compute
from tracker.progress.certification_rules import current_cycle
from tracker.progress.certification_rules import cycles
from tracker.progress.certification_rules import in_closed_cycle
from tracker.progress.requirements import RequirementError
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict

TODAY = date(2025, 6, 1)
D = Decimal


def test_only_approved_ce_counts_and_pending_is_shown_apart(enrollments, spec):
    entries = (
        CeEntry(TODAY - timedelta(days=3), D(5), "ce", 1, "approved"),
        CeEntry(TODAY - timedelta(days=2), D(4), "ce", 2, "pending"),
        CeEntry(TODAY - timedelta(days=2), D(9), "ce", 3, "rejected"),
        CeEntry(TODAY - timedelta(days=1), D(2), "consultation", 4, "pending"),
    )
    facts = enrollments.certified(TODAY, ce_entries=entries)
    cycle = current_cycle(facts, spec, TODAY)
    assert (cycle.ce, cycle.pending_ce) == (D(5), D(4))
    assert (cycle.consultation, cycle.pending_consultation) == (D(0), D(2))


def test_a_lapsed_certificate_stays_lapsed_while_its_make_up_ce_is_pending(enrollments, spec):
    """The exploit of a holder logging CE alone: pending CE inside the past cycle changes
    nothing; approved, it brings the certificate back."""
    issued = TODAY - timedelta(days=800)
    inside = issued + timedelta(days=100)

    def status(state: str) -> CertificateStatus:
        entries = (
            CeEntry(inside, D(12), "ce", 1, state),
            CeEntry(inside, D(6), "consultation", 2, state),
        )
        facts = dataclasses.replace(
            enrollments.certified(TODAY), certificate=Certificate(issued), ce_entries=entries
        )
        return compute(facts, spec, TODAY).certificate_status

    assert status("pending") == CertificateStatus.LAPSED
    assert status("rejected") == CertificateStatus.LAPSED
    assert status("approved") == CertificateStatus.VALID


def test_a_ce_status_the_engine_does_not_know_is_refused():
    with pytest.raises(ValueError, match="CE status"):
        CeEntry(TODAY, D(1), "ce", 1, "maybe")


def _facts(enrollments, issued: date):
    return dataclasses.replace(enrollments.certified(TODAY), certificate=Certificate(issued))


@pytest.mark.parametrize(
    ("issued_days_ago", "on_days_ago", "grace", "closed"),
    [
        (800, 700, 60, True),  # first cycle ended ~70 days ago, grace 60 days over
        (800, 700, 90, False),  # ... still inside a 90-day grace period
        (800, 801, 60, False),  # before the issue date: in no cycle
        (800, 10, 60, False),  # the cycle under way
        (740, 700, 0, True),  # ended ~10 days ago, no grace period
        (730, 700, 0, False),  # issued 730 days ago: the first cycle ends today
        (30, 10, 0, False),  # the first cycle, under way
    ],
)
def test_in_closed_cycle(enrollments, spec_with, issued_days_ago, on_days_ago, grace, closed):
    spec = spec_with(ce_grace_days=grace)
    facts = _facts(enrollments, TODAY - timedelta(days=issued_days_ago))
    on = TODAY - timedelta(days=on_days_ago)
    assert in_closed_cycle(on, facts, spec, TODAY) is closed


def test_the_day_the_grace_period_ends_is_still_open(enrollments, spec_with):
    spec = spec_with(ce_grace_days=30)
    issued = TODAY - timedelta(days=800)
    facts = _facts(enrollments, issued)
    first = cycles(facts, spec, TODAY)[0]
    inside = first.starts_on + timedelta(days=5)
    last_day = first.ends_on + timedelta(days=30)
    assert not in_closed_cycle(inside, facts, spec, last_day)
    assert in_closed_cycle(inside, facts, spec, last_day + timedelta(days=1))


def test_nothing_is_closed_without_a_certificate(enrollments, spec):
    facts = enrollments.assessed(TODAY)
    assert not in_closed_cycle(TODAY - timedelta(days=2000), facts, spec, TODAY)


def test_review_settings_default_to_evidence_and_every_entry_reviewed():
    spec = RequirementSpec.default()
    assert (spec.ce_evidence_required, spec.ce_audit_percent) == (True, 100)
    assert spec.to_dict()["ce_audit_percent"] == 100


def test_a_version_stored_before_review_existed_reads_as_reviewed():
    stored = default_dict()
    del stored["ce_evidence_required"], stored["ce_audit_percent"]
    spec = RequirementSpec.from_dict(stored)
    assert (spec.ce_evidence_required, spec.ce_audit_percent) == (True, 100)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ce_audit_percent": 101}, "ce_audit_percent"),
        ({"ce_audit_percent": -1}, "ce_audit_percent"),
        ({"ce_audit_percent": "half"}, "ce_audit_percent"),
        ({"ce_evidence_required": "yes"}, "ce_evidence_required"),
    ],
)
def test_bad_review_settings_are_refused(changes, field):
    with pytest.raises(RequirementError) as refused:
        RequirementSpec.from_dict({**default_dict(), **changes})
    assert refused.value.field == field
