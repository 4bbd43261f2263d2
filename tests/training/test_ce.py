"""Continuing education: credits or consultation hours, dated within 5 years, with the
certificate of attendance as evidence (required by default), judged by its content."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_ce
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.core.clock import today_in
from tracker.documents.models import StoredFile
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories.documents import stored_file
from tracker.training.models import ContinuingEducation

URL = "/training/ce/new"
stored_file_of = committing(lambda owner: stored_file(owner).id)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def valid(**changes):
    data = {
        "kind": "ce",
        "on": iso(yesterday()),
        "title": "Ketamine pharmacology update",
        "provider": "Society for Psychedelic Medicine",
        "amount": "3.5",
    }
    data.update(changes)
    return data


def post_ce(client, url, data, evidence=True):
    """POST the CE form with a certificate of attendance attached (unless `evidence` is False)."""
    if evidence and "certificate" not in data:
        data = {**data, "certificate": (io.BytesIO(PDF), "attendance.pdf")}
    return post_form(client, url, data, content_type="multipart/form-data")


def test_ce_credits_logged(signed_in, enrollment):
    assert post_ce(signed_in, URL, valid()).status_code == 302
    item = db.session.scalars(select(ContinuingEducation)).one()
    assert (item.kind, item.amount) == ("ce", Decimal("3.50"))
    assert item.file_id is not None
    assert item.enrollment_id == enrollment.id
    # The default requirement set reviews every entry: it waits for staff.
    assert (item.status, item.review_basis) == ("pending", "sampled")


def test_evidence_is_required_by_default(signed_in):
    response = post_ce(signed_in, URL, valid(), evidence=False)
    assert response.status_code == 200
    assert "Attach the certificate of attendance" in response.get_data(as_text=True)
    assert count(ContinuingEducation) == 0


def test_consultation_hours_logged(signed_in):
    assert post_ce(signed_in, URL, valid(kind="consultation", amount="1.25")).status_code == 302
    item = db.session.scalars(select(ContinuingEducation)).one()
    assert item.kind == "consultation"
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert "1.25 hours" in page


def test_certificate_is_stored_for_the_trainee(signed_in, trainee):
    data = valid(certificate=(io.BytesIO(PDF), "certificate.pdf"))
    response = post_form(signed_in, URL, data, content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.scalars(select(ContinuingEducation)).one()
    stored = db.session.get(StoredFile, item.file_id)
    assert stored.owner_id == trainee.id
    assert stored.content_type == "application/pdf"
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert f"/files/{stored.id}" in page
    download = signed_in.get(f"/files/{stored.id}")
    assert download.status_code == 200
    assert download.data == PDF
    download.close()


def test_a_script_named_pdf_is_refused_and_nothing_is_saved(signed_in, app, tmp_path):
    data = valid(certificate=(io.BytesIO(b"<script>alert(1)</script>"), "evil.pdf"))
    response = post_form(signed_in, URL, data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "PDF, PNG or JPEG" in response.get_data(as_text=True)
    assert count(ContinuingEducation) == 0
    assert count(StoredFile) == 0


def test_a_refused_form_keeps_no_uploaded_file(signed_in, app):
    data = valid(amount="0.3", certificate=(io.BytesIO(PDF), "certificate.pdf"))
    response = post_form(signed_in, URL, data, content_type="multipart/form-data")
    assert "quarter credits" in response.get_data(as_text=True)
    assert count(ContinuingEducation) == 0
    assert count(StoredFile) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "must be more than 0"),
        ({"amount": "-1"}, "must be more than 0"),
        ({"amount": "40.25"}, "At most 40 credits"),
        ({"amount": "0.3"}, "quarter credits"),
        ({"kind": "consultation", "amount": "41"}, "At most 40 hours"),
        ({"kind": "webinar"}, "Choose CE credits or peer consultation hours"),
        ({"title": ""}, "Enter the title"),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"provider": "p" * 10_000}, "at most 200 characters"),
        ({"on": iso(today_in("UTC") + timedelta(days=1))}, "cannot be in the future"),
        ({"on": iso(today_in("UTC") - timedelta(days=5 * 366))}, "more than 5 years ago"),
        ({"on": "not a date"}, "Enter the date as YYYY-MM-DD"),
    ],
)
def test_invalid_ce_refused(signed_in, changes, message):
    response = post_ce(signed_in, URL, valid(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(ContinuingEducation) == 0


def test_ce_before_the_cohort_but_within_5_years_is_accepted(signed_in, enrollment):
    day = enrollment.cohort.starts_on - timedelta(days=400)
    assert post_ce(signed_in, URL, valid(on=iso(day), amount="40")).status_code == 302


def test_edit_and_delete_ce(signed_in, enrollment, trainee):
    item = add_ce(enrollment, amount="3", status="pending", file_id=stored_file_of(trainee))
    url = f"/training/ce/{item.id}/edit"
    assert 'value="3.00"' in signed_in.get(url).get_data(as_text=True)
    assert post_ce(signed_in, url, valid(amount="6", title="Changed"), False).status_code == 302
    db.session.refresh(item)
    assert (item.amount, item.title) == (Decimal("6.00"), "Changed")
    response = post_ce(signed_in, url, valid(amount="99"), False)
    assert "At most 40" in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.amount == Decimal("6.00")
    assert post_form(signed_in, f"/training/ce/{item.id}/delete").status_code == 302
    assert count(ContinuingEducation) == 0


def test_without_a_certificate_no_cycle_totals_are_shown(signed_in, enrollment):
    """CE cycles run from the certificate's issue date: before it, the page lists the records
    and asks for nothing (it once showed a rolling window "short by 12")."""
    today = today_in("UTC")
    add_ce(enrollment, amount="5", on=today - timedelta(days=10))
    add_ce(enrollment, amount="2.5", kind="consultation", on=today - timedelta(days=3))
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert "Short by" not in page and "Met" not in page
    assert "start once your certificate is issued" in page
    assert "Your records (2)" in page
