"""Demo trainees at different steps, each with a realistic, different set of outstanding items."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from tracker.accounts.models import User
from tracker.applications.models import ApplicationDocument, Reference, ScenarioAnswer
from tracker.assessment.models import CaseEvaluation, ExamAttempt
from tracker.documents.storage import save_upload
from tracker.eligibility.models import ExperienceAttestation, HealthScreening, Insurance, Licence
from tracker.enrollments.models import Enrollment, SupervisorAssignment
from tracker.extensions import db
from tracker.finance.models import Instalment, LedgerEntry, PaymentPlan
from tracker.programs.models import Track
from tracker.supervision.models import CasePresentation, SupervisedSession
from tracker.training.models import DidacticEntry, ExperientialEntry

REFLECTION = (
    "Preparation covered intentions and consent; during dosing I tracked vital signs every "
    "fifteen minutes and offered grounding when anxiety rose; integration linked the imagery to "
    "the client's treatment goals. I would slow the pace of the consent conversation next time."
)
ANSWER = (
    "I would decline, restate the boundaries agreed at consent, make sure the client gets home "
    "safely with their support person, document the request and discuss it in supervision."
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), UTC)


def _eligible(trainee: User, today: date, staff: User, *, licence_days: int = 400) -> None:
    """A verified licence and insurance, experience attested and screening cleared."""
    licence_doc = save_upload(io.BytesIO(PDF), "licence.pdf", trainee.id, trainee.id)
    insurance_doc = save_upload(io.BytesIO(PDF), "insurance.pdf", trainee.id, trainee.id)
    verified = _at(today - timedelta(days=260))
    db.session.add_all(
        [
            Licence(
                trainee_id=trainee.id,
                licence_type="LMFT",
                number="LMFT 104233",
                jurisdiction="CA",
                issued_on=today - timedelta(days=2000),
                expires_on=today + timedelta(days=licence_days),
                document_id=licence_doc.id,
                verified_at=verified,
                verified_by_id=staff.id,
                verification_method="primary_source",
                verification_note="Board look-up",
            ),
            Insurance(
                trainee_id=trainee.id,
                carrier="Allied Professional Mutual",
                policy_number="APM-55821",
                starts_on=today - timedelta(days=300),
                ends_on=today + timedelta(days=300),
                document_id=insurance_doc.id,
                verified_at=verified,
                verified_by_id=staff.id,
                verification_method="carrier_confirmation",
            ),
            ExperienceAttestation(
                trainee_id=trainee.id,
                years_practice=8,
                practice_settings="Community mental health; private practice",
                statement="I attest that the above is accurate.",
            ),
            HealthScreening(
                trainee_id=trainee.id,
                contraindication=False,
                psychosis_history=False,
                cardiovascular=False,
                pregnancy=False,
                willing_to_discuss=True,
                signature=trainee.full_name,
                clearance="cleared",
                cleared_by_id=staff.id,
                cleared_at=verified,
            ),
        ]
    )


def _application(
    enrollment: Enrollment,
    trainee: User,
    today: date,
    staff: User | None,
    scenarios: tuple[str, ...],
    references: int,
) -> None:
    for kind in ("cv", "personal_statement"):
        stored = save_upload(io.BytesIO(PDF), f"{kind}.pdf", trainee.id, trainee.id)
        db.session.add(
            ApplicationDocument(
                enrollment_id=enrollment.id,
                kind=kind,
                file_id=stored.id,
                status="accepted" if staff else "submitted",
                reviewed_by_id=staff.id if staff else None,
                reviewed_at=_at(today - timedelta(days=265)) if staff else None,
                submitted_at=_at(today - timedelta(days=280)),
            )
        )
    for n in range(references):
        db.session.add(
            Reference(
                enrollment_id=enrollment.id,
                name=f"Dr. Reference {n + 1}",
                email=f"reference{n + 1}@example.net",
                relationship="colleague",
            )
        )
    for code in scenarios:
        db.session.add(
            ScenarioAnswer(enrollment_id=enrollment.id, scenario_code=code, answer=ANSWER)
        )


def _enroll(
    trainee: User,
    track: Track,
    cohort,
    status: str,
    today: date,
    staff: User,
) -> Enrollment:
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=track.program_id,
        track_id=track.id,
        cohort_id=cohort.id,
        status=status,
        submitted_at=_at(today - timedelta(days=270)) if status != "applicant" else None,
    )
    if status == "admitted":
        enrollment.requirement_set_id = track.current_requirements.id
        enrollment.decided_at = _at(today - timedelta(days=250))
        enrollment.decided_by_id = staff.id
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def _hours(
    enrollment: Enrollment,
    today: date,
    topics,
    share: float,
    *,
    pending_days: int | None = None,
    last_days_ago: int = 2,
) -> None:
    """Log `share` of every topic's minimum as verified entries of at most 4 hours."""
    day = last_days_ago
    for topic in topics:
        remaining = (topic.min_hours * Decimal(str(share)) * 4).to_integral_value() / 4
        while remaining > 0:
            hours = min(remaining, Decimal(4))
            db.session.add(
                DidacticEntry(
                    enrollment_id=enrollment.id,
                    on=today - timedelta(days=day),
                    topic_code=topic.code,
                    hours=hours,
                    provider="Pacific KAP Institute module",
                    status="verified",
                    created_at=_at(today - timedelta(days=day)),
                )
            )
            remaining -= hours
            day += 3
    if pending_days is not None:
        db.session.add(
            DidacticEntry(
                enrollment_id=enrollment.id,
                on=today - timedelta(days=pending_days),
                topic_code=topics[0].code,
                hours=Decimal("3.5"),
                provider="Ketamine pharmacology webinar",
                status="pending",
                created_at=_at(today - timedelta(days=pending_days)),
            )
        )


