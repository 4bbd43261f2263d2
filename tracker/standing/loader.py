"""Build the progress engine's facts from the database, for one enrollment or thousands.

Bulk by design: every record type is read with one query over the selected enrollments (a
subquery, never a growing list of ids), so the number of queries is the same for 1 and for
10,000 enrollments. Hour entries are summed in SQL per enrollment, topic (or kind) and status:
the engine's rules need totals, the oldest waiting entry and the latest activity, not each row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, or_, select

from tracker.accounts.models import User
from tracker.applications.models import ApplicationDocument, Reference, ScenarioAnswer
from tracker.assessment.facts import assessment_facts
from tracker.certificates.facts import certificate_facts
from tracker.core.clock import program_zone
from tracker.eligibility.models import ExperienceAttestation, HealthScreening, Insurance, Licence
from tracker.enrollments.models import Enrollment, SupervisorAssignment, Waiver
from tracker.extensions import db
from tracker.finance.facts import ledger_facts
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.programs.requirements import RequirementSpec
from tracker.progress import facts as f
from tracker.supervision.models import CasePresentation, SupervisedSession
from tracker.training.models import ContinuingEducation, DidacticEntry, ExperientialEntry


@dataclass(frozen=True)
class EnrollmentRow:
    """What a list shows about an enrollment besides its progress."""

    id: int
    trainee_id: int
    trainee_name: str
    trainee_email: str
    program_id: int
    program_name: str
    timezone: str
    track_name: str | None
    cohort_id: int | None
    cohort_name: str | None
    status: str


@dataclass(frozen=True)
class LoadedEnrollment:
    """An enrollment's row, its facts and the requirement set it is judged against."""

    row: EnrollmentRow
    facts: f.EnrollmentFacts
    spec: RequirementSpec | None


def _local_date(moment: datetime | None, zone_name: str) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(program_zone(zone_name)).date()


def _hours(value: object) -> Decimal:
    """A SQL sum as exact quarter hours (SQLite returns floats; quarter hours are exact)."""
    if value is None:
        return Decimal(0)
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _specs(ids_subquery: Select) -> dict[int, RequirementSpec]:
    """Requirement sets by id: each pinned version and each track's newest version."""
    pinned = select(Enrollment.requirement_set_id).where(Enrollment.id.in_(ids_subquery))
    tracks = select(Enrollment.track_id).where(Enrollment.id.in_(ids_subquery))
    newest = (
        select(func.max(RequirementSet.id))
        .where(RequirementSet.track_id.in_(tracks))
        .group_by(RequirementSet.track_id)
    )
    rows = db.session.execute(
        select(RequirementSet.id, RequirementSet.track_id, RequirementSet.content).where(
            or_(RequirementSet.id.in_(pinned), RequirementSet.id.in_(newest))
        )
    ).all()
    specs: dict[int, RequirementSpec] = {}
    for row in rows:
        specs[row.id] = _parse_spec(row.content)
    return specs


_SPEC_CACHE: dict[str, RequirementSpec] = {}


def _parse_spec(content: str) -> RequirementSpec:
    # Versions never change, so a parsed spec can be reused for the life of the process.
    spec = _SPEC_CACHE.get(content)
    if spec is None:
        spec = RequirementSpec.from_dict(json.loads(content))
        if len(_SPEC_CACHE) < 500:
            _SPEC_CACHE[content] = spec
    return spec


