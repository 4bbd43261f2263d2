"""Two sign-offs of one entry at the same moment give exactly one signature: the conditional
UPDATE decides (the partial UNIQUE index backs it up), and the loser is refused."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD, is_postgres
from tests.signoffs.factories import give_credentials, waiting_session
from tests.training.factories import assign
from tracker.accounts.models import User
from tracker.audit.services import verify_chain
from tracker.extensions import db, utcnow
from tracker.signoffs import services
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession

RACERS = 4


def test_a_second_live_signature_is_refused_by_the_database(enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    row = {
        "enrollment_id": enrollment.id,
        "entry_type": "session",
        "entry_id": session.id,
        "signer_id": supervisor.id,
        "printed_name": "X",
        "meaning": "m",
        "signed_at": utcnow(),
        "content_hash": "a" * 64,
        "void_reason": "",
    }
    db.session.add(Signature(**row))
    db.session.commit()
    db.session.add(Signature(**row))
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        db.session.commit()
    db.session.rollback()
    # A voided one does not count: a new live signature may follow it.
    db.session.execute(
        text("UPDATE signatures SET voided_at = :t, void_reason = 'r'"), {"t": utcnow()}
    )
    db.session.add(Signature(**row))
    db.session.commit()


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two sign-offs can overlap; "
    "the race is tested on PostgreSQL",
)
def test_concurrent_sign_offs_give_exactly_one_signature(
    app, enrollment, supervisor, create_user, monkeypatch
):
    backup = create_user("supervisor", name="Bea Backup")
    give_credentials(backup)
    assign(enrollment, backup, kind="backup")
    session_id = waiting_session(enrollment, supervisor).id
    signer_ids = [supervisor.id, backup.id, supervisor.id, backup.id]
    db.session.remove()
    # Every racer passes the rule check before any of them writes: the worst case.
    barrier = threading.Barrier(RACERS, timeout=20)
    real_check = services.signing_problem

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(services, "signing_problem", check_then_wait)
    outcomes: list[str] = []

    def race(signer_id: int) -> None:
        with app.app_context():
            try:
                signer = db.session.get(User, signer_id)
                entry = db.session.get(SupervisedSession, session_id)
                services.sign([entry], signer, PASSWORD)
                db.session.commit()
                outcomes.append("signed")
            except services.SignoffError as error:
                db.session.rollback()
                outcomes.append(f"refused: {error.message}")
            except Exception as error:  # reported by the asserts below
                db.session.rollback()
                outcomes.append(f"error: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(sid,)) for sid in signer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == RACERS, outcomes
    assert outcomes.count("signed") == 1, outcomes
    assert all(o == "signed" or "a moment ago" in o for o in outcomes), outcomes
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert db.session.get(SupervisedSession, session_id).status == "signed"
    assert verify_chain()[1] is None
