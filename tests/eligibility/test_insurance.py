"""Recording, changing and deleting an insurance policy."""

from __future__ import annotations

import pytest

from tests.conftest import post_form
from tests.eligibility.factories import add_insurance
from tests.eligibility.factories import day
from tests.eligibility.factories import iso
from tests.enrollments.factories import count
from tracker.eligibility.models import Insurance
from tracker.extensions import db

VALID = {
    "carrier": "CPH & Associates",
    "policy_number": "POL-2026/001",
    "starts_on": iso(-30),
    "ends_on": iso(335),
    "coverage": "$1,000,000 per claim / $3,000,000 aggregate",
}


def test_a_valid_policy_is_recorded(signed_in, trainee):
    assert post_form(signed_in, "/eligibility/insurance/new", VALID).status_code == 302
    policy = db.session.query(Insurance).one()
    assert policy.trainee_id == trainee.id
    assert (policy.starts_on, policy.ends_on) == (day(-30), day(335))
    assert policy.coverage.startswith("$1,000,000")
    page = signed_in.get("/eligibility/").get_data(as_text=True)
    assert "POL-2026/001" in page
    assert "Current until" in page


def test_coverage_is_optional(signed_in):
    assert (
        post_form(signed_in, "/eligibility/insurance/new", {**VALID, "coverage": ""}).status_code
        == 302
    )
    assert db.session.query(Insurance).one().coverage == ""


def test_an_ended_policy_is_shown_as_expired(signed_in):
    post_form(
        signed_in,
        "/eligibility/insurance/new",
        {**VALID, "starts_on": iso(-400), "ends_on": iso(-35)},
    )
    assert "Expired on " + iso(-35) in signed_in.get("/eligibility/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"carrier": ""}, "Enter the insurance carrier."),
        ({"carrier": "A"}, "Use at least 2 characters."),
        ({"carrier": "Acme\x00Insurance"}, "Remove the control characters"),
        ({"policy_number": ""}, "Enter the policy number."),
        ({"policy_number": "POL#1"}, "letters, digits, hyphens, slashes, spaces and dots only"),
        ({"starts_on": ""}, "Enter the start date."),
        ({"ends_on": "not a date"}, "Enter the date as YYYY-MM-DD."),
        ({"ends_on": iso(-30)}, "The end date must come after the start date."),
        ({"ends_on": iso(-31)}, "The end date must come after the start date."),
        ({"starts_on": "1949-01-01"}, "on or after 1950-01-01"),
        ({"ends_on": iso(365 * 21)}, "at most 20 years ahead"),
        ({"coverage": "x" * 501}, "Use at most 500 characters."),
    ],
)
def test_invalid_policies_are_refused(signed_in, changes, message):
    response = post_form(signed_in, "/eligibility/insurance/new", {**VALID, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Insurance) == 0


def test_edit_and_delete_an_unverified_policy(signed_in, trainee):
    policy = add_insurance(trainee)
    data = {**VALID, "carrier": "New Carrier"}
    assert post_form(signed_in, f"/eligibility/insurance/{policy.id}/edit", data).status_code == 302
    db.session.refresh(policy)
    assert policy.carrier == "New Carrier"
    assert post_form(signed_in, f"/eligibility/insurance/{policy.id}/delete").status_code == 302
    assert count(Insurance) == 0


def test_a_verified_policy_is_read_only(signed_in, trainee):
    policy = add_insurance(trainee, verified=True)
    response = signed_in.get(f"/eligibility/insurance/{policy.id}/edit", follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)
    post_form(
        signed_in, f"/eligibility/insurance/{policy.id}/edit", {**VALID, "carrier": "Changed"}
    )
    response = post_form(
        signed_in, f"/eligibility/insurance/{policy.id}/delete", follow_redirects=True
    )
    assert "can no longer be changed or deleted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Insurance, policy.id).carrier == "CPH & Associates"
