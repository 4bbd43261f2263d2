"""`flask remind`: the daily reminder digests (safe to run from cron, even several times)."""

from __future__ import annotations

import sys
from datetime import date

import click

from tracker.extensions import utcnow


@click.command("remind")
@click.option("--date", "on", default=None, help="The day to remind for (YYYY-MM-DD); today UTC.")
def remind_command(on: str | None) -> None:
    """Send each supervisor what waits too long on them, and each trainee their items."""
    from tracker.signoffs.reminders import send_reminders

    try:
        day = date.fromisoformat(on) if on else utcnow().date()
    except ValueError:
        click.echo("Error: give the date as YYYY-MM-DD.", err=True)
        sys.exit(2)
    result = send_reminders(day)
    click.echo(
        f"Reminders for {day.isoformat()}: {result.sent} sent, {result.skipped} skipped "
        "(already sent that day)."
    )
    if result.failed:
        click.echo(f"{len(result.failed)} could not be sent; the next run retries them.", err=True)
        sys.exit(1)
