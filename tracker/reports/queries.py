"""The reports' figures, each one or a few aggregate queries over the stored progress
snapshots (the engine's verdicts), the ledger, the certificates and the supervised sessions.

Nothing here decides a status: a step reached or complete, a withdrawal, an overdue instalment,
a certificate at risk are what the engine stored in `progress_snapshots` (letters per step,
item codes, life state). The queries count them. The number of queries of each report does not
depend on the number of enrollments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all

from tracker.accounts.models import User
from tracker.certificates.models import Certificate
from tracker.dashboard.queries import program_and_cohort_choices
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.finance.models import KIND_SIGN
from tracker.finance.models import LedgerEntry
from tracker.programs.models import FORMAT_TYPICAL_MONTHS
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import Track
from tracker.progress.training_rules import PACE_UNCOUNTED_KINDS
from tracker.progress.training_rules import PACE_UNCOUNTED_STATUSES
from tracker.reports.sql import day_of
from tracker.reports.sql import days_between
from tracker.reports.sql import quantiles
from tracker.standing.snapshots import LETTERS
from tracker.standing.snapshots import out_of_date
from tracker.standing.snapshots import program_zones
from tracker.supervision.models import SupervisedSession
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

STEPS = range(1, 10)
DONE = (LETTERS["complete"], LETTERS["waived"])
# A step is reached once it is under way: in progress, complete or waived (not when it is not
# started, nor when the engine blocks it on an unmet dependency).
REACHED = (LETTERS["in_progress"], *DONE)
DAYS_PER_MONTH = 365.25 / 12
WAIT_BANDS = ((0, 7, "under 7 days"), (7, 14, "7-13 days"), (14, 30, "14-29 days"))
WAIT_LAST_BAND = "30 days or more"


@dataclass(frozen=True)
class ReportFilters:
    """What the staff member chose (already validated): the enrollments (program, track,
    cohort) and a date range that each report applies to its own event date."""

    program_id: int | None = None
    track_id: int | None = None
    cohort_id: int | None = None
    since: date | None = None
    until: date | None = None


def _enrollments(f: ReportFilters) -> list[Any]:
    conditions = []
    if f.program_id is not None:
        conditions.append(Enrollment.program_id == f.program_id)
    if f.track_id is not None:
        conditions.append(Enrollment.track_id == f.track_id)
    if f.cohort_id is not None:
        conditions.append(Enrollment.cohort_id == f.cohort_id)
    return conditions


def _dates(column: Any, f: ReportFilters) -> list[Any]:
    """`column` (a date) within the range."""
    conditions = []
    if f.since is not None:
        conditions.append(column >= f.since)
    if f.until is not None:
        conditions.append(column <= f.until)
    return conditions


def _times(column: Any, f: ReportFilters) -> list[Any]:
    """`column` (a UTC time) within the range's days."""
    conditions = []
    if f.since is not None:
        conditions.append(column >= datetime.combine(f.since, time.min, UTC))
    if f.until is not None:
        conditions.append(column <= datetime.combine(f.until, time.max, UTC))
    return conditions


def _letter(step: int) -> Any:
    return func.substr(ProgressSnapshot.steps, step, 1)


def _has_code(code: str) -> Any:
    return ProgressSnapshot.codes.like(f"% {code} %")


# -- completion funnel -------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelRow:
    """One cohort: its enrollments with a track, how many started and completed each step."""

    cohort: str
    enrollments: int
    reached: tuple[int, ...]
    completed: tuple[int, ...]


