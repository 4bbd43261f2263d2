"""Rules for programs, tracks, cohorts and requirement-set versions. Services flush; the caller
commits. Every change is recorded in the audit trail from here."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict
from datetime import date
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError
from zoneinfo import available_timezones

import tomli_w
from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.text import one_line
from tracker.core.text import paragraphs
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import CREDENTIAL_NAME_MAX
from tracker.programs.models import TRACK_FORMATS
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.programs.models import default_credential_name
from tracker.progress.requirements import RequirementError
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import plain

NAME_MAX = 120
DESCRIPTION_MAX = 5000
NOTE_MAX = 500
TUITION_MAX_CENTS = 10_000_000  # $100,000.00
EARLIEST_COHORT_START = date(2000, 1, 1)
COHORT_MAX_DAYS = 5 * 366
COHORT_MAX_YEARS_AHEAD = 10
TOML_MAX_CHARS = 200_000
# Single-line text: no control characters at all; multi-line text keeps tabs and line breaks.
_DOLLARS = re.compile(r"^\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,9})(?:\.([0-9]{1,2}))?\Z")


# -- small parsers shared by the forms, the CLI and the services --------------------------------


def parse_dollars(text: str, field_name: str = "tuition") -> int:
    """Turn "9875", "9875.00", "9,875.5" or "$9,875.00" into integer cents, without floats."""
    match = _DOLLARS.match((text or "").strip())
    if not match:
        raise Refused("Enter an amount in dollars, such as 9875.00.", field_name)
    whole = int(match.group(1).replace(",", ""))
    cents = whole * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if cents > TUITION_MAX_CENTS:
        raise Refused("Enter an amount between $0.00 and $100,000.00.", field_name)
    return cents


def format_dollars(cents: int) -> str:
    """Integer cents as "$9,875.00"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def cents_to_text(cents: int) -> str:
    """Integer cents as a form value, "9875.00"."""
    return f"{cents // 100}.{cents % 100:02d}"


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_choices() -> list[str]:
    """The IANA time zone names, sorted, for a chooser."""
    return sorted(_known_timezones())


def is_timezone(name: str) -> bool:
    """True when `name` is an IANA time zone (such as America/Los_Angeles)."""
    known = _known_timezones()
    if known:
        return name in known
    try:  # no zone list on this system: ask zoneinfo directly
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _refuse_taken_name(
    model: Any, name: str, own_id: int | None, message: str, *within: Any
) -> None:
    """Refused with `message` when another `model` row (`within` the given scope) has `name`,
    in any case; the record being edited (`own_id`) does not count."""
    clash = select(model.id).where(*within, func.lower(model.name) == name.lower())
    if own_id is not None:
        clash = clash.where(model.id != own_id)
    if db.session.scalar(clash) is not None:
        raise Refused(message, "name")


# -- programs ----------------------------------------------------------------------------------


def _clean_program(
    name: str, description: str, timezone: str, program_id: int | None
) -> dict[str, Any]:
    name = one_line("name", name, NAME_MAX)
    description = paragraphs("description", description, DESCRIPTION_MAX)
    timezone = (timezone or "").strip()
    if not is_timezone(timezone):
        raise Refused("Enter an IANA time zone, such as America/Los_Angeles.", "timezone")
    _refuse_taken_name(Program, name, program_id, "Another program already has this name.")
    return {"name": name, "description": description, "timezone": timezone}


def create_program(name: str, description: str, timezone: str, actor: User | None) -> Program:
    """Create a program; the name must be unused and the time zone an IANA name."""
    program = Program(**_clean_program(name, description, timezone, None))
    added("program.created", program, actor_id=_id(actor))
    return program


def update_program(
    program: Program, name: str, description: str, timezone: str, actor: User | None
) -> Program:
    """Change a program's name, description or time zone (recorded only when something changed)."""
    values = _clean_program(name, description, timezone, program.id)
    changed("program.updated", program, values, unless_same=True, actor_id=_id(actor))
    return program


# -- tracks ------------------------------------------------------------------------------------


