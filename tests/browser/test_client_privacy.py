"""A reflection that names a client's date of birth is shown back with the passage marked,
nothing is stored; once the passage is removed the session is saved. Deleting the draft then
asks first."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.conftest import Person
from tests.conftest import PASSWORD
from tests.training.factories import REFLECTION
from tests.training.factories import make_enrollment
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.supervision.models import SupervisedSession


def _count() -> int:
    db.session.commit()  # end the test's own transaction: see what the server committed
    return db.session.query(SupervisedSession).count()


def test_a_reflection_with_a_date_of_birth_is_shown_back_then_saved(create_user, person):
    trainee = create_user("trainee", email="privacy@example.org")
    make_enrollment(trainee)
    db.session.commit()
    window: Person = person()
    window.open("/account/login")
    window.fill("E-mail address", "privacy@example.org")
    window.fill("Password", PASSWORD)
    window.press("Sign in")

    window.open("/supervision/sessions/new")
    code = window.page.get_by_label("Client code").input_value()
    assert code.startswith("KC-")  # the random code is the easy path
    window.fill("Date of the session", (today_in("UTC") - timedelta(days=2)).isoformat())
    window.select("Setting", "Clinic")
    window.select("Administration route", "IM (intramuscular)")
    window.tick("Observer")
    window.tick("Live")
    window.tick("Dosing phase covered")
    window.fill("Duration (minutes)", "90")
    window.fill("Your reflection", REFLECTION + " The client, DOB 03/12/1985, felt calmer.")
    window.press("Save as draft")

    marked = window.page.locator("mark")
    assert marked.all_inner_texts() == ["DOB 03/12/1985"]
    assert "looks like it holds a date of birth" in window.main_text()
    assert window.page.get_by_label("This is not a client's information", exact=False).count()
    assert _count() == 0  # nothing is stored before the writer chooses

    window.fill("Your reflection", REFLECTION + " The client felt calmer.")
    window.press("Save as draft")
    assert "Session saved as a draft" in window.flash()
    assert _count() == 1

    window.follow("Delete draft")
    assert "Delete this draft session?" in window.main_text()
    assert code in window.main_text()
    assert _count() == 1  # asking deletes nothing
    window.press("Delete draft")
    assert "Draft session deleted" in window.flash()
    assert _count() == 0
