"""Steps, statuses and outstanding items: the vocabulary the progress engine answers in.

Every item code the engine can produce is listed in `ITEM_CODES` with its step(s), severity, the
person who must act and a description, so a page or a report can explain any code it meets.
Items are made with `new_item`, which takes step, severity and actor from the catalogue: a code
always means the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import IntEnum
from enum import StrEnum


class Step(IntEnum):
    """The nine steps of an enrollment, numbered as the program speaks of them."""

    ELIGIBILITY = 1
    PROGRAM_SELECTION = 2
    APPLICATION = 3
    FINANCING = 4
    DIDACTIC = 5
    EXPERIENTIAL = 6
    SUPERVISED_PRACTICE = 7
    FINAL_ASSESSMENT = 8
    ONGOING_EDUCATION = 9

    @property
    def title(self) -> str:
        """The step's title as shown to people."""
        return STEP_TITLES[self]


STEP_TITLES = {
    Step.ELIGIBILITY: "Eligibility",
    Step.PROGRAM_SELECTION: "Program selection",
    Step.APPLICATION: "Application",
    Step.FINANCING: "Financing",
    Step.DIDACTIC: "Didactic training",
    Step.EXPERIENTIAL: "Experiential learning",
    Step.SUPERVISED_PRACTICE: "Supervised practice",
    Step.FINAL_ASSESSMENT: "Final assessment and certificate",
    Step.ONGOING_EDUCATION: "Ongoing education",
}


class StepStatus(StrEnum):
    """Where a step stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WAIVED = "waived"
    BLOCKED = "blocked"


class Severity(StrEnum):
    """How much an item matters: blocking items keep their step from completing now.

    `upcoming` is never a catalogue severity: the engine gives it to a blocking item that cannot
    be acted on yet (its cohort has not started), so pages group it apart instead of in red.
    """

    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"
    UPCOMING = "upcoming"


class Actor(StrEnum):
    """Who must act on an item."""

    TRAINEE = "trainee"
    SUPERVISOR = "supervisor"
    STAFF = "staff"


class CertificateStatus(StrEnum):
    """A certificate's standing, as the public verification page shows it."""

    VALID = "valid"
    LAPSED = "lapsed"
    EXPIRED = "expired"
    REVOKED = "revoked"


# Units of `OutstandingItem.amount_missing`.
HOURS = "hours"
CENTS = "cents"
COUNT = "count"
CREDITS = "credits"
RATING = "rating"
POINTS = "points"


@dataclass(frozen=True)
class ItemCode:
    """The catalogue entry of one item code."""

    code: str
    steps: tuple[int, ...]
    severity: Severity
    actor: Actor
    description: str
    waivable: bool = True


@dataclass(frozen=True)
class OutstandingItem:
    """One thing left to do or to watch, with who must act on it.

    `key` tells apart two items with the same code about different records (a topic code, a
    document kind, an entry id, a due date). `amount_missing` is in `unit` (hours, cents, count,
    credits, rating, points).
    """

    code: str
    step: int
    severity: Severity
    actor: Actor
    message: str
    key: str = ""
    amount_missing: Decimal | int | None = None
    unit: str | None = None
    due_on: date | None = None
    waiting_since: date | None = None

    @property
    def identity(self) -> tuple[str, str]:
        """The (code, key) pair that names this item among the enrollment's items."""
        return (self.code, self.key)

    @property
    def upcoming(self) -> bool:
        """True when the item cannot be acted on yet (shown apart, never as blocking)."""
        return self.severity == Severity.UPCOMING

    @property
    def description(self) -> str:
        """What the item's code means in general."""
        return ITEM_CODES[self.code].description

    def days_waiting(self, today: date) -> int | None:
        """Days since the item started waiting, or None when it is not waiting on anyone."""
        return None if self.waiting_since is None else (today - self.waiting_since).days


_B, _W, _I = Severity.BLOCKING, Severity.WARNING, Severity.INFO
_T, _SV, _ST = Actor.TRAINEE, Actor.SUPERVISOR, Actor.STAFF
_TRAINING = (5, 6, 7)

