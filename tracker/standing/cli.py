"""`flask progress`: keep the stored progress snapshots current (safe to run from cron)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

progress_cli = AppGroup("progress", help="Stored progress snapshots behind the staff lists.")


@progress_cli.command("refresh")
def refresh_command() -> None:
    """Recompute every snapshot that is stale or was computed before the program's today.

    Lists never write: they filter on the stored snapshots and compute only the out-of-date
    rows they show. Run this shortly after midnight (program time) and after broad changes.
    """
    from tracker.standing.snapshots import refresh

    started = time.perf_counter()
    done = refresh()
    elapsed = time.perf_counter() - started
    click.echo(f"{done} progress snapshot{'' if done == 1 else 's'} recomputed in {elapsed:.1f} s.")
