"""Builders for the admissions tests: a program with versioned requirements, enrollments in a
chosen state, application documents and eligibility records, inserted directly; and a snapshot
of every table an admissions action may write, to prove a refused action wrote nothing."""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from tracker.applications.models import ApplicationDocument
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.documents.models import StoredFile
from tracker.eligibility.models import HealthScreening, Insurance, Licence
from tracker.enrollments.models import Enrollment, SupervisorAssignment, Waiver
from tracker.extensions import db, utcnow
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.progress.requirements import default_dict

_numbers = itertools.count(1)
WRITTEN_TABLES = (
    Enrollment,
    ApplicationDocument,
    Licence,
    Insurance,
    HealthScreening,
    Waiver,
    SupervisorAssignment,
)


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, where the test programs are)."""
    return today_in("UTC") + timedelta(days=offset)


def make_program(**spec_changes: Any) -> Program:
    """A program in UTC with one online track (requirements version 1) and one cohort."""
    n = next(_numbers)
    program = Program(name=f"Program {n}", timezone="UTC", description="")
    track = Track(program=program, name="Online", format="online", tuition_cents=450_000)
    data = default_dict()
    data.update(spec_changes)
    db.session.add_all(
        [
            program,
            track,
            RequirementSet(track=track, version=1, content=json.dumps(data), note="First"),
            Cohort(program=program, name=f"Cohort {n}", starts_on=day(30), ends_on=day(300)),
        ]
    )
    db.session.commit()
    return program


def add_version(track: Track, **spec_changes: Any) -> RequirementSet:
    """The track's next requirement-set version, with `spec_changes` over the defaults."""
    data = default_dict()
    data.update(spec_changes)
    newest = max(rs.version for rs in track.requirement_sets)
    version = RequirementSet(
        track=track, version=newest + 1, content=json.dumps(data), note="Changed"
    )
    db.session.add(version)
    db.session.commit()
    return version


def enroll(
    trainee, program: Program | None = None, status: str = "submitted", days_ago: int = 3
) -> Enrollment:
    """An enrollment on the program's first track and cohort; submitted `days_ago` days ago
    unless still an applicant."""
    program = program or make_program()
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=program.tracks[0].id,
        cohort_id=program.cohorts[0].id,
        status=status,
        submitted_at=None if status == "applicant" else utcnow() - timedelta(days=days_ago),
    )
    if status in ("admitted", "declined"):
        enrollment.decided_at = utcnow() - timedelta(days=1)
    if status == "admitted":
        enrollment.requirement_set_id = program.tracks[0].requirement_sets[0].id
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def stored_file(owner) -> StoredFile:
    """A stored-file row (no bytes on disk) owned by `owner`."""
    row = StoredFile(
        owner_id=owner.id,
        uploaded_by_id=owner.id,
        storage_name=f"{secrets.token_hex(20)}.bin",
        original_name="scan.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(row)
    db.session.flush()
    return row


def add_document(enrollment, kind: str = "cv", status: str = "submitted") -> ApplicationDocument:
    """A current application document of the enrollment."""
    doc = ApplicationDocument(
        enrollment_id=enrollment.id,
        kind=kind,
        file_id=stored_file(enrollment.trainee).id,
        status=status,
    )
    db.session.add(doc)
    db.session.commit()
    return doc


def add_licence(trainee, verified: bool = False) -> Licence:
    """A current LCSW licence of the trainee."""
    licence = Licence(
        trainee_id=trainee.id,
        licence_type="LCSW",
        number=f"LCS-{next(_numbers):05d}",
        jurisdiction="CA",
        issued_on=day(-2000),
        expires_on=day(700),
        verified_at=utcnow() if verified else None,
        verification_method="document_inspection" if verified else "",
    )
    db.session.add(licence)
    db.session.commit()
    return licence


def add_insurance(trainee, verified: bool = False) -> Insurance:
    """A current insurance policy of the trainee."""
    insurance = Insurance(
        trainee_id=trainee.id,
        carrier="CPH & Associates",
        policy_number=f"POL-{next(_numbers):05d}",
        starts_on=day(-100),
        ends_on=day(265),
        verified_at=utcnow() if verified else None,
    )
    db.session.add(insurance)
    db.session.commit()
    return insurance


def add_screening(trainee, clearance: str = "pending") -> HealthScreening:
    """A current health-screening attestation of the trainee."""
    row = HealthScreening(
        trainee_id=trainee.id,
        contraindication=False,
        psychosis_history=True,
        cardiovascular=False,
        pregnancy=False,
        willing_to_discuss=True,
        signature=trainee.full_name,
        clearance=clearance,
    )
    db.session.add(row)
    db.session.commit()
    return row


def audit_count() -> int:
    """How many audit events exist."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def snapshot() -> dict[str, Any]:
    """Every row of the tables admissions writes, plus the audit count."""
    db.session.rollback()
    state: dict[str, Any] = {"audit": audit_count()}
    for model in WRITTEN_TABLES:
        table = model.__table__
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(row) for row in rows]
    return state


def fresh(obj):
    """Reload `obj` from the database."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def review_url(enrollment, suffix: str = "") -> str:
    """The review page of an enrollment, or one of its action URLs."""
    return f"/admissions/enrollments/{enrollment.id}{suffix}"
