"""The holder's side of CE review: what a submission becomes (the audit sample, a closed cycle),
that resubmitting cannot re-draw, and the locks: an approved entry and every entry dated inside
a closed cycle cannot be changed or deleted, on any route, and nothing changes when refused."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker.audit.models import AuditEvent
from tracker.certificates import queries as certificate_queries
from tracker.certificates import services as certificate_services
from tracker.certificates.models import Certificate
from tracker.documents.models import StoredFile
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories import training
from tracker.factories.documents import stored_file
from tracker.progress import CertificateStatus
from tracker.training.continuing_education import audit_draw
from tracker.training.models import ContinuingEducation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW = "/training/ce/new"


@committing
def _add_ce(enrollment, status="pending", **values):
    """A CE entry with a stored certificate file, as the holder left it."""
    file = stored_file(enrollment.trainee)
    return training.add_ce(enrollment, "3", status=status, file_id=file.id, **values)


@committing
def _review_settings(enrollment, **changes):
    """Change the enrollment's requirement set in place (as a test-only shortcut)."""
    requirements = enrollment.requirements
    requirements.content = json.dumps({**json.loads(requirements.content), **changes})


@pytest.fixture
def staff(create_user):
    """A staff member (who issues the certificate)."""
    return create_user("staff", name="Morgan Staff")


@pytest.fixture
def holder(create_user):
    """A certified trainee."""
    return create_user("trainee", name="Holly Holder")


@pytest.fixture
def certified(holder, staff):
    """The holder's enrollment, certified 800 days ago: the first cycle (24 months) closed
    about 70 days ago and its 60-day grace period is over, so the certificate is lapsed."""
    enrollment = ready_enrollment(holder)
    cert = certificate_services.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.commit()
    backdate(cert, today() - timedelta(days=800))
    return enrollment


@pytest.fixture
def signed_in(client, auth, holder, certified):
    """The client signed in as the holder."""
    auth.login(holder)
    return client


def closed_day():
    """A day inside the closed first cycle."""
    return today() - timedelta(days=700)


def open_day():
    """A day inside the cycle under way."""
    return today() - timedelta(days=2)


def form(on, **changes):
    data = {
        "kind": "ce",
        "on": on.isoformat(),
        "title": "Self-study",
        "provider": "Myself",
        "amount": "12",
        "certificate": (io.BytesIO(PDF), "attendance.pdf"),
    }
    data.update(changes)
    return data


def post_ce(client, url, data):
    return post_form(client, url, data, content_type="multipart/form-data")


def only_entry() -> ContinuingEducation:
    return db.session.scalars(select(ContinuingEducation)).one()


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# -- what a submission becomes --------------------------------------------------------------------


def test_every_entry_waits_for_review_by_default(signed_in):
    response = post_ce(signed_in, NEW, form(open_day()))
    assert response.status_code == 302
    entry = only_entry()
    assert (entry.status, entry.review_basis) == ("pending", "sampled")
    assert 0 <= entry.audit_draw < 100
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert "Pending review" in page
    logged = json.loads(events("ce.logged")[-1].after)
    assert logged["status"] == "pending" and logged["audit_draw"] == entry.audit_draw


def test_an_entry_the_sample_does_not_select_is_approved_on_submission_and_counts(
    signed_in, certified
):
    _review_settings(certified, ce_audit_percent=0)
    response = post_ce(signed_in, NEW, form(open_day(), amount="5"))
    assert response.status_code == 302
    entry = only_entry()
    assert (entry.status, entry.review_basis) == ("approved", "not_sampled")
    assert entry.audit_draw is not None
    assert entry.verified_by_id is None  # approved by rule, not by a person
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert "Read-only" in page and "Approved" in page


def test_an_entry_dated_inside_a_closed_cycle_always_waits_for_staff(signed_in, certified):
    _review_settings(certified, ce_audit_percent=0)
    post_ce(signed_in, NEW, form(closed_day()))
    post_ce(signed_in, NEW, form(closed_day(), kind="consultation", amount="6"))
    entries = db.session.scalars(select(ContinuingEducation)).all()
    assert [(e.status, e.review_basis) for e in entries] == [("pending", "closed_cycle")] * 2
    cert = db.session.scalar(select(Certificate).where(Certificate.enrollment_id == certified.id))
    assert certificate_queries.standing(cert).status == CertificateStatus.LAPSED


def test_evidence_is_not_asked_when_the_set_says_so(signed_in, certified):
    _review_settings(certified, ce_evidence_required=False)
    data = form(open_day())
    del data["certificate"]
    assert post_ce(signed_in, NEW, data).status_code == 302
    assert only_entry().file_id is None


def test_evidence_is_required_and_nothing_is_saved_without_it(signed_in):
    data = form(open_day())
    del data["certificate"]
    response = post_ce(signed_in, NEW, data)
    assert response.status_code == 200
    assert "Attach the certificate of attendance" in response.get_data(as_text=True)
    assert db.session.scalars(select(ContinuingEducation)).all() == []


# -- the draw cannot be gamed ---------------------------------------------------------------------


def _values(enrollment, **changes):
    values = {
        "kind": "ce",
        "on": open_day(),
        "provider": "Myself",
        "title": "Self-study",
        "amount": Decimal(12),
    }
    return {**values, **changes}


def test_the_draw_depends_on_the_content_and_is_the_same_for_the_same_content(app, certified):
    first = audit_draw(certified.id, _values(certified))
    # Spacing and capitals do not make another entry.
    assert first == audit_draw(certified.id, _values(certified, title="  self-STUDY "))
    draws = {audit_draw(certified.id, _values(certified, title=f"Course {n}")) for n in range(40)}
    assert len(draws) > 10  # spread over 0-99
    assert all(0 <= d < 100 for d in draws)


