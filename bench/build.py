"""Build a realistic program in a fresh database with bulk Core inserts.

Every enrollment gets about 80 records: didactic and experiential entries, supervised sessions
(signed ones with their signatures), CE credits, ledger lines, a supervisor assignment and audit
events (hash-chained in Python exactly as `tracker.audit.services.record` chains them).
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy import text
from sqlalchemy import update

from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.audit.keys import current_key_id
from tracker.audit.models import AuditEvent
from tracker.audit.models import AuditHead
from tracker.audit.services import GENESIS_HASH
from tracker.audit.services import HEAD_ID
from tracker.audit.services import event_hash
from tracker.audit.services import to_json
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.finance.models import LedgerEntry
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import DEFAULT_TOPICS
from tracker.progress.requirements import RequirementSpec
from tracker.signoffs.binding import bind
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import VERIFICATION_MEANING
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

PASSWORD = "bench passphrase for kap"  # noqa: S105 - a benchmark-only constant
BATCH = 20_000
COHORTS = 20
TRAINEES_PER_SUPERVISOR = 50
TOPICS = [code for code, _name, _hours in DEFAULT_TOPICS]
EXPERIENTIAL = ("observation", "role_play", "monitoring", "integration")
REFLECTION = (
    "Led preparation, monitored vitals during dosing and linked the imagery to the client's goals "
    "in integration."
)


class Bulk:
    """Buffers rows per table and writes them with executemany in large batches."""

    def __init__(self) -> None:
        self.rows: dict = {}
        self.counts: dict[str, int] = {}

    def add(self, model, row: dict) -> None:
        """Queue one row for `model`; flush that table when its batch is full."""
        bucket = self.rows.setdefault(model, [])
        bucket.append(row)
        if len(bucket) >= BATCH:
            self.flush()  # every table, parents first (dict order is first-use order)

    def flush(self, model=None) -> None:
        """Write the queued rows of one model (or of all, in insertion order)."""
        models = [model] if model is not None else list(self.rows)
        for m in models:
            bucket = self.rows.get(m)
            if bucket:
                if db.engine.dialect.name == "postgresql":
                    _copy(m.__table__, bucket)
                else:
                    db.session.execute(insert(m.__table__), bucket)
                name = m.__tablename__
                self.counts[name] = self.counts.get(name, 0) + len(bucket)
                self.rows[m] = []


def _copy(table, rows: list[dict]) -> None:
    """PostgreSQL: stream the rows with COPY (psycopg's `cursor.copy`) in the session's
    transaction, several times faster than multi-row INSERTs."""
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row[name] for name in columns))


class Chain:
    """The audit chain, computed in Python with the app's own `event_hash`."""

    def __init__(self, bulk: Bulk) -> None:
        self.bulk = bulk
        self.last_id = 0
        self.last_hash = GENESIS_HASH

    def add(self, when: datetime, actor_id, subject_id, action, object_type, object_id, after):
        """Append one event to the chain."""
        self.last_id += 1
        event = AuditEvent(
            id=self.last_id,
            occurred_at=when,
            actor_id=actor_id,
            subject_user_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=None,
            after=to_json(after),
            request_id=None,
            prev_hash=self.last_hash,
            key_id=current_key_id(),
        )
        event.hash = event_hash(event)
        self.last_hash = event.hash
        self.bulk.add(
            AuditEvent,
            {
                "id": event.id,
                "occurred_at": when,
                "actor_id": actor_id,
                "subject_user_id": subject_id,
                "action": action,
                "object_type": object_type,
                "object_id": event.object_id,
                "before": None,
                "after": event.after,
                "request_id": None,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
                "key_id": event.key_id,
            },
        )


def _at(day: date, hour: int = 17, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def build(trainees: int, seed: int = 7) -> dict:
    """Fill the (freshly migrated, empty) database; return what was made."""
    rnd = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    today = date.today()
    now = datetime.now(UTC).replace(microsecond=0)
    bulk = Bulk()
    chain = Chain(bulk)
    hashed = hash_password(PASSWORD)

    # -- people ------------------------------------------------------------------------------
    supervisors = max(1, (trainees + TRAINEES_PER_SUPERVISOR - 1) // TRAINEES_PER_SUPERVISOR)
    user_id = 0

    def person(email: str, name: str, **roles) -> int:
        nonlocal user_id
        user_id += 1
        row = {
            "id": user_id,
            "email": email,
            "full_name": name,
            "password_hash": hashed,
            "active": True,
            "is_trainee": roles.get("trainee", False),
            "is_supervisor": roles.get("supervisor", False),
            "is_staff": roles.get("staff", False),
            "is_admin": roles.get("admin", False),
            "created_at": now,
            "password_changed_at": now,
            "failed_logins": 0,
        }
        bulk.add(User, row)
        return user_id

    staff_id = person("staff@bench.example.org", "Bench Staff", staff=True, admin=True)
    supervisor_ids = [
        person(f"supervisor{n}@bench.example.org", f"Dr. Supervisor {n}", supervisor=True)
        for n in range(1, supervisors + 1)
    ]
    trainee_ids = [
        person(f"trainee{n}@bench.example.org", f"Trainee Number {n}", trainee=True)
        for n in range(1, trainees + 1)
    ]
    bulk.flush(User)
    for n, sid in enumerate(supervisor_ids):
        bulk.add(
            Licence,
            {
                "id": n + 1,
                "trainee_id": sid,
                "licence_type": ("PsyD", "MD")[n % 2],
                "number": f"PSY {20000 + n}",
                "jurisdiction": "CA",
                "issued_on": today - timedelta(days=3650),
                "expires_on": today + timedelta(days=500),
                "verified_at": _at(today - timedelta(days=120)),
                "verified_by_id": staff_id,
                "verification_method": "primary_source",
                "verification_note": "",
                "created_at": now,
            },
        )
        bulk.add(
            Insurance,
            {
                "id": n + 1,
                "trainee_id": sid,
                "carrier": "Allied Professional Mutual",
                "policy_number": f"APM-{n}",
                "starts_on": today - timedelta(days=200),
                "ends_on": today + timedelta(days=365),
                "coverage": "",
                "verified_at": _at(today - timedelta(days=120)),
                "verified_by_id": staff_id,
                "verification_method": "carrier_confirmation",
                "verification_note": "",
                "created_at": now,
            },
        )

    # -- program, tracks, requirement sets, cohorts ---------------------------------------------
    bulk.add(
        Program,
        {
            "id": 1,
            "name": "Bench KAP Institute",
            "description": "",
            "timezone": "America/Los_Angeles",
            "created_at": now,
        },
    )
    formats = (("online", 450000), ("hybrid", 600000), ("retreat", 850000))
    for n, (fmt, tuition) in enumerate(formats, start=1):
        bulk.add(
            Track,
            {
                "id": n,
                "program_id": 1,
                "name": f"{fmt.title()} certificate",
                "format": fmt,
                "tuition_cents": tuition,
                "description": "",
            },
        )
        bulk.add(
            RequirementSet,
            {
                "id": n,
                "track_id": n,
                "version": 1,
                "content": json.dumps(RequirementSpec.default(fmt).to_dict()),
                "note": "Initial defaults",
                "created_at": now,
                "created_by_id": staff_id,
            },
        )
    for n in range(1, COHORTS + 1):
        starts = today - timedelta(days=30 + 20 * n)
        bulk.add(
            Cohort,
            {
                "id": n,
                "program_id": 1,
                "name": f"Cohort {n:02d}",
                "starts_on": starts,
                "ends_on": starts + timedelta(days=365),
            },
        )
    bulk.flush()
    chain.add(now, staff_id, None, "bench.loaded", "programs", 1, {"trainees": trainees})

    # -- enrollments and their records ----------------------------------------------------------
    ids = {"did": 0, "exp": 0, "ses": 0, "sig": 0, "ce": 0, "led": 0, "cert": 0, "status_change": 0}

    def nid(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    submitted_by_supervisor: dict[int, list[int]] = {}
    certificate_codes: list[str] = []
    for index, trainee_id in enumerate(trainee_ids):
        enrollment_id = index + 1
        track = index % 3 + 1
        cohort = index % COHORTS + 1
        supervisor_id = supervisor_ids[index // TRAINEES_PER_SUPERVISOR]
        started = today - timedelta(days=30 + 20 * cohort)
        admitted = index % 25 != 0  # 4 % still applicants
        bulk.add(
            Enrollment,
            {
                "id": enrollment_id,
                "trainee_id": trainee_id,
                "program_id": 1,
                "track_id": track,
                "cohort_id": cohort,
                "requirement_set_id": track if admitted else None,
                "status": "admitted" if admitted else "submitted",
                "pathway": "standard",
                "pathway_reason": "",
                "created_at": _at(started - timedelta(days=40)),
                "submitted_at": _at(started - timedelta(days=30)),
                "decided_at": _at(started - timedelta(days=20)) if admitted else None,
                "decided_by_id": staff_id if admitted else None,
                "decision_note": "",
            },
        )
        chain.add(
            _at(started - timedelta(days=30)),
            trainee_id,
            trainee_id,
            "enrollment.submitted",
            "enrollments",
            enrollment_id,
            {"status": "submitted"},
        )
        if not admitted:
            continue
        chain.add(
            _at(started - timedelta(days=20)),
            staff_id,
            trainee_id,
            "enrollment.admitted",
            "enrollments",
            enrollment_id,
            {"status": "admitted"},
        )
        bulk.add(
            SupervisorAssignment,
            {
                "enrollment_id": enrollment_id,
                "supervisor_id": supervisor_id,
                "kind": "primary",
                "assigned_at": _at(started),
                "assigned_by_id": staff_id,
                "ended_at": None,
            },
        )
        days = max((today - started).days - 1, 10)
        progress = rnd.random()  # how far along this trainee is

        def day(started: date = started, days: int = days) -> date:
            return started + timedelta(days=rnd.randrange(1, days))

        # 24 didactic entries
        for k in range(24):
            status = "verified" if rnd.random() < progress + 0.2 else "pending"
            if rnd.random() < 0.02:
                status = "returned"
            entry = DidacticEntry(
                id=nid("did"),
                enrollment_id=enrollment_id,
                on=day(),
                topic_code=TOPICS[k % len(TOPICS)],
                hours=Decimal(rnd.choice(("1.00", "1.50", "2.00", "3.00", "4.00"))),
                provider="Bench Institute",
                note="",
            )
            _entry_row(bulk, DidacticEntry, entry, status, staff_id, now)
            if status == "verified":
                _signature(bulk, nid("sig"), "didactic", entry, staff_id, "Bench Staff", now)
        # 10 experiential entries
        for k in range(10):
            status = "verified" if rnd.random() < progress + 0.2 else "pending"
            entry = ExperientialEntry(
                id=nid("exp"),
                enrollment_id=enrollment_id,
                on=day(),
                kind=EXPERIENTIAL[k % len(EXPERIENTIAL)],
                hours=Decimal(rnd.choice(("1.00", "2.00", "3.00"))),
                facilitator="Dr. Facilitator",
                note="",
            )
            _entry_row(bulk, ExperientialEntry, entry, status, supervisor_id, now)
            if status == "verified":
                _signature(
                    bulk,
                    nid("sig"),
                    "experiential",
                    entry,
                    supervisor_id,
                    f"Dr. Supervisor {index // TRAINEES_PER_SUPERVISOR + 1}",
                    now,
                )
        # 10 supervised sessions: 7 signed, 2 submitted, 1 draft
        for k in range(10):
            status = "signed" if k < 7 else ("submitted" if k < 9 else "draft")
            session = SupervisedSession(
                id=nid("ses"),
                enrollment_id=enrollment_id,
                on=day(),
                client_code=f"C{enrollment_id % 997:03d}{k}",
                setting="clinic",
                route=("im", "sublingual", "iv")[k % 3],
                trainee_role=("observer", "co_therapist", "lead")[min(k // 3, 2)],
                supervision_mode="live",
                covers_preparation=True,
                covers_dosing=k % 2 == 0,
                covers_integration=True,
                duration_minutes=120,
                reflection=REFLECTION,
            )
            signed_at = _at(session.on + timedelta(days=2)) if status == "signed" else None
            submitted = _at(session.on + timedelta(days=1)) if status != "draft" else None
            bulk.add(
                SupervisedSession,
                {
                    "id": session.id,
                    "enrollment_id": enrollment_id,
                    "on": session.on,
                    "client_code": session.client_code,
                    "setting": session.setting,
                    "route": session.route,
                    "trainee_role": session.trainee_role,
                    "supervision_mode": session.supervision_mode,
                    "covers_preparation": session.covers_preparation,
                    "covers_dosing": session.covers_dosing,
                    "covers_integration": session.covers_integration,
                    "duration_minutes": session.duration_minutes,
                    "reflection": session.reflection,
                    "status": status,
                    "supervisor_id": supervisor_id if status != "draft" else None,
                    "submitted_at": submitted,
                    "signed_at": signed_at,
                    "created_at": _at(session.on),
                    "updated_at": _at(session.on),
                },
            )
            if status == "signed":
                _signature(
                    bulk,
                    nid("sig"),
                    "session",
                    session,
                    supervisor_id,
                    f"Dr. Supervisor {index // TRAINEES_PER_SUPERVISOR + 1}",
                    signed_at,
                )
                chain.add(
                    signed_at,
                    supervisor_id,
                    trainee_id,
                    "signoff.signed",
                    "supervised_sessions",
                    session.id,
                    {"status": "signed"},
                )
            elif status == "submitted":
                submitted_by_supervisor.setdefault(supervisor_id, []).append(session.id)
        # 4 CE lines
        for k in range(4):
            bulk.add(
                ContinuingEducation,
                {
                    "id": nid("ce"),
                    "enrollment_id": enrollment_id,
                    "on": day(),
                    "title": f"CE course {k + 1}",
                    "provider": "Bench CE Provider",
                    "kind": ("ce", "consultation")[k % 2],
                    "amount": Decimal("2.00"),
                    "file_id": None,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        # 4 ledger lines: tuition charge, two payments, a scholarship
        tuition = formats[track - 1][1]
        for kind, amount, method, is_tuition in (
            ("charge", tuition, None, True),
            ("payment", tuition // 3, "card", False),
            ("payment", tuition // 3, "bank_transfer", False),
            ("scholarship", 25000, None, False),
        ):
            bulk.add(
                LedgerEntry,
                {
                    "id": nid("led"),
                    "enrollment_id": enrollment_id,
                    "kind": kind,
                    "amount_cents": amount,
                    "description": kind.title(),
                    "method": method,
                    "reference": "",
                    "tuition": is_tuition,
                    "reason": "",
                    "posted_on": started,
                    "recorded_by_id": staff_id,
                    "created_at": now,
                },
            )
        # a certificate for 2 % of admitted trainees
        if index % 50 == 1:
            code = secrets.token_urlsafe(32)[:40]
            cert_id = nid("cert")
            certificate_codes.append(code)
            bulk.add(
                Certificate,
                {
                    "id": cert_id,
                    "enrollment_id": enrollment_id,
                    "number": f"BENCH-{cert_id:06d}",
                    "verification_code": code,
                    "printed_name": f"Trainee Number {index + 1}",
                    "program_name": "Bench KAP Institute",
                    "issued_on": today - timedelta(days=5),
                    "expires_on": today + timedelta(days=730),
                    "issued_by_id": staff_id,
                    "created_at": now,
                    "revoked_at": None,
                    "revoked_by_id": None,
                    "revocation_reason": None,
                },
            )
            bulk.add(
                CertificateStatusChange,
                {
                    "id": nid("status_change"),
                    "certificate_id": cert_id,
                    "status": "valid",
                    "since": today - timedelta(days=5),
                    "kind": "issued",
                    "reason": "Certificate issued.",
                    "recorded_at": now,
                    "by_id": staff_id,
                },
            )
    bulk.flush()
    db.session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_id=chain.last_id, last_hash=chain.last_hash)
    )
    _reset_sequences()
    db.session.commit()
    return {
        "rows": sum(bulk.counts.values()),
        "counts": bulk.counts,
        "staff_email": "staff@bench.example.org",
        "supervisor_email": "supervisor1@bench.example.org",
        "trainee_email": "trainee2@bench.example.org",
        "submitted_sessions": submitted_by_supervisor.get(supervisor_ids[0], []),
        "certificate_codes": certificate_codes,
    }


def _entry_row(bulk: Bulk, model, entry, status: str, verifier_id: int, now: datetime) -> None:
    row = {
        "id": entry.id,
        "enrollment_id": entry.enrollment_id,
        "on": entry.on,
        "hours": entry.hours,
        "note": entry.note,
        "status": status,
        "created_at": _at(entry.on),
        "updated_at": _at(entry.on),
        "verified_at": now if status == "verified" else None,
        "verified_by_id": verifier_id if status == "verified" else None,
    }
    if model is DidacticEntry:
        row.update(topic_code=entry.topic_code, provider=entry.provider)
    else:
        row.update(kind=entry.kind, facilitator=entry.facilitator)
    bulk.add(model, row)


def _signature(bulk: Bulk, sig_id, entry_type, entry, signer_id, name, signed_at) -> None:
    bulk.add(
        Signature,
        {
            "id": sig_id,
            "enrollment_id": entry.enrollment_id,
            "entry_type": entry_type,
            "entry_id": entry.id,
            "signer_id": signer_id,
            "printed_name": name,
            "meaning": SESSION_MEANING if entry_type == "session" else VERIFICATION_MEANING,
            "signed_at": signed_at,
            **bind(entry),
            "voided_at": None,
            "voided_by_id": None,
            "void_reason": "",
        },
    )


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences at 1: move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        seq = db.session.scalar(text(f"SELECT pg_get_serial_sequence('{table.name}', 'id')"))
        if seq:
            top = f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1"  # noqa: S608 - own names
            db.session.execute(text(f"SELECT setval('{seq}', {top}, false)"))
