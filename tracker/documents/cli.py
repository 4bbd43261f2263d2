"""`flask documents sweep`: remove from the upload folder what no record keeps."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from tracker.documents.storage import megabytes
from tracker.documents.storage import sweep_orphans

documents_cli = AppGroup("documents", help="Look after the uploaded files.")


@documents_cli.command("sweep")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Minutes after which an unfinished upload's temporary file is removed.",
)
def sweep(older_than: int) -> None:
    """Remove unfinished uploads' temporary files and files no stored-file record names,
    and list what was removed."""
    report = sweep_orphans(older_than=timedelta(minutes=older_than))
    for name in report.temporary:
        click.echo(f"removed unfinished upload {name}")
    for name in report.unreferenced:
        click.echo(f"removed unreferenced file {name}")
    click.echo(f"{report.removed} file(s) removed, {megabytes(report.freed_bytes)} freed.")
