"""Admission pins the requirement-set version; a later change of the track's requirements does
not move an admitted trainee until staff move them explicitly (recorded in the audit trail)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.admissions.factories import add_version
from tests.admissions.factories import fresh
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import post_form
from tracker.admissions.services import requirements_move_target
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.standing.loader import load_enrollment


@pytest.fixture
def submitted(reviewed):
    """The submitted application, its reviews waived: these tests are about the decision."""
    return reviewed


def _admit(client, enrollment):
    response = post_form(client, review_url(enrollment, "/admit"), {})
    assert response.status_code == 303


def test_a_later_change_does_not_move_an_admitted_trainee(as_staff, submitted, program):
    track = program.tracks[0]
    first = track.requirement_sets[0]
    _admit(as_staff, submitted)
    add_version(track, references_required=5)
    enrollment = fresh(submitted)
    assert enrollment.requirement_set_id == first.id
    loaded = load_enrollment(enrollment.id)
    assert loaded.spec.references_required == 2
    page = as_staff.get(review_url(enrollment)).get_data(as_text=True)
    assert "Version 1 (pinned at admission)" in page
    assert "version 1 → version 2" in page


def test_admission_pins_the_version_current_at_the_time(as_staff, submitted, program):
    track = program.tracks[0]
    second = add_version(track, references_required=3)
    _admit(as_staff, submitted)
    assert fresh(submitted).requirement_set_id == second.id


def test_staff_move_an_enrollment_to_the_newest_version(as_staff, submitted, program, trainee):
    track = program.tracks[0]
    _admit(as_staff, submitted)
    second = add_version(track, references_required=5)
    response = post_form(
        as_staff,
        review_url(submitted, "/requirements"),
        {"version-to_version": str(second.id), "version-note": "Program-wide update."},
        follow_redirects=True,
    )
    assert "Requirements moved from version 1 to version 2." in response.get_data(as_text=True)
    assert fresh(submitted).requirement_set_id == second.id
    assert load_enrollment(submitted.id).spec.references_required == 5
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "enrollment.requirements_moved")
    )
    assert event.subject_user_id == trainee.id
    assert json.loads(event.before)["requirement_version"] == 1
    assert json.loads(event.after)["requirement_version"] == 2
    assert json.loads(event.after)["note"] == "Program-wide update."


def test_moving_when_already_newest_is_refused(as_staff, submitted, program):
    _admit(as_staff, submitted)
    before = snapshot()
    response = post_form(
        as_staff,
        review_url(submitted, "/requirements"),
        {"version-to_version": str(program.tracks[0].requirement_sets[0].id)},
        follow_redirects=True,
    )
    assert "already follows the newest version" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_version_added_after_the_page_was_shown_is_not_applied_unseen(
    as_staff, submitted, program
):
    track = program.tracks[0]
    _admit(as_staff, submitted)
    second = add_version(track, references_required=3)
    add_version(track, references_required=4)
    before = snapshot()
    response = post_form(
        as_staff,
        review_url(submitted, "/requirements"),
        {"version-to_version": str(second.id)},
        follow_redirects=True,
    )
    assert "Version 3 was added meanwhile" in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_application_not_yet_admitted_cannot_be_moved(as_staff, submitted, program):
    add_version(program.tracks[0], references_required=3)
    before = snapshot()
    response = post_form(
        as_staff, review_url(submitted, "/requirements"), {}, follow_redirects=True
    )
    assert "Only an admitted enrollment is pinned" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_page_offers_the_move_exactly_when_the_service_allows_it(as_staff, submitted, program):
    """One rule (requirements_move_target) decides both the offer and the move."""
    track = program.tracks[0]
    assert requirements_move_target(fresh(submitted)) is None  # not admitted yet
    _admit(as_staff, submitted)
    assert requirements_move_target(fresh(submitted)) is None  # pinned to the newest
    assert "/requirements" not in as_staff.get(review_url(submitted)).get_data(as_text=True)
    second = add_version(track, references_required=5)
    assert requirements_move_target(fresh(submitted)).id == second.id
    assert "/requirements" in as_staff.get(review_url(submitted)).get_data(as_text=True)
