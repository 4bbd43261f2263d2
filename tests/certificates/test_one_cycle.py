"""One cycle, one verdict: the CE page, the trainee's certificate page, the staff certificate
page, the public verification page and the trainee's digest show the same renewal cycle, the
same total and the same verdict, all from the engine's `current_cycle`."""

from __future__ import annotations

from datetime import timedelta

from tests.certificates.factories import add_ce
from tests.certificates.factories import backdate
from tests.certificates.factories import today
from tracker.progress.certification_rules import add_months
from tracker.progress.text import day
from tracker.signoffs.reminders import trainee_items


def test_the_same_cycle_total_and_verdict_on_the_four_pages_and_the_digest(
    client, auth, staff, trainee, certificate
):
    # The current cycle ends in 40 days, with 3 of 12 CE credits and 2 of 6 consultation hours.
    backdate(certificate, add_months(today() + timedelta(days=41), -24))
    starts_on = certificate.issued_on
    ends_on = add_months(starts_on, 24) - timedelta(days=1)
    assert ends_on == today() + timedelta(days=40)
    add_ce(certificate.enrollment, today() - timedelta(days=10), "ce", "3")
    add_ce(certificate.enrollment, today() - timedelta(days=10), "consultation", "2")
    add_ce(certificate.enrollment, starts_on - timedelta(days=1), "ce", "9")  # before the cycle
    span = f"{starts_on.isoformat()} to {ends_on.isoformat()}"
    credits = "CE credits</th><td>3</td><td>12</td>"
    consultation = "consultation hours</th><td>2</td><td>6</td>"

    auth.login(trainee)
    ce_page = client.get("/training/ce").get_data(as_text=True)
    assert f"Current renewal cycle of your certificate: {span}" in ce_page
    assert credits in ce_page
    assert consultation in ce_page
    mine = client.get("/certificates/mine").get_data(as_text=True)
    assert f"Current renewal cycle: {span}" in mine
    assert credits in mine
    assert consultation in mine
    assert '">Valid</span>' in mine
    auth.logout()

    auth.login(staff)
    staff_page = client.get(f"/certificates/enrollments/{certificate.enrollment_id}").get_data(
        as_text=True
    )
    assert f"Current renewal cycle: {span}" in staff_page
    assert credits in staff_page
    assert consultation in staff_page
    assert '">Valid</span>' in staff_page
    assert "At risk" in staff_page
    auth.logout()

    public = client.get(
        f"/verify/{certificate.verification_code}", headers={"Accept": "application/json"}
    ).get_json()
    assert public["cycle_ends_on"] == ends_on.isoformat()
    assert public["status"] == "valid"
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert ends_on.isoformat() in page
    assert '">Valid</span>' in page

    # The digest lists the engine's item about the same cycle and totals.
    items = trainee_items(today())[trainee.id]
    at_risk = next(i for i in items if i.code == "certificate.at_risk")
    assert f"{day(starts_on)} to {day(ends_on)}" in at_risk.message
    assert "3 of 12 CE credits, 2 of 6 consultation hours" in at_risk.message
