"""The ledger as the progress engine reads it: `Ledger` facts for the enrollment loader."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.finance.models import PaymentPlan
from tracker.finance.queries import EnrollmentIds
from tracker.finance.queries import ledger_summaries
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.standing.contributors import watch

# An instalment names its plan, and the plan its enrollment.
watch("instalments", ("plan_id", PaymentPlan.__table__.c.id))


def ledger_facts(enrollment_ids: EnrollmentIds) -> dict[int, dict[str, Any]]:
    """`{"ledger": Ledger}` per enrollment (ids or a subquery), in a constant number of queries.

    The engine judges overdue instalments itself from the covered amounts and its `today`.
    """
    # A fixed `today` skips the time-zone query: the engine, not this summary, decides overdue.
    summaries = ledger_summaries(enrollment_ids, today=date.min)
    return {i: {"ledger": summary.as_ledger()} for i, summary in summaries.items()}


@contributor
def ledger_contribution(selection: Selection) -> Contribution:
    """The ledger of each selected enrollment that has one."""
    return ledger_facts(selection.ids)
