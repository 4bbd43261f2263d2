"""Staff review of continuing education: the queue (oldest first, ages, evidence), bulk approval
with one password as a signature "CE reviewed", rejection with a reason the holder sees and
answers (which sends the entry back), and who may do what."""

from __future__ import annotations

import json
import re

from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.training.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories import signoffs
from tracker.factories.documents import stored_file
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import CE_MEANING
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.training.models import ContinuingEducation

QUEUE = "/signoffs/ce"
REASON = "The certificate names another person: attach your own certificate of attendance."
ANSWER = "My name changed on marriage; the certificate shows my former name."


@committing
def waiting_ce(enrollment, days_ago=1, **values):
    """A CE entry with evidence, pending review for `days_ago` days."""
    file = stored_file(enrollment.trainee)
    return signoffs.waiting_ce(enrollment, days_ago=days_ago, file_id=file.id, **values)


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def text(client, url) -> str:
    return re.sub(r"\s+", " ", client.get(url).get_data(as_text=True))


def test_the_queue_lists_pending_ce_oldest_first_with_ages_and_evidence(as_user, enrollment, staff):
    newer = waiting_ce(enrollment, days_ago=2, title="Newer course")
    older = waiting_ce(enrollment, days_ago=9, title="Older course")
    waiting_didactic(enrollment)  # hours are verified elsewhere
    signoffs_approved = committing(signoffs.approved_ce)
    signoffs_approved(enrollment, staff, title="Approved course")
    page = text(as_user(staff), QUEUE)
    assert "2 waiting, oldest first" in page
    assert page.index("Older course") < page.index("Newer course")
    assert "9 days" in page and "2 days" in page
    assert "Approved course" not in page
    assert f"/files/{older.file_id}" in page and f"/files/{newer.file_id}" in page
    assert "Selected for review by the audit sample" in page
    assert "Tara Trainee" in page


def test_staff_approve_a_selection_with_one_password(as_user, enrollment, staff):
    entries = [waiting_ce(enrollment, days_ago=n) for n in (1, 2)]
    keys = [f"ce:{e.id}" for e in entries]
    client = as_user(staff)
    response = post_form(client, "/signoffs/sign", sign_form(*keys, back="signoffs.ce_review"))
    assert response.headers["Location"].endswith(QUEUE)
    assert "Signed 2 entries" in text(client, QUEUE)
    db.session.expire_all()
    for entry in entries:
        entry = db.session.get(ContinuingEducation, entry.id)
        assert (entry.status, entry.verified_by_id) == ("approved", staff.id)
        signature = db.session.scalar(
            select(Signature).where(Signature.entry_type == "ce", Signature.entry_id == entry.id)
        )
        assert signature.meaning == CE_MEANING
        assert signature.printed_name == "Stella Staff"
        assert verify_binding(signature, entry)
    assert len(events("signature.signed")) == 2
    assert "No continuing education is waiting" in text(client, QUEUE)


def test_a_wrong_password_approves_nothing(as_user, enrollment, staff):
    entry = waiting_ce(enrollment)
    client = as_user(staff)
    post_form(client, "/signoffs/sign", sign_form(f"ce:{entry.id}", password="not it"))
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"
    assert db.session.scalars(select(Signature)).all() == []


def test_an_entry_changed_after_the_queue_showed_it_is_not_approved(as_user, enrollment, staff):
    entry = waiting_ce(enrollment)
    data = sign_form(f"ce:{entry.id}")
    entry.amount = 20
    db.session.commit()
    post_form(as_user(staff), "/signoffs/sign", data)
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"


def test_a_supervisor_cannot_approve_ce(as_user, enrollment, supervisor):
    entry = waiting_ce(enrollment)
    client = as_user(supervisor)
    post_form(client, "/signoffs/sign", sign_form(f"ce:{entry.id}"))
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"
    assert "Only program staff can review continuing education" in text(client, "/signoffs/")


def test_staff_cannot_approve_their_own_ce(as_user, create_user, staff):
    from tests.training.factories import make_enrollment

    own = make_enrollment(staff)
    entry = waiting_ce(own)
    post_form(as_user(staff), "/signoffs/sign", sign_form(f"ce:{entry.id}"))
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"


