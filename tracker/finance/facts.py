"""The ledger as the progress engine reads it: `Ledger` facts for the enrollment loader."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select

from tracker.finance.models import PaymentPlan
from tracker.finance.queries import EnrollmentIds
from tracker.finance.queries import LedgerSummary
from tracker.finance.queries import ledger_reads
from tracker.finance.queries import ledger_summaries
from tracker.finance.queries import summaries_from
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
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
    return _facts(ledger_summaries(enrollment_ids, today=date.min))


def _facts(summaries: dict[int, LedgerSummary]) -> dict[int, dict[str, Any]]:
    return {i: {"ledger": summary.as_ledger()} for i, summary in summaries.items()}


def _totals(selection: Selection) -> Select:
    return ledger_reads(selection.ids)[0]


def _instalments(selection: Selection) -> Select:
    return ledger_reads(selection.ids)[1]


@contributor(_totals, _instalments)
def ledger_contribution(
    _selection: Selection, total_rows: Rows, instalment_rows: Rows
) -> Contribution:
    """The ledger of each selected enrollment that has one."""
    return _facts(summaries_from(total_rows, instalment_rows, today=date.min))
