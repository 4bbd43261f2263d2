"""The tuition ledger as the audit trail records it: each entry's `ledger.entry_added` event,
for `flask audit verify` to check the live rows and each enrollment's totals against (see
`tracker.audit.reconcile`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.reconcile import Discrepancy
from tracker.audit.reconcile import Replay
from tracker.audit.reconcile import TrailEvent
from tracker.audit.reconcile import compare
from tracker.audit.reconcile import replays
from tracker.audit.reconcile import stream
from tracker.finance.models import ENTRY_KINDS
from tracker.finance.models import LedgerEntry
from tracker.programs.services import format_dollars


class Line(NamedTuple):
    """What the reconciliation compares of a ledger entry."""

    enrollment_id: int
    kind: str
    amount_cents: int


def _line(line: Line) -> str:
    return f"{line.kind} of {format_dollars(line.amount_cents)} on enrollment {line.enrollment_id}"


def _totals(totals: Counter) -> str:
    parts = [f"{kind} {format_dollars(totals[kind])}" for kind in ENTRY_KINDS if totals[kind]]
    return ", ".join(parts) or "no entries"


@replays
class LedgerLines(Replay):
    """Ledger entries are append-only: each has one `ledger.entry_added` event whose after holds
    its enrollment, kind and amount. Every live entry must match its event, and each
    enrollment's total per kind must be the sum of its recorded entries."""

    object_types = ("ledger_entries",)

    def __init__(self) -> None:
        self.lines: dict[str, Line] = {}
        self.totals: dict[int, Counter] = {}

    def replay(self, event: TrailEvent) -> None:
        """Keep the entry the event recorded and add it to its enrollment's totals."""
        if event.object_id is None:
            return
        if event.removed:
            gone = self.lines.pop(event.object_id, None)
            if gone is not None:
                self.totals[gone.enrollment_id][gone.kind] -= gone.amount_cents
            return
        after = event.after
        if not isinstance(after, dict) or not {"enrollment_id", "kind", "amount_cents"} <= set(
            after
        ):
            return
        line = Line(after["enrollment_id"], after["kind"], after["amount_cents"])
        earlier = self.lines.get(event.object_id)
        if earlier is not None:
            self.totals[earlier.enrollment_id][earlier.kind] -= earlier.amount_cents
        self.lines[event.object_id] = line
        self.totals.setdefault(line.enrollment_id, Counter())[line.kind] += line.amount_cents

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Entries changed, added or removed without an event, then enrollments whose totals
        differ from the sums the trail implies."""
        live: dict[int, Counter] = {}

        def rows() -> Iterator[tuple[int, Line]]:
            stmt = select(
                LedgerEntry.id,
                LedgerEntry.enrollment_id,
                LedgerEntry.kind,
                LedgerEntry.amount_cents,
            ).order_by(LedgerEntry.id)
            for row in stream(session, stmt):
                live.setdefault(row.enrollment_id, Counter())[row.kind] += row.amount_cents
                yield row.id, Line(row.enrollment_id, row.kind, row.amount_cents)

        yield from compare("ledger_entries", self.lines, rows(), _line, "entry")
        for enrollment_id in sorted(live.keys() | self.totals.keys()):
            state = +live.get(enrollment_id, Counter())
            trail = +self.totals.get(enrollment_id, Counter())
            if state != trail:
                yield Discrepancy(
                    "enrollments",
                    str(enrollment_id),
                    _totals(state),
                    _totals(trail),
                    "the ledger's totals differ from the sums of the entries the trail records",
                )
