"""Verification and clearance fields added to a trainee's request are ignored."""

from __future__ import annotations

from tests.conftest import post_form
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import iso
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import db

STAFF_FIELDS = {
    "verified_at": "2026-01-01T00:00:00+00:00",
    "verified_by_id": "1",
    "verification_method": "board website",
    "verification_note": "looks fine",
    "id": "999",
    "created_at": "2000-01-01",
}


def test_licence_verification_cannot_be_posted(signed_in, other):
    data = {
        "licence_type": "MD",
        "number": "A1",
        "jurisdiction": "TX",
        "expires_on": iso(300),
        "trainee_id": str(other.id),
        **STAFF_FIELDS,
    }
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 302
    licence = db.session.query(Licence).one()
    assert licence.verified_at is None and licence.verified_by_id is None
    assert licence.verification_method == "" and licence.verification_note == ""
    assert licence.trainee_id != other.id


def test_editing_does_not_verify(signed_in, trainee):
    licence = add_licence(trainee)
    data = {
        "licence_type": "LCSW",
        "number": "LCS-12345",
        "jurisdiction": "CA",
        "expires_on": iso(700),
        **STAFF_FIELDS,
    }
    assert post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data).status_code == 302
    db.session.refresh(licence)
    assert licence.verified_at is None


def test_insurance_verification_cannot_be_posted(signed_in):
    data = {
        "carrier": "Carrier",
        "policy_number": "P1",
        "starts_on": iso(-1),
        "ends_on": iso(300),
        **STAFF_FIELDS,
    }
    assert post_form(signed_in, "/eligibility/insurance/new", data).status_code == 302
    assert db.session.query(Insurance).one().verified_at is None


def test_clearance_cannot_be_posted(signed_in):
    data = {
        "contraindication": "no",
        "psychosis_history": "no",
        "cardiovascular": "no",
        "pregnancy": "no",
        "willing_to_discuss": "yes",
        "signature": "Tara Trainee",
        "clearance": "cleared",
        "cleared_by_id": "1",
        "cleared_at": "2026-01-01T00:00:00+00:00",
        "signed_at": "2000-01-01T00:00:00+00:00",
    }
    assert post_form(signed_in, "/eligibility/health-screening", data).status_code == 302
    row = db.session.query(HealthScreening).one()
    assert (row.clearance, row.cleared_by_id, row.cleared_at) == ("pending", None, None)
    assert row.signed_at.year >= 2025
