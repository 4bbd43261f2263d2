"""A returned entry reaches the trainee, in a real browser: the trainee chooses on the account
page to be e-mailed at once when an entry comes back; the supervisor returns a session with a
question; the worker mails it to a real SMTP server; the trainee's navigation counts one unread
notice, the inbox links to the session and its question, and marking it read clears the count.
The inbox and the preferences fit a 360 px phone. Every page is checked with axe-core."""

from __future__ import annotations

from tests.browser.conftest import PHONE
from tests.browser.test_journey import sign_in
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.notifications.test_smtp import running_smtp
from tests.signoffs.factories import give_credentials
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment

QUESTION = "Which monitoring protocol did you follow during dosing?"


def test_a_returned_entry_reaches_the_inbox_and_the_mail(
    app, runner, person, accessibility, create_user
):
    trainee = create_user("trainee", name="Tara Trainee")
    supervisor = create_user("supervisor", name="Dr. Sue Signer")
    give_credentials(supervisor)
    enrollment = make_enrollment(trainee)
    assign(enrollment, supervisor)
    session = waiting_session(enrollment, supervisor)
    with running_smtp(app) as smtp_server:
        _journey(runner, person, trainee, supervisor, session, smtp_server)
    accessibility.assert_clean()


def _journey(runner, person, trainee, supervisor, session, smtp_server) -> None:
    tara, sue = person(), person()

    sign_in(tara, trainee.email)
    tara.follow(trainee.full_name, exact=True)
    returned = tara.page.locator("fieldset", has_text="A supervised session returned to you")
    tara.tick("E-mail at once", within=returned)
    signed = tara.page.locator("fieldset", has_text="Your supervised session was signed")
    tara.tick("Inbox only", within=signed)
    tara.press("Save notice preferences")
    assert "Your notice preferences are saved." in tara.flash()

    sign_in(sue, supervisor.email)
    sue.open(f"/signoffs/session/{session.id}")
    sue.fill("Question", QUESTION)
    sue.press("Return with this question")
    assert "Returned to the trainee with your question" in sue.flash()

    assert smtp_server.received == []  # the page only queued it: the worker sends it
    assert "1 job done" in runner.invoke(args=["worker", "--once"]).output
    (message,) = smtp_server.received
    assert message["To"] == trainee.email
    assert QUESTION in message.get_content()

    tara.open("/dashboard/trainee")
    inbox_link = tara.page.get_by_role("link", name="Inbox 1 unread")
    assert inbox_link.is_visible()
    tara.click(inbox_link)
    assert QUESTION in tara.main_text()
    tara.click(tara.page.locator("main ul a", has_text="returned to you"))
    assert QUESTION in tara.main_text() and "Returned with a question" in tara.main_text()
    tara.follow("Inbox")
    tara.press("Mark read")
    assert "Marked read." in tara.flash()
    assert tara.page.get_by_role("link", name="Inbox", exact=True).is_visible()

    phone = person(PHONE)
    sign_in(phone, trainee.email)
    too_wide = {}
    for path in ("/notifications/", "/account/sessions"):
        phone.open(path)
        reach = overflow(phone)
        if max(reach.values()) > TOLERANCE:
            too_wide[path] = reach
    assert not too_wide, f"wider than {PHONE['width']} px: {too_wide}"
