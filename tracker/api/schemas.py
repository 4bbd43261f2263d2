"""The API's request and response models. Spectree validates requests against them and builds
the OpenAPI document from the same models. They type the data; the services judge it (a value
of the right type that the rules refuse is answered 422 with the service's own message)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from tracker.dashboard.cohort import ACTORS
from tracker.dashboard.cohort import SORTS
from tracker.dashboard.cohort import STEP_STATUSES
from tracker.enrollments.models import ENROLLMENT_STATUSES
from tracker.progress.life_rules import LIFE_STATE_LABELS

MAX_PER_PAGE = 100
Text = str


class Problem(BaseModel):
    """An RFC 9457 problem: `field` names the request field that is wrong, when one is."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    field: str | None = None
    errors: list[dict[str, str]] | None = None


class Paging(BaseModel):
    """Where a page sits in the whole list."""

    page: int
    per_page: int
    total: int
    pages: int


class PageQuery(BaseModel):
    """Which page of a list."""

    model_config = ConfigDict(extra="ignore")
    page: int = Field(1, ge=1, le=2**31 - 1)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class Me(BaseModel):
    """The person the token speaks for, and what the token may do now."""

    id: int
    email: str
    full_name: str
    roles: list[str]
    scopes: list[str]
    token_name: str
    token_expires_at: datetime | None


class OutstandingItemOut(BaseModel):
    """Something outstanding, as the progress engine says it."""

    code: str
    step: int
    severity: str
    actor: str
    message: str
    key: str
    amount_missing: str | None
    unit: str | None
    due_on: date | None
    waiting_since: date | None


class StepOut(BaseModel):
    """One of the nine steps."""

    number: int
    title: str
    status: Literal["not_started", "in_progress", "complete", "waived", "blocked"]
    summary: str


class EnrollmentOut(BaseModel):
    """An enrollment with its nine step statuses and outstanding items."""

    id: int
    trainee_id: int
    trainee_name: str
    program: str
    track: str | None
    cohort: str | None
    status: str
    state: str | None
    today: date
    steps: list[StepOut]
    items: list[OutstandingItemOut]
    upcoming: list[OutstandingItemOut]


class EnrollmentList(BaseModel):
    """The caller's own enrollments."""

    data: list[EnrollmentOut]
    paging: Paging


class EntryStatus(BaseModel):
    """Common fields of a logged entry."""

    id: int
    enrollment_id: int
    status: str
    verified_at: datetime | None = None


class DidacticIn(BaseModel):
    """Didactic hours under one curriculum topic (the page's form, as JSON)."""

    on: date
    topic_code: Text = Field(max_length=40)
    hours: Decimal = Field(description="Quarter hours, at most the day's cap.")
    provider: Text = Field(max_length=400)
    note: Text = Field("", max_length=4000)
    confirm_duplicate: bool = False
    not_client_information: bool = Field(
        False, description="The note's flagged passages are not a client's information."
    )


class DidacticOut(EntryStatus):
    """A didactic entry."""

    on: date
    topic_code: str
    hours: str
    provider: str
    note: str


class ExperientialIn(BaseModel):
    """An experiential activity (a personal session is an attestation only)."""

    kind: Text = Field(max_length=40)
    on: date
    hours: Decimal
    facilitator: Text = Field(max_length=400)
    note: Text = Field("", max_length=4000)
    attested: bool = False
    confirm_duplicate: bool = False
    not_client_information: bool = False


class ExperientialOut(EntryStatus):
    """An experiential entry."""

    kind: str
    on: date
    hours: str
    facilitator: str
    note: str


class ContinuingEducationIn(BaseModel):
    """CE credits or peer consultation hours (evidence files are uploaded on the page)."""

    kind: Text = Field(max_length=40)
    on: date
    title: Text = Field(max_length=400)
    provider: Text = Field(max_length=400)
    amount: Decimal


class ContinuingEducationOut(EntryStatus):
    """A CE or consultation record."""

    kind: str
    on: date
    title: str
    provider: str
    amount: str
    review_basis: str
    has_evidence: bool


class SessionIn(BaseModel):
    """A supervised session (saved as a draft; submitted and signed on the pages)."""

    on: date
    client_code: Text = Field(max_length=40)
    setting: Text = Field(max_length=40)
    route: Text = Field(max_length=40)
    trainee_role: Text = Field(max_length=40)
    supervision_mode: Text = Field(max_length=40)
    covers_preparation: bool = False
    covers_dosing: bool = False
    covers_integration: bool = False
    duration_minutes: int = Field(ge=-(2**31), le=2**31 - 1)
    reflection: Text = Field(max_length=10000)
    not_client_information: bool = False


