"""The hours page shows totals against the requirement: per topic, per activity, overall."""

from __future__ import annotations

import re

from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import make_enrollment


def row(page: str, label: str) -> str:
    """The cells of the table row headed `label`, tags removed."""
    match = re.search(rf"<th scope=\"row\"[^>]*>{re.escape(label)}</th>(.*?)</tr>", page, re.S)
    assert match, f"no row {label}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_topic_totals_split_verified_and_waiting(signed_in, enrollment):
    add_didactic(enrollment, "7.5", status="verified", topic_code="pharmacology")
    add_didactic(enrollment, "2", status="pending", topic_code="pharmacology")
    add_didactic(enrollment, "1", status="returned", topic_code="pharmacology")
    add_didactic(enrollment, "4", status="verified", topic_code="legal")
    page = signed_in.get("/training/").get_data(as_text=True)
    # Returned hours wait on the trainee, not on a verifier: the engine does not count them.
    assert row(page, "Pharmacology and mechanisms") == "7.5 2 12 Short by 4.5"
    assert row(page, "Legal and business") == "4 0 4 Met"
    assert "11.5 of 110 verified" in page


def test_experiential_counts_against_required(signed_in, enrollment):
    add_experiential(enrollment, "3", status="verified", kind="observation")
    add_experiential(enrollment, "3", status="verified", kind="observation")
    add_experiential(enrollment, "2", status="pending", kind="role_play")
    page = signed_in.get("/training/").get_data(as_text=True)
    assert row(page, "Observation of a live KAP session") == "6 2 0 (0 h) 2 Met"
    assert row(page, "Role-play") == "0 0 1 (2 h) 2 Short by 2"
    assert row(page, "Personal ketamine session (attestation)").endswith("(at most 3) Optional")
    assert "6 of 30 verified" in page


def test_program_total_adds_verified_didactic_and_experiential(signed_in, enrollment):
    add_didactic(enrollment, "10", status="verified")
    add_experiential(enrollment, "5", status="verified")
    add_experiential(enrollment, "5", status="pending")
    page = signed_in.get("/training/").get_data(as_text=True)
    assert "<strong>15 of 140</strong> for the program" in page


def test_personal_sessions_hidden_when_the_program_has_none(client, auth, trainee):
    make_enrollment(trainee, personal_session_policy="none", personal_sessions_max=0)
    auth.login(trainee)
    page = client.get("/training/").get_data(as_text=True)
    assert "Personal ketamine session" not in page


def test_required_personal_sessions_are_counted(client, auth, trainee):
    enrollment = make_enrollment(
        trainee, personal_session_policy="required", personal_sessions_min=2
    )
    add_experiential(enrollment, "2", status="verified", kind="personal_session")
    auth.login(trainee)
    page = client.get("/training/").get_data(as_text=True)
    # A personal session is an attestation: it counts, and adds no hours.
    assert row(page, "Personal ketamine session (attestation)") == (
        "0 1 0 (0 h) 2 (at most 3) Short by 1"
    )


def test_navigation_links_for_trainees(signed_in):
    page = signed_in.get("/training/").get_data(as_text=True)
    for label, url in (
        ("Hours", "/training/"),
        ("Sessions", "/supervision/"),
        ("CE", "/training/ce"),
    ):
        assert f'href="{url}">{label}</a>' in page
