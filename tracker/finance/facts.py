"""The ledger as the progress engine reads it: `Ledger` facts for the enrollment loader."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.finance.queries import EnrollmentIds, ledger_summaries


def ledger_facts(enrollment_ids: EnrollmentIds) -> dict[int, dict[str, Any]]:
    """`{"ledger": Ledger}` per enrollment (ids or a subquery), in a constant number of queries.

    The engine judges overdue instalments itself from the covered amounts and its `today`.
    """
    # A fixed `today` skips the time-zone query: the engine, not this summary, decides overdue.
    summaries = ledger_summaries(enrollment_ids, today=date.min)
    return {i: {"ledger": summary.as_ledger()} for i, summary in summaries.items()}