def load_enrollments(ids_subquery: Select) -> list[LoadedEnrollment]:
    """Load every enrollment whose id the subquery selects, with facts and requirements."""
    base = db.session.execute(
        select(
            Enrollment,
            User.full_name,
            User.email,
            Program.name,
            Program.timezone,
            Track,
            Cohort.name,
            Cohort.starts_on,
            Cohort.ends_on,
        )
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.id.in_(ids_subquery))
        .order_by(Enrollment.id)
    ).all()
    if not base:
        return []
    specs = _specs(ids_subquery)
    newest_by_track = _newest_by_track(ids_subquery)
    trainees = select(Enrollment.trainee_id).where(Enrollment.id.in_(ids_subquery))
    person = _person_records(trainees)
    parts = _enrollment_records(ids_subquery, {row[0].id: row[4] for row in base})
    loaded = []
    for enrollment, name, email, program_name, zone, track, cohort_name, starts, ends in base:
        spec_id = enrollment.requirement_set_id or (
            newest_by_track.get(track.id) if track is not None else None
        )
        record = parts[enrollment.id]
        licences, insurances, attested, health = person(enrollment.trainee_id)
        facts = f.EnrollmentFacts(
            enrollment_id=enrollment.id,
            status=enrollment.status,
            applied_on=_local_date(enrollment.submitted_at, zone),
            admitted_on=(
                _local_date(enrollment.decided_at, zone)
                if enrollment.status == "admitted"
                else None
            ),
            cohort_starts_on=starts,
            cohort_ends_on=ends,
            track=(
                f.Track(format=track.format, tuition_cents=track.tuition_cents, name=track.name)
                if track is not None
                else None
            ),
            licences=licences,
            insurances=insurances,
            experience_attested=attested,
            health_screening=health,
            pathway=enrollment.pathway,
            documents=tuple(record["documents"])
            + _credential_documents(
                licences, insurances, person.has_documents(enrollment.trainee_id)
            ),
            references_received=record["references"],
            answered_scenarios=frozenset(record["scenarios"]),
            didactic=tuple(record["didactic"]),
            experiential=tuple(record["experiential"]),
            sessions=tuple(record["sessions"]),
            case_presentations=tuple(record["cases"]),
            ce_entries=tuple(record["ce"]),
            waivers=record["waivers"],
            supervisor_assigned=record["assigned"],
            **record["extra"],
        )
        row = EnrollmentRow(
            id=enrollment.id,
            trainee_id=enrollment.trainee_id,
            trainee_name=name,
            trainee_email=email,
            program_id=enrollment.program_id,
            program_name=program_name,
            timezone=zone,
            track_name=track.name if track is not None else None,
            cohort_id=enrollment.cohort_id,
            cohort_name=cohort_name,
            status=enrollment.status,
        )
        loaded.append(LoadedEnrollment(row=row, facts=facts, spec=specs.get(spec_id)))
    return loaded


def _newest_by_track(ids_subquery: Select) -> dict[int, int]:
    tracks = select(Enrollment.track_id).where(Enrollment.id.in_(ids_subquery))
    rows = db.session.execute(
        select(RequirementSet.track_id, func.max(RequirementSet.id))
        .where(RequirementSet.track_id.in_(tracks))
        .group_by(RequirementSet.track_id)
    ).all()
    return {track_id: set_id for track_id, set_id in rows}


def _credential_documents(
    licences: tuple[f.Licence, ...],
    insurances: tuple[f.Insurance, ...],
    has_docs: tuple[bool, bool],
) -> tuple[f.ApplicationDocument, ...]:
    """Licence and insurance documents come from the eligibility records: accepted once staff
    verified a record that carries a document, submitted while one waits for verification."""
    documents = []
    for kind, records, has_doc in (
        ("licence", licences, has_docs[0]),
        ("insurance", insurances, has_docs[1]),
    ):
        if not has_doc:
            continue
        accepted = any(r.verified for r in records)
        documents.append(
            f.ApplicationDocument(kind=kind, status="accepted" if accepted else "submitted")
        )
    return tuple(documents)