def funnel(f: ReportFilters) -> list[FunnelRow]:
    """Per cohort (oldest first): enrollments that reached (the step is under way, complete or
    waived) and completed (or were waived) each of the nine steps. Enrollments enrolled in
    the date range; those without a track yet are left out (their steps are not known). One
    query: the database counts the enrollments per cohort and stored pattern of nine statuses
    (a few hundred patterns whatever the number of enrollments); the steps are read off them."""
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, ProgressSnapshot.steps, func.count())
        .select_from(Enrollment)
        .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(ProgressSnapshot.steps != "", *_enrollments(f), *_times(Enrollment.created_at, f))
        .group_by(Cohort.id, Cohort.name, Cohort.starts_on, ProgressSnapshot.steps)
        .order_by(Cohort.starts_on, Cohort.name, Cohort.id)
    ).all()
    cohorts: dict[Any, tuple[str, list[int], list[int], list[int]]] = {}
    for cohort_id, name, steps, count in rows:
        _, total, reached, completed = cohorts.setdefault(
            cohort_id, (name or "No cohort", [0], [0] * 9, [0] * 9)
        )
        total[0] += count
        for index, letter in enumerate(steps[:9]):
            if letter in REACHED:
                reached[index] += count
            if letter in DONE:
                completed[index] += count
    return [
        FunnelRow(cohort=name, enrollments=total[0], reached=tuple(r), completed=tuple(c))
        for name, total, r, c in cohorts.values()
    ]


# -- dropout by step ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DropoutRow:
    """The step at which enrollments stopped: withdrawn, or active with no recent activity."""

    step: int
    withdrawn: int
    inactive: int


def dropout(f: ReportFilters) -> list[DropoutRow]:
    """Withdrawn enrollments, and active ones the engine flags as inactive, by the first step
    they had not completed. Every step is listed, zeros included."""
    first_open = case(*((_letter(step).not_in(DONE), step) for step in STEPS[:-1]), else_=STEPS[-1])
    withdrawn = ProgressSnapshot.state == "withdrawn"
    inactive = and_(ProgressSnapshot.state == "active", _has_code("activity.none_recent"))
    counted = dict.fromkeys(STEPS, (0, 0))
    for step, out, idle in db.session.execute(
        select(
            first_open,
            func.sum(case((withdrawn, 1), else_=0)),
            func.sum(case((inactive, 1), else_=0)),
        )
        .select_from(Enrollment)
        .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(
            ProgressSnapshot.steps != "",
            or_(withdrawn, inactive),
            *_enrollments(f),
            *_times(Enrollment.created_at, f),
        )
        .group_by(first_open)
    ):
        counted[int(step)] = (int(out), int(idle))
    return [DropoutRow(step, *counted[step]) for step in STEPS]


# -- time to certificate ------------------------------------------------------------------------


@dataclass(frozen=True)
class DurationRow:
    """Months from admission to certificate for one format, beside its typical duration."""

    format: str
    certificates: int
    quartiles: tuple[float | None, float | None, float | None]
    typical: tuple[int, int]


def time_to_certificate(f: ReportFilters) -> list[DurationRow]:
    """Per track format: certificates issued in the range, and the lower quartile, median and
    upper quartile of the months from admission to issue (one query)."""
    source = (
        select(
            Track.format.label("g"),
            days_between(Certificate.issued_on, day_of(Enrollment.decided_at)).label("v"),
        )
        .select_from(Certificate)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .join(Track, Track.id == Enrollment.track_id)
        .where(
            Enrollment.decided_at.is_not(None),
            *_enrollments(f),
            *_dates(Certificate.issued_on, f),
        )
    )
    found = {g: (n, q) for g, n, q in quantiles(source, "g", "v", (25, 50, 75), step=1.0)}
    rows = []
    for fmt, typical in FORMAT_TYPICAL_MONTHS.items():
        n, q = found.get(fmt, (0, [None, None, None]))
        months = tuple(None if v is None else round(v / DAYS_PER_MONTH, 1) for v in q)
        rows.append(DurationRow(fmt, n, months, typical))  # type: ignore[arg-type]
    return rows


# -- supervisor turnaround ----------------------------------------------------------------------


@dataclass(frozen=True)
class TurnaroundRow:
    """One supervisor: sessions signed in the range and the days they waited, and the
    sessions waiting now by age."""

    supervisor: str
    signed: int
    median_days: float | None
    p90_days: float | None
    waiting: tuple[int, ...]


