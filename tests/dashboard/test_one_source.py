"""Each page tells the same story as the engine: the application's parts, what waits on the
supervisor, the CE cycle, and the work that cannot start yet."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.applications.factories import add_document
from tests.applications.factories import add_reference
from tests.applications.factories import answer
from tests.applications.factories import complete_application
from tests.applications.factories import complete_eligibility
from tests.certificates.factories import add_ce
from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tests.enrollments.factories import enroll
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.certificates import services as certificates
from tracker.extensions import db
from tracker.progress.requirements import DEFAULT_SCENARIOS
from tracker.standing import assess_one
from tracker.standing.snapshots import refresh


def _application_count(html: str) -> tuple[int, int]:
    found = re.findall(r"(\d+) of (\d+) parts done", html)
    assert len(found) == 1, found
    return int(found[0][0]), int(found[0][1])


def test_the_home_and_the_application_page_count_the_same_parts(client, auth, create_user):
    trainee = create_user("trainee", name="Ada Applicant")
    enrollment = enroll(trainee)
    add_document(enrollment, "cv", status="accepted")
    add_document(enrollment, "personal_statement")  # uploaded, not yet accepted
    add_reference(enrollment)
    answer(enrollment, DEFAULT_SCENARIOS[0][0])
    auth.login(trainee)
    home = client.get("/dashboard/trainee").get_data(as_text=True)
    page = client.get("/applications/").get_data(as_text=True)
    assert _application_count(home) == _application_count(page)
    # The uploaded statement waits on staff in both places: not done, not missing.
    assert "Personal statement: waiting for review." in home
    assert "Personal statement: waiting for review." in page
    # References are "given" everywhere.
    assert "Professional references: 1 of 2 given." in home
    assert "Professional references: 1 of 2 given." in page
    assert "received" not in home + page


def _group(html: str, heading: str) -> str:
    return html.split(heading, 1)[1].split("</section>", 1)[0]


def test_every_entry_in_the_supervisors_queue_shows_on_the_home_with_its_age(
    client, auth, create_user
):
    trainee = create_user("trainee", name="Wen Waiting")
    supervisor = create_user("supervisor", name="Sol Supervisor")
    enrollment = make_enrollment(trainee)
    assign(enrollment, supervisor)
    waiting_experiential(enrollment, days_ago=2)
    waiting_session(enrollment, days_ago=3)
    waiting_session(enrollment, days_ago=9)
    auth.login(trainee)
    home = client.get("/dashboard/trainee").get_data(as_text=True)
    group = _group(home, "Waiting on your supervisor")
    assert '<span class="badge bg-secondary">3</span>' in group
    assert "waiting 2 days" in group and "waiting 3 days" in group and "waiting 9 days" in group
    # Only the one past the program's 7-day limit is overdue (a warning).
    assert group.count("Warning") == 1
    assert "Blocking" not in group


def test_the_ce_page_and_the_certificate_page_show_the_same_cycle(client, auth, create_user):
    staff = create_user("staff", name="Sam Staff")
    trainee = create_user("trainee", name="Cy Certified")
    enrollment = ready_enrollment(trainee)
    cert = certificates.issue_certificate(enrollment.id, staff, None, password=PASSWORD)
    db.session.commit()
    issued = today() - timedelta(days=400)
    backdate(cert, issued)
    add_ce(enrollment, issued + timedelta(days=20), "ce", "5")  # in the certificate's cycle
    add_ce(enrollment, issued - timedelta(days=200), "ce", "4")  # before the certificate
    add_ce(enrollment, today() - timedelta(days=2), "consultation", "2")
    auth.login(trainee)
    ce_page = client.get("/training/ce").get_data(as_text=True)
    cert_page = client.get("/certificates/mine").get_data(as_text=True)
    span = f"{issued.isoformat()} to "
    assert span in ce_page and span in cert_page
    for page in (ce_page, cert_page):
        page = re.sub(r">\s+<", "><", page)
        credits = page.split("CE credits</th>", 1)[1].split("</tr>", 1)[0]
        assert "<td>5</td><td>12</td><td>Short by 7</td>" in credits
        consultation = page.split("Peer consultation hours</th>", 1)[1].split("</tr>", 1)[0]
        assert "<td>2</td><td>6</td><td>Short by 4</td>" in consultation


def test_someone_without_a_certificate_is_told_nothing_about_ce_cycles(client, auth, create_user):
    trainee = create_user("trainee", name="Nia New")
    make_enrollment(trainee)
    auth.login(trainee)
    page = client.get("/training/ce").get_data(as_text=True)
    assert "Short by" not in page
    assert "window" not in page
    assert "once your certificate is issued" in page


def test_work_that_cannot_start_yet_is_upcoming_not_blocking(client, auth, create_user):
    trainee = create_user("trainee", name="Uma Upcoming")
    make_enrollment(trainee, cohort_started_days_ago=-49)
    auth.login(trainee)
    home = client.get("/dashboard/trainee").get_data(as_text=True)
    training = [line for line in home.splitlines() if "(step 5" in line or "(step 6" in line] + [
        line for line in home.splitlines() if "(step 7" in line
    ]
    assert not [line for line in training if "Blocking" in line]
    upcoming = home.split("<details", 1)[1].split("</details>", 1)[0]
    assert "Upcoming" in upcoming
    assert "Supervised sessions: 0 of 4 signed" in upcoming
    assert "Didactic training: 0 of" in upcoming


def test_the_cohort_page_counts_only_what_blocks_now(client, auth, create_user):
    """Upcoming items are not counted as blocking on the staff row nor matched by a code filter."""
    staff = create_user("staff", name="Sam Staff")
    waiting = create_user("trainee", name="Uma Upcoming")
    running = create_user("trainee", name="Rae Running")
    ahead = make_enrollment(waiting, cohort_started_days_ago=-49)
    started = make_enrollment(running, cohort_started_days_ago=10)
    refresh()  # the nightly refresh: these enrollments were written outside a request
    auth.login(staff)

    def blocking(enrollment) -> int:
        page = client.get(f"/dashboard/cohort?cohort={enrollment.cohort_id}").get_data(as_text=True)
        row = page.split("<tbody>", 1)[1]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.split("</tr>", 1)[0], re.S)
        return int(cells[11])

    assert blocking(started) > blocking(ahead)
    listed = client.get("/dashboard/cohort?code=session.short").get_data(as_text=True)
    assert "Rae Running" in listed and "Uma Upcoming" not in listed
    assert blocking(ahead) == len(assess_one(ahead.id).progress.blocking_items)


def test_the_home_asks_to_submit_only_when_the_submission_would_be_accepted(
    client, auth, create_user
):
    trainee = create_user("trainee", name="Sue Submit")
    enrollment = enroll(trainee)
    complete_application(enrollment, skip=("eligibility",))
    auth.login(trainee)
    assert "submit your application" not in client.get("/dashboard/trainee").get_data(as_text=True)
    complete_eligibility(trainee)
    assert "submit your application" in client.get("/dashboard/trainee").get_data(as_text=True)
    page = post_form(client, "/applications/submit", follow_redirects=True).get_data(as_text=True)
    assert "Application submitted." in page
