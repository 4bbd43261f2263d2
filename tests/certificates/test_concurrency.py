"""Two staff members issuing the same certificate at the same moment get exactly one: the
database's UNIQUE constraint decides, and the loser is refused with a message."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.conftest import is_postgres
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.certificates import services
from tracker.certificates.models import Certificate
from tracker.core.errors import Refused
from tracker.extensions import db

pytestmark = pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two issues can overlap; "
    "the race is tested on PostgreSQL",
)

RACERS = 4


def test_concurrent_issues_give_exactly_one_certificate(app, staff, ready, monkeypatch):
    enrollment_id, staff_id = ready.id, staff.id
    db.session.remove()
    # Every racer passes the readiness check before any of them inserts: the worst case.
    barrier = threading.Barrier(RACERS, timeout=20)
    real_check = services.blocking_messages

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(services, "blocking_messages", check_then_wait)
    outcomes: list[str] = []

    def race() -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, staff_id)
                cert = services.issue_certificate(enrollment_id, actor, password=PASSWORD)
                db.session.commit()
                outcomes.append(f"issued {cert.number}")
            except Refused as error:
                db.session.rollback()
                outcomes.append(f"refused: {error.message}")
            except Exception as error:  # any other failure is reported by the asserts below
                db.session.rollback()
                outcomes.append(f"error: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == RACERS, outcomes
    assert sum(o.startswith("issued") for o in outcomes) == 1, outcomes
    assert all(o.startswith("issued") or "issued a moment ago" in o for o in outcomes), outcomes
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    issued = select(func.count()).where(AuditEvent.action == "certificate.issued")
    assert db.session.scalar(issued) == 1
    assert verify_chain()[1] is None
