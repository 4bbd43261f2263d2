"""Program selection: an applicant chooses a track and a cohort, and may change them until the
application is submitted. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.enrollments.queries import enrollment_in_program
from tracker.enrollments.queries import open_cohorts
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import Track

CHANGE_REFUSED = (
    "Your application has been submitted, so the track and cohort can no longer be changed. "
    "Please contact the program staff if you need a different one."
)


@dataclass(frozen=True)
class TrackOffer:
    """A track as the selection page shows it: format, tuition and requirement highlights."""

    track: Track
    tuition: str
    program_hours: str | None
    didactic_hours: str | None
    experiential_hours: str | None
    supervised_sessions: int | None


@dataclass(frozen=True)
class ProgramOffer:
    """A program with the tracks open for applications and the cohorts not yet ended."""

    program: Program
    tracks: list[TrackOffer]
    cohorts: list[Cohort]


def dollars(cents: int) -> str:
    """An amount of cents written as dollars: $4,500.00."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}${whole:,}.{part:02d}"


def _hours(value: Any) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("", "-0") else text


def _track_offer(track: Track) -> TrackOffer:
    requirements = track.current_requirements
    spec = requirements.spec if requirements is not None else None
    return TrackOffer(
        track=track,
        tuition=dollars(track.tuition_cents),
        program_hours=_hours(spec.program_total_hours) if spec else None,
        didactic_hours=_hours(spec.didactic_total_hours) if spec else None,
        experiential_hours=_hours(spec.experiential_total_hours) if spec else None,
        supervised_sessions=spec.supervised_sessions_required if spec else None,
    )


def offers(programs: list[Program]) -> list[ProgramOffer]:
    """What each program offers today (in its own time zone): tracks with requirements, and
    cohorts that have not ended."""
    result = []
    for program in programs:
        today = today_in(program.timezone)
        tracks = [_track_offer(t) for t in program.tracks if t.current_requirements is not None]
        result.append(ProgramOffer(program, tracks, open_cohorts(program, today)))
    return result


def choose_track(
    trainee: User, track_id: int | None, cohort_id: int | None, today: date | None = None
) -> Enrollment:
    """Create the trainee's enrollment (status applicant) with a track and cohort, or change
    them while the application is not yet submitted. The program is the track's."""
    track = db.session.get(Track, track_id) if track_id else None
    if track is None or track.current_requirements is None:
        raise Refused("Choose one of the tracks offered.", "track_id")
    program: Program = track.program
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    if cohort is None or cohort.program_id != program.id:
        raise Refused(f"Choose one of the cohorts of {program.name}.", "cohort_id")
    today = today or today_in(program.timezone)
    if cohort.ends_on < today:
        raise Refused("This cohort has already ended; choose another one.", "cohort_id")

    current = current_enrollment(trainee.id)
    if current is not None and current.status != "applicant":
        raise Refused(CHANGE_REFUSED)
    if current is None or current.program_id != program.id:
        earlier = enrollment_in_program(trainee.id, program.id)
        if earlier is not None:
            raise Refused(
                f"You applied to {program.name} before. Please contact the program staff to "
                "apply again.",
                "track_id",
            )
    if current is None:
        enrollment = Enrollment(
            trainee_id=trainee.id,
            program_id=program.id,
            track_id=track.id,
            cohort_id=cohort.id,
            status="applicant",
            created_at=utcnow(),
        )
        added("enrollment.created", enrollment, subject_user_id=trainee.id)
        return enrollment

    before = audited(current)
    wanted = {"program_id": program.id, "track_id": track.id, "cohort_id": cohort.id}
    if all(before[key] == value for key, value in wanted.items()):
        return current
    # Conditional on the status, so a submission racing this change wins cleanly.
    update_if(current, Enrollment.status == "applicant", values=wanted, refused=CHANGE_REFUSED)
    record(
        "enrollment.track_changed",
        current,
        before=before,
        after=audited(current),
        subject_user_id=trainee.id,
    )
    return current