def test_deleting_and_logging_the_same_again_draws_the_same(signed_in, certified):
    draw = audit_draw(certified.id, _values(certified))
    # The sample selects this content: it waits; deleted and logged again, it waits again.
    _review_settings(certified, ce_audit_percent=min(draw + 1, 100))
    post_ce(signed_in, NEW, form(open_day()))
    entry = only_entry()
    assert (entry.status, entry.audit_draw) == ("pending", draw)
    post_form(signed_in, f"/training/ce/{entry.id}/delete")
    assert db.session.scalars(select(ContinuingEducation)).all() == []
    post_ce(signed_in, NEW, form(open_day()))
    again = only_entry()
    assert (again.status, again.audit_draw) == ("pending", draw)


def test_a_selected_entry_deleted_passes_its_selection_to_the_next_submission(signed_in, certified):
    titles = [f"Course {n}" for n in range(200)]
    drawn = {t: audit_draw(certified.id, _values(certified, title=t)) for t in titles}
    selected = next(t for t in titles if drawn[t] < 50)
    free = [t for t in titles if drawn[t] >= 50][:2]
    _review_settings(certified, ce_audit_percent=50)
    post_ce(signed_in, NEW, form(open_day(), title=selected))
    entry = only_entry()
    assert (entry.status, entry.review_basis) == ("pending", "sampled")
    post_form(signed_in, f"/training/ce/{entry.id}/delete")
    # Logged again as something the sample would not select: it waits in the deleted one's place.
    post_ce(signed_in, NEW, form(open_day(), title=free[0]))
    again = only_entry()
    assert (again.status, again.review_basis) == ("pending", "carried")
    # The selection is spent: the next entry the sample does not select is approved.
    post_ce(signed_in, NEW, form(open_day(), title=free[1]))
    latest = db.session.scalars(
        select(ContinuingEducation).order_by(ContinuingEducation.id.desc())
    ).first()
    assert (latest.status, latest.review_basis) == ("approved", "not_sampled")


def test_an_edited_entry_stays_selected(signed_in, certified):
    draw = audit_draw(certified.id, _values(certified))
    _review_settings(certified, ce_audit_percent=min(draw + 1, 100))
    post_ce(signed_in, NEW, form(open_day()))
    entry = only_entry()
    # Whatever the new content would draw, the edited entry keeps its draw and waits.
    for n in range(5):
        data = form(open_day(), title=f"Other course {n}")
        del data["certificate"]
        assert post_ce(signed_in, f"/training/ce/{entry.id}/edit", data).status_code == 302
        db.session.refresh(entry)
        assert (entry.status, entry.review_basis, entry.audit_draw) == ("pending", "sampled", draw)


def test_a_rejected_entry_changed_by_the_holder_waits_for_review_again(signed_in, certified):
    entry = _add_ce(certified, status="rejected", on=open_day())
    data = form(open_day(), title="Corrected title")
    assert post_ce(signed_in, f"/training/ce/{entry.id}/edit", data).status_code == 302
    db.session.refresh(entry)
    assert (entry.status, entry.title) == ("pending", "Corrected title")
    changed = events("ce.updated")[-1]
    assert json.loads(changed.before)["status"] == "rejected"
    assert json.loads(changed.after)["status"] == "pending"


# -- locks ----------------------------------------------------------------------------------------

LOCKED = {
    "closed cycle, pending": ("pending", closed_day, "closed"),
    "closed cycle, rejected": ("rejected", closed_day, "closed"),
    "closed cycle, approved": ("approved", closed_day, "approved"),
    "approved": ("approved", open_day, "approved"),
}
ROUTES = ("GET edit", "POST edit", "POST delete")


def _snapshot(entry):
    db.session.refresh(entry)
    return (entry.status, entry.on, entry.title, entry.amount, entry.file_id, entry.updated_at)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", list(LOCKED), ids=list(LOCKED))
def test_a_locked_entry_cannot_be_changed_or_deleted(signed_in, certified, case, route):
    status, day, word = LOCKED[case]
    entry = _add_ce(certified, status=status, on=day())
    before = _snapshot(entry)
    files = db.session.scalars(select(StoredFile)).all()
    base = f"/training/ce/{entry.id}"
    if route == "GET edit":
        response = signed_in.get(f"{base}/edit")
    elif route == "POST edit":
        response = post_ce(signed_in, f"{base}/edit", form(open_day(), title="Changed"))
    else:
        response = post_form(signed_in, f"{base}/delete")
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "can no longer be changed" in page
    assert word in page
    assert _snapshot(entry) == before
    assert db.session.scalars(select(StoredFile)).all() == files  # no file stored or released
    assert events("ce.updated") == [] and events("ce.deleted") == []


def test_the_ce_page_offers_no_edit_or_delete_for_a_locked_entry(signed_in, certified):
    _add_ce(certified, status="pending", on=closed_day())
    _add_ce(certified, status="pending", on=open_day())
    page = signed_in.get("/training/ce").get_data(as_text=True)
    assert page.count("Read-only") == 1
    assert page.count(">Edit<") == 1


def test_a_pending_entry_of_the_open_cycle_can_be_deleted(signed_in, certified):
    entry = _add_ce(certified, status="pending", on=open_day())
    assert post_form(signed_in, f"/training/ce/{entry.id}/delete").status_code == 302
    assert db.session.scalars(select(ContinuingEducation)).all() == []
    assert events("ce.deleted")
