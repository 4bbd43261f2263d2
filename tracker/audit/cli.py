"""`flask audit verify`: check the audit trail's hash chain, then the current state against it."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker.audit.reconcile import reconcile
from tracker.audit.services import verify_chain

audit_cli = AppGroup("audit", help="Check the audit trail.")
SHOWN_DISCREPANCIES = 50  # the first ones are listed; the count says how many there are


@audit_cli.command("verify")
def verify() -> None:
    """Exit 0 when the chain is intact and the current state is what the trail implies;
    otherwise name the first broken entry and the records that differ, and exit 1."""
    count, broken = verify_chain()
    if broken is None:
        click.echo(f"Audit trail intact: {count} event(s) checked.")
        if not _cross_check():
            sys.exit(1)
        return
    click.echo(
        f"Audit trail BROKEN at event {broken.event_id}: {broken.reason} "
        f"({count} event(s) before it are intact).",
        err=True,
    )
    _cross_check()
    sys.exit(1)


def _cross_check() -> bool:
    """Compare the current state with what the trail implies: report, and True when they agree."""
    found = reconcile()
    if not found:
        click.echo(
            "Current state matches the trail: signatures, certificates, ledgers, enrollments."
        )
        return True
    click.echo(f"Current state DIFFERS from the trail in {len(found)} place(s):", err=True)
    for discrepancy in found[:SHOWN_DISCREPANCIES]:
        click.echo(f"- {discrepancy}", err=True)
    if len(found) > SHOWN_DISCREPANCIES:
        click.echo(f"... and {len(found) - SHOWN_DISCREPANCIES} more.", err=True)
    return False
