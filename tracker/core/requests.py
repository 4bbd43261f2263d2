"""The request class: a file field over the upload limit is cut short while the body is read,
so the rest of the form still arrives and the page can answer with a field error.

Werkzeug refuses a body over MAX_CONTENT_LENGTH before any field is parsed (the 413 page, with
nothing of the form kept). That cap stays, as a bound on what one request may send; below it, a
file larger than UPLOAD_MAX_BYTES keeps only its first UPLOAD_MAX_BYTES + 1 bytes (the rest is
read and dropped), which the upload check (`tracker.documents.storage`) refuses as too large.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO
from typing import Any

from flask import Request
from flask import current_app

SPOOL_BYTES = 500 * 1024  # kept in memory below this, as Werkzeug's own file streams


class CappedFile(SpooledTemporaryFile):
    """A spooled temporary file that keeps at most `cap` bytes of what is written to it."""

    def __init__(self, cap: int) -> None:
        super().__init__(max_size=SPOOL_BYTES, mode="rb+")
        self.cap = cap
        self.kept = 0

    def write(self, data: Any) -> int:  # type: ignore[override]
        """Keep what fits under the cap; report everything as written, so parsing goes on."""
        room = self.cap - self.kept
        if room > 0:
            part = bytes(data[:room])
            self.kept += len(part)
            super().write(part)
        return len(data)


class TrackerRequest(Request):
    """Flask's request, with each uploaded file kept to one byte over the upload limit."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        limit = current_app.config.get("UPLOAD_MAX_BYTES")
        if not limit:
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        return CappedFile(int(limit) + 1)  # type: ignore[return-value]
