"""The records of one enrollment as plain, frozen data: what the progress engine reads.

The database layer builds these; a test builds one in a line with only what it needs, since every
field has an empty default. Hours and credits are `Decimal`, money is integer cents, dates are
`datetime.date` in the program's time zone. Values from a closed list are checked on creation, so
the engine never meets a status it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

APPLICANT = "applicant"
SUBMITTED = "submitted"
ADMITTED = "admitted"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
ENROLLMENT_STATUSES = (APPLICANT, SUBMITTED, ADMITTED, DECLINED, WITHDRAWN)

HEALTH_STATES = ("none", "attested", "cleared", "not_cleared")

STANDARD = "standard"
ALTERNATIVE_PENDING = "alternative_pending"
ALTERNATIVE_APPROVED = "alternative_approved"
ALTERNATIVE_REFUSED = "alternative_refused"
PATHWAYS = (STANDARD, ALTERNATIVE_PENDING, ALTERNATIVE_APPROVED, ALTERNATIVE_REFUSED)

DOCUMENT_STATUSES = ("submitted", "accepted", "rejected")
ENTRY_STATUSES = ("pending", "verified", "returned")
SESSION_STATUSES = ("draft", "submitted", "returned", "signed")
CE_STATUSES = ("pending", "approved", "rejected")
CASE_RESULTS = ("passed", "failed")
CE_KINDS = ("ce", "consultation")

RecordId = int | str | None


def _check(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} {value!r} is not one of {', '.join(map(str, allowed))}")


def _not_negative(name: str, value: Decimal | int) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class Licence:
    """A professional licence; `verified` means staff checked it against the issuing board."""

    type: str
    jurisdiction: str
    expires_on: date | None
    verified: bool = False
    number_present: bool = True
    issued_on: date | None = None
    id: RecordId = None
    has_document: bool = False

    @property
    def complete(self) -> bool:
        """True when number, jurisdiction and expiry are all recorded."""
        return self.number_present and bool(self.jurisdiction) and self.expires_on is not None


@dataclass(frozen=True)
class Insurance:
    """A professional liability insurance policy, covering `starts_on` to `ends_on` inclusive."""

    starts_on: date
    ends_on: date
    verified: bool = False
    id: RecordId = None
    has_document: bool = False

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        if self.ends_on < self.starts_on:
            raise ValueError("insurance ends before it starts")


@dataclass(frozen=True)
class Track:
    """The track the trainee chose."""

    format: str
    tuition_cents: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _not_negative("tuition_cents", self.tuition_cents)


@dataclass(frozen=True)
class ApplicationDocument:
    """One uploaded application document; `kind` is one of requirements.DOCUMENT_KINDS."""

    kind: str
    status: str = "submitted"
    submitted_on: date | None = None
    id: RecordId = None

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("document status", self.status, DOCUMENT_STATUSES)


@dataclass(frozen=True)
class Instalment:
    """One payment-plan instalment and how much of it payments already cover."""

    due_on: date
    amount_cents: int
    covered_cents: int = 0

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _not_negative("amount_cents", self.amount_cents)
        _not_negative("covered_cents", self.covered_cents)

    @property
    def outstanding_cents(self) -> int:
        """The part of the instalment not yet covered."""
        return max(0, self.amount_cents - self.covered_cents)


@dataclass(frozen=True)
class Ledger:
    """Tuition ledger totals: credits are payments, scholarships and discounts less refunds."""

    charges_cents: int = 0
    credits_cents: int = 0
    instalments: tuple[Instalment, ...] = ()

    @property
    def balance_cents(self) -> int:
        """What the trainee still owes (negative when in credit)."""
        return self.charges_cents - self.credits_cents


@dataclass(frozen=True)
class DidacticEntry:
    """Didactic hours logged under a curriculum topic code."""

    topic: str
    on: date
    hours: Decimal
    status: str = "verified"
    submitted_on: date | None = None
    id: RecordId = None

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("didactic status", self.status, ENTRY_STATUSES)
        _not_negative("hours", self.hours)


@dataclass(frozen=True)
class ExperientialEntry:
    """An experiential activity; `kind` is one of requirements.EXPERIENTIAL_KINDS."""

    kind: str
    on: date
    hours: Decimal = Decimal(0)
    status: str = "verified"
    submitted_on: date | None = None
    id: RecordId = None

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("experiential status", self.status, ENTRY_STATUSES)
        _not_negative("hours", self.hours)


@dataclass(frozen=True)
class SupervisedSession:
    """A supervised KAP session as progress sees it (clinical detail lives elsewhere)."""

    on: date
    status: str = "signed"
    submitted_on: date | None = None
    duration_minutes: int | None = None
    id: RecordId = None

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("session status", self.status, SESSION_STATUSES)


@dataclass(frozen=True)
class CasePresentation:
    """A case presentation given by the trainee."""

    on: date
    id: RecordId = None


@dataclass(frozen=True)
class ExamAttempt:
    """One attempt at the knowledge exam, scored 0-100; a voided attempt stays on file but
    counts for nothing."""

    on: date
    score: int
    voided: bool = False

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        if not 0 <= self.score <= 100:
            raise ValueError("exam score must be between 0 and 100")


@dataclass(frozen=True)
class CompetencyEvaluation:
    """The supervisor's competency ratings, one per domain code."""

    ratings: Mapping[str, int] = field(default_factory=dict)
    on: date | None = None


