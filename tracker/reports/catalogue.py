"""The reports staff can open: for each, its figures as a table (shown, and downloaded as CSV),
a sentence that says what the figures show, and a chart drawn from the same table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs.models import FORMAT_LABELS
from tracker.programs.models import Cohort
from tracker.progress.items import STEP_TITLES
from tracker.progress.items import Step
from tracker.progress.pace import PaceOverTime
from tracker.progress.pace import pace_over_time
from tracker.progress.text import day
from tracker.progress.text import hours
from tracker.progress.text import money
from tracker.reports import charts
from tracker.reports import queries
from tracker.reports.queries import ReportFilters


@dataclass(frozen=True)
class Built:
    """A report as a page shows it: the summary, the table and the chart (SVG)."""

    summary: str
    header: list[str]
    rows: list[list[Any]]
    chart: Callable[[], charts.Chart]
    note: str = ""


@dataclass(frozen=True)
class Report:
    """One report of the catalogue."""

    key: str
    title: str
    description: str
    build: Callable[[ReportFilters, date, datetime], Built]


STEP_NAMES = [f"{int(step)}. {STEP_TITLES[step]}" for step in Step]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _funnel(f: ReportFilters, today: date, now: datetime) -> Built:
    rows = queries.funnel(f)
    drops = queries.dropout(f)
    total = sum(r.enrollments for r in rows)
    reached = [sum(r.reached[i] for r in rows) for i in range(9)]
    completed = [sum(r.completed[i] for r in rows) for i in range(9)]
    if total:
        worst = max(drops, key=lambda d: (d.withdrawn, -d.step))
        where = (
            f"; most withdrawals at step {worst.step} ({STEP_TITLES[Step(worst.step)]})"
            if worst.withdrawn
            else "; no withdrawals"
        )
        scope = rows[0].cohort if len(rows) == 1 else f"{len(rows)} cohorts"
        summary = (
            f"{scope}: {reached[6]:,} of {_plural(total, 'enrollment')} reached supervised "
            f"practice (step 7) and {completed[7]:,} completed the final assessment"
            f" (step 8){where}."
        )
    else:
        summary = "No enrollment with a chosen track matches these filters."
    header = ["Cohort", "Enrollments"]
    for name in STEP_NAMES:
        header += [f"Reached {name}", f"Completed {name}"]
    table = []
    for r in rows:
        line: list[Any] = [r.cohort, r.enrollments]
        for i in range(9):
            line += [r.reached[i], r.completed[i]]
        table.append(line)

    def chart() -> charts.Chart:
        return charts.bars(
            "Completion funnel: enrollments at each step",
            "Step",
            "Enrollments",
            [str(int(step)) for step in Step],
            [("Reached the step", reached), ("Completed or waived", completed)],
        )

    note = "Step numbers on the chart: " + "; ".join(STEP_NAMES) + "."
    return Built(summary, header, table, chart, note)


def _dropout(f: ReportFilters, today: date, now: datetime) -> Built:
    drops = queries.dropout(f)
    withdrawn = sum(d.withdrawn for d in drops)
    inactive = sum(d.inactive for d in drops)
    if withdrawn or inactive:
        worst = max(drops, key=lambda d: (d.withdrawn + d.inactive, -d.step))
        summary = (
            f"{_plural(withdrawn, 'enrollment')} withdrawn and {inactive:,} inactive; the most "
            f"stopped at step {worst.step} ({STEP_TITLES[Step(worst.step)]}): "
            f"{worst.withdrawn + worst.inactive:,}."
        )
    else:
        summary = "No enrollment matching these filters has withdrawn or gone inactive."
    header = ["Step", "Withdrawn", "Inactive (no recent activity)"]
    table = [[STEP_NAMES[d.step - 1], d.withdrawn, d.inactive] for d in drops]

    def chart() -> charts.Chart:
        return charts.stacked(
            "Where trainees stop: by the first step not completed",
            "Step",
            "Enrollments",
            [str(d.step) for d in drops],
            [
                ("Withdrawn", [d.withdrawn for d in drops]),
                ("Inactive", [d.inactive for d in drops]),
            ],
        )

    note = (
        "A withdrawn enrollment counts at the first step it had not completed when it left; an "
        "inactive one is active but has logged nothing for its program's inactivity window."
    )
    return Built(summary, header, table, chart, note)


def _duration(f: ReportFilters, today: date, now: datetime) -> Built:
    rows = queries.time_to_certificate(f)
    parts = [
        f"{FORMAT_LABELS[r.format].split(' (')[0].lower()} median {r.quartiles[1]} months "
        f"(typically {r.typical[0]}-{r.typical[1]})"
        for r in rows
        if r.certificates
    ]
    summary = (
        "Time from admission to certificate: " + "; ".join(parts) + "."
        if parts
        else "No certificate issued in this range for these enrollments."
    )
    header = [
        "Format",
        "Certificates",
        "Lower quartile (months)",
        "Median (months)",
        "Upper quartile (months)",
        "Typical shortest (months)",
        "Typical longest (months)",
    ]
    table = [
        [FORMAT_LABELS[r.format], r.certificates, *r.quartiles, r.typical[0], r.typical[1]]
        for r in rows
    ]

    def chart() -> charts.Chart:
        return charts.bars(
            "Time to certificate by format, beside the typical duration",
            "Format",
            "Months from admission",
            [FORMAT_LABELS[r.format].split(" (")[0] for r in rows],
            [
                ("Lower quartile", [r.quartiles[0] for r in rows]),
                ("Median", [r.quartiles[1] for r in rows]),
                ("Upper quartile", [r.quartiles[2] for r in rows]),
                ("Typical shortest", [r.typical[0] for r in rows]),
                ("Typical longest", [r.typical[1] for r in rows]),
            ],
        )

    note = "Quartiles of the certificates issued in the date range (nearest rank)."
    return Built(summary, header, table, chart, note)


def _pace_cohort(f: ReportFilters, today: date) -> int | None:
    """The cohort the pace report shows: the one chosen, else the latest that has started."""
    if f.cohort_id is not None:
        return f.cohort_id
    query = select(Cohort.id).where(Cohort.starts_on <= today)
    if f.program_id is not None:
        query = query.where(Cohort.program_id == f.program_id)
    return db.session.scalar(query.order_by(Cohort.starts_on.desc(), Cohort.id.desc()).limit(1))


def _total_hours(cohort_id: int) -> Decimal | None:
    """The program total hours of the cohort's requirement set (its first enrollment's)."""
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.track_id.is_not(None))
        .order_by(Enrollment.id)
        .limit(1)
    )
    requirements = enrollment.requirements if enrollment is not None else None
    return requirements.spec.program_total_hours if requirements is not None else None


def _pace(f: ReportFilters, today: date, now: datetime) -> Built:
    cohort_id = _pace_cohort(f, today)
    result = queries.pace(cohort_id, today, _total_hours(cohort_id)) if cohort_id else None
    header = ["Week", "Lower quartile (hours)", "Median (hours)", "Upper quartile (hours)"]
    header.append("Expected pace (hours)")
    if result is None or not result.weeks:
        return Built(
            "No cohort with admitted trainees has started for these filters.",
            header,
            [],
            lambda: charts.lines("Pace", "Week since cohort start", "Hours", [], []),
        )
    last = result.weeks[-1]
    ahead = "ahead of" if last.median >= last.expected else "behind"
    summary = (
        f"Cohort {result.cohort}, week {last.week}: the median trainee of "
        f"{_plural(result.trainees, 'trainee')} has logged {last.median:g} hours, {ahead} the "
        f"expected {last.expected:g} (of {result.total_hours:g})."
    )
    table = [[w.week, w.lower, w.median, w.upper, w.expected] for w in result.weeks]

    def chart() -> charts.Chart:
        return charts.lines(
            f"Pace of cohort {result.cohort}: cumulative hours",
            "Week since cohort start",
            "Hours logged (didactic and experiential)",
            [str(w.week) for w in result.weeks],
            [
                ("Median", [w.median for w in result.weeks]),
                ("Lower quartile", [w.lower for w in result.weeks]),
                ("Upper quartile", [w.upper for w in result.weeks]),
                ("Expected pace", [w.expected for w in result.weeks]),
            ],
            dashed=("Expected pace",),
        )

    note = (
        "Hours logged and not returned for correction, as the pace rule counts them; the "
        "expected pace reaches the program's total hours evenly by the cohort's end."
    )
    return Built(summary, header, table, chart, note)


def _turnaround(f: ReportFilters, today: date, now: datetime) -> Built:
    rows = queries.turnaround(f, now)
    bands = queries.wait_band_labels()
    signed = [r for r in rows if r.median_days is not None]
    waiting = sum(sum(r.waiting) for r in rows)
    if signed:
        slowest = max(signed, key=lambda r: r.median_days or 0)
        summary = (
            f"{_plural(len(signed), 'supervisor')} signed sessions in this range; the slowest "
            f"median is {slowest.supervisor}'s at {slowest.median_days:g} days. "
            f"{_plural(waiting, 'session')} waiting now, {sum(r.waiting[-1] for r in rows):,} "
            f"of them for {queries.WAIT_LAST_BAND}."
        )
    else:
        summary = f"No session signed in this range; {_plural(waiting, 'session')} waiting now."
    header = ["Supervisor", "Sessions signed", "Median days", "90th percentile days"]
    header += [f"Waiting {band}" for band in bands]
    table = [[r.supervisor, r.signed, r.median_days, r.p90_days, *r.waiting] for r in rows]

    def chart() -> charts.Chart:
        return charts.bars(
            "Supervisor turnaround: days from submission to signature",
            "Days",
            "Supervisor",
            [r.supervisor for r in rows],
            [
                ("Median", [r.median_days for r in rows]),
                ("90th percentile", [r.p90_days for r in rows]),
            ],
            horizontal=True,
        )

    note = "Supervised sessions; the date range applies to the day each was signed."
    return Built(summary, header, table, chart, note)


def _finance(f: ReportFilters, today: date, now: datetime) -> Built:
    result = queries.finance(f)
    charged = sum(r.charged - r.reduced for r in result.months)
    collected = sum(r.collected for r in result.months)
    owed = sum(r.outstanding for r in result.now)
    late = sum(r.overdue_enrollments for r in result.now)
    summary = (
        f"Charged {money(charged)} net of scholarships and discounts, collected "
        f"{money(collected)} in this range; {money(owed)} outstanding now, with "
        f"{_plural(late, 'enrollment')} behind on an instalment."
    )
    header = [
        "Cohort",
        "Month",
        "Charged",
        "Scholarships and discounts",
        "Collected",
        "Outstanding at month end",
    ]
    table = [
        [
            r.cohort,
            r.month,
            money(r.charged),
            money(r.reduced),
            money(r.collected),
            money(r.outstanding),
        ]
        for r in result.months
    ]
    months = sorted({r.month for r in result.months})

    def total(attr: str) -> list[float]:
        sums = dict.fromkeys(months, 0)
        for r in result.months:
            sums[r.month] += getattr(r, attr)
        return [round(sums[m] / 100, 2) for m in months]

    def chart() -> charts.Chart:
        return charts.bars(
            "Tuition by month: charged and collected",
            "Month posted",
            "US dollars",
            months,
            [("Charged", total("charged")), ("Collected", total("collected"))],
        )

    note = "Now, per cohort: " + (
        "; ".join(
            f"{r.cohort}: {money(r.outstanding)} outstanding, "
            f"{_plural(r.overdue_enrollments, 'enrollment')} overdue"
            for r in result.now
        )
        or "no ledger entries."
    )
    return Built(summary, header, table, chart, note)


def _credentials(f: ReportFilters, today: date, now: datetime) -> Built:
    result = queries.credentials(f)
    issued = sum(n for _, n in result.issued)
    s = result.by_status
    summary = (
        f"{_plural(issued, 'certificate')} issued in this range. Now: {s['valid']:,} valid, "
        f"{s['lapsed']:,} lapsed, {s['revoked']:,} revoked; {result.at_risk:,} holders at risk "
        "of lapsing."
    )
    header = ["Month", "Certificates issued"]
    table = [[month, n] for month, n in result.issued]

    def chart() -> charts.Chart:
        return charts.bars(
            "Certificates issued per month",
            "Month issued",
            "Certificates",
            [month for month, _ in result.issued],
            [("Issued", [n for _, n in result.issued])],
        )

    note = (
        f"Status now: valid {s['valid']:,}, lapsed {s['lapsed']:,}, revoked {s['revoked']:,}; "
        f"at risk of lapsing {result.at_risk:,}."
    )
    return Built(summary, header, table, chart, note)


REPORTS = {
    r.key: r
    for r in (
        Report(
            "funnel",
            "Completion funnel",
            "How many enrollments of each cohort reached and completed each of the nine steps.",
            _funnel,
        ),
        Report(
            "dropout",
            "Dropout by step",
            "Withdrawals and long inactivity, by the step at which they happened.",
            _dropout,
        ),
        Report(
            "time-to-certificate",
            "Time to certificate",
            "Months from admission to certificate per format, beside the typical duration.",
            _duration,
        ),
        Report(
            "pace",
            "Pace",
            "Cumulative hours per week since a cohort's start, against the expected pace.",
            _pace,
        ),
        Report(
            "turnaround",
            "Supervisor turnaround",
            "Days from a session's submission to its signature, and sessions waiting now.",
            _turnaround,
        ),
        Report(
            "finance",
            "Finance",
            "Charged, collected and outstanding tuition per cohort and month; overdue now.",
            _finance,
        ),
        Report(
            "credentials",
            "Credentials",
            "Certificates issued per month; valid, lapsed and revoked now; holders at risk.",
            _credentials,
        ),
    )
}


# -- one trainee's pace (the trainee home, the supervisor's view of a trainee) -----------------


def standing_pace(standing: Any) -> PaceOverTime | None:
    """An enrollment's pace from its standing (`tracker.standing.Standing`: the facts the page
    loaded already), or None without a requirement set or a running cohort."""
    if standing.spec is None:
        return None
    return pace_over_time(standing.facts, standing.spec, standing.today)


def pace_sentence(pace: PaceOverTime, you: bool = True) -> str:
    """What the trainee's pace chart shows, in a sentence."""
    who, has = ("You", "have") if you else ("The trainee", "has")
    now = pace.points[-1]
    ahead = "ahead of" if pace.logged >= now.expected else "behind"
    text = (
        f"{who} {has} logged {hours(pace.logged)} of {hours(pace.total)} hours, {ahead} the "
        f"expected {hours(now.expected)} by week {now.week}."
    )
    if pace.reached:
        return text + " The program's total is reached."
    if pace.projected_on is None:
        return text + " No hours are logged yet, so no completion date can be projected."
    late = pace.projected_on > pace.cohort_ends_on
    return text + (
        f" At {hours(pace.per_week)} hours a week, the total would be reached around "
        f"{day(pace.projected_on)}, "
        + ("after" if late else "before")
        + f" the cohort ends ({day(pace.cohort_ends_on)})."
    )


def pace_chart(pace: PaceOverTime) -> charts.Chart:
    """The trainee's cumulative hours per week beside the expected pace."""
    return charts.lines(
        "Hours logged since the cohort started",
        "Week since cohort start",
        "Hours (didactic and experiential)",
        [str(p.week) for p in pace.points],
        [
            ("Hours logged", [float(p.logged) for p in pace.points]),
            ("Expected pace", [float(p.expected) for p in pace.points]),
        ],
        dashed=("Expected pace",),
    )
