"""Certificates as the progress engine reads them, for the enrollment loader."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy import select

from tracker.certificates.models import Certificate
from tracker.extensions import db
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor


def _certificates(ids_subquery: Select) -> Select:
    return select(
        Certificate.enrollment_id,
        Certificate.issued_on,
        Certificate.expires_on,
        Certificate.revoked_at,
        Certificate.number,
    ).where(Certificate.enrollment_id.in_(ids_subquery))


def certificate_fact(cert: Any) -> f.Certificate:
    """A certificate (a row or a `Certificate`) as the engine reads it."""
    return f.Certificate(
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        revoked=cert.revoked_at is not None,
        number=cert.number,
    )


def _facts(rows: Rows) -> dict[int, dict[str, Any]]:
    return {row.enrollment_id: {"certificate": certificate_fact(row)} for row in rows}


def certificate_facts(ids_subquery: Select) -> dict[int, dict[str, Any]]:
    """`{"certificate": Certificate}` per enrollment that has one, in one query."""
    return _facts(db.session.execute(_certificates(ids_subquery)).all())


def _read(selection: Selection) -> Select:
    return _certificates(selection.ids)


@contributor(_read)
def certificate_contribution(selection: Selection, rows: Rows) -> Contribution:
    """The certificate of each selected enrollment that has one."""
    return _facts(rows)