def turnaround(f: ReportFilters, now: datetime) -> list[TurnaroundRow]:
    """Per supervisor: median and 90th percentile of the days from a session's submission to
    its signature (signed in the range), and the sessions waiting now by age band (two
    queries, and one for the names)."""
    source = (
        select(
            SupervisedSession.supervisor_id.label("g"),
            days_between(SupervisedSession.signed_at, SupervisedSession.submitted_at).label("v"),
        )
        .join(Enrollment, Enrollment.id == SupervisedSession.enrollment_id)
        .where(
            SupervisedSession.status == "signed",
            SupervisedSession.signed_at.is_not(None),
            SupervisedSession.submitted_at.is_not(None),
            SupervisedSession.supervisor_id.is_not(None),
            *_enrollments(f),
            *_times(SupervisedSession.signed_at, f),
        )
    )
    signed = {g: (n, q) for g, n, q in quantiles(source, "g", "v", (50, 90), step=1 / 24)}
    age = days_between(literal(now, UTCDateTime()), SupervisedSession.submitted_at)
    bands = [
        func.sum(case((and_(age >= low, age < high), 1), else_=0)) for low, high, _ in WAIT_BANDS
    ]
    bands.append(func.sum(case((age >= WAIT_BANDS[-1][1], 1), else_=0)))
    waiting = {
        row[0]: tuple(int(v) for v in row[1:])
        for row in db.session.execute(
            select(SupervisedSession.supervisor_id, *bands)
            .join(Enrollment, Enrollment.id == SupervisedSession.enrollment_id)
            .where(
                SupervisedSession.status == "submitted",
                SupervisedSession.supervisor_id.is_not(None),
                SupervisedSession.submitted_at.is_not(None),
                *_enrollments(f),
            )
            .group_by(SupervisedSession.supervisor_id)
        )
    }
    ids = set(signed) | set(waiting)
    names = dict(
        db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()
        if ids
        else []
    )
    empty = (0,) * (len(WAIT_BANDS) + 1)
    rows = []
    for sid in ids:
        n, q = signed.get(sid, (0, [None, None]))
        rows.append(
            TurnaroundRow(
                supervisor=names.get(sid, "Unknown"),
                signed=n,
                median_days=None if q[0] is None else round(q[0], 1),
                p90_days=None if q[1] is None else round(q[1], 1),
                waiting=waiting.get(sid, empty),
            )
        )
    return sorted(rows, key=lambda r: r.supervisor.casefold())


def wait_band_labels() -> list[str]:
    """The age bands of waiting sessions, as the table heads them."""
    return [label for _, _, label in WAIT_BANDS] + [WAIT_LAST_BAND]


# -- finance ------------------------------------------------------------------------------------


@dataclass
class FinanceRow:
    """One cohort in one month: what the ledger posted, in cents, and the balance owed at the
    month's end (all the cohort's entries up to then)."""

    cohort: str
    month: str
    charged: int = 0
    reduced: int = 0
    collected: int = 0
    outstanding: int = 0


@dataclass(frozen=True)
class FinanceNow:
    """One cohort today: the balance owed and the enrollments with an overdue instalment (the
    engine's verdict)."""

    cohort: str
    outstanding: int
    overdue_enrollments: int


@dataclass
class Finance:
    """Per cohort and month, and per cohort now."""

    months: list[FinanceRow] = field(default_factory=list)
    now: list[FinanceNow] = field(default_factory=list)