def _clean_track(
    program: Program,
    name: str,
    track_format: str,
    tuition_cents: int,
    description: str,
    credential_name: str,
    track_id: int | None,
) -> dict[str, Any]:
    name = one_line("name", name, NAME_MAX)
    if track_format not in TRACK_FORMATS:
        raise Refused(f"Choose one of: {', '.join(TRACK_FORMATS)}.", "format")
    if (
        isinstance(tuition_cents, bool)
        or not isinstance(tuition_cents, int)
        or not 0 <= tuition_cents <= TUITION_MAX_CENTS
    ):
        raise Refused("Enter an amount between $0.00 and $100,000.00.", "tuition")
    description = paragraphs("description", description, DESCRIPTION_MAX)
    _refuse_taken_name(
        Track,
        name,
        track_id,
        "This program already has a track with this name.",
        Track.program_id == program.id,
    )
    credential_name = (credential_name or "").strip() or default_credential_name(program.name)
    return {
        "name": name,
        "format": track_format,
        "tuition_cents": tuition_cents,
        "description": description,
        "credential_name": one_line("credential_name", credential_name, CREDENTIAL_NAME_MAX),
    }


def add_track(
    program: Program,
    name: str,
    track_format: str,
    tuition_cents: int,
    description: str,
    credential_name: str,
    actor: User | None,
) -> Track:
    """Add a track to a program, with requirement-set version 1 from the format's defaults; a
    blank credential name takes the program's default ("<program> certificate")."""
    values = _clean_track(
        program, name, track_format, tuition_cents, description, credential_name, None
    )
    track = Track(program=program, **values)
    added("track.created", track, actor_id=_id(actor))
    _store_version(
        track,
        RequirementSpec.default(track.format),
        f"Defaults for the {track.format} format",
        actor,
        previous=None,
    )
    return track


def update_track(
    track: Track,
    name: str,
    track_format: str,
    tuition_cents: int,
    description: str,
    credential_name: str,
    actor: User | None,
) -> Track:
    """Change a track's name, format, tuition, description or credential name; its requirement
    sets stay as they are (a new format's defaults are not applied silently), and certificates
    already issued keep the credential name printed on them."""
    values = _clean_track(
        track.program, name, track_format, tuition_cents, description, credential_name, track.id
    )
    changed("track.updated", track, values, unless_same=True, actor_id=_id(actor))
    return track


# -- cohorts -----------------------------------------------------------------------------------


def _clean_cohort(
    program: Program,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    cohort_id: int | None,
    today: date | None,
) -> dict[str, Any]:
    name = one_line("name", name, NAME_MAX)
    if not isinstance(starts_on, date):
        raise Refused("Enter the start date.", "starts_on")
    if not isinstance(ends_on, date):
        raise Refused("Enter the end date.", "ends_on")
    today = today or utcnow().date()
    if starts_on < EARLIEST_COHORT_START:
        raise Refused(f"Enter a date from {EARLIEST_COHORT_START} on.", "starts_on")
    latest_start = today.replace(year=today.year + COHORT_MAX_YEARS_AHEAD)
    if starts_on > latest_start:
        raise Refused(f"Enter a date at most {COHORT_MAX_YEARS_AHEAD} years ahead.", "starts_on")
    if ends_on <= starts_on:
        raise Refused("The end date must be after the start date.", "ends_on")
    if ends_on - starts_on > timedelta(days=COHORT_MAX_DAYS):
        raise Refused("A cohort can last at most five years.", "ends_on")
    _refuse_taken_name(
        Cohort,
        name,
        cohort_id,
        "This program already has a cohort with this name.",
        Cohort.program_id == program.id,
    )
    return {"name": name, "starts_on": starts_on, "ends_on": ends_on}


def add_cohort(
    program: Program,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    actor: User | None,
    today: date | None = None,
) -> Cohort:
    """Add a cohort; it starts before it ends, from 2000 on, and lasts at most five years."""
    values = _clean_cohort(program, name, starts_on, ends_on, None, today)
    cohort = Cohort(program=program, **values)
    added("cohort.created", cohort, actor_id=_id(actor))
    return cohort


def update_cohort(
    cohort: Cohort,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    actor: User | None,
    today: date | None = None,
) -> Cohort:
    """Change a cohort's name or dates (recorded only when something changed)."""
    values = _clean_cohort(cohort.program, name, starts_on, ends_on, cohort.id, today)
    changed("cohort.updated", cohort, values, unless_same=True, actor_id=_id(actor))
    return cohort


# -- requirement-set versions -----------------------------------------------------------------


def spec_content(spec: RequirementSpec) -> str:
    """The stored form of a spec: JSON of its plain dict, in field order."""
    return json.dumps(spec.to_dict(), ensure_ascii=False)