def test_reject_with_a_reason_the_holder_sees_and_answers(as_user, enrollment, staff, trainee):
    entry = waiting_ce(enrollment)
    reviewer = as_user(staff)
    page = text(reviewer, f"/signoffs/ce/{entry.id}")
    assert "Approve or reject" in page and "Reason for rejecting" in page
    response = post_form(reviewer, f"/signoffs/ce/{entry.id}/return", {"body": REASON})
    assert response.headers["Location"].endswith(QUEUE)
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "rejected"
    rejected = json.loads(events("entry.returned")[-1].after)
    assert (rejected["entry_type"], rejected["status"]) == ("ce", "rejected")

    holder = as_user(trainee)
    ce_page = text(holder, "/training/ce")
    assert "Rejected" in ce_page and REASON in ce_page
    mine = text(holder, f"/signoffs/mine/ce/{entry.id}")
    assert REASON in mine and "Answer and resubmit" in mine
    post_form(holder, f"/signoffs/mine/ce/{entry.id}/answer", {"body": ANSWER})
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"
    answered = json.loads(events("entry.answered")[-1].after)
    assert (answered["status"], answered["answer"]) == ("pending", ANSWER)
    thread = db.session.scalars(
        select(EntryQuestion.kind).where(EntryQuestion.entry_type == "ce")
    ).all()
    assert thread == ["question", "answer"]
    again = text(reviewer, QUEUE)
    assert "1 waiting" in again
    entry_page = text(reviewer, f"/signoffs/ce/{entry.id}")
    assert REASON in entry_page and ANSWER in entry_page


def test_a_rejection_needs_a_reason(as_user, enrollment, staff):
    entry = waiting_ce(enrollment)
    response = post_form(as_user(staff), f"/signoffs/ce/{entry.id}/return", {"body": " "})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(ContinuingEducation, entry.id).status == "pending"


def test_only_a_rejected_entry_can_be_answered(as_user, enrollment, trainee):
    entry = waiting_ce(enrollment)
    post_form(as_user(trainee), f"/signoffs/mine/ce/{entry.id}/answer", {"body": ANSWER})
    assert events("entry.answered") == []


def test_staff_may_reopen_an_approved_entry_with_a_reason(as_user, enrollment, staff):
    entry = committing(signoffs.approved_ce)(enrollment, staff)
    post_form(
        as_user(staff),
        f"/signoffs/ce/{entry.id}/reopen",
        {"reason": "Approved by mistake: the evidence is for another course."},
    )
    db.session.expire_all()
    reopened = db.session.get(ContinuingEducation, entry.id)
    assert (reopened.status, reopened.review_basis) == ("pending", "reopened")
    signature = db.session.scalars(select(Signature)).one()
    assert signature.voided_at is not None


def test_the_queue_reads_a_fixed_number_of_queries(as_user, enrollment, staff, count_queries):
    client = as_user(staff)
    waiting_ce(enrollment)
    with count_queries() as few:
        assert client.get(QUEUE).status_code == 200
    for n in range(8):
        waiting_ce(enrollment, days_ago=n + 2)
    with count_queries() as many:
        assert client.get(QUEUE).status_code == 200
    assert many.count == few.count


def test_staff_see_ce_review_in_their_navigation(as_user, staff, supervisor):
    assert 'href="/signoffs/ce"' in text(as_user(staff), "/signoffs/verification")
    assert 'href="/signoffs/ce"' not in text(as_user(supervisor), "/signoffs/")


def test_approving_many_reads_a_fixed_number_of_queries(
    as_user, enrollment, staff, create_user, count_queries
):
    client = as_user(staff)

    def approved(trainees: int):
        keys = []
        for _ in range(trainees):
            holder = make_enrollment(create_user("trainee"))
            keys += [f"ce:{waiting_ce(holder, days_ago=n + 1).id}" for n in range(2)]
        data = {**sign_form(*keys), "csrf_token": csrf_token(client)}
        with count_queries() as counter:
            assert client.post("/signoffs/sign", data=data).status_code == 302
        return counter

    few = approved(1)
    many = approved(6)
    approvals = select(func.count()).select_from(Signature).where(Signature.entry_type == "ce")
    assert db.session.scalar(approvals) == 2 + 12
    assert many.count == few.count, many.statements