def _session(enrollment: Enrollment, supervisor: User, day: date, status: str, code: str) -> None:
    db.session.add(
        SupervisedSession(
            enrollment_id=enrollment.id,
            on=day,
            client_code=code,
            setting="clinic",
            route="im",
            trainee_role="co_therapist",
            supervision_mode="live",
            covers_preparation=True,
            covers_dosing=True,
            covers_integration=status != "draft",
            duration_minutes=120,
            reflection=REFLECTION,
            status=status,
            supervisor_id=supervisor.id if status != "draft" else None,
            submitted_at=_at(day + timedelta(days=1)) if status != "draft" else None,
            signed_at=_at(day + timedelta(days=3)) if status == "signed" else None,
        )
    )


def add_trainee_records(context, summary) -> None:
    """Jordan mid-way, Sam applying, Riley nearly ready, Casey behind and inactive."""
    today, staff = context.today, context.staff
    sup1, sup2 = context.supervisors
    jordan, sam, riley, casey = context.trainees
    online, hybrid = context.tracks["online"], context.tracks["hybrid"]
    spec = online.current_requirements.spec
    scenario_codes = tuple(s.code for s in spec.ethical_scenarios)

    # Jordan: admitted, half-way, licence expiring soon, an entry waiting 10 days, a plan.
    _eligible(jordan, today, staff, licence_days=45)
    jordan_e = _enroll(jordan, online, context.cohort, "admitted", today, staff)
    _application(jordan_e, jordan, today, staff, scenario_codes, 2)
    db.session.add(
        SupervisorAssignment(
            enrollment_id=jordan_e.id,
            supervisor_id=sup1.id,
            kind="primary",
            assigned_by_id=staff.id,
        )
    )
    db.session.add(
        SupervisorAssignment(
            enrollment_id=jordan_e.id, supervisor_id=sup2.id, kind="backup", assigned_by_id=staff.id
        )
    )
    _hours(jordan_e, today, spec.didactic_topics, 0.6, pending_days=10)
    for kind, days in (("observation", 40), ("role_play", 30), ("role_play", 12)):
        db.session.add(
            ExperientialEntry(
                enrollment_id=jordan_e.id,
                kind=kind,
                on=today - timedelta(days=days),
                hours=Decimal(3),
                facilitator="Dr. Alex Chen",
                status="verified",
            )
        )
    _session(jordan_e, sup1, today - timedelta(days=60), "signed", "KC-4RT8M2")
    _session(jordan_e, sup1, today - timedelta(days=35), "signed", "KC-9PL2X7")
    _session(jordan_e, sup1, today - timedelta(days=10), "submitted", "KC-3HW6Q1")
    _session(jordan_e, sup1, today - timedelta(days=1), "draft", "KC-7ZN5D4")
    db.session.add(
        LedgerEntry(
            enrollment_id=jordan_e.id,
            kind="charge",
            amount_cents=450000,
            description="Tuition: Online certificate",
            tuition=True,
            posted_on=today - timedelta(days=245),
            recorded_by_id=staff.id,
        )
    )
    db.session.add(
        LedgerEntry(
            enrollment_id=jordan_e.id,
            kind="payment",
            amount_cents=150000,
            description="First instalment",
            method="card",
            reference="VISA-4421",
            posted_on=today - timedelta(days=240),
            recorded_by_id=staff.id,
        )
    )
    db.session.add(
        LedgerEntry(
            enrollment_id=jordan_e.id,
            kind="payment",
            amount_cents=100000,
            description="Second instalment",
            method="card",
            reference="VISA-4421",
            posted_on=today - timedelta(days=118),
            recorded_by_id=staff.id,
        )
    )
    plan = PaymentPlan(enrollment_id=jordan_e.id, created_by_id=staff.id)
    db.session.add(plan)
    db.session.flush()
    for n, days in enumerate((-240, -120, -5, 60)):
        db.session.add(
            Instalment(
                plan_id=plan.id,
                due_on=today + timedelta(days=days),
                amount_cents=150000 if n == 0 else 100000,
            )
        )

    # Sam: applicant choosing the hybrid track for next cohort; application half done.
    sam_e = _enroll(sam, hybrid, context.future_cohort, "applicant", today, staff)
    db.session.add(
        Licence(
            trainee_id=sam.id,
            licence_type="LCSW",
            number="LCSW 88120",
            jurisdiction="OR",
            expires_on=today + timedelta(days=700),
        )
    )
    db.session.add(
        Reference(
            enrollment_id=sam_e.id,
            name="Dr. Ana Ruiz",
            email="ana.ruiz@example.net",
            relationship="supervisor",
        )
    )
    db.session.add(
        ScenarioAnswer(enrollment_id=sam_e.id, scenario_code=scenario_codes[0], answer=ANSWER)
    )

    # Riley: everything in but the competency evaluation; the supervisor must act.
    _eligible(riley, today, staff)
    riley_e = _enroll(riley, online, context.cohort, "admitted", today, staff)
    _application(riley_e, riley, today, staff, scenario_codes, 2)
    db.session.add(
        SupervisorAssignment(
            enrollment_id=riley_e.id, supervisor_id=sup1.id, kind="primary", assigned_by_id=staff.id
        )
    )
    _hours(riley_e, today, spec.didactic_topics, 1.0)
    extra = spec.didactic_total_hours - sum(t.min_hours for t in spec.didactic_topics)
    while extra > 0:
        hours = min(extra, Decimal(8))
        db.session.add(
            DidacticEntry(
                enrollment_id=riley_e.id,
                on=today - timedelta(days=20),
                topic_code="protocols",
                hours=hours,
                provider="Advanced protocols seminar",
                status="verified",
            )
        )
        extra -= hours
    for kind, count in spec.experiential_min_counts.items():
        for n in range(max(count, 1)):
            db.session.add(
                ExperientialEntry(
                    enrollment_id=riley_e.id,
                    kind=kind,
                    on=today - timedelta(days=30 + n),
                    hours=Decimal(5),
                    facilitator="Dr. Alex Chen",
                    status="verified",
                )
            )
    for n in range(spec.supervised_sessions_required):
        _session(riley_e, sup1, today - timedelta(days=90 - 15 * n), "signed", f"KR-{n + 2}X9P")
    db.session.add(
        CasePresentation(
            enrollment_id=riley_e.id,
            on=today - timedelta(days=14),
            audience="peer_group",
            title="Integration after a hard trip",
        )
    )
    db.session.add(
        LedgerEntry(
            enrollment_id=riley_e.id,
            kind="charge",
            amount_cents=450000,
            description="Tuition: Online certificate",
            tuition=True,
            posted_on=today - timedelta(days=245),
            recorded_by_id=staff.id,
        )
    )
    db.session.add(
        LedgerEntry(
            enrollment_id=riley_e.id,
            kind="payment",
            amount_cents=450000,
            description="Tuition in full",
            method="bank_transfer",
            reference="TRX-20931",
            posted_on=today - timedelta(days=240),
            recorded_by_id=staff.id,
        )
    )
    db.session.add(
        ExamAttempt(
            enrollment_id=riley_e.id,
            taken_on=today - timedelta(days=7),
            score=88,
            recorded_by_id=staff.id,
        )
    )
    db.session.add(
        CaseEvaluation(
            enrollment_id=riley_e.id,
            evaluated_on=today - timedelta(days=5),
            result="passed",
            notes="Clear, well-reasoned presentation.",
            evaluator_id=staff.id,
        )
    )

    # Casey: admitted on the hybrid track, licence expired, little logged, nothing for 40 days.
    _eligible(casey, today, staff, licence_days=-10)
    casey_e = _enroll(casey, hybrid, context.cohort, "admitted", today, staff)
    _application(casey_e, casey, today, staff, scenario_codes, 2)
    db.session.add(
        SupervisorAssignment(
            enrollment_id=casey_e.id, supervisor_id=sup2.id, kind="primary", assigned_by_id=staff.id
        )
    )
    _hours(
        casey_e, today, hybrid.current_requirements.spec.didactic_topics[:3], 0.5, last_days_ago=40
    )
    db.session.add(
        LedgerEntry(
            enrollment_id=casey_e.id,
            kind="charge",
            amount_cents=600000,
            description="Tuition: Hybrid certificate",
            tuition=True,
            posted_on=today - timedelta(days=245),
            recorded_by_id=staff.id,
        )
    )
    db.session.flush()
    summary.notes.append("Jordan, Riley and Casey are admitted; Sam is still applying.")
