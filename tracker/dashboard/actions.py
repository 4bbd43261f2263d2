"""Where a person goes to act on an outstanding item."""

from __future__ import annotations

from flask import current_app
from flask import url_for

from tracker.progress import OutstandingItem

# The page a trainee opens to act on each step.
TRAINEE_STEP_PAGES = {
    1: "eligibility.overview",
    2: "enrollments.program",
    3: "applications.overview",
    4: "finance.my_ledger",
    5: "training.hours",
    6: "training.hours",
    7: "supervision.sessions",
    8: "assessment.my_results",
    9: "training.ce",
}
# Item codes whose page differs from their step's page.
TRAINEE_CODE_PAGES = {
    "case_presentation.short": "supervision.presentations",
    "ce.short": "training.ce",
    "consultation.short": "training.ce",
    "ce.lapsed": "training.ce",
    "consultation.lapsed": "training.ce",
    "track.missing": "enrollments.program",
    "cohort.missing": "enrollments.program",
}


def trainee_link(item: OutstandingItem) -> str | None:
    """The URL of the trainee's page for acting on `item`, if there is one."""
    endpoint = TRAINEE_CODE_PAGES.get(item.code) or TRAINEE_STEP_PAGES.get(int(item.step))
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint)


def step_link(step: int) -> str | None:
    """The trainee's page for a step."""
    endpoint = TRAINEE_STEP_PAGES.get(step)
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint)
