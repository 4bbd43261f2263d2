"""`flask audit verify`: check the audit trail's hash chain."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker.audit.services import verify_chain

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def verify() -> None:
    """Exit 0 when the chain is intact; otherwise name the first broken entry and exit 1."""
    count, broken = verify_chain()
    if broken is None:
        click.echo(f"Audit trail intact: {count} event(s) checked.")
        return
    click.echo(
        f"Audit trail BROKEN at event {broken.event_id}: {broken.reason} "
        f"({count} event(s) before it are intact).",
        err=True,
    )
    sys.exit(1)