_CATALOGUE = (
    # 1 Eligibility
    ("license.missing", (1,), _B, _T, "No licence of an accepted type is on file."),
    ("license.incomplete", (1,), _B, _T, "The licence lacks its number, jurisdiction or expiry."),
    ("license.unverified", (1,), _B, _ST, "The licence waits for verification by staff."),
    ("license.expiring", (1,), _W, _T, "The licence expires within the warning window."),
    ("license.expired", (1,), _B, _T, "The licence has expired."),
    ("insurance.missing", (1,), _B, _T, "No liability insurance covers today."),
    ("insurance.unverified", (1,), _B, _ST, "The insurance waits for verification by staff."),
    ("insurance.expiring", (1,), _W, _T, "The insurance ends within the warning window."),
    ("insurance.expired", (1,), _B, _T, "The insurance has ended."),
    ("experience.unattested", (1,), _B, _T, "Psychotherapy experience is not attested yet."),
    ("health.unattested", (1,), _B, _T, "The health-screening attestation is missing."),
    ("health.pending", (1,), _B, _ST, "The health-screening attestation waits for clearance."),
    ("health.not_cleared", (1,), _B, _ST, "The health screening was not cleared."),
    ("pathway.pending", (1,), _B, _ST, "The alternative pathway waits for a staff decision."),
    # 2 Program selection
    ("track.missing", (2,), _B, _T, "No track (online, hybrid, retreat) chosen."),
    ("cohort.missing", (2,), _B, _T, "No cohort chosen."),
    # 3 Application
    ("document.missing", (3,), _B, _T, "A required application document is not uploaded."),
    ("document.rejected", (3,), _B, _T, "Staff returned a document: a corrected one is needed."),
    ("document.pending", (3,), _B, _ST, "A document waits for review by staff."),
    ("reference.missing", (3,), _B, _T, "Fewer professional references than required."),
    ("scenario.unanswered", (3,), _B, _T, "An ethical scenario is not answered."),
    ("application.unsubmitted", (3,), _B, _T, "Everything is in: submit the application."),
    ("admission.pending", (3,), _B, _ST, "A complete application awaits the decision."),
    ("application.declined", tuple(range(1, 10)), _I, _T, "The application was declined.", False),
    ("enrollment.withdrawn", tuple(range(1, 10)), _I, _T, "The enrollment was withdrawn.", False),
    # 4 Financing
    ("tuition.uncharged", (4,), _B, _ST, "The track's tuition is not charged yet."),
    ("balance.due", (4,), _B, _T, "A balance is due and there is no payment plan."),
    ("instalment.overdue", (4,), _B, _T, "A payment-plan instalment is overdue."),
    ("instalment.upcoming", (4,), _I, _T, "The next payment-plan instalment and its due date."),
    # 5 Didactic
    ("didactic.topic_short", (5,), _B, _T, "Verified hours in a topic are below its minimum."),
    ("didactic.total_short", (5,), _B, _T, "Verified didactic hours are below the total."),
    ("didactic.returned", (5,), _W, _T, "A didactic entry was returned for correction."),
    ("verification.pending", (5,), _I, _ST, "Didactic hours wait for verification."),
    ("verification.waiting", (5,), _W, _ST, "A didactic entry waits too long for verification."),
    # 6 Experiential
    ("experiential.hours_short", (6,), _B, _T, "Verified experiential hours below the total."),
    ("experiential.count_short", (6,), _B, _T, "Too few verified activities of a kind."),
    ("personal_session.short", (6,), _B, _T, "Fewer personal sessions than the policy requires."),
    ("personal_session.over", (6,), _W, _ST, "More personal sessions than the policy allows."),
    ("program.total_short", (6,), _B, _T, "Didactic + experiential hours below program total."),
    ("experiential.returned", (6,), _W, _T, "An experiential entry was returned for correction."),
    ("signoff.pending", (6,), _I, _SV, "An experiential entry waits for sign-off."),
    ("signoff.waiting", (6,), _W, _SV, "An experiential entry waits too long for sign-off."),
    # 7 Supervised practice
    ("session.short", (7,), _B, _T, "Fewer signed supervised sessions than required."),
    ("session.uncovered", (7,), _W, _T, "A session on a day without valid licence or insurance."),
    ("session.returned", (7,), _W, _T, "A supervised session was returned with a question."),
    ("session.pending", (7,), _I, _SV, "A supervised session waits for sign-off."),
    ("session.waiting", (7,), _W, _SV, "A supervised session waits too long for sign-off."),
    ("case_presentation.short", (7,), _B, _T, "Fewer case presentations than required."),
    ("supervisor.unassigned", (7,), _W, _ST, "No supervisor is assigned to the trainee."),
    # 8 Final assessment
    ("exam.not_passed", (8,), _B, _T, "The knowledge exam is not passed yet."),
    ("exam.attempts_exhausted", (8,), _B, _ST, "Every exam attempt used without a pass."),
    ("case_evaluation.pending", (8,), _B, _ST, "The case-presentation evaluation is missing."),
    ("case_evaluation.failed", (8,), _B, _T, "The case presentation was not passed."),
    ("competency.pending", (8,), _B, _SV, "Competency evaluation (or a domain) not rated."),
    ("competency.below", (8,), _B, _T, "A competency domain is rated below the minimum."),
    ("certificate.issue", (8,), _B, _ST, "All met: staff can issue the certificate.", False),
    ("certificate.revoked", (8,), _I, _T, "The certificate was revoked.", False),
    # 9 Ongoing education
    ("ce.short", (9,), _W, _T, "CE credits short with the cycle end approaching."),
    ("consultation.short", (9,), _W, _T, "Consultation hours short, cycle end approaching."),
    ("ce.lapsed", (9,), _B, _T, "A past cycle ended short of CE credits."),
    ("consultation.lapsed", (9,), _B, _T, "A past cycle ended short of consultation hours."),
    ("certificate.at_risk", (9,), _I, _T, "The current cycle is short with under 90 days left."),
    ("certificate.expiring", (9,), _W, _T, "The certificate expires within the warning window."),
    ("certificate.expired", (9,), _B, _T, "The certificate has expired.", False),
    # Cross-cutting, placed on the first training step not yet complete
    ("pace.behind", _TRAINING, _W, _T, "Over half the cohort's time gone, under half the hours."),
    ("activity.none_recent", _TRAINING, _W, _T, "No activity logged for the inactivity window."),
    # An enrollment's life: a leave of absence, placed on the first step not yet done
    ("leave.current", tuple(range(4, 10)), _I, _T, "On leave of absence until the return.", False),
    (
        "leave.return_overdue",
        tuple(range(4, 10)),
        _W,
        _ST,
        "The expected return from leave has passed with no return recorded.",
        False,
    ),
)

ITEM_CODES: dict[str, ItemCode] = {row[0]: ItemCode(*row) for row in _CATALOGUE}


def new_item(
    code: str,
    message: str,
    *,
    step: int | None = None,
    key: str = "",
    amount: Decimal | int | None = None,
    unit: str | None = None,
    due_on: date | None = None,
    waiting_since: date | None = None,
) -> OutstandingItem:
    """Make an item whose step, severity and actor come from the catalogue entry of `code`."""
    entry = ITEM_CODES[code]
    if step is None:
        if len(entry.steps) != 1:
            raise ValueError(f"{code} needs an explicit step")
        step = entry.steps[0]
    elif step not in entry.steps:
        raise ValueError(f"{code} does not belong to step {step}")
    return OutstandingItem(
        code=code,
        step=step,
        severity=entry.severity,
        actor=entry.actor,
        message=message,
        key=key,
        amount_missing=amount,
        unit=unit if amount is not None else None,
        due_on=due_on,
        waiting_since=waiting_since,
    )