@dataclass(frozen=True)
class Certificate:
    """The enrollment's certificate; `expires_on` None means it does not expire."""

    issued_on: date
    expires_on: date | None = None
    revoked: bool = False
    number: str = ""


@dataclass(frozen=True)
class CeEntry:
    """Continuing-education credits (`ce`) or peer consultation hours (`consultation`), with
    their review status: only `approved` entries count toward a cycle."""

    on: date
    credits: Decimal
    kind: str = "ce"
    id: RecordId = None
    status: str = "approved"

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("CE kind", self.kind, CE_KINDS)
        _check("CE status", self.status, CE_STATUSES)
        _not_negative("credits", self.credits)


@dataclass(frozen=True)
class Leave:
    """A leave of absence from `starts_on`, expected back on `expected_return_on`; ended when
    staff recorded the return (`returned_on`, the first day back)."""

    starts_on: date
    expected_return_on: date
    returned_on: date | None = None
    id: RecordId = None

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        if self.expected_return_on <= self.starts_on:
            raise ValueError("a leave's expected return is not after its start")
        if self.returned_on is not None and self.returned_on < self.starts_on:
            raise ValueError("a leave ends before it starts")

    def covers(self, day: date) -> bool:
        """True when `day` falls in the leave (from its start until the return is recorded)."""
        return self.starts_on <= day and (self.returned_on is None or day < self.returned_on)

    def days_between(self, start: date, end: date) -> int:
        """The days of the leave that fall in [start, end): what a paused clock leaves out."""
        first = max(self.starts_on, start)
        last = min(self.returned_on or end, end)
        return max(0, (last - first).days)


@dataclass(frozen=True)
class EnrollmentFacts:
    """Everything the engine needs about one enrollment.

    `status` is the admission status (certification shows through `certificate`). `waivers` maps a
    step number, an item code, or "code:key" to the reason staff gave for waiving it;
    `waiver_last_days` maps the same keys to the last day a waiver applies (a key absent: until
    revoked). `exam_attempts` holds voided attempts too (marked `voided`): the engine ignores them.
    `leaves` are the leaves of absence staff recorded; `deferred` is True when the enrollment's
    last move to another cohort was a deferral (it shows as deferred until that cohort starts).
    """

    enrollment_id: int | str = 0
    status: str = APPLICANT
    applied_on: date | None = None
    admitted_on: date | None = None
    cohort_starts_on: date | None = None
    cohort_ends_on: date | None = None
    track: Track | None = None
    licences: tuple[Licence, ...] = ()
    insurances: tuple[Insurance, ...] = ()
    experience_attested: bool = False
    health_screening: str = "none"
    pathway: str = STANDARD
    documents: tuple[ApplicationDocument, ...] = ()
    references_received: int = 0
    answered_scenarios: frozenset[str] = frozenset()
    ledger: Ledger = Ledger()
    didactic: tuple[DidacticEntry, ...] = ()
    experiential: tuple[ExperientialEntry, ...] = ()
    sessions: tuple[SupervisedSession, ...] = ()
    case_presentations: tuple[CasePresentation, ...] = ()
    exam_attempts: tuple[ExamAttempt, ...] = ()
    case_evaluation: str | None = None
    competency: CompetencyEvaluation | None = None
    certificate: Certificate | None = None
    ce_entries: tuple[CeEntry, ...] = ()
    waivers: Mapping[int | str, str] = field(default_factory=dict)
    waiver_last_days: Mapping[int | str, date] = field(default_factory=dict)
    supervisor_assigned: bool = False
    leaves: tuple[Leave, ...] = ()
    deferred: bool = False

    def __post_init__(self) -> None:
        """Refuse values the engine would not understand."""
        _check("enrollment status", self.status, ENROLLMENT_STATUSES)
        _check("health screening", self.health_screening, HEALTH_STATES)
        _check("pathway", self.pathway, PATHWAYS)
        if self.case_evaluation is not None:
            _check("case evaluation", self.case_evaluation, CASE_RESULTS)
        _not_negative("references_received", self.references_received)
        if (
            self.cohort_starts_on is not None
            and self.cohort_ends_on is not None
            and self.cohort_ends_on < self.cohort_starts_on
        ):
            raise ValueError("the cohort ends before it starts")

    @property
    def admitted(self) -> bool:
        """True when staff admitted the applicant (and the enrollment is not withdrawn)."""
        return self.status == ADMITTED
