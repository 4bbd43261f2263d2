"""Staff verify a licence or an insurance policy (who, when, how, a note) and can withdraw a
verification with a reason. Records of another person give 404 and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admissions.factories import add_insurance
from tests.admissions.factories import add_licence
from tests.admissions.factories import enroll
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import post_form
from tracker.extensions import utcnow


def _verify(client, enrollment, record, kind: str, method: str, note: str = "", **kwargs):
    prefix = f"{kind[:3]}{record.id}"
    plural = "licences" if kind == "licence" else "insurances"
    return post_form(
        client,
        review_url(enrollment, f"/{plural}/{record.id}/verify"),
        {f"{prefix}-method": method, f"{prefix}-note": note},
        **kwargs,
    )


def _unverify(client, enrollment, record, kind: str, reason: str, **kwargs):
    plural = "licences" if kind == "licence" else "insurances"
    return post_form(
        client,
        review_url(enrollment, f"/{plural}/{record.id}/unverify"),
        {f"un{kind[:3]}{record.id}-reason": reason},
        **kwargs,
    )


def test_verifying_a_licence_records_who_when_and_how(as_staff, submitted, trainee, staff):
    licence = add_licence(trainee)
    response = _verify(
        as_staff,
        submitted,
        licence,
        "licence",
        "primary_source",
        "Board site shows active, no discipline.",
        follow_redirects=True,
    )
    assert "The licence is verified." in response.get_data(as_text=True)
    licence = fresh(licence)
    assert licence.verified_by_id == staff.id
    assert utcnow() - licence.verified_at < timedelta(minutes=1)
    assert licence.verification_method == "primary_source"
    assert licence.verification_note == "Board site shows active, no discipline."
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Verified</strong> by Morgan Staff" in page
    assert "primary-source look-up with the licensing board" in page


def test_verifying_insurance_by_carrier_confirmation(as_staff, submitted, trainee):
    insurance = add_insurance(trainee)
    response = _verify(as_staff, submitted, insurance, "insurance", "carrier_confirmation")
    assert response.status_code == 303
    assert fresh(insurance).verification_method == "carrier_confirmation"


@pytest.mark.parametrize(
    ("kind", "method", "message"),
    [
        ("licence", "", "Choose how the record was checked."),
        ("licence", "carrier_confirmation", "Choose how the record was checked."),
        ("insurance", "primary_source", "Choose how the record was checked."),
        ("licence", "other", "Write the note on how it was checked"),
    ],
)
def test_an_unfit_method_is_refused(as_staff, submitted, trainee, kind, method, message):
    record = add_licence(trainee) if kind == "licence" else add_insurance(trainee)
    before = snapshot()
    response = _verify(as_staff, submitted, record, kind, method)
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_verifying_twice_is_refused(as_staff, submitted, trainee):
    licence = add_licence(trainee, verified=True)
    before = snapshot()
    response = _verify(
        as_staff, submitted, licence, "licence", "document_inspection", follow_redirects=True
    )
    assert "already verified" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_verification_is_withdrawn_with_a_reason(as_staff, submitted, trainee):
    insurance = add_insurance(trainee, verified=True)
    before = snapshot()
    response = _unverify(as_staff, submitted, insurance, "insurance", "short")
    assert "Use 10 to 2000 characters." in response.get_data(as_text=True)
    assert snapshot() == before

    response = _unverify(
        as_staff, submitted, insurance, "insurance", "The carrier says the policy was cancelled."
    )
    assert response.status_code == 303
    insurance = fresh(insurance)
    assert insurance.verified_at is None
    assert insurance.verified_by_id is None
    assert "policy was cancelled" in insurance.verification_note


def test_withdrawing_an_unverified_record_is_refused(as_staff, submitted, trainee):
    licence = add_licence(trainee)
    before = snapshot()
    response = _unverify(
        as_staff, submitted, licence, "licence", "Nothing to withdraw here.", follow_redirects=True
    )
    assert "is not verified" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["licence", "insurance"])
@pytest.mark.parametrize("action", ["verify", "unverify"])
def test_another_persons_record_is_not_found(as_staff, submitted, create_user, kind, action):
    stranger = create_user("trainee")
    add = add_licence if kind == "licence" else add_insurance
    record = add(stranger, verified=action == "unverify")
    before = snapshot()
    if action == "verify":
        response = _verify(as_staff, submitted, record, kind, "document_inspection")
    else:
        response = _unverify(as_staff, submitted, record, kind, "A reason that is long enough.")
    assert response.status_code == 404
    assert snapshot() == before


def test_staff_cannot_verify_their_own_licence(client, auth, create_user, program):
    both = create_user("staff", "trainee", name="Dual Role")
    enrollment = enroll(both, program)
    licence = add_licence(both)
    auth.login(both)
    before = snapshot()
    response = _verify(
        client, enrollment, licence, "licence", "document_inspection", follow_redirects=True
    )
    assert "cannot decide on your own records" in response.get_data(as_text=True)
    assert snapshot() == before