def finance(f: ReportFilters) -> Finance:
    """Charged (charges), reduced (scholarships and discounts), collected (payments less
    refunds) per cohort and month posted in the range; the balance owed at each month's end;
    and, per cohort, the balance now and how many enrollments have an overdue instalment. A
    void takes its original's effect back, in the month the void is posted. Two queries."""
    effect = case((LedgerEntry.voids_id.is_(None), 1), else_=-1) * LedgerEntry.amount_cents
    year = extract("year", LedgerEntry.posted_on)
    month = extract("month", LedgerEntry.posted_on)
    cohort = func.coalesce(Cohort.name, "No cohort")
    sums = [
        func.sum(case((LedgerEntry.kind == "charge", effect), else_=0)),
        func.sum(case((LedgerEntry.kind.in_(("scholarship", "discount")), effect), else_=0)),
        func.sum(
            case(
                (LedgerEntry.kind == "payment", effect),
                (LedgerEntry.kind == "refund", -effect),
                else_=0,
            )
        ),
    ]
    rows = db.session.execute(
        select(cohort, Cohort.starts_on, year, month, *sums)
        .select_from(LedgerEntry)
        .join(Enrollment, Enrollment.id == LedgerEntry.enrollment_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(*_enrollments(f), *_dates(LedgerEntry.posted_on, f))
        .group_by(Cohort.id, Cohort.name, Cohort.starts_on, year, month)
        .order_by(Cohort.starts_on, Cohort.name, year, month)
    ).all()
    result = Finance()
    running: dict[str, int] = defaultdict(int)
    for name, _starts, y, m, charged, reduced, collected in rows:
        charged, reduced, collected = int(charged), int(reduced), int(collected)
        running[name] += charged - reduced - collected
        result.months.append(
            FinanceRow(
                name, f"{int(y):04d}-{int(m):02d}", charged, reduced, collected, running[name]
            )
        )
    signed = (
        case(*((LedgerEntry.kind == kind, sign) for kind, sign in KIND_SIGN.items()), else_=0)
        * effect
    )
    balances = (
        select(
            Enrollment.cohort_id.label("cohort_id"),
            func.sum(signed).label("owed"),
            literal(0).label("overdue"),
        )
        .join(LedgerEntry, LedgerEntry.enrollment_id == Enrollment.id)
        .where(*_enrollments(f))
        .group_by(Enrollment.cohort_id)
    )
    overdue = (
        select(
            Enrollment.cohort_id.label("cohort_id"),
            literal(0).label("owed"),
            func.count().label("overdue"),
        )
        .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(_has_code("instalment.overdue"), *_enrollments(f))
        .group_by(Enrollment.cohort_id)
    )
    both = union_all(balances, overdue).subquery("b")
    for name, owed, late in db.session.execute(
        select(
            func.coalesce(Cohort.name, "No cohort"), func.sum(both.c.owed), func.sum(both.c.overdue)
        )
        .select_from(both)
        .outerjoin(Cohort, Cohort.id == both.c.cohort_id)
        .group_by(Cohort.id, Cohort.name, Cohort.starts_on)
        .order_by(Cohort.starts_on, Cohort.name)
    ):
        result.now.append(FinanceNow(name, int(owed or 0), int(late or 0)))
    return result


# -- credentials --------------------------------------------------------------------------------


@dataclass
class Credentials:
    """Certificates issued per month, and every certificate's status now."""

    issued: list[tuple[str, int]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    at_risk: int = 0


CERTIFICATE_STATUSES = ("valid", "lapsed", "expired", "revoked")


def credentials(f: ReportFilters) -> Credentials:
    """Certificates issued per month in the range; valid, lapsed and revoked now; and holders
    the engine flags as at risk of lapsing (three queries)."""
    year = extract("year", Certificate.issued_on)
    month = extract("month", Certificate.issued_on)
    base = (
        select()
        .select_from(Certificate)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
    )
    result = Credentials()
    for y, m, n in db.session.execute(
        base.add_columns(year, month, func.count())
        .where(*_enrollments(f), *_dates(Certificate.issued_on, f))
        .group_by(year, month)
        .order_by(year, month)
    ):
        result.issued.append((f"{int(y):04d}-{int(m):02d}", int(n)))
    counts = dict(
        db.session.execute(
            base.add_columns(Certificate.status, func.count())
            .where(*_enrollments(f))
            .group_by(Certificate.status)
        ).all()
    )
    result.by_status = {status: int(counts.get(status, 0)) for status in CERTIFICATE_STATUSES}
    result.at_risk = int(
        db.session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .join(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
            .where(_has_code("certificate.at_risk"), *_enrollments(f))
        )
        or 0
    )
    return result


# -- pace ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaceWeek:
    """One week since the cohort's start: quartiles of the hours logged so far, and the hours
    the expected pace reaches by the week's end."""

    week: int
    lower: float
    median: float
    upper: float
    expected: float


@dataclass(frozen=True)
class Pace:
    """A cohort's pace: the trainees counted and their weeks."""

    cohort: str
    trainees: int
    total_hours: float
    weeks: list[PaceWeek]


def pace(cohort_id: int, today: date, total_hours: Decimal | None) -> Pace | None:
    """Cumulative hours per week since the cohort's start for its admitted enrollments
    (logged and not returned, as the engine's pace rule counts them), with the quartiles per
    week and the expected pace: the program's total hours reached evenly by the cohort's end.
    Three queries; the rows fetched are one per trainee and week with hours, not per entry."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        return None
    members = list(
        db.session.scalars(
            select(Enrollment.id).where(
                Enrollment.cohort_id == cohort_id,
                Enrollment.status.in_(("admitted", "certified", "withdrawn")),
            )
        )
    )
    last_day = min(today, cohort.ends_on)
    weeks_total = max((last_day - cohort.starts_on).days // 7 + 1, 1)
    span_weeks = max((cohort.ends_on - cohort.starts_on).days / 7, 1)
    hours: dict[int, dict[int, float]] = defaultdict(dict)
    if members:
        parts = []
        for model, kind_filter in (
            (DidacticEntry, []),
            (ExperientialEntry, [ExperientialEntry.kind.not_in(PACE_UNCOUNTED_KINDS)]),
        ):
            parts.append(
                select(
                    model.enrollment_id.label("e"),
                    model.on.label("on"),
                    model.hours.label("h"),
                ).where(
                    model.enrollment_id.in_(members),
                    model.status.not_in(PACE_UNCOUNTED_STATUSES),
                    model.on >= cohort.starts_on,
                    model.on <= last_day,
                    *kind_filter,
                )
            )
        logged = union_all(*parts).subquery("l")
        week = func.floor(days_between(logged.c.on, literal(cohort.starts_on)) / 7)
        for enrollment_id, w, h in db.session.execute(
            select(logged.c.e, week, func.sum(logged.c.h)).group_by(logged.c.e, week)
        ):
            hours[enrollment_id][int(w)] = float(h)
    weeks = []
    running = dict.fromkeys(members, 0.0)
    target = float(total_hours or 0)
    for w in range(weeks_total):
        for member in members:
            running[member] += hours.get(member, {}).get(w, 0.0)
        values = sorted(running.values())
        expected = round(min(target, target * (w + 1) / span_weeks), 1)
        if values:
            weeks.append(
                PaceWeek(
                    w + 1,
                    _nearest_rank(values, 25),
                    _nearest_rank(values, 50),
                    _nearest_rank(values, 75),
                    expected,
                )
            )
    return Pace(cohort.name, len(members), target, weeks)


def _nearest_rank(values: list[float], percent: int) -> float:
    """The nearest-rank percentile of sorted `values` (as the SQL quantiles compute it)."""
    rank = max((percent * len(values) + 99) // 100, 1)
    return round(values[rank - 1], 2)


# -- filter choices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What the report filters offer."""

    programs: list[tuple[int, str]]
    tracks: list[tuple[int, str]]
    cohorts: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """Programs, tracks and cohorts for the filter menus (three small queries): the cohort
    page's programs and cohorts, and the tracks named the same way."""
    programs, cohorts = program_and_cohort_choices()
    tracks = db.session.execute(
        select(Track.id, Track.name, Program.name)
        .join(Program, Program.id == Track.program_id)
        .order_by(Program.name, Track.name)
    ).all()
    multiple = len(programs) > 1
    return FilterChoices(
        programs=programs,
        tracks=[(t[0], f"{t[1]} ({t[2]})" if multiple else t[1]) for t in tracks],
        cohorts=cohorts,
    )


def updating(f: ReportFilters) -> tuple[int, int]:
    """Of the filtered enrollments: how many have a stored standing that is not up to date
    (changed since, or a day has come that can change it: the worker is recomputing them),
    and how many there are (two queries)."""
    late = case((out_of_date(program_zones()), 1), else_=0)
    row = db.session.execute(
        select(func.coalesce(func.sum(late), 0), func.count())
        .select_from(Enrollment)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(*_enrollments(f))
    ).one()
    return int(row[0]), int(row[1])
