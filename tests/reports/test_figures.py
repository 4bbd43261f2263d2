"""The reports' figures on a built data set whose answers are known: funnel counts, dropout by
step, time to certificate, supervisor turnaround, finance totals and credentials, at two sizes
with the same number of queries."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from tracker.accounts.models import User
from tracker.certificates.models import Certificate
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.finance.models import LedgerEntry
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec
from tracker.reports import queries
from tracker.reports.queries import ReportFilters
from tracker.supervision.models import SupervisedSession

REPORT_KEYS = (
    "funnel",
    "dropout",
    "time-to-certificate",
    "pace",
    "turnaround",
    "finance",
    "credentials",
)


def _steps(done: int) -> str:
    """`done` steps complete, the next in progress, the rest not started."""
    return ("c" * done + "i" + "n" * 9)[:9]


def build(size: int) -> dict:
    """`size` enrollments in each of two cohorts. Enrollment i (0-based, in each cohort) has
    completed i % 9 steps; every fifth is withdrawn, every seventh of the rest is inactive;
    every fourth has an overdue instalment. Every third has a certificate issued 30 * (j + 1)
    days after admission (j counting the certified ones); each enrollment is charged $1,000
    and pays $400 (one payment of every enrollment voided and posted again); each has one
    session signed 2 days after submission (4 days for the second supervisor) and one
    waiting 10 days."""
    today = today_in("UTC")
    program = Program(name="Report Program", timezone="UTC")
    track = Track(program=program, name="Online", format="online", tuition_cents=100000)
    spec = RequirementSpec.default("online")
    requirements = RequirementSet(track=track, version=1, content=json.dumps(spec.to_dict()))
    cohorts = [
        Cohort(
            program=program,
            name=name,
            starts_on=today - timedelta(days=70),
            ends_on=today + timedelta(days=70),
        )
        for name in ("Autumn", "Winter")
    ]
    supervisors = [
        User(email=f"sup{n}@example.org", full_name=f"Supervisor {n}", is_supervisor=True)
        for n in (1, 2)
    ]
    staff = User(email="ledger@example.org", full_name="Ledger Staff", is_staff=True)
    db.session.add_all([program, track, requirements, *cohorts, *supervisors, staff])
    db.session.flush()
    expected = {"durations": [], "withdrawn": {}, "inactive": {}, "overdue": 0}
    now = utcnow()
    certified = 0
    for cohort in cohorts:
        users = [
            {
                "email": f"r{cohort.id}-{i}@example.org",
                "full_name": f"Trainee {cohort.name} {i:03d}",
                "is_trainee": True,
                "active": True,
                "created_at": now,
            }
            for i in range(size)
        ]
        db.session.execute(insert(User), users)
        user_ids = db.session.scalars(
            select(User.id).where(User.email.like(f"r{cohort.id}-%")).order_by(User.id)
        ).all()
        admitted = datetime.combine(today - timedelta(days=400), time(12), UTC)
        rows = [
            {
                "trainee_id": uid,
                "program_id": program.id,
                "track_id": track.id,
                "cohort_id": cohort.id,
                "requirement_set_id": requirements.id,
                "status": "admitted",
                "decided_at": admitted,
                "created_at": now,
                "pathway": "standard",
                "pathway_reason": "",
                "decision_note": "",
            }
            for uid in user_ids
        ]
        db.session.execute(insert(Enrollment), rows)
        enrollment_ids = db.session.scalars(
            select(Enrollment.id).where(Enrollment.cohort_id == cohort.id).order_by(Enrollment.id)
        ).all()
        snapshots, ledger, certificates, sessions = [], [], [], []
        for i, eid in enumerate(enrollment_ids):
            done = i % 9
            withdrawn = i % 5 == 0
            inactive = not withdrawn and i % 7 == 0
            overdue = i % 4 == 0
            codes = " ".join(
                c
                for c, on in (
                    ("activity.none_recent", inactive),
                    ("instalment.overdue", overdue),
                )
                if on
            )
            snapshots.append(
                {
                    "enrollment_id": eid,
                    "stale": False,
                    "computed_on": today,
                    "holds_until": today + timedelta(days=30),
                    "steps": _steps(done),
                    "codes": f" {codes} " if codes else "",
                    "state": "withdrawn" if withdrawn else "active",
                }
            )
            step = done + 1
            if withdrawn:
                expected["withdrawn"][step] = expected["withdrawn"].get(step, 0) + 1
            if inactive:
                expected["inactive"][step] = expected["inactive"].get(step, 0) + 1
            expected["overdue"] += overdue
            posted = today - timedelta(days=20)
            base = {"enrollment_id": eid, "recorded_by_id": staff.id, "reference": ""}
            ledger.append(
                {
                    **base,
                    "kind": "charge",
                    "amount_cents": 100000,
                    "description": "Tuition",
                    "tuition": True,
                    "posted_on": posted,
                }
            )
            for _ in range(2):
                ledger.append(
                    {
                        **base,
                        "kind": "payment",
                        "amount_cents": 40000,
                        "description": "Payment",
                        "method": "card",
                        "posted_on": posted,
                    }
                )
            if i % 3 == 0:
                days = 30 * (certified + 1)
                certified += 1
                expected["durations"].append(days)
                certificates.append(
                    {
                        "enrollment_id": eid,
                        "number": f"KAP-T-{eid:06d}",
                        "verification_code": f"{eid:040d}",
                        "printed_name": "Trainee",
                        "program_name": "Report Program",
                        "issued_on": (admitted + timedelta(days=days)).date(),
                        "status": "valid",
                    }
                )
            supervisor = supervisors[i % 2]
            wait = 2 if i % 2 == 0 else 4
            session = {
                "enrollment_id": eid,
                "on": today - timedelta(days=30),
                "client_code": "C-1",
                "setting": "clinic",
                "route": "iv",
                "trainee_role": "observer",
                "supervision_mode": "live",
                "covers_preparation": True,
                "duration_minutes": 60,
                "reflection": "Reflection.",
                "supervisor_id": supervisor.id,
            }
            submitted = now - timedelta(days=20)
            sessions.append(
                {
                    **session,
                    "status": "signed",
                    "submitted_at": submitted,
                    "signed_at": submitted + timedelta(days=wait),
                }
            )
            sessions.append(
                {**session, "status": "submitted", "submitted_at": now - timedelta(days=10)}
            )
        db.session.execute(insert(LedgerEntry), ledger)
        # One payment of each enrollment voided: the void takes it back, so $400 is collected.
        first_payments = db.session.execute(
            select(LedgerEntry.id, LedgerEntry.enrollment_id)
            .where(
                LedgerEntry.kind == "payment",
                LedgerEntry.enrollment_id.in_(enrollment_ids),
            )
            .order_by(LedgerEntry.id)
        ).all()
        seen: set[int] = set()
        voids = []
        for pid, eid in first_payments:
            if eid in seen:
                continue
            seen.add(eid)
            voids.append(
                {
                    "enrollment_id": eid,
                    "recorded_by_id": staff.id,
                    "reference": "",
                    "kind": "payment",
                    "amount_cents": 40000,
                    "description": "Void",
                    "method": "card",
                    "posted_on": today - timedelta(days=19),
                    "voids_id": pid,
                    "reason": "Entered twice",
                }
            )
        db.session.execute(insert(LedgerEntry), voids)
        if certificates:
            db.session.execute(insert(Certificate), certificates)
        db.session.execute(insert(SupervisedSession), sessions)
        db.session.execute(insert(ProgressSnapshot), snapshots)
    db.session.commit()
    # The writes above marked the snapshots stale; they stand as built.
    db.session.execute(update(ProgressSnapshot).values(stale=False))
    db.session.commit()
    expected["program_id"] = program.id
    expected["cohorts"] = [c.id for c in cohorts]
    expected["supervisors"] = [s.full_name for s in supervisors]
    return expected


def _nearest_rank(values: list[int], percent: int) -> int:
    ordered = sorted(values)
    return ordered[max((percent * len(ordered) + 99) // 100, 1) - 1]


@pytest.mark.parametrize("size", [12, 30])
def test_figures_match_the_built_data(app, size):
    expected = build(size)
    filters = ReportFilters(program_id=expected["program_id"])

    rows = queries.funnel(filters)
    assert [r.enrollments for r in rows] == [size, size]
    for row in rows:
        for step in range(1, 10):
            # enrollment i reached step s when it completed s - 1 steps or more
            assert row.reached[step - 1] == sum(1 for i in range(size) if i % 9 >= step - 1)
            assert row.completed[step - 1] == sum(1 for i in range(size) if i % 9 >= step)

    drops = {d.step: d for d in queries.dropout(filters)}
    assert sorted(drops) == list(range(1, 10))
    for step in range(1, 10):
        assert drops[step].withdrawn == expected["withdrawn"].get(step, 0)
        assert drops[step].inactive == expected["inactive"].get(step, 0)

    online = next(r for r in queries.time_to_certificate(filters) if r.format == "online")
    assert online.certificates == len(expected["durations"])
    median_days = _nearest_rank(expected["durations"], 50)
    assert online.quartiles[1] == round(median_days / queries.DAYS_PER_MONTH, 1)
    assert online.typical == (6, 12)

    turnaround = {r.supervisor: r for r in queries.turnaround(filters, utcnow())}
    assert turnaround["Supervisor 1"].signed == size  # even i of both cohorts
    assert turnaround["Supervisor 1"].median_days == pytest.approx(2.0, abs=0.01)
    assert turnaround["Supervisor 2"].median_days == pytest.approx(4.0, abs=0.01)
    # each trainee has one session waiting 10 days: the "7-13 days" band
    assert sum(turnaround["Supervisor 1"].waiting) == size
    assert turnaround["Supervisor 1"].waiting[1] == size

    finance = queries.finance(filters)
    assert sum(r.charged for r in finance.months) == 2 * size * 100000
    assert sum(r.collected for r in finance.months) == 2 * size * 40000  # one voided
    assert {r.cohort: r.outstanding for r in finance.now} == {
        "Autumn": size * 60000,
        "Winter": size * 60000,
    }
    assert sum(r.overdue_enrollments for r in finance.now) == expected["overdue"]

    creds = queries.credentials(filters)
    assert sum(n for _, n in creds.issued) == len(expected["durations"])
    assert creds.by_status["valid"] == len(expected["durations"])


def test_query_count_does_not_grow_with_enrollments(app, client, create_user, auth, count_queries):
    """Each report page makes the same number of queries at 12 and at 36 enrollments per
    cohort."""
    auth.login(create_user("staff"))
    expected = build(12)
    program = expected["program_id"]
    counts = {}
    for key in REPORT_KEYS:
        with count_queries() as counter:
            assert client.get(f"/reports/{key}?program={program}").status_code == 200
        counts[key] = counter.count
    _more(expected, 24)
    for key in REPORT_KEYS:
        with count_queries() as counter:
            assert client.get(f"/reports/{key}?program={program}").status_code == 200
        assert counter.count == counts[key], key


def _more(expected: dict, count: int) -> None:
    """Add `count` enrollments with snapshots to the first cohort."""
    cohort = db.session.get(Cohort, expected["cohorts"][0])
    first = db.session.scalar(select(Enrollment).where(Enrollment.cohort_id == cohort.id))
    db.session.execute(
        insert(User),
        [
            {
                "email": f"more{i}@example.org",
                "full_name": f"More {i}",
                "is_trainee": True,
                "active": True,
                "created_at": utcnow(),
            }
            for i in range(count)
        ],
    )
    ids = db.session.scalars(select(User.id).where(User.email.like("more%"))).all()
    db.session.execute(
        insert(Enrollment),
        [
            {
                "trainee_id": uid,
                "program_id": first.program_id,
                "track_id": first.track_id,
                "cohort_id": cohort.id,
                "requirement_set_id": first.requirement_set_id,
                "status": "admitted",
                "decided_at": first.decided_at,
                "created_at": utcnow(),
                "pathway": "standard",
                "pathway_reason": "",
                "decision_note": "",
            }
            for uid in ids
        ],
    )
    db.session.commit()


def test_csv_has_the_table(app, client, create_user, auth):
    auth.login(create_user("staff"))
    expected = build(9)
    response = client.get(f"/reports/funnel.csv?program={expected['program_id']}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Cohort", "Enrollments", "Reached 1. Eligibility"]
    assert [r[0] for r in rows[1:]] == ["Autumn", "Winter"]
    assert all(r[1] == "9" for r in rows[1:])