def _store_version(
    track: Track,
    spec: RequirementSpec,
    note: str,
    actor: User | None,
    previous: RequirementSet | None,
) -> RequirementSet:
    version = RequirementSet(
        track=track,
        version=(previous.version + 1) if previous is not None else 1,
        content=spec_content(spec),
        note=note,
        created_at=utcnow(),
        created_by_id=_id(actor),
    )
    db.session.add(version)
    db.session.flush()
    record(
        "requirements.version_created",
        version,
        before={"version": previous.version} if previous is not None else None,
        after={
            "track_id": track.id,
            "version": version.version,
            "note": note,
            "content": spec.to_dict(),
        },
        actor_id=_id(actor),
    )
    return version


def _latest_version(track: Track) -> RequirementSet | None:
    # Lock the track row while the next number is chosen, so two editors cannot both take it
    # (PostgreSQL; SQLite serialises writers anyway and the unique constraint backs both).
    db.session.execute(select(Track.id).where(Track.id == track.id).with_for_update())
    return db.session.scalar(
        select(RequirementSet)
        .where(RequirementSet.track_id == track.id)
        .order_by(RequirementSet.version.desc())
        .limit(1)
    )


def new_requirement_version(
    track: Track, data: dict[str, Any], note: str, actor: User | None
) -> RequirementSet:
    """Validate `data` and store it as the track's next version; when it equals the current
    version, store nothing and return the current one. Raises RequirementError (bad content) or
    Refused (field "note")."""
    spec = RequirementSpec.from_dict(data)
    note = one_line("note", note, NOTE_MAX)
    previous = _latest_version(track)
    if previous is not None and previous.spec == spec:
        return previous
    return _store_version(track, spec, note, actor, previous)


# -- TOML files --------------------------------------------------------------------------------

_FILE_KEYS = ("program", "track", "version", "requirements")


def _toml_number(value: Decimal) -> int | float:
    # Hours become numbers: whole hours as integers, quarter hours as floats (exact in binary).
    return int(value) if value == value.to_integral_value() else float(value)


def export_toml(requirement_set: RequirementSet) -> str:
    """The version as a readable TOML file: program, track, version and a [requirements] table."""
    track = requirement_set.track
    content = asdict(requirement_set.spec)
    content.pop("extra", None)
    document = {
        "program": track.program.name,
        "track": track.name,
        "version": requirement_set.version,
        "requirements": plain(content, _toml_number),
    }
    header = (
        f"# Requirement set of {track.program.name}, track {track.name}, "
        f"version {requirement_set.version}.\n"
        "# Hours are numbers of hours in quarter hours (12, 7.5, 0.25).\n"
        "# Edit and import it with: flask requirements import --track ID FILE\n\n"
    )
    return header + tomli_w.dumps(document)


def read_toml(text: str) -> tuple[dict[str, Any], RequirementSpec]:
    """Parse and validate a requirement-set file; raise RequirementError naming the field."""
    if len(text) > TOML_MAX_CHARS:
        raise RequirementError("file", f"is larger than {TOML_MAX_CHARS} characters")
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise RequirementError("file", f"is not valid TOML ({error})") from None
    unknown = sorted(set(document) - set(_FILE_KEYS))
    if unknown:
        raise RequirementError(unknown[0], "is not a known top-level field")
    for key in ("program", "track"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            raise RequirementError(key, "must be the name of the " + key)
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RequirementError("version", "must be the version number the file was made from")
    if "requirements" not in document:
        raise RequirementError("requirements", "is missing (a [requirements] table)")
    try:
        spec = RequirementSpec.from_dict(document["requirements"])
    except RequirementError as error:
        prefix = "" if error.field == "requirements" else "requirements."
        raise RequirementError(prefix + error.field, error.message) from None
    return document, spec


def import_toml(
    text: str, track: Track, actor: User | None, note: str | None = None
) -> RequirementSet:
    """Store a file's requirements as the track's next version (or return the current version
    when they are unchanged). The file must name this track and its program; a bad file raises
    RequirementError naming the field and changes nothing."""
    document, spec = read_toml(text)
    if document["program"].strip() != track.program.name:
        raise RequirementError(
            "program",
            f"the file is for program '{document['program'][:120]}', "
            f"not '{track.program.name}' (edit the file's header to import it here)",
        )
    if document["track"].strip() != track.name:
        raise RequirementError(
            "track",
            f"the file is for track '{document['track'][:120]}', "
            f"not '{track.name}' (edit the file's header to import it here)",
        )
    if not note or not note.strip():
        note = f"Imported from a file based on version {document['version']}"
    try:
        return new_requirement_version(track, spec.to_dict(), note, actor)
    except Refused as error:
        raise RequirementError(error.field, error.message) from None


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None
