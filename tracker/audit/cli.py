"""`flask audit verify` checks the audit trail's hash chain, the current state against it and
(given a checkpoints file) that the chain still extends them; `flask audit checkpoint` writes a
signed checkpoint of its head."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.audit import checkpoints
from tracker.audit.reconcile import reconcile
from tracker.audit.services import ChainState
from tracker.audit.services import walk_chain
from tracker.mail import deliver
from tracker.mail import render

audit_cli = AppGroup("audit", help="Check the audit trail.")
SHOWN_DISCREPANCIES = 50  # the first ones are listed; the count says how many there are


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoints file: the chain must still hold the event of every checkpoint in it.",
)
def verify(checkpoint_file: Path | None) -> None:
    """Exit 0 when the chain is intact; otherwise name the first broken entry and exit 1."""
    state = walk_chain()
    failed = False
    if state.broken is not None:
        broken = state.broken
        click.echo(
            f"Audit trail BROKEN at event {broken.event_id}: {broken.reason} "
            f"({broken.checked} event(s) before it are intact).",
            err=True,
        )
        failed = True
    else:
        click.echo(f"Audit trail intact: {state.count} event(s) checked.")
    failed = not _cross_check() or failed
    if checkpoint_file is not None:
        failed = _check_checkpoints(checkpoint_file, state) or failed
    if failed:
        sys.exit(1)


def _check_checkpoints(path: Path, state: ChainState) -> bool:
    """Check the file's checkpoints against the chain; say what fails; True when any does."""
    found, problems = checkpoints.parse(
        path.read_text(encoding="utf-8", errors="replace").splitlines()
    )
    problems += checkpoints.check(found, state)
    if not found and not problems:
        problems.append(f"{path} holds no checkpoint")
    for problem in problems:
        click.echo(f"Audit trail BROKEN: {problem}.", err=True)
    if not problems:
        click.echo(f"The chain extends all {len(found)} checkpoint(s) in {path}.")
    return bool(problems)


@audit_cli.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The file to append to (default: {checkpoints.DEFAULT_FILE} in the instance folder).",
)
def checkpoint(out: Path | None) -> None:
    """Verify the chain, then append a signed checkpoint of its head to a file (and e-mail it to
    AUDIT_CHECKPOINT_EMAIL when set). Ship the file off this host."""
    state = walk_chain()
    if state.broken is not None:
        click.echo(
            f"No checkpoint taken: the audit trail is BROKEN at event {state.broken.event_id}: "
            f"{state.broken.reason}.",
            err=True,
        )
        sys.exit(1)
    taken = checkpoints.take(state)
    path = out or checkpoints.default_path()
    checkpoints.append(taken, path)
    click.echo(taken.line())
    click.echo(f"Checkpoint of event {taken.sequence} appended to {path}.", err=True)
    auditor = current_app.config.get("AUDIT_CHECKPOINT_EMAIL")
    if auditor:
        try:
            # Sent at once: a command, not a page, waits for the mail server here.
            deliver(
                auditor,
                f"Audit checkpoint: event {taken.sequence}",
                render(
                    "mail/audit_checkpoint.txt",
                    checkpoint=taken,
                    line=taken.line(),
                    site=current_app.config.get("PUBLIC_BASE_URL"),
                ),
            )
        except Exception as error:  # the file holds the checkpoint: say the mail failed
            click.echo(f"The checkpoint was not mailed to {auditor}: {error}", err=True)
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
