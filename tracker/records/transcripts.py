"""Hours transcripts: what a transcript states (built from the trainee record and the engine's
figures), its fingerprint, the stored record made when one is generated, and the check a
board makes with the code printed on every page."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.audit.services import record as audit
from tracker.certificates.queries import STATUS_LABELS
from tracker.certificates.queries import public_record
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.records.models import TranscriptRecord
from tracker.records.queries import TraineeRecord
from tracker.records.queries import may_have_transcript
from tracker.records.queries import trainee_record

CODE_BYTES = 18  # 24 URL-safe characters: unguessable


def hours_text(value: Decimal | int) -> str:
    """Hours as printed: 12.5, 4, 0.25 (no trailing zeros)."""
    return format(Decimal(value).normalize(), "f") if value else "0"


def _evaluator(evaluation: Any) -> str:
    return evaluation.evaluator.full_name if evaluation.evaluator else "a former account"


def _assessment(record: TraineeRecord) -> dict[str, Any]:
    result = record.assessment
    spec = record.standing.spec
    exam = result.exam
    stated: dict[str, Any] = {"exam": None, "case": None, "competency": None}
    if exam is not None:
        stated["exam"] = {
            "passed": exam.passed,
            "best_score": exam.best,
            "pass_mark": exam.pass_mark,
            "attempts": exam.used,
            "allowed": exam.allowed,
            "passed_on": next(
                (a.taken_on.isoformat() for a in exam.live if a.score >= exam.pass_mark), None
            ),
        }
    if result.case is not None:
        stated["case"] = {
            "result": result.case.result,
            "on": result.case.evaluated_on.isoformat(),
            "evaluator": _evaluator(result.case),
        }
    if result.competency is not None:
        minimum = spec.competency_min_rating if spec else 0
        stated["competency"] = {
            "on": result.competency.evaluated_on.isoformat(),
            "evaluator": _evaluator(result.competency),
            "domains": len(result.competency.ratings),
            "all_meet_minimum": all(r.rating >= minimum for r in result.competency.ratings),
        }
    return stated


def transcript_content(record: TraineeRecord) -> dict[str, Any]:
    """What a transcript of the record states, as JSON-ready values: hours by category and
    topic against the requirement (the engine's tallies), the signed supervised sessions with
    supervisor and signature time, case presentations, the final assessment, the certificate
    and the steps' statuses. Nothing here depends on the day it is built, so the same record
    gives the same content (and fingerprint) until something on it changes."""
    enrollment = record.enrollment
    progress = record.progress
    didactic, experiential, counts = (
        record.didactic_totals,
        record.experiential_totals,
        record.session_counts,
    )
    signed_sessions = []
    infos = record.signoffs["session"]
    for session in sorted(record.sessions, key=lambda s: (s.on, s.id)):
        live = infos[session.id].live
        if session.status != "signed" or live is None:
            continue
        signed_sessions.append(
            {
                "on": session.on.isoformat(),
                "role": session.role_label,
                "mode": session.mode_label,
                "minutes": session.duration_minutes,
                "phases": session.phases,
                "supervisor": live.printed_name,
                "signed_at": live.signed_at.strftime("%Y-%m-%d %H:%M UTC"),
            }
        )
    certificate = None
    if record.certificate is not None:
        cert = record.certificate
        status = public_record(cert).status
        certificate = {
            "number": cert.number,
            "credential": cert.credential,
            "issued_on": cert.issued_on.isoformat(),
            "status": STATUS_LABELS[status],
        }
    return {
        "trainee": enrollment.trainee.full_name,
        "program": enrollment.program.name,
        "track": enrollment.track.name if enrollment.track else None,
        "enrollment": enrollment.id,
        "didactic": didactic
        and {
            "verified": hours_text(didactic.verified),
            "required": hours_text(didactic.required),
            "topics": [
                {
                    "name": t.name,
                    "verified": hours_text(t.verified),
                    "minimum": hours_text(t.minimum),
                }
                for t in didactic.topics
            ],
        },
        "experiential": experiential
        and {
            "verified": hours_text(experiential.verified),
            "required": hours_text(experiential.required),
            "kinds": [
                {
                    "name": k.label,
                    "hours": hours_text(k.verified_hours),
                    "count": k.verified_count,
                    "required_count": k.required_count,
                }
                for k in experiential.kinds
            ],
        },
        "program_hours": experiential
        and {
            "verified": hours_text(experiential.program_verified),
            "required": hours_text(experiential.program_required),
        },
        "sessions": counts
        and {"counted": counts.signed, "required": counts.required, "signed": signed_sessions},
        "presentations": {
            "required": record.standing.spec.case_presentations_required
            if record.standing.spec
            else 0,
            "given": [
                {"on": p.on.isoformat(), "title": p.title, "audience": p.audience_label}
                for p in sorted(record.presentations, key=lambda p: (p.on, p.id))
            ],
        },
        "assessment": _assessment(record),
        "certificate": certificate,
        "steps": [
            {"number": s.number, "title": s.title, "status": str(s.status)}
            for s in (progress.steps if progress else ())
        ],
    }


def canonical(content: dict[str, Any]) -> str:
    """The one JSON text of `content` the fingerprint is taken over."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(text: str) -> str:
    """SHA-256 (hex) of the canonical content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate(enrollment_id: int, person: User) -> TranscriptRecord:
    """Store a new transcript record of the enrollment as it stands now, by `person` (the
    trainee, a current supervisor or staff); flushes, the caller commits."""
    record = trainee_record(enrollment_id)
    if record is None or not may_have_transcript(person, record.enrollment):
        raise Refused("You cannot make a transcript of this enrollment.")
    if record.progress is None:
        raise Refused("There is nothing to transcribe before a track is chosen.")
    text = canonical(transcript_content(record))
    transcript = TranscriptRecord(
        enrollment_id=enrollment_id,
        code=secrets.token_urlsafe(CODE_BYTES),
        generated_by_id=person.id,
        generated_by_name=person.full_name,
        generated_at=utcnow(),
        fingerprint=fingerprint(text),
        content=text,
    )
    db.session.add(transcript)
    db.session.flush()
    audit(
        "transcript.generated",
        transcript,
        after={"enrollment_id": enrollment_id, "fingerprint": transcript.fingerprint},
        subject_user_id=record.enrollment.trainee_id,
    )
    return transcript


def transcripts_of(enrollment_id: int) -> list[TranscriptRecord]:
    """The enrollment's transcript records, newest first."""
    return list(
        db.session.scalars(
            select(TranscriptRecord)
            .where(TranscriptRecord.enrollment_id == enrollment_id)
            .order_by(TranscriptRecord.generated_at.desc(), TranscriptRecord.id.desc())
        )
    )


def transcript(record_id: int) -> TranscriptRecord | None:
    """The transcript record with its enrollment, or None."""
    return db.session.scalar(
        select(TranscriptRecord)
        .where(TranscriptRecord.id == record_id)
        .options(joinedload(TranscriptRecord.enrollment))
    )


def by_code(code: str) -> TranscriptRecord | None:
    """The transcript record whose code is exactly `code`, or None."""
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(TranscriptRecord).where(TranscriptRecord.code == code))


@dataclass(frozen=True)
class TranscriptCheck:
    """A verification's answer: the stored record and whether the trainee's record still states
    the same today (`current`)."""

    transcript: TranscriptRecord
    current: bool

    @property
    def stated(self) -> dict[str, Any]:
        """What the transcript states."""
        return self.transcript.stated


def check(transcript_record: TranscriptRecord) -> TranscriptCheck:
    """Compare the stored fingerprint with that of the record as it stands now (a read:
    nothing is written)."""
    now = trainee_record(transcript_record.enrollment_id)
    current = now is not None and (
        fingerprint(canonical(transcript_content(now))) == transcript_record.fingerprint
    )
    return TranscriptCheck(transcript_record, current)
