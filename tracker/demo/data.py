"""The demo program: one program with three tracks, a cohort, staff, two supervisors and
trainees at different steps, so each page has something realistic to show.

Built with tracker.factories: the program, its tracks and cohorts through the program services,
as staff would set them up, so loading the demo also exercises those services.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.accounts.passwords import password_problem
from tracker.audit.services import record
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.factories.accounts import make_user
from tracker.factories.programs import open_program
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import Track

DEFAULT_PASSWORD = "demo passphrase for kap"  # noqa: S105 - printed for the demo on purpose
TIMEZONE = "America/Los_Angeles"
# The demo's accounts, in the order `flask demo` lists them: email, name, roles, what they show.
PEOPLE = (
    (
        "staff@example.org",
        "Morgan Reyes",
        ("staff", "admin"),
        "program staff and administrator",
    ),
    (
        "supervisor@example.org",
        "Dr. Alex Chen",
        ("supervisor",),
        "supervisor of Jordan, Sam and Riley",
    ),
    (
        "supervisor2@example.org",
        "Dr. Priya Natarajan",
        ("supervisor",),
        "supervisor of Casey; backup for others",
    ),
    (
        "trainee@example.org",
        "Jordan Avery",
        ("trainee",),
        "admitted, mid-way through training",
    ),
    (
        "trainee2@example.org",
        "Sam Okafor",
        ("trainee",),
        "applicant, application not yet submitted",
    ),
    (
        "trainee3@example.org",
        "Riley Nakamura",
        ("trainee",),
        "admitted, nearly ready for assessment",
    ),
    (
        "trainee4@example.org",
        "Casey Morgan",
        ("trainee",),
        "admitted, behind pace and inactive",
    ),
)


class DemoError(Exception):
    """The demo cannot be loaded (the database has data, or the password is refused)."""


@dataclass
class DemoSummary:
    """What `flask demo` prints."""

    password: str
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def has_data() -> bool:
    """True when the database already holds any account."""
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def _person(
    summary: DemoSummary,
    password_hash: str,
    email: str,
    name: str,
    roles: tuple[str, ...],
    note: str,
) -> User:
    summary.accounts.append((email, ", ".join(roles), note))
    return make_user(email, name, roles, password_hash, password_changed_at=utcnow())


def load_demo(password: str, force: bool = False) -> DemoSummary:
    """Create the demo data in the current transaction (the caller commits)."""
    if has_data() and not force:
        raise DemoError("the database already has data; use --force to add the demo anyway")
    problem = password_problem(password)
    if problem:
        raise DemoError(f"demo password refused: {problem}")
    if db.session.scalar(select(Program).where(Program.name == "Pacific KAP Institute")):
        raise DemoError("the demo program already exists")
    summary = DemoSummary(password=password)
    hashed = hash_password(password)
    today = today_in(TIMEZONE)

    staff, sup1, sup2, *trainees = (_person(summary, hashed, *person) for person in PEOPLE)
    staff.job_title = "Director of Training"  # printed under the name on the certificates
    program, tracks, (cohort, future) = open_program(
        "Pacific KAP Institute",
        "Certificate in ketamine-assisted psychotherapy for licensed clinicians.",
        TIMEZONE,
        (
            ("Online certificate", "online", 450000),
            ("Hybrid certificate", "hybrid", 600000),
            ("Retreat intensive", "retreat", 850000),
        ),
        (
            ("Spring 2026", today - timedelta(days=200), today + timedelta(days=165)),
            ("Winter 2027", date(today.year + 1, 1, 15), date(today.year + 1, 10, 15)),
        ),
        staff,
        today,
        credential="Certified KAP Practitioner",
    )
    record("demo.loaded", program, after={"accounts": len(summary.accounts)}, actor_id=staff.id)

    context = DemoContext(
        today=today,
        program=program,
        tracks=tracks,
        cohort=cohort,
        future_cohort=future,
        staff=staff,
        supervisors=[sup1, sup2],
        trainees=trainees,
    )
    for extend in _extensions():
        extend(context, summary)
    db.session.flush()
    return summary


@dataclass
class DemoContext:
    """What the demo built so far, for the later steps that add records."""

    today: date
    program: Program
    tracks: dict[str, Track]
    cohort: Cohort
    future_cohort: Cohort
    staff: User
    supervisors: list[User]
    trainees: list[User]


def _extensions() -> list:
    """The steps that add each area's demo records, in order."""
    from tracker.demo.admissions import add_demo as add_admissions
    from tracker.demo.certificates import add_demo as add_certificates
    from tracker.demo.life import add_demo as add_life
    from tracker.demo.records import add_trainee_records
    from tracker.demo.signoffs import add_demo as add_signoffs

    return [add_trainee_records, add_admissions, add_signoffs, add_certificates, add_life]
