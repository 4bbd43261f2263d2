"""Staff decide the eligibility pathway: standard, or the alternative (advanced student,
practising under supervision) approved or refused with a required reason."""

from __future__ import annotations

import pytest

from tests.admissions.factories import enroll
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import post_form
from tracker.core.clock import today_in
from tracker.progress import compute
from tracker.standing.loader import load_enrollment


def _decide(client, enrollment, pathway: str, basis: str = "", reason: str = "", **kwargs):
    return post_form(
        client,
        review_url(enrollment, "/pathway"),
        {"pathway-pathway": pathway, "pathway-basis": basis, "pathway-reason": reason},
        **kwargs,
    )


def test_an_approved_alternative_pathway_replaces_the_licence(as_staff, submitted):
    response = _decide(
        as_staff,
        submitted,
        "alternative_approved",
        "under_supervision",
        "Practises under Dr. Lee's licence at the county clinic.",
        follow_redirects=True,
    )
    assert "Pathway: alternative pathway approved." in response.get_data(as_text=True)
    enrollment = fresh(submitted)
    assert enrollment.pathway == "alternative_approved"
    assert enrollment.pathway_reason == (
        "Practising under supervision: Practises under Dr. Lee's licence at the county clinic."
    )
    loaded = load_enrollment(enrollment.id)
    progress = compute(loaded.facts, loaded.spec, today_in("UTC"))
    assert "license.missing" not in progress.codes


@pytest.mark.parametrize(
    ("pathway", "basis", "reason", "message"),
    [
        ("alternative_approved", "", "A reason that is long enough.", "Choose the basis"),
        ("alternative_refused", "advanced_student", "", "Write the reason"),
        ("alternative_refused", "advanced_student", "too short", "at least 10"),
        ("alternative_pending", "", "", "Choose a pathway decision."),
        ("", "", "", "Choose a pathway decision."),
        ("alternative_approved", "astronaut", "A reason that is long enough.", "Choose the basis"),
    ],
)
def test_an_incomplete_decision_is_refused(as_staff, submitted, pathway, basis, reason, message):
    before = snapshot()
    response = _decide(as_staff, submitted, pathway, basis, reason)
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_back_to_standard_and_repeats_are_refused(as_staff, submitted):
    before = snapshot()
    response = _decide(as_staff, submitted, "standard")
    assert "already the recorded decision" in response.get_data(as_text=True)
    assert snapshot() == before
    _decide(as_staff, submitted, "alternative_refused", "advanced_student", "Not enrolled now.")
    assert fresh(submitted).pathway == "alternative_refused"
    _decide(as_staff, submitted, "standard", reason="Holds a licence after all.")
    enrollment = fresh(submitted)
    assert (enrollment.pathway, enrollment.pathway_reason) == (
        "standard",
        "Holds a licence after all.",
    )


def test_a_declined_enrollment_is_closed(as_staff, trainee, program):
    declined = enroll(trainee, program, "declined")
    before = snapshot()
    response = _decide(
        as_staff,
        declined,
        "alternative_approved",
        "advanced_student",
        "A reason that is long enough.",
        follow_redirects=True,
    )
    assert "can no longer be changed" in response.get_data(as_text=True)
    assert snapshot() == before
