"""`flask demo`: fill an empty database with a demo program and accounts."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account.")
@click.option("--force", is_flag=True, help="Add the demo even if the database has data.")
def demo_command(password: str | None, force: bool) -> None:
    """Create the demo program and accounts and print them."""
    from tracker.demo.data import load_demo

    load_demo(password=password, force=force)
