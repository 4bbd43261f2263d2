"""Builders for the sign-off tests: credentials for a supervisor, waiting entries."""

from __future__ import annotations

from datetime import timedelta

from tests.training.factories import add_didactic, add_experiential, add_session
from tracker.core.clock import today_in
from tracker.eligibility.models import Insurance, Licence
from tracker.extensions import db, utcnow


def give_credentials(person, *, licence_days: int = 300, insurance_days: int = 300, verified=True):
    """A licence and an insurance for `person`, valid `..._days` more days (negative: lapsed)."""
    today = today_in("UTC")
    db.session.add_all(
        [
            Licence(
                trainee_id=person.id,
                licence_type="PsyD",
                number="PSY 1234",
                jurisdiction="CA",
                issued_on=today - timedelta(days=2000),
                expires_on=today + timedelta(days=licence_days),
                verified_at=utcnow() if verified else None,
            ),
            Insurance(
                trainee_id=person.id,
                carrier="Carrier",
                policy_number="P-1",
                starts_on=today - timedelta(days=400),
                ends_on=today + timedelta(days=insurance_days),
                verified_at=utcnow() if verified else None,
            ),
        ]
    )
    db.session.commit()


def waiting_session(enrollment, supervisor=None, days_ago: int = 2, **kw):
    """A submitted session, waiting `days_ago` days."""
    return add_session(
        enrollment,
        status="submitted",
        supervisor_id=supervisor.id if supervisor else None,
        submitted_at=utcnow() - timedelta(days=days_ago),
        **kw,
    )


def waiting_didactic(enrollment, days_ago: int = 1, **kw):
    """A pending didactic entry logged `days_ago` days ago."""
    return add_didactic(enrollment, created_at=utcnow() - timedelta(days=days_ago), **kw)


def waiting_experiential(enrollment, days_ago: int = 1, **kw):
    """A pending experiential entry logged `days_ago` days ago."""
    return add_experiential(enrollment, created_at=utcnow() - timedelta(days=days_ago), **kw)
