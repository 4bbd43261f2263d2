"""Staff clear (or do not clear) the current health-screening attestation; the page shows the
attestation and the clearance, never the answers."""

from __future__ import annotations

import pytest

from tests.admissions.factories import add_screening
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import post_form
from tracker.eligibility.models import SCREENING_QUESTIONS
from tracker.extensions import db
from tracker.extensions import utcnow


def _clear(client, enrollment, screening, clearance: str, **kwargs):
    return post_form(
        client,
        review_url(enrollment, f"/health/{screening.id}"),
        {"health-clearance": clearance},
        **kwargs,
    )


@pytest.mark.parametrize("clearance", ["cleared", "not_cleared"])
def test_staff_record_the_clearance(as_staff, submitted, trainee, staff, clearance):
    screening = add_screening(trainee)
    assert _clear(as_staff, submitted, screening, clearance).status_code == 303
    screening = fresh(screening)
    assert screening.clearance == clearance
    assert screening.cleared_by_id == staff.id
    assert screening.cleared_at is not None


def test_the_same_clearance_twice_and_unknown_values_are_refused(as_staff, submitted, trainee):
    screening = add_screening(trainee, clearance="cleared")
    for value in ("cleared", "pending", ""):
        before = snapshot()
        response = _clear(as_staff, submitted, screening, value)
        text = response.get_data(as_text=True)
        assert "already cleared" in text or "Choose cleared or not cleared." in text
        assert snapshot() == before


def test_a_superseded_screening_cannot_be_cleared(as_staff, submitted, trainee):
    screening = add_screening(trainee)
    screening.superseded_at = utcnow()
    db.session.commit()
    before = snapshot()
    response = _clear(as_staff, submitted, screening, "cleared", follow_redirects=True)
    assert "A newer screening replaced this one" in response.get_data(as_text=True)
    assert snapshot() == before


def test_another_persons_screening_is_not_found(as_staff, submitted, create_user):
    foreign = add_screening(create_user("trainee"))
    before = snapshot()
    assert _clear(as_staff, submitted, foreign, "cleared").status_code == 404
    assert snapshot() == before


def test_the_page_shows_no_medical_detail(as_staff, submitted, trainee):
    add_screening(trainee)
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Waiting for clearance by program staff" in page
    for _column, question in SCREENING_QUESTIONS:
        assert question not in page
