"""`flask api token create EMAIL --scope SCOPE... [--name N]`: a token for a script."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.accounts.services import find_by_email
from tracker.api.scopes import SCOPES
from tracker.api.services import create_token
from tracker.core.errors import Refused
from tracker.extensions import db

api_cli = AppGroup("api", help="The JSON API's personal access tokens.")
token_cli = AppGroup("token", help="Create personal access tokens.")
api_cli.add_command(token_cli)


@token_cli.command("create")
@click.argument("email")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(sorted(SCOPES)),
    help="A scope the token grants (repeat for several).",
)
@click.option("--name", default="Command line", show_default=True, help="The token's name.")
def create_command(email: str, scopes: tuple[str, ...], name: str) -> None:
    """Create a token for the account EMAIL and print its secret (shown only this once)."""
    user = find_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active account with the e-mail {email}.")
    try:
        new = create_token(user, name, scopes)
    except Refused as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(new.secret)
