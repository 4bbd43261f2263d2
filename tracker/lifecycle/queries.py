"""Named reads of an enrollment's life: the history and the choices of the status section, and
the withdrawal a ledger page mentions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.lifecycle.models import GROUNDS
from tracker.lifecycle.models import EnrollmentChange
from tracker.lifecycle.services import admitted_on
from tracker.lifecycle.services import leaves_of
from tracker.programs.models import Cohort
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress import Progress
from tracker.progress import facts as f
from tracker.progress.life_rules import LIFE_STATE_LABELS
from tracker.standing import assess_one


@dataclass(frozen=True)
class HistoryRow:
    """One change as the history shows it."""

    change: EnrollmentChange
    detail: str
    by: str


@dataclass(frozen=True)
class LifePanel:
    """What the enrollment-status section shows and offers."""

    state: str
    state_label: str
    history: list[HistoryRow]
    open_leave: f.Leave | None
    leaves: tuple[f.Leave, ...]
    withdrawal: EnrollmentChange | None
    cohorts: list[tuple[int, str]]
    tracks: list[tuple[int, str]]
    pinned_version: int | None
    newest_version: int | None
    admitted_on: date | None


def _changes(enrollment_id: int) -> list[EnrollmentChange]:
    return list(
        db.session.scalars(
            select(EnrollmentChange)
            .where(EnrollmentChange.enrollment_id == enrollment_id)
            .options(joinedload(EnrollmentChange.recorded_by))
            .order_by(EnrollmentChange.id)
        )
    )


def latest_withdrawal(enrollment: Enrollment) -> EnrollmentChange | None:
    """The withdrawal in force (the last one) while the enrollment is withdrawn, else None."""
    if enrollment.status != "withdrawn":
        return None
    return db.session.scalar(
        select(EnrollmentChange)
        .where(
            EnrollmentChange.enrollment_id == enrollment.id,
            EnrollmentChange.kind == "withdrawn",
        )
        .order_by(EnrollmentChange.id.desc())
        .limit(1)
    )


def _detail(
    change: EnrollmentChange,
    cohorts: dict[int, str],
    tracks: dict[int, str],
    versions: dict[int, int],
) -> str:
    if change.kind == "withdrawn":
        return GROUNDS.get(change.grounds or "", "")
    if change.kind in ("leave", "leave_extended"):
        day = change.expected_return_on.isoformat() if change.expected_return_on else "?"
        return f"Expected back on {day}"
    if change.kind in ("deferred", "transferred"):
        parts = []
        if change.from_cohort_id != change.to_cohort_id:
            parts.append(
                f"Cohort {cohorts.get(change.from_cohort_id or 0, 'none')} → "
                f"{cohorts.get(change.to_cohort_id or 0, '?')}"
            )
        if change.from_track_id != change.to_track_id:
            parts.append(
                f"Track {tracks.get(change.from_track_id or 0, 'none')} → "
                f"{tracks.get(change.to_track_id or 0, '?')}"
            )
        was = versions.get(change.from_requirement_set_id or 0)
        now = versions.get(change.to_requirement_set_id or 0)
        if change.from_requirement_set_id == change.to_requirement_set_id:
            parts.append(f"Requirements kept at version {now}")
        else:
            parts.append(f"Requirements version {was or 'none'} → {now}")
        return "; ".join(parts)
    return ""


def life_panel(enrollment: Enrollment, state: str) -> LifePanel:
    """The status section of one enrollment (`state` is the engine's life state); a fixed
    number of queries."""
    changes = _changes(enrollment.id)
    cohort_rows = db.session.scalars(
        select(Cohort).where(Cohort.program_id == enrollment.program_id).order_by(Cohort.starts_on)
    ).all()
    track_rows = db.session.scalars(
        select(Track).where(Track.program_id == enrollment.program_id).order_by(Track.name)
    ).all()
    version_rows = db.session.execute(
        select(RequirementSet.id, RequirementSet.track_id, RequirementSet.version)
        .join(Track, Track.id == RequirementSet.track_id)
        .where(Track.program_id == enrollment.program_id)
    ).all()
    versions = {row.id: row.version for row in version_rows}
    newest: dict[int, int] = {}
    for row in version_rows:
        newest[row.track_id] = max(newest.get(row.track_id, 0), row.version)
    cohorts = {c.id: c.name for c in cohort_rows}
    tracks = {t.id: t.name for t in track_rows}
    history = [
        HistoryRow(
            change,
            _detail(change, cohorts, tracks, versions),
            change.recorded_by.full_name if change.recorded_by is not None else "",
        )
        for change in changes
    ]
    leaves = leaves_of(
        [(c.id, c.kind, c.effective_on, c.expected_return_on, c.leave_id) for c in changes]
    )
    real_leaves = tuple(leave for leave in leaves if isinstance(leave.id, int))
    withdrawals = [c for c in changes if c.kind == "withdrawn"]
    return LifePanel(
        state=state,
        state_label=LIFE_STATE_LABELS.get(state, state),
        history=history,
        open_leave=next((lv for lv in real_leaves if lv.returned_on is None), None),
        leaves=real_leaves,
        withdrawal=withdrawals[-1] if withdrawals and enrollment.status == "withdrawn" else None,
        cohorts=[
            (c.id, f"{c.name}: {c.starts_on.isoformat()} to {c.ends_on.isoformat()}")
            for c in cohort_rows
        ],
        tracks=[(t.id, f"{t.name} ({t.format_label})") for t in track_rows],
        pinned_version=versions.get(enrollment.requirement_set_id or 0),
        newest_version=newest.get(enrollment.track_id or 0),
        admitted_on=admitted_on(enrollment),
    )


def state_of(enrollment: Enrollment, progress: Progress | None) -> str:
    """The engine's life state (from its status while there is no requirement set)."""
    if progress is not None:
        return progress.state
    if enrollment.status in ("withdrawn", "declined"):
        return enrollment.status
    return "active" if enrollment.status == "admitted" else "applying"


def panel_for(enrollment: Enrollment, progress: Progress | None = None) -> LifePanel:
    """The status section of `enrollment`; its progress is computed when not given."""
    if progress is None:
        standing = assess_one(enrollment.id)
        progress = standing.progress if standing is not None else None
    return life_panel(enrollment, state_of(enrollment, progress))
