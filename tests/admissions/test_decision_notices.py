"""A decision on an application reaches the applicant's inbox as well as their e-mail; one who
chose the inbox only for decisions is not e-mailed."""

from __future__ import annotations

from sqlalchemy import select

from tests.admissions.factories import review_url
from tests.conftest import post_form
from tracker.extensions import db
from tracker.notifications.models import Notice
from tracker.notifications.services import set_preferences


def _notices(person) -> list[Notice]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notice).where(Notice.person_id == person.id)))


def test_admission_reaches_the_inbox_and_the_mail(
    as_staff, reviewed, trainee, mail_outbox, run_jobs
):
    post_form(as_staff, review_url(reviewed, "/admit"), {"admit-note": "Welcome."})
    (notice,) = _notices(trainee)
    assert notice.kind == "admission.decision" and "admitted" in notice.message
    run_jobs()
    assert [m.to for m in mail_outbox] == [trainee.email]
    assert "admitted you to" in mail_outbox[0].body  # the decision's own message


def test_an_applicant_who_chose_the_inbox_only_is_not_mailed(
    as_staff, reviewed, trainee, mail_outbox, run_jobs
):
    set_preferences(trainee, {"admission.decision": "inbox"})
    db.session.commit()
    post_form(as_staff, review_url(reviewed, "/decline"), {"decline-reason": "Not this year."})
    (notice,) = _notices(trainee)
    assert "declined" in notice.message
    run_jobs()
    assert mail_outbox == []
