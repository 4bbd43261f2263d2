"""What the browser journeys start from, made through the services because the app has no page
for it: a program with a track on small requirements and a running cohort, a staff member and a
supervisor. Everything after this happens in the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.programs import services as programs
from tracker.progress.requirements import default_dict

TIMEZONE = "America/New_York"
PROGRAM = "Cascade KAP Institute"
TRACK = "Online"
CREDENTIAL = "Certified KAP Practitioner"
COHORT = "Autumn cohort"
TUITION_CENTS = 450_000
STAFF = "Morgan Staff"
SUPERVISOR = "Dr. Riley Supervisor"
SCENARIO = (
    "A client asks to continue the session at your home after dosing. How do you respond, "
    "and what do you document?"
)


def today() -> date:
    """Today where the program is."""
    return today_in(TIMEZONE)


def small_requirements() -> dict:
    """The guide's requirements scaled down so a journey can meet them in a few entries."""
    data = default_dict()
    data.update(
        didactic_topics=[
            {"code": "pharmacology", "name": "Pharmacology and mechanisms", "min_hours": "2"},
            {"code": "ethics", "name": "Ethics, consent and documentation", "min_hours": "1"},
        ],
        didactic_total_hours="3",
        experiential_total_hours="2",
        experiential_min_counts={"observation": 1, "role_play": 1},
        program_total_hours="5",
        personal_session_policy="none",
        personal_sessions_min=0,
        personal_sessions_max=0,
        supervised_sessions_required=2,
        case_presentations_required=1,
        references_required=2,
        ethical_scenarios=[{"code": "boundaries", "prompt": SCENARIO}],
        competency_domains=["consent", "monitoring", "ethics"],
    )
    return data


@dataclass(frozen=True)
class Setting:
    """The people and program a journey starts with."""

    staff: User
    supervisor: User
    cohort_starts_on: date


def open_program(create_user) -> Setting:
    """A program on small requirements with a running cohort, one staff member, one supervisor."""
    staff = create_user("staff", "admin", email="morgan.staff@example.org", name=STAFF)
    supervisor = create_user("supervisor", email="riley.supervisor@example.org", name=SUPERVISOR)
    program = programs.create_program(
        PROGRAM, "Certificate in ketamine-assisted psychotherapy.", TIMEZONE, staff
    )
    track = programs.add_track(
        program,
        TRACK,
        "online",
        TUITION_CENTS,
        "Self-paced modules with live case review.",
        CREDENTIAL,
        staff,
    )
    programs.new_requirement_version(track, small_requirements(), "Pilot requirements", staff)
    starts_on = today() - timedelta(days=60)
    programs.add_cohort(program, COHORT, starts_on, today() + timedelta(days=300), staff)
    db.session.commit()
    return Setting(staff=staff, supervisor=supervisor, cohort_starts_on=starts_on)
