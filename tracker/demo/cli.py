"""`flask demo`: fill an empty database with a demo program and accounts."""

from __future__ import annotations

import sys

import click
from flask import current_app

from tracker.extensions import db


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account.")
@click.option("--force", is_flag=True, help="Add the demo even if the database has data.")
@click.option(
    "--if-empty",
    "if_empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already has data; used by `make run`.",
)
def demo_command(password: str | None, force: bool, if_empty: bool) -> None:
    """Create the demo program, accounts and records, and print the accounts."""
    from tracker.demo.data import DEFAULT_PASSWORD
    from tracker.demo.data import DemoError
    from tracker.demo.data import has_data
    from tracker.demo.data import load_demo

    if if_empty and has_data():
        click.echo("The database already has data; demo not loaded again.")
        click.echo(
            f"Demo accounts (if the demo was loaded): see README; password {DEFAULT_PASSWORD!r}"
            " unless you chose another."
        )
        click.echo(f"Sign in at {_sign_in_address()}")
        return
    try:
        summary = load_demo(password=password or DEFAULT_PASSWORD, force=force)
    except DemoError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Demo data loaded. Sign in at {_sign_in_address()} with:")
    for email, roles, note in summary.accounts:
        click.echo(f"  {email:<28} {roles:<22} {note}")
    click.echo(f"Password for every demo account: {summary.password}")
    for line in summary.notes:
        click.echo(line)


def _sign_in_address() -> str:
    """The sign-in page under PUBLIC_BASE_URL (what `make run` sets to the address it serves)."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + current_app.url_map.bind("localhost").build("accounts.login")
