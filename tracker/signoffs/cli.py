"""`flask remind`: the daily reminder digests (safe to run from cron, even several times)."""

from __future__ import annotations

import sys
from datetime import date

import click

from tracker.extensions import utcnow


@click.command("remind")
@click.option("--date", "on", default=None, help="The day to remind for (YYYY-MM-DD); today UTC.")
def remind_command(on: str | None) -> None:
    """Queue for each supervisor what waits too long on them, and for each trainee their items
    (the worker sends them)."""
    from tracker.signoffs.reminders import send_reminders

    try:
        day = date.fromisoformat(on) if on else utcnow().date()
    except ValueError:
        click.echo("Error: give the date as YYYY-MM-DD.", err=True)
        sys.exit(2)
    result = send_reminders(day)
    click.echo(
        f"Reminders for {day.isoformat()}: {result.queued} queued for the worker to send, "
        f"{result.skipped} skipped (already queued that day)."
    )
    if result.failed:
        click.echo(
            f"{len(result.failed)} could not be prepared; the next run retries them.", err=True
        )
        sys.exit(1)