class _PersonRecords:
    """Licences, insurance, attestations and screenings of the selected trainees."""

    def __init__(self, trainees: Select) -> None:
        self.licences: dict[int, list[f.Licence]] = defaultdict(list)
        self.insurances: dict[int, list[f.Insurance]] = defaultdict(list)
        self.licence_docs: set[int] = set()
        self.insurance_docs: set[int] = set()
        for lic in db.session.scalars(select(Licence).where(Licence.trainee_id.in_(trainees))):
            self.licences[lic.trainee_id].append(
                f.Licence(
                    type=lic.licence_type,
                    jurisdiction=lic.jurisdiction,
                    expires_on=lic.expires_on,
                    verified=lic.verified_at is not None,
                    number_present=bool(lic.number),
                    issued_on=lic.issued_on,
                    id=lic.id,
                    has_document=lic.document_id is not None,
                )
            )
            if lic.document_id is not None:
                self.licence_docs.add(lic.trainee_id)
        for ins in db.session.scalars(select(Insurance).where(Insurance.trainee_id.in_(trainees))):
            self.insurances[ins.trainee_id].append(
                f.Insurance(
                    starts_on=ins.starts_on,
                    ends_on=ins.ends_on,
                    verified=ins.verified_at is not None,
                    id=ins.id,
                    has_document=ins.document_id is not None,
                )
            )
            if ins.document_id is not None:
                self.insurance_docs.add(ins.trainee_id)
        self.attested = set(
            db.session.scalars(
                select(ExperienceAttestation.trainee_id).where(
                    ExperienceAttestation.trainee_id.in_(trainees),
                    ExperienceAttestation.superseded_at.is_(None),
                )
            )
        )
        self.health: dict[int, str] = {}
        for trainee_id, clearance in db.session.execute(
            select(HealthScreening.trainee_id, HealthScreening.clearance).where(
                HealthScreening.trainee_id.in_(trainees), HealthScreening.superseded_at.is_(None)
            )
        ):
            self.health[trainee_id] = {
                "pending": "attested",
                "cleared": "cleared",
                "not_cleared": "not_cleared",
            }.get(clearance, "attested")

    def __call__(
        self, trainee_id: int
    ) -> tuple[tuple[f.Licence, ...], tuple[f.Insurance, ...], bool, str]:
        return (
            tuple(self.licences.get(trainee_id, ())),
            tuple(self.insurances.get(trainee_id, ())),
            trainee_id in self.attested,
            self.health.get(trainee_id, "none"),
        )

    def has_documents(self, trainee_id: int) -> tuple[bool, bool]:
        """Whether the trainee's licence and insurance records carry a document."""
        return trainee_id in self.licence_docs, trainee_id in self.insurance_docs


def _person_records(trainees: Select) -> _PersonRecords:
    return _PersonRecords(trainees)


def _empty() -> dict:
    return {
        "documents": [],
        "references": 0,
        "scenarios": [],
        "didactic": [],
        "experiential": [],
        "sessions": [],
        "cases": [],
        "ce": [],
        "waivers": {},
        "assigned": False,
        "extra": {},
    }


