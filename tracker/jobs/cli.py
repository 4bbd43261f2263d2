"""`flask worker`: the one process that does the background work (mail, snapshot refresh)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app


@click.command("worker")
@click.option(
    "--once",
    is_flag=True,
    help="Run the jobs that are due and each periodic task once, then exit (tests, cron).",
)
@click.option(
    "--idle",
    "idle_seconds",
    type=click.FloatRange(min=0.1, max=60),
    default=2.0,
    show_default=True,
    help="Seconds to sleep when there is nothing to do.",
)
def worker_command(once: bool, idle_seconds: float) -> None:
    """Send the queued e-mail and keep the progress snapshots current, until SIGTERM or Ctrl-C
    (the job under way is finished first)."""
    from tracker.jobs.services import work

    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        current_app.logger.info("worker: %s received, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, request_stop)
    if not once:
        current_app.logger.info("worker: started")
    try:
        done = work(stop, once=once, idle_seconds=idle_seconds)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    jobs = done.jobs
    summary = (
        f"{jobs.done} job{'' if jobs.done == 1 else 's'} done, {jobs.retried} to retry, "
        f"{jobs.failed} failed; periodic work updated {done.periodic} "
        f"row{'' if done.periodic == 1 else 's'}."
    )
    if once:
        click.echo(summary)
    else:
        current_app.logger.info("worker: stopped (%s)", summary)
