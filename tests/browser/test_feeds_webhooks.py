"""Calendar feeds and webhooks in a real browser: a trainee makes their feed on a phone and the
address it shows serves their dates; staff register an endpoint of a local receiver, copy its
secret, see an issued certificate delivered and signed, and redeliver it from the log. Every
page is audited by axe and fits 360 px."""

from __future__ import annotations

from icalendar import Calendar
from standardwebhooks import Webhook

from tests.browser.conftest import PHONE
from tests.browser.conftest import Person
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.webhooks.conftest import receiver  # noqa: F401 - the receiver fixture
from tracker.certificates import services as certificates
from tracker.extensions import db
from tracker.factories.enrollments import make_enrollment


def sign_in(window: Person, email: str) -> None:
    """Sign in through the sign-in page."""
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")
    assert "Signed in as" in window.flash()


def fits(window: Person) -> None:
    """Nothing reaches past the right edge of a phone's screen."""
    reach = overflow(window)
    assert max(reach.values()) <= TOLERANCE, (window.page.url, reach)


def test_a_trainee_subscribes_to_their_due_dates(app, create_user, person, accessibility):
    trainee = create_user("trainee", name="Robin Vale", email="robin@example.org")
    make_enrollment(trainee, cohort_name="Spring cohort")
    db.session.commit()
    window = person(PHONE)
    sign_in(window, trainee.email)
    window.open("/account/sessions")
    window.follow("calendar feed")
    assert "You have no calendar feed." in window.main_text()
    fits(window)
    window.press("Make my calendar feed")
    address = window.page.get_by_label("Feed address").input_value()
    assert "Copy your feed's address now" in window.main_text()
    fits(window)
    db.session.rollback()  # read what the pages committed
    feed = app.test_client().get(address.removeprefix("http://localhost"))
    assert feed.status_code == 200
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert "Cohort begins: Spring cohort" in summaries
    window.press("Revoke the feed")
    assert "Calendar feed revoked" in window.flash()
    db.session.rollback()
    assert app.test_client().get(address.removeprefix("http://localhost")).status_code == 404
    accessibility.assert_clean()


def test_staff_register_an_endpoint_and_follow_its_deliveries(
    app,
    create_user,
    staff,
    person,
    accessibility,
    receiver,  # noqa: F811 - the fixture imported above
    run_jobs,
):
    holder = create_user("trainee", name="Jordan Avery", email="jordan@example.org")
    ready = ready_enrollment(holder)
    window = person()
    sign_in(window, staff.email)
    window.follow("Webhooks", exact=True)
    assert "No endpoint is registered." in window.main_text()
    window.follow("Register an endpoint")
    window.fill("Address (https://…)", "https://127.0.0.1/hook")
    window.tick("Certificate issued")
    app.config["WEBHOOK_ALLOW_LOCAL"] = False  # as in production: refused, nothing kept
    window.press("Register")
    assert "private, loopback or link-local" in window.main_text()
    app.config["WEBHOOK_ALLOW_LOCAL"] = True
    window.fill("Address (https://…)", receiver.url)
    window.fill("Description", "The LMS")
    window.press("Register")
    secret = window.page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")

    db.session.rollback()  # read what the pages committed
    certificates.issue_certificate(ready.id, staff, None, password=PASSWORD)
    db.session.commit()
    run_jobs()
    [sent] = receiver.requests
    assert Webhook(secret).verify(sent.body, sent.headers)["type"] == "certificate.issued"

    window.follow("Go to the endpoint's delivery log")
    log = window.main_text()
    assert "Certificate issued" in log and "Delivered" in log and secret not in log
    window.press(f"Redeliver {sent.headers['webhook-id']}")
    assert "Redelivery queued" in window.flash()
    run_jobs()
    assert len(receiver.requests) == 2

    phone = person(PHONE)
    sign_in(phone, staff.email)
    for path in ("/webhooks", window.page.url.removeprefix(window.base_url), "/webhooks/new"):
        phone.open(path)
        fits(phone)
    accessibility.assert_clean()