class SessionOut(EntryStatus):
    """A supervised session."""

    on: date
    client_code: str
    setting: str
    route: str
    trainee_role: str
    supervision_mode: str
    covers_preparation: bool
    covers_dosing: bool
    covers_integration: bool
    duration_minutes: int
    reflection: str
    supervisor_id: int | None
    submitted_at: datetime | None
    signed_at: datetime | None


class DidacticList(BaseModel):
    """A page of didactic entries."""

    data: list[DidacticOut]
    paging: Paging


class ExperientialList(BaseModel):
    """A page of experiential entries."""

    data: list[ExperientialOut]
    paging: Paging


class ContinuingEducationList(BaseModel):
    """A page of CE records."""

    data: list[ContinuingEducationOut]
    paging: Paging


class SessionList(BaseModel):
    """A page of supervised sessions."""

    data: list[SessionOut]
    paging: Paging


class WaitingOut(BaseModel):
    """An entry waiting on the supervisor."""

    entry_type: str
    entry_id: int
    enrollment_id: int
    trainee_id: int
    trainee_name: str
    on: date
    summary: str
    waiting_since: datetime
    days_waiting: int


class QueueList(BaseModel):
    """The supervisor's queue, oldest first."""

    data: list[WaitingOut]
    paging: Paging


CohortStatus = Literal[tuple(ENROLLMENT_STATUSES)]  # type: ignore[valid-type]
CohortState = Literal[tuple(LIFE_STATE_LABELS)]  # type: ignore[valid-type]
CohortStepStatus = Literal[STEP_STATUSES]  # type: ignore[valid-type]
CohortActor = Literal[ACTORS]  # type: ignore[valid-type]
CohortSort = Literal[tuple(SORTS)]  # type: ignore[valid-type]


class CohortQuery(PageQuery):
    """The cohort page's filters."""

    program: int | None = Field(None, ge=1, le=2**31 - 1)
    cohort: int | None = Field(None, ge=1, le=2**31 - 1)
    status: CohortStatus | None = None
    state: CohortState | None = None
    supervisor: int | None = Field(None, ge=1, le=2**31 - 1)
    step: int | None = Field(None, ge=1, le=9)
    step_status: CohortStepStatus | None = None
    code: str | None = Field(None, max_length=60)
    actor: CohortActor | None = None
    sort: CohortSort = "name"


class CohortRowOut(BaseModel):
    """One enrollment on the cohort list, from its stored progress snapshot."""

    id: int
    trainee_name: str
    trainee_email: str
    program: str
    track: str | None
    cohort: str | None
    status: str
    state: str
    steps: list[str] | None
    blocking: int
    next_due_on: date | None
    codes: list[str]
    updating: bool


class CohortList(BaseModel):
    """A page of the cohort list."""

    data: list[CohortRowOut]
    paging: Paging


class CertificateOut(BaseModel):
    """A certificate with its public facts."""

    id: int
    number: str
    enrollment_id: int
    issued_on: date
    verification_url: str
    public: dict[str, object]


class CertificateRowOut(BaseModel):
    """A listed certificate and its status today (the engine's)."""

    id: int
    number: str
    enrollment_id: int
    holder: str
    credential: str
    issuer: str
    issued_on: date
    status: str
    at_risk: bool
    verification_url: str


class CertificateQuery(PageQuery):
    """A search of the program's certificates."""

    q: str = Field("", max_length=100)


class CertificateList(BaseModel):
    """A page of certificates."""

    data: list[CertificateRowOut]
    paging: Paging


class Verification(BaseModel):
    """What anyone may know of a certificate: the verification page's facts."""

    model_config = ConfigDict(extra="allow")


class ImportRowIn(BaseModel):
    """One row of didactic attendance, as the CSV import reads it (the date as written in the
    export, ISO preferred; hours may be left out when the program's course map gives them)."""

    person: Text = Field(max_length=254, description="The trainee's e-mail address.")
    topic: Text = Field(max_length=200, description="A topic's code or name, or an LMS course.")
    date: Text = Field(max_length=40)
    hours: Text = Field("", max_length=20)
    provider: Text = Field("", max_length=400)
    external_id: Text = Field(max_length=200, description="The LMS's id: imported once only.")


class ImportIn(BaseModel):
    """Rows to preview, or to import (`commit` with the digest the preview of the same rows
    answered: a stale preview is refused)."""

    program_id: int = Field(ge=1, le=2_147_483_647)
    rows: list[ImportRowIn] = Field(min_length=1, max_length=10_000)
    commit: bool = False
    digest: Text | None = Field(None, max_length=128)


class ImportRowOut(BaseModel):
    """What importing one row does: create, duplicate or error (with the reason)."""

    line: int
    status: Text
    reason: Text
    external_id: Text


class ImportOut(BaseModel):
    """The preview (or the import) of the rows: each row's outcome, the counts, the digest to
    commit with, and the batch once imported."""

    rows: list[ImportRowOut]
    creates: int
    duplicates: int
    errors: int
    digest: Text
    batch_id: int | None = None
