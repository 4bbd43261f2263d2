"""`flask requirements export|import|list`: requirement sets as reviewable TOML files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.programs import queries
from tracker.programs import services
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementError

requirements_cli = AppGroup("requirements", help="Export or import a track's requirement set.")


def _track(track_id: int) -> Track:
    track = queries.track(track_id)
    if track is None:
        raise click.ClickException(f"No track with id {track_id} (see: flask requirements list).")
    return track


@requirements_cli.command("list")
def list_command() -> None:
    """Print every program, its tracks and their current requirement versions."""
    programs = queries.programs_overview()
    if not programs:
        click.echo("No programs.")
        return
    for program in programs:
        click.echo(f"{program.name} ({program.timezone})")
        if not program.tracks:
            click.echo("  no tracks")
        for track in program.tracks:
            current = track.current_requirements
            version = f"version {current.version}" if current else "no requirement set"
            click.echo(
                f"  track {track.id}: {track.name} [{track.format}] "
                f"{services.format_dollars(track.tuition_cents)}, requirements {version}"
            )


@requirements_cli.command("export")
@click.option("--track", "track_id", type=int, required=True, help="The track's id.")
@click.option("--version", "number", type=int, default=None, help="A version (default: current).")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(track_id: int, number: int | None, file: str) -> None:
    """Write a track's requirement set (current or --version N) to FILE as TOML (- for stdout)."""
    track = _track(track_id)
    version = track.current_requirements if number is None else queries.version(track.id, number)
    if version is None:
        which = f"version {number}" if number is not None else "a requirement set"
        raise click.ClickException(f"Track {track.id} has no {which}.")
    text = services.export_toml(version)
    if file == "-":
        click.echo(text, nl=False)
        return
    Path(file).write_text(text, encoding="utf-8")
    click.echo(f"Wrote version {version.version} of track {track.id} ({track.name}) to {file}.")


@requirements_cli.command("import")
@click.option("--track", "track_id", type=int, required=True, help="The track's id.")
@click.option("--note", default=None, help="Why the requirements change (kept in the history).")
@click.argument("file", type=click.File("rb"))
def import_command(track_id: int, note: str | None, file) -> None:
    """Store FILE (TOML, - for stdin) as the track's next requirement version, if it differs."""
    track = _track(track_id)
    raw = file.read(services.TOML_MAX_CHARS + 1)
    if len(raw) > services.TOML_MAX_CHARS:
        raise click.ClickException(
            f"file: is larger than {services.TOML_MAX_CHARS} bytes; nothing was imported."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("file: is not UTF-8 text; nothing was imported.") from None
    current = track.current_requirements
    try:
        saved = services.import_toml(text, track, None, note=note)
    except RequirementError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{error.field}: {error.message.rstrip('.')}; nothing was imported."
        ) from None
    db.session.commit()
    if current is not None and saved.id == current.id:
        click.echo(f"Unchanged: version {saved.version} of track {track.id} is still current.")
    else:
        click.echo(f"Stored version {saved.version} of track {track.id} ({track.name}).")
