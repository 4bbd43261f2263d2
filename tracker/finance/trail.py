"""The tuition ledger as the audit trail records it: each entry's `ledger.entry_added` event, and
each void's `ledger.entry_voided`, for `flask audit verify` to check the live rows and each
enrollment's totals (net of voids) against (see `tracker.audit.reconcile`)."""

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
    """What the reconciliation compares of a ledger entry (a void names the entry it voids)."""

    enrollment_id: int
    kind: str
    amount_cents: int
    voids_id: int | None = None

    @property
    def net_cents(self) -> int:
        """What the entry adds to its kind's total: a void takes its original's back."""
        return -self.amount_cents if self.voids_id is not None else self.amount_cents


def _line(line: Line) -> str:
    what = f"{line.kind} of {format_dollars(line.amount_cents)} on enrollment {line.enrollment_id}"
    return f"void of entry {line.voids_id}, {what}" if line.voids_id is not None else what


def _nonzero(totals: Counter) -> Counter:
    """The kinds whose total is not nil (a kind whose entries are all void counts for nothing;
    a negative total, more voided than recorded, stays to be reported)."""
    return Counter({kind: cents for kind, cents in totals.items() if cents})


def _totals(totals: Counter) -> str:
    parts = [f"{kind} {format_dollars(totals[kind])}" for kind in ENTRY_KINDS if totals[kind]]
    return ", ".join(parts) or "no entries"


@replays
class LedgerLines(Replay):
    """Ledger entries are append-only: each has one event (`ledger.entry_added`, or
    `ledger.entry_voided` for a void) whose after holds its enrollment, kind, amount and the
    entry it voids. Every live entry must match its event, and each enrollment's total per kind,
    net of voids, must be the sum of its recorded entries."""

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
                self.totals[gone.enrollment_id][gone.kind] -= gone.net_cents
            return
        after = event.after
        if not isinstance(after, dict) or not {"enrollment_id", "kind", "amount_cents"} <= set(
            after
        ):
            return
        line = Line(
            after["enrollment_id"], after["kind"], after["amount_cents"], after.get("voids_id")
        )
        earlier = self.lines.get(event.object_id)
        if earlier is not None:
            self.totals[earlier.enrollment_id][earlier.kind] -= earlier.net_cents
        self.lines[event.object_id] = line
        self.totals.setdefault(line.enrollment_id, Counter())[line.kind] += line.net_cents

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
                LedgerEntry.voids_id,
            ).order_by(LedgerEntry.id)
            for row in stream(session, stmt):
                line = Line(row.enrollment_id, row.kind, row.amount_cents, row.voids_id)
                live.setdefault(row.enrollment_id, Counter())[row.kind] += line.net_cents
                yield row.id, line

        yield from compare("ledger_entries", self.lines, rows(), _line, "entry")
        for enrollment_id in sorted(live.keys() | self.totals.keys()):
            state = _nonzero(live.get(enrollment_id, Counter()))
            trail = _nonzero(self.totals.get(enrollment_id, Counter()))
            if state != trail:
                yield Discrepancy(
                    "enrollments",
                    str(enrollment_id),
                    _totals(state),
                    _totals(trail),
                    "the ledger's totals differ from the sums of the entries the trail records",
                )
