"""What the cohort page prints for each of its rows, worked out in Python before rendering.

Fifty rows of nine step cells each, through Jinja loops, lookups and `url_for` per row, cost
more than reading the rows. Here each pattern of nine statuses is turned into its cells once and
kept (a cohort has few patterns), the labels are looked up once per row, and the links are
built from one address per endpoint. The page shows the same cells, labels and links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from tracker.core.web import addresses
from tracker.dashboard.cohort import ENROLLMENT_STATUS_LABELS
from tracker.dashboard.cohort import CohortRow
from tracker.progress.items import STEP_TITLES
from tracker.progress.items import Step
from tracker.progress.life_rules import LIFE_STATE_LABELS

# Each step status as a symbol and in words (the symbol is hidden from screen readers, which
# read the words).
MARKS = {
    "not_started": ("\u2013", "not started"),  # en dash
    "in_progress": ("\u2026", "in progress"),  # ellipsis
    "complete": ("\u2713", "complete"),  # check mark
    "waived": ("W", "waived"),
    "blocked": ("\u00d7", "blocked"),  # multiplication sign
}
_CELL = Markup(
    '<td class="text-center"><span aria-hidden="true" title="{0}: {1}">{2}</span>'
    '<span class="visually-hidden">{0}: {1}</span></td>'
)
NO_TRACK = Markup('<td colspan="9">No track chosen yet</td>')
# Each step status as a badge: its words, and a colour that never says it alone (the same
# badges as the nine steps of a trainee's pages, `dashboard/_steps.html`).
BADGES = {
    "not_started": ("Not started", "bg-secondary"),
    "in_progress": ("In progress", "bg-primary"),
    "complete": ("Complete", "bg-success"),
    "waived": ("Waived", "bg-info text-dark"),
    "blocked": ("Blocked", "bg-dark"),
}
_BADGE_ITEM = Markup('<li>{0}. {1}: <span class="badge status-badge {2}">{3}</span></li>')
# Life states the status column does not repeat (what every admitted or applying row is).
_PLAIN_STATES = ("active", "applying")


@lru_cache(maxsize=2048)
def step_cells(steps: tuple[str, ...] | None) -> Markup:
    """The nine table cells of a row's step statuses (one cell spanning nine without a track)."""
    if not steps:
        return NO_TRACK
    titles = [STEP_TITLES[step] for step in Step]
    return Markup("\n").join(
        _CELL.format(title, MARKS[status][1], MARKS[status][0])
        for title, status in zip(titles, steps, strict=False)
    )


@lru_cache(maxsize=2048)
def step_badges(steps: tuple[str, ...]) -> Markup:
    """The nine steps, numbered, each with its status as a badge: a list built once per
    pattern of statuses (a supervisor's trainees share few)."""
    items = Markup("\n").join(
        _BADGE_ITEM.format(int(step), STEP_TITLES[step], BADGES[status][1], BADGES[status][0])
        for step, status in zip(Step, steps, strict=False)
    )
    return Markup('<ol class="list-unstyled mb-0 step-statuses">\n{0}\n</ol>').format(items)


@dataclass(frozen=True, slots=True)
class CohortLine:
    """One row of the cohort page as printed: texts, links and the step cells."""

    name: str
    track: str
    cohort: str
    status: str
    state: str
    steps: Markup
    blocking: int
    due: str
    updating: bool
    review_href: str | None
    record_href: str | None


def cohort_lines(rows: Iterable[CohortRow], review_endpoint: str | None) -> list[CohortLine]:
    """The page's rows as printed; `review_endpoint` links each name (None: no link)."""
    review = addresses(review_endpoint) if review_endpoint else None
    record = addresses("records.trainee")
    lines = []
    for row in rows:
        state = row.state
        shown_state = state and state not in _PLAIN_STATES and state != row.status
        lines.append(
            CohortLine(
                name=row.trainee_name,
                track=row.track_name or "no track",
                cohort=row.cohort_name or "—",
                status=ENROLLMENT_STATUS_LABELS.get(row.status, row.status),
                state=LIFE_STATE_LABELS.get(state, state) if shown_state else "",
                steps=step_cells(row.steps),
                blocking=row.blocking,
                due=row.next_due_on.isoformat() if row.next_due_on else "—",
                updating=row.updating,
                review_href=review(row.id) if review is not None else None,
                record_href=record(row.id) if row.status == "admitted" else None,
            )
        )
    return lines