def _enrollment_records(ids: Select, zones: dict[int, str]) -> dict[int, dict]:
    """Every per-enrollment record type, one query each."""
    parts: dict[int, dict] = defaultdict(_empty)
    for doc in db.session.execute(
        select(
            ApplicationDocument.enrollment_id,
            ApplicationDocument.kind,
            ApplicationDocument.status,
            ApplicationDocument.submitted_at,
            ApplicationDocument.id,
        ).where(
            ApplicationDocument.enrollment_id.in_(ids), ApplicationDocument.superseded_at.is_(None)
        )
    ):
        parts[doc.enrollment_id]["documents"].append(
            f.ApplicationDocument(
                kind=doc.kind,
                status=doc.status,
                submitted_on=_local_date(doc.submitted_at, zones[doc.enrollment_id]),
                id=doc.id,
            )
        )
    for enrollment_id, count in db.session.execute(
        select(Reference.enrollment_id, func.count())
        .where(Reference.enrollment_id.in_(ids))
        .group_by(Reference.enrollment_id)
    ):
        parts[enrollment_id]["references"] = count
    for enrollment_id, code in db.session.execute(
        select(ScenarioAnswer.enrollment_id, ScenarioAnswer.scenario_code).where(
            ScenarioAnswer.enrollment_id.in_(ids)
        )
    ):
        parts[enrollment_id]["scenarios"].append(code)
    _summed_didactic(ids, zones, parts)
    # Experiential entries stay one fact each: the rules count activities, not only hours.
    for entry in db.session.execute(
        select(
            ExperientialEntry.enrollment_id,
            ExperientialEntry.id,
            ExperientialEntry.kind,
            ExperientialEntry.on,
            ExperientialEntry.hours,
            ExperientialEntry.status,
            ExperientialEntry.created_at,
        ).where(ExperientialEntry.enrollment_id.in_(ids))
    ):
        parts[entry.enrollment_id]["experiential"].append(
            f.ExperientialEntry(
                kind=entry.kind,
                on=entry.on,
                hours=_hours(entry.hours),
                status=entry.status,
                submitted_on=_local_date(entry.created_at, zones[entry.enrollment_id]),
                id=entry.id,
            )
        )
    for session in db.session.execute(
        select(
            SupervisedSession.enrollment_id,
            SupervisedSession.id,
            SupervisedSession.on,
            SupervisedSession.status,
            SupervisedSession.submitted_at,
            SupervisedSession.duration_minutes,
        ).where(SupervisedSession.enrollment_id.in_(ids))
    ):
        parts[session.enrollment_id]["sessions"].append(
            f.SupervisedSession(
                on=session.on,
                status=session.status,
                submitted_on=_local_date(session.submitted_at, zones[session.enrollment_id]),
                duration_minutes=session.duration_minutes,
                id=session.id,
            )
        )
    for enrollment_id, case_id, on in db.session.execute(
        select(CasePresentation.enrollment_id, CasePresentation.id, CasePresentation.on).where(
            CasePresentation.enrollment_id.in_(ids)
        )
    ):
        parts[enrollment_id]["cases"].append(f.CasePresentation(on=on, id=case_id))
    for ce in db.session.execute(
        select(
            ContinuingEducation.enrollment_id,
            ContinuingEducation.id,
            ContinuingEducation.on,
            ContinuingEducation.amount,
            ContinuingEducation.kind,
        ).where(ContinuingEducation.enrollment_id.in_(ids))
    ):
        parts[ce.enrollment_id]["ce"].append(
            f.CeEntry(on=ce.on, credits=_hours(ce.amount), kind=ce.kind, id=ce.id)
        )
    for enrollment_id, target, reason in db.session.execute(
        select(Waiver.enrollment_id, Waiver.target, Waiver.reason).where(
            Waiver.enrollment_id.in_(ids), Waiver.revoked_at.is_(None)
        )
    ):
        key: int | str = target
        if target.startswith("step:") and target[5:].isdigit():
            key = int(target[5:])
        parts[enrollment_id]["waivers"][key] = reason
    for (enrollment_id,) in db.session.execute(
        select(SupervisorAssignment.enrollment_id)
        .where(
            SupervisorAssignment.enrollment_id.in_(ids),
            SupervisorAssignment.ended_at.is_(None),
            SupervisorAssignment.kind == "primary",
        )
        .distinct()
    ):
        parts[enrollment_id]["assigned"] = True
    for contribute in _contributors():
        for enrollment_id, values in contribute(ids).items():
            parts[enrollment_id]["extra"].update(values)
    return parts


def _summed_didactic(ids: Select, zones: dict[int, str], parts: dict[int, dict]) -> None:
    """Didactic hours summed per enrollment, topic and status (the rules need totals, the
    oldest waiting entry and the latest date; a trainee may log hundreds of entries)."""
    rows = db.session.execute(
        select(
            DidacticEntry.enrollment_id,
            DidacticEntry.topic_code,
            DidacticEntry.status,
            func.sum(DidacticEntry.hours),
            func.max(DidacticEntry.on),
            func.min(DidacticEntry.created_at),
        )
        .where(DidacticEntry.enrollment_id.in_(ids))
        .group_by(DidacticEntry.enrollment_id, DidacticEntry.topic_code, DidacticEntry.status)
    )
    for enrollment_id, topic, status, hours, latest, first_created in rows:
        parts[enrollment_id]["didactic"].append(
            f.DidacticEntry(
                topic=topic,
                on=latest,
                hours=_hours(hours),
                status=status,
                submitted_on=_local_date(first_created, zones[enrollment_id]),
                id=f"didactic:{topic}:{status}",
            )
        )


def _contributors() -> Iterable:
    """Record types of later steps (ledger, assessment, certificate), each one bulk query set."""
    return (ledger_facts, assessment_facts, certificate_facts)


def load_enrollment(enrollment_id: int) -> LoadedEnrollment | None:
    """One enrollment, through the same bulk path."""
    loaded = load_enrollments(select(Enrollment.id).where(Enrollment.id == enrollment_id))
    return loaded[0] if loaded else None
