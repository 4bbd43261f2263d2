"""Staff view the requirement-set history and edit every field; a save makes a new version, a
bad value is shown next to its field and nothing is written."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from tests.conftest import post_form
from tests.programs.conftest import count_rows
from tests.programs.conftest import requirement_form
from tracker.extensions import db
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict


def _error(page: str, field: str) -> str:
    assert f'id="{field}-error"' in page, f"no error on {field}"
    return page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]


@pytest.fixture
def track(make_program):
    """The online track of a program, at version 1."""
    return make_program().tracks[0]


def _url(track) -> str:
    return f"/programs/tracks/{track.id}/requirements/edit"


def _post(client, track, **changes):
    form = requirement_form(track.current_requirements.spec, track.current_requirements.version)
    for key, value in changes.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return post_form(client, _url(track), form)


def _current(track):
    db.session.expire_all()
    return track.current_requirements


def test_edit_page_shows_every_field(client, staff, track):
    page = client.get(_url(track)).get_data(as_text=True)
    spec = track.current_requirements.spec
    for name in default_dict():
        if name in ("didactic_topics", "ethical_scenarios", "experiential_min_counts"):
            continue
        assert f'name="{name}"' in page, name
    for index in range(len(spec.didactic_topics) + 3):
        assert f'name="didactic_topics-{index}-min_hours"' in page
        assert f'name="didactic_topics-{index}-remove"' in page
    for index in range(len(spec.ethical_scenarios) + 3):
        assert f'name="ethical_scenarios-{index}-prompt"' in page
    for kind in ("observation", "role_play", "monitoring", "integration"):
        assert f'name="experiential_min_counts-{kind}"' in page
    assert 'value="Pharmacology and mechanisms"' in page
    assert 'name="note"' in page


def test_unchanged_save_makes_no_version(client, staff, track):
    before = count_rows()
    response = _post(client, track)
    assert response.status_code == 302
    assert "Nothing changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count_rows() == before


def test_save_makes_a_new_version_with_history(client, staff, track):
    response = _post(client, track, exam_pass_mark="85", note="Pass mark raised to 85")
    assert response.status_code == 302
    current = _current(track)
    assert (current.version, current.spec.exam_pass_mark) == (2, 85)
    assert current.created_by_id == staff.id
    page = client.get(f"/programs/tracks/{track.id}/requirements").get_data(as_text=True)
    assert "Current version: 2" in page
    assert "Pass mark raised to 85" in page
    assert "Sam Staff" in page
    assert "Defaults for the online format" in page
    old = client.get(f"/programs/tracks/{track.id}/requirements/1").get_data(as_text=True)
    assert "An earlier version" in old
    assert "80%" in old


def test_every_scalar_field_is_saved(client, staff, track):
    response = _post(
        client,
        track,
        didactic_total_hours="120.25",
        experiential_total_hours="35.5",
        program_total_hours="160",
        personal_session_policy="required",
        personal_sessions_min="1",
        personal_sessions_max="2",
        health_screening_required=None,
        supervised_sessions_required="6",
        case_presentations_required="2",
        references_required="3",
        documents_required=["cv", "licence"],
        accepted_licence_types=["MD", "PsyD"],
        exam_max_attempts="2",
        competency_domains=["ethics", "consent"],
        competency_min_rating="4",
        ce_credits_per_cycle="15.5",
        consultation_hours_per_cycle="4.75",
        ce_cycle_months="12",
        expiry_warning_days="90",
        signoff_wait_days="5",
        inactivity_days="30",
        ce_warning_days="45",
        **{"experiential_min_counts-observation": "3"},
    )
    assert response.status_code == 302
    spec = _current(track).spec
    assert spec.didactic_total_hours == Decimal("120.25")
    assert spec.experiential_total_hours == Decimal("35.5")
    assert spec.program_total_hours == Decimal(160)
    assert (spec.personal_session_policy, spec.personal_sessions_min) == ("required", 1)
    assert spec.personal_sessions_max == 2
    assert spec.health_screening_required is False
    assert spec.supervised_sessions_required == 6
    assert (spec.case_presentations_required, spec.references_required) == (2, 3)
    assert spec.documents_required == ("cv", "licence")
    assert spec.accepted_licence_types == ("MD", "PsyD")
    assert spec.exam_max_attempts == 2
    assert spec.competency_domains == ("consent", "ethics")
    assert spec.competency_min_rating == 4
    assert spec.ce_credits_per_cycle == Decimal("15.5")
    assert spec.consultation_hours_per_cycle == Decimal("4.75")
    assert spec.ce_cycle_months == 12
    assert (spec.expiry_warning_days, spec.signoff_wait_days) == (90, 5)
    assert (spec.inactivity_days, spec.ce_warning_days) == (30, 45)
    assert spec.experiential_min_counts["observation"] == 3


def test_topics_edit_add_and_remove(client, staff, track):
    response = _post(
        client,
        track,
        **{
            "didactic_topics-0-min_hours": "12.5",
            "didactic_topics-8-remove": "y",
            "didactic_topics-9-code": "",
            "didactic_topics-9-name": "Group facilitation",
            "didactic_topics-9-min_hours": "2",
            "didactic_topics-10-code": "",
            "didactic_topics-10-name": "",
            "didactic_topics-10-min_hours": "",
        },
    )
    assert response.status_code == 302
    topics = _current(track).spec.didactic_topics
    assert topics[0].min_hours == Decimal("12.5")
    assert [t.code for t in topics][-2:] == ["legal", "group_facilitation"]
    assert "culture" not in [t.code for t in topics]


def test_scenarios_edit_add_and_remove(client, staff, track):
    response = _post(
        client,
        track,
        **{
            "ethical_scenarios-0-remove": "y",
            "ethical_scenarios-1-prompt": "A new consent question?",
            "ethical_scenarios-3-code": "",
            "ethical_scenarios-3-prompt": "A client brings a friend to the dosing session.",
        },
    )
    assert response.status_code == 302
    scenarios = _current(track).spec.ethical_scenarios
    assert [s.code for s in scenarios] == ["consent", "disclosure", "scenario_1"]
    assert scenarios[0].prompt == "A new consent question?"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"note": ""}, "note", "Describe the change."),
        ({"supervised_sessions_required": "7"}, "supervised_sessions_required", "between 2 and 6"),
        ({"supervised_sessions_required": "four"}, "supervised_sessions_required", "whole number"),
        ({"exam_pass_mark": "101"}, "exam_pass_mark", "between 1 and 100"),
        ({"didactic_total_hours": "-1"}, "didactic_total_hours", "at least 0"),
        ({"didactic_total_hours": "110.3"}, "didactic_total_hours", "quarter hours"),
        ({"didactic_total_hours": "10"}, "didactic_total_hours", "topic minimums add up to"),
        ({"program_total_hours": "20"}, "program_total_hours", "didactic and the experiential"),
        ({"ce_credits_per_cycle": "lots"}, "ce_credits_per_cycle", "number of hours"),
        (
            {"personal_sessions_min": "3", "personal_sessions_max": "2"},
            "personal_sessions_min",
            "maximum personal sessions",
        ),
        (
            {"personal_session_policy": "required", "personal_sessions_min": "0"},
            "personal_sessions_min",
            "at least 1 when required",
        ),
        ({"personal_session_policy": "sometimes"}, "personal_session_policy", "Not a valid choice"),
        ({"accepted_licence_types": None}, "accepted_licence_types", "at least one"),
        ({"accepted_licence_types": ["MD", "Shaman"]}, "accepted_licence_types", "valid choice"),
        (
            {"experiential_min_counts-observation": "-1"},
            "experiential_min_counts-observation",
            "between 0 and 100",
        ),
        ({"didactic_topics-1-min_hours": "-2"}, "didactic_topics-1-min_hours", "at least 0"),
        ({"didactic_topics-1-min_hours": ""}, "didactic_topics-1-min_hours", "number of hours"),
        ({"didactic_topics-2-name": ""}, "didactic_topics-2-name", "Enter the topic"),
        ({"didactic_topics-3-code": "Not A Code"}, "didactic_topics-3-code", "short code"),
        ({"ethical_scenarios-1-code": "Bad Code"}, "ethical_scenarios-1-code", "short code"),
        ({"ethical_scenarios-2-prompt": ""}, "ethical_scenarios-2-prompt", "Enter the scenario"),
        ({"competency_min_rating": "5"}, "competency_min_rating", "between 1 and 4"),
        ({"ce_cycle_months": "0"}, "ce_cycle_months", "between 1 and 120"),
        ({"signoff_wait_days": "0"}, "signoff_wait_days", "between 1 and 90"),
        ({"inactivity_days": "400"}, "inactivity_days", "between 1 and 365"),
        ({"expiry_warning_days": "-3"}, "expiry_warning_days", "between 0 and 365"),
        ({"ce_warning_days": "999"}, "ce_warning_days", "between 0 and 365"),
        ({"exam_max_attempts": "11"}, "exam_max_attempts", "between 1 and 10"),
        ({"references_required": "11"}, "references_required", "between 0 and 10"),
        ({"note": "n" * 501}, "note", "at most 500"),
    ],
)
def test_bad_values_are_shown_next_to_the_field(client, staff, track, changes, field, message):
    before = count_rows()
    changes.setdefault("note", "Trying a change")
    response = _post(client, track, **changes)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert message in _error(page, field)
    assert count_rows() == before


def test_error_lands_on_the_row_it_names_after_a_removal(client, staff, track):
    # With the first topic removed, the rules' "didactic_topics[3]" is the form's fourth row.
    before = count_rows()
    response = _post(
        client,
        track,
        **{"didactic_topics-0-remove": "y", "didactic_topics-3-code": "Bad Code"},
    )
    page = response.get_data(as_text=True)
    assert "short code" in _error(page, "didactic_topics-3-code")
    assert 'id="didactic_topics-2-code-error"' not in page
    assert count_rows() == before


def test_duplicate_topic_codes_are_reported_on_the_topics(client, staff, track):
    before = count_rows()
    response = _post(client, track, **{"didactic_topics-1-code": "pharmacology"})
    page = response.get_data(as_text=True)
    assert "two topics share a code" in page.lower()
    assert count_rows() == before


def test_stale_form_is_refused(client, staff, track):
    form = requirement_form(track.current_requirements.spec, 1, note="First editor")
    form["exam_pass_mark"] = "85"
    assert post_form(client, _url(track), form).status_code == 302
    stale = requirement_form(RequirementSpec.default("online"), 1, note="Second editor")
    stale["exam_pass_mark"] = "70"
    before = count_rows()
    response = post_form(client, _url(track), stale)
    assert "was saved while you were editing" in response.get_data(as_text=True)
    assert count_rows() == before
    assert _current(track).spec.exam_pass_mark == 85


def test_status_fields_cannot_be_smuggled(client, staff, track):
    response = _post(client, track, exam_pass_mark="75", version="99", created_by_id="1")
    assert response.status_code == 302
    assert _current(track).version == 2


def test_version_view_and_download(client, staff, track):
    page = client.get(f"/programs/tracks/{track.id}/requirements/1").get_data(as_text=True)
    assert "Current version." in page
    assert "Pharmacology and mechanisms" in page
    response = client.get(f"/programs/tracks/{track.id}/requirements/1/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = tomllib.loads(response.get_data(as_text=True))
    assert (document["program"], document["track"], document["version"]) == (
        "Fluence KAP",
        "Online",
        1,
    )
    assert document["requirements"]["supervised_sessions_required"] == 4
    assert client.get(f"/programs/tracks/{track.id}/requirements/2").status_code == 404
    assert client.get(f"/programs/tracks/{track.id}/requirements/9/download").status_code == 404


def test_ce_review_settings_are_edited_shown_and_exported(client, staff, track):
    page = client.get(_url(track)).get_data(as_text=True)
    assert 'name="ce_evidence_required"' in page and 'name="ce_audit_percent"' in page
    response = _post(
        client, track, ce_evidence_required=None, ce_audit_percent="25", note="Sample a quarter"
    )
    assert response.status_code == 302
    spec = _current(track).spec
    assert (spec.ce_evidence_required, spec.ce_audit_percent) == (False, 25)
    shown = client.get(f"/programs/tracks/{track.id}/requirements/2").get_data(as_text=True)
    assert "25% of entries, chosen at random" in shown
    download = client.get(f"/programs/tracks/{track.id}/requirements/2/download")
    document = tomllib.loads(download.get_data(as_text=True))["requirements"]
    assert (document["ce_evidence_required"], document["ce_audit_percent"]) == (False, 25)


def test_an_audit_share_over_100_percent_is_refused(client, staff, track):
    response = _post(client, track, ce_audit_percent="101", note="Too much")
    assert response.status_code == 200
    assert "between 0 and 100" in _error(response.get_data(as_text=True), "ce_audit_percent")
    assert _current(track).version == 1
