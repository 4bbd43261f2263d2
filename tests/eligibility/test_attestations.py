"""The experience attestation and the health screening: valid, invalid, and re-signing."""

from __future__ import annotations

import pytest
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import select

from tests.conftest import post_form
from tests.eligibility.factories import add_screening
from tests.enrollments.factories import count
from tracker.eligibility.models import ExperienceAttestation
from tracker.eligibility.models import HealthScreening
from tracker.extensions import db

EXPERIENCE = {
    "years_practice": "12",
    "practice_settings": "Private practice; hospital",
    "attest": "y",
}
SCREENING = {
    "contraindication": "no",
    "psychosis_history": "no",
    "cardiovascular": "no",
    "pregnancy": "no",
    "willing_to_discuss": "yes",
    "signature": "Tara Trainee",
}


def test_experience_is_attested(signed_in, trainee):
    assert post_form(signed_in, "/eligibility/experience", EXPERIENCE).status_code == 302
    row = db.session.query(ExperienceAttestation).one()
    assert (row.trainee_id, row.years_practice, row.superseded_at) == (trainee.id, 12, None)
    assert row.statement.startswith("I attest")
    assert "Attested on" in signed_in.get("/eligibility/").get_data(as_text=True)


def test_attesting_again_replaces_and_keeps_history(signed_in):
    post_form(signed_in, "/eligibility/experience", EXPERIENCE)
    post_form(signed_in, "/eligibility/experience", {**EXPERIENCE, "years_practice": "13"})
    rows = db.session.scalars(
        select(ExperienceAttestation).order_by(ExperienceAttestation.id)
    ).all()
    assert [r.years_practice for r in rows] == [12, 13]
    assert rows[0].superseded_at is not None
    assert rows[1].superseded_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"years_practice": "71"}, "between 0 and 70"),
        ({"years_practice": "-1"}, "between 0 and 70"),
        ({"years_practice": "ten"}, "Not a valid integer value."),
        ({"years_practice": ""}, "Enter the number of years."),
        ({"practice_settings": ""}, "Describe your practice settings."),
        ({"practice_settings": "x" * 1001}, "Use at most 1000 characters."),
        ({"attest": ""}, "Tick the statement to attest your experience."),
    ],
)
def test_invalid_attestations_are_refused(signed_in, changes, message):
    data = {key: value for key, value in {**EXPERIENCE, **changes}.items() if value != ""}
    response = post_form(signed_in, "/eligibility/experience", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(ExperienceAttestation) == 0


def test_zero_years_is_a_valid_answer(signed_in):
    post_form(signed_in, "/eligibility/experience", {**EXPERIENCE, "years_practice": "0"})
    assert db.session.query(ExperienceAttestation).one().years_practice == 0


def test_screening_is_signed_and_waits_for_clearance(signed_in, trainee):
    assert post_form(signed_in, "/eligibility/health-screening", SCREENING).status_code == 302
    row = db.session.query(HealthScreening).one()
    assert row.trainee_id == trainee.id
    assert (row.contraindication, row.willing_to_discuss) == (False, True)
    assert (row.clearance, row.cleared_by_id, row.cleared_at) == ("pending", None, None)
    assert row.signed_at is not None
    page = signed_in.get("/eligibility/").get_data(as_text=True)
    assert "Waiting for clearance by program staff" in page


def test_the_signature_matches_the_name_whatever_the_case_and_spacing(signed_in):
    data = {**SCREENING, "signature": "  tara   TRAINEE "}
    assert post_form(signed_in, "/eligibility/health-screening", data).status_code == 302
    assert count(HealthScreening) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"signature": "Someone Else"}, "signature", "Type your full name exactly"),
        ({"signature": ""}, "signature", "Type your full name to sign."),
        ({"pregnancy": ""}, "pregnancy", "Answer yes or no."),
        ({"cardiovascular": "maybe"}, "cardiovascular", "Answer yes or no."),
    ],
)
def test_invalid_screenings_are_refused(signed_in, changes, field, message):
    data = {key: value for key, value in {**SCREENING, **changes}.items() if value != ""}
    response = post_form(signed_in, "/eligibility/health-screening", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert count(HealthScreening) == 0


def test_a_new_screening_replaces_a_cleared_one_and_needs_clearance_again(signed_in, trainee):
    old = add_screening(trainee, clearance="cleared")
    post_form(signed_in, "/eligibility/health-screening", {**SCREENING, "pregnancy": "yes"})
    db.session.expire_all()
    rows = db.session.scalars(select(HealthScreening).order_by(HealthScreening.id)).all()
    assert [r.id for r in rows] == [old.id, rows[1].id]
    assert rows[0].superseded_at is not None and rows[0].clearance == "cleared"
    assert rows[1].clearance == "pending" and rows[1].pregnancy is True


def test_the_screening_has_no_free_text_field(signed_in):
    page = signed_in.get("/eligibility/health-screening").get_data(as_text=True)
    assert "<textarea" not in page
    columns = set(HealthScreening.__table__.columns.keys())
    text_columns = {
        c.name for c in HealthScreening.__table__.columns if isinstance(c.type, String | Text)
    }
    assert text_columns == {"signature", "clearance"}
    assert "willing_to_discuss" in columns
